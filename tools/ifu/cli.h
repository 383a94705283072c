/* Internal interface of the ifu host CLI (tools/ifu). Not installed.
 *
 * Conventions, as in the device library: fallible functions return 0 or a
 * negative IFU_E* code. The function that detects a failure prints the one
 * line the user sees (cli_fail) and returns the code; callers only pass it up.
 * main() turns the code into the exit status (cli_exit_status), see
 * docs/CLI.md "Exit status". The CLI may allocate; running out of memory
 * ends the process (cli_alloc). */
#ifndef IFU_CLI_H
#define IFU_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "ifu/image.h"
#include "ifu/keys.h"

#define CLI_VERSION "0.1.0"

/* Exit statuses (docs/CLI.md). */
#define CLI_EXIT_OK      0
#define CLI_EXIT_INVALID 1 /* the image is invalid or failed verification */
#define CLI_EXIT_USAGE   2 /* bad command line or option value, or options that cannot be met */
#define CLI_EXIT_IO      3 /* a file cannot be read or written, a key cannot be used */
#define CLI_EXIT_CRYPTO  4 /* OpenSSL or the crypto backend failed */

/* A command's verdict "this image is not valid" (exit status 1), whatever
 * library code explained it; the message has been printed. Outside the
 * ifu_err range on purpose. */
#define CLI_EREJECT (-1000)

/* ---- messages and command dispatch (cli_main.c, shared with ifu-sim) ---- */

/* Print "<tool>: <what>: <why>" on stderr (the tool cli_main runs, "ifu" before
 * it is called); why is printf-style. Returns err so that callers can write
 * `return cli_fail(IFU_EINVAL, "--version", ...)`. */
int cli_fail(int err, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Make name the prefix of cli_fail's messages (a program that does not go
 * through cli_main). */
void cli_set_prog(const char *name);

/* One command of a tool: `<tool> <name> ARGS` calls run(argc, argv) with
 * argv[0] = name; it returns 0 or a negative code. */
struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

/* A tool made of commands (ifu, ifu-sim). */
struct cli_tool {
    const char *name; /* the program's name, the prefix of its messages */
    const struct cli_command *commands;
    size_t count;
    void (*help)(FILE *out);     /* the tool's usage text (cli_list_commands helps) */
    int (*exit_status)(int err); /* a command's code -> the process exit status */
    const char *version;         /* printed by --version and `version`; NULL: none */
};

/* main() of a tool: `<tool> <command> ...`, `<tool> help [command]`, -h,
 * --help and, with a version, --version and `version`. A command that
 * succeeded but whose output could not be written fails with IFU_EIO.
 * Returns the exit status. */
int cli_main(const struct cli_tool *tool, int argc, char **argv);

/* Print the tool's commands, one per line: name (padded to width), summary. */
void cli_list_commands(FILE *out, const struct cli_tool *tool, int width);

/* ---- exit status of ifu (main.c) ---- */

/* The process exit status for a code returned by a command. */
int cli_exit_status(int err);

/* ---- memory and files (io.c) ---- */

/* malloc/realloc that end the process with a message when memory runs out. */
void *cli_alloc(size_t size);
void *cli_realloc(void *p, size_t size);
char *cli_strdup(const char *s);

/* A growable byte string. Zero-initialise before use; free with cli_buf_free. */
struct cli_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

void cli_buf_reserve(struct cli_buf *b, size_t extra);
void cli_buf_put(struct cli_buf *b, const void *data, size_t len);
void cli_buf_fill(struct cli_buf *b, uint8_t val, size_t count);
void cli_buf_put_u8(struct cli_buf *b, uint8_t v);
/* 16/32-bit values in little-endian order, or big-endian when big is set. */
void cli_buf_put_u16(struct cli_buf *b, uint16_t v, int big);
void cli_buf_put_u32(struct cli_buf *b, uint32_t v, int big);
void cli_buf_free(struct cli_buf *b);

/* Read a whole file into b (b is reset first). Fails with IFU_EIO and a
 * message naming path. */
int cli_file_read(const char *path, struct cli_buf *b);

/* Write len bytes to path atomically: a temporary file in the same folder is
 * written, flushed and renamed over path, so path is either untouched or
 * complete. mode is the permission of a new file (e.g. 0644, 0600). */
int cli_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* 1 if path ends in ".hex" (any case), as imgtool decides between binary and
 * Intel HEX. */
int cli_is_hex_path(const char *path);

