/* Links the installed library and checks one known digest (SHA-256 of "abc",
 * FIPS 180-2 appendix B.1) and one error string. */
#include <stdio.h>
#include <string.h>

#include "ifu/errors.h"
#include "ifu/image.h"

int main(void)
{
    static const uint8_t want[4] = {0xba, 0x78, 0x16, 0xbf};
    uint8_t digest[IFU_HASH_MAX_SIZE];

    if (ifu_hash_oneshot(IFU_HASH_SHA256, "abc", 3, digest) != 0 ||
        memcmp(digest, want, sizeof want) != 0) {
        puts("consumer: SHA-256 through the installed ifu is wrong");
        return 1;
    }
    printf("consumer: installed ifu works (%s)\n", ifu_strerror(IFU_EHASH));
    return 0;
}
