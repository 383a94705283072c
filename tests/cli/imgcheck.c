/* Test helper for the CLI tests: an independent reader of MCUboot images.
 *
 * It shares no code with libifu or the ifu CLI on purpose: its own image and
 * Intel HEX parsers, and OpenSSL for every hash and signature check, so that
 * a bug in ifu cannot hide itself by being on both sides of a comparison.
 *
 *   imgcheck compare EXPECTED ACTUAL
 *       Same image except the signature value (and, for ECDSA, its length):
 *       header, payload and protected area byte-identical, the same
 *       unprotected TLVs in the same order with the same values, the same
 *       padding and trailer. For .hex files the decoded bytes and the base
 *       address are compared.
 *   imgcheck verify IMAGE [KEY.pem]
 *       Recompute the image hash with OpenSSL and check the hash TLV; with a
 *       key, check the KEYHASH/PUBKEY TLV against the key and verify the
 *       signature with OpenSSL EVP (RSA-PSS salt 32, ECDSA DER over the digest,
 *       Ed25519 over the digest or, with SIG_PURE, over the signed bytes).
 *
 * Exit status: 0 pass, 1 mismatch or invalid, 2 usage or unreadable input. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define MAX_TLVS 64

struct tlv {
    unsigned type;
    size_t len;
    size_t off; /* of the value */
};

struct image {
    uint8_t *data;
    size_t size;
    unsigned long long base; /* HEX base address; 0 for binary */
    int is_hex;
    size_t hdr_size;
    size_t img_size;
    size_t prot_size;
    size_t unprot_off; /* start of the unprotected info header = end of hashed bytes */
    size_t end;        /* end of the unprotected area */
    struct tlv tlvs[MAX_TLVS];
    size_t ntlvs;
};

