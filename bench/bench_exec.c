/* bench_exec: wall time of a whole process, as a user waits for it.
 *
 *   bench_exec [-n RUNS] [-w WARMUP] -- COMMAND [ARG...]
 *
 * Runs COMMAND WARMUP times untimed (default 3: page cache, dynamic loader),
 * then RUNS times (default 21), each from fork to the end of waitpid, with
 * stdin, stdout and stderr on /dev/null. Prints
 *   min_ms=<t> median_ms=<t> mean_ms=<t> max_ms=<t> cpu_median_ms=<t> runs=<n>
 * (cpu: user + system time of the process, see run_once)
 * and exits 0; exits 1 if any run fails (a failing command is not timed).
 *
 * bench/run.sh uses this rather than `date +%s%N` around each run, which adds
 * two process starts of its own to a figure measured in milliseconds. */
#define _DEFAULT_SOURCE /* wait4 (BSD, not POSIX), clock_gettime, fork */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "bench_time.h"
#include <unistd.h>

#define MAX_RUNS 10000

/* Run argv once; 0 if it exited with status 0. *cpu_ms receives its user +
 * system CPU time: unlike wall time, it hardly moves when other processes
 * compete for the CPUs, so it shows the work apart from the waiting. */
static int run_once(char **argv, double *cpu_ms)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_exec: fork");
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("bench_exec: wait4");
            return -1;
        }
    }
    *cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
              (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    int runs = 21;
    int warmup = 3;
    int i = 1;

    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
            warmup = atoi(argv[++i]);
        } else {
            break;
        }
    }
    if (i + 1 >= argc || strcmp(argv[i], "--") != 0 || runs < 1 || runs > MAX_RUNS || warmup < 0) {
        fputs("usage: bench_exec [-n RUNS] [-w WARMUP] -- COMMAND [ARG...]\n", stderr);
        return 2;
    }
    char **cmd = argv + i + 1;

    double cpu_ms = 0;
    for (int w = 0; w < warmup; w++) {
        if (run_once(cmd, &cpu_ms) != 0) {
            fprintf(stderr, "bench_exec: %s failed (warm-up run %d)\n", cmd[0], w + 1);
            return 1;
        }
    }
    static double t[MAX_RUNS];
    static double cpu[MAX_RUNS];
    double sum = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = bench_now_ms();
        if (run_once(cmd, &cpu[r]) != 0) {
            fprintf(stderr, "bench_exec: %s failed (run %d)\n", cmd[0], r + 1);
            return 1;
        }
        t[r] = bench_now_ms() - t0;
        sum += t[r];
    }
    double median = bench_median(t, runs);
    printf("min_ms=%.3f median_ms=%.3f mean_ms=%.3f max_ms=%.3f cpu_median_ms=%.3f runs=%d\n", t[0],
           median, sum / runs, t[runs - 1], bench_median(cpu, runs), runs);
    return 0;
}
