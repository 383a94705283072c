/* see chunk_rx.h */
#include "chunk_rx.h"

#include <string.h>

#include "ifu/errors.h"

void chunk_rx_init(struct chunk_rx *rx, const struct ifu_boot_config *cfg,
                   const struct ifu_update_policy *policy)
{
    memset(rx, 0, sizeof *rx);
    rx->cfg = cfg;
    rx->policy = policy;
    rx->state = CHUNK_RX_IDLE;
}

static uint32_t reply(const struct chunk_rx *rx, int status, uint8_t ack[CHUNK_ACK_SIZE])
{
    ack[0] = CHUNK_ACK;
    chunk_put_le16(ack + 1, rx->session);
    chunk_put_le32(ack + 3, rx->next);
    ack[7] = (uint8_t)(status < 0 && status >= -128 ? 256 + status : 0);
    ack[8] = (uint8_t)rx->state;
    return CHUNK_ACK_SIZE;
}

static int fail(struct chunk_rx *rx, int err)
{
    rx->state = CHUNK_RX_FAILED;
    rx->err = err;
    return err;
}

/* The full image offset of a 16-bit sequence number: the one nearest to the
 * next offset. Returns 0, or -1 if it would lie below offset 0. */
static int place(const struct chunk_rx *rx, uint32_t seq, uint32_t *off)
{
    uint32_t d = (seq - rx->next) & 0xffffu;
    if (d < CHUNK_SEQ_REACH) {
        *off = rx->next + d;
        return 0;
    }
    d = 0x10000u - d;
    if (d > rx->next) {
        return -1;
    }
    *off = rx->next - d;
    return 0;
}

/* Pass n bytes at image offset off to the update API, calling again while a
 * call takes part of them (it spent its one erase). */
static int put(struct chunk_rx *rx, uint32_t off, const uint8_t *p, uint32_t n)
{
    while (n > 0) {
        int got = ifu_update_write(&rx->up, off, p, n);
        rx->counts.calls++;
        if (got < 0) {
            return got;
        }
        rx->counts.zero_calls += got == 0;
        off += (uint32_t)got;
        p += got;
        n -= (uint32_t)got;
        if (off > rx->next) {
            rx->next = off;
        }
        /* A watchdog kick belongs here: each call did at most one erase. */
    }
    return 0;
}

/* The 32nd byte is in: check the header, learn where to resume, and pass on
 * the header unless the staged start of this image is kept. */
static int begin(struct chunk_rx *rx)
{
    uint32_t resume = 0;
    int err = ifu_update_begin(&rx->up, rx->cfg, rx->policy, rx->hdr, &resume);
    if (err) {
        return err;
    }
    rx->state = CHUNK_RX_DATA;
    rx->resumed = resume;
    if (resume > 0) {
        rx->next = resume; /* the sender skips ahead to here */
        return 0;
    }
    rx->next = 0;
    return put(rx, 0, rx->hdr, IFU_IMAGE_HEADER_SIZE);
}

static int data(struct chunk_rx *rx, const uint8_t *frame, uint32_t len)
{
    uint32_t off;
    const uint8_t *p = frame + CHUNK_DATA_HDR;
    uint32_t n = len - CHUNK_DATA_HDR;

    if (place(rx, chunk_get_le16(frame + 1), &off) != 0) {
        rx->counts.repeats++;
        return 0; /* a duplicate so late that it lies before offset 0 */
    }
    if (off > rx->next) {
        rx->counts.gaps++;
        return 0; /* the ACK names the next offset: the sender goes back to it */
    }
    if (off + n <= rx->next) {
        rx->counts.repeats++;
        /* Header bytes are kept here until the 32nd; later ones are compared
         * by the update API with what it took. */
        return rx->state == CHUNK_RX_HEADER ? 0 : put(rx, off, p, n);
    }
    rx->counts.taken++;
    if (rx->state == CHUNK_RX_DATA) {
        return put(rx, off, p, n);
    }
    /* CHUNK_RX_HEADER: gather [next, 32), then begin with the rest. */
    uint32_t skip = rx->next - off;
    uint32_t want = IFU_IMAGE_HEADER_SIZE - rx->next;
    uint32_t m = n - skip < want ? n - skip : want;
    memcpy(rx->hdr + rx->next, p + skip, m);
    rx->next += m;
    if (rx->next < IFU_IMAGE_HEADER_SIZE) {
        return 0;
    }
    int err = begin(rx);
    if (err || rx->resumed > 0 || skip + m == n) {
        return err;
    }
    return put(rx, IFU_IMAGE_HEADER_SIZE, p + skip + m, n - skip - m);
}

