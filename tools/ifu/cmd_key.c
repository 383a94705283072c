/* Key commands: keygen, getpub, getpubhash (imgtool's names and options). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
    K_HELP = 1,
    K_KEY,
    K_TYPE,
    K_PASSWORD,
    K_ENCODING,
    K_LANG,
    K_OUTPUT,
    K_NAME_SUFFIX,
    K_REQUIRE,
};

/* ---- keygen ---- */

static const struct cli_opt keygen_table[] = {
    {"help", 'h', 0, K_HELP},         {"key", 'k', 1, K_KEY}, {"type", 't', 1, K_TYPE},
    {"password", 'p', 0, K_PASSWORD}, {NULL, 0, 0, 0},
};

static const char keygen_help[] =
    "usage: ifu keygen -k FILE -t TYPE [-p]\n"
    "\n"
    "Generate a private key and write it to FILE as PKCS#8 PEM (mode 0600). An existing\n"
    "FILE is replaced, as imgtool does; the write is atomic.\n"
    "\n"
    "  -k, --key FILE     where to write the key\n"
    "  -t, --type TYPE    rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, ed25519, x25519\n"
    "  -p, --password     ask for a passphrase and encrypt the key with it (PBES2, AES-256)\n";

static const enum cli_key_type all_types[] = {
    CLI_KEY_RSA2048, CLI_KEY_RSA3072, CLI_KEY_P256, CLI_KEY_P384, CLI_KEY_ED25519, CLI_KEY_X25519,
};

/* see cli.h */
int cli_cmd_keygen(int argc, char **argv)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *path = NULL;
    const char *type_name = NULL;
    int password = 0;
    int id;

    cli_opt_init(&p, "keygen", argc, argv);
    while ((id = cli_opt_next(&p, keygen_table, vals)) != CLI_OPT_END) {
        switch (id) {
        case K_HELP:
            fputs(keygen_help, stdout);
            return 0;
        case K_KEY:
            path = vals[0];
            break;
        case K_TYPE:
            type_name = vals[0];
            break;
        case K_PASSWORD:
            password = 1;
            break;
        case CLI_OPT_POSITIONAL:
            return cli_fail(IFU_EINVAL, "keygen", "unexpected argument '%s'", vals[0]);
        default:
            return id;
        }
    }
    if (path == NULL) {
        return cli_fail(IFU_EINVAL, "keygen", "missing option -k/--key");
    }
    if (type_name == NULL) {
        return cli_fail(IFU_EINVAL, "keygen", "missing option -t/--type");
    }
    int found = -1;
    for (size_t i = 0; i < sizeof all_types / sizeof all_types[0]; i++) {
        if (strcmp(type_name, cli_key_type_name(all_types[i])) == 0) {
            found = (int)i;
        }
    }
    if (found < 0) {
        return cli_fail(IFU_EINVAL, "--type",
                        "'%s' is not one of: rsa-2048, rsa-3072, "
                        "ecdsa-p256, ecdsa-p384, ed25519, x25519",
                        type_name);
    }
    char *pass = NULL;
    if (password) {
        int err = cli_read_passphrase("Enter passphrase: ", 1, &pass);
        if (err) {
            return err;
        }
    }
    int err = cli_key_generate(all_types[found], path, pass);
    if (pass != NULL) {
        memset(pass, 0, strlen(pass));
        free(pass);
    }
    return err;
}

/* ---- getpub / getpubhash ---- */

static const struct cli_opt getpub_table[] = {
    {"help", 'h', 0, K_HELP}, {"key", 'k', 1, K_KEY},       {"encoding", 'e', 1, K_ENCODING},
    {"lang", 'l', 1, K_LANG}, {"output", 'o', 1, K_OUTPUT}, {"name-suffix", 0, 1, K_NAME_SUFFIX},
    {NULL, 0, 0, 0},
};

