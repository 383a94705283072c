/* see tests/test_counter_rig.h */
#include "test_counter_rig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifu/errors.h"

#define KIB TU_KIB

#define CTR_AREA_OFF (34u * 4u * KIB) /* sectors 34 and 35: outside both slots */

static void die(const char *what, int err)
{
    fprintf(stderr, "test_counter_rig: %s: %s\n", what, ifu_strerror(err));
    abort();
}

static int otp_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    return ifu_sim_otp_read(ctx, off, buf, len);
}

static int otp_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    return ifu_sim_otp_prog(ctx, off, buf, len);
}

struct crig *crig_new(enum crig_backend be, uint32_t otp_bytes, uint32_t flags)
{
    struct crig *c = calloc(1, sizeof *c);
    if (c == NULL) {
        die("calloc", IFU_ENOSPC);
    }
    int err = tu_rig_init(&c->r, &tu_geom_u4k, 0xc0a7e4u);
    if (err || c->r.layout_err) {
        die("tu_rig_init", err ? err : c->r.layout_err);
    }
    c->be = be;
    if (be == CRIG_OTP) {
        struct ifu_sector_run run = {4 * KIB, 1};
        struct ifu_sim_config sc = {.sectors = &run,
                                    .sector_runs = 1,
                                    .write_size = 8,
                                    .erased_val = 0xff,
                                    .otp_size = otp_bytes,
                                    .seed = 0x07f0u};
        err = ifu_sim_init(&c->otp_sim, &sc);
        if (err) {
            die("ifu_sim_init (otp)", err);
        }
        c->otp = (struct ifu_counter_otp){otp_read, otp_prog, &c->otp_sim, 0, otp_bytes, 0x00};
        err = ifu_counter_otp_init(&c->ctr, &c->otp);
    } else {
        c->area = (struct ifu_area){&c->r.sim.flash, CTR_AREA_OFF, 2 * 4 * KIB};
        err = ifu_counter_flash_init(&c->ctr, &c->area);
    }
    if (err) {
        die("counter init", err);
    }
    c->ctr.flags = flags;
    c->r.cfg.counter = &c->ctr;
    return c;
}

void crig_free(struct crig *c)
{
    if (c->be == CRIG_OTP) {
        ifu_sim_free(&c->otp_sim);
    }
    tu_rig_free(&c->r);
    free(c);
}

const char *crig_backend_name(const struct crig *c)
{
    return c->be == CRIG_OTP ? "otp" : "flash";
}

uint32_t crig_value(struct crig *c)
{
    struct ifu_counter_state st;
    int err = ifu_counter_get(&c->ctr, &st);
    if (err) {
        die("ifu_counter_get", err);
    }
    return st.value;
}

const struct tu_image *crig_image(const char *version, uint32_t sec_cnt)
{
    struct tu_image_spec spec = {
        .key = TU_KEY_TRUSTED,
        .payload = 3000,
        .version = version,
        .sec_cnt = sec_cnt,
    };
    return tu_image_get(&spec);
}

void crig_factory(struct crig *c, const struct tu_image *img)
{
    tu_rig_poke_image(&c->r, 0, 0, img);
}

unsigned crig_stage_slot(const struct crig *c, unsigned running)
{
    (void)c;
    return ifu_boot_mode() == IFU_BOOT_MODE_XIP ? 1u - running : 1u;
}

int crig_stage_request(struct crig *c, unsigned running, const struct tu_image *img,
                       enum ifu_boot_request_kind kind)
{
    unsigned slot = crig_stage_slot(c, running);
    int err = tu_rig_stage(&c->r, slot, tu_rig_stage_off(&c->r), img);
    if (err) {
        return err;
    }
    tu_rig_app_cfg(&c->r, running, &c->app);
    return ifu_boot_request(&c->app, kind);
}

int crig_update(struct crig *c, unsigned running, const struct tu_image *img,
                enum ifu_boot_request_kind kind)
{
    uint32_t resume = 0;
    tu_rig_app_cfg(&c->r, running, &c->app);
    int err = ifu_update_begin(&c->up, &c->app, NULL, img->data, &resume);
    unsigned zeros = 0;
    for (uint32_t off = resume; !err && off < img->len;) {
        uint32_t n = img->len - off < 512u ? img->len - off : 512u;
        int got = ifu_update_write(&c->up, off, img->data + off, n);
        if (got < 0) {
            err = got;
            break;
        }
        zeros = got == 0 ? zeros + 1 : 0;
        if (zeros > 64) {
            die("ifu_update_write makes no progress", IFU_ESTATE);
        }
        off += (uint32_t)got;
    }
    if (!err) {
        err = ifu_update_finish(&c->up, NULL);
    }
    if (!err) {
        err = ifu_update_install(&c->up, kind);
    }
    if (err) {
        (void)ifu_update_abort(&c->up);
    }
    return err;
}

int crig_confirm(struct crig *c, unsigned running)
{
    tu_rig_app_cfg(&c->r, running, &c->app);
    return ifu_boot_confirm(&c->app);
}

int crig_booted(const struct ifu_boot_result *res, const struct tu_image *img)
{
    const struct ifu_image_info *in = &res->info;
    char v[48];
    snprintf(v, sizeof v, "%u.%u.%u", in->hdr.version.major, in->hdr.version.minor,
             (unsigned)in->hdr.version.revision);
    size_t n = strlen(v);
    /* The spec's version may carry "+build"; compare the triple. */
    return strncmp(img->spec.version, v, n) == 0 &&
           (img->spec.version[n] == '\0' || img->spec.version[n] == '+') &&
           (int64_t)in->sec_cnt == img->spec.sec_cnt;
}
