/* see mcuboot_model.h
 *
 * ======================================================================
 * Where the numbers come from
 * ======================================================================
 * MCUboot at commit 2d4bacc3c15ebb6f91c28807fe6eb38b4ba98f77
 * (github.com/mcu-tools/mcuboot). Documents: docs/design.md, sections
 * "Swap using scratch" (#image-swap-using-scratch), "Swap using offset"
 * (#image-swap-offset-no-scratch), "Swap using move" (#image-swap-no-scratch),
 * "Image trailer" (#image-trailer), "Image trailers" (#image-trailers),
 * "Image swapping" (#image-swapping), "Swap status" (#swap-status).
 * Sources (boot/bootutil/src/): swap_scratch.c (boot_swap_sectors, swap_run,
 * boot_copy_sz, boot_slots_compatible, app_max_size_adjust_to_trailer),
 * swap_move.c (boot_move_sector_up, boot_swap_sectors, fixup_revert, swap_run,
 * boot_slots_compatible, app_max_size), swap_offset.c (boot_swap_sectors,
 * boot_swap_sectors_revert, fixup_revert, swap_run, boot_slots_compatible,
 * app_max_size), swap_misc.c (swap_scramble_trailer_sectors, swap_status_init,
 * swap_set_copy_done, swap_set_image_ok), loader.c (boot_swap_image,
 * boot_perform_update, boot_write_status, boot_copy_region),
 * bootutil_area.c/.h (boot_trailer_sz, status state counts,
 * boot_trailer_scramble_offset, boot_erase_region), bootutil_public.c and
 * bootutil_misc.c (boot_write_magic, boot_write_trailer, boot_write_swap_size,
 * boot_write_unprotected_tlv_sizes, boot_read_swap_state, boot_status_off).
 * Nothing below is MCUboot code; it is arithmetic over what those do.
 *
 * Notation: s sector size, W write size, n image sectors (the larger image,
 * rounded up: MCUboot swaps max(|old|, |new|), loader.c boot_swap_image),
 * P primary slot sectors, Q secondary slot sectors, k scratch sectors,
 * T trailer sectors (below).
 *
 * ----------------------------------------------------------------------
 * Trailer size and T
 * ----------------------------------------------------------------------
 * A slot trailer (design.md "Image trailer"; bootutil_area.c boot_trailer_sz)
 * is the swap-status area, MAX_IMG_SECTORS * c * W bytes, with c = 3 records
 * per sector for scratch and move (move: 1 for the move step + 2 for the swap
 * step) and c = 2 for offset, plus the info fields: swap_size, swap_info,
 * copy_done, image_ok (4 * A, A = BOOT_MAX_ALIGN, taken as max(8, W)), for
 * offset one more A for the unprotected-TLV sizes, and the magic (16 bytes,
 * or 16 rounded up to A when A != 8). No encryption keys.
 *   T = ceil(trailer / s): "scrambling" a trailer erases from the sector
 *   holding its first byte to the slot end (boot_trailer_scramble_offset +
 *   boot_erase_region), i.e. T sector erases.
 * With the default MAX_IMG_SECTORS = 128, s = 4 KiB and W <= 8, T = 1.
 * The scratch's own trailer is one sector's status (3 W) plus the info.
 *
 * ----------------------------------------------------------------------
 * Programmed trailer bytes (per field, boot_write_trailer pads to W)
 * ----------------------------------------------------------------------
 *   flag (swap_info, copy_done, image_ok, one status record): W
 *   swap_size, TLV sizes (4 bytes each): align_up(4, W) =: A4
 *   magic: 16 (A == 8) else align_up(16, A) =: M
 *   "init" = swap_status_init on an area: swap_info + swap_size (+ TLV sizes
 *   for offset) + magic, plus image_ok when the secondary's image_ok is set
 *   (a permanent request) = W + A4 (+ A4) + M (+ W).
 * After the swap (loader.c boot_perform_update): PERM and REVERT call
 * swap_set_image_ok (writes image_ok only if still unset), every swap writes
 * copy_done (W).
 *
 * ----------------------------------------------------------------------
 * Reads
 * ----------------------------------------------------------------------
 * read_data: every sector copy reads what it programs (boot_copy_region
 * reads the source in buffer-sized chunks and does not skip erased data).
 * read_meta approximates the trailer reads made *during* the operation:
 * 19 bytes per boot_read_swap_state (16 magic + swap_info + copy_done +
 * image_ok; swap_status_init, fixup_revert and swap_set_image_ok each do
 * one), 4 bytes for swap-offset's TLV-size read, 2 W for swap-scratch's
 * status copy out of the scratch. Not counted, for any algorithm: the boot-
 * time decision before the swap (swap type from both trailers, status-source
 * tables, the status-byte scan when a source is found, header reads) and
 * image validation (hashing both images), which are of the same order for
 * every algorithm and for ifu.
 *
 * ----------------------------------------------------------------------
 * swap-scratch (design.md "Image swapping" steps 2a-2i, 3; swap_scratch.c)
 * ----------------------------------------------------------------------
 * Regions of k sectors (what the scratch holds), from the top of the image
 * down: R = ceil(n / k) (boot_copy_sz). Per region: erase scratch (k),
 * copy secondary -> scratch, status; erase secondary region, copy primary ->
 * secondary, status; erase primary region, copy scratch -> primary, status.
 *   => 3 records, 3 region copies and k + 2 r erases per region (r its
 *      sector count; sum of r = n).
 * The first region (the top one) also does:
 *   a) image below the trailer sectors (n <= P - T), the usual case: the
 *      scratch gets a temporary init (so swap_info survives), the primary
 *      trailer is scrambled (T) and init'ed, and the scratch is erased
 *      again (k); at its second step the secondary trailer is scrambled (T).
 *   b) image reaching into the first trailer sector (n = P - T + 1, possible
 *      because the image limit is slot - trailer, not whole sectors): the
 *      status lives in the scratch for that region; the secondary and
 *      primary trailers are scrambled (T each) instead of erasing that
 *      sector as part of the region (r - 1 region erases each); the 2 status
 *      records and the trailer fields are rewritten into the primary; at the
 *      end the scratch is scrambled (k). copy_sz of that region stops at the
 *      trailer (and at the scratch's own status area).
 * Totals, one upgrade or revert:
 *   erases   = k (R + 1) + 2 n + 2 T              (a)
 *            = k (R + 1) + 2 (n - 1) + 2 T        (b)
 *   scratch sector max = R + 1 (each scratch sector erased once per region
 *   plus once more); slot sectors at most 1.
 *   prog     = 3 n s (data; (b): the top region's copy_sz instead of r s)
 *            + 3 R W (status) + 2 init (+ 2 W in (b)) + finish
 *   read     = 3 n s + 2 x 19 (two inits read the secondary state) + finish
 * REVERT is the same swap with swap type 4: inits carry no image_ok (the
 * secondary trailer was scrambled by the upgrade), the finish writes image_ok
 * and copy_done.
 * Anchor: n = 60, k = 1, T = 1: 1 x 61 + 120 + 2 = 183, scratch 61. (a)
 *
 * ----------------------------------------------------------------------
 * swap-move (design.md "Swap using move"; swap_move.c)
 * ----------------------------------------------------------------------
 * 1. Move: for i = n .. 1, erase primary sector i, copy primary i-1 -> i,
 *    one record. Before the first move: scramble the primary trailer (T),
 *    init it, scramble the secondary trailer (T).   => n + 2 T erases
 * 2. Swap: for i = 0 .. n-1, erase primary i, copy secondary i -> primary i,
 *    record; erase secondary i, copy primary i+1 -> secondary i, record.
 *                                                   => 2 n erases
 * Totals: erases = 3 n + 2 T (upgrade)
 *         primary sectors 1..n-1 are erased twice (move target, swap
 *         target): max 2 per sector (1 when n = 1); design.md: "two erase
 *         cycles on the primary slot and one on the secondary slot".
 *         prog = 3 n s + 3 n W + init + W (copy_done)
 *         read = 3 n s + 19
 * REVERT: fixup_revert first makes the revert look like a permanent request:
 * scramble the secondary trailer (T), write image_ok, swap_size, magic there
 * (read 19). The primary init then also carries image_ok (+W); the secondary
 * trailer is scrambled again before the first move (its sectors: 2 erases).
 *         erases = 3 n + 3 T, max 2;  prog = 3 n s + 3 n W + init(+W)
 *         + (W + A4 + M) + W; swap_set_image_ok finds image_ok set.
 * Anchor: n = 60, T = 1: 180 + 2 = 182, max 2.
 *
 * ----------------------------------------------------------------------
 * swap-offset (design.md "Swap using offset"; swap_offset.c)
 * ----------------------------------------------------------------------
 * The new image sits at secondary offset s. Before the first step: scramble
 * the primary trailer (T) and init it (with the TLV sizes), scramble the
 * secondary trailer (T). Then for i = 0 .. n-1: erase secondary i, copy
 * primary i -> secondary i, record; erase primary i, copy secondary i+1 ->
 * primary i, record. (A step whose source lies past its image's used
 * sectors by more than one is skipped, record still written; with both
 * images n sectors long none is.)
 * Totals: erases = 2 n + 2 T, every sector at most once ("one erase cycle
 *         on both the primary and secondary slots")
 *         prog = 2 n s + 2 n W + init + W;  read = 2 n s + 19 + 4
 * REVERT (fixup_revert + boot_swap_sectors_revert): scramble the secondary
 * trailer (T), write copy_done and an init there (state I of "Image
 * trailers", so a cut is resumable); scramble + init the primary trailer (T);
 * scramble the secondary trailer again (T); for i = n-1 .. 0: erase
 * secondary i+1, copy primary i -> secondary i+1, record; erase primary i,
 * copy secondary i -> primary i, record; finally scramble secondary sector 0
 * (1) and the secondary trailer (T); finish writes image_ok and copy_done.
 *         erases = 2 n + 1 + 4 T; the secondary trailer sectors get 3.
 * Anchor: n = 60, T = 1: 120 + 2 = 122, max 1.
 *
 * ----------------------------------------------------------------------
 * Geometry each algorithm cannot handle (mcuboot_model_supports)
 * ----------------------------------------------------------------------
 * scratch: slots must have equal total size; walking both sector lists,
 *   every group of sectors that ends on a common boundary must be a run of
 *   one side's sectors inside one sector of the other (sizes that nest; a
 *   group where each side has several sectors is refused) and must fit the
 *   scratch; at most MAX_IMG_SECTORS sectors per slot; the scratch must hold
 *   its own trailer. Any sector sizes otherwise (design.md "Image swapping"
 *   step 1; swap_scratch.c boot_slots_compatible).
 * move: P == Q or P == Q + 1, P <= MAX_IMG_SECTORS, and every sector of both
 *   slots the same size (design.md: "All slot's sectors should be of the
 *   same size"; the code compares slot sectors pairwise but then steps with
 *   sector 0's size). Image <= (P - T - 1) and <= (Q - T) sectors.
 * offset: Q == P or Q == P + 1, P <= MAX_IMG_SECTORS, every sector the same
 *   size. Image <= (P - T) and <= (Q - T - 1) sectors.
 * So neither move nor offset can run on an STM32F4-style bank
 * ({16K x4, 64K, 128K x7}); scratch can if the scratch holds 128 KiB and
 * both slots have the same map. ifu's offset swap accepts nested maps.
 */
