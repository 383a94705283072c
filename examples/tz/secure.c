/* The Secure image of the TrustZone demo on mps2-an505 (docs/PORTING.md,
 * "TrustZone on mps2-an505"): the bootloader. It runs libifu's boot engine
 * over a NOR flash in the PSRAM (Secure by the SAU), trusting the anchors of
 * the keystore page and enforcing the anti-rollback counter ring that sit in
 * the same Secure flash after the slots (the swap engine: an update runs on
 * trial until the Non-secure side accepts it through the gateway, and a
 * trial that reaches a reset unconfirmed is reverted) (provisioned by `ifu provision` at
 * build time; the boot engine raises the counter for a confirmed image),
 * copies the verified Non-secure image to 0x00200000, sets up the
 * PSA FWU facade over the same slots, keystore and counter, keeps all that
 * state (and a device key word) in Secure RAM, makes SSRAM1's first 2 MiB (its own code) and
 * SSRAM2's first MiB (its data) Secure in the SAU and the MPCs, exports the
 * facade through Non-secure callable gateways (ifu_tz_fwu_*, tz_api.h),
 * hands UART0 to the Non-secure side and starts the Non-secure application,
 * passing it the probe to run.
 *
 * Every fault the Non-secure side causes is taken here (SecureFault always;
 * BusFault and HardFault because AIRCR.BFHFNMINS stays 0): the handler
 * reports the fault status registers on UART0 and ends the run through
 * semihosting with status 100 + the exception number (SecureFault 107,
 * BusFault 105, HardFault 103).
 *
 * Build: -mcpu=cortex-m33 -mcmse, linked with port/cortex-m/an505/secure.ld and
 * -Wl,--section-start=.gnu.sgstubs=0x1000F000 -Wl,--cmse-implib,--out-implib=veneers.o
 * (scripts/tz-demo.sh), with libifu, libifu_boot_swap and the crypto
 * cross-built for the Cortex-M33. It holds no key of its own.
 *
 * Device code: C99, no malloc. */
#include <arm_cmse.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "ifu/boot.h"
#include "ifu/counter.h"
#include "ifu/errors.h"
#include "ifu/keys.h"
#include "nor.h"
#include "psa/update.h"
#include "semihost.h"
#include "tz.h"
#include "tz_api.h"
#include "uart.h"

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
int main(void);
void Reset_Handler(void);
void ifu_tz_fault(void);
static void idle_handler(void);

/* A device key word: lives in Secure RAM (SSRAM2 block 0, Secure in the
 * MPC), never leaves Secure state. Probes 1 and 2 try to read it. */
volatile uint32_t ifu_tz_secret[4]
    __attribute__((used)) = {0x5ec7e7a1u, 0x0badc0deu, 0x13579bdfu, 0x2468ace0u};

/* The update state: the boot engine, the NOR flash driver over the Secure
 * PSRAM (both slots, the keystore page and the counter ring; Secure by the
 * SAU), the keystore's cache of anchors and the PSA FWU facade's own state
 * (src/psa_fwu.c) all live in Secure RAM; the Non-secure side reaches them
 * only through the gateways below. The keystore holds SHA-256 anchors
 * only: images carry their public key (`ifu sign --public-key-format full`). */
static struct ifu_nor nor;
static struct ifu_area keystore_area;
static struct ifu_area counter_area;
static struct ifu_keystore keystore;
static struct ifu_counter counter;
static struct ifu_boot_config boot_cfg;
static struct ifu_boot boot;
static struct ifu_boot_result boot_res;
/* Every Non-secure buffer is copied here before the library sees it. */
static uint8_t gw_block[PSA_FWU_MAX_WRITE_SIZE];
#define GW_MANIFEST_MAX 256u
static uint8_t gw_manifest[GW_MANIFEST_MAX];
static uint32_t log_uart = IFU_AN505_UART0_S;

#define IRQS 96u /* IoTKit: 96 external interrupts (QEMU hw/arm/armsse.c) */

