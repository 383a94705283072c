/* smp_device: a device that speaks MCUmgr's SMP over a serial line, on the
 * host. Its flash is an ifu-sim flash file (docs/SIM.md), its bootloader the
 * ifu boot engine, its application the SMP server of this folder
 * (smp_server.c over include/ifu/update.h). A "reset" request answers, then
 * re-runs the boot engine on the same flash, as a real reset would, and the
 * application starts again.
 *
 *   smp_device --flash dev.bin --key key.pem --pty /tmp/dev-tty   # makes a pty, links it
 *   smp_device --flash dev.bin --key key.pem --port /dev/ttyUSB0  # an existing tty
 *
 * Host glue (POSIX, may allocate): the device-side code is smp_frame.c,
 * smp_cbor.c and smp_server.c. Runs until SIGINT or SIGTERM. */
#define _DEFAULT_SOURCE /* cfmakeraw, openpty */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sim_cli.h"
#include "smp_cbor.h"
#include "smp_frame.h"
#include "smp_server.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

enum { O_HELP = 1, O_FLASH, O_KEY, O_PORT, O_PTY, O_MTU };

static const struct cli_opt table[] = {
    {"help", 'h', 0, O_HELP}, {"flash", 'f', 1, O_FLASH}, {"key", 'k', 1, O_KEY},
    {"port", 'p', 1, O_PORT}, {"pty", 0, 1, O_PTY},       {"mtu", 0, 1, O_MTU},
    {NULL, 0, 0, 0},
};

static const char help[] =
    "usage: smp_device --flash FILE --key KEY (--port TTY | --pty LINK) [--mtu N]\n"
    "\n"
    "Play a device that takes updates over MCUmgr's SMP serial protocol (docs/SMP.md):\n"
    "boot the flash file (an `ifu-sim init` device) with KEY as the trusted key, then\n"
    "answer SMP requests on the serial line until SIGINT/SIGTERM.\n"
    "\n"
    "  -f, --flash FILE  the device's flash file (and FILE.layout)\n"
    "  -k, --key KEY     trusted key: a private or public PEM\n"
    "  -p, --port TTY    use this serial device\n"
    "      --pty LINK    create a pseudo-terminal and make LINK a symbolic link to it\n"
    "      --mtu N       largest request packet accepted (default and maximum: the\n"
    "                    build's SMP_UART_MTU)\n";

struct device {
    struct sim_dev dev;
    struct sim_key key;
    struct ifu_boot_config app;
    uint32_t mtu;
    int fd;
    uint64_t wire_in, wire_out, packets;
};

static struct smp_server server; /* ~2 KiB update context: not on the stack */
static struct smp_frame_rx rx;   /* the UART receiver's buffers */
static struct ifu_boot engine;   /* the bootloader's working memory */

static const char *state_word(enum ifu_boot_state st)
{
    return sim_state_name(st);
}

/* The bootloader: one reset. */
static int boot(struct device *d)
{
    struct ifu_boot_config cfg;
    struct ifu_boot_result res;
    sim_dev_config(&d->dev, 0, &d->key.ring, &cfg);
    int err = ifu_boot_go(&engine, &cfg, &res);
    if (err == 0) {
        const struct ifu_image_version *v = &res.info.hdr.version;
        printf("booted: version %u.%u.%u+%u from slot %u, state %s%s%s\n", (unsigned)v->major,
               (unsigned)v->minor, (unsigned)v->revision, (unsigned)v->build, res.slot,
               state_word(res.state), (res.actions & IFU_BOOT_DID_INSTALL) ? ", installed" : "",
               (res.actions & IFU_BOOT_DID_REVERT) ? ", reverted" : "");
        if (res.actions & IFU_BOOT_DID_REJECT) {
            printf("boot: the requested image was refused: %s\n", ifu_strerror(res.reject_err));
        }
        if (d->dev.mode == IFU_BOOT_MODE_XIP && d->dev.running != res.slot) {
            d->dev.running = res.slot;
            err = sim_dev_save(&d->dev);
        }
    } else if (err == IFU_ENOIMAGE) {
        printf("booted: no bootable image; serial recovery: SMP only\n");
        err = 0;
    } else {
        sim_fail_ifu(err, "boot", "the boot engine stopped");
    }
    if (!err) {
        struct smp_server_config sc = {&d->app, NULL, d->mtu};
        sim_dev_config(&d->dev, 1, &d->key.ring, &d->app);
        err = smp_server_init(&server, &sc);
        if (err) {
            sim_fail_ifu(err, "smp", "smp_server_init failed");
        }
        smp_frame_rx_init(&rx);
    }
    fflush(stdout);
    return err;
}

