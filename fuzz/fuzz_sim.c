/* see fuzz_sim.h */
#include "fuzz_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifu/errors.h"

uint32_t fuzz_load_vector(const char *name, uint8_t *buf, uint32_t cap)
{
    char path[512];
    const char *shared = getenv("IFU_SHARED_DIR");
#ifdef IFU_SHARED_DIR
    if (shared == NULL) {
        shared = IFU_SHARED_DIR;
    }
#endif
    if (shared == NULL) {
        return 0;
    }
    snprintf(path, sizeof path, "%s/vectors/imgtool/good/%s", shared, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return 0;
    }
    uint32_t len = (uint32_t)fread(buf, 1, cap, f);
    fclose(f);
    return len;
}

int fuzz_sim_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct fuzz_sim_reader *r = ctx;
    if (off > r->sim->size - r->base || len > r->sim->size - r->base - off) {
        return IFU_EIO;
    }
    memcpy(buf, r->sim->mem + r->base + off, len);
    return 0;
}