/* Base64 (RFC 4648) with '=' padding, as imgtool's --fix-sig / --sig-out
 * files. Decoding skips characters outside the alphabet (newlines).
 * cli_base64_decode fails with IFU_EINVAL on a malformed length. */
void cli_base64_encode(const uint8_t *data, size_t len, struct cli_buf *out);
int cli_base64_decode(const char *text, size_t len, struct cli_buf *out);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void cli_hex_string(const uint8_t *data, size_t len, char *out);

/* ---- option parsing and value grammars (opt.c) ---- */

struct cli_opt {
    const char *name; /* long name without "--", or NULL */
    char letter;      /* short name, or 0 */
    int nargs;        /* 0 (flag), 1 or 2 values */
    int id;           /* returned by cli_opt_next, > 0 */
};

#define CLI_OPT_END        0    /* no arguments left */
#define CLI_OPT_POSITIONAL (-1) /* a positional argument, in vals[0] */

struct cli_optparse {
    int argc;
    char **argv;
    int next;           /* index of the next argv element */
    const char *bundle; /* rest of a "-abc" group being parsed, or NULL */
    int only_positional;
    const char *cmd; /* command name for messages */
};

void cli_opt_init(struct cli_optparse *p, const char *cmd, int argc, char **argv);

/* Next option or positional argument. Returns an option id and its values in
 * vals[0..nargs-1]; CLI_OPT_POSITIONAL; CLI_OPT_END; or a negative IFU_E*
 * after printing why (unknown option, missing value). Options and positional
 * arguments may be interleaved; "--" ends the options. */
int cli_opt_next(struct cli_optparse *p, const struct cli_opt *table, const char *vals[2]);

/* Integers written as Python's int(text, 0) reads them (imgtool's grammar):
 * decimal without leading zeros, 0x/0o/0b prefixes, '_' between digits,
 * surrounding blanks. Negative values and values above max are refused.
 * what names the option in the message. */
int cli_parse_uint(const char *text, uint64_t max, const char *what, uint64_t *out);

/* Plain decimal (Python int(text)): used where imgtool takes type=int. */
int cli_parse_dec(const char *text, uint64_t max, const char *what, uint64_t *out);

/* "major[.minor[.revision[+build]]]" with imgtool's grammar (no leading
 * zeros) and the header limits: major, minor <= 255, revision <= 65535,
 * build <= 2^32-1. */
int cli_parse_version(const char *text, const char *what, struct ifu_image_version *out);

/* ---- keys (key.c, OpenSSL) ---- */

enum cli_key_type {
    CLI_KEY_RSA2048,
    CLI_KEY_RSA3072,
    CLI_KEY_P256,
    CLI_KEY_P384,
    CLI_KEY_ED25519,
    CLI_KEY_X25519,
};

struct cli_key {
    void *pkey; /* EVP_PKEY */
    enum cli_key_type type;
    int is_private;
    uint8_t *pub;   /* public key as imgtool encodes it in a PUBKEY TLV */
    size_t pub_len; /* (RSA: PKCS#1 RSAPublicKey DER; others: SubjectPublicKeyInfo DER) */
};

/* Load a PEM private key (PKCS#8 or traditional, prompting for a passphrase
 * if it is encrypted) or a PEM public key from path. Fails with IFU_EIO
 * (unreadable file) or IFU_ENOKEY (not a key ifu can use), after a message. */
int cli_key_load(const char *path, struct cli_key *key);

/* The same, over len bytes of PEM text already in memory; path only names the
 * input in messages. may_prompt 0: an encrypted key fails as if there were no
 * terminal, without asking. cli_key_load is this (may_prompt 1) after reading
 * the file. */
int cli_key_parse(const char *path, const uint8_t *text, size_t len, int may_prompt,
                  struct cli_key *key);
void cli_key_free(struct cli_key *key);

/* Name of the key type as `keygen -t` spells it. */
const char *cli_key_type_name(enum cli_key_type type);

/* Base of imgtool's C/Rust identifiers for the key type: "rsa", "ecdsa",
 * "ecdsap384", "ed25519", "x25519". */
const char *cli_key_shortname(enum cli_key_type type);

/* Signature algorithm of the key (IFU_SIG_NONE for X25519). */
enum ifu_sig_alg cli_key_sig_alg(enum cli_key_type type);

/* Generate a key of type type and write it to path as PKCS#8 PEM, encrypted
 * with passphrase if that is not NULL. */
int cli_key_generate(enum cli_key_type type, const char *path, const char *passphrase);