/* The format attribute lets -Wformat-nonliteral (clang, -Wformat=2) accept the vfprintf. */
static int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("imgcheck: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static unsigned rd16(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long rd32(const uint8_t *p)
{
    return (unsigned long)rd16(p) | (unsigned long)rd16(p + 2) << 16;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16;
    size_t n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) {
            break;
        }
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int ends_with_hex(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && (strcmp(path + n - 4, ".hex") == 0 || strcmp(path + n - 4, ".HEX") == 0);
}

static int nib(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* A minimal Intel HEX decoder: data, EOF, extended segment/linear address
 * records; gaps become 0xff. */
static int hex_decode(const uint8_t *text, size_t len, struct image *img)
{
    unsigned long long lo = ~0ull;
    unsigned long long hi = 0;
    unsigned long long ext = 0;
    /* Two passes: find the span, then fill it. */
    for (int pass = 0; pass < 2; pass++) {
        ext = 0;
        size_t i = 0;
        while (i < len) {
            size_t s = i;
            while (i < len && text[i] != '\n' && text[i] != '\r') {
                i++;
            }
            size_t e = i;
            while (i < len && (text[i] == '\n' || text[i] == '\r')) {
                i++;
            }
            if (e == s) {
                continue;
            }
            if (text[s] != ':' || (e - s - 1) % 2 != 0 || e - s < 11) {
                return failf("bad HEX line");
            }
            uint8_t rec[300];
            size_t n = (e - s - 1) / 2;
            if (n > sizeof rec) {
                return failf("HEX record too long");
            }
            unsigned sum = 0;
            for (size_t k = 0; k < n; k++) {
                int h = nib(text[s + 1 + 2 * k]);
                int l = nib(text[s + 2 + 2 * k]);
                if (h < 0 || l < 0) {
                    return failf("bad HEX digit");
                }
                rec[k] = (uint8_t)(h * 16 + l);
                sum += rec[k];
            }
            if ((sum & 0xff) != 0 || n != (size_t)rec[0] + 5) {
                return failf("bad HEX checksum or length");
            }
            unsigned long long addr = ext + ((unsigned)rec[1] << 8 | rec[2]);
            if (rec[3] == 0) {
                if (pass == 0) {
                    lo = addr < lo ? addr : lo;
                    hi = addr + rec[0] > hi ? addr + rec[0] : hi;
                } else {
                    memcpy(img->data + (addr - lo), rec + 4, rec[0]);
                }
            } else if (rec[3] == 1) {
                break;
            } else if (rec[3] == 2) {
                ext = (unsigned long long)((unsigned)rec[4] << 8 | rec[5]) * 16;
            } else if (rec[3] == 4) {
                ext = (unsigned long long)((unsigned)rec[4] << 8 | rec[5]) << 16;
            }
        }
        if (pass == 0) {
            if (lo == ~0ull) {
                return failf("HEX file without data");
            }
            img->size = (size_t)(hi - lo);
            img->data = malloc(img->size);
            memset(img->data, 0xff, img->size);
            img->base = lo;
        }
    }
    return 0;
}

static int load(const char *path, struct image *img)
{
    memset(img, 0, sizeof *img);
    size_t len;
    uint8_t *raw = slurp(path, &len);
    if (raw == NULL) {
        return failf("%s: cannot read", path);
    }
    if (ends_with_hex(path)) {
        img->is_hex = 1;
        int rc = hex_decode(raw, len, img);
        free(raw);
        if (rc) {
            return failf("%s: bad Intel HEX", path);
        }
    } else {
        img->data = raw;
        img->size = len;
    }
    const uint8_t *d = img->data;
    if (img->size < 32 || rd32(d) != 0x96f3b83dul) {
        return failf("%s: no MCUboot header", path);
    }
    img->hdr_size = rd16(d + 8);
    img->prot_size = rd16(d + 10);
    img->img_size = rd32(d + 12);
    size_t off = img->hdr_size + img->img_size;
    if (img->prot_size != 0) {
        if (off + img->prot_size > img->size || rd16(d + off) != 0x6908 ||
            rd16(d + off + 2) != img->prot_size) {
            return failf("%s: bad protected TLV area", path);
        }
        for (size_t p = off + 4; p < off + img->prot_size;) {
            if (img->ntlvs == MAX_TLVS || p + 4 > off + img->prot_size) {
                return failf("%s: bad protected TLV", path);
            }
            struct tlv t = {rd16(d + p), rd16(d + p + 2), p + 4};
            if (t.off + t.len > off + img->prot_size) {
                return failf("%s: protected TLV overruns its area", path);
            }
            img->tlvs[img->ntlvs++] = t;
            p = t.off + t.len;
        }
        off += img->prot_size;
    }
    img->unprot_off = off;
    if (off + 4 > img->size || rd16(d + off) != 0x6907) {
        return failf("%s: bad unprotected TLV info", path);
    }
    size_t tot = rd16(d + off + 2);
    img->end = off + tot;
    if (img->end > img->size || tot < 4) {
        return failf("%s: unprotected TLV area overruns the file", path);
    }
    for (size_t p = off + 4; p < img->end;) {
        if (img->ntlvs == MAX_TLVS || p + 4 > img->end) {
            return failf("%s: bad unprotected TLV", path);
        }
        struct tlv t = {rd16(d + p), rd16(d + p + 2), p + 4};
        if (t.off + t.len > img->end) {
            return failf("%s: unprotected TLV overruns its area", path);
        }
        img->tlvs[img->ntlvs++] = t;
        p = t.off + t.len;
    }
    return 0;
}

static int is_sig(unsigned type)
{
    return type == 0x20 || type == 0x22 || type == 0x23 || type == 0x24;
}

static int compare_loaded(struct image *e, struct image *a);

static int compare(const char *exp_path, const char *act_path)
{
    struct image e;
    struct image a;
    memset(&a, 0, sizeof a);
    int rc = load(exp_path, &e) || load(act_path, &a) ? 2 : compare_loaded(&e, &a);
    free(e.data);
    free(a.data);
    return rc;
}

static int compare_loaded(struct image *pe, struct image *pa)
{
    const struct image e = *pe;
    const struct image a = *pa;
    if (e.is_hex && e.base != a.base) {
        return failf("base address 0x%llx != 0x%llx", e.base, a.base);
    }
    if (e.unprot_off != a.unprot_off || memcmp(e.data, a.data, e.unprot_off) != 0) {
        size_t n = e.unprot_off < a.unprot_off ? e.unprot_off : a.unprot_off;
        size_t k = 0;
        while (k < n && e.data[k] == a.data[k]) {
            k++;
        }
        return failf("header, payload or protected TLVs differ (first at offset 0x%zx)", k);
    }
    size_t ke = 0;
    size_t ka = 0;
    while (ke < e.ntlvs && e.tlvs[ke].off < e.unprot_off) {
        ke++;
    }
    while (ka < a.ntlvs && a.tlvs[ka].off < a.unprot_off) {
        ka++;
    }
    if (e.ntlvs - ke != a.ntlvs - ka) {
        return failf("%zu unprotected TLVs, want %zu", a.ntlvs - ka, e.ntlvs - ke);
    }
    for (; ke < e.ntlvs; ke++, ka++) {
        const struct tlv *te = &e.tlvs[ke];
        const struct tlv *ta = &a.tlvs[ka];
        if (te->type != ta->type) {
            return failf("unprotected TLV type 0x%x, want 0x%x", ta->type, te->type);
        }
        if (is_sig(te->type) && te->type != 0x24) {
            /* Randomised signatures: RSA has a fixed length, ECDSA DER varies. */
            if (te->type != 0x22 && te->len != ta->len) {
                return failf("signature length %zu, want %zu", ta->len, te->len);
            }
            continue;
        }
        if (te->len != ta->len || memcmp(e.data + te->off, a.data + ta->off, te->len) != 0) {
            return failf("unprotected TLV 0x%x differs", te->type);
        }
    }
    /* Padding and trailer: aligned on the file end. */
    size_t tail_e = e.size - e.end;
    size_t tail_a = a.size - a.end;
    if (tail_e == 0 || tail_a == 0) {
        if (tail_e != tail_a) {
            return failf("%zu bytes after the TLVs, want %zu", tail_a, tail_e);
        }
    } else {
        if (e.size != a.size) {
            return failf("padded size %zu, want %zu", a.size, e.size);
        }
        size_t common = tail_e < tail_a ? tail_e : tail_a;
        if (memcmp(e.data + e.size - common, a.data + a.size - common, common) != 0) {
            return failf("padding or trailer differs");
        }
        const struct image *longer = tail_e > tail_a ? &e : &a;
        uint8_t erased = e.data[e.size - common]; /* first byte after the image in both */
        for (size_t k = longer->end; k < longer->size - common; k++) {
            if (longer->data[k] != erased) {
                return failf("padding byte at 0x%zx is not the erased value", k);
            }
        }
    }
    printf("same (signature excepted)\n");
    return 0;
}

static const struct tlv *find(const struct image *img, int unprot, unsigned type)
{
    for (size_t i = 0; i < img->ntlvs; i++) {
        int in_unprot = img->tlvs[i].off >= img->unprot_off;
        if (in_unprot == unprot && img->tlvs[i].type == type) {
            return &img->tlvs[i];
        }
    }
    return NULL;
}

static EVP_PKEY *load_key(const char *path)
{
    size_t len;
    uint8_t *pem = slurp(path, &len);
    if (pem == NULL) {
        return NULL;
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (k == NULL) {
        ERR_clear_error();
        bio = BIO_new_mem_buf(pem, (int)len);
        k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        BIO_free(bio);
    }
    free(pem);
    return k;
}

/* The KEYHASH (hash of enc with the image hash) or PUBKEY (enc itself). */
static int check_key_tlv(const struct image *img, const uint8_t *enc, size_t enc_len,
                         const EVP_MD *md, const char *md_name)
{
    const struct tlv *kh = find(img, 1, 0x01);
    const struct tlv *pk = find(img, 1, 0x02);
    if (kh != NULL) {
        uint8_t kd[64];
        unsigned kdl = 0;
        EVP_Digest(enc, enc_len, kd, &kdl, md, NULL);
        if (kh->len != kdl || memcmp(img->data + kh->off, kd, kdl) != 0) {
            return failf("KEYHASH is not the %s of the key", md_name);
        }
        return 0;
    }
    if (pk != NULL) {
        if (pk->len != enc_len || memcmp(img->data + pk->off, enc, pk->len) != 0) {
            return failf("PUBKEY is not the key");
        }
        return 0;
    }
    return failf("no KEYHASH or PUBKEY TLV");
}

static int check_key_and_sig(const struct image *pimg, EVP_PKEY *key, const EVP_MD *md,
                             const char *md_name, const uint8_t *digest, unsigned dlen);

static int verify_loaded(const struct image *pimg, const char *key_path);

static int verify(const char *path, const char *key_path)
{
    struct image img;
    int rc = load(path, &img) ? 2 : verify_loaded(&img, key_path);
    free(img.data);
    return rc;
}

static int verify_loaded(const struct image *pimg, const char *key_path)
{
    const struct image img = *pimg;
    const char *md_name = NULL;
    const struct tlv *h = NULL;
    if ((h = find(&img, 1, 0x10)) != NULL) {
        md_name = "SHA256";
    } else if ((h = find(&img, 1, 0x11)) != NULL) {
        md_name = "SHA384";
    } else if ((h = find(&img, 1, 0x12)) != NULL) {
        md_name = "SHA512";
    } else {
        return failf("no hash TLV");
    }
    uint8_t digest[64];
    unsigned dlen = 0;
    const EVP_MD *md = EVP_get_digestbyname(md_name);
    if (EVP_Digest(img.data, img.unprot_off, digest, &dlen, md, NULL) != 1) {
        return failf("digest failed");
    }
    if (h->len != dlen || memcmp(img.data + h->off, digest, dlen) != 0) {
        return failf("hash TLV does not match the %s of the image", md_name);
    }
    if (key_path == NULL) {
        printf("hash ok (%s)\n", md_name);
        return 0;
    }

    EVP_PKEY *key = load_key(key_path);
    if (key == NULL) {
        return failf("%s: not a key", key_path);
    }
    int rc = check_key_and_sig(&img, key, md, md_name, digest, dlen);
    EVP_PKEY_free(key);
    return rc;
}

static int check_key_and_sig(const struct image *pimg, EVP_PKEY *key, const EVP_MD *md,
                             const char *md_name, const uint8_t *digest, unsigned dlen)
{
    const struct image img = *pimg;
    int is_rsa = EVP_PKEY_is_a(key, "RSA");
    unsigned char *enc = NULL;
    int enc_len = is_rsa ? i2d_PublicKey(key, &enc) : i2d_PUBKEY(key, &enc);
    if (enc_len <= 0) {
        return failf("cannot encode the key");
    }
    int rc = check_key_tlv(&img, enc, (size_t)enc_len, md, md_name);
    OPENSSL_free(enc);
    if (rc) {
        return rc;
    }

    const struct tlv *sig = NULL;
    const char *alg = NULL;
    int ok = 0;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    if (is_rsa) {
        unsigned want = EVP_PKEY_get_bits(key) == 3072 ? 0x23 : 0x20;
        sig = find(&img, 1, want);
        alg = want == 0x23 ? "rsa3072-pss" : "rsa2048-pss";
        ok = sig != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32) == 1 &&
             EVP_PKEY_verify(ctx, img.data + sig->off, sig->len, digest, dlen) == 1;
    } else if (EVP_PKEY_is_a(key, "EC")) {
        sig = find(&img, 1, 0x22);
        int p384 = EVP_PKEY_get_bits(key) == 384;
        alg = p384 ? "ecdsa-p384" : "ecdsa-p256";
        /* --pad-sig appends zeros after the DER SEQUENCE: verify the SEQUENCE. */
        size_t der_len = sig != NULL ? sig->len : 0;
        if (der_len > 2 && img.data[sig->off + 1] < 0x80 &&
            (size_t)img.data[sig->off + 1] + 2 < der_len) {
            der_len = (size_t)img.data[sig->off + 1] + 2;
        }
        ok = sig != NULL && EVP_PKEY_verify_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, p384 ? EVP_sha384() : EVP_sha256()) == 1 &&
             EVP_PKEY_verify(ctx, img.data + sig->off, der_len, digest, dlen) == 1;
    } else if (EVP_PKEY_is_a(key, "ED25519")) {
        sig = find(&img, 1, 0x24);
        int pure = find(&img, 1, 0x25) != NULL;
        alg = pure ? "ed25519-pure" : "ed25519";
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        ok = sig != NULL && EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestVerify(mctx, img.data + sig->off, sig->len, pure ? img.data : digest,
                              pure ? img.unprot_off : dlen) == 1;
        EVP_MD_CTX_free(mctx);
    } else {
        EVP_PKEY_CTX_free(ctx);
        return failf("unsupported key type");
    }
    EVP_PKEY_CTX_free(ctx);
    if (sig == NULL) {
        return failf("no %s signature TLV", alg);
    }
    if (!ok) {
        return failf("%s signature does not verify", alg);
    }
    printf("signature ok (%s, %s)\n", alg, md_name);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "compare") == 0) {
        return compare(argv[2], argv[3]);
    }
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "verify") == 0) {
        return verify(argv[2], argc == 4 ? argv[3] : NULL);
    }
    fprintf(stderr, "usage: imgcheck compare EXPECTED ACTUAL | imgcheck verify IMAGE [KEY]\n");
    return 2;
}