static const char getpub_help[] =
    "usage: ifu getpub -k KEY [-e ENCODING] [-o FILE] [--name-suffix SUFFIX]\n"
    "\n"
    "Print the public key of KEY (a private or public PEM) on stdout or to FILE.\n"
    "\n"
    "  -e, --encoding E   lang-c (default): C array <type>_pub_key[] and <type>_pub_key_len\n"
    "                     lang-rust: Rust slice <TYPE>_PUB_KEY\n"
    "                     pem: SubjectPublicKeyInfo PEM\n"
    "                     raw: the key bytes as MCUboot embeds them (RSA: PKCS#1 DER,\n"
    "                          others: SubjectPublicKeyInfo DER)\n"
    "                     hash: SHA-256 of those bytes, hex (ifu only; the key id that\n"
    "                          `ifu verify` and `ifu info` show)\n"
    "                     c, rust: short for lang-c, lang-rust\n"
    "  -l, --lang L       c or rust (deprecated spelling of -e lang-c / lang-rust)\n"
    "  -o, --output FILE  write to FILE instead of stdout\n"
    "  --name-suffix S    append S ([A-Za-z0-9_]*) to the C/Rust identifiers\n";

static const char getpubhash_help[] =
    "usage: ifu getpubhash -k KEY [-e lang-c|raw] [-o FILE] [--name-suffix SUFFIX]\n"
    "\n"
    "Print the SHA-256 of KEY's public key bytes (the value MCUboot's key hash checks):\n"
    "as a C array <type>_pub_key_hash[] (lang-c, default) or as 32 raw bytes (raw).\n";

enum encoding { ENC_C, ENC_RUST, ENC_PEM, ENC_RAW, ENC_HASH };

/* printf into a new string. */
static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = cli_alloc(n > 0 ? (size_t)n + 1 : 1);
    s[0] = '\0';
    va_start(ap, fmt);
    if (n > 0) {
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    }
    va_end(ap);
    return s;
}

static char *upper_dup(const char *s)
{
    char *u = cli_strdup(s);
    for (char *p = u; *p != '\0'; p++) {
        if (*p >= 'a' && *p <= 'z') {
            *p = (char)(*p - 'a' + 'A');
        }
    }
    return u;
}

/* imgtool's C and Rust arrays: 8 bytes per line, each "0x%02x,". */
static void emit_array(struct cli_buf *out, const char *head, const char *tail, const uint8_t *data,
                       size_t len, const char *len_name)
{
    char line[64];
    cli_buf_put(out, "/* Autogenerated by ifu, do not edit. */\n",
                strlen("/* Autogenerated by ifu, do not edit. */\n"));
    cli_buf_put(out, head, strlen(head));
    for (size_t i = 0; i < len; i++) {
        const char *sep = i % 8 == 0 ? "\n    " : " ";
        cli_buf_put(out, sep, strlen(sep));
        snprintf(line, sizeof line, "0x%02x,", data[i]);
        cli_buf_put(out, line, strlen(line));
    }
    cli_buf_put_u8(out, '\n');
    cli_buf_put(out, tail, strlen(tail));
    cli_buf_put_u8(out, '\n');
    if (len_name != NULL) {
        snprintf(line, sizeof line, " = %zu;\n", len);
        cli_buf_put(out, "const unsigned int ", strlen("const unsigned int "));
        cli_buf_put(out, len_name, strlen(len_name));
        cli_buf_put(out, line, strlen(line));
    }
}

static int write_out(const char *output, const struct cli_buf *out)
{
    if (output != NULL) {
        return cli_file_write_atomic(output, out->data, out->len, 0666);
    }
    if (out->len > 0 && fwrite(out->data, 1, out->len, stdout) != out->len) {
        return cli_fail(IFU_EIO, "stdout", "write failed");
    }
    return 0;
}

static int valid_suffix(const char *s)
{
    for (; *s != '\0'; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_')) {
            return 0;
        }
    }
    return 1;
}

