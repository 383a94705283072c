/* Keys through OpenSSL 3: load, encode, sign, generate.
 *
 * The encodings follow what MCUboot's imgtool puts in images and prints:
 * RSA public keys as PKCS#1 RSAPublicKey DER, the others as
 * SubjectPublicKeyInfo DER; private keys are written as PKCS#8 PEM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cli.h"

/* Longest passphrase read from the terminal, bytes. */
#define PASS_MAX 1024

struct type_info {
    enum cli_key_type type;
    const char *name;      /* keygen -t */
    const char *shortname; /* imgtool's C/Rust identifier base */
    enum ifu_sig_alg sig;
};

static const struct type_info types[] = {
    {CLI_KEY_RSA2048, "rsa-2048", "rsa", IFU_SIG_RSA2048_PSS},
    {CLI_KEY_RSA3072, "rsa-3072", "rsa", IFU_SIG_RSA3072_PSS},
    {CLI_KEY_P256, "ecdsa-p256", "ecdsa", IFU_SIG_ECDSA_P256},
    {CLI_KEY_P384, "ecdsa-p384", "ecdsap384", IFU_SIG_ECDSA_P384},
    {CLI_KEY_ED25519, "ed25519", "ed25519", IFU_SIG_ED25519},
    {CLI_KEY_X25519, "x25519", "x25519", IFU_SIG_NONE},
};

static const struct type_info *info_of(enum cli_key_type type)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (types[i].type == type) {
            return &types[i];
        }
    }
    return &types[0];
}

/* see cli.h */
const char *cli_key_type_name(enum cli_key_type type)
{
    return info_of(type)->name;
}

/* see cli.h */
const char *cli_key_shortname(enum cli_key_type type)
{
    return info_of(type)->shortname;
}

/* see cli.h */
enum ifu_sig_alg cli_key_sig_alg(enum cli_key_type type)
{
    return info_of(type)->sig;
}

/* The first OpenSSL error, for messages; "unknown" if the queue is empty. */
static const char *ossl_reason(void)
{
    static char text[256];
    unsigned long e = ERR_peek_last_error();
    if (e == 0) {
        return "unknown OpenSSL error";
    }
    ERR_error_string_n(e, text, sizeof text);
    ERR_clear_error();
    return text;
}

/* see cli.h */
int cli_read_passphrase(const char *prompt, int verify, char **pass)
{
    char *buf = cli_alloc(PASS_MAX);
    if (EVP_read_pw_string(buf, PASS_MAX, prompt, verify) != 0) {
        OPENSSL_cleanse(buf, PASS_MAX);
        free(buf);
        return cli_fail(IFU_EIO, "passphrase", "cannot read it from the terminal%s",
                        verify ? " (or the two entries differ)" : "");
    }
    *pass = buf;
    return 0;
}

struct pass_ctx {
    const char *path;
    int may_prompt; /* 0: behave as if there were no terminal */
    int asked;
    int no_terminal; /* the passphrase could not be read */
    char pass[PASS_MAX];
};

/* PEM passphrase callback: asked only for an encrypted key, and only once
 * (OpenSSL may call it again while it tries other decoders). */
static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    struct pass_ctx *ctx = u;
    (void)rwflag;
    if (!ctx->asked) {
        ctx->asked = 1;
        char prompt[512];
        snprintf(prompt, sizeof prompt, "Enter passphrase for %s: ", ctx->path);
        if (!ctx->may_prompt || EVP_read_pw_string(ctx->pass, PASS_MAX, prompt, 0) != 0) {
            ctx->no_terminal = 1;
        }
    }
    size_t n = strlen(ctx->pass);
    if (ctx->no_terminal || size < 0 || n > (size_t)size) {
        return -1;
    }
    memcpy(buf, ctx->pass, n);
    return (int)n;
}

/* Classify pkey; 0 or IFU_ENOKEY with a message. */
static int classify(const char *path, EVP_PKEY *pkey, enum cli_key_type *type)
{
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        int bits = EVP_PKEY_get_bits(pkey);
        if (bits == 2048) {
            *type = CLI_KEY_RSA2048;
        } else if (bits == 3072) {
            *type = CLI_KEY_RSA3072;
        } else {
            return cli_fail(IFU_ENOKEY, path, "RSA-%d key: only RSA-2048 and RSA-3072 work", bits);
        }
        return 0;
    }
    if (EVP_PKEY_is_a(pkey, "EC")) {
        char group[64] = "";
        if (EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL) != 1) {
            return cli_fail(IFU_ENOKEY, path, "EC key without a named curve");
        }
        if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0 ||
            strcmp(group, "secp256r1") == 0) {
            *type = CLI_KEY_P256;
        } else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0) {
            *type = CLI_KEY_P384;
        } else {
            return cli_fail(IFU_ENOKEY, path, "EC curve %s: only P-256 and P-384 are supported",
                            group);
        }
        return 0;
    }
    if (EVP_PKEY_is_a(pkey, "ED25519")) {
        *type = CLI_KEY_ED25519;
        return 0;
    }
    if (EVP_PKEY_is_a(pkey, "X25519")) {
        *type = CLI_KEY_X25519;
        return 0;
    }
    return cli_fail(IFU_ENOKEY, path, "unsupported key type %s", EVP_PKEY_get0_type_name(pkey));
}

