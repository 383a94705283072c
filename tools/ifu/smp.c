/* `ifu smp upload|list|test|confirm|reset --port TTY`: update a device over
 * MCUmgr's SMP serial protocol (docs/CLI.md "ifu smp", docs/SMP.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "smp.h"

#define OP_READ     0u
#define OP_WRITE    2u
#define GROUP_OS    0u
#define GROUP_IMAGE 1u
#define OS_RESET    5u
#define OS_PARAMS   6u
#define IMG_STATE   0u
#define IMG_UPLOAD  1u
#define SMP_HDR     8u
#define DEFAULT_MTU 256u
#define MAX_MTU     65535u

enum { O_HELP = 1, O_PORT, O_MTU, O_TIMEOUT, O_UPGRADE };

static const struct cli_opt table[] = {
    {"help", 'h', 0, O_HELP},     {"port", 'p', 1, O_PORT},     {"mtu", 0, 1, O_MTU},
    {"timeout", 0, 1, O_TIMEOUT}, {"upgrade", 0, 0, O_UPGRADE}, {NULL, 0, 0, 0},
};

static const char help[] =
    "usage: ifu smp upload IMAGE --port TTY [--mtu N] [--upgrade]\n"
    "       ifu smp list --port TTY\n"
    "       ifu smp test HASH --port TTY\n"
    "       ifu smp confirm [HASH] --port TTY\n"
    "       ifu smp reset --port TTY\n"
    "\n"
    "Talk to a device over a serial line with MCUmgr's SMP protocol (what mcumgr,\n"
    "smpmgr and MCUboot's serial recovery speak): upload an image to its staging slot,\n"
    "list its images, mark one for a test boot, confirm the running one, reset it.\n"
    "\n"
    "  -p, --port TTY   serial device (a tty or a pseudo-terminal)\n"
    "      --mtu N      largest request packet, bytes (SMP header + CBOR), 64..65535;\n"
    "                   default: the device's buf_size if it reports one, else 256\n"
    "      --timeout MS time to wait for each response (default 5000)\n"
    "      --upgrade    upload: the device refuses an image not newer than its own\n"
    "\n"
    "HASH is the image hash `list` and `upload` print (hex). Exit status: 0 success,\n"
    "1 the device refused, 2 usage error, 3 the line failed or the device did not answer.\n";

/* MCUmgr status codes (Zephyr's mcumgr_err_t), for messages. */
static const char *rc_name(uint64_t rc)
{
    static const char *const names[] = {
        "EOK",       "EUNKNOWN", "ENOMEM",  "EINVAL",   "ETIMEOUT", "ENOENT",
        "EBADSTATE", "EMSGSIZE", "ENOTSUP", "ECORRUPT", "EBUSY",    "EACCESSDENIED",
    };
    return rc < sizeof names / sizeof names[0] ? names[rc] : "?";
}

static int get_uint(const cbor_item_t *map, const char *key, uint64_t *v)
{
    cbor_item_t *it = smp_map_get(map, key);
    if (it == NULL || !cbor_isa_uint(it)) {
        return 0;
    }
    *v = cbor_get_int(it);
    return 1;
}

static int get_flag(const cbor_item_t *map, const char *key)
{
    cbor_item_t *it = smp_map_get(map, key);
    return it != NULL && cbor_is_bool(it) && cbor_get_bool(it);
}

/* A response's "rc": 0, or the device's refusal, printed. */
static int check_rc(const cbor_item_t *rsp, const char *what)
{
    uint64_t rc = 0;
    if (!get_uint(rsp, "rc", &rc) || rc == 0) {
        return 0;
    }
    cbor_item_t *rsn = smp_map_get(rsp, "rsn");
    if (rsn != NULL && cbor_isa_string(rsn) && cbor_string_is_definite(rsn)) {
        return cli_fail(CLI_EREJECT, what, "the device refused: %.*s (rc %llu, %s)",
                        (int)cbor_string_length(rsn), (const char *)cbor_string_handle(rsn),
                        (unsigned long long)rc, rc_name(rc));
    }
    return cli_fail(CLI_EREJECT, what, "the device refused (rc %llu, %s)", (unsigned long long)rc,
                    rc_name(rc));
}

