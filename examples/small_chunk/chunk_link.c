/* see chunk_link.h */
#include "chunk_link.h"

#include <stdlib.h>
#include <string.h>

#include "ifu/errors.h"

#define FRAME_BUF (CHUNK_DATA_HDR + 4096u) /* largest DATA frame the model sends */

struct frame {
    uint32_t len;
    uint8_t *b;
};

/* Frames in flight one way. */
struct chan {
    struct frame *q;
    size_t n;
    size_t cap;
};

enum phase {
    CONNECT, /* START until the device acks our session */
    SEND,    /* DATA until every byte is acked */
    FINISH,  /* END until the device reports done */
};

struct link {
    const struct chunk_link_config *cfg;
    struct chunk_link_stats *st;
    uint64_t rng;
    struct chan down; /* host -> device */
    struct chan up;   /* device -> host */
    int nomem;
};

static uint64_t rnd(struct link *l)
{
    /* xorshift64* */
    l->rng ^= l->rng >> 12;
    l->rng ^= l->rng << 25;
    l->rng ^= l->rng >> 27;
    return (l->rng * 2685821657736338717ull) >> 11;
}

static int chance(struct link *l, double p)
{
    return p > 0 && (double)rnd(l) / (double)(1ull << 53) < p;
}

static void chan_add(struct link *l, struct chan *c, const uint8_t *b, uint32_t len)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct frame *q = realloc(c->q, cap * sizeof *q);
        if (q == NULL) {
            l->nomem = 1;
            return;
        }
        c->q = q;
        c->cap = cap;
    }
    uint8_t *copy = malloc(len);
    if (copy == NULL) {
        l->nomem = 1;
        return;
    }
    memcpy(copy, b, len);
    c->q[c->n].len = len;
    c->q[c->n].b = copy; /* the queue owns it: chan_clear() frees it */
    c->n++;
}

/* Put a frame on the link: lost, once, or twice. */
static void chan_send(struct link *l, struct chan *c, const uint8_t *b, uint32_t len)
{
    if (chance(l, l->cfg->drop)) {
        l->st->dropped++;
        return;
    }
    chan_add(l, c, b, len);
    if (chance(l, l->cfg->dup)) {
        l->st->duplicated++;
        chan_add(l, c, b, len);
    }
}

/* The order of delivery: a frame may fall behind up to reorder_reach later ones. */
static void chan_shuffle(struct link *l, struct chan *c)
{
    uint32_t reach = l->cfg->reorder_reach ? l->cfg->reorder_reach : 4;
    for (size_t i = 0; i + 1 < c->n; i++) {
        if (chance(l, l->cfg->reorder)) {
            size_t j = i + 1 + (size_t)(rnd(l) % reach);
            j = j < c->n ? j : c->n - 1;
            struct frame f = c->q[i];
            memmove(&c->q[i], &c->q[i + 1], (j - i) * sizeof f);
            c->q[j] = f;
            l->st->reordered++;
        }
    }
}

static void chan_clear(struct chan *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->q[i].b);
    }
    c->n = 0;
}

static uint32_t chunk_len(struct link *l, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rnd(l) % (hi - lo + 1));
}

static void send_data(struct link *l, const uint8_t *img, uint32_t off, uint32_t n)
{
    uint8_t f[FRAME_BUF];
    f[0] = CHUNK_DATA;
    chunk_put_le16(f + 1, off & 0xffffu);
    memcpy(f + CHUNK_DATA_HDR, img + off, n);
    l->st->frames++;
    l->st->data_frames++;
    l->st->data_bytes += n;
    chan_send(l, &l->down, f, CHUNK_DATA_HDR + n);
}

static void send_start(struct link *l, uint32_t session)
{
    uint8_t f[CHUNK_START_SIZE] = {CHUNK_START};
    chunk_put_le16(f + 1, session);
    l->st->frames++;
    chan_send(l, &l->down, f, sizeof f);
}

static void send_end(struct link *l, uint32_t len)
{
    uint8_t f[CHUNK_END_SIZE] = {CHUNK_END};
    chunk_put_le32(f + 1, len);
    f[5] = l->cfg->install;
    l->st->frames++;
    chan_send(l, &l->down, f, sizeof f);
}

static int status_of(const uint8_t *ack)
{
    return ack[7] >= 128 ? (int)ack[7] - 256 : (int)ack[7];
}