/* The public key in imgtool's PUBKEY encoding. */
static int encode_public(const char *path, EVP_PKEY *pkey, enum cli_key_type type, uint8_t **out,
                         size_t *out_len)
{
    unsigned char *der = NULL;
    int len;
    if (type == CLI_KEY_RSA2048 || type == CLI_KEY_RSA3072) {
        len = i2d_PublicKey(pkey, &der); /* PKCS#1 RSAPublicKey for RSA */
    } else {
        if (type == CLI_KEY_P256 || type == CLI_KEY_P384) {
            /* The point as imgtool writes it: uncompressed. */
            EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                           "uncompressed");
        }
        len = i2d_PUBKEY(pkey, &der);
    }
    if (len <= 0) {
        return cli_fail(IFU_ENOKEY, path, "cannot encode the public key: %s", ossl_reason());
    }
    *out = cli_alloc((size_t)len);
    memcpy(*out, der, (size_t)len);
    *out_len = (size_t)len;
    OPENSSL_free(der);
    return 0;
}

/* A PKCS#1 "RSA PUBLIC KEY" PEM, which imgtool also accepts. */
static EVP_PKEY *decode_rsa_public(const uint8_t *pem, size_t pem_len)
{
    EVP_PKEY *pkey = NULL;
    OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", "type-specific", "RSA",
                                                           EVP_PKEY_PUBLIC_KEY, NULL, NULL);
    if (dctx == NULL) {
        return NULL;
    }
    const unsigned char *p = pem;
    size_t left = pem_len;
    if (OSSL_DECODER_from_data(dctx, &p, &left) != 1) {
        pkey = NULL;
    }
    OSSL_DECODER_CTX_free(dctx);
    return pkey;
}

/* see cli.h */
int cli_key_load(const char *path, struct cli_key *key)
{
    struct cli_buf pem = {0};
    memset(key, 0, sizeof *key);
    int err = cli_file_read(path, &pem);
    if (!err) {
        err = cli_key_parse(path, pem.data, pem.len, 1, key);
    }
    cli_buf_free(&pem);
    return err;
}

/* see cli.h */
int cli_key_parse(const char *path, const uint8_t *text, size_t len, int may_prompt,
                  struct cli_key *key)
{
    int err;
    memset(key, 0, sizeof *key);
    if (len > INT32_MAX) {
        return cli_fail(IFU_ENOKEY, path, "not a PEM key (file too large)");
    }

    struct pass_ctx pctx;
    memset(&pctx, 0, sizeof pctx);
    pctx.path = path;
    pctx.may_prompt = may_prompt;
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    EVP_PKEY *pkey = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, pass_cb, &pctx) : NULL;
    BIO_free(bio);
    OPENSSL_cleanse(pctx.pass, sizeof pctx.pass);
    int is_private = pkey != NULL;
    if (pkey == NULL && pctx.asked) {
        ERR_clear_error();
        return cli_fail(IFU_ENOKEY, path, "%s",
                        pctx.no_terminal ? "encrypted key, and no terminal to ask the passphrase on"
                                         : "cannot decrypt the private key (wrong passphrase?)");
    }
    if (pkey == NULL) {
        ERR_clear_error();
        bio = BIO_new_mem_buf(text, (int)len);
        pkey = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    }
    if (pkey == NULL) {
        ERR_clear_error();
        pkey = decode_rsa_public(text, len);
    }
    if (pkey == NULL) {
        ERR_clear_error();
        return cli_fail(IFU_ENOKEY, path, "not a PEM private or public key");
    }

    err = classify(path, pkey, &key->type);
    if (!err) {
        err = encode_public(path, pkey, key->type, &key->pub, &key->pub_len);
    }
    if (err) {
        EVP_PKEY_free(pkey);
        return err;
    }
    key->pkey = pkey;
    key->is_private = is_private;
    return 0;
}

/* see cli.h */
void cli_key_free(struct cli_key *key)
{
    EVP_PKEY_free(key->pkey);
    free(key->pub);
    memset(key, 0, sizeof *key);
}

/* see cli.h */
int cli_digest(const char *md_name, const void *data, size_t len, uint8_t *out, size_t *out_len)
{
    EVP_MD *md = EVP_MD_fetch(NULL, md_name, NULL);
    unsigned int n = 0;
    int ok = md != NULL && EVP_Digest(data, len, out, &n, md, NULL) == 1;
    EVP_MD_free(md);
    if (!ok) {
        return cli_fail(IFU_ECRYPTO, md_name, "digest failed: %s", ossl_reason());
    }
    if (out_len != NULL) {
        *out_len = n;
    }
    return 0;
}

