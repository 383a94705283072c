/* The demo application for mps2-an386 (QEMU), built as v1, v2 and v3 from
 * this one source (IFU_APP_VERSION from CMake; v3 with IFU_APP_NEVER_CONFIRM).
 *
 * - Logs on UART0 what it is and what the last update did (ifu_update_status:
 *   on trial, confirmed, reverted, a staged image the bootloader refused),
 *   the anti-rollback counter and the state of each keystore slot, read
 *   through their read-only APIs (ifu_counter_get, ifu_keys_get), never by
 *   address; the bootloader has made both read-only before the jump.
 * - Confirms itself when it runs on trial, unless built never to confirm.
 * - Serves MCUmgr's SMP on UART1 (examples/smp_uart: framing, CBOR, the
 *   server over the streaming update API), with a no-downgrade policy, so
 *   `ifu smp upload|list|test|confirm|reset` on the host updates it. The
 *   update API checks images against the same keystore slots and counter as
 *   the bootloader: a revoked key or a security counter below the device's
 *   is refused in ifu_update_finish, before an install is requested.
 * - Remembers, in a note sector of its own, which version it asked the
 *   bootloader to try, so that after a revert it can say which update was
 *   reverted (the revert does not keep the refused image).
 *
 * Device code: C99, no malloc. */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "cm.h"
#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu/update.h"
#include "smp_frame.h"
#include "smp_server.h"
#include "uart.h"

#ifndef IFU_APP_VERSION
#error "IFU_APP_VERSION must be set by the build (examples/qemu_app/CMakeLists.txt)"
#endif
#ifndef IFU_APP_NEVER_CONFIRM
#define IFU_APP_NEVER_CONFIRM 0
#endif

#define LOG AN386_UART_LOG
#define SMP AN386_UART_SMP

/* The note: one sector after the slots, owned by the application. */
#define NOTE_OFF   0x00100000u
#define NOTE_MAGIC 0x45544f4eu /* "NOTE" */

static struct smp_server server; /* holds the 2 KiB update context */
static struct smp_frame_rx rx;
static uint8_t rsp[SMP_SERVER_RSP_MAX];
static struct ifu_boot_config cfg;
static struct ifu_keystore keystore; /* read-only view: prog is NULL */
static struct ifu_counter counter;

static const char *state_name(enum ifu_boot_state st)
{
    switch (st) {
    case IFU_BOOT_STATE_TESTING:
        return "on trial";
    case IFU_BOOT_STATE_CONFIRMED:
        return "confirmed";
    case IFU_BOOT_STATE_REVERTED:
        return "restored by a revert";
    default:
        return "?";
    }
}

static struct ifu_area note_area(void)
{
    struct ifu_area a = {cfg.primary.flash, NOTE_OFF, IFU_NOR_SECTOR_SIZE};
    return a;
}

/* Record the version of the image just requested for install. A cut while
 * writing leaves a note whose magic does not match: "unknown version". */
static void note_write(const struct ifu_image_version *v)
{
    struct ifu_area a = note_area();
    uint8_t rec[8] = {(uint8_t)NOTE_MAGIC,
                      (uint8_t)(NOTE_MAGIC >> 8),
                      (uint8_t)(NOTE_MAGIC >> 16),
                      (uint8_t)(NOTE_MAGIC >> 24),
                      v->major,
                      v->minor,
                      (uint8_t)v->revision,
                      (uint8_t)(v->revision >> 8)};
    /* Magic last: a torn write never reads as a valid note. */
    if (ifu_area_erase(&a, 0, a.size) != 0 || ifu_area_prog(&a, 4, rec + 4, 4) != 0 ||
        ifu_area_prog(&a, 0, rec, 4) != 0) {
        ifu_uart_printf(LOG, "app: could not write the update note\n");
    }
}

