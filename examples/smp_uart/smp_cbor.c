/* see smp_cbor.h */
#include "smp_cbor.h"

#include <string.h>

#define MAJ_UINT  0u
#define MAJ_NINT  1u
#define MAJ_BSTR  2u
#define MAJ_TSTR  3u
#define MAJ_ARRAY 4u
#define MAJ_MAP   5u
#define MAJ_TAG   6u
#define MAJ_OTHER 7u
#define AI_INDEF  31u
#define BREAK     0xffu

/* One item head: major type, and either the argument or "indefinite". */
struct head {
    uint8_t major;
    uint8_t ai;
    uint8_t indef;
    uint64_t val;
};

void smp_cbor_dec_init(struct smp_cbor_dec *d, const uint8_t *buf, uint32_t len)
{
    d->p = buf;
    d->end = buf + len;
}

static uint32_t left(const struct smp_cbor_dec *d)
{
    return (uint32_t)(d->end - d->p);
}

static int read_head(struct smp_cbor_dec *d, struct head *h)
{
    if (d->p >= d->end) {
        return SMP_CBOR_EEND;
    }
    uint8_t ib = *d->p++;
    h->major = (uint8_t)(ib >> 5);
    h->ai = (uint8_t)(ib & 31u);
    h->indef = 0;
    h->val = h->ai;
    if (h->ai < 24) {
        return 0;
    }
    if (h->ai <= 27) {
        uint32_t n = 1u << (h->ai - 24);
        if (left(d) < n) {
            return SMP_CBOR_EEND;
        }
        h->val = 0;
        for (uint32_t i = 0; i < n; i++) {
            h->val = h->val << 8 | *d->p++;
        }
        return 0;
    }
    if (h->ai == AI_INDEF &&
        (h->major == MAJ_ARRAY || h->major == MAJ_MAP || h->major == MAJ_OTHER)) {
        h->indef = 1;
        return 0;
    }
    /* 28..30 are reserved; indefinite strings and integers are refused. */
    return SMP_CBOR_EBAD;
}

int smp_cbor_get_uint(struct smp_cbor_dec *d, uint64_t *v)
{
    struct head h;
    int err = read_head(d, &h);
    if (err) {
        return err;
    }
    if (h.major != MAJ_UINT) {
        return SMP_CBOR_ETYPE;
    }
    *v = h.val;
    return 0;
}

int smp_cbor_get_bool(struct smp_cbor_dec *d, int *v)
{
    struct head h;
    int err = read_head(d, &h);
    if (err) {
        return err;
    }
    if (h.major != MAJ_OTHER || (h.ai != 20 && h.ai != 21)) {
        return SMP_CBOR_ETYPE;
    }
    *v = h.ai == 21;
    return 0;
}

static int get_string(struct smp_cbor_dec *d, uint8_t major, struct smp_cbor_str *s)
{
    struct head h;
    int err = read_head(d, &h);
    if (err) {
        return err;
    }
    if (h.major != major) {
        return SMP_CBOR_ETYPE;
    }
    /* The length is checked against what is left before any use. */
    if (h.val > left(d)) {
        return SMP_CBOR_EEND;
    }
    s->p = d->p;
    s->len = (uint32_t)h.val;
    d->p += s->len;
    return 0;
}

int smp_cbor_get_bstr(struct smp_cbor_dec *d, struct smp_cbor_str *s)
{
    return get_string(d, MAJ_BSTR, s);
}

int smp_cbor_get_tstr(struct smp_cbor_dec *d, struct smp_cbor_str *s)
{
    return get_string(d, MAJ_TSTR, s);
}

int smp_cbor_get_map(struct smp_cbor_dec *d, uint32_t *count)
{
    struct head h;
    int err = read_head(d, &h);
    if (err) {
        return err;
    }
    if (h.major != MAJ_MAP) {
        return SMP_CBOR_ETYPE;
    }
    if (h.indef) {
        *count = SMP_CBOR_INDEF;
        return 0;
    }
    /* Each pair takes at least two bytes: a larger count cannot be real. */
    if (h.val > left(d) / 2u) {
        return SMP_CBOR_EEND;
    }
    *count = (uint32_t)h.val;
    return 0;
}

