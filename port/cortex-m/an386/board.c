/* see board.h */
#include "board.h"

#include <string.h>

static struct ifu_nor nor;
static const struct ifu_flash *flash;

struct ifu_nor *an386_flash(void)
{
    if (flash == NULL) {
        flash = ifu_nor_init(&nor, AN386_FLASH_ADDR, AN386_FLASH_SIZE, AN386_WRITE_SIZE);
    }
    return &nor;
}

void an386_boot_config(struct ifu_boot_config *cfg, const struct ifu_keyring *keys)
{
    (void)an386_flash();
    memset(cfg, 0, sizeof *cfg);
    cfg->primary.flash = flash;
    cfg->primary.off = AN386_PRIMARY_OFF;
    cfg->primary.size = AN386_PRIMARY_SIZE;
    cfg->secondary.flash = flash;
    cfg->secondary.off = AN386_SECONDARY_OFF;
    cfg->secondary.size = AN386_SECONDARY_SIZE;
    cfg->keys = keys;
}