/* ---- list ---- */

static int print_images(const cbor_item_t *rsp, const char *what)
{
    cbor_item_t *images = smp_map_get(rsp, "images");
    if (images == NULL || !cbor_isa_array(images)) {
        return cli_fail(IFU_EIO, what, "the response has no image list");
    }
    size_t n = cbor_array_size(images);
    if (n == 0) {
        printf("no images\n");
    }
    for (size_t i = 0; i < n; i++) {
        cbor_item_t *img = cbor_array_get(images, i);
        uint64_t slot = 0, image = 0;
        char hash[2 * 64 + 1] = "-";
        char version[64] = "?";
        if (cbor_isa_map(img)) {
            (void)get_uint(img, "slot", &slot);
            (void)get_uint(img, "image", &image);
            cbor_item_t *v = smp_map_get(img, "version");
            if (v != NULL && cbor_isa_string(v) && cbor_string_is_definite(v)) {
                snprintf(version, sizeof version, "%.*s", (int)cbor_string_length(v),
                         (const char *)cbor_string_handle(v));
            }
            cbor_item_t *h = smp_map_get(img, "hash");
            if (h != NULL && cbor_isa_bytestring(h) && cbor_bytestring_is_definite(h) &&
                cbor_bytestring_length(h) <= 64) {
                cli_hex_string(cbor_bytestring_handle(h), cbor_bytestring_length(h), hash);
            }
            printf("image %llu slot %llu: version %s hash %s%s%s%s%s%s\n",
                   (unsigned long long)image, (unsigned long long)slot, version, hash,
                   get_flag(img, "active") ? " active" : "",
                   get_flag(img, "confirmed") ? " confirmed" : "",
                   get_flag(img, "pending") ? " pending" : "",
                   get_flag(img, "permanent") ? " permanent" : "",
                   get_flag(img, "bootable") ? " bootable" : "");
        }
        cbor_decref(&img);
    }
    return 0;
}

static int do_list(struct smp_link *l)
{
    cbor_item_t *rsp;
    int err = smp_link_call(l, "smp list", OP_READ, GROUP_IMAGE, IMG_STATE, NULL, &rsp);
    if (!err) {
        err = check_rc(rsp, "smp list");
    }
    if (!err) {
        err = print_images(rsp, "smp list");
    }
    if (rsp != NULL) {
        cbor_decref(&rsp);
    }
    return err;
}

/* ---- test / confirm ---- */

static int parse_hash(const char *text, uint8_t *out, size_t *len)
{
    size_t n = strlen(text);
    if (n != 64 && n != 96 && n != 128) { /* SHA-256, SHA-384, SHA-512 */
        return cli_fail(IFU_EINVAL, text, "not an image hash: want 64, 96 or 128 hex digits");
    }
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        /* Both digits are checked below. NOLINTNEXTLINE(cert-err34-c) */
        if (sscanf(text + 2 * i, "%2x", &v) != 1 ||
            !strchr("0123456789abcdefABCDEF", text[2 * i]) ||
            !strchr("0123456789abcdefABCDEF", text[2 * i + 1])) {
            return cli_fail(IFU_EINVAL, text, "not an image hash: want hex digits");
        }
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 0;
}

static int do_state_write(struct smp_link *l, const char *what, const char *hash_text, int confirm)
{
    uint8_t hash[64];
    size_t hash_len = 0;
    cbor_item_t *rsp = NULL;
    int err = 0;
    if (hash_text != NULL) {
        err = parse_hash(hash_text, hash, &hash_len);
        if (err) {
            return err;
        }
    }
    cbor_item_t *body = cbor_new_definite_map(hash_text != NULL ? 2 : 1);
    if (hash_text != NULL) {
        smp_map_put(body, "hash", cbor_build_bytestring(hash, hash_len));
    }
    smp_map_put(body, "confirm", cbor_build_bool(confirm != 0));
    err = smp_link_call(l, what, OP_WRITE, GROUP_IMAGE, IMG_STATE, body, &rsp);
    cbor_decref(&body);
    if (!err) {
        err = check_rc(rsp, what);
    }
    if (!err) {
        err = print_images(rsp, what);
    }
    if (rsp != NULL) {
        cbor_decref(&rsp);
    }
    return err;
}