__attribute__((section(".vectors"), used)) void (*const ifu_cm_vectors[16 + IRQS])(void) = {
    [0] = (void (*)(void))(uintptr_t)&_estack,
    [1] = Reset_Handler,
    [2] = idle_handler,  /* NMI */
    [3] = ifu_tz_fault,  /* HardFault */
    [4] = ifu_tz_fault,  /* MemManage */
    [5] = ifu_tz_fault,  /* BusFault */
    [6] = ifu_tz_fault,  /* UsageFault */
    [7] = ifu_tz_fault,  /* SecureFault */
    [11] = idle_handler, /* SVCall */
    [14] = idle_handler, /* PendSV */
    [15] = idle_handler, /* SysTick */
    [16 ... 16 + IRQS - 1] = idle_handler,
};

void Reset_Handler(void)
{
    /* Counted from the linker's symbols as integers: they are the bounds
     * of one region, not of C objects. */
    uint32_t *dst = &_sdata;
    const uint32_t *src = &_sidata;
    for (uintptr_t n = ((uintptr_t)&_edata - (uintptr_t)&_sdata) / 4u; n > 0u; n--) {
        *dst++ = *src++;
    }
    dst = &_sbss;
    for (uintptr_t n = ((uintptr_t)&_ebss - (uintptr_t)&_sbss) / 4u; n > 0u; n--) {
        *dst++ = 0u;
    }
    ifu_semihost_exit((uint32_t)main() & 0xFFu);
}

static void idle_handler(void)
{
    ifu_uart_printf(log_uart, "tz-s: unexpected exception %u\n",
                    (unsigned)(REG(0xE000ED04u) & 0x1FFu));
    ifu_semihost_exit(127u);
}

void ifu_tz_fault(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    unsigned exc = (unsigned)(ipsr & 0x1FFu);
    static const char *const names[] = {"HardFault", "MemManage", "BusFault", "UsageFault",
                                        "SecureFault"};
    const char *name = exc >= 3u && exc <= 7u ? names[exc - 3u] : "fault";
    ifu_uart_printf(
        log_uart,
        "tz-s: %s: SFSR=0x%08x SFAR=0x%08x CFSR=0x%08x BFAR=0x%08x HFSR=0x%08x MMFAR=0x%08x\n",
        name, (unsigned)REG(IFU_V8M_SFSR), (unsigned)REG(IFU_V8M_SFAR), (unsigned)REG(IFU_V8M_CFSR),
        (unsigned)REG(IFU_V8M_BFAR), (unsigned)REG(IFU_V8M_HFSR), (unsigned)REG(IFU_V8M_MMFAR));
    ifu_semihost_exit(100u + exc);
}

/* 1 if [addr, addr + len) meets the Non-secure alias of memory the MPCs
 * keep Secure (this image's code, its RAM). The TT instruction behind
 * cmse_check_address_range sees the SAU, the IDAU and the MPU, not the
 * MPCs: such a pointer passes it, and the store through it, a Non-secure
 * transaction, would be a BusFault here in Secure state. */
static int in_mpc_secure(uint32_t addr, uint32_t len)
{
    static const uint32_t lo[] = {IFU_AN505_S_CODE & ~0x10000000u, IFU_AN505_S_RAM & ~0x10000000u};
    static const uint32_t size[] = {IFU_AN505_S_CODE_SIZE, IFU_AN505_S_RAM_SIZE};
    for (unsigned i = 0; i < 2u; i++) {
        if (addr < lo[i] + size[i] && lo[i] < addr + len) {
            return 1;
        }
    }
    return 0;
}

/* The TT-based check of a Non-secure object: the whole of [p, p + len)
 * must be Non-secure (SAU/IDAU) and accessible to the Non-secure caller with
 * the given access (flags: CMSE_MPU_READ or CMSE_MPU_READWRITE), and outside
 * the Non-secure alias of memory the MPCs keep Secure. NULL if not. The
 * object cannot wrap (cmse_check_address_range refuses that), so the MPC
 * check's sum does not overflow. */
static void *ns_object(void *p, uint32_t len, int flags)
{
    void *out = cmse_check_address_range(p, len, CMSE_NONSECURE | flags);
    if (out == NULL || in_mpc_secure((uint32_t)(uintptr_t)out, len)) {
        return NULL;
    }
    return out;
}

