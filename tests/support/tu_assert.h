/* cmocka assertion for ifu error codes: on a mismatch, the message names
 * both codes and their ifu_strerror() text. Include after <cmocka.h>. */
#ifndef IFU_TU_ASSERT_H
#define IFU_TU_ASSERT_H

#include "ifu/errors.h"

#define assert_ifu(got, want)                                                                      \
    do {                                                                                           \
        int got_ = (got);                                                                          \
        int want_ = (want);                                                                        \
        if (got_ != want_) {                                                                       \
            fail_msg("%s: got %d (%s), want %d (%s)", #got, got_, ifu_strerror(got_), want_,       \
                     ifu_strerror(want_));                                                         \
        }                                                                                          \
    } while (0)

#endif /* IFU_TU_ASSERT_H */
