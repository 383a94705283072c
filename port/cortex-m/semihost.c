/* see semihost.h */
#include "semihost.h"

#define SYS_WRITE0        0x04u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_EXIT  0x20026u

static uint32_t call(uint32_t op, const volatile void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const volatile void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void ifu_semihost_exit(uint32_t code)
{
    static volatile uint32_t block[2];
    block[0] = ADP_STOPPED_EXIT;
    block[1] = code;
    (void)call(SYS_EXIT_EXTENDED, block);
    for (;;) {
    }
}

void ifu_semihost_write0(const char *s)
{
    (void)call(SYS_WRITE0, s);
}
