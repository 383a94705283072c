/* bench_verify: throughput of ifu's streaming verifier against SHA-256 alone.
 *
 *   bench_verify [-n RUNS] [-c CHUNK] -k KEY.pem IMAGE
 *       Verify IMAGE (a signed MCUboot image) with the public key of KEY.pem
 *       (private or public PEM) in several ways, RUNS times each, and print
 *       one line per measurement: best and median wall time, throughput over
 *       the image file's bytes, and the ratio to OpenSSL's in-process SHA-256
 *       of the same bytes.
 *   bench_verify --payload SIZE OUT
 *       Write SIZE pseudo-random bytes (fixed seed) to OUT: the input that
 *       bench/run.sh signs. Nothing binary is kept in the repository.
 *
 * The verifier runs exactly as a device calls it (ifu_image_verify over a
 * reader, or ifu_verify_update with chunks as they arrive); only the flash is
 * replaced by memory, so the figures are the verifier's and its crypto's, not
 * a flash driver's. OpenSSL is linked only to time EVP SHA-256 and to turn the
 * PEM key into the encoding imgtool puts in images (ifu/crypto.h).
 *
 * Output lines start with a fixed key so bench/run.sh can pick them up:
 *   result <name> best_ms=<t> median_ms=<t> mib_s=<r> vs_evp=<x>
 * Exit status 0, or 1 on any failure (a verify that fails is not timed). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_time.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "ifu/image.h"

#define DEFAULT_RUNS  30
#define DEFAULT_CHUNK 4096u
#define MAX_RUNS      1000

struct image {
    const uint8_t *data;
    uint32_t len;
};

/* What the first, untimed pass learnt about the image. */
struct facts {
    enum ifu_hash_alg hash_alg;
    enum ifu_sig_alg sig_alg;
    uint32_t digest_off; /* offset of the hash TLV value, 0 if none */
    uint32_t sig_off;    /* offset of the signature TLV value, 0 if none */
    uint16_t sig_len;
    uint16_t sig_type;
};

/* One timed case: run(arg) once per repetition; 0 on success. */
struct bench_case {
    const char *name;
    int (*run)(void *arg);
    void *arg;
};

static int die(const char *what, const char *why)
{
    fprintf(stderr, "bench_verify: %s: %s\n", what, why);
    return 1;
}

static uint8_t *read_file(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) {
        size = ftell(f);
    }
    if (size >= 0 && size <= (long)UINT32_MAX && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc(size > 0 ? (size_t)size : 1);
        if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    *len = (uint32_t)size;
    return buf;
}

/* ---- the key, encoded as imgtool embeds it ---- */

/* RSA keys as a PKCS#1 RSAPublicKey, every other key as SubjectPublicKeyInfo
 * (ifu/crypto.h). Returns a malloc'd buffer or NULL. */
static uint8_t *load_key(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return NULL;
    }
    EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    if (pkey == NULL) {
        rewind(f);
        pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    }
    fclose(f);
    if (pkey == NULL) {
        return NULL;
    }
    int rsa = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA;
    int n = rsa ? i2d_PublicKey(pkey, NULL) : i2d_PUBKEY(pkey, NULL);
    uint8_t *der = n > 0 ? malloc((size_t)n) : NULL;
    if (der != NULL) {
        uint8_t *p = der;
        n = rsa ? i2d_PublicKey(pkey, &p) : i2d_PUBKEY(pkey, &p);
        *len = (uint32_t)n;
    }
    EVP_PKEY_free(pkey);
    return der;
}

/* ---- the first pass: learn where the digest and the signature are ---- */

static void observe(void *ctx, int prot, uint16_t type, uint16_t len, uint32_t off)
{
    struct facts *fx = ctx;

    if (prot) {
        return;
    }
    switch (type) {
    case IFU_TLV_SHA256:
    case IFU_TLV_SHA384:
    case IFU_TLV_SHA512:
        fx->digest_off = off;
        break;
    case IFU_TLV_RSA2048_PSS:
    case IFU_TLV_RSA3072_PSS:
    case IFU_TLV_ECDSA_SIG:
    case IFU_TLV_ED25519:
        fx->sig_off = off;
        fx->sig_len = len;
        fx->sig_type = type;
        break;
    default:
        break;
    }
}

