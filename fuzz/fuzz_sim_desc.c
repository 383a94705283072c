/* Fuzz target: ifu-sim's device description reader (tools/ifu-sim/device.c,
 * sim_dev_read_desc: the ".layout" file every ifu-sim command but init reads
 * before it maps the flash file).
 * Checks: no crash, no leak; an accepted description names a known layout
 * whose slots lie inside the device; the simulator takes or refuses its
 * geometry cleanly; and the boot engine's layout check runs on it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sim_dev dev;

    if (size > 4096) {
        return 0;
    }
    char *text = malloc(size + 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&dev, 0, sizeof dev);
    dev.path = "fuzz.flash";
    dev.seed = 1;
    dev.mode = ifu_boot_mode();
    dev.desc_path = malloc(sizeof "fuzz.flash.layout");
    if (dev.desc_path == NULL) {
        free(text);
        return 0;
    }
    memcpy(dev.desc_path, "fuzz.flash.layout", sizeof "fuzz.flash.layout");
    int err = sim_dev_read_desc(&dev, text);
    free(text);
    if (!err) {
        uint64_t total = 0;
        for (uint32_t i = 0; i < dev.run_count; i++) {
            total += (uint64_t)dev.runs[i].size * dev.runs[i].count;
        }
        for (unsigned s = 0; s < 2; s++) {
            if ((uint64_t)dev.slot[s].off + dev.slot[s].size > total || dev.slot[s].size == 0) {
                abort();
            }
        }
        /* What sim_dev_open does next, in memory instead of a file. */
        struct ifu_sim_config sc;
        memset(&sc, 0, sizeof sc);
        sc.sectors = dev.runs;
        sc.sector_runs = dev.run_count;
        sc.write_size = dev.write_size;
        sc.erased_val = dev.erased;
        sc.seed = 1;
        if (ifu_sim_init(&dev.sim, &sc) == 0) {
            dev.open = 1;
            struct ifu_boot_config cfg;
            struct ifu_boot_layout lay;
            sim_dev_config(&dev, 1, NULL, &cfg);
            (void)ifu_boot_layout(&cfg, &lay);
            sim_dev_config(&dev, 0, NULL, &cfg);
            (void)ifu_boot_layout(&cfg, &lay);
        }
    }
    sim_dev_close(&dev);
    return 0;
}
