/* An SMP (MCUmgr Simple Management Protocol) server for image updates, on top
 * of the streaming update API (include/ifu/update.h) and the boot engine's
 * application calls (include/ifu/boot.h). docs/SMP.md lists what it speaks.
 *
 *   group 0 (default/OS):  0 echo, 5 reset, 6 MCUmgr parameters
 *   group 1 (image):       0 state read (list) / write (test, confirm), 1 upload
 *
 * Device code: C99, no malloc, no OS. The server never touches the UART:
 * smp_server_handle() takes one reassembled request packet and writes one
 * response packet; the caller frames it (smp_frame.h). A reset request only
 * sets a flag: the caller sends the response, then resets the device. */
#ifndef SMP_SERVER_H
#define SMP_SERVER_H

#include <stdint.h>

#include "ifu/boot.h"
#include "ifu/update.h"

#define SMP_HDR_SIZE 8u

/* SMP header ops (Zephyr's mcumgr_op_t). */
#define SMP_OP_READ      0u
#define SMP_OP_READ_RSP  1u
#define SMP_OP_WRITE     2u
#define SMP_OP_WRITE_RSP 3u

#define SMP_GROUP_OS    0u
#define SMP_GROUP_IMAGE 1u

#define SMP_OS_ECHO    0u
#define SMP_OS_RESET   5u
#define SMP_OS_PARAMS  6u
#define SMP_IMG_STATE  0u
#define SMP_IMG_UPLOAD 1u

/* MCUmgr status codes ("rc", Zephyr's mcumgr_err_t) this server returns. */
enum smp_rc {
    SMP_RC_OK = 0,
    SMP_RC_EUNKNOWN = 1,
    SMP_RC_ENOMEM = 2,
    SMP_RC_EINVAL = 3,
    SMP_RC_ENOENT = 5,
    SMP_RC_EBADSTATE = 6,
    SMP_RC_EMSGSIZE = 7,
    SMP_RC_ENOTSUP = 8,
    SMP_RC_ECORRUPT = 9,
    SMP_RC_EACCESSDENIED = 11,
};

/* Largest response the server builds, bytes (header included): the image
 * list with two slots and 64-byte hashes takes about 230. */
#ifndef SMP_SERVER_RSP_MAX
#define SMP_SERVER_RSP_MAX 512u
#endif

struct smp_server_config {
    /* The application's boot configuration (direct-XIP: primary = the slot
     * it runs from) with keys or a keystore set; it and what it points to
     * must outlive the server. */
    const struct ifu_boot_config *boot;
    /* Version policy for uploads; NULL for none. Copied. An upload with
     * "upgrade": true adds IFU_UPDATE_P_NEWER_ONLY. */
    const struct ifu_update_policy *policy;
    /* Largest request packet the transport reassembles (MCUmgr parameters'
     * buf_size), bytes. */
    uint32_t buf_size;
};

/* Server state. Caller-owned (static: it holds the 2 KiB update context);
 * fields private. */
struct smp_server {
    const struct ifu_boot_config *boot;
    struct ifu_update_policy policy;
    uint32_t buf_size;
    uint32_t headroom; /* secondary offset of a staged image */
    struct ifu_update up;
    uint8_t uploading;         /* 1 while an upload session is open */
    uint8_t have_sha;          /* the session's first request carried "sha" */
    uint8_t staged_ok;         /* finish verified the staged image this session */
    uint8_t reset_pending;     /* a reset was requested: send the response, then reset */
    uint32_t upload_len;       /* the session's "len" */
    uint8_t sha[32];           /* the session's "sha" (SHA-256 of the upload) */
    uint8_t staged_digest[64]; /* image hash of the verified staged image */
    uint32_t staged_digest_len;
    int last_err; /* last IFU_E* a handler met, for the device's log */
};

/* Start (or, after a reset, restart) the server. Touches no flash.
 * Returns 0, IFU_EINVAL or IFU_ELAYOUT. */
int smp_server_init(struct smp_server *s, const struct smp_server_config *cfg);

/* Handle one request packet (SMP header + CBOR body, len bytes) and write the
 * response packet into rsp (rsp_size >= SMP_SERVER_RSP_MAX is always enough).
 * Returns the response length (> 0), or 0 if nothing is to be sent (the
 * packet is not a request, or too short to answer). Flash: what the handler
 * does (an upload chunk: at most one sector erase per ifu_update_write call;
 * the last chunk: one signature check; test/confirm: a trailer program). */
int smp_server_handle(struct smp_server *s, const uint8_t *req, uint32_t len, uint8_t *rsp,
                      uint32_t rsp_size);

/* 1 once a reset request was answered: the caller sends the response and
 * resets (re-runs the bootloader), then calls smp_server_init again. */
int smp_server_reset_pending(const struct smp_server *s);

/* The MCUmgr status code for an IFU_E* code (docs/SMP.md "Errors"). */
enum smp_rc smp_rc_of(int ifu_err);

#endif /* SMP_SERVER_H */
