/* Boot engine internals shared by boot_common.c, boot_journal.c and the mode
 * files (boot_overwrite.c, boot_swap.c, boot_xip.c). Layout and rules:
 * docs/DESIGN.md §7. */
#ifndef IFU_BOOT_PRIV_H
#define IFU_BOOT_PRIV_H

#include <stdint.h>

#include "ifu/boot.h"

/* MCUboot's value for a set flag, and its swap types (swap_info bits 0-3). */
#define BOOT_FLAG_SET         0x01u
#define BOOT_SWAP_TYPE_TEST   2u
#define BOOT_SWAP_TYPE_PERM   3u
#define BOOT_SWAP_TYPE_REVERT 4u
#define BOOT_MAGIC_SIZE       16u

/* Trailer fields, from the slot end (DESIGN.md §7.2). */
enum tr_field {
    TR_IMAGE_OK = 1,
    TR_COPY_DONE = 2,
    TR_SWAP_INFO = 3,
    TR_SWAP_SIZE = 4,
    TR_TRIAL = 5,
    TR_REJECTED = 6,
};
#define TR_FLAG_FIELDS 6u

/* Journal operations (begin record, byte 4). */
enum jop {
    JOP_INSTALL_TEST = 1, /* offset swap, the new image then on trial */
    JOP_INSTALL_PERM = 2, /* offset swap, the new image confirmed */
    JOP_OVERWRITE = 3,    /* copy secondary[0..) over the primary */
    JOP_REVERT = 4,       /* copy the saved image back from secondary[0..) */
};
#define JOURNAL_BEGIN_SLOTS 4u
#define JOURNAL_RECORD_LEN  24u

/* Sizes derived from the write size. */
struct tr_geo {
    uint32_t align;  /* A = max(8, write size): MCUboot's BOOT_MAX_ALIGN */
    uint32_t magic;  /* M = align_up(16, A): bytes the magic field takes */
    uint32_t write;  /* W: one journal step entry */
    uint32_t record; /* R = align_up(24, A): one begin record field */
    uint8_t erased;
};

/* Decoded trailer of one slot. Flags are "set" when their write unit is not
 * entirely erased (a torn write counts: only a started write moves bits). */
struct trailer {
    int magic; /* 1: exact magic; 0: erased; -1: anything else */
    uint8_t image_ok;
    uint8_t copy_done;
    uint8_t trial;
    uint8_t rejected;
    uint8_t swap_type; /* 0 if erased or not a known type */
    int reject_err;    /* with rejected: why (negative IFU_E*), IFU_EINVAL if unreadable */
};

/* A decoded begin record. */
struct journal {
    enum jop op;
    uint32_t old_size; /* bytes of the image moved to secondary[0..) (swap), else 0 */
    uint32_t new_size; /* bytes of the image copied into the primary */
    uint32_t headroom; /* secondary offset of the image copied into the primary */
    int reason;        /* JOP_REVERT: why the trial ended (negative IFU_E*), else 0 */
    uint32_t steps;    /* steps of the plan the record implies */
    uint8_t closed;    /* 1 if the close mark after the last step is set */
    uint32_t steps_done;
};

/* What the last verification of one slot found, kept apart from the error
 * code its caller branches on: install, revert and boot each check it again
 * before they act (docs/SECURITY.md §5). */
struct boot_proof {
    uint32_t off; /* area offset of the image verified */
    /* Volatile so that the checks of them are real loads, not folded into
     * the caller's test of the return value. */
    volatile int err;          /* ifu_verify_finish's result */
    volatile uint32_t verdict; /* the verifier's tally verdict: IFU_FI_VERDICT_OK if all passed */
    uint8_t digest[IFU_HASH_MAX_SIZE];
};

/* One ifu_boot_go() call. */
struct boot_run {
    struct ifu_boot *b;
    const struct ifu_boot_config *cfg;
    struct ifu_boot_layout lay;
    struct ifu_boot_result *res;
    struct boot_proof proof[2];     /* [0] primary (XIP: A), [1] secondary (XIP: B) */
    const struct ifu_keyring *keys; /* cfg->keys, or the keystore's keyring */
    uint32_t revoked;               /* the keystore's revoked entries (bit per entry) */
    uint32_t ctr_value; /* cfg->counter's value, read once per run and kept as it moves */
    uint32_t ctr_max;   /* the largest value it holds */
};

/* boot_common.c */
void tr_geo_of(const struct ifu_area *a, struct tr_geo *g);
uint32_t tr_field_off(const struct ifu_area *a, const struct tr_geo *g, enum tr_field f);
uint32_t tr_fixed_size(const struct tr_geo *g); /* M + 6A */
int tr_read(const struct ifu_area *a, struct trailer *t);
int tr_set_flag(const struct ifu_area *a, enum tr_field f, uint8_t value);
int tr_write_magic(const struct ifu_area *a, int strict);
int tr_mark_rejected(const struct ifu_area *a, int why);
int boot_slots_check(const struct ifu_boot_config *cfg);
int boot_keyring(const struct ifu_boot_config *cfg, const struct ifu_keyring **keys,
                 uint32_t *revoked);
