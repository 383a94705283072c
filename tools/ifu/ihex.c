/* Intel HEX input and output, byte-compatible with what imgtool (through the
 * Python intelhex package) reads and writes.
 *
 * Reading: records 00-05, checksums checked, extended segment (02) and linear
 * (04) address records honoured, start address records (03, 05) checked and
 * ignored (imgtool drops them), overlapping data refused, reading stops at
 * the end-of-file record. The data span from the lowest to the highest address
 * is returned with holes filled with 0xff.
 *
 * Writing: data records of at most 16 bytes that never cross a 64 KiB page
 * or a hole; when any address is above 0xffff, an extended linear address
 * record first and before the first record of each later page; then the
 * end-of-file record. Upper-case hex digits, '\n' line ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Largest span a HEX input may cover, bytes: a guard against a file whose
 * two records lie gigabytes apart. */
#define HEX_MAX_SPAN (512u * 1024u * 1024u)

#define HEX_RECORD_DATA 16u

struct record {
    uint64_t addr;
    size_t off; /* of its bytes in the data buffer */
    size_t len;
};

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static int cmp_record(const void *a, const void *b)
{
    const struct record *x = a;
    const struct record *y = b;
    return x->addr < y->addr ? -1 : (x->addr > y->addr ? 1 : 0);
}

static int bad_line(const char *path, unsigned long line, const char *why)
{
    char what[4096];
    snprintf(what, sizeof what, "%s:%lu", path, line);
    return cli_fail(IFU_EIO, what, "bad Intel HEX record: %s", why);
}

/* Decode one line (without its end) into raw record bytes. */
static int decode_line(const char *s, size_t n, uint8_t *bin, size_t *bin_len, const char **why)
{
    if (s[0] != ':') {
        *why = "does not start with ':'";
        return IFU_EINVAL;
    }
    s++;
    n--;
    if (n % 2 != 0) {
        *why = "odd number of hex digits";
        return IFU_EINVAL;
    }
    if (n / 2 > 5 + 255) {
        *why = "record too long";
        return IFU_EINVAL;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_nibble(s[2 * i]);
        int lo = hex_nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            *why = "not a hex digit";
            return IFU_EINVAL;
        }
        bin[i] = (uint8_t)(hi << 4 | lo);
    }
    *bin_len = n / 2;
    if (*bin_len < 5) {
        *why = "record too short";
        return IFU_EINVAL;
    }
    if (*bin_len != 5u + bin[0]) {
        *why = "length field does not match the record";
        return IFU_EINVAL;
    }
    uint8_t sum = 0;
    for (size_t i = 0; i < *bin_len; i++) {
        sum = (uint8_t)(sum + bin[i]);
    }
    if (sum != 0) {
        *why = "checksum mismatch";
        return IFU_EINVAL;
    }
    if (bin[3] > 5) {
        *why = "unknown record type";
        return IFU_EINVAL;
    }
    return 0;
}

/* see cli.h */
int cli_hex_read(const char *path, struct cli_buf *out, uint64_t *base, int *has_base)
{
    struct cli_buf text = {0};
    int err = cli_file_read(path, &text);
    if (!err) {
        err = cli_hex_parse(path, text.data, text.len, out, base, has_base);
    } else {
        out->len = 0;
        *has_base = 0;
        *base = 0;
    }
    cli_buf_free(&text);
    return err;
}

/* see cli.h */
int cli_hex_parse(const char *path, const uint8_t *text, size_t text_len, struct cli_buf *out,
                  uint64_t *base, int *has_base)
{
    struct cli_buf bytes = {0};
    struct record *recs = NULL;
    size_t nrecs = 0;
    size_t cap = 0;
    uint64_t offset = 0;
    int have_start = 0;
    int err = 0;

    out->len = 0;
    *has_base = 0;
    *base = 0;
    size_t pos = 0;
    unsigned long line = 0;
    while (!err && pos < text_len) {
        /* Lines end in \n, \r\n or \r (Python's universal newlines). */
        size_t start = pos;
        while (pos < text_len && text[pos] != '\n' && text[pos] != '\r') {
            pos++;
        }
        size_t n = pos - start;
        if (pos < text_len && text[pos] == '\r' && pos + 1 < text_len && text[pos + 1] == '\n') {
            pos++;
        }
        pos++;
        line++;
        if (n == 0) {
            continue;
        }
        uint8_t bin[5 + 255];
        size_t bin_len;
        const char *why = NULL;
        if (decode_line((const char *)text + start, n, bin, &bin_len, &why) != 0) {
            err = bad_line(path, line, why);
            break;
        }
        uint8_t len = bin[0];
        uint16_t addr16 = (uint16_t)(bin[1] << 8 | bin[2]);
        uint8_t type = bin[3];
        if (type == 0) {
            if (nrecs == cap) {
                cap = cap == 0 ? 64 : cap * 2;
                recs = cli_realloc(recs, cap * sizeof *recs);
            }
            recs[nrecs].addr = offset + addr16;
            recs[nrecs].off = bytes.len;
            recs[nrecs].len = len;
            nrecs++;
            cli_buf_put(&bytes, bin + 4, len);
        } else if (type == 1) {
            if (len != 0) {
                err = bad_line(path, line, "end-of-file record with data");
            }
            break;
        } else if (type == 2 || type == 4) {
            if (len != 2 || addr16 != 0) {
                err = bad_line(path, line, "bad extended address record");
                break;
            }
            uint64_t v = (uint64_t)(bin[4] << 8 | bin[5]);
            offset = type == 2 ? v * 16 : v * 65536;
        } else {
            if (len != 4 || addr16 != 0) {
                err = bad_line(path, line, "bad start address record");
                break;
            }
            if (have_start) {
                err = bad_line(path, line, "second start address record");
                break;
            }
            have_start = 1;
        }
    }

    if (!err && nrecs > 0) {
        qsort(recs, nrecs, sizeof *recs, cmp_record);
        uint64_t lo = UINT64_MAX;
        uint64_t hi = 0; /* one past the highest address */
        for (size_t i = 0; i < nrecs && !err; i++) {
            if (recs[i].len == 0) {
                continue;
            }
            if (recs[i].addr < hi) {
                err = cli_fail(IFU_EIO, path, "bad Intel HEX: data overlaps at address 0x%llx",
                               (unsigned long long)recs[i].addr);
            }
            lo = recs[i].addr < lo ? recs[i].addr : lo;
            hi = recs[i].addr + recs[i].len;
        }
        if (!err && lo != UINT64_MAX) {
            if (hi - lo > HEX_MAX_SPAN) {
                err = cli_fail(IFU_EIO, path, "Intel HEX data spans %llu bytes (limit %u)",
                               (unsigned long long)(hi - lo), HEX_MAX_SPAN);
            } else {
                cli_buf_fill(out, 0xff, (size_t)(hi - lo));
                for (size_t i = 0; i < nrecs; i++) {
                    /* An empty record may lie outside [lo, hi): it has no
                     * byte to place, and no offset in out. */
                    if (recs[i].len == 0) {
                        continue;
                    }
                    memcpy(out->data + (recs[i].addr - lo), bytes.data + recs[i].off, recs[i].len);
                }
                *base = lo;
                *has_base = 1;
            }
        }
    }
    free(recs);
    cli_buf_free(&bytes);
    return err;
}

