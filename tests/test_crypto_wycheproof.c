/* The crypto port (include/ifu/crypto.h) against Project Wycheproof's
 * signature vectors (shared/vectors/wycheproof; README.md there says which
 * file serves which primitive).
 *
 * Each file is one cmocka test. Every vector gets an expected verdict:
 *   valid      -> accept (ifu_sig_verify returns 0);
 *   invalid    -> reject (any nonzero code);
 *   acceptable -> either, but the number accepted must equal the constant
 *                 measured below (struct suite.acceptable_accepted), so that a
 *                 change of behaviour is noticed;
 * except where the file or group asks for something MCUboot never signs (an
 * RSA-PSS salt other than 32, PKCS#1 v1.5, a hash other than SHA-256 for
 * RSA): then every vector must be rejected, whatever its result says.
 *
 * Output, one line per file:
 *   wycheproof <file>: <n> vectors, <m> mismatches[, extra information]
 * then one line per mismatch (tcId, comment, expected, got), and at the end
 *   wycheproof: <N> passed, <M> failed
 * counted in files. A file passes with 0 mismatches and the measured number of
 * acceptable vectors accepted.
 *
 * Known limitations of a backend may be listed per file (struct known), each
 * tcId with its reason: listed mismatches are printed but not counted, and a
 * listed tcId that stops mismatching fails the file, so the list stays exact.
 * A listing is a deliberate decision to live with a limitation; fixing the
 * port is preferred. Likewise a vector may get its own expected verdict
 * (struct override) when the file's rule does not fit this port, with the
 * evidence next to it.
 *
 * The vectors folder is <IFU_SHARED_DIR>/vectors/wycheproof, IFU_SHARED_DIR
 * from the environment or else from CMake. If it is absent the program prints
 * "wycheproof: SKIP: <dir> not found" and exits 77 (ctest: skipped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "json_vectors.h"

enum kind {
    KIND_ECDSA_DER,   /* ASN.1 DER signatures, as in MCUboot's ECDSA TLV */
    KIND_ECDSA_P1363, /* raw r || s, converted to DER here (see p1363_to_der) */
    KIND_RSA_PSS,     /* RSASSA-PSS and RSASSA-PKCS1-v1_5 files, verified as PSS */
    KIND_ED25519,     /* one-shot and streaming verification */
};

/* What a vector must get. */
enum want {
    WANT_ACCEPT,
    WANT_REJECT,
    WANT_EITHER, /* Wycheproof "acceptable" */
};

/* A vector whose mismatch is a documented limitation of the backend. */
struct known {
    int tc_id;
    const char *why;
};

/* A vector whose expected verdict for this port differs from the rule of its
 * file (e.g. a signature that MCUboot's profile accepts, inside a file whose
 * profile it does not), with the evidence. */
struct override {
    int tc_id;
    enum want want;
    const char *why;
};

struct suite {
    const char *file;
    enum kind kind;
    enum ifu_sig_alg alg;
    /* Bytes of one coordinate (P1363 only): r and s each have this size. */
    uint32_t coord_size;
    /* Nonzero: every vector must be rejected, whatever its result; the text says why. */
    const char *reject_all;
    /* How many "acceptable" vectors the port accepts, measured; see each suite. */
    unsigned acceptable_accepted;
    const struct known *known;
    size_t known_count;
    const struct override *overrides;
    size_t override_count;
};

/* Verdict of the test itself, not of the port: a P1363 signature whose length
 * is not 2 * coord_size cannot be written as DER, so it never reaches the port.
 * Positive, so it cannot collide with an IFU_E* code. */
#define NOT_CONVERTIBLE 1

/* The ways one vector is checked (Ed25519 has three; the others one or two). */
#define MAX_PATHS 3

struct path_result {
    const char *name;
    int got;
};

struct tally {
    unsigned vectors;
    unsigned mismatches;
    unsigned acceptable;
    unsigned acceptable_accepted;
    unsigned known_found; /* vectors in the known list, mismatching or not */
    unsigned known_seen;  /* ... and mismatching as listed */
    unsigned overridden;
    unsigned not_convertible;
    unsigned stream_not_run;
    unsigned reject_codes[32]; /* by -code, for the summary of rejection reasons */
};

