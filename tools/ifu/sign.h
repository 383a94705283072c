/* `ifu sign`: the options (parsed in sign.c) and the image builder
 * (build.c). Internal to the CLI. */
#ifndef IFU_CLI_SIGN_H
#define IFU_CLI_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* A protected custom TLV (--custom-tlv, --custom-tlv-file). */
struct sign_tlv {
    uint16_t tag;
    uint8_t *value;
    size_t len;
};

/* An image dependency (-d "(ID,VERSION)"). */
struct sign_dep {
    uint8_t image_id;
    struct ifu_image_version version;
};

enum sign_sec_cnt { SEC_CNT_NONE, SEC_CNT_VALUE, SEC_CNT_AUTO };
enum sign_vector { VECTOR_NONE, VECTOR_PAYLOAD, VECTOR_DIGEST };

/* Everything `ifu sign` was asked to do; zero means "not given". Sizes in
 * bytes, addresses absolute. */
struct sign_opts {
    const char *infile;
    const char *outfile;
    const char *key_path;
    struct ifu_image_version version;
    uint32_t header_size;
    int pad_header;
    uint32_t slot_size;
    int pad;
    int confirm;
    int test;
    uint32_t align;     /* 1, 2, 4, 8, 16 or 32 */
    uint32_t max_align; /* 8, 16, 32; 0 = max(8, align) */
    int has_max_sectors;
    uint32_t max_sectors; /* default 128 */
    int overwrite_only;
    enum sign_sec_cnt sec_cnt_mode;
    uint32_t sec_cnt;
    int pubkey_full; /* --public-key-format full */
    uint32_t load_addr;
    uint32_t rom_fixed;
    int non_bootable;
    struct sign_dep *deps;
    size_t ndeps;
    struct sign_tlv *custom; /* --custom-tlv ones first, then --custom-tlv-file */
    size_t ncustom;
    const char *boot_record; /* sw_type, or NULL */
    unsigned sha;            /* 0 (auto), 256, 384 or 512 */
    int pure;
    int has_hex_addr;
    uint64_t hex_addr;
    uint8_t erased_val;
    enum sign_vector vector;
    const char *fix_sig;
    const char *fix_sig_pubkey;
    const char *sig_out;
    int pad_sig;
    int big_endian;
    const char *vid;
    const char *cid;
};

/* Append one TLV: type (one byte, then a zero byte), 16-bit length, value;
 * little-endian unless big. */
void sign_put_tlv(struct cli_buf *b, uint8_t type, const void *v, size_t len, int big);

/* The protected TLV area for o (empty when o asks for none), with its info
 * header. hash is the image hash; key_id (key_id_len bytes) the hash of the
 * signing key, or zeros when unsigned (the boot record's signer id). */
int sign_protected_tlvs(const struct sign_opts *o, enum ifu_hash_alg hash, const uint8_t *key_id,
                        size_t key_id_len, struct cli_buf *prot);

/* Build the image described by o and write OUTFILE (and --sig-out).
 * Every check happens before anything is written; OUTFILE is replaced
 * atomically. Returns 0 or a negative IFU_E* after a message. */
int sign_build(const struct sign_opts *o);

#endif /* IFU_CLI_SIGN_H */
