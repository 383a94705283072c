/* PSA Certified Firmware Update API 1.0 (Arm IHI 0093, version 1.0.1) for
 * ifu: one component (id 0), the image in ifu's MCUboot-compatible format
 * with its manifest bundled (header and TLVs), mapped onto the streaming
 * update API (ifu/update.h) and the boot engine's trailers (ifu/boot.h).
 *
 * The names, types and values below are those the specification requires
 * in psa/update.h (§5). What is implementation-defined here, how each state
 * maps onto flash, and where this implementation departs from the
 * specification: docs/PSA-FWU.md.
 *
 * Before any psa_fwu_* call the integrator calls ifu_psa_fwu_init() once
 * per reset (and again after a component restart): the PSA functions take
 * no context, so the façade keeps its state in one static object in
 * src/psa_fwu.c, rebuilt from flash by ifu_psa_fwu_init(). Not reentrant,
 * not thread-safe: serialise calls. */
#ifndef IFU_PSA_UPDATE_H
#define IFU_PSA_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "ifu/boot.h"
#include "ifu/update.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes shared with the other PSA Certified APIs (spec §5.4.1, from
 * the PSA Status code API's psa/error.h). A project that has a psa/error.h
 * (PSA Crypto, TF-M) includes it first; every definition here is guarded. */
#ifndef PSA_SUCCESS
typedef int32_t psa_status_t;
#define PSA_SUCCESS ((psa_status_t)0)
#endif
#ifndef PSA_ERROR_GENERIC_ERROR
#define PSA_ERROR_GENERIC_ERROR ((psa_status_t)-132)
#endif
#ifndef PSA_ERROR_NOT_PERMITTED
#define PSA_ERROR_NOT_PERMITTED ((psa_status_t)-133)
#endif
#ifndef PSA_ERROR_NOT_SUPPORTED
#define PSA_ERROR_NOT_SUPPORTED ((psa_status_t)-134)
#endif
#ifndef PSA_ERROR_INVALID_ARGUMENT
#define PSA_ERROR_INVALID_ARGUMENT ((psa_status_t)-135)
#endif
#ifndef PSA_ERROR_BAD_STATE
#define PSA_ERROR_BAD_STATE ((psa_status_t)-137)
#endif
#ifndef PSA_ERROR_DOES_NOT_EXIST
#define PSA_ERROR_DOES_NOT_EXIST ((psa_status_t)-140)
#endif
#ifndef PSA_ERROR_INSUFFICIENT_MEMORY
#define PSA_ERROR_INSUFFICIENT_MEMORY ((psa_status_t)-141)
#endif
#ifndef PSA_ERROR_INSUFFICIENT_STORAGE
#define PSA_ERROR_INSUFFICIENT_STORAGE ((psa_status_t)-142)
#endif
#ifndef PSA_ERROR_COMMUNICATION_FAILURE
#define PSA_ERROR_COMMUNICATION_FAILURE ((psa_status_t)-145)
#endif
#ifndef PSA_ERROR_STORAGE_FAILURE
#define PSA_ERROR_STORAGE_FAILURE ((psa_status_t)-146)
#endif
#ifndef PSA_ERROR_INVALID_SIGNATURE
#define PSA_ERROR_INVALID_SIGNATURE ((psa_status_t)-149)
#endif

/* Status codes of the Firmware Update API (spec §5.4.2, §5.4.3). The two
 * success codes are positive: test `status >= 0`, not `== PSA_SUCCESS`. */
#define PSA_ERROR_DEPENDENCY_NEEDED  ((psa_status_t)-156)
#define PSA_ERROR_FLASH_ABUSE        ((psa_status_t)-160)
#define PSA_ERROR_INSUFFICIENT_POWER ((psa_status_t)-161)
#define PSA_SUCCESS_REBOOT           ((psa_status_t)1)
#define PSA_SUCCESS_RESTART          ((psa_status_t)2)

/* Library version (spec §5.3.1). */
#define PSA_FWU_API_VERSION_MAJOR 1
#define PSA_FWU_API_VERSION_MINOR 0

/* Component identifier (spec §5.5.1). ifu has one component: 0. */
typedef uint8_t psa_fwu_component_t;

/* Version of an image (spec §5.5.2): the image header's version, with
 * ifu_image_version.revision as patch and .build as build. */
typedef struct psa_fwu_image_version_t {
    uint8_t major;
    uint8_t minor;
    uint16_t patch;
    uint32_t build;
} psa_fwu_image_version_t;