/* Files that passed; main() counts the rest as failed, however they failed. */
static unsigned files_passed;
static char vectors_dir[4096];

static const char *want_name(enum want w)
{
    switch (w) {
    case WANT_ACCEPT:
        return "accept";
    case WANT_REJECT:
        return "reject";
    default:
        return "either";
    }
}

static const char *got_name(int got)
{
    return got == NOT_CONVERTIBLE ? "not convertible to DER (rejected before the port)"
                                  : ifu_strerror(got);
}

static enum want want_of(const char *result)
{
    if (result != NULL && strcmp(result, "valid") == 0) {
        return WANT_ACCEPT;
    }
    if (result != NULL && strcmp(result, "acceptable") == 0) {
        return WANT_EITHER;
    }
    /* "invalid", and anything unknown: fail closed. */
    return WANT_REJECT;
}

static enum ifu_hash_alg hash_of(const char *sha)
{
    if (sha == NULL) {
        return IFU_HASH_NONE;
    }
    if (strcmp(sha, "SHA-256") == 0) {
        return IFU_HASH_SHA256;
    }
    if (strcmp(sha, "SHA-384") == 0) {
        return IFU_HASH_SHA384;
    }
    if (strcmp(sha, "SHA-512") == 0) {
        return IFU_HASH_SHA512;
    }
    return IFU_HASH_NONE;
}

static const struct known *known_of(const struct suite *s, int tc_id)
{
    for (size_t i = 0; i < s->known_count; i++) {
        if (s->known[i].tc_id == tc_id) {
            return &s->known[i];
        }
    }
    return NULL;
}

static const struct override *override_of(const struct suite *s, int tc_id)
{
    for (size_t i = 0; i < s->override_count; i++) {
        if (s->overrides[i].tc_id == tc_id) {
            return &s->overrides[i];
        }
    }
    return NULL;
}

/* ---- Signature encodings ---- */

/* Append the DER INTEGER of the unsigned big-endian number n (len bytes) at
 * out; returns the bytes written (at most len + 4). */
static uint32_t der_uint(uint8_t *out, const uint8_t *n, uint32_t len)
{
    while (len > 1 && n[0] == 0) {
        n++;
        len--;
    }
    uint32_t pad = (n[0] & 0x80) ? 1 : 0;
    uint32_t body = len + pad;
    uint32_t w = 0;
    out[w++] = 0x02;
    if (body >= 0x80) {
        out[w++] = 0x81;
    }
    out[w++] = (uint8_t)body;
    if (pad) {
        out[w++] = 0x00;
    }
    memcpy(out + w, n, len);
    return w + len;
}

/* Write the P1363 signature r || s (sig_len == 2 * coord bytes) as the DER
 * SEQUENCE { INTEGER r, INTEGER s } that MCUboot's ECDSA TLV carries; minimal
 * encoding, so the port sees exactly what a conforming signer would produce.
 * out holds 2 * coord + 12 bytes. Returns the DER length, or 0 if sig_len is
 * not 2 * coord: such a signature is malformed in P1363 and has no DER form. */
static uint32_t p1363_to_der(uint8_t *out, const uint8_t *sig, uint32_t sig_len, uint32_t coord)
{
    uint8_t ints[2 * (66 + 4)];

    if (coord == 0 || coord > 66 || sig_len != 2 * coord) {
        return 0;
    }
    uint32_t body = der_uint(ints, sig, coord);
    body += der_uint(ints + body, sig + coord, coord);
    uint32_t w = 0;
    out[w++] = 0x30;
    if (body >= 0x80) {
        out[w++] = 0x81;
    }
    out[w++] = (uint8_t)body;
    memcpy(out + w, ints, body);
    return w + body;
}

/* ---- One vector through the port ---- */

static const uint8_t ed25519_spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