#include "mcuboot_model.h"

#include <string.h>

#define STATE_READ_BYTES 19u /* magic 16 + swap_info + copy_done + image_ok */
#define TLV_SIZES_READ   4u

static uint32_t align_up(uint32_t x, uint32_t a)
{
    return (x + a - 1u) / a * a;
}

static uint32_t div_up(uint32_t x, uint32_t a)
{
    return (x + a - 1u) / a;
}

static int pow2_ok(uint32_t w)
{
    return w >= 1u && w <= 32u && (w & (w - 1u)) == 0u;
}

static uint32_t max_align(uint32_t w)
{
    return w > 8u ? w : 8u;
}

static uint32_t magic_write(uint32_t w)
{
    uint32_t a = max_align(w);
    return a == 8u ? 16u : align_up(16u, a);
}

static uint32_t states_per_sector(enum mcuboot_alg alg)
{
    return alg == MCUBOOT_SWAP_OFFSET ? 2u : 3u;
}

static uint32_t trailer_info(enum mcuboot_alg alg, uint32_t w)
{
    uint32_t a = max_align(w);
    return 4u * a + (alg == MCUBOOT_SWAP_OFFSET ? a : 0u) + magic_write(w);
}

uint32_t mcuboot_model_trailer_size(enum mcuboot_alg alg, uint32_t write_size,
                                    uint32_t max_img_sectors)
{
    if (max_img_sectors == 0u) {
        max_img_sectors = 128u;
    }
    return max_img_sectors * states_per_sector(alg) * write_size + trailer_info(alg, write_size);
}