psa_status_t __attribute__((cmse_nonsecure_entry))
ifu_tz_fwu_query(psa_fwu_component_t component, psa_fwu_component_info_t *info)
{
    /* A Secure address (the secret, the stack) or an NSC one is refused
     * before anything is written; the answer is built in Secure RAM and
     * copied out. */
    psa_fwu_component_info_t *out = ns_object(info, sizeof *info, CMSE_MPU_READWRITE);
    if (out == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_fwu_component_info_t tmp;
    memset(&tmp, 0, sizeof tmp);
    psa_status_t st = psa_fwu_query(component, &tmp);
    if (st == PSA_SUCCESS) {
        *out = tmp;
    }
    return st;
}

psa_status_t __attribute__((cmse_nonsecure_entry))
ifu_tz_fwu_start(psa_fwu_component_t component, const void *manifest, uint32_t manifest_size)
{
    const void *m = NULL;
    if (manifest != NULL || manifest_size != 0u) {
        if (manifest == NULL || manifest_size == 0u || manifest_size > GW_MANIFEST_MAX) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        const void *in = ns_object((void *)(uintptr_t)manifest, manifest_size, CMSE_MPU_READ);
        if (in == NULL) {
            return PSA_ERROR_INVALID_ARGUMENT;
        }
        memcpy(gw_manifest, in, manifest_size);
        m = gw_manifest;
    }
    return psa_fwu_start(component, m, manifest_size);
}

psa_status_t __attribute__((cmse_nonsecure_entry))
ifu_tz_fwu_write(psa_fwu_component_t component, uint32_t image_offset, const void *block,
                 uint32_t block_size)
{
    /* The block is copied into Secure RAM first: the library then reads a
     * buffer the Non-secure side cannot change while it works on it. */
    if (block_size == 0u || block_size > sizeof gw_block) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    const void *in = ns_object((void *)(uintptr_t)block, block_size, CMSE_MPU_READ);
    if (in == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    memcpy(gw_block, in, block_size);
    return psa_fwu_write(component, image_offset, gw_block, block_size);
}

psa_status_t __attribute__((cmse_nonsecure_entry)) ifu_tz_fwu_finish(psa_fwu_component_t component)
{
    return psa_fwu_finish(component);
}

psa_status_t __attribute__((cmse_nonsecure_entry)) ifu_tz_fwu_cancel(psa_fwu_component_t component)
{
    return psa_fwu_cancel(component);
}

psa_status_t __attribute__((cmse_nonsecure_entry)) ifu_tz_fwu_clean(psa_fwu_component_t component)
{
    return psa_fwu_clean(component);
}

psa_status_t __attribute__((cmse_nonsecure_entry)) ifu_tz_fwu_install(void)
{
    return psa_fwu_install();
}

psa_status_t __attribute__((cmse_nonsecure_entry)) ifu_tz_fwu_request_reboot(void)
{
    return psa_fwu_request_reboot();
}

psa_status_t __attribute__((cmse_nonsecure_entry)) ifu_tz_fwu_accept(void)
{
    return psa_fwu_accept();
}

/* Its only argument is a value the facade records in info.error (the
 * specification leaves it to the application), so there is no Non-secure
 * memory to check: the state decides (STAGED -> FAILED, TRIAL -> REJECTED,
 * else PSA_ERROR_BAD_STATE). */
psa_status_t __attribute__((cmse_nonsecure_entry)) ifu_tz_fwu_reject(psa_status_t error)
{
    return psa_fwu_reject(error);
}

/* The stored anti-rollback counter, read from the ring in Secure flash (the
 * Non-secure side cannot read that flash itself). value: a Non-secure,
 * writable object, checked as query's info is; written only on success. */
psa_status_t __attribute__((cmse_nonsecure_entry)) ifu_tz_security_counter(uint32_t *value)
{
    uint32_t *out = ns_object(value, sizeof *value, CMSE_MPU_READWRITE);
    if (out == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    struct ifu_counter_state cs;
    if (ifu_counter_get(&counter, &cs) != 0) {
        return PSA_ERROR_STORAGE_FAILURE;
    }
    *out = cs.value;
    return PSA_SUCCESS;
}

/* psa_fwu_request_reboot's hook: a system reset (SYSRESETREQ). The boot
 * engine then runs again from this image's reset handler. Returns only if
 * the reset has not happened after a while (it takes effect at once on
 * QEMU and on the AN505). */
static psa_status_t reboot_hook(void *ctx)
{
    (void)ctx;
    __asm__ volatile("dsb" ::: "memory");
    REG(0xE000ED0Cu) = 0x05FA0004u; /* AIRCR: VECTKEY, SYSRESETREQ */
    __asm__ volatile("dsb" ::: "memory");
    for (volatile uint32_t n = 0u; n < 1000000u; n++) {
    }
    return PSA_ERROR_GENERIC_ERROR;
}

/* The keystore's lock hook (docs/KEYS.md §2.3): ifu_boot_go calls it after
 * its last keystore and counter write, before it names the image. The
 * Non-secure side never reaches the Secure NOR (no SAU region covers it);
 * this makes the keystore page and the counter ring read-only for the
 * Secure image's own later code as well (the gateways, the PSA FWU
 * facade, which only read them) until the next reset: Secure MPU region 0,
 * one region over both (IFU_AN505_BOOTDATA_*). */
static int lock_bootdata(void *ctx)
{
    (void)ctx;
    return ifu_an505_secure_mpu_ro(0u, IFU_AN505_FLASH_S + IFU_AN505_BOOTDATA_OFF,
                                   IFU_AN505_BOOTDATA_SIZE);
}

/* The keystore page and the counter ring in the Secure NOR, after the
 * slots (board.h), the keystore with its lock hook. 0 or IFU_EINVAL. */
static int bootdata_init(const struct ifu_flash *fl)
{
    keystore_area.flash = fl;
    keystore_area.off = IFU_AN505_KEYSTORE_OFF;
    keystore_area.size = IFU_AN505_KEYSTORE_SIZE;
    counter_area.flash = fl;
    counter_area.off = IFU_AN505_COUNTER_OFF;
    counter_area.size = IFU_AN505_COUNTER_SIZE;
    int err = ifu_keys_init_area(&keystore, &keystore_area, IFU_AN505_KEY_SLOTS);
    keystore.lock = lock_bootdata;
    if (err == 0) {
        err = ifu_counter_flash_init(&counter, &counter_area);
    }
    return err;
}

/* The boot engine over the Secure NOR: verify the primary slot's image
 * (the Non-secure application, signed by the host `ifu sign`) against the
 * keystore's anchors and the counter, install a staged update, raise the
 * counter for the confirmed image, copy the payload to where it executes,
 * and set the PSA FWU facade up over the same slots, keystore and counter.
 * 0 or an IFU_E* code. */
static int secure_boot(void)
{
    const struct ifu_flash *fl =
        ifu_nor_init(&nor, IFU_AN505_FLASH_S, IFU_AN505_FLASH_SIZE, IFU_AN505_FLASH_WRITE);
    struct ifu_counter_state cs;
    int err = fl == NULL ? IFU_EINVAL : bootdata_init(fl);
    if (err != 0) {
        return err;
    }
    /* A counter that cannot be read stops the boot (main reports why);
     * so does a keystore without a VALID slot: nothing provisioned, trust
     * nothing. */
    err = ifu_counter_get(&counter, &cs);
    if (err != 0) {
        return err;
    }
    int nkeys = ifu_keys_load(&keystore, NULL, NULL);
    ifu_uart_printf(log_uart,
                    "tz-s: keystore in Secure flash at 0x%08x: %d valid key(s) in %u slots; "
                    "security counter %u (ring at 0x%08x)\n",
                    (unsigned)(IFU_AN505_FLASH_S + IFU_AN505_KEYSTORE_OFF), nkeys,
                    (unsigned)keystore.slots, (unsigned)cs.value,
                    (unsigned)(IFU_AN505_FLASH_S + IFU_AN505_COUNTER_OFF));
    if (nkeys <= 0) {
        return nkeys < 0 ? nkeys : IFU_ENOKEY;
    }
    memset(&boot_cfg, 0, sizeof boot_cfg);
    boot_cfg.primary.flash = fl;
    boot_cfg.primary.off = IFU_AN505_PRIMARY_OFF;
    boot_cfg.primary.size = IFU_AN505_PRIMARY_SIZE;
    boot_cfg.secondary.flash = fl;
    boot_cfg.secondary.off = IFU_AN505_SECONDARY_OFF;
    boot_cfg.secondary.size = IFU_AN505_SECONDARY_SIZE;
    boot_cfg.keystore = &keystore;
    boot_cfg.counter = &counter;
    boot_cfg.hashset = IFU_HASHSET(IFU_HASH_SHA256);
    err = ifu_boot_go(&boot, &boot_cfg, &boot_res);
    if (err == 0) {
        err = ifu_boot_check(&boot_res);
    }
    if (err != 0) {
        return err;
    }
    if ((boot_res.actions & IFU_BOOT_DID_COUNTER) != 0u && ifu_counter_get(&counter, &cs) == 0) {
        ifu_uart_printf(log_uart, "tz-s: security counter raised to %u (the confirmed image's)\n",
                        (unsigned)cs.value);
    }
    ifu_uart_printf(log_uart,
                    "tz-s: keystore and counter locked read-only (Secure MPU region 0, "
                    "0x%08x+0x%x)\n",
                    (unsigned)(IFU_AN505_FLASH_S + IFU_AN505_BOOTDATA_OFF),
                    (unsigned)IFU_AN505_BOOTDATA_SIZE);
    uint32_t len = boot_res.info.hdr.img_size;
    if (boot_res.slot != 0u || len > IFU_AN505_NS_CODE_SIZE) {
        return IFU_ELAYOUT;
    }
    /* The Non-secure code region is still Secure in the MPC here. */
    memcpy((void *)(uintptr_t)(IFU_AN505_NS_CODE | 0x10000000u),
           (const void *)(uintptr_t)(IFU_AN505_FLASH_S + boot_res.entry_off), len);
    ifu_uart_printf(
        log_uart,
        "tz-s: verified the Non-secure image %u.%u.%u (%u bytes, security counter %u, "
        "keystore slot %d) in the Secure NOR at 0x%08x%s%s\n",
        (unsigned)boot_res.info.hdr.version.major, (unsigned)boot_res.info.hdr.version.minor,
        (unsigned)boot_res.info.hdr.version.revision, (unsigned)len,
        (unsigned)boot_res.info.sec_cnt, boot_res.info.key_index,
        (unsigned)(IFU_AN505_FLASH_S + boot_res.image_off),
        (boot_res.actions & IFU_BOOT_DID_INSTALL) != 0u ? ", installed from the secondary slot"
        : (boot_res.actions & IFU_BOOT_DID_REVERT) != 0u
            ? ", reverted to it (the trial ended unconfirmed)"
            : "",
        (boot_res.actions & IFU_BOOT_DID_TRIAL) != 0u ? ", on trial" : "");
    struct ifu_psa_fwu_config pc;
    memset(&pc, 0, sizeof pc);
    pc.boot = &boot_cfg;
    pc.reboot = reboot_hook;
    return ifu_psa_fwu_init(&pc);
}

/* The probe number from QEMU's -append ("probe=N"), via semihosting
 * SYS_GET_CMDLINE (0x15); 0 if there is none. */
static uint32_t probe_from_cmdline(void)
{
    static char buf[128];
    static volatile uint32_t block[2];
    block[0] = (uint32_t)(uintptr_t)buf;
    block[1] = sizeof buf - 1u;
    register uint32_t r0 __asm__("r0") = 0x15u;
    register const volatile void *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    if (r0 != 0u) {
        return 0u;
    }
    uint32_t probe = 0u;
    for (const char *p = buf; *p != '\0'; p++) {
        if (p[0] == 'p' && p[1] == 'r' && p[2] == 'o' && p[3] == 'b' && p[4] == 'e' &&
            p[5] == '=') {
            for (p += 6; *p >= '0' && *p <= '9'; p++) {
                probe = probe * 10u + (uint32_t)(*p - '0');
            }
            break;
        }
    }
    return probe;
}

int main(void)
{
    ifu_uart_init(IFU_AN505_UART0_S);
    /* UART1 stays Secure; probe 7 reads its BAUDDIV (16) from Non-secure.
     * SECRESPCFG: blocked accesses should get a bus error, not RAZ/WI. */
    ifu_uart_init(IFU_AN505_UART1_S);
    REG(IFU_AN505_SECRESPCFG) |= 1u;
    uint32_t probe = probe_from_cmdline();
    ifu_uart_printf(log_uart,
                    "tz-s: Secure image at 0x%08x, key word in Secure RAM at 0x%08x, UART1 "
                    "BAUDDIV %u\n",
                    (unsigned)IFU_AN505_S_CODE, (unsigned)(uintptr_t)ifu_tz_secret,
                    (unsigned)REG(IFU_AN505_UART1_S + 0x10u));

    int err = secure_boot();
    if (err != 0) {
        ifu_uart_printf(log_uart, "tz-s: secure boot failed: %s\n", ifu_strerror(err));
        return 4;
    }

    /* Faults as their own exceptions, reported with their status. */
    REG(IFU_V8M_SHCSR) |= IFU_V8M_SHCSR_SECUREFAULTENA | IFU_V8M_SHCSR_BUSFAULTENA |
                          IFU_V8M_SHCSR_MEMFAULTENA | IFU_V8M_SHCSR_USGFAULTENA;
    if (probe == IFU_TZ_PROBE_SECURE_WRITE_BOOTDATA) {
        /* The lock holds against this image too: a Secure store into the
         * keystore page (slot 1, still erased) is a MemManage fault. */
        ifu_uart_printf(log_uart, "tz-s: probe %u: Secure store into the locked keystore page\n",
                        (unsigned)probe);
        *(volatile uint32_t *)(uintptr_t)(IFU_AN505_FLASH_S + IFU_AN505_KEYSTORE_OFF + 48u) =
            0x0000014bu;
        ifu_uart_printf(log_uart, "tz-s: probe %u NOT faulted\n", (unsigned)probe);
        return 1;
    }
    ifu_an505_sau_setup();
    /* Only the Non-secure halves become Non-secure in the MPCs: SSRAM1's
     * first 2 MiB (this image) and SSRAM2's first MiB (its RAM, the key
     * word) stay Secure, so their Non-secure aliases are blocked too. */
    if (ifu_an505_mpc_set_ns(IFU_AN505_MPC_SSRAM1, IFU_AN505_NS_CODE - IFU_AN505_SSRAM1_NS,
                             IFU_AN505_NS_CODE_SIZE) != 0 ||
        ifu_an505_mpc_set_ns(IFU_AN505_MPC_SSRAM2, IFU_AN505_NS_RAM - IFU_AN505_SSRAM2_NS,
                             IFU_AN505_NS_RAM_SIZE) != 0) {
        ifu_uart_printf(log_uart, "tz-s: MPC setup failed\n");
        return 2;
    }
    ifu_uart_printf(log_uart,
                    "tz-s: SAU and MPCs set, gateways at 0x%08x; starting the Non-secure "
                    "image at 0x%08x (probe %u)\n",
                    (unsigned)IFU_AN505_NSC, (unsigned)IFU_AN505_NS_CODE, (unsigned)probe);
    ifu_an505_uart0_to_ns();
    log_uart = IFU_AN505_UART0_NS;
    /* The second look right before the jump (docs/SECURITY.md §5.2): one
     * skipped branch after ifu_boot_go is not enough to start the image. */
    if (ifu_boot_check(&boot_res) != 0) {
        ifu_uart_printf(log_uart, "tz-s: the boot result did not pass its second check (fault?)\n");
        return 5;
    }
    ifu_an505_start_ns(IFU_AN505_NS_CODE, probe);
    ifu_uart_printf(log_uart, "tz-s: the Non-secure image returned\n");
    return 3;
}