static int put_frame(void *ctx, const uint8_t *buf, uint32_t len)
{
    struct device *d = ctx;
    while (len > 0) {
        ssize_t n = write(d->fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {d->fd, POLLOUT, 0};
            (void)poll(&p, 1, 100);
            continue;
        }
        if (n <= 0) {
            return cli_fail(IFU_EIO, "serial", "write failed: %s", strerror(errno));
        }
        buf += n;
        len -= (uint32_t)n;
        d->wire_out += (uint64_t)n;
    }
    return 0;
}

/* One line per request in the log; upload chunks only when they fail or end. */
static void log_request(const uint8_t *req, const uint8_t *rsp, int rsp_len)
{
    uint16_t group = (uint16_t)(req[4] << 8 | req[5]);
    uint8_t id = req[7];
    uint8_t op = req[0] & 7u;
    uint64_t rc = 0, off = 0;
    struct smp_cbor_dec dec;
    struct smp_cbor_str rsn = {NULL, 0};
    struct smp_cbor_field f[] = {{"rc", SMP_CBOR_T_UINT, &rc, 0},
                                 {"off", SMP_CBOR_T_UINT, &off, 0},
                                 {"rsn", SMP_CBOR_T_TSTR, &rsn, 0}};
    smp_cbor_dec_init(&dec, rsp + SMP_HDR_SIZE, (uint32_t)rsp_len - SMP_HDR_SIZE);
    (void)smp_cbor_read_map(&dec, f, 3);
    int upload = group == SMP_GROUP_IMAGE && id == SMP_IMG_UPLOAD;
    if (upload && rc == 0) {
        return;
    }
    const char *what = group == SMP_GROUP_IMAGE && id == SMP_IMG_STATE
                           ? (op == SMP_OP_READ ? "image list" : "image state write")
                       : upload                                       ? "image upload"
                       : group == SMP_GROUP_OS && id == SMP_OS_RESET  ? "reset"
                       : group == SMP_GROUP_OS && id == SMP_OS_ECHO   ? "echo"
                       : group == SMP_GROUP_OS && id == SMP_OS_PARAMS ? "mcumgr parameters"
                                                                      : "unknown command";
    if (rc != 0) {
        printf("smp: %s (group %u id %u): rc %u%s%.*s\n", what, (unsigned)group, (unsigned)id,
               (unsigned)rc, rsn.len ? ": " : "", (int)rsn.len, rsn.p ? (const char *)rsn.p : "");
    } else {
        printf("smp: %s: ok\n", what);
    }
}

static int handle_packet(struct device *d, const uint8_t *pkt, uint32_t len)
{
    static uint8_t rsp[SMP_SERVER_RSP_MAX];
    struct ifu_update_status before;
    (void)ifu_update_status(&server.up, NULL, &before);
    int n = smp_server_handle(&server, pkt, len, rsp, sizeof rsp);
    if (n <= 0) {
        return 0;
    }
    d->packets++;
    log_request(pkt, rsp, n);
    if (server.last_err == IFU_EIO) {
        printf("flash: %llu programs over unerased bytes, %llu misaligned requests\n",
               (unsigned long long)d->dev.sim.stats.prog_over,
               (unsigned long long)d->dev.sim.stats.misuse);
        server.last_err = 0;
    }
    struct ifu_update_status after;
    if (ifu_update_status(&server.up, NULL, &after) == 0 && before.state != after.state &&
        after.state == IFU_UPDATE_COMPLETE) {
        printf("smp: upload complete: %u bytes, image verified\n", (unsigned)after.offset);
    }
    fflush(stdout);
    int32_t w = smp_frame_encode(rsp, (uint32_t)n, 0, put_frame, d);
    if (w < 0) {
        return (int)w;
    }
    if (smp_server_reset_pending(&server)) {
        printf("reset: requested over SMP\n");
        fflush(stdout);
        (void)tcdrain(d->fd);
        return boot(d);
    }
    return 0;
}

