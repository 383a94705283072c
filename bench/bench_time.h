/* Timing helpers shared by the benchmark programs. Host only. */
#ifndef IFU_BENCH_TIME_H
#define IFU_BENCH_TIME_H

/* Monotonic wall clock, milliseconds. */
double bench_now_ms(void);

/* Median of t[0..n-1], n >= 1; sorts t in place. */
double bench_median(double *t, int n);

#endif /* IFU_BENCH_TIME_H */