static void put_record(struct cli_buf *out, uint8_t type, uint16_t addr16, const uint8_t *data,
                       size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    uint8_t rec[5 + 255];
    rec[0] = (uint8_t)len;
    rec[1] = (uint8_t)(addr16 >> 8);
    rec[2] = (uint8_t)addr16;
    rec[3] = type;
    if (len > 0) {
        memcpy(rec + 4, data, len);
    }
    uint8_t sum = 0;
    for (size_t i = 0; i < 4 + len; i++) {
        sum = (uint8_t)(sum + rec[i]);
    }
    rec[4 + len] = (uint8_t)(0x100 - sum);
    cli_buf_put_u8(out, ':');
    for (size_t i = 0; i < 5 + len; i++) {
        cli_buf_put_u8(out, (uint8_t)digits[rec[i] >> 4]);
        cli_buf_put_u8(out, (uint8_t)digits[rec[i] & 15]);
    }
    cli_buf_put_u8(out, '\n');
}

static int cmp_seg(const void *a, const void *b)
{
    const struct cli_hex_seg *x = a;
    const struct cli_hex_seg *y = b;
    return x->addr < y->addr ? -1 : (x->addr > y->addr ? 1 : 0);
}

/* see cli.h */
int cli_hex_write(const char *path, const struct cli_hex_seg *segs, size_t count)
{
    struct cli_hex_seg *s = cli_alloc((count + 1) * sizeof *s);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (segs[i].len > 0) {
            s[n++] = segs[i];
        }
    }
    qsort(s, n, sizeof *s, cmp_seg);
    for (size_t i = 0; i < n; i++) {
        if ((i > 0 && s[i].addr < s[i - 1].addr + s[i - 1].len) ||
            s[i].addr + s[i].len > UINT64_C(0x100000000)) {
            free(s);
            return cli_fail(IFU_EINVAL, path, "Intel HEX data overlaps or passes 4 GiB");
        }
    }

    struct cli_buf out = {0};
    if (n > 0) {
        uint64_t max_addr = s[n - 1].addr + s[n - 1].len - 1;
        int need_page = max_addr > 0xffff;
        size_t si = 0; /* segment of cur */
        size_t so = 0; /* offset of cur inside it */
        uint64_t page = UINT64_MAX;
        while (si < n) {
            uint64_t cur = s[si].addr + so;
            if (need_page && (cur >> 16) != page) {
                page = cur >> 16;
                uint8_t ela[2] = {(uint8_t)(page >> 8), (uint8_t)page};
                put_record(&out, 4, 0, ela, 2);
            }
            /* The run of present bytes from cur: this segment and any that
             * follow it without a hole. */
            uint64_t run = s[si].len - so;
            for (size_t k = si + 1; k < n && s[k].addr == s[k - 1].addr + s[k - 1].len; k++) {
                run += s[k].len;
                if (run >= HEX_RECORD_DATA) {
                    break;
                }
            }
            uint64_t len = HEX_RECORD_DATA;
            uint64_t to_page_end = 0x10000 - (cur & 0xffff);
            len = len < to_page_end ? len : to_page_end;
            len = len < run ? len : run;
            uint8_t data[HEX_RECORD_DATA];
            for (uint64_t k = 0; k < len; k++) {
                data[k] = s[si].data[so];
                so++;
                if (so == s[si].len) {
                    si++;
                    so = 0;
                }
            }
            put_record(&out, 0, (uint16_t)(cur & 0xffff), data, (size_t)len);
        }
    }
    put_record(&out, 1, 0, NULL, 0);
    free(s);
    int err = cli_file_write_atomic(path, out.data, out.len, 0666);
    cli_buf_free(&out);
    return err;
}
