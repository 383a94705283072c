/* see tu_boot.h */
#include "tu_boot.h"

#include <stdlib.h>
#include <string.h>

#include "ifu/errors.h"

const struct tu_geom tu_geom_u4k = {
    .name = "u4k",
    .runs = {{4 * TU_KIB, 40}},
    .run_count = 1,
    .pri_off = 0,
    .pri_size = 16 * 4 * TU_KIB,
    .sec_off = 16 * 4 * TU_KIB,
    .sec_size = 17 * 4 * TU_KIB,
    .write_size = 8,
    .erased = 0xff,
    .map_addr = 0x08000000u,
};

const struct tu_geom tu_geom_small = {
    .name = "small",
    .runs = {{4 * TU_KIB, 20}, {256, 2}},
    .run_count = 2,
    .pri_off = 0,
    .pri_size = 8 * 4 * TU_KIB,
    .sec_off = 8 * 4 * TU_KIB,
    .sec_size = 9 * 4 * TU_KIB,
    .write_size = 8,
    .erased = 0xff,
    .map_addr = 0x08000000u,
};

const char *tu_boot_mode_name(void)
{
    enum ifu_boot_mode m = ifu_boot_mode();
    return m == IFU_BOOT_MODE_SWAP ? "swap" : m == IFU_BOOT_MODE_OVERWRITE ? "overwrite" : "xip";
}

static void on_event(void *ctx, enum ifu_boot_event ev, unsigned slot, int err)
{
    struct tu_rig *r = ctx;
    (void)err;
    if ((unsigned)ev < TU_EV_MAX) {
        r->ev_count[ev]++;
    }
    if (ev == IFU_BOOT_EV_REJECTED && slot < 8) {
        r->rejected_slots |= 1u << slot;
    }
}

static void on_recovery(void *ctx, int err)
{
    struct tu_rig *r = ctx;
    (void)err;
    r->recovery_calls++;
}

int tu_mapped_env(void)
{
    const char *v = getenv(TU_MAPPED_ENV);
    return v != NULL && strcmp(v, "1") == 0;
}

int tu_rig_init(struct tu_rig *r, const struct tu_geom *g, uint64_t seed)
{
    struct ifu_sim_config sc = {
        .sectors = g->runs,
        .sector_runs = g->run_count,
        .write_size = g->write_size,
        .erased_val = g->erased,
        .otp_size = g->otp_size,
        .seed = seed,
    };
    memset(r, 0, sizeof *r);
    int err = ifu_sim_init(&r->sim, &sc);
    if (err) {
        return err;
    }
    r->sim.flash.map_addr = g->map_addr;
    ifu_sim_set_mapped(&r->sim, g->mapped || tu_mapped_env());
    r->cfg.primary = (struct ifu_area){&r->sim.flash, g->pri_off, g->pri_size};
    r->cfg.secondary = (struct ifu_area){&r->sim.flash, g->sec_off, g->sec_size};
    r->cfg.keys = tu_image_keyring();
    r->cfg.event = on_event;
    r->cfg.recovery = on_recovery;
    r->cfg.hook_ctx = r;
    r->layout_err = ifu_boot_layout(&r->cfg, &r->lay);
    return 0;
}

void tu_rig_free(struct tu_rig *r)
{
    ifu_sim_free(&r->sim);
}

const struct ifu_area *tu_rig_slot(const struct tu_rig *r, unsigned slot)
{
    return slot == 0 ? &r->cfg.primary : &r->cfg.secondary;
}

uint32_t tu_rig_stage_off(const struct tu_rig *r)
{
    return r->lay.headroom;
}

void tu_rig_poke_image(struct tu_rig *r, unsigned slot, uint32_t off, const struct tu_image *img)
{
    ifu_sim_poke(&r->sim, tu_rig_slot(r, slot)->off + off, img->data, img->len);
}

int tu_area_stage(const struct ifu_area *a, uint32_t off, const struct tu_image *img)
{
    uint8_t buf[256];
    uint32_t w = a->flash->write_size;

    int err = ifu_area_erase(a, 0, a->size);
    for (uint32_t done = 0; !err && done < img->len;) {
        uint32_t n = img->len - done < sizeof buf ? img->len - done : (uint32_t)sizeof buf;
        memcpy(buf, img->data + done, n);
        uint32_t padded = (n + w - 1) / w * w;
        memset(buf + n, a->flash->erased_val, padded - n);
        err = ifu_area_prog(a, off + done, buf, padded);
        done += n;
    }
    return err;
}

int tu_rig_stage(struct tu_rig *r, unsigned slot, uint32_t off, const struct tu_image *img)
{
    return tu_area_stage(tu_rig_slot(r, slot), off, img);
}

const uint8_t *tu_rig_bytes(const struct tu_rig *r, unsigned slot)
{
    return r->sim.mem + tu_rig_slot(r, slot)->off;
}

int tu_rig_holds(const struct tu_rig *r, unsigned slot, uint32_t off, const struct tu_image *img)
{
    const struct ifu_area *a = tu_rig_slot(r, slot);
    return off <= a->size && img->len <= a->size - off &&
           memcmp(tu_rig_bytes(r, slot) + off, img->data, img->len) == 0;
}

int tu_rig_go(struct tu_rig *r, struct ifu_boot_result *res)
{
    r->recovery_calls = 0;
    r->rejected_slots = 0;
    memset(r->ev_count, 0, sizeof r->ev_count);
    return ifu_boot_go(&r->boot, &r->cfg, res);
}

void tu_rig_app_cfg(const struct tu_rig *r, unsigned running, struct ifu_boot_config *out)
{
    *out = r->cfg;
    if (ifu_boot_mode() == IFU_BOOT_MODE_XIP && running == 1) {
        out->primary = r->cfg.secondary;
        out->secondary = r->cfg.primary;
    }
}
