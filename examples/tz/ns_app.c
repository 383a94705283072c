/* The Non-secure application of the TrustZone demo on mps2-an505
 * (docs/PORTING.md, "TrustZone on mps2-an505"). The Secure image starts it
 * with a probe number in r0 (enum ifu_tz_probe, tz_api.h):
 *   0: call the Secure gateway ifu_tz_fwu_query and check its answer (the
 *      state the PSA FWU facade rebuilt from the Secure NOR), and check that
 *      it refuses a Secure pointer; exit 0 through semihosting if all held,
 *      1 if not;
 *   8: stream a tampered signed image, one of an old security epoch, then a
 *      good one, through the gateways ifu_tz_fwu_start/_write/_finish (the
 *      host put them at IFU_TZ_UPDATE_TAMPERED, _OLD_EPOCH and _GOOD): the
 *      tampered one must be refused with PSA_ERROR_INVALID_SIGNATURE, the old
 *      epoch one (security counter below the stored one) with
 *      PSA_ERROR_NOT_PERMITTED, each leaving FAILED, which ifu_tz_fwu_clean
 *      clears, while this image keeps running; a block in Secure memory must
 *      be refused; the good one must finish with PSA_SUCCESS (CANDIDATE).
 *      Then install it and reject it (ifu_tz_fwu_reject: STAGED -> FAILED with
 *      the given error), clean, stream it again, install and request a
 *      reboot: the Secure image swaps the update in and starts it on trial;
 *      the same probe runs again, finds it TRIAL with the stored counter
 *      unmoved, accepts it (UPDATED), the counter still unmoved. Exit 0 or 1;
 *   15..17: on the flash probe 8 left (tz_api.h): a later update rejected
 *      in its trial, one never accepted, both reverted;
 *   9..13: read the Secure NOR, read and write the keystore page, read and
 *      write the counter ring (must fault, like 1..6);
 *   1..7: one forbidden access each. It must fault (the Secure fault
 *      handler reports it and ends the run with 100 + the exception number);
 *      if the access completes, this prints "NOT faulted" and the value read
 *      and exits with 1. Probe 7 reads a peripheral left Secure, which QEMU
 *      answers with 0 and no fault (the script then checks the value).
 * Addresses of the Secure image come from its link (scripts/tz-demo.sh):
 * IFU_TZ_SECRET (the key word), IFU_TZ_GATEWAY_BODY (ifu_tz_fwu_query's body
 * behind its veneer).
 *
 * Device code: C99, no malloc. */
#include <stdint.h>

#include "board.h"
#include "psa/update.h"
#include "semihost.h"
#include "tz_api.h"
#include "uart.h"

#ifndef IFU_TZ_SECRET
#error "IFU_TZ_SECRET: the Secure key word's address (from the Secure image's link)"
#endif
#ifndef IFU_TZ_GATEWAY_BODY
#error "IFU_TZ_GATEWAY_BODY: the address of the gateway's body (from the Secure image's link)"
#endif
#ifndef IFU_TZ_NS_VERSION_MAJOR
#define IFU_TZ_NS_VERSION_MAJOR 1
#define IFU_TZ_NS_VERSION_MINOR 0
#define IFU_TZ_NS_VERSION_PATCH 0
#endif

#ifndef IFU_TZ_UPDATE_VERSION_MAJOR /* the update's version (scripts/tz-demo.sh) */
#define IFU_TZ_UPDATE_VERSION_MAJOR 1
#define IFU_TZ_UPDATE_VERSION_MINOR 3
#endif
/* Security counters (scripts/tz-demo.sh signs with them): the running
 * image's, which the Secure boot engine stores when it boots it confirmed,
 * and the update's. The old-epoch image carries one below the first. */
#ifndef IFU_TZ_NS_SEC_CNT
#define IFU_TZ_NS_SEC_CNT     2u
#define IFU_TZ_UPDATE_SEC_CNT 3u
#endif
/* The later update at IFU_TZ_UPDATE_NEXT (probes 15 and 16). */
#ifndef IFU_TZ_NEXT_VERSION_MINOR
#define IFU_TZ_NEXT_VERSION_MINOR 4
#define IFU_TZ_NEXT_SEC_CNT       4u
#endif