int smp_cbor_at_break(struct smp_cbor_dec *d)
{
    if (d->p >= d->end) {
        return SMP_CBOR_EEND;
    }
    if (*d->p == BREAK) {
        d->p++;
        return 1;
    }
    return 0;
}

int smp_cbor_skip(struct smp_cbor_dec *d)
{
    uint32_t todo[SMP_CBOR_MAX_DEPTH]; /* items left per open container, or INDEF */
    uint32_t depth = 0;

    for (;;) {
        if (depth > 0 && todo[depth - 1] == SMP_CBOR_INDEF) {
            int brk = smp_cbor_at_break(d);
            if (brk < 0) {
                return brk;
            }
            if (brk) {
                depth--;
                goto item_done;
            }
        }
        struct head h;
        int err = read_head(d, &h);
        if (err) {
            return err;
        }
        switch (h.major) {
        case MAJ_UINT:
        case MAJ_NINT:
            break;
        case MAJ_BSTR:
        case MAJ_TSTR:
            if (h.val > left(d)) {
                return SMP_CBOR_EEND;
            }
            d->p += (uint32_t)h.val;
            break;
        case MAJ_ARRAY:
        case MAJ_MAP: {
            uint64_t n = h.val;
            if (depth == SMP_CBOR_MAX_DEPTH) {
                return SMP_CBOR_EDEPTH;
            }
            if (h.indef) {
                todo[depth++] = SMP_CBOR_INDEF;
                continue;
            }
            if (h.major == MAJ_MAP) {
                n *= 2u; /* val < 2^64 came from at most 8 bytes; checked below */
                if (h.val > UINT32_MAX) {
                    return SMP_CBOR_EEND;
                }
            }
            /* Every item takes at least one byte. */
            if (n > left(d)) {
                return SMP_CBOR_EEND;
            }
            if (n > 0) {
                todo[depth++] = (uint32_t)n;
                continue;
            }
            break;
        }
        case MAJ_TAG:
            continue; /* the tagged item follows and counts as this one */
        default:      /* MAJ_OTHER */
            if (h.indef) {
                return SMP_CBOR_EBAD; /* a break outside an indefinite container */
            }
            if (h.ai == 24 && h.val < 32) {
                return SMP_CBOR_EBAD; /* simple values below 32 must use the short form */
            }
            break;
        }
    item_done:
        /* One item finished: count it against its container, closing every
         * container it completes. */
        while (depth > 0 && todo[depth - 1] != SMP_CBOR_INDEF) {
            if (--todo[depth - 1] > 0) {
                break;
            }
            depth--;
        }
        if (depth == 0) {
            return 0;
        }
    }
}

static int key_is(const struct smp_cbor_str *k, const char *want)
{
    size_t n = strlen(want);
    return k->len == n && memcmp(k->p, want, n) == 0;
}

int smp_cbor_read_map(struct smp_cbor_dec *d, struct smp_cbor_field *fields, uint32_t count)
{
    uint32_t pairs;
    int err = smp_cbor_get_map(d, &pairs);
    if (err) {
        return err;
    }
    for (uint32_t i = 0; i < count; i++) {
        fields[i].found = 0;
    }
    for (uint32_t n = 0; pairs == SMP_CBOR_INDEF || n < pairs; n++) {
        if (pairs == SMP_CBOR_INDEF) {
            int brk = smp_cbor_at_break(d);
            if (brk < 0) {
                return brk;
            }
            if (brk) {
                break;
            }
        }
        struct smp_cbor_str key;
        err = smp_cbor_get_tstr(d, &key);
        if (err) {
            return err;
        }
        struct smp_cbor_field *f = NULL;
        for (uint32_t i = 0; i < count; i++) {
            if (key_is(&key, fields[i].key)) {
                f = &fields[i];
                break;
            }
        }
        if (f == NULL) {
            err = smp_cbor_skip(d);
        } else if (f->found) {
            return SMP_CBOR_EDUP;
        } else {
            switch (f->type) {
            case SMP_CBOR_T_UINT:
                err = smp_cbor_get_uint(d, f->out);
                break;
            case SMP_CBOR_T_BOOL:
                err = smp_cbor_get_bool(d, f->out);
                break;
            case SMP_CBOR_T_BSTR:
                err = smp_cbor_get_bstr(d, f->out);
                break;
            case SMP_CBOR_T_TSTR:
                err = smp_cbor_get_tstr(d, f->out);
                break;
            default:
                err = SMP_CBOR_EBAD;
                break;
            }
            f->found = 1;
        }
        if (err) {
            return err;
        }
    }
    return 0;
}

