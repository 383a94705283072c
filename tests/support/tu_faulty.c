/* see tu_faulty.h */
#include "tu_faulty.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/errors.h"

static int hit(const struct ifu_flash *fl)
{
    struct tu_faulty *f = fl->ctx;
    f->calls++;
    if (f->fail_at != 0 && f->calls == f->fail_at) {
        f->fired = 1;
        return 1;
    }
    return 0;
}

static int f_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    const struct tu_faulty *f = fl->ctx;
    if (hit(fl)) {
        memset(buf, 0x5a, len);
        return IFU_EIO;
    }
    return f->real->read(f->real, off, buf, len);
}

static int f_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    const struct tu_faulty *f = fl->ctx;
    return hit(fl) ? IFU_EIO : f->real->prog(f->real, off, buf, len);
}

static int f_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    const struct tu_faulty *f = fl->ctx;
    return hit(fl) ? IFU_EIO : f->real->erase(f->real, off, len);
}

static int f_sync(const struct ifu_flash *fl)
{
    const struct tu_faulty *f = fl->ctx;
    if (hit(fl)) {
        return IFU_EIO;
    }
    return f->real->sync != NULL ? f->real->sync(f->real) : 0;
}

void tu_faulty_init(struct tu_faulty *f, const struct ifu_flash *real)
{
    memset(f, 0, sizeof *f);
    f->real = real;
    f->flash = *real;
    f->flash.ctx = f;
    f->flash.read = f_read;
    f->flash.prog = f_prog;
    f->flash.erase = f_erase;
    f->flash.sync = f_sync;
}

unsigned long tu_faulty_sample_step(void)
{
    const char *s = getenv("IFU_PL_SAMPLE");
    long n = s != NULL ? strtol(s, NULL, 10) : 1;
    return n > 1 ? (unsigned long)n : 1ul;
}

/* see tu_faulty.h */
void tu_faulty_sweep(unsigned long total, int (*one_case)(unsigned long k, long arg), long arg)
{
    unsigned long fired = 0, cases = 0;

    assert_true(total > 10);
    for (unsigned long k = 1; k <= total; k += tu_faulty_sample_step(), cases++) {
        fired += (unsigned long)one_case(k, arg);
    }
    /* Every call of the clean run was made to fail once, and the failure was met. */
    assert_int_equal(fired, cases);
    assert_int_equal(one_case(total + 1, arg), 0);
    print_message("%lu flash calls, %lu of them failed once\n", total, cases);
}