static int mem_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct image *img = ctx;

    if (off > img->len || len > img->len - off) {
        return IFU_EIO;
    }
    memcpy(buf, img->data + off, len);
    return 0;
}

/* ---- the timed cases ---- */

struct verify_arg {
    const struct image *img;
    const struct ifu_keyring *keys;
    uint32_t hashset;
    uint32_t chunk; /* ifu_verify_update chunk, bytes; 0 = ifu_image_verify */
};

/* ifu_image_verify: the library reads the image through the reader. */
static int run_image_verify(void *arg)
{
    const struct verify_arg *a = arg;
    struct image img = *a->img;
    const struct ifu_image_reader reader = {mem_read, &img};

    return ifu_image_verify(&reader, img.len, a->keys, 0, a->hashset, NULL);
}

/* ifu_verify_update: the caller pushes chunks as a transport delivers them. */
static int run_verify_update(void *arg)
{
    const struct verify_arg *a = arg;
    struct image img = *a->img;
    const struct ifu_image_reader reader = {mem_read, &img};
    struct ifu_verify v;

    int err = ifu_verify_begin(&v, a->keys, 0, a->hashset, img.len, NULL);
    for (uint32_t off = 0; !err && off < img.len && ifu_verify_done(&v) == 0; off += a->chunk) {
        uint32_t n = img.len - off < a->chunk ? img.len - off : a->chunk;
        err = ifu_verify_update(&v, img.data + off, n);
    }
    if (err) {
        ifu_verify_abort(&v);
        return err;
    }
    return ifu_verify_finish(&v, &reader, NULL);
}

struct hash_arg {
    const struct image *img;
    enum ifu_hash_alg alg;
};

/* The crypto port's hash (mbedTLS) over the same bytes: the verifier's floor. */
static int run_port_hash(void *arg)
{
    const struct hash_arg *a = arg;
    uint8_t out[IFU_HASH_MAX_SIZE];

    return ifu_hash_oneshot(a->alg, a->img->data, a->img->len, out);
}

static int run_evp_sha256(void *arg)
{
    const struct image *img = arg;
    uint8_t out[EVP_MAX_MD_SIZE];
    unsigned int out_len = 0;

    return EVP_Digest(img->data, img->len, out, &out_len, EVP_sha256(), NULL) == 1 ? 0 : 1;
}

struct sig_arg {
    enum ifu_sig_alg alg;
    const uint8_t *key;
    uint32_t key_len;
    const uint8_t *digest;
    uint32_t digest_len;
    const uint8_t *sig;
    uint32_t sig_len;
};

/* The signature check alone, over the digest: the fixed cost per image. */
static int run_sig_verify(void *arg)
{
    const struct sig_arg *a = arg;

    return ifu_sig_verify(a->alg, a->key, a->key_len, a->digest, a->digest_len, a->sig, a->sig_len);
}

/* OpenSSL's check of the same signature, key parsed from the same DER each
 * time as ifu_sig_verify does: what the signature costs with OpenSSL's
 * assembly (the fair in-process counterpart of sig_verify). */
static int run_evp_sig_verify(void *arg)
{
    const struct sig_arg *a = arg;
    const unsigned char *p = a->key;
    int rsa = a->alg == IFU_SIG_RSA2048_PSS || a->alg == IFU_SIG_RSA3072_PSS;
    EVP_PKEY *pkey = rsa ? d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)a->key_len)
                         : d2i_PUBKEY(NULL, &p, (long)a->key_len);
    int ok = pkey != NULL;

    if (ok && a->alg == IFU_SIG_ED25519) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ok = md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) == 1 &&
             EVP_DigestVerify(md, a->sig, a->sig_len, a->digest, a->digest_len) == 1;
        EVP_MD_CTX_free(md);
    } else if (ok) {
        const EVP_MD *md = a->alg == IFU_SIG_ECDSA_P384 ? EVP_sha384() : EVP_sha256();
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
        ok = ctx != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
        if (ok && rsa) {
            /* MCUboot's PSS: MGF1-SHA-256, 32-byte salt (ifu/crypto.h). */
            ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                 EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32) == 1 &&
                 EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1;
        }
        ok = ok && EVP_PKEY_verify(ctx, a->sig, a->sig_len, a->digest, a->digest_len) == 1;
        EVP_PKEY_CTX_free(ctx);
    }
    EVP_PKEY_free(pkey);
    return ok ? 0 : IFU_ESIG;
}