/* ---- reset ---- */

static int do_reset(struct smp_link *l)
{
    cbor_item_t *rsp;
    int err = smp_link_call(l, "smp reset", OP_WRITE, GROUP_OS, OS_RESET, NULL, &rsp);
    if (!err) {
        err = check_rc(rsp, "smp reset");
    }
    if (!err) {
        printf("reset: the device acknowledged; it restarts through its bootloader\n");
    }
    if (rsp != NULL) {
        cbor_decref(&rsp);
    }
    return err;
}

/* ---- upload ---- */

/* The bytes to send: up to the end of the image's TLV area. A padded image
 * (ifu sign --pad) carries erased filler and a trailer after it, which the
 * device's update API would refuse: the bootloader's requests are made over
 * SMP instead (test, confirm). */
static size_t image_extent(const struct cli_buf *img, uint8_t *hash, size_t *hash_len)
{
    struct ifu_image_header hdr;
    *hash_len = 0;
    if (img->len < IFU_IMAGE_HEADER_SIZE || ifu_image_parse_header(&hdr, img->data) != 0) {
        return img->len; /* not an image: the device will say so */
    }
    uint64_t pos = ifu_image_tlv_off(&hdr);
    if (pos + IFU_TLV_INFO_SIZE > img->len) {
        return img->len;
    }
    const uint8_t *info = img->data + pos;
    if ((uint16_t)(info[0] | info[1] << 8) != IFU_TLV_INFO_MAGIC) {
        return img->len;
    }
    uint64_t end = pos + (uint16_t)(info[2] | info[3] << 8);
    if (end > img->len) {
        return img->len;
    }
    for (pos += IFU_TLV_INFO_SIZE; pos + IFU_TLV_HDR_SIZE <= end;) {
        const uint8_t *t = img->data + pos;
        uint16_t type = (uint16_t)(t[0] | t[1] << 8);
        uint16_t len = (uint16_t)(t[2] | t[3] << 8);
        pos += IFU_TLV_HDR_SIZE;
        if (pos + len > end) {
            break;
        }
        if ((type == IFU_TLV_SHA256 && len == 32) || (type == IFU_TLV_SHA384 && len == 48) ||
            (type == IFU_TLV_SHA512 && len == 64)) {
            memcpy(hash, img->data + pos, len);
            *hash_len = len;
        }
        pos += len;
    }
    return (size_t)end;
}

static size_t uint_size(uint64_t v)
{
    return v < 24 ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 : v <= 0xffffffffu ? 5 : 9;
}

static cbor_item_t *upload_body(size_t off, const uint8_t *data, size_t n, size_t total,
                                const uint8_t sha[32], int upgrade)
{
    cbor_item_t *m = cbor_new_definite_map(off == 0 ? (upgrade ? 5 : 4) : 2);
    if (off == 0) {
        smp_map_put(m, "len", smp_build_uint(total));
    }
    smp_map_put(m, "off", smp_build_uint(off));
    if (off == 0) {
        smp_map_put(m, "sha", cbor_build_bytestring(sha, 32));
        if (upgrade) {
            smp_map_put(m, "upgrade", cbor_build_bool(true));
        }
    }
    smp_map_put(m, "data", cbor_build_bytestring(data, n));
    return m;
}

/* The largest chunk whose request fits in mtu bytes. */
static size_t chunk_for(size_t mtu, size_t off, size_t total, const uint8_t sha[32], int upgrade)
{
    unsigned char *buf = NULL;
    size_t cap = 0;
    cbor_item_t *empty = upload_body(off, NULL, 0, total, sha, upgrade);
    size_t base = cbor_serialize_alloc(empty, &buf, &cap); /* data: one head byte */
    free(buf);
    cbor_decref(&empty);
    if (base == 0 || SMP_HDR + base >= mtu) {
        return 0;
    }
    size_t room = mtu - SMP_HDR - (base - 1);
    size_t n = room;
    while (n > 0 && uint_size(n) + n > room) {
        n--;
    }
    return n < total - off ? n : total - off;
}

