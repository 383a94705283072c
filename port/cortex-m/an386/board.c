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

#define TIMER0_CTRL   (*(volatile uint32_t *)(uintptr_t)0x40000000u)
#define TIMER0_VALUE  (*(volatile uint32_t *)(uintptr_t)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)(uintptr_t)0x40000008u)

void an386_qemu_uart_pacer(void)
{
    TIMER0_RELOAD = 249u; /* 250 cycles of the 25 MHz system clock: 10 us */
    TIMER0_VALUE = 249u;
    TIMER0_CTRL = 1u; /* enable, no interrupt */
}
