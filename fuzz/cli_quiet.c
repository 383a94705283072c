/* The message sink of the host-tool fuzz targets (fuzz_cli_*, fuzz_sim_desc).
 * They link the readers of tools/ifu and tools/ifu-sim as the programs do,
 * but not the programs' main.c, which prints every cli_fail() on stderr:
 * millions of inputs would flood the fuzzer's log. Here the message is
 * still formatted (so a bad format argument is still caught by the
 * sanitizers) and then dropped. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

/* see tools/ifu/cli.h */
int cli_fail(int err, const char *what, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    (void)what;
    return err;
}
