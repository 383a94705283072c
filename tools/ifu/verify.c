/* `ifu verify`, and the glue between image files and the device library's
 * verifier that `ifu info` shares. The verdict always comes from libifu
 * (ifu_image_verify), the code a device runs; OpenSSL only turns a PEM key
 * into the encoding the library takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* see cli.h */
const char *cli_hash_name(enum ifu_hash_alg alg)
{
    switch (alg) {
    case IFU_HASH_SHA256:
        return "sha256";
    case IFU_HASH_SHA384:
        return "sha384";
    case IFU_HASH_SHA512:
        return "sha512";
    default:
        return "none";
    }
}

/* see cli.h */
const char *cli_sig_name(enum ifu_sig_alg alg)
{
    switch (alg) {
    case IFU_SIG_RSA2048_PSS:
        return "rsa2048-pss";
    case IFU_SIG_RSA3072_PSS:
        return "rsa3072-pss";
    case IFU_SIG_ECDSA_P256:
        return "ecdsa-p256";
    case IFU_SIG_ECDSA_P384:
        return "ecdsa-p384";
    case IFU_SIG_ED25519:
        return "ed25519";
    default:
        return "none";
    }
}

/* see cli.h */
const char *cli_tlv_name(uint16_t type)
{
    switch (type) {
    case IFU_TLV_KEYHASH:
        return "KEYHASH";
    case IFU_TLV_PUBKEY:
        return "PUBKEY";
    case IFU_TLV_SHA256:
        return "SHA256";
    case IFU_TLV_SHA384:
        return "SHA384";
    case IFU_TLV_SHA512:
        return "SHA512";
    case IFU_TLV_RSA2048_PSS:
        return "RSA2048_PSS";
    case IFU_TLV_ECDSA224:
        return "ECDSA224";
    case IFU_TLV_ECDSA_SIG:
        return "ECDSA_SIG";
    case IFU_TLV_RSA3072_PSS:
        return "RSA3072_PSS";
    case IFU_TLV_ED25519:
        return "ED25519";
    case IFU_TLV_SIG_PURE:
        return "SIG_PURE";
    case IFU_TLV_ENC_RSA2048:
        return "ENC_RSA2048";
    case IFU_TLV_ENC_KW:
        return "ENC_KW";
    case IFU_TLV_ENC_EC256:
        return "ENC_EC256";
    case IFU_TLV_ENC_X25519:
        return "ENC_X25519";
    case IFU_TLV_ENC_X25519_SHA512:
        return "ENC_X25519_SHA512";
    case IFU_TLV_DEPENDENCY:
        return "DEPENDENCY";
    case IFU_TLV_SEC_CNT:
        return "SEC_CNT";
    case IFU_TLV_BOOT_RECORD:
        return "BOOT_RECORD";
    case IFU_TLV_DECOMP_SIZE:
        return "DECOMP_SIZE";
    case IFU_TLV_DECOMP_SHA:
        return "DECOMP_SHA";
    case IFU_TLV_DECOMP_SIGNATURE:
        return "DECOMP_SIGNATURE";
    case 0x73:
        return "COMP_DEC_SIZE";
    case 0x74:
        return "UUID_VID";
    case 0x75:
        return "UUID_CID";
    default:
        return type >= 0xa0 ? "CUSTOM" : "UNKNOWN";
    }
}

/* see cli.h */
int cli_verdict(int err)
{
    if (err == 0 || err == IFU_ECRYPTO) {
        return err;
    }
    return CLI_EREJECT;
}

/* see cli.h */
int cli_image_load(const char *path, struct cli_buf *b)
{
    int err;
    if (cli_is_hex_path(path)) {
        uint64_t base;
        int has_base;
        err = cli_hex_read(path, b, &base, &has_base);
    } else {
        err = cli_file_read(path, b);
    }
    if (!err && b->len > UINT32_MAX) {
        err = cli_fail(IFU_ENOSPC, path, "larger than 4 GiB: not an MCUboot image");
    }
    return err;
}

static int mem_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct cli_buf *b = ctx;
    if ((uint64_t)off + len > b->len) {
        return IFU_ETRUNC;
    }
    memcpy(buf, b->data + off, len);
    return 0;
}