static uint32_t scratch_trailer_size(uint32_t w)
{
    return 3u * w + trailer_info(MCUBOOT_SWAP_SCRATCH, w);
}

/* Bytes one swap_status_init programs. */
static uint32_t init_bytes(enum mcuboot_alg alg, uint32_t w, int with_image_ok)
{
    uint32_t a4 = align_up(4u, w);
    uint32_t b = w /* swap_info */ + a4 /* swap_size */ + magic_write(w);
    if (alg == MCUBOOT_SWAP_OFFSET) {
        b += a4; /* unprotected TLV sizes */
    }
    if (with_image_ok) {
        b += w;
    }
    return b;
}

/* Resolved geometry. */
struct geo {
    uint32_t s, w, p, q, k, max, t;
};

static int resolve(enum mcuboot_alg alg, const struct mcuboot_geom *g, struct geo *o)
{
    if (g == NULL || g->sector_size == 0u || !pow2_ok(g->write_size) || g->slot_sectors == 0u) {
        return MCUBOOT_MODEL_EARG;
    }
    o->s = g->sector_size;
    o->w = g->write_size;
    o->p = g->slot_sectors;
    o->max = g->max_img_sectors ? g->max_img_sectors : 128u;
    o->k = g->scratch_sectors ? g->scratch_sectors : 1u;
    if (g->secondary_sectors) {
        o->q = g->secondary_sectors;
    } else if (alg == MCUBOOT_SWAP_MOVE) {
        o->q = o->p - 1u;
    } else if (alg == MCUBOOT_SWAP_OFFSET) {
        o->q = o->p + 1u;
    } else {
        o->q = o->p;
    }
    o->t = div_up(mcuboot_model_trailer_size(alg, o->w, o->max), o->s);
    if (o->q == 0u || o->p > o->max || o->q > o->max) {
        return MCUBOOT_MODEL_ESECTORS;
    }
    switch (alg) {
    case MCUBOOT_SWAP_SCRATCH:
        if (o->p != o->q) {
            return MCUBOOT_MODEL_ESLOTS;
        }
        if ((uint64_t)o->k * o->s < scratch_trailer_size(o->w)) {
            return MCUBOOT_MODEL_ESCRATCH;
        }
        break;
    case MCUBOOT_SWAP_MOVE:
        if (o->p != o->q && o->p != o->q + 1u) {
            return MCUBOOT_MODEL_ESLOTS;
        }
        break;
    case MCUBOOT_SWAP_OFFSET:
        if (o->q != o->p && o->q != o->p + 1u) {
            return MCUBOOT_MODEL_ESLOTS;
        }
        break;
    default:
        return MCUBOOT_MODEL_EARG;
    }
    if (o->t >= o->p) {
        return MCUBOOT_MODEL_ETOOBIG;
    }
    return MCUBOOT_MODEL_OK;
}