static int set_raw(int fd, const char *what)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        return cli_fail(IFU_EIO, what, "not a terminal: %s", strerror(errno));
    }
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        return cli_fail(IFU_EIO, what, "cannot set raw mode: %s", strerror(errno));
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *flash = NULL, *key = NULL, *port = NULL, *link = NULL;
    uint64_t mtu = SMP_UART_MTU;
    int id;
    int slave = -1;
    static struct device d;

    cli_set_prog("smp_device");
    cli_opt_init(&p, "smp_device", argc, argv);
    while ((id = cli_opt_next(&p, table, vals)) != CLI_OPT_END) {
        int err = 0;
        switch (id) {
        case O_HELP:
            fputs(help, stdout);
            return 0;
        case O_FLASH:
            flash = vals[0];
            break;
        case O_KEY:
            key = vals[0];
            break;
        case O_PORT:
            port = vals[0];
            break;
        case O_PTY:
            link = vals[0];
            break;
        case O_MTU:
            err = cli_parse_uint(vals[0], SMP_UART_MTU, "--mtu", &mtu);
            if (!err && mtu < 64) {
                err = cli_fail(IFU_EINVAL, "--mtu", "at least 64 bytes");
            }
            break;
        case CLI_OPT_POSITIONAL:
            err = cli_fail(IFU_EINVAL, "smp_device", "unexpected argument '%s'", vals[0]);
            break;
        default:
            err = id;
            break;
        }
        if (err) {
            return 2;
        }
    }
    if (flash == NULL || key == NULL || (port == NULL) == (link == NULL)) {
        fputs(help, stderr);
        return 2;
    }
    d.mtu = (uint32_t)mtu;
    if (sim_key_load(key, &d.key) != 0 || sim_dev_open(&d.dev, flash, 1) != 0) {
        return 3;
    }
    if (link != NULL) {
        char name[128];
        if (openpty(&d.fd, &slave, name, NULL, NULL) != 0) {
            cli_fail(IFU_EIO, "--pty", "openpty failed: %s", strerror(errno));
            return 3;
        }
        /* The device keeps the client's end open too, so the line survives
         * clients coming and going; raw mode is set on that end. */
        if (set_raw(slave, name) != 0) {
            return 3;
        }
        (void)unlink(link);
        if (symlink(name, link) != 0) {
            cli_fail(IFU_EIO, link, "cannot link to %s: %s", name, strerror(errno));
            return 3;
        }
        printf("serial: %s (linked from %s)\n", name, link);
    } else {
        d.fd = open(port, O_RDWR | O_NOCTTY);
        if (d.fd < 0) {
            cli_fail(IFU_EIO, port, "%s", strerror(errno));
            return 3;
        }
        if (set_raw(d.fd, port) != 0) {
            return 3;
        }
        printf("serial: %s\n", port);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("device: %s-mode bootloader, key %s, MTU %u\n", sim_mode_name(d.dev.mode), d.key.id,
           (unsigned)d.mtu);
    int err = boot(&d);
    while (!err && !stop) {
        uint8_t buf[512];
        struct pollfd pfd = {d.fd, POLLIN, 0};
        int r = poll(&pfd, 1, 200);
        if (r <= 0) {
            continue;
        }
        ssize_t n = read(d.fd, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
                continue;
            }
            usleep(10000); /* no client on the line: wait for one */
            continue;
        }
        d.wire_in += (uint64_t)n;
        for (ssize_t i = 0; i < n && !err; i++) {
            int len = smp_frame_rx_feed(&rx, buf[i]);
            if (len > 0) {
                /* Requests longer than the MTU announced are refused, as a
                 * device with that buffer would. */
                if ((uint32_t)len > d.mtu) {
                    printf("smp: dropped a %d-byte packet (MTU %u)\n", len, (unsigned)d.mtu);
                    continue;
                }
                err = handle_packet(&d, rx.pkt, (uint32_t)len);
            } else if (len < 0) {
                printf("serial: dropped a frame (%s)\n",
                       len == SMP_ECRC ? "CRC mismatch" : "malformed or too long");
            }
        }
        fflush(stdout);
    }
    printf("device: stopped: %llu requests, %llu bytes in, %llu bytes out\n",
           (unsigned long long)d.packets, (unsigned long long)d.wire_in,
           (unsigned long long)d.wire_out);
    if (link != NULL) {
        (void)unlink(link);
    }
    if (slave >= 0) {
        close(slave);
    }
    close(d.fd);
    sim_dev_close(&d.dev);
    sim_key_free(&d.key);
    return err ? 1 : 0;
}