/* see cli.h */
int cli_image_verify(const struct cli_buf *img, const struct cli_key *key, uint32_t flags,
                     const struct ifu_tlv_observer *observer, struct ifu_image_info *info)
{
    struct ifu_key k = {0};
    struct ifu_keyring ring = {&k, 1};
    struct ifu_image_reader reader = {mem_read, (void *)(uintptr_t)img};
    const struct ifu_keyring *keys = NULL;

    if (key != NULL) {
        /* cppcheck-suppress unreadVariable ; read through ring */
        k.pub = key->pub;
        /* cppcheck-suppress unreadVariable ; read through ring */
        k.pub_len = (uint32_t)key->pub_len;
        keys = &ring;
    }
    if (observer == NULL) {
        return ifu_image_verify(&reader, (uint32_t)img->len, keys, flags, IFU_HASHSET_ALL, info);
    }
    /* The streaming API, for its TLV observer. */
    struct ifu_verify v;
    int err = ifu_verify_begin(&v, keys, flags, IFU_HASHSET_ALL, 0, observer);
    if (!err) {
        err = ifu_verify_update(&v, img->data, (uint32_t)img->len);
    }
    if (err) {
        ifu_verify_abort(&v);
        if (info != NULL) {
            memset(info, 0, sizeof *info);
            info->key_index = -1;
        }
        return err;
    }
    return ifu_verify_finish(&v, &reader, info);
}

enum { V_HELP = 1, V_KEY };

static const struct cli_opt verify_table[] = {
    {"help", 'h', 0, V_HELP},
    {"key", 'k', 1, V_KEY},
    {NULL, 0, 0, 0},
};

static const char verify_help[] =
    "usage: ifu verify [-k KEY] FILE\n"
    "\n"
    "Check FILE (binary, or Intel HEX by extension) with the device library's verifier:\n"
    "the image hash, and with -k the key TLV and the signature. KEY is a PEM public or\n"
    "private key. Without -k only the hash is checked (a hash-only build's verdict).\n"
    "Prints \"FILE: OK (SIG, key KEYID)\" and exits 0, or prints the reason on stderr and\n"
    "exits 1 (KEYID: the first bytes of `ifu getpub -e hash`).\n";

/* see cli.h */
int cli_cmd_verify(int argc, char **argv)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *key_path = NULL;
    const char *file = NULL;
    int id;

    cli_opt_init(&p, "verify", argc, argv);
    while ((id = cli_opt_next(&p, verify_table, vals)) != CLI_OPT_END) {
        switch (id) {
        case V_HELP:
            fputs(verify_help, stdout);
            return 0;
        case V_KEY:
            key_path = vals[0];
            break;
        case CLI_OPT_POSITIONAL:
            if (file != NULL) {
                return cli_fail(IFU_EINVAL, "verify", "unexpected argument '%s'", vals[0]);
            }
            file = vals[0];
            break;
        default:
            return id;
        }
    }
    if (file == NULL) {
        return cli_fail(IFU_EINVAL, "verify", "missing FILE (usage: ifu verify [-k KEY] FILE)");
    }

    struct cli_key key;
    int have_key = 0;
    int err = 0;
    if (key_path != NULL) {
        err = cli_key_load(key_path, &key);
        if (err) {
            return err;
        }
        have_key = 1;
    }
    struct cli_buf img = {0};
    err = cli_image_load(file, &img);
    if (!err) {
        struct ifu_image_info info;
        uint32_t flags = have_key ? 0 : IFU_VERIFY_F_HASH_ONLY;
        err = cli_image_verify(&img, have_key ? &key : NULL, flags, NULL, &info);
        if (err) {
            cli_fail(err, file, "%s", ifu_strerror(err));
            err = cli_verdict(err);
        } else if (have_key) {
            uint8_t id_hash[32];
            char hex[65];
            err = cli_digest("SHA256", key.pub, key.pub_len, id_hash, NULL);
            if (!err) {
                cli_hex_string(id_hash, 8, hex);
                printf("%s: OK (%s%s, key %s)\n", file, cli_sig_name(info.sig_alg),
                       info.sig_pure ? " pure" : "", hex);
            }
        } else {
            printf("%s: OK (hash only, %s)\n", file, cli_hash_name(info.hash_alg));
        }
    }
    cli_buf_free(&img);
    if (have_key) {
        cli_key_free(&key);
    }
    return err;
}