static uint32_t max_sectors(enum mcuboot_alg alg, const struct geo *o)
{
    uint32_t a, b;
    switch (alg) {
    case MCUBOOT_SWAP_SCRATCH: {
        /* app_max_size_adjust_to_trailer: slot - trailer - padding, where the
         * padding keeps the scratch's own trailer clear of image data. */
        uint64_t slot = (uint64_t)o->p * o->s;
        uint32_t tr = mcuboot_model_trailer_size(alg, o->w, o->max);
        uint32_t in_first = tr - (o->t - 1u) * o->s;
        uint32_t st = scratch_trailer_size(o->w);
        uint32_t pad = st > in_first ? st - in_first : 0u;
        uint64_t bytes = slot - tr - pad;
        return (uint32_t)((bytes + o->s - 1u) / o->s);
    }
    case MCUBOOT_SWAP_MOVE:
        a = o->p > o->t + 1u ? o->p - o->t - 1u : 0u;
        b = o->q > o->t ? o->q - o->t : 0u;
        return a < b ? a : b;
    case MCUBOOT_SWAP_OFFSET:
        a = o->p > o->t ? o->p - o->t : 0u;
        b = o->q > o->t + 1u ? o->q - o->t - 1u : 0u;
        return a < b ? a : b;
    }
    return 0u;
}

