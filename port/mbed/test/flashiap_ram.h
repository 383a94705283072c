/* The RAM model behind the stand-in mbed::FlashIAP (drivers/FlashIAP.h in
 * this folder), for host tests of port/mbed/ifu_flashiap.cpp. Not Mbed, and
 * not for a device.
 *
 * NOR rules, stricter than Mbed's FlashIAP where Mbed would quietly adapt:
 * - program: addr page-aligned, size a non-zero multiple of the page size
 *   (Mbed pads a short last page with 0xff; the model refuses it), the range
 *   inside the flash, and every byte of it erased: a program over a byte that
 *   is not the erase value is refused (-1) and counted in refused;
 * - erase: addr the first byte of a sector, addr + size the end of a sector
 *   or of the flash; every byte becomes the erase value;
 * - read: any address and size inside the flash;
 * - every call before init() (or after deinit()) fails with -1.
 *
 * Error injection: the fail_*_at-th call of a kind (1-based, counted since
 * the field was set, 0 never) returns fail_status and changes nothing; the
 * silent_*_at-th call returns 0 but leaves one byte wrong (a program that
 * did not take, an erase that left a programmed byte), as a worn or
 * misconfigured part can.
 *
 * Power cut: the cut_at-th program or erase (counted together in ops) is
 * torn, and the flash is dead afterwards: every call fails with -1 until
 * flashiap_ram_power_on. A torn program programs the first half of its pages
 * (rounded down); a torn erase erases the first half of the sector and
 * leaves the rest as it was. */
#ifndef IFU_TEST_FLASHIAP_RAM_H
#define IFU_TEST_FLASHIAP_RAM_H

#include <stdint.h>

#define FLASHIAP_RAM_MAX_RUNS 16

/* count sectors of size bytes */
struct flashiap_ram_run {
    uint32_t size;
    uint32_t count;
};

struct flashiap_ram {
    /* Geometry: set before flashiap_ram_setup. */
    uint32_t start; /* address of the first byte */
    uint32_t page_size;
    uint8_t erase_value;
    struct flashiap_ram_run runs[FLASHIAP_RAM_MAX_RUNS];
    uint32_t run_count;

    /* Set by flashiap_ram_setup. */
    uint8_t *mem;  /* size bytes, all erase_value at setup */
    uint32_t size; /* sum of the runs */

    /* Injection (see above) and what happened. */
    unsigned long fail_program_at, fail_erase_at, fail_read_at;
    unsigned long silent_program_at, silent_erase_at;
    int fail_status;                       /* returned by injected failures; -1 after setup */
    unsigned long programs, erases, reads; /* calls of each kind since the last clear */
    unsigned long refused;                 /* calls refused for breaking a rule above */
    int fired;                             /* calls that failed or went wrong by injection */
    unsigned long cut_at;                  /* 0: no power cut */
    unsigned long ops;                     /* programs and erases, for cut_at */
    int dead;                              /* 1 after the cut, until flashiap_ram_power_on */
    int inited;                            /* a FlashIAP has called init() */
};

/* Allocate mem (erased) for the geometry in m and make m the flash that the
 * next FlashIAP::init() binds to (the HAL of a part has exactly one).
 * Returns 0, or -1 for an empty or overflowing geometry or no memory. */
int flashiap_ram_setup(struct flashiap_ram *m);

/* Free mem; unbind m if it is the current flash. */
void flashiap_ram_free(struct flashiap_ram *m);

/* Zero the counters and the injection fields (the power cut included). */
void flashiap_ram_clear(struct flashiap_ram *m);

/* Power back on after a cut: calls work again (the memory keeps what the
 * cut left), and the injection fields and counters are cleared. */
void flashiap_ram_power_on(struct flashiap_ram *m);

#endif /* IFU_TEST_FLASHIAP_RAM_H */