/* Stream msg through the Ed25519 streaming verifier in chunks of chunk bytes
 * (0 = the whole message in one update). */
static int ed25519_stream(const uint8_t *key, uint32_t key_len, const uint8_t *msg,
                          uint32_t msg_len, const uint8_t sig[64], uint32_t chunk)
{
    struct ifu_hash h;
    int err = ifu_ed25519_stream_begin(&h, sig, key, key_len);
    if (err) {
        ifu_hash_wipe(&h);
        return err;
    }
    if (chunk == 0) {
        err = ifu_hash_update(&h, msg, msg_len);
    }
    for (uint32_t off = 0; chunk != 0 && off < msg_len && !err; off += chunk) {
        uint32_t n = msg_len - off < chunk ? msg_len - off : chunk;
        err = ifu_hash_update(&h, msg + off, n);
    }
    if (err) {
        ifu_hash_wipe(&h);
        return err;
    }
    return ifu_ed25519_stream_finish(&h, sig, key, key_len);
}

/* Digest of msg for the signature schemes that sign a digest. The port's
 * "message" is the image digest, so the test hashes first, as the verifier
 * does. A group with a hash the port lacks is hashed with SHA-256: the
 * vectors must then be rejected anyway. */
static void digest_of(enum ifu_hash_alg alg, const uint8_t *msg, uint32_t msg_len,
                      uint8_t out[IFU_HASH_MAX_SIZE], uint32_t *out_len)
{
    if (alg == IFU_HASH_NONE) {
        alg = IFU_HASH_SHA256;
    }
    assert_int_equal(ifu_hash_oneshot(alg, msg, msg_len, out), 0);
    *out_len = ifu_hash_size(alg);
}

/* Run one vector along every path of its kind; returns the number of paths. */
static int run_vector(const struct suite *s, const cJSON *group, const cJSON *test,
                      struct path_result res[MAX_PATHS])
{
    uint32_t msg_len = 0;
    uint32_t sig_len = 0;
    uint8_t *msg = jv_hex(test, "msg", &msg_len);
    uint8_t *sig = jv_hex(test, "sig", &sig_len);
    uint8_t digest[IFU_HASH_MAX_SIZE];
    uint32_t digest_len = 0;
    int paths = 0;

    assert_non_null(msg);
    assert_non_null(sig);
    switch (s->kind) {
    case KIND_ECDSA_DER:
    case KIND_ECDSA_P1363: {
        uint32_t key_len = 0;
        uint8_t *key = jv_hex(group, "publicKeyDer", &key_len);
        assert_non_null(key);
        digest_of(hash_of(jv_str(group, "sha")), msg, msg_len, digest, &digest_len);
        res[0].name = s->kind == KIND_ECDSA_DER ? "der" : "p1363-as-der";
        if (s->kind == KIND_ECDSA_DER) {
            res[0].got = ifu_sig_verify(s->alg, key, key_len, digest, digest_len, sig, sig_len);
        } else {
            uint8_t der[2 * 66 + 12];
            uint32_t der_len = p1363_to_der(der, sig, sig_len, s->coord_size);
            res[0].got = der_len == 0 ? NOT_CONVERTIBLE
                                      : ifu_sig_verify(s->alg, key, key_len, digest, digest_len,
                                                       der, der_len);
        }
        paths = 1;
        free(key);
        break;
    }
    case KIND_RSA_PSS: {
        /* Both key encodings the port takes: SPKI (publicKeyDer) and the
         * PKCS#1 RSAPublicKey that imgtool puts in a PUBKEY TLV (publicKeyAsn). */
        static const char *const forms[2][2] = {{"publicKeyDer", "spki"},
                                                {"publicKeyAsn", "pkcs1"}};
        digest_of(hash_of(jv_str(group, "sha")), msg, msg_len, digest, &digest_len);
        for (int f = 0; f < 2; f++) {
            uint32_t key_len = 0;
            uint8_t *key = jv_hex(group, forms[f][0], &key_len);
            assert_non_null(key);
            res[paths].name = forms[f][1];
            res[paths].got = ifu_sig_verify(s->alg, key, key_len, digest, digest_len, sig, sig_len);
            paths++;
            free(key);
        }
        break;
    }
    case KIND_ED25519: {
        const cJSON *pk_obj = cJSON_GetObjectItemCaseSensitive(group, "publicKey");
        uint32_t pk_len = 0;
        uint8_t *pk = jv_hex(pk_obj, "pk", &pk_len);
        uint8_t key[sizeof ed25519_spki_prefix + 32];
        assert_non_null(pk);
        assert_int_equal(pk_len, 32);
        memcpy(key, ed25519_spki_prefix, sizeof ed25519_spki_prefix);
        memcpy(key + sizeof ed25519_spki_prefix, pk, 32);
        free(pk);
        res[0].name = "verify";
        res[0].got = ifu_sig_verify(IFU_SIG_ED25519, key, sizeof key, msg, msg_len, sig, sig_len);
        paths = 1;
        /* The streaming API takes exactly 64 bytes of signature; a signature of
         * another length cannot be passed to it and counts as rejected. */
        if (sig_len == 64) {
            res[1].name = "stream/1";
            res[1].got = ed25519_stream(key, sizeof key, msg, msg_len, sig, 1);
            res[2].name = "stream/whole";
            res[2].got = ed25519_stream(key, sizeof key, msg, msg_len, sig, 0);
            paths = 3;
        }
        break;
    }
    }
    free(msg);
    free(sig);
    return paths;
}