/* see chunk_link.h */
int chunk_link_run(const struct chunk_link_config *cfg, struct chunk_rx *rx, const uint8_t *img,
                   uint32_t len, struct chunk_link_stats *st)
{
    uint32_t frame_max = cfg->frame_max ? cfg->frame_max : CHUNK_BLE_FRAME;
    if (frame_max <= CHUNK_DATA_HDR || frame_max > FRAME_BUF || len == 0) {
        return IFU_EINVAL;
    }
    uint32_t payload = frame_max - CHUNK_DATA_HDR;
    uint32_t lo = cfg->chunk_min ? cfg->chunk_min : payload;
    uint32_t hi = cfg->chunk_max ? cfg->chunk_max : payload;
    hi = hi < payload ? hi : payload;
    lo = lo < hi ? lo : hi;
    uint32_t window = cfg->window ? cfg->window : 8 * payload;
    uint32_t timeout = cfg->timeout ? cfg->timeout : 4;
    uint64_t max_rounds = cfg->max_rounds ? cfg->max_rounds : 1000000;
    if (window > CHUNK_SEQ_REACH / 2 || lo == 0) {
        return IFU_EINVAL; /* the 16-bit sequence numbers would be ambiguous */
    }

    struct link l = {.cfg = cfg, .st = st, .rng = cfg->seed * 0x9e3779b97f4a7c15ull + 1};
    memset(st, 0, sizeof *st);
    enum phase phase = CONNECT;
    uint32_t session = 1 + (uint32_t)(rnd(&l) % 0xfffeu);
    uint32_t base = 0;      /* acked: the device has every byte below */
    uint32_t nxt = 0;       /* next byte to send */
    uint32_t idle = 0;      /* rounds without progress */
    uint32_t dupacks = 0;   /* acks repeating base while bytes are in flight */
    int resend = 1;         /* send START or END this round */
    uint64_t delivered = 0; /* frames delivered to the device */
    int result = IFU_EIO;
    st->sessions = 1;

    while (st->rounds < max_rounds && !l.nomem) {
        st->rounds++;
        /* The sender. */
        if (phase == CONNECT && resend) {
            send_start(&l, session);
        } else if (phase == FINISH && resend) {
            send_end(&l, len);
        } else if (phase == SEND) {
            while (nxt < len && nxt - base < window) {
                uint32_t n = chunk_len(&l, lo, hi);
                n = n < len - nxt ? n : len - nxt;
                send_data(&l, img, nxt, n);
                nxt += n;
            }
            if (base > 0 && chance(&l, cfg->spurious)) {
                /* A retransmission nobody asked for, on other boundaries. */
                uint32_t back = 1 + (uint32_t)(rnd(&l) % (base < window ? base : window));
                uint32_t n = chunk_len(&l, lo, hi);
                n = n < len - (base - back) ? n : len - (base - back);
                send_data(&l, img, base - back, n);
                st->spurious++;
            }
        }
        resend = 0;

        /* The link down, the device, the link up. */
        chan_shuffle(&l, &l.down);
        for (size_t i = 0; i < l.down.n; i++) {
            uint8_t ack[CHUNK_ACK_SIZE];
            uint32_t n = chunk_rx_input(rx, l.down.q[i].b, l.down.q[i].len, ack);
            if (n > 0) {
                chan_send(&l, &l.up, ack, n);
            }
            if (cfg->reset_after != 0 && ++delivered == cfg->reset_after) {
                /* Power cycle: RAM and everything in flight are gone. */
                chunk_rx_init(rx, rx->cfg, rx->policy);
                chan_clear(&l.up);
                st->resets++;
                break;
            }
        }
        chan_clear(&l.down);
        chan_shuffle(&l, &l.up);

        /* The acks. */
        int progress = 0;
        for (size_t i = 0; i < l.up.n; i++) {
            const uint8_t *ack = l.up.q[i].b;
            uint32_t id = chunk_get_le16(ack + 1);
            uint32_t next = chunk_get_le32(ack + 3);
            st->acks++;
            if (ack[8] == CHUNK_RX_IDLE && phase != CONNECT) {
                /* The device lost our session (a reset): open a new one; it
                 * resumes from what its flash kept. */
                session = session % 0xffffu + 1;
                st->sessions++;
                phase = CONNECT;
                base = nxt = 0;
                resend = 1;
                break;
            }
            if (id != session) {
                continue; /* an ack of an earlier session */
            }
            if (ack[8] == CHUNK_RX_FAILED) {
                result = status_of(ack);
                goto out;
            }
            if (ack[8] == CHUNK_RX_DONE) {
                if (phase == FINISH) {
                    result = 0;
                    goto out;
                }
                continue;
            }
            if (phase == CONNECT) {
                phase = SEND;
                base = nxt = next;
                progress = 1;
                continue;
            }
            if (next > base) {
                base = next;
                nxt = nxt > base ? nxt : base; /* a resume jumps ahead */
                dupacks = 0;
                progress = 1;
            } else if (next == base && nxt > base && phase == SEND && ++dupacks == 3) {
                nxt = base;
                dupacks = 0;
                st->fast_retransmits++;
            }
            if (phase == SEND && base == len) {
                phase = FINISH;
                resend = 1;
            }
        }
        chan_clear(&l.up);

        idle = progress ? 0 : idle + 1;
        if (idle >= timeout) {
            idle = 0;
            st->timeouts++;
            nxt = base;
            resend = 1;
        }
    }
    if (l.nomem) {
        result = IFU_ENOSPC;
    }
out:
    chan_clear(&l.down);
    chan_clear(&l.up);
    free(l.down.q);
    free(l.up.q);
    return result;
}