uint32_t mcuboot_model_max_image_sectors(enum mcuboot_alg alg, const struct mcuboot_geom *g)
{
    struct geo o;
    if (resolve(alg, g, &o) != MCUBOOT_MODEL_OK) {
        return 0u;
    }
    return max_sectors(alg, &o);
}

static void finish_counts(struct mcuboot_counts *c)
{
    c->erases = c->erases_primary + c->erases_secondary + c->erases_scratch;
    c->prog_total = c->prog_data + c->prog_meta;
    c->read_total = c->read_data + c->read_meta;
}

static int prepare(enum mcuboot_alg alg, const struct mcuboot_geom *g, uint32_t n,
                   enum mcuboot_op op, struct mcuboot_counts *out, struct geo *o)
{
    int rc;
    if (out == NULL || n == 0u || (unsigned)op > (unsigned)MCUBOOT_OP_REVERT) {
        return MCUBOOT_MODEL_EARG;
    }
    memset(out, 0, sizeof *out);
    rc = resolve(alg, g, o);
    if (rc != MCUBOOT_MODEL_OK) {
        return rc;
    }
    if (n > max_sectors(alg, o)) {
        return MCUBOOT_MODEL_ETOOBIG;
    }
    out->trailer_sectors = o->t;
    return MCUBOOT_MODEL_OK;
}

int mcuboot_model_swap_scratch(const struct mcuboot_geom *g, uint32_t n, enum mcuboot_op op,
                               struct mcuboot_counts *out)
{
    struct geo o;
    uint32_t r_top, regions;
    uint64_t top_copy;
    int overlap, perm = op == MCUBOOT_OP_PERM;
    int rc = prepare(MCUBOOT_SWAP_SCRATCH, g, n, op, out, &o);
    if (rc != MCUBOOT_MODEL_OK) {
        return rc;
    }
    regions = div_up(n, o.k);
    r_top = n < o.k ? n : o.k;
    overlap = n > o.p - o.t; /* case (b): image reaches the first trailer sector */
    out->regions = regions;

    out->erases_scratch = o.k * (regions + 1u);
    if (!overlap) {
        out->erases_primary = n + o.t;
        out->erases_secondary = n + o.t;
        top_copy = (uint64_t)r_top * o.s;
    } else {
        uint64_t img_off = (uint64_t)(n - r_top) * o.s;
        uint64_t lim = (uint64_t)o.k * o.s - scratch_trailer_size(o.w);
        out->erases_primary = (n - 1u) + o.t;
        out->erases_secondary = (n - 1u) + o.t;
        top_copy = (uint64_t)o.p * o.s - img_off -
                   mcuboot_model_trailer_size(MCUBOOT_SWAP_SCRATCH, o.w, o.max);
        if (top_copy > lim) {
            top_copy = lim;
        }
    }
    out->max_erases_one_sector = regions + 1u;
    out->max_area = MCUBOOT_AREA_SCRATCH;

    out->prog_data = 3u * ((uint64_t)(n - r_top) * o.s + top_copy);
    out->read_data = out->prog_data;
    /* 3 records per region; two inits (scratch + primary, or scratch + the
     * rewrite into the primary in case (b)), image_ok in both for PERM. */
    out->prog_meta =
        3u * (uint64_t)regions * o.w + 2u * init_bytes(MCUBOOT_SWAP_SCRATCH, o.w, perm);
    out->read_meta = 2u * STATE_READ_BYTES;
    if (overlap) {
        out->prog_meta += 2u * o.w; /* status records copied scratch -> primary */
        out->read_meta += 2u * o.w;
    }
    out->prog_meta += o.w; /* copy_done */
    if (op == MCUBOOT_OP_REVERT) {
        out->prog_meta += o.w; /* image_ok by swap_set_image_ok */
    }
    if (op != MCUBOOT_OP_TEST) {
        out->read_meta += STATE_READ_BYTES; /* swap_set_image_ok */
    }
    finish_counts(out);
    return MCUBOOT_MODEL_OK;
}

