/* A small, bounded CBOR (RFC 8949) reader and writer for SMP bodies.
 *
 * Device code: C99, no malloc, no recursion. The reader walks a buffer the
 * caller owns and hands back pointers into it (no copies); nesting deeper
 * than SMP_CBOR_MAX_DEPTH, indefinite-length strings, and any length that
 * points past the buffer are refused. The writer fills a caller buffer with
 * definite-length items in their shortest form and reports overflow once.
 * What SMP needs and no more: unsigned and negative integers, byte and text
 * strings, booleans, maps and arrays; tags, floats, null and undefined are
 * skipped when they appear as values of keys nobody asked for. */
#ifndef SMP_CBOR_H
#define SMP_CBOR_H

#include <stdint.h>

/* Containers the reader will descend into when skipping a value. */
#define SMP_CBOR_MAX_DEPTH 8u

/* Item count of an indefinite-length map or array (smp_cbor_get_map). */
#define SMP_CBOR_INDEF UINT32_MAX

enum smp_cbor_err {
    SMP_CBOR_EEND = -110,   /* the buffer ends inside an item */
    SMP_CBOR_ETYPE = -111,  /* an item of another type than asked for */
    SMP_CBOR_EBAD = -112,   /* not well-formed, or a form this reader refuses */
    SMP_CBOR_EDEPTH = -113, /* nested deeper than SMP_CBOR_MAX_DEPTH */
    SMP_CBOR_ENOSPC = -114, /* writer: the buffer is full */
    SMP_CBOR_EDUP = -115,   /* a map names the same wanted key twice */
};

struct smp_cbor_dec {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* one past the last byte */
};

/* A string inside the decoded buffer (not NUL-terminated). */
struct smp_cbor_str {
    const uint8_t *p;
    uint32_t len;
};

void smp_cbor_dec_init(struct smp_cbor_dec *d, const uint8_t *buf, uint32_t len);

/* Each reads one item of its type. On error the position is unspecified:
 * give up on the buffer. */
int smp_cbor_get_uint(struct smp_cbor_dec *d, uint64_t *v);
int smp_cbor_get_bool(struct smp_cbor_dec *d, int *v);
int smp_cbor_get_bstr(struct smp_cbor_dec *d, struct smp_cbor_str *s);
int smp_cbor_get_tstr(struct smp_cbor_dec *d, struct smp_cbor_str *s);
/* A map's head: *count is the number of pairs or SMP_CBOR_INDEF. */
int smp_cbor_get_map(struct smp_cbor_dec *d, uint32_t *count);
/* For indefinite-length containers: 1 (and consumed) if the next byte is the
 * break code, 0 if not, SMP_CBOR_EEND at the end of the buffer. */
int smp_cbor_at_break(struct smp_cbor_dec *d);
/* Skip one whole item, containers included (iterative, bounded depth). */
int smp_cbor_skip(struct smp_cbor_dec *d);

/* What smp_cbor_read_map extracts. */
enum smp_cbor_type {
    SMP_CBOR_T_UINT = 1, /* out: uint64_t */
    SMP_CBOR_T_BOOL,     /* out: int (0 or 1) */
    SMP_CBOR_T_BSTR,     /* out: struct smp_cbor_str */
    SMP_CBOR_T_TSTR,     /* out: struct smp_cbor_str */
};

struct smp_cbor_field {
    const char *key; /* text key (NUL-terminated) */
    enum smp_cbor_type type;
    void *out;     /* written only if the key is present */
    uint8_t found; /* set to 1 by smp_cbor_read_map if present */
};

/* Read a map whose keys are text strings: wanted keys are decoded into their
 * field (a wrong type is SMP_CBOR_ETYPE, a repeat SMP_CBOR_EDUP: two values
 * for one key must not mean different things to different parsers); other
 * keys and their values are skipped. Returns 0 or a negative SMP_CBOR_E*. */
int smp_cbor_read_map(struct smp_cbor_dec *d, struct smp_cbor_field *fields, uint32_t count);

struct smp_cbor_enc {
    uint8_t *buf;
    uint32_t size; /* bytes at buf */
    uint32_t len;  /* bytes written */
    int err;       /* 0, or SMP_CBOR_ENOSPC once something did not fit */
};

void smp_cbor_enc_init(struct smp_cbor_enc *e, uint8_t *buf, uint32_t size);
void smp_cbor_put_uint(struct smp_cbor_enc *e, uint64_t v);
void smp_cbor_put_int(struct smp_cbor_enc *e, int64_t v);
void smp_cbor_put_bool(struct smp_cbor_enc *e, int v);
void smp_cbor_put_bstr(struct smp_cbor_enc *e, const uint8_t *p, uint32_t len);
void smp_cbor_put_tstr(struct smp_cbor_enc *e, const char *s); /* NUL-terminated */
void smp_cbor_put_tstrn(struct smp_cbor_enc *e, const uint8_t *p, uint32_t len);
void smp_cbor_put_map(struct smp_cbor_enc *e, uint32_t pairs);
void smp_cbor_put_array(struct smp_cbor_enc *e, uint32_t items);

#endif /* SMP_CBOR_H */