static int device_mtu(struct smp_link *l, uint64_t *mtu)
{
    cbor_item_t *rsp;
    *mtu = DEFAULT_MTU;
    /* A device without the parameters command answers rc 8: keep the default. */
    int err = smp_link_call(l, "smp upload", OP_READ, GROUP_OS, OS_PARAMS, NULL, &rsp);
    if (!err) {
        uint64_t v = 0;
        if (get_uint(rsp, "buf_size", &v) && v >= 64) {
            *mtu = v < MAX_MTU ? v : MAX_MTU;
        }
        cbor_decref(&rsp);
    }
    return err;
}

static int do_upload(struct smp_link *l, const char *path, uint64_t mtu, int upgrade)
{
    struct cli_buf img = {0};
    uint8_t sha[32];
    size_t sha_len = 0;
    uint8_t hash[64];
    size_t hash_len;
    char hex[2 * 64 + 1];
    int err = cli_image_load(path, &img);
    if (err) {
        cli_buf_free(&img);
        return err;
    }
    size_t total = image_extent(&img, hash, &hash_len);
    if (total == 0) {
        cli_buf_free(&img);
        return cli_fail(IFU_EINVAL, path, "empty file");
    }
    err = cli_digest("SHA256", img.data, total, sha, &sha_len);
    if (!err && mtu == 0) {
        err = device_mtu(l, &mtu);
    }
    if (err) {
        cli_buf_free(&img);
        return err;
    }
    if (total < img.len) {
        printf("note: %s: the %zu bytes after the image's TLV area (padding, trailer) are not "
               "sent\n",
               path, img.len - total);
    }
    if (hash_len > 0) {
        cli_hex_string(hash, hash_len, hex);
        printf("upload: %s: %zu bytes, image hash %s\n", path, total, hex);
    } else {
        printf("upload: %s: %zu bytes (no image hash found: not an image?)\n", path, total);
    }
    uint64_t sent0 = l->sent, recv0 = l->received, req0 = l->requests;
    size_t off = 0;
    unsigned stalls = 0;
    while (!err && off < total) {
        size_t n = chunk_for((size_t)mtu, off, total, sha, upgrade);
        if (n == 0) {
            err = cli_fail(IFU_EINVAL, "--mtu", "%llu bytes leave no room for image data",
                           (unsigned long long)mtu);
            break;
        }
        cbor_item_t *body = upload_body(off, img.data + off, n, total, sha, upgrade);
        cbor_item_t *rsp = NULL;
        err = smp_link_call(l, "smp upload", OP_WRITE, GROUP_IMAGE, IMG_UPLOAD, body, &rsp);
        cbor_decref(&body);
        if (!err) {
            err = check_rc(rsp, "smp upload");
        }
        uint64_t next = 0;
        if (!err && !get_uint(rsp, "off", &next)) {
            err = cli_fail(IFU_EIO, "smp upload", "the device's answer has no \"off\"");
        }
        if (rsp != NULL) {
            cbor_decref(&rsp);
        }
        if (err) {
            break;
        }
        if (next > total) {
            err = cli_fail(IFU_EIO, "smp upload", "the device asks for offset %llu of %zu",
                           (unsigned long long)next, total);
            break;
        }
        /* The device says where to go on: further (normal), back to 0 (it
         * lost the session), or elsewhere (it already had bytes: resume). */
        stalls = next <= off ? stalls + 1 : 0;
        if (stalls > 3) {
            err = cli_fail(IFU_EIO, "smp upload", "no progress at offset %zu", off);
            break;
        }
        off = (size_t)next;
    }
    if (!err) {
        uint64_t sent = l->sent - sent0, recv = l->received - recv0;
        double per = (double)(sent + recv) / (double)total;
        printf("upload: done: %llu requests, MTU %llu; wire: %llu bytes sent, %llu received for "
               "%zu image bytes\n",
               (unsigned long long)(l->requests - req0), (unsigned long long)mtu,
               (unsigned long long)sent, (unsigned long long)recv, total);
        printf("upload: overhead %.3f wire bytes per image byte (requests %.3f, responses "
               "%.3f)\n",
               per - 1.0, (double)sent / (double)total - 1.0, (double)recv / (double)total);
        printf("upload: the device verified the image; `ifu smp test %s` to try it\n",
               hash_len > 0 ? hex : "HASH");
    }
    cli_buf_free(&img);
    return err;
}

