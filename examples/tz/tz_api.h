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

/* The probes the Non-secure application runs (the Secure image passes the
 * number in r0 to its reset handler; QEMU's -append "probe=N" selects it).
 * 0 calls the gateway legitimately; every other one must fault. */
enum ifu_tz_probe {
    IFU_TZ_PROBE_GATEWAY = 0,    /* call ifu_tz_fwu_query, check its answer */
    IFU_TZ_PROBE_READ_SECRET,    /* read the device key word, Secure alias: SAU/IDAU */
    IFU_TZ_PROBE_READ_SECRET_NS, /* the same RAM through its Non-secure alias: MPC */
    IFU_TZ_PROBE_WRITE_CODE,     /* store into the Secure image's code, Secure alias */
    IFU_TZ_PROBE_WRITE_CODE_NS,  /* the same through its Non-secure alias: MPC */
    IFU_TZ_PROBE_CALL_NONSG,     /* branch into the gateway body, skipping the SG */
    IFU_TZ_PROBE_CALL_NS_ALIAS,  /* execute Secure code through its Non-secure alias */
    IFU_TZ_PROBE_READ_PERIPH,    /* read UART1 (PPC port left Secure) at its NS alias */
    IFU_TZ_PROBES
};

#endif /* IFU_TZ_API_H */