/* Sign msg with a private key. RSA: PSS (SHA-256, MGF1-SHA-256, salt 32)
 * over SHA-256(msg); ECDSA: DER signature over SHA-256 or SHA-384 of msg
 * (P-256 / P-384); Ed25519: over msg itself. *sig is allocated. */
int cli_key_sign(const struct cli_key *key, const uint8_t *msg, size_t msg_len, uint8_t **sig,
                 size_t *sig_len);

/* Public key as SubjectPublicKeyInfo PEM text (allocated, NUL-terminated). */
int cli_key_public_pem(const struct cli_key *key, char **pem);

/* One-shot digest with OpenSSL (host-side uses: key hashes, UUIDs). */
int cli_digest(const char *md_name, const void *data, size_t len, uint8_t *out, size_t *out_len);

/* Read a passphrase from the terminal (prompt on stderr). verify asks twice.
 * *pass is allocated. */
int cli_read_passphrase(const char *prompt, int verify, char **pass);

/* ---- Intel HEX (ihex.c) ---- */

/* Decode an Intel HEX file the way imgtool reads one: every data byte placed
 * at its address, the span from the lowest to the highest address
 * returned with gaps filled with 0xff. *base is the lowest address;
 * *has_base is 0 for a file without data. */
int cli_hex_read(const char *path, struct cli_buf *out, uint64_t *base, int *has_base);

/* The same, over text_len bytes of file text already in memory; path only
 * names the input in messages. cli_hex_read is this after reading the file. */
int cli_hex_parse(const char *path, const uint8_t *text, size_t text_len, struct cli_buf *out,
                  uint64_t *base, int *has_base);

/* Sparse memory image for writing Intel HEX. */
struct cli_hex_seg {
    uint64_t addr;
    const uint8_t *data;
    size_t len;
};

/* Write segments (any order, non-overlapping) as Intel HEX text to path,
 * atomically: 16-byte data records, extended linear address records when any
 * address is above 0xffff, an end-of-file record, '\n' line ends. */
int cli_hex_write(const char *path, const struct cli_hex_seg *segs, size_t count);

/* ---- image files and the device verifier (verify.c) ---- */

/* Read an image file (binary, or Intel HEX by extension) into b. */
int cli_image_load(const char *path, struct cli_buf *b);

/* Run the device library's verifier (ifu_image_verify) over an image in
 * memory. key may be NULL (hash-only check). observer may be NULL. */
int cli_image_verify(const struct cli_buf *img, const struct cli_key *key, uint32_t flags,
                     const struct ifu_tlv_observer *observer, struct ifu_image_info *info);

/* `ifu info --keystore`: a keystore image (`ifu provision`) and its geometry. */
struct cli_info_keystore {
    const char *path;
    uint32_t slots;
    uint32_t write_size;
    uint8_t erased;
};

/* `ifu info` after the file is read: print what img holds (text, or JSON
 * if json is set) on stdout, naming it file; with ks (text only), also the
 * keystore slot that holds the image's key. Returns 0, or the command result
 * for the verdict (cli_verdict) after a message. */
int cli_info_show(const char *file, const struct cli_buf *img, int json,
                  const struct cli_info_keystore *ks);

/* The command result for a verdict err of the device verifier: CLI_EREJECT,
 * except for a failure of the crypto backend itself (IFU_ECRYPTO). */
int cli_verdict(int err);

/* Names used in output: "sha256"..., "rsa2048-pss"..., TLV type names. */
const char *cli_hash_name(enum ifu_hash_alg alg);
const char *cli_sig_name(enum ifu_sig_alg alg);
const char *cli_tlv_name(uint16_t type);

/* ---- commands ---- */

int cli_cmd_keygen(int argc, char **argv);
int cli_cmd_getpub(int argc, char **argv);
int cli_cmd_getpubhash(int argc, char **argv);
int cli_cmd_keyinfo(int argc, char **argv);
int cli_cmd_sign(int argc, char **argv);
int cli_cmd_verify(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_provision(int argc, char **argv);

/* ---- keystore images (provision.c) ---- */

/* Find anchor in the keystore image at path (geometry as `ifu provision`
 * made it): *slot is its slot (a REVOKED copy wins) or -1, *state its state.
 * Returns 0, or IFU_EIO / IFU_EINVAL after a message. */
int cli_keystore_lookup(const char *path, uint32_t slots, uint32_t ws, uint8_t erased,
                        const uint8_t anchor[32], int *slot, enum ifu_key_state *state);
const char *cli_key_state_name(enum ifu_key_state s);

#endif /* IFU_CLI_H */
