/* see board.h */
#include "board.h"

#include <string.h>

static struct ifu_nor nor;
static const struct ifu_flash *flash;
static struct ifu_area keystore_area;
static struct ifu_area counter_area;

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

int an386_keystore(struct ifu_keystore *ks, int writable)
{
    (void)an386_flash();
    keystore_area.flash = flash;
    keystore_area.off = AN386_KEYSTORE_OFF;
    keystore_area.size = AN386_KEYSTORE_SIZE;
    int err = ifu_keys_init_area(ks, &keystore_area, AN386_KEY_SLOTS);
    if (!err && !writable) {
        ks->prog = NULL;
    }
    return err;
}

int an386_counter(struct ifu_counter *c)
{
    (void)an386_flash();
    counter_area.flash = flash;
    counter_area.off = AN386_COUNTER_OFF;
    counter_area.size = AN386_COUNTER_SIZE;
    return ifu_counter_flash_init(c, &counter_area);
}
