/* The Non-secure callable entry points of the TrustZone demo's Secure image
 * (examples/tz/secure.c), as the Non-secure application (ns_app.c) calls
 * them: it links the import library (veneers.o) the Secure link writes, so
 * each call goes to the function's veneer in the NSC region (an SG
 * instruction followed by a branch to the Secure body).
 *
 * Device code: C99, no malloc. */
#ifndef IFU_TZ_API_H
#define IFU_TZ_API_H

#include <stdint.h>

#include "psa/update.h"

/* psa_fwu_query() (include/psa/update.h) across the security boundary:
 * component 0 is the Non-secure application the Secure image started.
 * info must be a Non-secure, writable object (checked with the TT
 * instruction, cmse_check_address_range) outside the Non-secure alias of the
 * memory the MPCs keep Secure: PSA_ERROR_INVALID_ARGUMENT otherwise, PSA_ERROR_DOES_NOT_EXIST for
 * component != 0. */
psa_status_t ifu_tz_fwu_query(psa_fwu_component_t component, psa_fwu_component_info_t *info);

/* psa_fwu_start, _write, _finish, _cancel and _clean across the boundary:
 * the same contracts as in psa/update.h. manifest (NULL with size 0, as the
 * library requires) and block must be Non-secure objects readable by the
 * caller, outside the Non-secure alias of MPC-Secure memory
 * (PSA_ERROR_INVALID_ARGUMENT otherwise); each is copied into Secure RAM
 * before the library reads it. block_size 1..PSA_FWU_MAX_WRITE_SIZE. */
psa_status_t ifu_tz_fwu_start(psa_fwu_component_t component, const void *manifest,
                              uint32_t manifest_size);
psa_status_t ifu_tz_fwu_write(psa_fwu_component_t component, uint32_t image_offset,
                              const void *block, uint32_t block_size);
psa_status_t ifu_tz_fwu_finish(psa_fwu_component_t component);
psa_status_t ifu_tz_fwu_cancel(psa_fwu_component_t component);
psa_status_t ifu_tz_fwu_clean(psa_fwu_component_t component);
/* psa_fwu_install, psa_fwu_request_reboot (a system reset: does not return
 * on success) and psa_fwu_accept. */
psa_status_t ifu_tz_fwu_install(void);
psa_status_t ifu_tz_fwu_request_reboot(void);
psa_status_t ifu_tz_fwu_accept(void);
/* psa_fwu_reject: STAGED -> FAILED (PSA_SUCCESS; the staging slot is marked
 * rejected, so the reboot installs nothing), TRIAL -> REJECTED
 * (PSA_SUCCESS_REBOOT), else PSA_ERROR_BAD_STATE. error is an
 * application-chosen value kept in info.error until the reset; it is a
 * value, so the gateway has no memory to check. */
psa_status_t ifu_tz_fwu_reject(psa_status_t error);

/* Not PSA: the anti-rollback counter the Secure image keeps in its flash
 * ring (the value the boot engine enforces and raises), into *value, a
 * Non-secure writable object checked as query's info is
 * (PSA_ERROR_INVALID_ARGUMENT otherwise); PSA_ERROR_STORAGE_FAILURE if the
 * ring cannot be read. The Non-secure side cannot read the ring itself. */
psa_status_t ifu_tz_security_counter(uint32_t *value);

/* Where the host puts the images probe 8 streams (QEMU -device loader), in
 * the Non-secure code region: a 32-bit little-endian length, then the
 * signed image. GOOD: the update (higher security counter); TAMPERED: it
 * with one payload byte flipped; OLD_EPOCH: a newer version whose security
 * counter is below the stored one. */
#define IFU_TZ_UPDATE_GOOD      0x00300000u
#define IFU_TZ_UPDATE_OLD_EPOCH 0x00340000u
#define IFU_TZ_UPDATE_TAMPERED  0x00380000u
/* NEXT: a later update (higher version and security counter than GOOD),
 * for the trials of probes 15 and 16. */
#define IFU_TZ_UPDATE_NEXT 0x003C0000u

/* The value probe 8 hands to ifu_tz_fwu_reject: any application-chosen
 * code; the facade must report it back in info.error. */
#define IFU_TZ_REJECT_ERROR (-1234)

/* The probes the Non-secure application runs (the Secure image passes the
 * number in r0 to its reset handler; QEMU's -append "probe=N" selects it).
 * 0, 8 and 15..17 call the gateways legitimately; 1..7 and 9..14 must fault. */
enum ifu_tz_probe {
    IFU_TZ_PROBE_GATEWAY = 0,    /* call ifu_tz_fwu_query, check its answer */
    IFU_TZ_PROBE_READ_SECRET,    /* read the device key word, Secure alias: SAU/IDAU */
    IFU_TZ_PROBE_READ_SECRET_NS, /* the same RAM through its Non-secure alias: MPC */
    IFU_TZ_PROBE_WRITE_CODE,     /* store into the Secure image's code, Secure alias */
    IFU_TZ_PROBE_WRITE_CODE_NS,  /* the same through its Non-secure alias: MPC */
    IFU_TZ_PROBE_CALL_NONSG,     /* branch into the gateway body, skipping the SG */
    IFU_TZ_PROBE_CALL_NS_ALIAS,  /* execute Secure code through its Non-secure alias */
    IFU_TZ_PROBE_READ_PERIPH,    /* read UART1 (PPC port left Secure) at its NS alias */
    IFU_TZ_PROBE_FWU,            /* stream a tampered, then a good image through the gateways */
    IFU_TZ_PROBE_READ_FLASH,     /* read the Secure NOR (PSRAM, Secure by the SAU only) */
    IFU_TZ_PROBE_READ_KEYSTORE,  /* read the keystore page in the Secure NOR */
    IFU_TZ_PROBE_WRITE_KEYSTORE, /* program over it (a free slot's first byte) */
    IFU_TZ_PROBE_READ_COUNTER,   /* read the counter ring in the Secure NOR */
    IFU_TZ_PROBE_WRITE_COUNTER,  /* store into it (an erased record) */
    /* Run by the Secure image itself, before it starts this application: a
     * Secure store into the keystore page after the boot engine locked it
     * (Secure MPU). */
    IFU_TZ_PROBE_SECURE_WRITE_BOOTDATA,
    /* Run on the flash probe 8 left (each QEMU start is a reset): */
    IFU_TZ_PROBE_FWU_REJECT,    /* stage NEXT, reboot, reject its trial, reboot: reverted */
    IFU_TZ_PROBE_FWU_NO_ACCEPT, /* stage NEXT, reboot, leave its trial unconfirmed */
    IFU_TZ_PROBE_FWU_REPORT,    /* print what the gateways report (version, state, counter) */
    IFU_TZ_PROBES
};

#endif /* IFU_TZ_API_H */