static int end(struct chunk_rx *rx, const uint8_t *frame)
{
    uint32_t size = chunk_get_le32(frame + 1);
    uint32_t kind = frame[5];

    if (rx->state == CHUNK_RX_DONE) {
        return 0; /* a repeated END: the first one's ACK was lost */
    }
    if (rx->state != CHUNK_RX_DATA || size != rx->next) {
        /* Not everything is in: the ACK's next offset says what is missing.
         * finish would fail for good (IFU_ETRUNC); this does not. */
        return size > rx->next ? IFU_ETRUNC : IFU_ERANGE;
    }
    if (kind > IFU_BOOT_REQ_PERMANENT) {
        return IFU_EINVAL;
    }
    int err = ifu_update_finish(&rx->up, NULL);
    if (!err && kind != 0) {
        err = ifu_update_install(&rx->up, (enum ifu_boot_request_kind)kind);
    }
    if (err) {
        return fail(rx, err);
    }
    rx->state = CHUNK_RX_DONE;
    return 0;
}

/* see chunk_rx.h */
uint32_t chunk_rx_input(struct chunk_rx *rx, const uint8_t *frame, uint32_t len,
                        uint8_t ack[CHUNK_ACK_SIZE])
{
    if (len == 0) {
        return 0;
    }
    rx->counts.frames++;
    uint32_t kind = frame[0];
    if (kind == CHUNK_START && len == CHUNK_START_SIZE) {
        uint32_t id = chunk_get_le16(frame + 1);
        if (id == 0) {
            rx->counts.bad++;
            return reply(rx, IFU_EINVAL, ack);
        }
        if (id != rx->session || rx->state == CHUNK_RX_IDLE) {
            /* A new session (or a reconnect): the update context is begun
             * again on the 32nd byte, which resumes what can be resumed. */
            rx->session = id;
            rx->state = CHUNK_RX_HEADER;
            rx->err = 0;
            rx->next = 0;
            rx->resumed = 0;
        }
        return reply(rx, rx->err, ack);
    }
    if (kind == CHUNK_DATA && len > CHUNK_DATA_HDR) {
        if (rx->state == CHUNK_RX_IDLE || rx->state == CHUNK_RX_FAILED) {
            return reply(rx, rx->err, ack); /* no session: the sender sends START */
        }
        if (rx->state == CHUNK_RX_DONE) {
            rx->counts.repeats++;
            return reply(rx, 0, ack); /* a late duplicate: the image is complete */
        }
        int err = data(rx, frame, len);
        if (err == IFU_EMISMATCH || err == IFU_ERANGE || err == IFU_EGAP) {
            rx->counts.refused++; /* transport mistakes: nothing taken, carry on */
        } else if (err) {
            fail(rx, err);
        }
        return reply(rx, err, ack);
    }
    if (kind == CHUNK_END && len == CHUNK_END_SIZE) {
        if (rx->state == CHUNK_RX_IDLE || rx->state == CHUNK_RX_FAILED) {
            return reply(rx, rx->err, ack);
        }
        return reply(rx, end(rx, frame), ack);
    }
    rx->counts.bad++;
    return reply(rx, IFU_EINVAL, ack);
}
