/* Device side of the small-chunk link example: turns frames of a few bytes,
 * with byte sequence numbers, into ifu_update_* calls, and answers each with
 * a cumulative ACK (wire format: chunk_proto.h).
 *
 * Device code: C99, no malloc, no OS. One struct chunk_rx per link, owned by
 * the caller (it holds the struct ifu_update, about 2 KiB: keep it static).
 * Call chunk_rx_input() from the task that owns the flash, not from the radio
 * or bus interrupt: a frame may cost a sector erase (below).
 *
 * What the receiver does with frames:
 * - START opens a session. A START with the session id already open is a
 *   duplicate and is only acknowledged; another id starts over (a reconnect).
 * - DATA at or below the next offset is placed and passed on; a repeat is
 *   compared by the update API (identical: fine; different: status
 *   IFU_EMISMATCH, nothing taken). DATA past the next offset is a gap (lost or
 *   overtaken frames): nothing is taken and the ACK repeats the next offset,
 *   which tells the sender what to resend.
 * - The first 32 bytes are kept here until they are all in; then
 *   ifu_update_begin() checks the header (nothing is erased for a bad one)
 *   and reports whether an interrupted transfer of the same image can resume.
 *   If so, the ACK's next offset jumps there and the sender skips ahead.
 * - END with the image size, once every byte is in: ifu_update_finish() (one
 *   signature check) and, if asked, ifu_update_install(). A repeated END is
 *   acknowledged again.
 *
 * Work per frame: ifu_update_write() calls, each erasing at most one sector;
 * the receiver calls again while a call takes less than the whole frame,
 * which happens at most once per staging sector, plus once, in a whole
 * transfer (docs/UPDATE.md). Between two calls is where a watchdog is kicked. */
#ifndef CHUNK_RX_H
#define CHUNK_RX_H

#include <stdint.h>

#include "chunk_proto.h"
#include "ifu/update.h"

/* What happened to the frames (for a log or a test). */
struct chunk_rx_counts {
    uint32_t frames;     /* frames parsed */
    uint32_t taken;      /* DATA frames that brought new bytes */
    uint32_t repeats;    /* DATA frames entirely below the next offset */
    uint32_t gaps;       /* DATA frames past the next offset (dropped) */
    uint32_t refused;    /* DATA frames refused without harm (IFU_EMISMATCH, IFU_ERANGE) */
    uint32_t calls;      /* ifu_update_write calls */
    uint32_t zero_calls; /* of which took 0 bytes (spent on an erase) */
    uint32_t bad;        /* frames of an unknown kind or a wrong length */
};

struct chunk_rx {
    /* Set by chunk_rx_init; the caller keeps cfg and policy alive. */
    const struct ifu_boot_config *cfg;
    const struct ifu_update_policy *policy; /* may be NULL */
    /* Private. */
    struct ifu_update up;
    enum chunk_rx_state state;
    int err;          /* why, in CHUNK_RX_FAILED */
    uint32_t session; /* open session id, 0 for none */
    uint32_t next;    /* image offset of the next byte wanted */
    uint32_t resumed; /* offset the session resumed from (0: from the start) */
    uint8_t hdr[IFU_IMAGE_HEADER_SIZE];
    struct chunk_rx_counts counts;
};

/* Make rx idle (no session) for cfg and policy, as after a reset. Touches no
 * flash. An update in progress is not aborted: a later session for the same
 * image resumes it. */
void chunk_rx_init(struct chunk_rx *rx, const struct ifu_boot_config *cfg,
                   const struct ifu_update_policy *policy);

/* Handle one frame of len bytes. Writes the reply to ack and returns its
 * length (CHUNK_ACK_SIZE), or 0 if the frame was too short to answer.
 * Flash: through ifu_update_begin/write/finish/install (see above). */
uint32_t chunk_rx_input(struct chunk_rx *rx, const uint8_t *frame, uint32_t len,
                        uint8_t ack[CHUNK_ACK_SIZE]);

#endif /* CHUNK_RX_H */