static int note_read(struct ifu_image_version *v)
{
    struct ifu_area a = note_area();
    uint8_t rec[8];
    if (ifu_area_read(&a, 0, rec, sizeof rec) != 0) {
        return 0;
    }
    uint32_t magic =
        (uint32_t)rec[0] | (uint32_t)rec[1] << 8 | (uint32_t)rec[2] << 16 | (uint32_t)rec[3] << 24;
    if (magic != NOTE_MAGIC) {
        return 0;
    }
    memset(v, 0, sizeof *v);
    v->major = rec[4];
    v->minor = rec[5];
    v->revision = (uint16_t)(rec[6] | rec[7] << 8);
    return 1;
}

/* Version of the image staged in the secondary, if its header parses. */
static int staged_version(struct ifu_image_version *v)
{
    struct ifu_boot_layout lay;
    uint8_t raw[IFU_IMAGE_HEADER_SIZE];
    struct ifu_image_header hdr;
    if (ifu_boot_layout(&cfg, &lay) != 0 ||
        ifu_area_read(&cfg.secondary, lay.headroom, raw, sizeof raw) != 0 ||
        ifu_image_parse_header(&hdr, raw) != 0) {
        return 0;
    }
    *v = hdr.version;
    return 1;
}

static const char *key_state_name(enum ifu_key_state st)
{
    switch (st) {
    case IFU_KEY_EMPTY:
        return "empty";
    case IFU_KEY_VALID:
        return "valid";
    case IFU_KEY_REVOKED:
        return "revoked";
    default:
        return "invalid";
    }
}

/* The bootloader data, through the APIs: the counter's value and each slot. */
static void report_security(void)
{
    struct ifu_counter_state cs;
    int err = ifu_counter_get(&counter, &cs);
    if (err) {
        ifu_uart_printf(LOG, "app: cannot read the security counter: %s\n", ifu_strerror(err));
    } else {
        ifu_uart_printf(LOG, "app: security counter %u\n", (unsigned)cs.value);
    }
    int n = ifu_keys_count(&keystore);
    if (n < 0) {
        ifu_uart_printf(LOG, "app: cannot read the keystore: %s\n", ifu_strerror(n));
        return;
    }
    ifu_uart_printf(LOG, "app: keystore:");
    for (int i = 0; i < n; i++) {
        struct ifu_key_slot ks;
        err = ifu_keys_get(&keystore, (uint32_t)i, &ks);
        ifu_uart_printf(LOG, "%s slot %d %s", i > 0 ? "," : "", i,
                        err ? ifu_strerror(err) : key_state_name(ks.state));
    }
    ifu_uart_printf(LOG, "\n");
}

static void report_boot(void)
{
    struct ifu_update_status st;
    struct ifu_image_version nv;
    int err = ifu_update_status(NULL, &cfg, &st);
    if (err) {
        ifu_uart_printf(LOG, "app: cannot read the update state: %s\n", ifu_strerror(err));
        return;
    }
    ifu_uart_printf(LOG, "app: version %s running, %s\n", IFU_APP_VERSION,
                    state_name(st.boot.running));
    /* The staging slot keeps why its image was refused until it is staged
     * again: IFU_ESTATE after a trial that did not confirm (the revert),
     * else the reason the update API or the bootloader refused it. */
    if (st.boot.running == IFU_BOOT_STATE_REVERTED && st.boot.staged_err == IFU_ESTATE) {
        if (note_read(&nv)) {
            ifu_uart_printf(LOG,
                            "app: last update: version %u.%u.%u reverted (its trial was not "
                            "confirmed)\n",
                            (unsigned)nv.major, (unsigned)nv.minor, (unsigned)nv.revision);
        } else {
            ifu_uart_printf(LOG, "app: last update reverted (its trial was not confirmed)\n");
        }
    } else if (st.boot.staged_err != 0) {
        ifu_uart_printf(LOG, "app: staged image refused: %s\n", ifu_strerror(st.boot.staged_err));
    }
    if (st.boot.running == IFU_BOOT_STATE_TESTING) {
        if (IFU_APP_NEVER_CONFIRM) {
            ifu_uart_printf(LOG, "app: built never to confirm: the next reset reverts\n");
        } else {
            err = ifu_boot_confirm(&cfg);
            ifu_uart_printf(LOG, "app: self-test passed, confirm: %s\n",
                            err ? ifu_strerror(err) : "done");
        }
    }
}