int boot_verify_begin(struct ifu_verify *v, const struct ifu_keyring *keys, uint32_t revoked,
                      uint32_t hashset, uint32_t max_size);
int boot_last_sector(const struct ifu_area *a, uint32_t *start, uint32_t *size);
int boot_verify(struct boot_run *run, const struct ifu_area *a, uint32_t off, uint32_t max_size,
                struct ifu_image_info *info);
void boot_emit(const struct boot_run *run, enum ifu_boot_event ev, unsigned slot, int err);
int boot_request_common(const struct ifu_boot_config *cfg, enum ifu_boot_request_kind kind);
enum ifu_boot_state boot_running_state(const struct trailer *t);
enum ifu_boot_state boot_pending_state(const struct trailer *t);
int boot_finish_go(struct boot_run *run, unsigned slot, const struct ifu_area *a,
                   const struct ifu_image_info *info, enum ifu_boot_state state);
/* Before the engine acts on an image (install, revert, boot): 0 if the last
 * verification of area a was of the image at off, described by info, and
 * both its error and its verdict say "verified"; else IFU_EFAULT. */
int boot_proof_check(const struct boot_run *run, const struct ifu_area *a, uint32_t off,
                     const struct ifu_image_info *info);
int boot_no_image(struct boot_run *run, int err);
int boot_is_flash_error(int err);
int boot_reject(struct boot_run *run, int why);
/* Anti-rollback (docs/ROLLBACK.md); each is a no-op without cfg->counter.
 * admit: IFU_EROLLBACK if the image's SEC_CNT (0 if absent) is below the
 * counter (boot_verify calls it for every image it passes). fits:
 * IFU_ECOUNTER if it is above what the counter can hold. commit: raise the
 * counter to a confirmed image's SEC_CNT (if it fits), or a storage error. */
int boot_counter_admit(const struct boot_run *run, const struct ifu_image_info *info);
int boot_counter_fits(const struct boot_run *run, const struct ifu_image_info *info);
int boot_counter_commit(struct boot_run *run, const struct ifu_image_info *info);
/* Before an install (overwrite, swap): commit the running image if it is
 * confirmed (running: verified, or NULL), then the staged image's verdict in
 * *why: 0, IFU_EROLLBACK (below the counter, or with IFU_COUNTER_F_VERSION
 * an older version than the running one) or IFU_ECOUNTER. Returns 0 or a
 * storage error. */
int boot_install_policy(struct boot_run *run, const struct ifu_image_info *staged,
                        const struct ifu_image_info *running, int running_confirmed, int *why);

/* boot_journal.c */
uint32_t journal_size(const struct tr_geo *g, uint32_t max_steps);
/* Check that the secondary can hold the journal (begin records and trailer
 * fields in its last sector, step entries below them, possibly in lower
 * sectors); *first is the start of the lowest sector the journal touches. */
int journal_layout(const struct ifu_area *sec, uint32_t max_steps, uint32_t *first);
int journal_read(const struct ifu_boot_config *cfg, const struct ifu_boot_layout *lay,
                 struct journal *j, int *valid);
int journal_clear(const struct ifu_area *sec, uint32_t max_steps);
int journal_begin(const struct ifu_area *sec, uint32_t max_steps, const struct journal *j);
int journal_plan_check(const struct ifu_boot_config *cfg, const struct journal *j, uint32_t *steps);
int journal_start(struct boot_run *run, const struct journal *j);
int journal_run(struct boot_run *run, const struct journal *j);
int journal_install(struct boot_run *run, const struct journal *j);
enum journal_found {
    JOURNAL_NONE = 0,    /* no valid record */
    JOURNAL_RESUMED = 1, /* an open record: its operation has now been finished */
    JOURNAL_CLOSED = 2,  /* a closed record: the staged image's request is used up */
};
/* If an open record exists, finish its operation. */
int journal_resume(struct boot_run *run, enum journal_found *found);
int journal_request_ok(const struct ifu_boot_config *cfg);
int journal_state(const struct ifu_boot_config *cfg, struct ifu_boot_status *st);

/* The mode file's half (one of boot_overwrite.c, boot_swap.c, boot_xip.c). */
int boot_mode_layout(const struct ifu_boot_config *cfg, struct ifu_boot_layout *lay);
int boot_mode_go(struct boot_run *run);
int boot_mode_state(const struct ifu_boot_config *cfg, struct ifu_boot_status *st);
int boot_mode_request_ok(const struct ifu_boot_config *cfg, enum ifu_boot_request_kind kind);

#endif /* IFU_BOOT_PRIV_H */