/* ---- One file ---- */

static enum want group_want(const struct suite *s, const cJSON *group, enum want w)
{
    if (s->reject_all != NULL) {
        return WANT_REJECT;
    }
    if (s->kind == KIND_RSA_PSS) {
        /* The port implements one RSA-PSS profile, MCUboot's: SHA-256,
         * MGF1-SHA-256, salt 32. Any other group must be rejected. */
        const char *sha = jv_str(group, "sha");
        const char *mgf = jv_str(group, "mgf");
        const char *mgf_sha = jv_str(group, "mgfSha");
        int salt = -1;
        if (sha == NULL || strcmp(sha, "SHA-256") != 0 || mgf == NULL || strcmp(mgf, "MGF1") != 0 ||
            mgf_sha == NULL || strcmp(mgf_sha, "SHA-256") != 0 ||
            jv_int(group, "sLen", &salt) != 0 || salt != 32) {
            return WANT_REJECT;
        }
    }
    return w;
}

static int path_ok(enum want w, int got)
{
    switch (w) {
    case WANT_ACCEPT:
        return got == 0;
    case WANT_REJECT:
        return got != 0;
    default:
        return 1;
    }
}

static void count_reject(struct tally *t, int got)
{
    if (got < 0 && -got < (int)(sizeof t->reject_codes / sizeof t->reject_codes[0])) {
        t->reject_codes[-got]++;
    }
}

static void check_vector(const struct suite *s, const cJSON *group, const cJSON *test,
                         struct tally *t)
{
    struct path_result res[MAX_PATHS];
    int tc_id = -1;
    const char *comment = jv_str(test, "comment");
    enum want w = group_want(s, group, want_of(jv_str(test, "result")));

    (void)jv_int(test, "tcId", &tc_id);
    const struct override *o = override_of(s, tc_id);
    if (o != NULL) {
        w = o->want;
        t->overridden++;
    }
    int paths = run_vector(s, group, test, res);
    t->vectors++;

    int bad = 0;
    int accepted = 0;
    for (int p = 0; p < paths; p++) {
        bad |= !path_ok(w, res[p].got);
        accepted += res[p].got == 0;
        if (res[p].got == NOT_CONVERTIBLE) {
            t->not_convertible++;
        }
        count_reject(t, res[p].got);
    }
    if (s->kind == KIND_ED25519 && paths == 1) {
        t->stream_not_run++;
    }
    if (w == WANT_EITHER) {
        t->acceptable++;
        /* An acceptable vector may go either way, but every path the same way. */
        bad |= accepted != 0 && accepted != paths;
        t->acceptable_accepted += accepted == paths;
    }