static int sign_ed25519(EVP_PKEY *pkey, const uint8_t *msg, size_t msg_len, uint8_t **sig,
                        size_t *sig_len)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    size_t n = 64;
    *sig = cli_alloc(n);
    int ok = mctx != NULL && EVP_DigestSignInit(mctx, NULL, NULL, NULL, pkey) == 1 &&
             EVP_DigestSign(mctx, *sig, &n, msg, msg_len) == 1;
    EVP_MD_CTX_free(mctx);
    *sig_len = n;
    return ok ? 0 : IFU_ECRYPTO;
}

static int sign_digest(const struct cli_key *key, const uint8_t *digest, size_t digest_len,
                       uint8_t **sig, size_t *sig_len)
{
    EVP_PKEY *pkey = key->pkey;
    int rsa = key->type == CLI_KEY_RSA2048 || key->type == CLI_KEY_RSA3072;
    const char *md_name = key->type == CLI_KEY_P384 ? "SHA384" : "SHA256";
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    EVP_MD *md = EVP_MD_fetch(NULL, md_name, NULL);
    int ok = ctx != NULL && md != NULL && EVP_PKEY_sign_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
    if (ok && rsa) {
        /* MCUboot's RSA: PSS, MGF1 with SHA-256, 32-byte salt. */
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32) == 1;
    }
    size_t n = 0;
    ok = ok && EVP_PKEY_sign(ctx, NULL, &n, digest, digest_len) == 1;
    if (ok) {
        *sig = cli_alloc(n);
        ok = EVP_PKEY_sign(ctx, *sig, &n, digest, digest_len) == 1;
        *sig_len = n;
    }
    EVP_MD_free(md);
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : IFU_ECRYPTO;
}

/* see cli.h */
int cli_key_sign(const struct cli_key *key, const uint8_t *msg, size_t msg_len, uint8_t **sig,
                 size_t *sig_len)
{
    *sig = NULL;
    *sig_len = 0;
    if (!key->is_private) {
        return cli_fail(IFU_ENOKEY, "sign", "signing needs a private key");
    }
    int rc;
    switch (key->type) {
    case CLI_KEY_ED25519:
        rc = sign_ed25519(key->pkey, msg, msg_len, sig, sig_len);
        break;
    case CLI_KEY_RSA2048:
    case CLI_KEY_RSA3072:
    case CLI_KEY_P256:
    case CLI_KEY_P384:
        rc = sign_digest(key, msg, msg_len, sig, sig_len);
        break;
    default:
        return cli_fail(IFU_ENOKEY, "sign", "%s keys cannot sign", cli_key_type_name(key->type));
    }
    if (rc != 0) {
        free(*sig);
        *sig = NULL;
        return cli_fail(IFU_ECRYPTO, "sign", "%s signature failed: %s",
                        cli_key_type_name(key->type), ossl_reason());
    }
    return 0;
}

/* see cli.h */
int cli_key_public_pem(const struct cli_key *key, char **pem)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_PUBKEY(bio, key->pkey) != 1) {
        BIO_free(bio);
        return cli_fail(IFU_ECRYPTO, "public key", "PEM encoding failed: %s", ossl_reason());
    }
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    *pem = cli_alloc((size_t)n + 1);
    memcpy(*pem, data, (size_t)n);
    (*pem)[n] = '\0';
    BIO_free(bio);
    return 0;
}

/* see cli.h */
int cli_key_generate(enum cli_key_type type, const char *path, const char *passphrase)
{
    EVP_PKEY *pkey = NULL;
    switch (type) {
    case CLI_KEY_RSA2048:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
        break;
    case CLI_KEY_RSA3072:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
        break;
    case CLI_KEY_P256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        break;
    case CLI_KEY_P384:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
        break;
    case CLI_KEY_ED25519:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        break;
    case CLI_KEY_X25519:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
        break;
    }
    if (pkey == NULL) {
        return cli_fail(IFU_ECRYPTO, cli_key_type_name(type), "key generation failed: %s",
                        ossl_reason());
    }

    BIO *bio = BIO_new(BIO_s_mem());
    const EVP_CIPHER *cipher = passphrase != NULL ? EVP_aes_256_cbc() : NULL;
    int plen = passphrase != NULL ? (int)strlen(passphrase) : 0;
    /* PEM_write_bio_PrivateKey writes PKCS#8 ("PRIVATE KEY", or "ENCRYPTED
     * PRIVATE KEY" with PBES2 when a cipher is given). */
    int ok = bio != NULL &&
             PEM_write_bio_PrivateKey(bio, pkey, cipher, (const unsigned char *)passphrase, plen,
                                      NULL, NULL) == 1;
    EVP_PKEY_free(pkey);
    if (!ok) {
        BIO_free(bio);
        return cli_fail(IFU_ECRYPTO, path, "PEM encoding failed: %s", ossl_reason());
    }
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    int err = cli_file_write_atomic(path, data, (size_t)n, 0600);
    OPENSSL_cleanse(data, (size_t)n);
    BIO_free(bio);
    return err;
}