static int put_smp(void *ctx, const uint8_t *buf, uint32_t len)
{
    (void)ctx;
    ifu_uart_write(SMP, buf, len, 0);
    return 0;
}

static void handle(const uint8_t *pkt, uint32_t len)
{
    struct ifu_update_status before, after;
    (void)ifu_update_status(&server.up, NULL, &before);
    server.last_err = 0;
    int n = smp_server_handle(&server, pkt, len, rsp, sizeof rsp);
    if (n <= 0) {
        return;
    }
    (void)ifu_update_status(&server.up, NULL, &after);
    if (before.state != IFU_UPDATE_RECEIVING && after.state == IFU_UPDATE_RECEIVING) {
        ifu_uart_printf(LOG, "smp: upload started\n");
    }
    if (before.state != IFU_UPDATE_COMPLETE && after.state == IFU_UPDATE_COMPLETE) {
        ifu_uart_printf(LOG, "smp: upload complete: %u bytes, image verified\n",
                        (unsigned)after.offset);
    }
    if (server.last_err != 0) {
        ifu_uart_printf(LOG, "smp: request refused: %s\n", ifu_strerror(server.last_err));
    }
    if (before.boot.pending == IFU_BOOT_STATE_NONE && after.boot.pending != IFU_BOOT_STATE_NONE) {
        struct ifu_image_version v;
        if (staged_version(&v)) {
            note_write(&v);
            ifu_uart_printf(LOG, "smp: install of version %u.%u.%u requested (%s)\n",
                            (unsigned)v.major, (unsigned)v.minor, (unsigned)v.revision,
                            after.boot.pending == IFU_BOOT_STATE_INSTALL_TEST ? "test"
                                                                              : "permanent");
        }
    }
    if (before.boot.running == IFU_BOOT_STATE_TESTING &&
        after.boot.running == IFU_BOOT_STATE_CONFIRMED) {
        ifu_uart_printf(LOG, "smp: running image confirmed\n");
    }
    (void)smp_frame_encode(rsp, (uint32_t)n, 0, put_smp, NULL);
    if (smp_server_reset_pending(&server)) {
        ifu_uart_printf(LOG, "smp: reset requested\n");
        ifu_cm_reset();
    }
}

int main(void)
{
    static const struct ifu_update_policy policy = {
        IFU_UPDATE_P_NO_DOWNGRADE, {0, 0, 0, 0}, 0, NULL, NULL};
    ifu_uart_init(LOG);
    ifu_uart_init(SMP);
    an386_boot_config(&cfg, NULL);
    cfg.hashset = IFU_HASHSET(IFU_HASH_SHA256);
    if (an386_keystore(&keystore, 0) != 0 || an386_counter(&counter) != 0) {
        ifu_uart_printf(LOG, "app: keystore or counter area invalid\n");
        return 1;
    }
    cfg.keystore = &keystore;
    cfg.counter = &counter;
    /* The trial's confirm first: a power cut between the trial start and the
     * confirm reverts the update, so nothing is printed before it. */
    report_boot();
    report_security();

    struct smp_server_config sc = {&cfg, &policy, SMP_UART_MTU};
    int err = smp_server_init(&server, &sc);
    if (err) {
        ifu_uart_printf(LOG, "app: SMP server: %s\n", ifu_strerror(err));
        return 1;
    }
    smp_frame_rx_init(&rx);
    ifu_uart_printf(LOG, "app: SMP server on UART1, MTU %u, downgrades refused\n",
                    (unsigned)SMP_UART_MTU);
    ifu_cm_irq_disable(); /* polled: no handler runs; WFI still wakes on a byte */
    for (;;) {
        uint8_t c = ifu_uart_getc_wait(SMP, IFU_AN386_UART1_RX_IRQ);
        int len = smp_frame_rx_feed(&rx, c);
        if (len > 0) {
            handle(rx.pkt, (uint32_t)len);
        } else if (len < 0) {
            ifu_uart_printf(LOG, "smp: dropped a frame (%s)\n",
                            len == SMP_ECRC ? "CRC mismatch" : "malformed or too long");
        }
    }
}
