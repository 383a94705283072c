/* The ifu bootloader for mps2-an386 (QEMU): swap mode, ECDSA P-256.
 *
 * At every reset: load the trust anchors from the keystore in its reserved
 * flash sector and read the anti-rollback counter (both provisioned by the
 * factory: scripts/qemu-demo.sh runs `ifu provision`), run the boot engine
 * (finish an interrupted swap, install a requested image after it verifies
 * against a VALID keystore slot and the counter, revert an unconfirmed trial,
 * raise the counter for a confirmed image, verify the image to boot), lock
 * the keystore and counter (the keystore's lock hook, called by the engine
 * after its last write), log each step on UART0, lock the bootloader's code
 * and RAM with the MPU, check the result twice (ifu_boot_check, docs/SECURITY.md
 * §5.2) and jump to the image in the primary slot (executed in place from the
 * file-backed "NOR flash"). docs/QEMU.md shows a run; docs/PORTING.md
 * "Cortex-M" explains the MPU lock and what it does not stop.
 *
 * Exit codes through semihosting (only when there is nothing to jump to):
 * 2 no bootable image, 3 boot engine error, 4 image entry not usable,
 * 5 a redundant check before the jump disagreed (fault suspected). */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "cm.h"
#include "ifu/boot.h"
#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "mpu.h"
#include "semihost.h"
#include "uart.h"

#define LOG AN386_UART_LOG

static struct ifu_boot engine; /* ~2.3 KiB: in .bss, locked with the rest of the RAM */
static struct ifu_keystore keystore;
static struct ifu_counter counter;

/* Set by lock_data() once the MPU guards the keystore and the counter; the
 * jump is taken only if both hold their values. Two objects, so that the
 * second test cannot be compiled into a comparison with the first read. */
