/* A boot-engine rig with an anti-rollback counter, shared by
 * tests/test_rollback.c and tests/test_downgrade_census.c: the tu_rig of
 * tests/support/tu_boot.h (4 KiB sectors, primary 16, secondary 17) plus a
 * counter, either a flash ring in two spare sectors of the same simulated
 * flash (so a cut can land anywhere in a boot) or an OTP thermometer in a
 * second simulator's OTP. Host only; allocates. */
#ifndef IFU_TEST_COUNTER_RIG_H
#define IFU_TEST_COUNTER_RIG_H

#include <stdint.h>

#include "ifu/boot.h"
#include "ifu/counter.h"
#include "ifu/update.h"
#include "ifu_sim.h"
#include "tu_boot.h"
#include "tu_image.h"

enum crig_backend { CRIG_FLASH = 0, CRIG_OTP = 1 };

struct crig {
    struct tu_rig r; /* r.cfg.counter = &ctr */
    enum crig_backend be;
    struct ifu_sim otp_sim; /* the OTP's simulator (CRIG_OTP) */
    struct ifu_counter_otp otp;
    struct ifu_area area; /* the flash counter's area (CRIG_FLASH) */
    struct ifu_counter ctr;
    struct ifu_boot_config app; /* the application's configuration (crig_update) */
    struct ifu_update up;
};

/* otp_bytes: size of the OTP counter (CRIG_OTP); flags: IFU_COUNTER_F_*. */
struct crig *crig_new(enum crig_backend be, uint32_t otp_bytes, uint32_t flags);
void crig_free(struct crig *c);
const char *crig_backend_name(const struct crig *c);

/* The counter's value (fails the test on an error). */
uint32_t crig_value(struct crig *c);

/* An image with this version and SEC_CNT (0: no SEC_CNT TLV). */
const struct tu_image *crig_image(const char *version, uint32_t sec_cnt);

/* Program img into slot 0 (primary / A) as a factory would: no trailer. */
void crig_factory(struct crig *c, const struct tu_image *img);

/* The slot a staged image goes to while the application runs from running
 * (XIP: the other slot; else the secondary), and its offset there. */
unsigned crig_stage_slot(const struct crig *c, unsigned running);

/* Stage img as the application would without the update API (erase and
 * program the staging slot), then ifu_boot_request(kind). */
int crig_stage_request(struct crig *c, unsigned running, const struct tu_image *img,
                       enum ifu_boot_request_kind kind);

/* Send img through the streaming update API (begin with the header, writes
 * of 512 bytes, finish, install(kind)). Returns 0 or the first error. */
int crig_update(struct crig *c, unsigned running, const struct tu_image *img,
                enum ifu_boot_request_kind kind);

/* ifu_boot_confirm as the application running from slot running. */
int crig_confirm(struct crig *c, unsigned running);

/* 1 if res names img (by version and SEC_CNT). */
int crig_booted(const struct ifu_boot_result *res, const struct tu_image *img);

#endif /* IFU_TEST_COUNTER_RIG_H */