/* Time every case runs times, round-robin (case 1, 2, ..., n, then again), so
 * that a burst of load from other processes hits every case alike and the
 * ratios stay fair. t[case * runs + run] receives milliseconds. Returns 0, or
 * the first error with *failed set to the case that failed. */
static int time_cases(const struct bench_case *c, size_t n, int runs, double *t, size_t *failed)
{
    for (size_t i = 0; i < n; i++) {
        int err = c[i].run(c[i].arg); /* warm-up: caches, page faults, the mbedTLS heap */
        if (err) {
            *failed = i;
            return err;
        }
    }
    for (int r = 0; r < runs; r++) {
        for (size_t i = 0; i < n; i++) {
            double t0 = bench_now_ms();
            int err = c[i].run(c[i].arg);
            t[i * (size_t)runs + (size_t)r] = bench_now_ms() - t0;
            if (err) {
                *failed = i;
                return err;
            }
        }
    }
    return 0;
}

static enum ifu_sig_alg sig_alg_of(uint16_t type, enum ifu_hash_alg hash)
{
    switch (type) {
    case IFU_TLV_RSA2048_PSS:
        return IFU_SIG_RSA2048_PSS;
    case IFU_TLV_RSA3072_PSS:
        return IFU_SIG_RSA3072_PSS;
    case IFU_TLV_ED25519:
        return IFU_SIG_ED25519;
    case IFU_TLV_ECDSA_SIG:
        return hash == IFU_HASH_SHA384 ? IFU_SIG_ECDSA_P384 : IFU_SIG_ECDSA_P256;
    default:
        return IFU_SIG_NONE;
    }
}

static const char *hash_name(enum ifu_hash_alg alg)
{
    static const char *const names[] = {"none", "sha256", "sha384", "sha512"};
    return (unsigned)alg < 4 ? names[alg] : "?";
}

static const char *sig_name(enum ifu_sig_alg alg)
{
    static const char *const names[] = {"none",       "rsa2048-pss", "rsa3072-pss",
                                        "ecdsa-p256", "ecdsa-p384",  "ed25519"};
    return (unsigned)alg < 6 ? names[alg] : "?";
}

static int write_payload(const char *size_text, const char *path)
{
    char *end = NULL;
    errno = 0;
    unsigned long size = strtoul(size_text, &end, 0);
    if (errno != 0 || end == size_text || *end != '\0' || size > UINT32_MAX) {
        return die(size_text, "not a size in bytes");
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return die(path, strerror(errno));
    }
    /* xorshift64*: fast, fixed seed, so every run signs the same bytes. */
    uint64_t x = 0x6966752d62656e63u;
    for (unsigned long i = 0; i < size; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        fputc((int)((x * 0x2545f4914f6cdd1du) >> 56), f);
    }
    if (fclose(f) != 0) {
        return die(path, strerror(errno));
    }
    return 0;
}

static void usage(void)
{
    fputs("usage: bench_verify [-n RUNS] [-c CHUNK] -k KEY.pem IMAGE\n"
          "       bench_verify --payload SIZE OUT\n",
          stderr);
}