    const struct known *k = known_of(s, tc_id);
    t->known_found += k != NULL;
    if (!bad && k != NULL) {
        printf("  tcId %d (%s): listed as a known limitation but now passes; update the list\n",
               tc_id, comment != NULL ? comment : "");
        t->mismatches++;
        return;
    }
    if (!bad) {
        return;
    }
    if (k != NULL) {
        t->known_seen++;
    } else {
        t->mismatches++;
    }
    for (int p = 0; p < paths; p++) {
        if (!path_ok(w, res[p].got) || w == WANT_EITHER) {
            printf("  tcId %d (%s) [%s]: expected %s, got %s%s%s\n", tc_id,
                   comment != NULL ? comment : "", res[p].name, want_name(w), got_name(res[p].got),
                   k != NULL ? "; known limitation: " : "", k != NULL ? k->why : "");
        }
    }
}

static void print_summary(const struct suite *s, const struct tally *t)
{
    printf("wycheproof %s: %u vectors, %u mismatches", s->file, t->vectors, t->mismatches);
    if (t->acceptable != 0) {
        printf(", %u acceptable (%u accepted, want %u)", t->acceptable, t->acceptable_accepted,
               s->acceptable_accepted);
    }
    if (t->known_seen != 0) {
        printf(", %u known limitations", t->known_seen);
    }
    if (s->reject_all != NULL) {
        printf(", all must be rejected (%s)", s->reject_all);
    }
    if (t->overridden != 0) {
        printf(", %u with a per-vector expectation (see the test)", t->overridden);
    }
    if (t->not_convertible != 0) {
        printf(", %u not convertible to DER", t->not_convertible);
    }
    if (t->stream_not_run != 0) {
        printf(", %u not streamed (signature not 64 bytes)", t->stream_not_run);
    }
    /* Rejection reasons over all paths: IFU_ECRYPTO here would mean the
     * backend failed (e.g. its heap) rather than judged the signature. */
    const char *sep = "; rejections over all paths:";
    for (size_t c = 0; c < sizeof t->reject_codes / sizeof t->reject_codes[0]; c++) {
        if (t->reject_codes[c] != 0) {
            printf("%s %u %s", sep, t->reject_codes[c], ifu_strerror(-(int)c));
            sep = ",";
        }
    }
    printf("\n");
    fflush(stdout);
}

static void run_suite(const struct suite *s)
{
    char path[sizeof vectors_dir + 128];
    struct tally t;

    memset(&t, 0, sizeof t);
    snprintf(path, sizeof path, "%s/%s", vectors_dir, s->file);
    cJSON *doc = jv_load(path);
    if (doc == NULL) {
        fail_msg("wycheproof %s: cannot load", s->file);
    }
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(doc, "testGroups");
    const cJSON *group;
    cJSON_ArrayForEach(group, groups)
    {
        const cJSON *tests = cJSON_GetObjectItemCaseSensitive(group, "tests");
        const cJSON *test;
        cJSON_ArrayForEach(test, tests)
        {
            check_vector(s, group, test, &t);
        }
    }
    int declared = -1;
    (void)jv_int(doc, "numberOfTests", &declared);
    cJSON_Delete(doc);

    print_summary(s, &t);
    int ok = t.mismatches == 0 && t.acceptable_accepted == s->acceptable_accepted &&
             t.vectors > 0 && declared == (int)t.vectors && t.known_found == s->known_count &&
             t.overridden == s->override_count;
    if (ok) {
        files_passed++;
        return;
    }
    /* A tcId listed above but absent from the file: the list is stale. */
    if (t.known_found != s->known_count || t.overridden != s->override_count) {
        fail_msg("wycheproof %s: a listed tcId is not in the file (%u of %zu known, %u of %zu "
                 "overrides found)",
                 s->file, t.known_found, s->known_count, t.overridden, s->override_count);
    }
    if (declared != (int)t.vectors) {
        fail_msg("wycheproof %s: ran %u vectors, the file declares %d", s->file, t.vectors,
                 declared);
    }
    if (t.acceptable_accepted != s->acceptable_accepted) {
        fail_msg("wycheproof %s: %u acceptable vectors accepted, measured %u before", s->file,
                 t.acceptable_accepted, s->acceptable_accepted);
    }
    fail_msg("wycheproof %s: %u mismatches", s->file, t.mismatches);
}

