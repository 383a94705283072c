/* Helpers shared by the fuzz targets that run over the flash simulator
 * (fuzz_boot.c, fuzz_update.c). */
#ifndef IFU_FUZZ_SIM_H
#define IFU_FUZZ_SIM_H

#include <stdint.h>

#include "ifu_sim.h"

/* Read shared/vectors/imgtool/good/<name> (shared/ from $IFU_SHARED_DIR, else
 * the path the build was configured with) into buf, at most cap bytes.
 * Returns its length; 0 if shared/ or the file is missing, so the targets
 * still run (without a signed image to plant). */
uint32_t fuzz_load_vector(const char *name, uint8_t *buf, uint32_t cap);

/* An ifu_image_reader over the simulator's memory from offset base, for
 * re-verifying what the engine left in flash on its own. */
struct fuzz_sim_reader {
    const struct ifu_sim *sim;
    uint32_t base;
};

int fuzz_sim_read(void *ctx, uint32_t off, void *buf, uint32_t len);

#endif /* IFU_FUZZ_SIM_H */
