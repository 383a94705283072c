/* see tu_image.h */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, fork, execv, waitpid */

#include "tu_image.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#ifndef IFU_CLI_PATH
#error "IFU_CLI_PATH must name the ifu CLI (target ifu_cli)"
#endif

struct entry {
    struct tu_image img;
    uint8_t *data; /* img.data, writable for free() */
    char version[32];
    struct entry *next;
};

static char tmp_dir[256];
static uint8_t *pub[TU_KEYS];
static uint32_t pub_len[TU_KEYS];
static struct ifu_key trusted;
static struct ifu_keyring ring;
static struct entry *cache;
static unsigned file_seq;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tu_image: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static char *key_path(enum tu_key k)
{
    static char path[TU_KEYS][300];
    snprintf(path[k], sizeof path[k], "%s/key%d.pem", tmp_dir, (int)k);
    return path[k];
}

static void cleanup(void)
{
    char path[300];
    for (int k = 0; k < TU_KEYS; k++) {
        remove(key_path((enum tu_key)k));
        snprintf(path, sizeof path, "%s/key%d.pub.pem", tmp_dir, k);
        remove(path);
    }
    rmdir(tmp_dir);
    while (cache != NULL) {
        struct entry *e = cache;
        cache = e->next;
        free(e->data);
        free(e);
    }
    for (int k = 0; k < TU_KEYS; k++) {
        free(pub[k]);
    }
}

/* Run the CLI with argv (argv[0] is ignored), no shell in between. */
static void run_cli(char **argv)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        die("fork failed");
    }
    if (pid == 0) {
        argv[0] = (char *)IFU_CLI_PATH;
        execv(IFU_CLI_PATH, argv);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        die("%s %s failed (status %d)", IFU_CLI_PATH, argv[1], status);
    }
}

static void setup(void)
{
    if (tmp_dir[0] != '\0') {
        return;
    }
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/ifu-tu-XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(tmp_dir) == NULL) {
        die("cannot create a folder in %s", tmp_dir);
    }
    atexit(cleanup);
    for (int k = 0; k < TU_KEYS; k++) {
        char pem[300];
        char *gen[] = {NULL, "keygen", "-k", key_path((enum tu_key)k), "-t", "ed25519", NULL};
        run_cli(gen);
        snprintf(pem, sizeof pem, "%s/key%d.pub.pem", tmp_dir, k);
        char *get[] = {NULL, "getpub", "-k", key_path((enum tu_key)k), "-e", "pem",
                       "-o", pem,      NULL};
        run_cli(get);
        pub[k] = tu_load_pubkey(pem, &pub_len[k]);
        if (pub[k] == NULL) {
            die("cannot load %s", pem);
        }
    }
    trusted.pub = pub[TU_KEY_TRUSTED];
    trusted.pub_len = pub_len[TU_KEY_TRUSTED];
    ring.keys = &trusted;
    ring.count = 1;
}

const struct ifu_keyring *tu_image_keyring(void)
{
    setup();
    return &ring;
}

const uint8_t *tu_image_pub(enum tu_key k, uint32_t *len)
{
    setup();
    if ((int)k < 0 || (int)k >= TU_KEYS) {
        die("bad key %d", (int)k);
    }
    *len = pub_len[k];
    return pub[k];
}

static int same_spec(const struct tu_image_spec *a, const struct tu_image_spec *b)
{
    return a->key == b->key && a->payload == b->payload && strcmp(a->version, b->version) == 0 &&
           a->sec_cnt == b->sec_cnt && a->rom_fixed == b->rom_fixed &&
           a->pubkey_full == b->pubkey_full;
}

/* Payload bytes from a generator seeded by the spec, so that images of other
 * sizes or versions differ everywhere. */
static void fill_payload(uint8_t *p, const struct tu_image_spec *s)
{
    uint64_t x = 0xcbf29ce484222325u ^ s->payload ^ ((uint64_t)s->key << 40);
    for (const char *c = s->version; *c != '\0'; c++) {
        x = (x ^ (uint8_t)*c) * 0x100000001b3u;
    }
    for (uint32_t i = 0; i < s->payload; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)(x >> 24);
    }
}

const struct tu_image *tu_image_get(const struct tu_image_spec *spec)
{
    if (spec->version == NULL || strlen(spec->version) >= sizeof cache->version ||
        spec->payload == 0 || (int)spec->key < 0 || (int)spec->key >= TU_KEYS) {
        die("bad image spec");
    }
    for (struct entry *e = cache; e != NULL; e = e->next) {
        if (same_spec(&e->img.spec, spec)) {
            return &e->img;
        }
    }
    setup();

    char in[300];
    char out[300];
    char hdr[16];
    char cnt[24];
    char fixed[24];
    unsigned seq = file_seq++;
    snprintf(in, sizeof in, "%s/payload%u.bin", tmp_dir, seq);
    snprintf(out, sizeof out, "%s/image%u.bin", tmp_dir, seq);
    snprintf(hdr, sizeof hdr, "0x%x", TU_IMAGE_HDR_SIZE);
    snprintf(cnt, sizeof cnt, "%" PRId64, spec->sec_cnt);
    snprintf(fixed, sizeof fixed, "0x%" PRIx32, spec->rom_fixed);

    uint8_t *payload = malloc(spec->payload);
    if (payload == NULL) {
        die("out of memory");
    }
    fill_payload(payload, spec);
    FILE *f = fopen(in, "wb");
    if (f == NULL || fwrite(payload, 1, spec->payload, f) != spec->payload || fclose(f) != 0) {
        die("cannot write %s", in);
    }
    free(payload);

    char version[32];
    snprintf(version, sizeof version, "%s", spec->version);
    char *argv[24] = {NULL,    "sign",          "-k", key_path(spec->key), "--version",
                      version, "--header-size", hdr,  "--pad-header",      "--slot-size",
                      "0"};
    int n = 11;
    if (spec->sec_cnt != 0) {
        argv[n++] = "--security-counter";
        argv[n++] = cnt;
    }
    if (spec->rom_fixed != 0) {
        argv[n++] = "--rom-fixed";
        argv[n++] = fixed;
    }
    if (spec->pubkey_full) {
        argv[n++] = "--public-key-format";
        argv[n++] = "full";
    }
    argv[n++] = in;
    argv[n++] = out;
    argv[n] = NULL;
    run_cli(argv);

    struct entry *e = calloc(1, sizeof *e);
    uint32_t len = 0;
    uint8_t *data = tu_read_file(out, &len);
    if (e == NULL || data == NULL) {
        die("cannot read %s", out);
    }
    remove(in);
    remove(out);
    snprintf(e->version, sizeof e->version, "%s", spec->version);
    e->data = data;
    e->img.data = data;
    e->img.len = len;
    e->img.spec = *spec;
    e->img.spec.version = e->version;
    e->next = cache;
    cache = e;
    return &e->img;
}

const struct tu_image *tu_image(uint32_t payload, const char *version)
{
    struct tu_image_spec s = {.key = TU_KEY_TRUSTED, .payload = payload, .version = version};
    return tu_image_get(&s);
}