#define DATA_LOCKED 0x5a3cc3a5u
static volatile uint32_t data_locked;
static volatile uint32_t data_locked_inv; /* ~DATA_LOCKED */

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
        ifu_uart_printf(LOG,
                        "boot: %s image verified (hash, ECDSA P-256 signature, keystore key, "
                        "security counter)\n",
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

/* The keystore's lock hook (docs/KEYS.md §2.3): ifu_boot_go calls it after
 * its last keystore and counter write, before it names the image. Region 2
 * makes the bootloader data (keystore + counter, AN386_BOOTDATA_*) read-only
 * and execute-never for everyone, and the MPU goes on at once (PRIVDEFENA:
 * the default map elsewhere), so from here even the bootloader cannot write
 * them. mpu_setup() adds regions 0 and 1 before the jump. */
static int lock_data(void *ctx)
{
    (void)ctx;
    if (ifu_mpu_regions() < 3u ||
        ifu_mpu_region(2, AN386_FLASH_ADDR + AN386_BOOTDATA_OFF, AN386_BOOTDATA_SIZE, IFU_MPU_AP_RO,
                       IFU_MPU_XN) != 0) {
        return IFU_EIO;
    }
    ifu_mpu_enable(IFU_MPU_CTRL_ENABLE | IFU_MPU_CTRL_PRIVDEFENA);
    data_locked = DATA_LOCKED;
    data_locked_inv = ~DATA_LOCKED;
    return 0;
}

/* Lock before the jump (docs/PORTING.md "MPU lock"):
 *   region 0: the bootloader's code, read-only for everyone (a write
 *             faults, privileged or not);
 *   region 1: the bootloader's RAM (stack, boot engine, hash and signature
 *             working memory, the mbedTLS heap): no access, never execute;
 *   region 2: the keystore and the counter, read-only, never execute: set
 *             by lock_data() and left as it is.
 * Regions 0 and 1 are programmed with the MPU off (region 1 covers the stack
 * in use); they and region 2 take effect in ifu_cm_jump_mpu's last
 * instructions, after which the bootloader never touches its stack again. */
static int mpu_setup(void)
{
    ifu_mpu_disable();
    if (ifu_mpu_region(0, AN386_BOOT_ADDR, AN386_BOOT_SIZE, IFU_MPU_AP_RO, 0) != 0 ||
        ifu_mpu_region(1, AN386_BOOT_RAM, AN386_BOOT_RAM_SIZE, IFU_MPU_AP_NONE, IFU_MPU_XN) != 0) {
        return -1;
    }
    return 0;
}

/* Every path that does not jump ends here. */
static void halt(const char *why, int code) __attribute__((noreturn));
static void halt(const char *why, int code)
{
    ifu_uart_printf(LOG, "boot: halted: %s\n", why);
    ifu_semihost_exit(code); /* a product without a debugger resets here instead */
}

int main(void)
{
    struct ifu_boot_config cfg;
    struct ifu_boot_result res;
    struct ifu_counter_state cs;

    ifu_uart_init(LOG);
    ifu_uart_printf(LOG, "\nboot: ifu bootloader, mps2-an386, %s mode, ECDSA P-256\n",
                    ifu_boot_mode() == IFU_BOOT_MODE_SWAP ? "swap" : "other");
    if (an386_keystore(&keystore, 1) != 0 || an386_counter(&counter) != 0) {
        halt("keystore or counter area invalid (board.h)", 3);
    }
    keystore.lock = lock_data;
    int nkeys = ifu_keys_load(&keystore, NULL, NULL);
    int err = ifu_counter_get(&counter, &cs);
    if (nkeys <= 0 || err != 0) {
        ifu_uart_printf(LOG, "boot: keystore: %d valid key(s) (%s), counter: %s\n", nkeys,
                        nkeys < 0 ? ifu_strerror(nkeys) : "none valid", ifu_strerror(err));
        halt("no trusted key in the keystore (`ifu provision`), or counter unreadable", 3);
    }
    ifu_uart_printf(LOG, "boot: keystore %08x: %d valid key(s) in %u slots; security counter %u\n",
                    (unsigned)(AN386_FLASH_ADDR + AN386_KEYSTORE_OFF), nkeys,
                    (unsigned)keystore.slots, (unsigned)cs.value);
    an386_boot_config(&cfg, NULL);
    cfg.hashset = IFU_HASHSET(IFU_HASH_SHA256);
    cfg.keystore = &keystore;
    cfg.counter = &counter;
    cfg.event = on_event;
    struct ifu_nor *nor = an386_flash();

    err = ifu_boot_go(&engine, &cfg, &res);
    if (err == IFU_ENOIMAGE) {
        halt("nothing to boot", 2);
    }
    if (err != 0) {
        ifu_uart_printf(LOG, "boot: boot engine error %d (%s)\n", err, ifu_strerror(err));
        halt("boot engine error", 3);
    }
    if (nor->stats.erases != 0u) {
        ifu_uart_printf(LOG, "boot: flash work: %u sector erases, %u programs (%u bytes)\n",
                        (unsigned)nor->stats.erases, (unsigned)nor->stats.progs,
                        (unsigned)nor->stats.prog_bytes);
    }
    if ((res.actions & IFU_BOOT_DID_COUNTER) != 0u && ifu_counter_get(&counter, &cs) == 0) {
        ifu_uart_printf(LOG, "boot: security counter raised to %u (a confirmed image's)\n",
                        (unsigned)cs.value);
    }
    const struct ifu_image_version *v = &res.info.hdr.version;
    ifu_uart_printf(LOG,
                    "boot: %s version %u.%u.%u (security counter %u, keystore slot %d), "
                    "entry %08x\n",
                    state_name(res.state), (unsigned)v->major, (unsigned)v->minor,
                    (unsigned)v->revision, (unsigned)res.info.sec_cnt, res.info.key_index,
                    (unsigned)(AN386_FLASH_ADDR + res.entry_off));
    /* VTOR takes bits [31:7]; this port's tables need 512-byte alignment. */
    if (((AN386_FLASH_ADDR + res.entry_off) & 0x1FFu) != 0u) {
        halt("entry not 512-byte aligned (header size?)", 4);
    }
    if (mpu_setup() != 0) {
        halt("MPU missing or refused the regions", 4);
    }
    ifu_uart_printf(LOG,
                    "boot: MPU: bootloader %08x+%x read-only, RAM %08x+%x no access, "
                    "keystore+counter %08x+%x read-only; jumping\n",
                    (unsigned)AN386_BOOT_ADDR, (unsigned)AN386_BOOT_SIZE, (unsigned)AN386_BOOT_RAM,
                    (unsigned)AN386_BOOT_RAM_SIZE,
                    (unsigned)(AN386_FLASH_ADDR + AN386_BOOTDATA_OFF),
                    (unsigned)AN386_BOOTDATA_SIZE);
    ifu_wipe(&engine, sizeof engine);
    /* Fault-hardened jump (docs/SECURITY.md §5.2): ifu_boot_check() and the
     * lock flag, each tested twice; the entry is taken from res only after
     * both passed. One skipped branch is not enough to reach the jump. */
    if (ifu_boot_check(&res) == 0 && data_locked == DATA_LOCKED) {
        if (ifu_boot_check(&res) == 0 && data_locked_inv == ~DATA_LOCKED) {
            ifu_cm_jump_mpu(AN386_FLASH_ADDR + res.entry_off,
                            IFU_MPU_CTRL_ENABLE | IFU_MPU_CTRL_PRIVDEFENA);
        }
    }
    halt("the result did not pass ifu_boot_check twice, or the data is not locked (fault?)", 5);
}