/* ---- The files ---- */

/* The ECDSA, RSA-PSS and Ed25519 files of this Wycheproof revision contain no
 * "acceptable" vectors; the constants below are 0 and would catch one added
 * with an update of the vectors. */

static const struct suite ecdsa_p256_sha256 = {
    .file = "ecdsa_secp256r1_sha256_test.json",
    .kind = KIND_ECDSA_DER,
    .alg = IFU_SIG_ECDSA_P256,
    .acceptable_accepted = 0,
};

/* P1363 (r || s) is not an MCUboot signature format. The vectors are still
 * run, each converted to the minimal DER form before it reaches the port: the
 * file then tests the same DER verifier with r and s values (0, n, p, n - 1,
 * ...) that the DER file does not all cover. A signature whose length is not
 * 64 bytes is malformed in P1363 and has no DER form; it counts as rejected
 * (by the conversion, before the port) and is reported as such. */
static const struct suite ecdsa_p256_sha256_p1363 = {
    .file = "ecdsa_secp256r1_sha256_p1363_test.json",
    .kind = KIND_ECDSA_P1363,
    .alg = IFU_SIG_ECDSA_P256,
    .coord_size = 32,
    .acceptable_accepted = 0,
};

static const struct suite ecdsa_p384_sha384 = {
    .file = "ecdsa_secp384r1_sha384_test.json",
    .kind = KIND_ECDSA_DER,
    .alg = IFU_SIG_ECDSA_P384,
    .acceptable_accepted = 0,
};

/* P-384 over a SHA-256 digest: the port takes any digest length the curve
 * allows (ECDSA uses the leftmost min(len, 48) bytes), so valid vectors must
 * verify. */
static const struct suite ecdsa_p384_sha256 = {
    .file = "ecdsa_secp384r1_sha256_test.json",
    .kind = KIND_ECDSA_DER,
    .alg = IFU_SIG_ECDSA_P384,
    .acceptable_accepted = 0,
};

static const struct suite rsa2048_pss_salt32 = {
    .file = "rsa_pss_2048_sha256_mgf1_32_test.json",
    .kind = KIND_RSA_PSS,
    .alg = IFU_SIG_RSA2048_PSS,
    .acceptable_accepted = 0,
};

static const struct suite rsa3072_pss_salt32 = {
    .file = "rsa_pss_3072_sha256_mgf1_32_test.json",
    .kind = KIND_RSA_PSS,
    .alg = IFU_SIG_RSA3072_PSS,
    .acceptable_accepted = 0,
};

/* Both negative files carry one and the same signature that is not of their
 * kind but of MCUboot's: RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32, over
 * "123400" under the files' (common) 2048-bit key. Wycheproof marks it invalid
 * because the file's verifier must reject it; ifu's verifier must accept it.
 * Checked independently with OpenSSL 3.0 (openssl dgst -sha256 -sigopt
 * rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256
 * -verify: "Verified OK"; with rsa_pss_saltlen:0: "salt length check failed"). */
static const struct override salt0_overrides[] = {
    {69, WANT_ACCEPT, "s_len changed to 32: a valid salt-32 PSS signature"},
};

static const struct override pkcs1v15_overrides[] = {
    {257, WANT_ACCEPT, "RSASSA-PSS signature: a valid salt-32 PSS signature"},
};

static const struct suite rsa2048_pss_salt0 = {
    .file = "rsa_pss_2048_sha256_mgf1_0_test.json",
    .kind = KIND_RSA_PSS,
    .alg = IFU_SIG_RSA2048_PSS,
    .reject_all = "salt 0, the port requires salt 32",
    .acceptable_accepted = 0,
    .overrides = salt0_overrides,
    .override_count = sizeof salt0_overrides / sizeof salt0_overrides[0],
};