int main(int argc, char **argv)
{
    int runs = DEFAULT_RUNS;
    uint32_t chunk = DEFAULT_CHUNK;
    const char *key_path = NULL;
    const char *image_path = NULL;

    if (argc == 4 && strcmp(argv[1], "--payload") == 0) {
        return write_payload(argv[2], argv[3]);
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            chunk = (uint32_t)strtoul(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc) {
            key_path = argv[++i];
        } else if (argv[i][0] != '-' && image_path == NULL) {
            image_path = argv[i];
        } else {
            usage();
            return 2;
        }
    }
    if (key_path == NULL || image_path == NULL || runs < 1 || runs > MAX_RUNS || chunk == 0) {
        usage();
        return 2;
    }

    struct image img;
    uint32_t key_len = 0;
    uint8_t *file = read_file(image_path, &img.len);
    uint8_t *key = load_key(key_path, &key_len);
    if (file == NULL) {
        return die(image_path, "cannot read");
    }
    if (key == NULL) {
        return die(key_path, "not a PEM key OpenSSL can read");
    }
    img.data = file;
    const struct ifu_key trusted = {key, key_len, NULL};
    const struct ifu_keyring keys = {&trusted, 1};

    /* Untimed pass with every hash: checks the image and finds its TLVs. */
    struct facts fx = {0};
    const struct ifu_tlv_observer obs = {observe, &fx};
    struct ifu_image_info info;
    struct ifu_verify v;
    const struct ifu_image_reader reader = {mem_read, &img};
    int err = ifu_verify_begin(&v, &keys, 0, IFU_HASHSET_ALL, 0, &obs);
    if (!err) {
        err = ifu_verify_update(&v, img.data, img.len);
    }
    if (!err) {
        err = ifu_verify_finish(&v, &reader, &info);
    }
    if (err) {
        return die(image_path, ifu_strerror(err));
    }
    if (info.sig_pure || fx.digest_off == 0 || fx.sig_off == 0) {
        return die(image_path, "needs a digest signature (not --pure) with a hash TLV");
    }
    fx.hash_alg = info.hash_alg;
    fx.sig_alg = sig_alg_of(fx.sig_type, info.hash_alg);

    printf("image %s bytes=%u payload=%u hash=%s sig=%s runs=%d chunk=%u\n", image_path, img.len,
           info.hdr.img_size, hash_name(fx.hash_alg), sig_name(fx.sig_alg), runs, chunk);

    /* A device knows its image hash (IFU_VERIFY_MAX_HASHES 1); a host tool
     * that accepts any image computes all three while the bytes pass. */
    struct verify_arg dev = {&img, &keys, IFU_HASHSET(fx.hash_alg), 0};
    struct verify_arg all = {&img, &keys, IFU_HASHSET_ALL, 0};
    struct verify_arg push = {&img, &keys, IFU_HASHSET(fx.hash_alg), chunk};
    struct hash_arg port_hash = {&img, fx.hash_alg};
    struct sig_arg sig = {fx.sig_alg,
                          key,
                          key_len,
                          img.data + fx.digest_off,
                          ifu_hash_size(fx.hash_alg),
                          img.data + fx.sig_off,
                          fx.sig_len};
    const struct bench_case cases[] = {
        {"evp_sha256", run_evp_sha256, &img},
        {"port_hash", run_port_hash, &port_hash},
        {"sig_verify", run_sig_verify, &sig},
        {"evp_sig_verify", run_evp_sig_verify, &sig},
        {"image_verify", run_image_verify, &dev},
        {"verify_update", run_verify_update, &push},
        {"image_verify_allhash", run_image_verify, &all},
    };
    const size_t n_cases = sizeof cases / sizeof cases[0];
    static double t[sizeof cases / sizeof cases[0] * MAX_RUNS];
    size_t failed = 0;

    err = time_cases(cases, n_cases, runs, t, &failed);
    if (err) {
        fprintf(stderr, "bench_verify: %s: %s\n", cases[failed].name, ifu_strerror(err));
        return 1;
    }
    double evp_best = 0;
    for (size_t i = 0; i < n_cases; i++) {
        double *ti = t + i * (size_t)runs;
        double median = bench_median(ti, runs);
        double best = ti[0]; /* sorted by bench_median */
        if (i == 0) {
            evp_best = best;
        }
        /* Same bytes, so the throughput ratio is the inverse time ratio.
         * The signature checks do not read the image: no throughput. */
        if (cases[i].run == run_sig_verify || cases[i].run == run_evp_sig_verify) {
            printf("result %-20s best_ms=%.4f median_ms=%.4f\n", cases[i].name, best, median);
        } else {
            double mib_s = (double)img.len / (1024.0 * 1024.0) / (best / 1e3);
            printf("result %-20s best_ms=%.4f median_ms=%.4f mib_s=%.1f vs_evp=%.3f\n",
                   cases[i].name, best, median, mib_s, evp_best / best);
        }
    }
    free(key);
    free(file);
    return 0;
}
