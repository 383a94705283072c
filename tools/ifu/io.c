/* Memory, byte strings, files and text encodings for the CLI. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* see cli.h */
void *cli_alloc(size_t size)
{
    void *p = malloc(size == 0 ? 1 : size);
    if (p == NULL) {
        cli_fail(IFU_ECRYPTO, NULL, "out of memory");
        exit(CLI_EXIT_CRYPTO);
    }
    return p;
}

/* see cli.h */
void *cli_realloc(void *p, size_t size)
{
    void *q = realloc(p, size == 0 ? 1 : size);
    if (q == NULL) {
        cli_fail(IFU_ECRYPTO, NULL, "out of memory");
        exit(CLI_EXIT_CRYPTO);
    }
    return q;
}

/* see cli.h */
char *cli_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = cli_alloc(n);
    memcpy(d, s, n);
    return d;
}

/* see cli.h */
void cli_buf_reserve(struct cli_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len) {
        cli_fail(IFU_ECRYPTO, NULL, "out of memory");
        exit(CLI_EXIT_CRYPTO);
    }
    size_t need = b->len + extra;
    if (need <= b->cap) {
        return;
    }
    size_t cap = b->cap < 256 ? 256 : b->cap;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    b->data = cli_realloc(b->data, cap);
    b->cap = cap;
}

/* see cli.h */
void cli_buf_put(struct cli_buf *b, const void *data, size_t len)
{
    if (len == 0) {
        return;
    }
    cli_buf_reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

/* see cli.h */
void cli_buf_fill(struct cli_buf *b, uint8_t val, size_t count)
{
    if (count == 0) {
        return;
    }
    cli_buf_reserve(b, count);
    memset(b->data + b->len, val, count);
    b->len += count;
}

/* see cli.h */
void cli_buf_put_u8(struct cli_buf *b, uint8_t v)
{
    cli_buf_put(b, &v, 1);
}

/* see cli.h */
void cli_buf_put_u16(struct cli_buf *b, uint16_t v, int big)
{
    uint8_t x[2];
    if (big) {
        x[0] = (uint8_t)(v >> 8);
        x[1] = (uint8_t)v;
    } else {
        x[0] = (uint8_t)v;
        x[1] = (uint8_t)(v >> 8);
    }
    cli_buf_put(b, x, sizeof x);
}

/* see cli.h */
void cli_buf_put_u32(struct cli_buf *b, uint32_t v, int big)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++) {
        int shift = big ? 8 * (3 - i) : 8 * i;
        x[i] = (uint8_t)(v >> shift);
    }
    cli_buf_put(b, x, sizeof x);
}

/* see cli.h */
void cli_buf_free(struct cli_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

/* see cli.h */
int cli_file_read(const char *path, struct cli_buf *b)
{
    b->len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return cli_fail(IFU_EIO, path, "%s", strerror(errno));
    }
    for (;;) {
        cli_buf_reserve(b, 65536);
        size_t n = fread(b->data + b->len, 1, b->cap - b->len, f);
        b->len += n;
        if (n == 0) {
            break;
        }
    }
    int bad = ferror(f);
    int saved = errno;
    fclose(f);
    if (bad) {
        return cli_fail(IFU_EIO, path, "read failed: %s", strerror(saved));
    }
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A device or pipe (/dev/stdout, a FIFO) cannot be replaced by rename:
 * write it in place. */
static int write_special(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0) {
        return cli_fail(IFU_EIO, path, "cannot open: %s", strerror(errno));
    }
    int saved = write_all(fd, data, len);
    if (close(fd) != 0 && saved == 0) {
        saved = errno;
    }
    if (saved != 0) {
        return cli_fail(IFU_EIO, path, "cannot write: %s", strerror(saved));
    }
    return 0;
}

static int write_replace(const char *path, const void *data, size_t len, unsigned mode);

/* see cli.h */
int cli_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        return write_special(path, data, len);
    }
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* Replace the file the link names, never the link itself (renaming
         * over /dev/stdout would turn the link into a file). */
        char *real = realpath(path, NULL);
        if (real == NULL) {
            return write_special(path, data, len);
        }
        int err = write_replace(real, data, len, mode);
        free(real);
        return err;
    }
    return write_replace(path, data, len, mode);
}