int mcuboot_model_swap_move(const struct mcuboot_geom *g, uint32_t n, enum mcuboot_op op,
                            struct mcuboot_counts *out)
{
    struct geo o;
    uint32_t a4;
    int revert = op == MCUBOOT_OP_REVERT;
    int rc = prepare(MCUBOOT_SWAP_MOVE, g, n, op, out, &o);
    if (rc != MCUBOOT_MODEL_OK) {
        return rc;
    }
    a4 = align_up(4u, o.w);
    out->regions = n;
    out->erases_primary = 2u * n + o.t;                    /* n moves + n swaps + trailer */
    out->erases_secondary = n + o.t + (revert ? o.t : 0u); /* fixup_revert scrambles too */
    out->erases_scratch = 0u;
    if (n >= 2u) {
        out->max_erases_one_sector = 2u;
        out->max_area = MCUBOOT_AREA_PRIMARY;
    } else if (revert) {
        out->max_erases_one_sector = 2u;
        out->max_area = MCUBOOT_AREA_SECONDARY;
    } else {
        out->max_erases_one_sector = 1u;
        out->max_area = MCUBOOT_AREA_PRIMARY;
    }

    out->prog_data = 3u * (uint64_t)n * o.s;
    out->read_data = out->prog_data;
    out->prog_meta = 3u * (uint64_t)n * o.w /* 1 move + 2 swap records per sector */
                     + init_bytes(MCUBOOT_SWAP_MOVE, o.w, op != MCUBOOT_OP_TEST) +
                     o.w; /* copy_done */
    out->read_meta = STATE_READ_BYTES;
    if (revert) {
        out->prog_meta += o.w + a4 + magic_write(o.w); /* fixup: secondary image_ok, size, magic */
        out->read_meta += STATE_READ_BYTES;
    }
    if (op != MCUBOOT_OP_TEST) {
        out->read_meta += STATE_READ_BYTES; /* swap_set_image_ok, finds it set */
    }
    finish_counts(out);
    return MCUBOOT_MODEL_OK;
}

int mcuboot_model_swap_offset(const struct mcuboot_geom *g, uint32_t n, enum mcuboot_op op,
                              struct mcuboot_counts *out)
{
    struct geo o;
    int rc = prepare(MCUBOOT_SWAP_OFFSET, g, n, op, out, &o);
    if (rc != MCUBOOT_MODEL_OK) {
        return rc;
    }
    out->regions = n;
    out->erases_scratch = 0u;
    out->prog_data = 2u * (uint64_t)n * o.s;
    out->read_data = out->prog_data;
    if (op != MCUBOOT_OP_REVERT) {
        out->erases_primary = n + o.t;
        out->erases_secondary = n + o.t;
        out->max_erases_one_sector = 1u;
        out->max_area = MCUBOOT_AREA_PRIMARY;
        out->prog_meta = 2u * (uint64_t)n * o.w +
                         init_bytes(MCUBOOT_SWAP_OFFSET, o.w, op == MCUBOOT_OP_PERM) +
                         o.w; /* copy_done */
        out->read_meta = STATE_READ_BYTES + TLV_SIZES_READ;
        if (op == MCUBOOT_OP_PERM) {
            out->read_meta += STATE_READ_BYTES;
        }
    } else {
        out->erases_primary = n + o.t;
        out->erases_secondary = n + 1u + 3u * o.t; /* sectors 1..n, sector 0, trailer x3 */
        out->max_erases_one_sector = 3u;
        out->max_area = MCUBOOT_AREA_SECONDARY;
        out->prog_meta = 2u * (uint64_t)n * o.w + o.w +
                         init_bytes(MCUBOOT_SWAP_OFFSET, o.w, 0)   /* fixup: secondary */
                         + init_bytes(MCUBOOT_SWAP_OFFSET, o.w, 0) /* primary */
                         + 2u * o.w;                               /* image_ok, copy_done */
        out->read_meta = 4u * STATE_READ_BYTES + TLV_SIZES_READ;
    }
    finish_counts(out);
    return MCUBOOT_MODEL_OK;
}

int mcuboot_model_run(enum mcuboot_alg alg, const struct mcuboot_geom *g, uint32_t n,
                      enum mcuboot_op op, struct mcuboot_counts *out)
{
    switch (alg) {
    case MCUBOOT_SWAP_SCRATCH:
        return mcuboot_model_swap_scratch(g, n, op, out);
    case MCUBOOT_SWAP_MOVE:
        return mcuboot_model_swap_move(g, n, op, out);
    case MCUBOOT_SWAP_OFFSET:
        return mcuboot_model_swap_offset(g, n, op, out);
    }
    return MCUBOOT_MODEL_EARG;
}