static int getpub_common(int argc, char **argv, int hash_cmd)
{
    const char *cmd = hash_cmd ? "getpubhash" : "getpub";
    struct cli_optparse p;
    const char *vals[2];
    const char *key_path = NULL;
    const char *enc_text = NULL;
    const char *lang = NULL;
    const char *output = NULL;
    const char *suffix = "";
    int id;

    cli_opt_init(&p, cmd, argc, argv);
    while ((id = cli_opt_next(&p, getpub_table, vals)) != CLI_OPT_END) {
        switch (id) {
        case K_HELP:
            fputs(hash_cmd ? getpubhash_help : getpub_help, stdout);
            return 0;
        case K_KEY:
            key_path = vals[0];
            break;
        case K_ENCODING:
            enc_text = vals[0];
            break;
        case K_LANG:
            if (hash_cmd) {
                return cli_fail(IFU_EINVAL, cmd, "no such option: -l/--lang");
            }
            lang = vals[0];
            break;
        case K_OUTPUT:
            output = vals[0];
            break;
        case K_NAME_SUFFIX:
            suffix = vals[0];
            break;
        case CLI_OPT_POSITIONAL:
            return cli_fail(IFU_EINVAL, cmd, "unexpected argument '%s'", vals[0]);
        default:
            return id;
        }
    }
    if (key_path == NULL) {
        return cli_fail(IFU_EINVAL, cmd, "missing option -k/--key");
    }
    if (!valid_suffix(suffix)) {
        return cli_fail(IFU_EINVAL, "--name-suffix", "'%s' may contain only [A-Za-z0-9_]", suffix);
    }

    enum encoding enc = ENC_C;
    if (enc_text != NULL && lang != NULL) {
        return cli_fail(IFU_EINVAL, cmd, "give only one of -e/--encoding and -l/--lang");
    }
    if (lang != NULL) {
        if (strcmp(lang, "c") == 0) {
            enc = ENC_C;
        } else if (strcmp(lang, "rust") == 0) {
            enc = ENC_RUST;
        } else {
            return cli_fail(IFU_EINVAL, "--lang", "'%s' is not one of: c, rust", lang);
        }
    } else if (enc_text != NULL) {
        if (strcmp(enc_text, "lang-c") == 0 || strcmp(enc_text, "c") == 0) {
            enc = ENC_C;
        } else if (!hash_cmd &&
                   (strcmp(enc_text, "lang-rust") == 0 || strcmp(enc_text, "rust") == 0)) {
            enc = ENC_RUST;
        } else if (!hash_cmd && strcmp(enc_text, "pem") == 0) {
            enc = ENC_PEM;
        } else if (strcmp(enc_text, "raw") == 0) {
            enc = ENC_RAW;
        } else if (!hash_cmd && strcmp(enc_text, "hash") == 0) {
            enc = ENC_HASH;
        } else {
            return cli_fail(IFU_EINVAL, "--encoding", "'%s' is not one of: %s", enc_text,
                            hash_cmd ? "lang-c, raw" : "lang-c, lang-rust, pem, raw, hash");
        }
    }
    if (suffix[0] != '\0' && (enc == ENC_PEM || enc == ENC_RAW || enc == ENC_HASH)) {
        return cli_fail(IFU_EINVAL, "--name-suffix", "only applies to C and Rust output");
    }

    struct cli_key key;
    int err = cli_key_load(key_path, &key);
    if (err) {
        return err;
    }
    struct cli_buf out = {0};
    const char *shortname = cli_key_shortname(key.type);
    char *head = NULL;
    char *len_name = NULL;
    uint8_t hash[64];
    char hex[129];

    if (hash_cmd || enc == ENC_HASH) {
        err = cli_digest("SHA256", key.pub, key.pub_len, hash, NULL);
    }
    if (!err && hash_cmd) {
        if (enc == ENC_RAW) {
            cli_buf_put(&out, hash, 32);
        } else {
            head = str_printf("const unsigned char %s_pub_key_hash%s[] = {", shortname, suffix);
            len_name = str_printf("%s_pub_key_hash%s_len", shortname, suffix);
            emit_array(&out, head, "};", hash, 32, len_name);
        }
    } else if (!err) {
        switch (enc) {
        case ENC_C:
            head = str_printf("const unsigned char %s_pub_key%s[] = {", shortname, suffix);
            len_name = str_printf("%s_pub_key%s_len", shortname, suffix);
            emit_array(&out, head, "};", key.pub, key.pub_len, len_name);
            break;
        case ENC_RUST: {
            char *upper = upper_dup(shortname);
            char *usuffix = upper_dup(suffix);
            head = str_printf("static %s_PUB_KEY%s: &[u8] = &[", upper, usuffix);
            emit_array(&out, head, "];", key.pub, key.pub_len, NULL);
            free(upper);
            free(usuffix);
            break;
        }
        case ENC_PEM: {
            char *pem = NULL;
            err = cli_key_public_pem(&key, &pem);
            if (!err) {
                cli_buf_put(&out, pem, strlen(pem));
                free(pem);
            }
            break;
        }
        case ENC_RAW:
            cli_buf_put(&out, key.pub, key.pub_len);
            break;
        case ENC_HASH:
            cli_hex_string(hash, 32, hex);
            cli_buf_put(&out, hex, strlen(hex));
            cli_buf_put_u8(&out, '\n');
            break;
        }
    }
    free(head);
    free(len_name);
    if (!err) {
        err = write_out(output, &out);
    }
    cli_buf_free(&out);
    cli_key_free(&key);
    return err;
}

