/* Keystore helpers for tests: the simulator's OTP as a keystore backend (the
 * shape a real eFuse driver takes), a one-way RAM store, and key anchors of
 * the test keys. Host only. */
#ifndef IFU_TU_KEYS_H
#define IFU_TU_KEYS_H

#include <stdint.h>

#include "ifu/keys.h"
#include "ifu_sim.h"
#include "tu_image.h"

/* OTP programming unit the tests use, bytes (a 32-bit fuse word). */
#define TU_KEYS_OTP_WRITE 4u

/* ks over sim's OTP from byte 0: erased 0x00, write size TU_KEYS_OTP_WRITE.
 * Returns ifu_keys_check()'s verdict. */
int tu_keys_otp(struct ifu_keystore *ks, struct ifu_sim *sim, uint32_t slots);

/* A store in RAM with NOR rules (prog only over erased bytes, aligned), for
 * building blobs. */
struct tu_keys_ram {
    uint8_t *mem;
    uint32_t size;
    uint32_t write_size;
    uint8_t erased;
    unsigned progs;
};
int tu_keys_ram(struct ifu_keystore *ks, struct tu_keys_ram *ram, uint32_t slots);

/* SHA-256 of test key k's PUBKEY-TLV encoding: its anchor. */
void tu_keys_anchor(enum tu_key k, uint8_t out[IFU_KEYS_ANCHOR_SIZE]);

#endif /* IFU_TU_KEYS_H */