/* Component states (spec §5.5.3). */
#define PSA_FWU_READY     0u
#define PSA_FWU_WRITING   1u
#define PSA_FWU_CANDIDATE 2u
#define PSA_FWU_STAGED    3u
#define PSA_FWU_FAILED    4u
#define PSA_FWU_TRIAL     5u
#define PSA_FWU_REJECTED  6u
#define PSA_FWU_UPDATED   7u

/* Component flags (spec §5.5.4). ifu reports neither: its staging is not
 * volatile (a candidate survives a reset) and it takes plain images. */
#define PSA_FWU_FLAG_VOLATILE_STAGING 0x00000001u
#define PSA_FWU_FLAG_ENCRYPTION       0x00000002u

/* Implementation-specific part of psa_fwu_component_info_t (spec §5.5.5). */
typedef struct {
    /* WRITING: image bytes taken so far, i.e. the image_offset of the next
     * block to send. After a reset this is where an interrupted download
     * goes on (the start of a sector, DESIGN.md §8.3). 0 in other states. */
    uint32_t written;
    /* FAILED, REJECTED: the ifu reason behind info.error (a negative
     * IFU_E*), or 0 if the client gave it (psa_fwu_reject) or none. */
    int32_t ifu_error;
} psa_fwu_impl_info_t;

/* What psa_fwu_query() reports (spec §5.5.5). */
typedef struct psa_fwu_component_info_t {
    uint8_t state;                   /* PSA_FWU_* state */
    psa_status_t error;              /* FAILED, REJECTED: why (a PSA code); else 0 */
    psa_fwu_image_version_t version; /* of the running image; 0.0.0+0 if its header is invalid */
    uint32_t max_size;               /* largest image, bytes (ifu_boot_layout().max_image_size) */
    uint32_t flags;                  /* PSA_FWU_FLAG_*: 0 */
    uint32_t location;               /* flash offset of the running slot (cfg->primary.off) */
    psa_fwu_impl_info_t impl;
} psa_fwu_component_info_t;

/* Write rules (spec §5.6.1). ifu takes any offset and any size, so there is
 * no alignment. Blocks go straight from the caller's buffer to flash; the
 * size bounds the work of one psa_fwu_write() call: the sectors the block
 * reaches, the first three erases of a download, and two spare erases ahead
 * of need, i.e. at most block_size / sector size + 5 erases, except that the
 * block reaching the image's TLV area also erases any staging sector still
 * left to the slot end (DESIGN.md §8.1 step 3), which the spare erases of
 * earlier calls normally leave none of. A project may override the size
 * (bytes, >= 1). */
#define PSA_FWU_LOG2_WRITE_ALIGN 0
#ifndef PSA_FWU_MAX_WRITE_SIZE
#define PSA_FWU_MAX_WRITE_SIZE 4096u
#endif

/* Query one component (spec §5.5.5). Flash: none (the state was read by
 * ifu_psa_fwu_init and is kept in RAM). PSA_SUCCESS or
 * PSA_ERROR_DOES_NOT_EXIST (component != 0, or the façade not initialised),
 * PSA_ERROR_INVALID_ARGUMENT (info NULL). */
psa_status_t psa_fwu_query(psa_fwu_component_t component, psa_fwu_component_info_t *info);

/* READY -> WRITING (spec §5.6.1). manifest must be NULL and manifest_size 0:
 * the manifest is bundled with the image (else PSA_ERROR_INVALID_ARGUMENT).
 * ifu_update_begin(): reads only. The image's header is checked (format,
 * size, policy) when its first 32 bytes are written. */
psa_status_t psa_fwu_start(psa_fwu_component_t component, const void *manifest,
                           size_t manifest_size);

/* Stay in WRITING (spec §5.6.1). block_size 1..PSA_FWU_MAX_WRITE_SIZE.
 * Blocks go in increasing order: image_offset may not pass the bytes taken
 * so far (impl.written; a gap is PSA_ERROR_INVALID_ARGUMENT, nothing
 * changes), and may repeat taken bytes if they are identical (else
 * PSA_ERROR_INVALID_ARGUMENT, nothing changes). A block past the image's end
 * or the slot's largest image: PSA_ERROR_INVALID_ARGUMENT. A header the
 * policy refuses: PSA_ERROR_NOT_PERMITTED; a malformed image:
 * PSA_ERROR_INVALID_ARGUMENT or _INSUFFICIENT_STORAGE (too large); both move
 * the component to FAILED. Flash: programs the staging slot, erasing its
 * sectors as the block needs them (ifu_update_write, in a loop). */