/* Its one "acceptable" vector (tcId 8, missing NULL in the DigestInfo) is a
 * PKCS#1 v1.5 signature like the rest: expected reject, not acceptable. */
static const struct suite rsa2048_pkcs1v15 = {
    .file = "rsa_signature_2048_sha256_test.json",
    .kind = KIND_RSA_PSS,
    .alg = IFU_SIG_RSA2048_PSS,
    .reject_all = "PKCS#1 v1.5, the port verifies PSS only",
    .acceptable_accepted = 0,
    .overrides = pkcs1v15_overrides,
    .override_count = sizeof pkcs1v15_overrides / sizeof pkcs1v15_overrides[0],
};

static const struct suite ed25519 = {
    .file = "ed25519_test.json",
    .kind = KIND_ED25519,
    .alg = IFU_SIG_ED25519,
    .acceptable_accepted = 0,
};

static void test_ecdsa_p256_der_verify_agrees_with_wycheproof(void **state)
{
    (void)state;
    run_suite(&ecdsa_p256_sha256);
}

static void test_ecdsa_p256_p1363_converted_to_der_agrees_with_wycheproof(void **state)
{
    (void)state;
    run_suite(&ecdsa_p256_sha256_p1363);
}

static void test_ecdsa_p384_sha384_verify_agrees_with_wycheproof(void **state)
{
    (void)state;
    run_suite(&ecdsa_p384_sha384);
}

static void test_ecdsa_p384_verify_of_sha256_digest_agrees_with_wycheproof(void **state)
{
    (void)state;
    run_suite(&ecdsa_p384_sha256);
}

static void test_rsa2048_pss_salt32_verify_agrees_with_wycheproof(void **state)
{
    (void)state;
    run_suite(&rsa2048_pss_salt32);
}

static void test_rsa3072_pss_salt32_verify_agrees_with_wycheproof(void **state)
{
    (void)state;
    run_suite(&rsa3072_pss_salt32);
}

static void test_rsa_pss_verify_rejects_every_salt0_signature(void **state)
{
    (void)state;
    run_suite(&rsa2048_pss_salt0);
}

static void test_rsa_pss_verify_rejects_every_pkcs1v15_signature(void **state)
{
    (void)state;
    run_suite(&rsa2048_pkcs1v15);
}

static void test_ed25519_verify_and_stream_agree_with_wycheproof(void **state)
{
    (void)state;
    run_suite(&ed25519);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecdsa_p256_der_verify_agrees_with_wycheproof),
        cmocka_unit_test(test_ecdsa_p256_p1363_converted_to_der_agrees_with_wycheproof),
        cmocka_unit_test(test_ecdsa_p384_sha384_verify_agrees_with_wycheproof),
        cmocka_unit_test(test_ecdsa_p384_verify_of_sha256_digest_agrees_with_wycheproof),
        cmocka_unit_test(test_rsa2048_pss_salt32_verify_agrees_with_wycheproof),
        cmocka_unit_test(test_rsa3072_pss_salt32_verify_agrees_with_wycheproof),
        cmocka_unit_test(test_rsa_pss_verify_rejects_every_salt0_signature),
        cmocka_unit_test(test_rsa_pss_verify_rejects_every_pkcs1v15_signature),
        cmocka_unit_test(test_ed25519_verify_and_stream_agree_with_wycheproof),
    };

    snprintf(vectors_dir, sizeof vectors_dir, "%s/vectors/wycheproof", jv_shared_dir());
    if (!jv_is_dir(vectors_dir)) {
        printf("wycheproof: SKIP: %s not found\n", vectors_dir);
        return JV_SKIP;
    }
    int failed = cmocka_run_group_tests_name("wycheproof", tests, NULL, NULL);
    unsigned files = (unsigned)(sizeof tests / sizeof tests[0]);
    printf("wycheproof: %u passed, %u failed\n", files_passed, files - files_passed);
    return failed != 0 ? 1 : 0;
}