/* see cli.h */
int cli_cmd_getpub(int argc, char **argv)
{
    return getpub_common(argc, argv, 0);
}

/* see cli.h */
int cli_cmd_getpubhash(int argc, char **argv)
{
    return getpub_common(argc, argv, 1);
}

/* ---- keyinfo ---- */

static const struct cli_opt keyinfo_table[] = {
    {"help", 'h', 0, K_HELP},
    {"key", 'k', 1, K_KEY},
    {"require", 0, 1, K_REQUIRE},
    {NULL, 0, 0, 0},
};

static const char keyinfo_help[] =
    "usage: ifu keyinfo -k KEY [--require private|public]\n"
    "\n"
    "Print \"private\" if KEY is a key pair PEM, \"public\" if it holds only the public key.\n"
    "With --require, exit with status 2 when the key is not of that kind.\n";

/* see cli.h */
int cli_cmd_keyinfo(int argc, char **argv)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *key_path = NULL;
    const char *require = NULL;
    int id;

    cli_opt_init(&p, "keyinfo", argc, argv);
    while ((id = cli_opt_next(&p, keyinfo_table, vals)) != CLI_OPT_END) {
        switch (id) {
        case K_HELP:
            fputs(keyinfo_help, stdout);
            return 0;
        case K_KEY:
            key_path = vals[0];
            break;
        case K_REQUIRE:
            require = vals[0];
            break;
        case CLI_OPT_POSITIONAL:
            return cli_fail(IFU_EINVAL, "keyinfo", "unexpected argument '%s'", vals[0]);
        default:
            return id;
        }
    }
    if (key_path == NULL) {
        return cli_fail(IFU_EINVAL, "keyinfo", "missing option -k/--key");
    }
    if (require != NULL && strcmp(require, "private") != 0 && strcmp(require, "public") != 0) {
        return cli_fail(IFU_EINVAL, "--require", "'%s' is not one of: private, public", require);
    }
    struct cli_key key;
    int err = cli_key_load(key_path, &key);
    if (err) {
        return err;
    }
    const char *kind = key.is_private ? "private" : "public";
    cli_key_free(&key);
    printf("%s\n", kind);
    if (require != NULL && strcmp(require, kind) != 0) {
        return cli_fail(IFU_EINVAL, key_path, "is a %s key, %s was required", kind, require);
    }
    return 0;
}
