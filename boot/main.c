/* The ifu bootloader for mps2-an386 (QEMU): swap mode, one ECDSA P-256 key.
 *
 * At every reset: run the boot engine (finish an interrupted swap, install a
 * requested image after it verifies, revert an unconfirmed trial, verify the
 * image to boot), log each step on UART0, lock the bootloader's code and RAM
 * with the MPU, and jump to the image in the primary slot (executed in place
 * from the file-backed "NOR flash"). docs/QEMU.md shows a run; docs/PORTING.md
 * "Cortex-M" explains the MPU lock and what it does not stop.
 *
 * Exit codes through semihosting (only when there is nothing to jump to):
 * 2 no bootable image, 3 boot engine error, 4 image entry not usable. */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "boot_keys.h"
#include "cm.h"
#include "ifu/boot.h"
#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "mpu.h"
#include "semihost.h"
#include "uart.h"

#define LOG AN386_UART_LOG

static struct ifu_boot engine; /* ~2.3 KiB: in .bss, locked with the rest of the RAM */
static struct ifu_key key;
static struct ifu_keyring ring;

static const char *slot_name(unsigned slot)
{
    return slot == 0u ? "primary" : "secondary";
}

static void on_event(void *ctx, enum ifu_boot_event ev, unsigned slot, int err)
{
    (void)ctx;
    switch (ev) {
    case IFU_BOOT_EV_RESUME:
        ifu_uart_printf(LOG, "boot: resuming an interrupted swap (power was lost)\n");
        break;
    case IFU_BOOT_EV_INSTALL:
        ifu_uart_printf(LOG, "boot: %s image verified, swapping it in\n", slot_name(slot));
        break;
    case IFU_BOOT_EV_INSTALLED:
        ifu_uart_printf(LOG, "boot: swap done\n");
        break;
    case IFU_BOOT_EV_REJECTED:
        ifu_uart_printf(LOG, "boot: %s image refused: %s\n", slot_name(slot), ifu_strerror(err));
        break;
    case IFU_BOOT_EV_TRIAL:
        ifu_uart_printf(LOG, "boot: new image starts its trial: it must confirm itself\n");
        break;
    case IFU_BOOT_EV_REVERT:
        ifu_uart_printf(LOG, "boot: trial was not confirmed, reverting\n");
        break;
    case IFU_BOOT_EV_REVERTED:
        ifu_uart_printf(LOG, "boot: revert done\n");
        break;
    case IFU_BOOT_EV_BOOT:
        ifu_uart_printf(LOG, "boot: %s image verified (hash, ECDSA P-256 signature, key)\n",
                        slot_name(slot));
        break;
    case IFU_BOOT_EV_NO_IMAGE:
        ifu_uart_printf(LOG, "boot: no bootable image\n");
        break;
    }
}

static const char *state_name(enum ifu_boot_state st)
{
    switch (st) {
    case IFU_BOOT_STATE_TESTING:
        return "on trial";
    case IFU_BOOT_STATE_CONFIRMED:
        return "confirmed";
    case IFU_BOOT_STATE_REVERTED:
        return "reverted to";
    default:
        return "?";
    }
}

/* Lock before the jump (docs/PORTING.md "MPU lock"):
 *   region 0: the bootloader's code and its trusted key, read-only for
 *             everyone (a write faults, privileged or not);
 *   region 1: the bootloader's RAM (stack, boot engine, hash and signature
 *             working memory, the mbedTLS heap): no access, never execute.
 * PRIVDEFENA keeps the default map everywhere else for privileged code. The
 * regions take effect in ifu_cm_jump_mpu's last instructions, after which
 * the bootloader never touches its stack again. */
static int mpu_setup(void)
{
    ifu_mpu_disable();
    if (ifu_mpu_regions() < 2u) {
        return -1;
    }
    if (ifu_mpu_region(0, AN386_BOOT_ADDR, AN386_BOOT_SIZE, IFU_MPU_AP_RO, 0) != 0 ||
        ifu_mpu_region(1, AN386_BOOT_RAM, AN386_BOOT_RAM_SIZE, IFU_MPU_AP_NONE, IFU_MPU_XN) != 0) {
        return -1;
    }
    return 0;
}

int main(void)
{
    struct ifu_boot_config cfg;
    struct ifu_boot_result res;

    ifu_uart_init(LOG);
    ifu_uart_printf(LOG, "\nboot: ifu bootloader, mps2-an386, %s mode, ECDSA P-256\n",
                    ifu_boot_mode() == IFU_BOOT_MODE_SWAP ? "swap" : "other");
    key.pub = ecdsa_pub_key;
    key.pub_len = ecdsa_pub_key_len;
    ring.keys = &key;
    ring.count = 1;
    an386_boot_config(&cfg, &ring);
    cfg.hashset = IFU_HASHSET(IFU_HASH_SHA256);
    cfg.event = on_event;
    struct ifu_nor *nor = an386_flash();

    int err = ifu_boot_go(&engine, &cfg, &res);
    if (err == IFU_ENOIMAGE) {
        ifu_uart_printf(LOG, "boot: halted: nothing to boot\n");
        ifu_semihost_exit(2);
    }
    if (err != 0) {
        ifu_uart_printf(LOG, "boot: halted: boot engine error %d (%s)\n", err, ifu_strerror(err));
        ifu_semihost_exit(3);
    }
    if (nor->stats.erases != 0u) {
        ifu_uart_printf(LOG, "boot: flash work: %u sector erases, %u programs (%u bytes)\n",
                        (unsigned)nor->stats.erases, (unsigned)nor->stats.progs,
                        (unsigned)nor->stats.prog_bytes);
    }
    const struct ifu_image_version *v = &res.info.hdr.version;
    uint32_t entry = AN386_FLASH_ADDR + res.entry_off;
    ifu_uart_printf(LOG, "boot: %s version %u.%u.%u, entry %08x\n", state_name(res.state),
                    (unsigned)v->major, (unsigned)v->minor, (unsigned)v->revision, (unsigned)entry);
    /* VTOR takes bits [31:7]; this port's tables need 512-byte alignment. */
    if ((entry & 0x1FFu) != 0u) {
        ifu_uart_printf(LOG, "boot: halted: entry not 512-byte aligned (header size?)\n");
        ifu_semihost_exit(4);
    }
    if (mpu_setup() != 0) {
        ifu_uart_printf(LOG, "boot: halted: MPU missing or refused the regions\n");
        ifu_semihost_exit(4);
    }
    ifu_uart_printf(LOG,
                    "boot: MPU: bootloader %08x+%x read-only, RAM %08x+%x no access; "
                    "jumping\n",
                    (unsigned)AN386_BOOT_ADDR, (unsigned)AN386_BOOT_SIZE, (unsigned)AN386_BOOT_RAM,
                    (unsigned)AN386_BOOT_RAM_SIZE);
    ifu_wipe(&engine, sizeof engine);
    ifu_cm_jump_mpu(entry, IFU_MPU_CTRL_ENABLE | IFU_MPU_CTRL_PRIVDEFENA);
}
