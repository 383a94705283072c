/* Host side of the small-chunk link example: a sender that speaks the frame
 * protocol of chunk_proto.h (go-back-N over byte sequence numbers, cumulative
 * acks, fast retransmit on three duplicate acks, a timeout that goes back to
 * the last ack), and a lossy link between it and a device-side struct
 * chunk_rx: every frame, in each direction, may be dropped, duplicated, or
 * overtaken by a few later ones. Time is counted in rounds: in a round the
 * sender sends what its window allows, the link delivers every frame in
 * flight to the device (in its shuffled order), and the device's acks come
 * back the same way. A seed makes every run replayable.
 *
 * Host code: C11, allocates. Not part of a device build. */
#ifndef CHUNK_LINK_H
#define CHUNK_LINK_H

#include <stdint.h>

#include "chunk_rx.h"

/* Zero it, then set fields; zero means the default in brackets. */
struct chunk_link_config {
    uint32_t frame_max; /* largest frame, bytes [CHUNK_BLE_FRAME]; DATA carries up to this - 3 */
    uint32_t chunk_min; /* image bytes per DATA frame, uniform in [chunk_min, chunk_max], */
    uint32_t chunk_max; /* capped at frame_max - 3 [both: frame_max - 3] */
    uint32_t window;    /* bytes sent beyond the last ack [8 frames]; <= 16 KiB */
    double drop;        /* chance that a frame is lost, each direction */
    double dup;         /* chance that a frame arrives twice */
    double reorder;     /* chance that a frame falls behind later ones */
    uint32_t reorder_reach; /* how many later frames it may fall behind [4] */
    double spurious;        /* chance per round of resending a random range below the last ack */
    uint32_t timeout;       /* rounds without progress before going back to the last ack [4] */
    uint32_t reset_after;   /* frames delivered before the device resets once (its RAM is lost,
                               frames in flight too; flash is kept); 0 for never */
    uint32_t max_rounds;    /* give up after this many rounds [1000000] */
    uint64_t seed;
    uint8_t install; /* END's install byte: 0 none, IFU_BOOT_REQ_TEST, IFU_BOOT_REQ_PERMANENT */
};

struct chunk_link_stats {
    uint64_t rounds;
    uint64_t frames;           /* frames the sender sent (before the link's losses) */
    uint64_t data_frames;      /* DATA frames among them */
    uint64_t data_bytes;       /* image bytes in those DATA frames, repeats included */
    uint64_t acks;             /* acks that reached the sender */
    uint64_t dropped;          /* frames the link lost, both directions */
    uint64_t duplicated;       /* frames the link delivered twice */
    uint64_t reordered;        /* frames the link let others overtake */
    uint64_t timeouts;         /* times the sender went back to the last ack on a timeout */
    uint64_t fast_retransmits; /* ... on three duplicate acks */
    uint64_t spurious;         /* random ranges below the last ack sent again */
    uint64_t sessions;         /* STARTs with a new session id */
    uint64_t resets;           /* device resets */
};

/* Send img (len bytes, a signed image) to rx through the lossy link until the
 * device reports CHUNK_RX_DONE or CHUNK_RX_FAILED. rx must be initialised
 * (chunk_rx_init); a reset re-initialises it with its cfg and policy.
 * Returns 0 (done), the device's error (failed), IFU_EINVAL for a bad config,
 * IFU_ENOSPC if memory runs out, or IFU_EIO if max_rounds pass first. */
int chunk_link_run(const struct chunk_link_config *cfg, struct chunk_rx *rx, const uint8_t *img,
                   uint32_t len, struct chunk_link_stats *st);

#endif /* CHUNK_LINK_H */