#define UART IFU_AN505_UART0_NS
/* The same memory through the other alias: address bit 28. */
#define NS_ALIAS(addr) ((uint32_t)(addr) & ~0x10000000u)

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
void Reset_Handler(uint32_t probe);
static void halt(void);

__attribute__((section(".vectors"), used)) void (*const ifu_cm_vectors[16])(void) = {
    [0] = (void (*)(void))(uintptr_t)&_estack,
    [1] = (void (*)(void))Reset_Handler,
    [2 ... 15] = halt,
};

/* Non-secure exceptions: none is expected (the probes' faults go to the
 * Secure side); report and stop. */
static void halt(void)
{
    ifu_uart_printf(UART, "tz-ns: unexpected Non-secure exception\n");
    ifu_semihost_exit(126u);
}

/* A pointer to addr that the compiler cannot see through (GCC treats
 * constant addresses near 0 as null-pointer arithmetic and warns). */
static volatile uint32_t *at(uint32_t addr)
{
    __asm__("" : "+r"(addr));
    return (volatile uint32_t *)(uintptr_t)addr;
}

static int gateway(void)
{
    psa_fwu_component_info_t info = {0};
    psa_status_t st = ifu_tz_fwu_query(0u, &info);
    ifu_uart_printf(UART,
                    "tz-ns: ifu_tz_fwu_query(0): status %d, state %u, version %u.%u.%u, "
                    "location 0x%08x, max_size %u\n",
                    (int)st, (unsigned)info.state, (unsigned)info.version.major,
                    (unsigned)info.version.minor, (unsigned)info.version.patch,
                    (unsigned)info.location, (unsigned)info.max_size);
    /* The primary slot is at offset 0 of the Secure NOR; max_size is what
     * the boot layout leaves for an image there (less than the slot). */
    int ok = st == PSA_SUCCESS && info.state == PSA_FWU_READY &&
             info.version.major == IFU_TZ_NS_VERSION_MAJOR &&
             info.version.minor == IFU_TZ_NS_VERSION_MINOR &&
             info.version.patch == IFU_TZ_NS_VERSION_PATCH && info.location == 0u &&
             info.max_size > 0u && info.max_size < IFU_AN505_PRIMARY_SIZE;
    st = ifu_tz_fwu_query(1u, &info);
    ifu_uart_printf(UART, "tz-ns: ifu_tz_fwu_query(1): status %d\n", (int)st);
    ok = ok && st == PSA_ERROR_DOES_NOT_EXIST;
    /* A Secure destination: the gateway must refuse it, not write the secret. */
    st = ifu_tz_fwu_query(0u, (psa_fwu_component_info_t *)(uintptr_t)IFU_TZ_SECRET);
    ifu_uart_printf(UART, "tz-ns: ifu_tz_fwu_query(0, Secure pointer 0x%08x): status %d\n",
                    (unsigned)IFU_TZ_SECRET, (int)st);
    ok = ok && st == PSA_ERROR_INVALID_ARGUMENT;
    /* The secret's Non-secure alias: Non-secure for the SAU (so the TT check
     * passes) but Secure in the MPC; the gateway's MPC check refuses it
     * (without it, its own store would be a BusFault in Secure state). */
    st = ifu_tz_fwu_query(0u, (psa_fwu_component_info_t *)(uintptr_t)NS_ALIAS(IFU_TZ_SECRET));
    ifu_uart_printf(UART, "tz-ns: ifu_tz_fwu_query(0, its Non-secure alias 0x%08x): status %d\n",
                    (unsigned)NS_ALIAS(IFU_TZ_SECRET), (int)st);
    ok = ok && st == PSA_ERROR_INVALID_ARGUMENT;
    /* A Non-secure object that runs into the Secure world: refused too. */
    st = ifu_tz_fwu_query(
        0u, (psa_fwu_component_info_t *)(uintptr_t)(IFU_AN505_NS_RAM + IFU_AN505_NS_RAM_SIZE - 8u));
    ifu_uart_printf(
        UART, "tz-ns: ifu_tz_fwu_query(0, object straddling the NS RAM end): status %d\n", (int)st);
    ok = ok && st == PSA_ERROR_INVALID_ARGUMENT;
    /* The counter gateway: the stored value, and the same pointer checks. */
    uint32_t ctr = 0u;
    st = ifu_tz_security_counter(&ctr);
    psa_status_t s1 = ifu_tz_security_counter((uint32_t *)(uintptr_t)IFU_TZ_SECRET);
    psa_status_t s2 = ifu_tz_security_counter((uint32_t *)(uintptr_t)NS_ALIAS(IFU_TZ_SECRET));
    ifu_uart_printf(UART,
                    "tz-ns: ifu_tz_security_counter: status %d, counter %u; Secure pointer: "
                    "status %d; its Non-secure alias: status %d\n",
                    (int)st, (unsigned)ctr, (int)s1, (int)s2);
    ok = ok && st == PSA_SUCCESS && ctr == IFU_TZ_NS_SEC_CNT && s1 == PSA_ERROR_INVALID_ARGUMENT &&
         s2 == PSA_ERROR_INVALID_ARGUMENT;
    ifu_uart_printf(UART, "tz-ns: gateway %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

/* Stream the length-prefixed image at addr through the gateways in 1 KiB
 * blocks: start, write..., finish. *n: bytes written. The first failing
 * call's status, or finish's. */
static psa_status_t stream(uint32_t addr, uint32_t *n)
{
    const uint8_t *img = (const uint8_t *)(uintptr_t)(addr + 4u);
    uint32_t len = *at(addr);
    *n = 0u;
    if (len == 0u || len > 0x7FFFCu) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    psa_status_t st = ifu_tz_fwu_start(0u, NULL, 0u);
    for (uint32_t off = 0u; st == PSA_SUCCESS && off < len; off += 1024u) {
        uint32_t k = len - off < 1024u ? len - off : 1024u;
        st = ifu_tz_fwu_write(0u, off, img + off, k);
        if (st == PSA_SUCCESS) {
            *n += k;
        }
    }
    return st == PSA_SUCCESS ? ifu_tz_fwu_finish(0u) : st;
}

static uint8_t query_state(void)
{
    psa_fwu_component_info_t info = {0};
    return ifu_tz_fwu_query(0u, &info) == PSA_SUCCESS ? info.state : 0xFFu;
}

/* The stored counter through its gateway; 0xFFFFFFFF if it failed. */
static uint32_t stored_counter(void)
{
    uint32_t v = 0u;
    return ifu_tz_security_counter(&v) == PSA_SUCCESS ? v : 0xFFFFFFFFu;
}

static int fwu_after_reboot(const psa_fwu_component_info_t *info);

/* Stream the image at addr; it must be refused with want and leave FAILED;
 * clean must make the component READY again with the running image (the
 * one this code is) unchanged. 1 if all held. */
static int refused(const char *what, uint32_t addr, psa_status_t want)
{
    uint32_t n = 0u;
    psa_status_t st = stream(addr, &n);
    uint8_t state = query_state();
    psa_status_t sc = ifu_tz_fwu_clean(0u);
    psa_fwu_component_info_t info = {0};
    psa_status_t sq = ifu_tz_fwu_query(0u, &info);
    ifu_uart_printf(UART,
                    "tz-ns: fwu %s: %u bytes written, status %d, state %u; clean: status %d, "
                    "state %u; running %u.%u.%u\n",
                    what, (unsigned)n, (int)st, (unsigned)state, (int)sc, (unsigned)info.state,
                    (unsigned)info.version.major, (unsigned)info.version.minor,
                    (unsigned)info.version.patch);
    return st == want && state == PSA_FWU_FAILED && sc == PSA_SUCCESS && sq == PSA_SUCCESS &&
           info.state == PSA_FWU_READY && info.version.major == IFU_TZ_NS_VERSION_MAJOR &&
           info.version.minor == IFU_TZ_NS_VERSION_MINOR &&
           info.version.patch == IFU_TZ_NS_VERSION_PATCH;
}

/* Stream the image at addr to CANDIDATE and install it (STAGED). 1 if
 * held. */
static int stage(const char *what, uint32_t addr)
{
    uint32_t n = 0u;
    psa_status_t st = stream(addr, &n);
    uint8_t state = query_state();
    psa_status_t si = ifu_tz_fwu_install();
    uint8_t state2 = query_state();
    ifu_uart_printf(UART,
                    "tz-ns: fwu %s: %u bytes written, status %d, state %u; install: status %d, "
                    "state %u\n",
                    what, (unsigned)n, (int)st, (unsigned)state, (int)si, (unsigned)state2);
    return st == PSA_SUCCESS && state == PSA_FWU_CANDIDATE && n == *at(addr) &&
           si == PSA_SUCCESS_REBOOT && state2 == PSA_FWU_STAGED;
}

static int fwu(void)
{
    psa_fwu_component_info_t info = {0};
    if (ifu_tz_fwu_query(0u, &info) == PSA_SUCCESS &&
        (info.state == PSA_FWU_TRIAL || info.state == PSA_FWU_UPDATED)) {
        return fwu_after_reboot(&info);
    }
    uint32_t ctr = stored_counter();
    ifu_uart_printf(UART, "tz-ns: stored security counter %u\n", (unsigned)ctr);
    int ok = ctr == IFU_TZ_NS_SEC_CNT;
    ok = refused("tampered", IFU_TZ_UPDATE_TAMPERED, PSA_ERROR_INVALID_SIGNATURE) && ok;
    ok = refused("old epoch", IFU_TZ_UPDATE_OLD_EPOCH, PSA_ERROR_NOT_PERMITTED) && ok;
    ok = ok && stored_counter() == IFU_TZ_NS_SEC_CNT;
    /* A block in Secure memory (the key word) or its Non-secure alias: the
     * gateway refuses it before copying anything. */
    psa_status_t st = ifu_tz_fwu_start(0u, NULL, 0u);
    psa_status_t s1 = ifu_tz_fwu_write(0u, 0u, (const void *)(uintptr_t)IFU_TZ_SECRET, 16u);
    psa_status_t s2 =
        ifu_tz_fwu_write(0u, 0u, (const void *)(uintptr_t)NS_ALIAS(IFU_TZ_SECRET), 16u);
    psa_status_t s3 = ifu_tz_fwu_cancel(0u); /* WRITING -> FAILED */
    psa_status_t s4 = ifu_tz_fwu_clean(0u);  /* FAILED -> READY */
    ifu_uart_printf(UART,
                    "tz-ns: fwu write from Secure memory: status %d, %d (cancel %d, clean %d)\n",
                    (int)s1, (int)s2, (int)s3, (int)s4);
    ok = ok && st == PSA_SUCCESS && s1 == PSA_ERROR_INVALID_ARGUMENT &&
         s2 == PSA_ERROR_INVALID_ARGUMENT && s3 == PSA_SUCCESS && s4 == PSA_SUCCESS;
    /* psa_fwu_reject: nothing to reject in READY; STAGED -> FAILED with the
     * caller's error in info.error (the request is voided); clean. */
    psa_status_t r0 = ifu_tz_fwu_reject(IFU_TZ_REJECT_ERROR);
    ok = stage("good", IFU_TZ_UPDATE_GOOD) && ok;
    psa_status_t r1 = ifu_tz_fwu_reject(IFU_TZ_REJECT_ERROR);
    info.state = 0xFFu;
    psa_status_t sq = ifu_tz_fwu_query(0u, &info);
    psa_status_t sc = ifu_tz_fwu_clean(0u);
    uint8_t state = query_state();
    ifu_uart_printf(UART,
                    "tz-ns: fwu reject: in READY status %d; in STAGED status %d, state %u, "
                    "error %d; clean: status %d, state %u\n",
                    (int)r0, (int)r1, (unsigned)info.state, (int)info.error, (int)sc,
                    (unsigned)state);
    ok = ok && r0 == PSA_ERROR_BAD_STATE && r1 == PSA_SUCCESS && sq == PSA_SUCCESS &&
         info.state == PSA_FWU_FAILED && info.error == IFU_TZ_REJECT_ERROR && sc == PSA_SUCCESS &&
         state == PSA_FWU_READY;
    ok = ok && stage("good again", IFU_TZ_UPDATE_GOOD);
    if (!ok) {
        ifu_uart_printf(UART, "tz-ns: fwu FAILED\n");
        return 1;
    }
    ifu_uart_printf(UART, "tz-ns: fwu rebooting\n");
    st = ifu_tz_fwu_request_reboot(); /* returns only if it failed */
    ifu_uart_printf(UART, "tz-ns: fwu request_reboot returned %d\n", (int)st);
    return 1;
}

/* Probe 8 after the reboot: the Secure boot engine installed the update.
 * The swap engine of this demo starts it on trial (TRIAL), and the stored
 * counter must not move for a trial: accept it through the gateway
 * (TRIAL -> UPDATED), and the counter still must not move before the next
 * reset (the boot engine raises it for a confirmed image only; probe 15
 * checks that). An engine without trials (overwrite) installs for good
 * (UPDATED) and raises the counter at once: accept must then be refused. */
static int fwu_after_reboot(const psa_fwu_component_info_t *info)
{
    uint32_t ctr = stored_counter();
    ifu_uart_printf(UART,
                    "tz-ns: fwu after the reboot: version %u.%u.%u, state %u, stored security "
                    "counter %u\n",
                    (unsigned)info->version.major, (unsigned)info->version.minor,
                    (unsigned)info->version.patch, (unsigned)info->state, (unsigned)ctr);
    int trial = info->state == PSA_FWU_TRIAL;
    int ok = info->version.major == IFU_TZ_UPDATE_VERSION_MAJOR &&
             info->version.minor == IFU_TZ_UPDATE_VERSION_MINOR;
    ok = ok && ctr == (trial ? IFU_TZ_NS_SEC_CNT : IFU_TZ_UPDATE_SEC_CNT);
    psa_status_t want = trial ? PSA_SUCCESS : PSA_ERROR_BAD_STATE;
    psa_status_t st = ifu_tz_fwu_accept();
    uint8_t state = query_state();
    uint32_t ctr2 = stored_counter();
    ifu_uart_printf(UART, "tz-ns: fwu accept: status %d, state %u, stored security counter %u\n",
                    (int)st, (unsigned)state, (unsigned)ctr2);
    ok = ok && st == want && state == PSA_FWU_UPDATED && ctr2 == ctr;
    ifu_uart_printf(UART, "tz-ns: fwu %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

/* One line with what the gateways report: the running version, the state,
 * its error and the stored counter. Fills *info; the counter's value. */
static uint32_t report(const char *what, psa_fwu_component_info_t *info)
{
    info->state = 0xFFu;
    (void)ifu_tz_fwu_query(0u, info);
    uint32_t ctr = stored_counter();
    ifu_uart_printf(UART,
                    "tz-ns: fwu %s: running %u.%u.%u, state %u, error %d, stored security "
                    "counter %u\n",
                    what, (unsigned)info->version.major, (unsigned)info->version.minor,
                    (unsigned)info->version.patch, (unsigned)info->state, (int)info->error,
                    (unsigned)ctr);
    return ctr;
}

static int running(const psa_fwu_component_info_t *info, unsigned minor)
{
    return info->version.major == IFU_TZ_UPDATE_VERSION_MAJOR && info->version.minor == minor;
}

/* Clean whatever the last update left (UPDATED, FAILED: READY), then stage
 * NEXT and request the reboot into it. Returns only if that failed. */
static int stage_next(void)
{
    psa_status_t sc = ifu_tz_fwu_clean(0u);
    int ok = (sc == PSA_SUCCESS || sc == PSA_ERROR_BAD_STATE) && query_state() == PSA_FWU_READY;
    ok = ok && stage("next", IFU_TZ_UPDATE_NEXT);
    if (ok) {
        ifu_uart_printf(UART, "tz-ns: fwu rebooting\n");
        (void)ifu_tz_fwu_request_reboot();
    }
    ifu_uart_printf(UART, "tz-ns: fwu FAILED (clean %d)\n", (int)sc);
    return 1;
}

/* Probe 15, on the flash probe 8 left (its QEMU start is the reset after
 * the accept): the confirmed 1.3.0 runs and the counter moved to its value;
 * stage NEXT, reboot; in its trial reject it through the gateway
 * (TRIAL -> REJECTED, PSA_SUCCESS_REBOOT, the counter unmoved) and reboot;
 * the boot engine reverts: 1.3.0 runs again, FAILED with
 * PSA_ERROR_BAD_STATE (a trial rolled back, docs/PSA-FWU.md). */
static int fwu_reject(void)
{
    psa_fwu_component_info_t info;
    if (query_state() == PSA_FWU_TRIAL) {
        uint32_t ctr = report("trial", &info);
        psa_status_t st = ifu_tz_fwu_reject(IFU_TZ_REJECT_ERROR);
        psa_fwu_component_info_t after = {0};
        psa_status_t sq = ifu_tz_fwu_query(0u, &after);
        ifu_uart_printf(UART, "tz-ns: fwu reject in TRIAL: status %d, state %u, error %d\n",
                        (int)st, (unsigned)after.state, (int)after.error);
        if (running(&info, IFU_TZ_NEXT_VERSION_MINOR) && ctr == IFU_TZ_UPDATE_SEC_CNT &&
            st == PSA_SUCCESS_REBOOT && sq == PSA_SUCCESS && after.state == PSA_FWU_REJECTED &&
            after.error == IFU_TZ_REJECT_ERROR) {
            ifu_uart_printf(UART, "tz-ns: fwu rebooting\n");
            (void)ifu_tz_fwu_request_reboot();
        }
        ifu_uart_printf(UART, "tz-ns: fwu FAILED\n");
        return 1;
    }
    uint32_t ctr = report("after the reset", &info);
    if (info.state == PSA_FWU_FAILED) {
        int ok = running(&info, IFU_TZ_UPDATE_VERSION_MINOR) && info.error == PSA_ERROR_BAD_STATE &&
                 ctr == IFU_TZ_UPDATE_SEC_CNT;
        ifu_uart_printf(UART, "tz-ns: fwu %s\n", ok ? "ok" : "FAILED");
        return ok ? 0 : 1;
    }
    if (!running(&info, IFU_TZ_UPDATE_VERSION_MINOR) || info.state != PSA_FWU_UPDATED ||
        ctr != IFU_TZ_UPDATE_SEC_CNT) {
        ifu_uart_printf(UART, "tz-ns: fwu FAILED\n");
        return 1;
    }
    return stage_next();
}

/* Probe 16: stage NEXT, reboot, and in its trial do nothing (the run ends:
 * power off). Probe 17, at the next start, reports the revert. */
static int fwu_no_accept(void)
{
    psa_fwu_component_info_t info;
    if (query_state() == PSA_FWU_TRIAL) {
        uint32_t ctr = report("trial, left unconfirmed", &info);
        int ok = running(&info, IFU_TZ_NEXT_VERSION_MINOR) && ctr == IFU_TZ_UPDATE_SEC_CNT;
        ifu_uart_printf(UART, "tz-ns: fwu %s\n", ok ? "ok" : "FAILED");
        return ok ? 0 : 1;
    }
    (void)report("before", &info);
    if (!running(&info, IFU_TZ_UPDATE_VERSION_MINOR)) {
        /* Not the 1.3.0 probe 15 left (an engine without trials installed
         * 1.4.0 for good): staging again would reboot for ever. */
        ifu_uart_printf(UART, "tz-ns: fwu FAILED\n");
        return 1;
    }
    return stage_next();
}

static void probe_run(uint32_t probe)
{
    volatile uint32_t *p;
    uint32_t v = 0u;
    switch (probe) {
    case IFU_TZ_PROBE_READ_SECRET:
        p = at(IFU_TZ_SECRET);
        v = *p;
        break;
    case IFU_TZ_PROBE_READ_SECRET_NS:
        p = at(NS_ALIAS(IFU_TZ_SECRET));
        v = *p;
        break;
    case IFU_TZ_PROBE_WRITE_CODE:
        p = at(IFU_AN505_S_CODE + 0x100u);
        *p = 0xDEADBEEFu;
        break;
    case IFU_TZ_PROBE_WRITE_CODE_NS:
        p = at(NS_ALIAS(IFU_AN505_S_CODE + 0x100u));
        *p = 0xDEADBEEFu;
        break;
    case IFU_TZ_PROBE_CALL_NONSG:
        ((void (*)(void))(uintptr_t)(IFU_TZ_GATEWAY_BODY | 1u))();
        break;
    case IFU_TZ_PROBE_CALL_NS_ALIAS:
        ((void (*)(void))(uintptr_t)(NS_ALIAS(IFU_TZ_GATEWAY_BODY) | 1u))();
        break;
    case IFU_TZ_PROBE_READ_FLASH:
        p = at(IFU_AN505_FLASH_S);
        v = *p;
        break;
    case IFU_TZ_PROBE_READ_KEYSTORE: /* slot 0's anchor */
        p = at(IFU_AN505_FLASH_S + IFU_AN505_KEYSTORE_OFF + 4u);
        v = *p;
        break;
    case IFU_TZ_PROBE_WRITE_KEYSTORE:
        /* Slot 1's record, still erased: an anchor of the attacker's. */
        p = at(IFU_AN505_FLASH_S + IFU_AN505_KEYSTORE_OFF + 48u);
        *p = 0x0000014bu;
        break;
    case IFU_TZ_PROBE_READ_COUNTER: /* the ring's first record */
        p = at(IFU_AN505_FLASH_S + IFU_AN505_COUNTER_OFF);
        v = *p;
        break;
    case IFU_TZ_PROBE_WRITE_COUNTER:
        /* An erased record of the second sector: a lower value there would
         * roll the counter back. */
        p = at(IFU_AN505_FLASH_S + IFU_AN505_COUNTER_OFF + 0x1000u);
        *p = 0u;
        break;
    case IFU_TZ_PROBE_READ_PERIPH:
        /* UART1's BAUDDIV, which the Secure image set to 16 through the
         * Secure alias: its PPC port stays Secure. */
        p = at(IFU_AN505_UART1_NS + 0x10u);
        v = *p;
        break;
    default:
        ifu_uart_printf(UART, "tz-ns: no probe %u\n", (unsigned)probe);
        ifu_semihost_exit(2u);
    }
    ifu_uart_printf(UART, "tz-ns: probe %u NOT faulted (read 0x%08x)\n", (unsigned)probe,
                    (unsigned)v);
    ifu_semihost_exit(1u);
}

void Reset_Handler(uint32_t probe)
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
    ifu_uart_printf(UART, "tz-ns: Non-secure application, probe %u\n", (unsigned)probe);
    if (probe == IFU_TZ_PROBE_GATEWAY) {
        ifu_semihost_exit((uint32_t)gateway());
    }
    if (probe == IFU_TZ_PROBE_FWU) {
        ifu_semihost_exit((uint32_t)fwu());
    }
    if (probe == IFU_TZ_PROBE_FWU_REJECT) {
        ifu_semihost_exit((uint32_t)fwu_reject());
    }
    if (probe == IFU_TZ_PROBE_FWU_NO_ACCEPT) {
        ifu_semihost_exit((uint32_t)fwu_no_accept());
    }
    if (probe == IFU_TZ_PROBE_FWU_REPORT) {
        psa_fwu_component_info_t info;
        (void)report("report", &info);
        ifu_semihost_exit(0u);
    }
    probe_run(probe);
}