/* see smp.h */
int cli_cmd_smp(int argc, char **argv)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0;
    const char *port = NULL;
    uint64_t mtu = 0, timeout = 5000;
    int upgrade = 0;
    int id;

    cli_opt_init(&p, "smp", argc, argv);
    while ((id = cli_opt_next(&p, table, vals)) != CLI_OPT_END) {
        int err = 0;
        switch (id) {
        case O_HELP:
            fputs(help, stdout);
            return 0;
        case O_PORT:
            port = vals[0];
            break;
        case O_MTU:
            err = cli_parse_uint(vals[0], MAX_MTU, "--mtu", &mtu);
            if (!err && mtu < 64) {
                err = cli_fail(IFU_EINVAL, "--mtu", "at least 64 bytes");
            }
            break;
        case O_TIMEOUT:
            err = cli_parse_uint(vals[0], 600000, "--timeout", &timeout);
            if (!err && timeout == 0) {
                err = cli_fail(IFU_EINVAL, "--timeout", "at least 1 ms");
            }
            break;
        case O_UPGRADE:
            upgrade = 1;
            break;
        case CLI_OPT_POSITIONAL:
            if (npos == 3) {
                return cli_fail(IFU_EINVAL, "smp", "unexpected argument '%s'", vals[0]);
            }
            pos[npos++] = vals[0];
            break;
        default:
            return id;
        }
        if (err) {
            return err;
        }
    }
    if (npos == 0) {
        return cli_fail(IFU_EINVAL, "smp", "missing action: upload, list, test, confirm or reset");
    }
    const char *action = pos[0];
    int want_min = 1, want_max = 1;
    if (strcmp(action, "upload") == 0 || strcmp(action, "test") == 0) {
        want_min = want_max = 2;
    } else if (strcmp(action, "confirm") == 0) {
        want_max = 2;
    } else if (strcmp(action, "list") != 0 && strcmp(action, "reset") != 0) {
        return cli_fail(IFU_EINVAL, "smp",
                        "unknown action '%s' (upload, list, test, confirm, "
                        "reset)",
                        action);
    }
    if (npos < want_min) {
        return cli_fail(IFU_EINVAL, action, "missing argument: %s",
                        strcmp(action, "upload") == 0 ? "IMAGE" : "HASH");
    }
    if (npos > want_max) {
        return cli_fail(IFU_EINVAL, action, "unexpected argument '%s'", pos[want_max]);
    }
    if (port == NULL) {
        return cli_fail(IFU_EINVAL, action, "missing option -p/--port");
    }
    if (upgrade && strcmp(action, "upload") != 0) {
        return cli_fail(IFU_EINVAL, "--upgrade", "only with upload");
    }
    struct smp_link l;
    int err = smp_link_open(&l, port, (int)timeout);
    if (err) {
        return err;
    }
    if (strcmp(action, "upload") == 0) {
        err = do_upload(&l, pos[1], mtu, upgrade);
    } else if (strcmp(action, "list") == 0) {
        err = do_list(&l);
    } else if (strcmp(action, "test") == 0) {
        err = do_state_write(&l, "smp test", pos[1], 0);
    } else if (strcmp(action, "confirm") == 0) {
        err = do_state_write(&l, "smp confirm", npos > 1 ? pos[1] : NULL, 1);
    } else {
        err = do_reset(&l);
    }
    smp_link_close(&l);
    return err;
}