/* ---- general layouts -------------------------------------------------- */

static uint32_t map_count(const struct mcuboot_map *m)
{
    uint32_t c = 0u;
    for (size_t i = 0; i < m->n_runs; i++) {
        c += m->runs[i].count;
    }
    return c;
}

static uint64_t map_bytes(const struct mcuboot_map *m)
{
    uint64_t b = 0u;
    for (size_t i = 0; i < m->n_runs; i++) {
        b += (uint64_t)m->runs[i].size * m->runs[i].count;
    }
    return b;
}

/* Size of sector idx, 0 past the end. */
static uint32_t map_sector(const struct mcuboot_map *m, uint32_t idx)
{
    for (size_t i = 0; i < m->n_runs; i++) {
        if (idx < m->runs[i].count) {
            return m->runs[i].size;
        }
        idx -= m->runs[i].count;
    }
    return 0u;
}

/* The one sector size of a map, 0 if it has several (or none). */
static uint32_t map_uniform(const struct mcuboot_map *m)
{
    uint32_t sz = 0u;
    for (size_t i = 0; i < m->n_runs; i++) {
        if (m->runs[i].count == 0u) {
            continue;
        }
        if (m->runs[i].size == 0u || (sz != 0u && m->runs[i].size != sz)) {
            return 0u;
        }
        sz = m->runs[i].size;
    }
    return sz;
}

int mcuboot_model_supports(enum mcuboot_alg alg, const struct mcuboot_layout *l)
{
    uint32_t p, q, max, sp, sq;
    if (l == NULL || !pow2_ok(l->write_size)) {
        return MCUBOOT_MODEL_EARG;
    }
    max = l->max_img_sectors ? l->max_img_sectors : 128u;
    p = map_count(&l->primary);
    q = map_count(&l->secondary);
    if (p == 0u || q == 0u) {
        return MCUBOOT_MODEL_EARG;
    }
    if (p > max || q > max) {
        return MCUBOOT_MODEL_ESECTORS;
    }
    switch (alg) {
    case MCUBOOT_SWAP_SCRATCH: {
        /* Walk both lists; close a group whenever the running sums meet.
         * Inside a group only one side may take extra sectors. */
        uint64_t scratch = map_bytes(&l->scratch);
        uint64_t a = 0u, b = 0u;
        uint32_t i = 0u, j = 0u;
        int side = 0; /* 1: primary took extra sectors, 2: secondary did */
        if (scratch < scratch_trailer_size(l->write_size)) {
            return MCUBOOT_MODEL_ESCRATCH;
        }
        while (i < p || j < q) {
            if (a == b) {
                if (i >= p || j >= q) {
                    return MCUBOOT_MODEL_ESLOTS;
                }
                a += map_sector(&l->primary, i++);
                b += map_sector(&l->secondary, j++);
            } else if (a < b) {
                if (i >= p || side == 2) {
                    return MCUBOOT_MODEL_ESLOTS;
                }
                side = 1;
                a += map_sector(&l->primary, i++);
            } else {
                if (j >= q || side == 1) {
                    return MCUBOOT_MODEL_ESLOTS;
                }
                side = 2;
                b += map_sector(&l->secondary, j++);
            }
            if (a == b) {
                if (a > scratch) {
                    return MCUBOOT_MODEL_ESCRATCH;
                }
                a = b = 0u;
                side = 0;
            }
        }
        if (a != b || map_bytes(&l->primary) != map_bytes(&l->secondary)) {
            return MCUBOOT_MODEL_ESLOTS;
        }
        return MCUBOOT_MODEL_OK;
    }
    case MCUBOOT_SWAP_MOVE:
    case MCUBOOT_SWAP_OFFSET:
        sp = map_uniform(&l->primary);
        sq = map_uniform(&l->secondary);
        if (sp == 0u || sq == 0u || sp != sq) {
            return MCUBOOT_MODEL_EUNIFORM;
        }
        if (alg == MCUBOOT_SWAP_MOVE && p != q && p != q + 1u) {
            return MCUBOOT_MODEL_ESLOTS;
        }
        if (alg == MCUBOOT_SWAP_OFFSET && q != p && q != p + 1u) {
            return MCUBOOT_MODEL_ESLOTS;
        }
        if (div_up(mcuboot_model_trailer_size(alg, l->write_size, max), sp) >= p) {
            return MCUBOOT_MODEL_ETOOBIG;
        }
        return MCUBOOT_MODEL_OK;
    }
    return MCUBOOT_MODEL_EARG;
}

