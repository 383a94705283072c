/* `ifu sign` (alias `create`): options, with imgtool 2.4.0's names, choices
 * and value grammars. The image itself is built in build.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sign.h"

enum {
    O_HELP = 1,
    O_KEY,
    O_PUBKEY_FORMAT,
    O_ALIGN,
    O_VERSION,
    O_PAD_SIG,
    O_HEADER_SIZE,
    O_PAD_HEADER,
    O_SLOT_SIZE,
    O_PAD,
    O_CONFIRM,
    O_TEST,
    O_MAX_SECTORS,
    O_OVERWRITE_ONLY,
    O_ENDIAN,
    O_ENCRYPT_KEYLEN,
    O_ENCRYPT,
    O_COMPRESSION,
    O_CLEAR,
    O_DEPENDENCIES,
    O_HEX_ADDR,
    O_LOAD_ADDR,
    O_ROM_FIXED,
    O_ERASED_VAL,
    O_SAVE_ENCTLV,
    O_SEC_CNT,
    O_BOOT_RECORD,
    O_CUSTOM_TLV,
    O_CUSTOM_TLV_FILE,
    O_MAX_ALIGN,
    O_FIX_SIG,
    O_FIX_SIG_PUBKEY,
    O_SIG_OUT,
    O_SHA,
    O_HMAC_SHA,
    O_PURE,
    O_VECTOR,
    O_NON_BOOTABLE,
    O_VID,
    O_CID,
};

static const struct cli_opt sign_opts_table[] = {
    {"help", 'h', 0, O_HELP},
    {"key", 'k', 1, O_KEY},
    {"public-key-format", 0, 1, O_PUBKEY_FORMAT},
    {"align", 0, 1, O_ALIGN},
    {"version", 'v', 1, O_VERSION},
    {"pad-sig", 0, 0, O_PAD_SIG},
    {"header-size", 'H', 1, O_HEADER_SIZE},
    {"pad-header", 0, 0, O_PAD_HEADER},
    {"slot-size", 'S', 1, O_SLOT_SIZE},
    {"pad", 0, 0, O_PAD},
    {"confirm", 0, 0, O_CONFIRM},
    {"test", 0, 0, O_TEST},
    {"max-sectors", 'M', 1, O_MAX_SECTORS},
    {"overwrite-only", 0, 0, O_OVERWRITE_ONLY},
    {"endian", 'e', 1, O_ENDIAN},
    {"encrypt-keylen", 0, 1, O_ENCRYPT_KEYLEN},
    {"encrypt", 'E', 1, O_ENCRYPT},
    {"compression", 0, 1, O_COMPRESSION},
    {"clear", 'c', 0, O_CLEAR},
    {"dependencies", 'd', 1, O_DEPENDENCIES},
    {"hex-addr", 'x', 1, O_HEX_ADDR},
    {"load-addr", 'L', 1, O_LOAD_ADDR},
    {"rom-fixed", 'F', 1, O_ROM_FIXED},
    {"erased-val", 'R', 1, O_ERASED_VAL},
    {"save-enctlv", 0, 0, O_SAVE_ENCTLV},
    {"security-counter", 's', 1, O_SEC_CNT},
    {"boot-record", 0, 1, O_BOOT_RECORD},
    {"custom-tlv", 0, 2, O_CUSTOM_TLV},
    {"custom-tlv-file", 0, 2, O_CUSTOM_TLV_FILE},
    {"max-align", 0, 1, O_MAX_ALIGN},
    {"fix-sig", 0, 1, O_FIX_SIG},
    {"fix-sig-pubkey", 0, 1, O_FIX_SIG_PUBKEY},
    {"sig-out", 0, 1, O_SIG_OUT},
    {"sha", 0, 1, O_SHA},
    {"hmac-sha", 0, 1, O_HMAC_SHA},
    {"pure", 0, 0, O_PURE},
    {"vector-to-sign", 0, 1, O_VECTOR},
    {"non-bootable", 0, 0, O_NON_BOOTABLE},
    {"vid", 0, 1, O_VID},
    {"cid", 0, 1, O_CID},
    {NULL, 0, 0, 0},
};

static const char sign_help[] =
    "usage: ifu sign [options] INFILE OUTFILE\n"
    "\n"
    "Make an MCUboot image from INFILE, signed with -k KEY (or unsigned, with only the\n"
    "hash TLV, without -k). INFILE and OUTFILE are Intel HEX when their name ends in .hex,\n"
    "raw binary otherwise. The output is byte-identical to imgtool 2.4.0's.\n"
    "\n"
    "required:\n"
    "  -v, --version V         image version major.minor.revision+build (later parts optional)\n"
    "  -H, --header-size N     header size in bytes (>= 32)\n"
    "  -S, --slot-size N       slot size in bytes (the secondary slot's if they differ)\n"
    "key and signature:\n"
    "  -k, --key FILE          private key PEM to sign with\n"
    "  --public-key-format F   hash (KEYHASH TLV, default) or full (PUBKEY TLV)\n"
    "  --sha A                 auto, 256, 384 or 512: image hash (auto: the key's default)\n"
    "  --pure                  Ed25519 signature over the image bytes (SIG_PURE TLV)\n"
    "  --pad-sig               pad ECDSA signatures with zeros to 72/103 bytes (MCUboot < 1.5)\n"
    "  --vector-to-sign W      write only the bytes to sign externally: payload or digest\n"
    "  --fix-sig FILE          insert this base64 signature instead of signing (no -k)\n"
    "  --fix-sig-pubkey FILE   the public key of --fix-sig\n"
    "  --sig-out FILE          also write the signature, base64, to FILE\n"
    "header and protected TLVs:\n"
    "  --pad-header            prepend header-size erased bytes to INFILE (else INFILE must\n"
    "                          start with header-size zero bytes)\n"
    "  -s, --security-counter N|auto   SEC_CNT TLV (auto: major<<24 | minor<<16 | revision)\n"
    "  -d, --dependencies D    \"(ID,VERSION), ...\": DEPENDENCY TLVs\n"
    "  --boot-record SW_TYPE   CBOR boot record TLV (SW_TYPE at most 12 characters)\n"
    "  --custom-tlv TAG VALUE  protected TLV TAG (0xa0..0xfffe); VALUE 0x<hex> or a string\n"
    "  --custom-tlv-file TAG FILE   protected TLV with FILE's bytes\n"
    "  -L, --load-addr ADDR    RAM load address (sets RAM_LOAD)\n"
    "  -F, --rom-fixed ADDR    flash address the image is built for (sets ROM_FIXED)\n"
    "  --non-bootable          set NON_BOOTABLE\n"
    "  --vid ID, --cid ID      UUID_VID / UUID_CID TLVs (UUID, 32 hex digits, or a name)\n"
    "  -e, --endian E          little (default) or big\n"
    "padding and trailer:\n"
    "  --pad                   pad to the slot size and write the trailer magic\n"
    "  --confirm               --pad and mark the image confirmed (image_ok)\n"
    "  --test                  --pad for a test swap\n"
    "  --align N               flash write size for the trailer: 1, 2, 4, 8, 16, 32\n"
    "  --max-align N           largest write size of the slots: 8, 16, 32\n"
    "  -M, --max-sectors N     sectors the swap status covers (default 128)\n"
    "  --overwrite-only        trailer for overwrite-only upgrades\n"
    "  -R, --erased-val V      erased flash value: 0 or 0xff (default)\n"
    "  -x, --hex-addr ADDR     base address of a .hex OUTFILE\n"
    "not supported (refused): -E/--encrypt, --compression lzma2|lzma2armthumb\n"
    "accepted for compatibility, used only with -E: --encrypt-keylen, --hmac-sha, -c/--clear,\n"
    "  --save-enctlv\n";

/* Value of an option that has a fixed set of choices; index or error. */
static int choose(const char *opt, const char *val, const char *const *choices, int *index)
{
    for (int i = 0; choices[i] != NULL; i++) {
        if (strcmp(val, choices[i]) == 0) {
            *index = i;
            return 0;
        }
    }
    char list[256] = "";
    for (int i = 0; choices[i] != NULL; i++) {
        strncat(list, i > 0 ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    return cli_fail(IFU_EINVAL, opt, "'%s' is not one of: %s", val, list);
}

/* "auto" in any case, as imgtool's value.lower() == 'auto'. */
static int is_auto(const char *s)
{
    const char *want = "auto";
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != want[i]) {
            return 0;
        }
    }
    return s[4] == '\0';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* -d "(1,1.2.3), (2, 0.1)": imgtool takes every "(" followed by digits as an
 * image id and every "," + blanks + [0-9.+]+ + ")" as a version, and wants as
 * many of each. */
static int parse_deps(const char *text, struct sign_opts *o)
{
    const char *what = "--dependencies";
    size_t nids = 0;
    size_t nvers = 0;
    uint64_t ids[256] = {0};
    char *vers[256] = {NULL};
    int err = 0;

    for (const char *p = text; *p != '\0'; p++) {
        if (p[0] == '(' && p[1] >= '0' && p[1] <= '9') {
            const char *q = p + 1;
            uint64_t v = 0;
            while (*q >= '0' && *q <= '9') {
                v = v > 1000 ? v : v * 10 + (uint64_t)(*q - '0');
                q++;
            }
            if (nids == 256) {
                return cli_fail(IFU_EINVAL, what, "too many dependencies");
            }
            ids[nids++] = v;
            p = q - 1;
        }
    }
    for (const char *p = text; *p != '\0'; p++) {
        if (*p != ',') {
            continue;
        }
        const char *q = p + 1;
        while (is_space(*q)) {
            q++;
        }
        const char *start = q;
        while ((*q >= '0' && *q <= '9') || *q == '.' || *q == '+') {
            q++;
        }
        if (q > start && *q == ')') {
            if (nvers == 256) {
                err = cli_fail(IFU_EINVAL, what, "too many dependencies");
                break;
            }
            vers[nvers] = cli_alloc((size_t)(q - start) + 1);
            memcpy(vers[nvers], start, (size_t)(q - start));
            vers[nvers][q - start] = '\0';
            nvers++;
            p = q;
        }
    }
    if (!err && nids == 0) {
        err = cli_fail(IFU_EINVAL, what, "'%s' is not \"(ID,VERSION), ...\"", text);
    }
    if (!err && nids != nvers) {
        err = cli_fail(IFU_EINVAL, what, "'%s' has %zu image ids but %zu versions", text, nids,
                       nvers);
    }
    if (!err) {
        o->deps = cli_alloc(nids * sizeof *o->deps);
        o->ndeps = nids;
        for (size_t i = 0; i < nids && !err; i++) {
            if (ids[i] > 255) {
                err = cli_fail(IFU_EINVAL, what, "image id %llu is above 255",
                               (unsigned long long)ids[i]);
                break;
            }
            o->deps[i].image_id = (uint8_t)ids[i];
            err = cli_parse_version(vers[i], what, &o->deps[i].version);
        }
    }
    for (size_t i = 0; i < nvers; i++) {
        free(vers[i]);
    }
    return err;
}

/* bytes.fromhex(): pairs of hex digits, blanks allowed between pairs. */
static int parse_hex_bytes(const char *text, struct cli_buf *out)
{
    for (size_t i = 0; text[i] != '\0';) {
        if (is_space(text[i])) {
            i++;
            continue;
        }
        int hi = -1;
        int lo = -1;
        char c = text[i];
        char d = text[i + 1];
        const char *hexd = "0123456789abcdef0123456789ABCDEF";
        const char *ph = c != '\0' ? strchr(hexd, c) : NULL;
        const char *pl = d != '\0' ? strchr(hexd, d) : NULL;
        if (ph != NULL && pl != NULL) {
            hi = (int)((ph - hexd) % 16);
            lo = (int)((pl - hexd) % 16);
        }
        if (hi < 0 || lo < 0) {
            return IFU_EINVAL;
        }
        cli_buf_put_u8(out, (uint8_t)(hi << 4 | lo));
        i += 2;
    }
    return 0;
}

static int add_custom(struct sign_opts *o, const char *tag_text, const char *value, int is_file)
{
    const char *what = is_file ? "--custom-tlv-file" : "--custom-tlv";
    uint64_t tag;
    int err = cli_parse_uint(tag_text, UINT64_MAX, what, &tag);
    if (err) {
        return err;
    }
    for (size_t i = 0; i < o->ncustom; i++) {
        if (o->custom[i].tag == tag) {
            return cli_fail(IFU_EINVAL, what, "custom TLV 0x%llx given twice",
                            (unsigned long long)tag);
        }
    }
    static const uint8_t predefined[] = {0x01, 0x02, 0x10, 0x11, 0x12, 0x20, 0x22, 0x23,
                                         0x24, 0x25, 0x30, 0x31, 0x32, 0x33, 0x34, 0x40,
                                         0x50, 0x60, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75};
    for (size_t i = 0; i < sizeof predefined; i++) {
        if (tag == predefined[i]) {
            return cli_fail(IFU_EINVAL, what, "custom TLV 0x%llx is a predefined TLV type",
                            (unsigned long long)tag);
        }
    }
    /* Types below 0xa0 are MCUboot's own; 0xffff is reserved. */
    if (tag < 0xa0 || tag > 0xfffe) {
        return cli_fail(IFU_EINVAL, what, "custom TLV type 0x%04llx is outside 0x00a0..0xfffe",
                        (unsigned long long)tag);
    }
    struct cli_buf val = {0};
    if (is_file) {
        err = cli_file_read(value, &val);
    } else if (strncmp(value, "0x", 2) == 0) {
        if (strlen(value + 2) % 2 != 0) {
            err = cli_fail(IFU_EINVAL, what, "'%s': odd number of hex digits", value);
        } else if (parse_hex_bytes(value + 2, &val) != 0) {
            err = cli_fail(IFU_EINVAL, what, "'%s' is not hex bytes", value);
        }
    } else {
        cli_buf_put(&val, value, strlen(value));
    }
    if (!err && val.len > 0xffff) {
        err = cli_fail(IFU_EINVAL, what, "TLV 0x%llx value is %zu bytes (at most 65535)",
                       (unsigned long long)tag, val.len);
    }
    if (err) {
        cli_buf_free(&val);
        return err;
    }
    o->custom = cli_realloc(o->custom, (o->ncustom + 1) * sizeof *o->custom);
    o->custom[o->ncustom].tag = (uint16_t)tag;
    o->custom[o->ncustom].value = val.data != NULL ? val.data : cli_alloc(1);
    o->custom[o->ncustom].len = val.len;
    o->ncustom++;
    return 0;
}

static int parse_u32(const char *opt, const char *val, uint32_t *out)
{
    uint64_t v;
    int err = cli_parse_uint(val, UINT32_MAX, opt, &v);
    if (!err) {
        *out = (uint32_t)v;
    }
    return err;
}

static void free_opts(struct sign_opts *o)
{
    for (size_t i = 0; i < o->ncustom; i++) {
        free(o->custom[i].value);
    }
    free(o->custom);
    free(o->deps);
}

/* see cli.h */
int cli_cmd_sign(int argc, char **argv)
{
    static const char *const pk_formats[] = {"hash", "full", NULL};
    static const char *const aligns[] = {"1", "2", "4", "8", "16", "32", NULL};
    static const char *const max_aligns[] = {"8", "16", "32", NULL};
    static const char *const endians[] = {"little", "big", NULL};
    static const char *const keylens[] = {"128", "256", NULL};
    static const char *const compressions[] = {"disabled", "lzma2", "lzma2armthumb", NULL};
    static const char *const erased[] = {"0", "0xff", NULL};
    static const char *const shas[] = {"auto", "256", "384", "512", NULL};
    static const char *const hmac_shas[] = {"auto", "256", "512", NULL};
    static const char *const vectors[] = {"payload", "digest", NULL};

    struct sign_opts o;
    struct cli_optparse p;
    const char *vals[2];
    const char *pos[2] = {NULL, NULL};
    const char *tlv_file_args[64][2];
    size_t n_tlv_files = 0;
    int npos = 0;
    int have_version = 0;
    int have_header = 0;
    int have_slot = 0;
    const char *encrypt = NULL;
    int compression = 0;
    int err = 0;
    int id;

    memset(&o, 0, sizeof o);
    o.align = 1;
    o.erased_val = 0xff;
    cli_opt_init(&p, "sign", argc, argv);
    while (!err && (id = cli_opt_next(&p, sign_opts_table, vals)) != CLI_OPT_END) {
        int ix = 0;
        uint64_t v = 0;
        if (id < 0 && id != CLI_OPT_POSITIONAL) {
            err = id;
            break;
        }
        switch (id) {
        case CLI_OPT_POSITIONAL:
            if (npos == 2) {
                err = cli_fail(IFU_EINVAL, "sign", "unexpected argument '%s'", vals[0]);
            } else {
                pos[npos++] = vals[0];
            }
            break;
        case O_HELP:
            fputs(sign_help, stdout);
            free_opts(&o);
            return 0;
        case O_KEY:
            o.key_path = vals[0];
            break;
        case O_PUBKEY_FORMAT:
            err = choose("--public-key-format", vals[0], pk_formats, &ix);
            o.pubkey_full = ix == 1;
            break;
        case O_ALIGN:
            err = choose("--align", vals[0], aligns, &ix);
            o.align = 1u << ix;
            break;
        case O_VERSION:
            err = cli_parse_version(vals[0], "--version", &o.version);
            have_version = 1;
            break;
        case O_PAD_SIG:
            o.pad_sig = 1;
            break;
        case O_HEADER_SIZE:
            err = cli_parse_uint(vals[0], UINT64_MAX, "--header-size", &v);
            if (!err && v < IFU_IMAGE_HEADER_SIZE) {
                err = cli_fail(IFU_EINVAL, "--header-size", "'%s' is below the minimum, %u",
                               vals[0], IFU_IMAGE_HEADER_SIZE);
            } else if (!err && v > 0xffff) {
                err = cli_fail(IFU_EINVAL, "--header-size",
                               "'%s' is above 0xffff (a 16-bit "
                               "header field)",
                               vals[0]);
            }
            o.header_size = (uint32_t)v;
            have_header = 1;
            break;
        case O_PAD_HEADER:
            o.pad_header = 1;
            break;
        case O_SLOT_SIZE:
            err = parse_u32("--slot-size", vals[0], &o.slot_size);
            have_slot = 1;
            break;
        case O_PAD:
            o.pad = 1;
            break;
        case O_CONFIRM:
            o.confirm = 1;
            break;
        case O_TEST:
            o.test = 1;
            break;
        case O_MAX_SECTORS:
            err = cli_parse_dec(vals[0], 0xffffff, "--max-sectors", &v);
            o.max_sectors = (uint32_t)v;
            o.has_max_sectors = 1;
            break;
        case O_OVERWRITE_ONLY:
            o.overwrite_only = 1;
            break;
        case O_ENDIAN:
            err = choose("--endian", vals[0], endians, &ix);
            o.big_endian = ix == 1;
            break;
        case O_ENCRYPT_KEYLEN:
            err = choose("--encrypt-keylen", vals[0], keylens, &ix);
            break;
        case O_ENCRYPT:
            encrypt = vals[0];
            break;
        case O_COMPRESSION:
            err = choose("--compression", vals[0], compressions, &compression);
            break;
        case O_CLEAR:
        case O_SAVE_ENCTLV:
            break;
        case O_DEPENDENCIES:
            free(o.deps);
            o.deps = NULL;
            err = parse_deps(vals[0], &o);
            break;
        case O_HEX_ADDR:
            err = cli_parse_uint(vals[0], UINT32_MAX, "--hex-addr", &o.hex_addr);
            o.has_hex_addr = 1;
            break;
        case O_LOAD_ADDR:
            err = parse_u32("--load-addr", vals[0], &o.load_addr);
            break;
        case O_ROM_FIXED:
            err = parse_u32("--rom-fixed", vals[0], &o.rom_fixed);
            break;
        case O_ERASED_VAL:
            err = choose("--erased-val", vals[0], erased, &ix);
            o.erased_val = ix == 0 ? 0x00 : 0xff;
            break;
        case O_SEC_CNT:
            if (is_auto(vals[0])) {
                o.sec_cnt_mode = SEC_CNT_AUTO;
            } else {
                err = parse_u32("--security-counter", vals[0], &o.sec_cnt);
                o.sec_cnt_mode = SEC_CNT_VALUE;
            }
            break;
        case O_BOOT_RECORD:
            o.boot_record = vals[0];
            break;
        case O_CUSTOM_TLV:
            err = add_custom(&o, vals[0], vals[1], 0);
            break;
        case O_CUSTOM_TLV_FILE:
            /* imgtool adds these after every --custom-tlv. */
            if (n_tlv_files == sizeof tlv_file_args / sizeof tlv_file_args[0]) {
                err = cli_fail(IFU_EINVAL, "--custom-tlv-file", "too many");
            } else {
                tlv_file_args[n_tlv_files][0] = vals[0];
                tlv_file_args[n_tlv_files][1] = vals[1];
                n_tlv_files++;
            }
            break;
        case O_MAX_ALIGN:
            err = choose("--max-align", vals[0], max_aligns, &ix);
            o.max_align = 8u << ix;
            break;
        case O_FIX_SIG:
            o.fix_sig = vals[0];
            break;
        case O_FIX_SIG_PUBKEY:
            o.fix_sig_pubkey = vals[0];
            break;
        case O_SIG_OUT:
            o.sig_out = vals[0];
            break;
        case O_SHA:
            err = choose("--sha", vals[0], shas, &ix);
            o.sha = ix == 0 ? 0 : (unsigned)strtoul(shas[ix], NULL, 10);
            break;
        case O_HMAC_SHA:
            err = choose("--hmac-sha", vals[0], hmac_shas, &ix);
            break;
        case O_PURE:
            o.pure = 1;
            break;
        case O_VECTOR:
            err = choose("--vector-to-sign", vals[0], vectors, &ix);
            o.vector = ix == 0 ? VECTOR_PAYLOAD : VECTOR_DIGEST;
            break;
        case O_NON_BOOTABLE:
            o.non_bootable = 1;
            break;
        case O_VID:
            o.vid = vals[0];
            break;
        case O_CID:
            o.cid = vals[0];
            break;
        default:
            err = cli_fail(IFU_EINVAL, "sign", "internal: unhandled option");
            break;
        }
    }
    for (size_t i = 0; !err && i < n_tlv_files; i++) {
        err = add_custom(&o, tlv_file_args[i][0], tlv_file_args[i][1], 1);
    }
    if (!err) {
        if (npos < 2) {
            err = cli_fail(IFU_EINVAL, "sign",
                           "missing %s (usage: ifu sign [options] INFILE "
                           "OUTFILE)",
                           npos == 0 ? "INFILE and OUTFILE" : "OUTFILE");
        } else if (!have_version) {
            err = cli_fail(IFU_EINVAL, "sign", "missing option -v/--version");
        } else if (!have_header) {
            err = cli_fail(IFU_EINVAL, "sign", "missing option -H/--header-size");
        } else if (!have_slot) {
            err = cli_fail(IFU_EINVAL, "sign", "missing option -S/--slot-size");
        } else if (encrypt != NULL) {
            err = cli_fail(IFU_EUNSUPPORTED, "--encrypt",
                           "encrypted images are not supported "
                           "by ifu yet");
        } else if (o.vector != VECTOR_NONE && (o.pad || o.confirm || o.test)) {
            /* imgtool would pad the exported bytes to the slot and add a trailer,
             * which no signer wants. */
            err = cli_fail(IFU_EINVAL, "--vector-to-sign",
                           "cannot be combined with --pad, "
                           "--confirm or --test");
        } else if (compression != 0) {
            err = cli_fail(IFU_EUNSUPPORTED, "--compression",
                           "compressed images are not "
                           "supported by ifu yet");
        }
    }
    if (!err) {
        o.infile = pos[0];
        o.outfile = pos[1];
        if (o.confirm || o.test) {
            o.pad = 1; /* a trailer is where image_ok lives */
        }
        err = sign_build(&o);
    }
    free_opts(&o);
    return err;
}