psa_status_t psa_fwu_write(psa_fwu_component_t component, size_t image_offset, const void *block,
                           size_t block_size);

/* WRITING -> CANDIDATE (spec §5.6.1): ifu_update_finish(), one signature
 * check. A missing byte, a bad hash or signature, an untrusted key or a
 * security counter below the policy's moves the component to FAILED
 * (PSA_ERROR_INVALID_ARGUMENT, _INVALID_SIGNATURE, _NOT_PERMITTED); the
 * verdict is written into the staging slot's trailer. */
psa_status_t psa_fwu_finish(psa_fwu_component_t component);

/* WRITING or CANDIDATE -> FAILED (spec §5.6.1): the staging slot is marked
 * rejected (ifu_update_abort and one trailer program), so the image is never
 * installed or resumed. info.error is then PSA_SUCCESS (cancelled). */
psa_status_t psa_fwu_cancel(psa_fwu_component_t component);

/* FAILED or UPDATED -> READY (spec §5.6.1): erase the second location (the
 * staging slot; in direct-XIP the slot not running), skipping sectors that
 * already read erased. The only call that erases more than a few sectors:
 * at most one erase per sector of that slot. */
psa_status_t psa_fwu_clean(psa_fwu_component_t component);

/* CANDIDATE -> STAGED, returning PSA_SUCCESS_REBOOT (spec §5.6.2):
 * ifu_boot_request(TEST) in swap and direct-XIP modes (the new image then
 * boots on trial), PERMANENT in overwrite mode (no trial: STAGED -> UPDATED
 * at the reboot). Flash: programs the staging slot's trailer. */
psa_status_t psa_fwu_install(void);

/* Calls the reboot hook given to ifu_psa_fwu_init (spec §5.6.2): its return
 * value, or PSA_ERROR_NOT_SUPPORTED if there is none. State unchanged. */
psa_status_t psa_fwu_request_reboot(void);

/* STAGED -> FAILED (PSA_SUCCESS: the request is voided by marking the
 * staging slot rejected) or TRIAL -> REJECTED (PSA_SUCCESS_REBOOT: nothing
 * is written; the bootloader reverts any unconfirmed trial at the next
 * reset). error is kept in info.error until the reset; after it, info.error
 * comes from the reason ifu recorded on flash (spec §5.6.2). */
psa_status_t psa_fwu_reject(psa_status_t error);

/* TRIAL -> UPDATED (spec §5.6.3): ifu_boot_confirm(), one trailer program
 * in the running slot. */
psa_status_t psa_fwu_accept(void);

/* ifu's hook: what the façade needs, as a struct the caller zeroes and fills. */
struct ifu_psa_fwu_config {
    /* The application's boot configuration (in direct-XIP, primary = the
     * slot it runs from), keys set. Must outlive every psa_fwu_* call. */
    const struct ifu_boot_config *boot;
    /* Version and security-counter policy; NULL for none. Copied. In
     * direct-XIP the façade adds IFU_UPDATE_P_NEWER_ONLY (the bootloader
     * boots the highest version, so an older image could never install). */
    const struct ifu_update_policy *policy;
    /* psa_fwu_request_reboot(): reset the system (may not return). Returns
     * a PSA status if it does. NULL: psa_fwu_request_reboot() is
     * PSA_ERROR_NOT_SUPPORTED. */
    psa_status_t (*reboot)(void *ctx);
    void *reboot_ctx;
};

/* Set the façade up and rebuild the component's state from flash, as the
 * application does once per reset after the bootloader ran (docs/PSA-FWU.md
 * §3 has the rules). cfg is copied; what it points to must outlive the
 * façade. Flash: reads (the trailers, the staging slot's sectors, and up to
 * a whole staged image to verify it or re-hash a resumable prefix); writes
 * nothing. Returns 0; IFU_EINVAL (bad config, no keys); IFU_ELAYOUT;
 * IFU_ESTATE if an install or revert left unfinished awaits the bootloader;
 * or a flash error. On error every psa_fwu_* call fails until a successful
 * init. */
int ifu_psa_fwu_init(const struct ifu_psa_fwu_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* IFU_PSA_UPDATE_H */