/* ---- anchors ---------------------------------------------------------- */

int mcuboot_model_selfcheck(void)
{
    /* Measured with MCUboot's own code: one upgrade, 60-sector image, 4 KiB
     * sectors. The trailer fits one sector for write sizes 1..8, so the
     * anchors must hold for each of those. */
    static const uint32_t ws[] = {1u, 2u, 4u, 8u};
    static const struct {
        enum mcuboot_alg alg;
        uint32_t erases, max;
        enum mcuboot_area area;
    } want[] = {
        {MCUBOOT_SWAP_SCRATCH, 183u, 61u, MCUBOOT_AREA_SCRATCH},
        {MCUBOOT_SWAP_MOVE, 182u, 2u, MCUBOOT_AREA_PRIMARY},
        {MCUBOOT_SWAP_OFFSET, 122u, 1u, MCUBOOT_AREA_PRIMARY},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) {
        for (size_t a = 0; a < sizeof want / sizeof want[0]; a++) {
            struct mcuboot_geom g = {4096u, ws[i], 64u, 0u, 1u, 128u};
            struct mcuboot_counts c;
            if (mcuboot_model_run(want[a].alg, &g, 60u, MCUBOOT_OP_TEST, &c) != MCUBOOT_MODEL_OK ||
                c.erases != want[a].erases || c.max_erases_one_sector != want[a].max ||
                c.max_area != want[a].area || c.trailer_sectors != 1u) {
                bad++;
            }
        }
    }
    /* The scratch anchor: 61 erases on the (single) scratch sector. */
    {
        struct mcuboot_geom g = {4096u, 8u, 64u, 0u, 1u, 128u};
        struct mcuboot_counts c;
        if (mcuboot_model_swap_scratch(&g, 60u, MCUBOOT_OP_TEST, &c) != MCUBOOT_MODEL_OK ||
            c.erases_scratch != 61u) {
            bad++;
        }
    }
    /* Layout rules: uniform equal slots pass everywhere; an STM32F4-style
     * bank fails move and offset, passes scratch with a 128 KiB scratch. */
    {
        static const struct mcuboot_run u64[] = {{4096u, 64u}};
        static const struct mcuboot_run u65[] = {{4096u, 65u}};
        static const struct mcuboot_run f4[] = {{16384u, 4u}, {65536u, 1u}, {131072u, 7u}};
        static const struct mcuboot_run s4k[] = {{4096u, 1u}};
        static const struct mcuboot_run s128k[] = {{131072u, 1u}};
        struct mcuboot_layout lu = {{u64, 1}, {u64, 1}, {s4k, 1}, 8u, 0u};
        struct mcuboot_layout lo = {{u64, 1}, {u65, 1}, {NULL, 0}, 8u, 0u};
        struct mcuboot_layout lf = {{f4, 3}, {f4, 3}, {s128k, 1}, 8u, 0u};
        struct mcuboot_layout lfs = {{f4, 3}, {f4, 3}, {s4k, 1}, 8u, 0u};
        bad += mcuboot_model_supports(MCUBOOT_SWAP_SCRATCH, &lu) != MCUBOOT_MODEL_OK;
        bad += mcuboot_model_supports(MCUBOOT_SWAP_MOVE, &lu) != MCUBOOT_MODEL_OK;
        bad += mcuboot_model_supports(MCUBOOT_SWAP_OFFSET, &lo) != MCUBOOT_MODEL_OK;
        bad += mcuboot_model_supports(MCUBOOT_SWAP_SCRATCH, &lf) != MCUBOOT_MODEL_OK;
        bad += mcuboot_model_supports(MCUBOOT_SWAP_SCRATCH, &lfs) != MCUBOOT_MODEL_ESCRATCH;
        bad += mcuboot_model_supports(MCUBOOT_SWAP_MOVE, &lf) != MCUBOOT_MODEL_EUNIFORM;
        bad += mcuboot_model_supports(MCUBOOT_SWAP_OFFSET, &lf) != MCUBOOT_MODEL_EUNIFORM;
    }
    return bad;
}