/* ---- writer ---- */

void smp_cbor_enc_init(struct smp_cbor_enc *e, uint8_t *buf, uint32_t size)
{
    e->buf = buf;
    e->size = size;
    e->len = 0;
    e->err = 0;
}

static void put_bytes(struct smp_cbor_enc *e, const uint8_t *p, uint32_t n)
{
    if (e->err) {
        return;
    }
    if (n > e->size - e->len) {
        e->err = SMP_CBOR_ENOSPC;
        return;
    }
    if (n > 0) {
        memcpy(e->buf + e->len, p, n);
    }
    e->len += n;
}

/* The head in its shortest form (RFC 8949 §4.2.1's preferred serialisation). */
static void put_head(struct smp_cbor_enc *e, uint8_t major, uint64_t v)
{
    uint8_t b[9];
    uint32_t n;
    uint8_t m = (uint8_t)(major << 5);
    if (v < 24) {
        b[0] = (uint8_t)(m | v);
        n = 1;
    } else if (v <= 0xffu) {
        b[0] = (uint8_t)(m | 24u);
        n = 2;
    } else if (v <= 0xffffu) {
        b[0] = (uint8_t)(m | 25u);
        n = 3;
    } else if (v <= 0xffffffffu) {
        b[0] = (uint8_t)(m | 26u);
        n = 5;
    } else {
        b[0] = (uint8_t)(m | 27u);
        n = 9;
    }
    for (uint32_t i = 1; i < n; i++) {
        b[i] = (uint8_t)(v >> (8u * (n - 1 - i)));
    }
    put_bytes(e, b, n);
}

void smp_cbor_put_uint(struct smp_cbor_enc *e, uint64_t v)
{
    put_head(e, MAJ_UINT, v);
}

void smp_cbor_put_int(struct smp_cbor_enc *e, int64_t v)
{
    if (v >= 0) {
        put_head(e, MAJ_UINT, (uint64_t)v);
    } else {
        put_head(e, MAJ_NINT, (uint64_t)(-(v + 1)));
    }
}

void smp_cbor_put_bool(struct smp_cbor_enc *e, int v)
{
    uint8_t b = v ? 0xf5u : 0xf4u;
    put_bytes(e, &b, 1);
}

void smp_cbor_put_bstr(struct smp_cbor_enc *e, const uint8_t *p, uint32_t len)
{
    put_head(e, MAJ_BSTR, len);
    put_bytes(e, p, len);
}

void smp_cbor_put_tstr(struct smp_cbor_enc *e, const char *s)
{
    uint32_t n = (uint32_t)strlen(s);
    put_head(e, MAJ_TSTR, n);
    put_bytes(e, (const uint8_t *)s, n);
}

void smp_cbor_put_tstrn(struct smp_cbor_enc *e, const uint8_t *p, uint32_t len)
{
    put_head(e, MAJ_TSTR, len);
    put_bytes(e, p, len);
}

void smp_cbor_put_map(struct smp_cbor_enc *e, uint32_t pairs)
{
    put_head(e, MAJ_MAP, pairs);
}

void smp_cbor_put_array(struct smp_cbor_enc *e, uint32_t items)
{
    put_head(e, MAJ_ARRAY, items);
}
