/* Fault-injection hardening of the verify -> boot path: the verdict
 * constants, the step tally and the guarded comparison. Shared by
 * image_verify.c and the boot engine; never installed. The fault model, the
 * guarded sites and what is not covered: docs/SECURITY.md §5.
 *
 * Every comparison that can turn "refuse" into "boot" is written as
 * IFU_FI(site, cond). In a production build that is just (cond). A test build
 * (-DIFU_FAULT_TEST, tests/fault.cmake only) routes it through
 * ifu_fault_hook(), which the test program defines and which can force one
 * evaluation of one site to the wrong outcome, as an instruction skip or a
 * flipped branch would. */
#ifndef IFU_FAULT_PRIV_H
#define IFU_FAULT_PRIV_H

#include <stdint.h>

#include "ifu/config.h"

/* The verifier's verdict. Neither 0 nor all ones (what a cleared or charged
 * register reads), and each the complement of the other, so a glitch that
 * corrupts a few bits turns either into something that is neither. */
#define IFU_FI_VERDICT_OK  0x3ac5a35cu
#define IFU_FI_VERDICT_BAD 0xc53a5ca3u

/* Step tally: the verifier adds one constant per step that passed, each
 * step's own odd value, and compares the sum with the total expected for the
 * kind of verification before it decides. A skipped step (or one counted
 * twice) leaves another sum. */
#define IFU_FI_FLOW_INIT   0x1f2e3d4cu
#define IFU_FI_STEP_HEADER 0x0b5a7e11u /* the header parsed (streaming) */
#define IFU_FI_STEP_DONE   0x2c4d6e13u /* every byte up to the TLV end was fed */
#define IFU_FI_STEP_HASH   0x4e8f1a17u /* the digest equals the hash TLV */
#define IFU_FI_STEP_KEY    0x6a3b5c1du /* the key the signature is checked with is trusted */
#define IFU_FI_STEP_SIG    0x13579bdfu /* the signature verified */
#define IFU_FI_FLOW_HASH_ONLY                                                                      \
    (IFU_FI_FLOW_INIT + IFU_FI_STEP_HEADER + IFU_FI_STEP_DONE + IFU_FI_STEP_HASH)
#define IFU_FI_FLOW_SIGNED (IFU_FI_FLOW_HASH_ONLY + IFU_FI_STEP_KEY + IFU_FI_STEP_SIG)

/* The guarded sites, in the order they are met. X(name) per site; the test
 * expands the list into names. */
#define IFU_FI_SITES(X)                                                                            \
    X(VERIFY_KEY_REVOKED)    /* a key TLV names a key the keyring holds as revoked */              \
    X(VERIFY_KEYHASH_MATCH)  /* a KEYHASH TLV names a trusted key */                               \
    X(VERIFY_PUBKEY_MATCH)   /* a PUBKEY TLV is (or hashes to) a trusted key */                    \
    X(VERIFY_DONE)           /* finish: the image was fed to its end */                            \
    X(VERIFY_HASH)           /* finish: digest == hash TLV */                                      \
    X(VERIFY_SIGNED)         /* finish: a signature is required (not hash-only) */                 \
    X(VERIFY_SIG_PRESENT)    /* finish: a signature follows a trusted key */                       \
    X(VERIFY_SIG)            /* finish: the crypto port accepted the signature */                  \
    X(VERIFY_FLOW_DONE)      /* tally: fed to the end, checked again */                            \
    X(VERIFY_FLOW_HASH)      /* tally: digest compared again */                                    \
    X(VERIFY_FLOW_KEY)       /* tally: the signing key compared with the keyring again */          \
    X(VERIFY_FLOW_SIG)       /* tally: the port's result checked again */                          \
    X(VERIFY_AGREE_ERR)      /* finish: no error so far ... */                                     \
    X(VERIFY_AGREE_VERDICT)  /* ... and the tally's verdict is OK, else IFU_EFAULT */              \
    X(MODE_STAGED_VERIFIED)  /* overwrite, swap: the staged image verified */                      \
    X(MODE_SAVED_VERIFIED)   /* swap: the image to revert to verified */                           \
    X(MODE_PRIMARY_VERIFIED) /* overwrite, swap: the image to boot verified */                     \
    X(MODE_SLOT_VERIFIED)    /* xip: a slot's image verified */                                    \
    X(MODE_PICK_VALID)       /* xip: the slot picked holds a valid image */                        \
    X(PROOF_ERR)             /* before install/revert/boot: recorded error is 0 */                 \
    X(PROOF_VERDICT)         /* ... recorded verdict is OK */                                      \
    X(PROOF_OFF)             /* ... recorded for this offset */                                    \
    X(PROOF_DIGEST)          /* ... recorded digest is this image's */                             \
    X(PROOF_COUNTER)         /* ... image is not below the security counter */                     \
    X(PROOF_PASSED)          /* ... the caller acts on the proof check's result */                 \
    X(GO_RESULT)             /* ifu_boot_go: the mode named an image */                            \
    X(GO_VERDICT)            /* ifu_boot_go: the result's verdict is OK */                         \
    X(GO_TOKEN)              /* ifu_boot_go: the result's check word matches its fields */         \
    X(CHECK_VERDICT)         /* ifu_boot_check: verdict */                                         \
    X(CHECK_TOKEN)           /* ifu_boot_check: check word */

#define IFU_FI_ENUM_(name) IFU_FI_##name,
enum ifu_fi_site { IFU_FI_SITES(IFU_FI_ENUM_) IFU_FI_SITE_COUNT };
#undef IFU_FI_ENUM_

#ifdef IFU_FAULT_TEST
/* Defined by the fault-simulation test: returns cond (0 or 1), or its
 * opposite when this evaluation of site is the one to fault. */
int ifu_fault_hook(int site, int cond);
#define IFU_FI(site, cond) (ifu_fault_hook(IFU_FI_##site, (cond) ? 1 : 0) != 0)
#else
#define IFU_FI(site, cond) (cond)
#endif

#endif /* IFU_FAULT_PRIV_H */