/* Write a temporary file next to path, then rename it over path. */
static int write_replace(const char *path, const void *data, size_t len, unsigned mode)
{
    size_t plen = strlen(path);
    char *tmp = cli_alloc(plen + sizeof ".ifu-XXXXXX");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".ifu-XXXXXX", sizeof ".ifu-XXXXXX");

    int fd = mkstemp(tmp);
    if (fd < 0) {
        int saved = errno;
        free(tmp);
        return cli_fail(IFU_EIO, path, "cannot create: %s", strerror(saved));
    }
    mode_t mask = umask(0);
    umask(mask);
    int saved = write_all(fd, data, len);
    if (saved == 0 && fchmod(fd, (mode_t)mode & ~mask) != 0) {
        saved = errno;
    }
    if (saved == 0 && fsync(fd) != 0) {
        saved = errno;
    }
    if (close(fd) != 0 && saved == 0) {
        saved = errno;
    }
    if (saved == 0 && rename(tmp, path) != 0) {
        saved = errno;
    }
    if (saved != 0) {
        unlink(tmp);
        free(tmp);
        return cli_fail(IFU_EIO, path, "cannot write: %s", strerror(saved));
    }
    free(tmp);
    return 0;
}

/* see cli.h */
int cli_is_hex_path(const char *path)
{
    /* Python's os.path.splitext: the extension starts at the last '.' of the
     * file name, not counting leading dots. */
    const char *name = strrchr(path, '/');
    name = name == NULL ? path : name + 1;
    while (*name == '.') {
        name++;
    }
    const char *dot = strrchr(name, '.');
    if (dot == NULL) {
        return 0;
    }
    const char *ext = dot + 1;
    return (ext[0] == 'h' || ext[0] == 'H') && (ext[1] == 'e' || ext[1] == 'E') &&
           (ext[2] == 'x' || ext[2] == 'X') && ext[3] == '\0';
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* see cli.h */
void cli_base64_encode(const uint8_t *data, size_t len, struct cli_buf *out)
{
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        /* n is 1, 2 or 3. cppcheck 2.10 takes it for less than 1 (a value-flow
         * error on this min pattern), hence the suppressions. */
        size_t n = len - i < 3 ? len - i : 3;
        /* cppcheck-suppress knownConditionTrueFalse */
        if (n > 1) {
            v |= (uint32_t)data[i + 1] << 8;
        }
        /* cppcheck-suppress knownConditionTrueFalse */
        if (n > 2) {
            v |= data[i + 2];
        }
        char q[4];
        q[0] = b64_alphabet[(v >> 18) & 63];
        q[1] = b64_alphabet[(v >> 12) & 63];
        /* cppcheck-suppress knownConditionTrueFalse */
        q[2] = n > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
        /* cppcheck-suppress knownConditionTrueFalse */
        q[3] = n > 2 ? b64_alphabet[v & 63] : '=';
        cli_buf_put(out, q, 4);
    }
}

static int b64_value(char c)
{
    const char *p = strchr(b64_alphabet, c);
    return (c != '\0' && p != NULL) ? (int)(p - b64_alphabet) : -1;
}

/* see cli.h */
int cli_base64_decode(const char *text, size_t len, struct cli_buf *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t digits = 0;
    size_t pads = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '=') {
            pads++;
            continue;
        }
        int v = b64_value(c);
        if (v < 0) {
            continue; /* line breaks and other noise, as Python's b64decode */
        }
        if (pads > 0) {
            return IFU_EINVAL; /* data after padding */
        }
        digits++;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            cli_buf_put_u8(out, (uint8_t)(acc >> bits));
        }
    }
    if (digits % 4 == 1) {
        return IFU_EINVAL;
    }
    if (digits % 4 != 0 && (digits + pads) % 4 != 0) {
        return IFU_EINVAL; /* missing padding, which Python refuses too */
    }
    return 0;
}

/* see cli.h */
void cli_hex_string(const uint8_t *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}
