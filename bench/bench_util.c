/* see bench_util.h */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>

int bench_run(const char *who, const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "%s: failed (%d): %s\n", who, rc, cmd);
    }
    return rc;
}

uint8_t *bench_read_file(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) {
        n = ftell(f);
    }
    uint8_t *buf = NULL;
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    *len = buf != NULL ? (uint32_t)n : 0;
    return buf;
}
