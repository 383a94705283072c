/* A flash driver for tests that fails one chosen call: it forwards every
 * read, prog, erase and sync to a real driver and returns IFU_EIO for call
 * number fail_at (1-based, counting all four kinds); fail_at 0 never fails.
 * A failed read fills the buffer with 0x5a, as a real one may leave anything
 * there. Host only. */
#ifndef IFU_TU_FAULTY_H
#define IFU_TU_FAULTY_H

#include "ifu/flash.h"

struct tu_faulty {
    struct ifu_flash flash; /* hand this to ifu; flash.ctx is the struct itself */
    const struct ifu_flash *real;
    unsigned long calls; /* calls seen since the last reset of this field */
    unsigned long fail_at;
    int fired; /* 1 once the chosen call has failed */
};

/* Wrap real: f->flash gets real's geometry and the failing callbacks. */
void tu_faulty_init(struct tu_faulty *f, const struct ifu_flash *real);

/* IFU_PL_SAMPLE=N (as for the power-loss tests; the sanitizer stage sets it):
 * a sweep fails only every N-th call, for slow instrumented builds. 1 (every
 * call) when unset. */
unsigned long tu_faulty_sample_step(void);

/* The sweep over a sequence whose healthy run made total flash calls: for
 * k = 1, 1 + step, ... <= total (step: tu_faulty_sample_step), one_case(k, arg)
 * fails call k and must return 1 (the failure fired and was met); the case
 * k = total + 1 must return 0 (no such call). Prints the counts; a failed
 * check fails the running cmocka test. */
void tu_faulty_sweep(unsigned long total, int (*one_case)(unsigned long k, long arg), long arg);

#endif /* IFU_TU_FAULTY_H */
