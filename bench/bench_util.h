/* Host helpers shared by the benchmark programs that sign images with the
 * ifu CLI: run a shell command, read a whole file. */
#ifndef IFU_BENCH_UTIL_H
#define IFU_BENCH_UTIL_H

#include <stdint.h>

/* Run cmd with system(); on failure print "who: failed (status): cmd" to
 * stderr. Returns system()'s status (0 on success). */
int bench_run(const char *who, const char *cmd);

/* The whole file at path in a malloc'd buffer (the caller frees it), its
 * size in *len; NULL if it cannot be read. */
uint8_t *bench_read_file(const char *path, uint32_t *len);

#endif /* IFU_BENCH_UTIL_H */
