/* The stand-in mbed::FlashIAP over a RAM model: see flashiap_ram.h.
 * Host tests only; allocates. */
#include "flashiap_ram.h"

#include <stdlib.h>
#include <string.h>

#include "drivers/FlashIAP.h"

namespace {

/* The flash the next FlashIAP::init() binds to. */
struct flashiap_ram *current;

/* Sector of the model holding offset off: its first byte and size. 0, or -1
 * past the end. */
int sector_at(const struct flashiap_ram *m, uint32_t off, uint32_t *start, uint32_t *size)
{
    uint64_t base = 0;
    for (uint32_t i = 0; i < m->run_count; i++) {
        uint64_t len = (uint64_t)m->runs[i].size * m->runs[i].count;
        if (off < base + len) {
            *start = (uint32_t)(base + (off - base) / m->runs[i].size * m->runs[i].size);
            *size = m->runs[i].size;
            return 0;
        }
        base += len;
    }
    return -1;
}

/* 1 if off is a sector's first byte or the end of the flash. */
int on_boundary(const struct flashiap_ram *m, uint64_t off)
{
    uint32_t start;
    uint32_t size;
    if (off == m->size) {
        return 1;
    }
    return off < m->size && sector_at(m, (uint32_t)off, &start, &size) == 0 && start == off;
}

/* The model's offset of [addr, addr+size), or -1 if it leaves the flash. */
int64_t offset_of(const struct flashiap_ram *m, uint32_t addr, uint32_t size)
{
    if (addr < m->start || (uint64_t)(addr - m->start) + size > m->size) {
        return -1;
    }
    return (int64_t)(addr - m->start);
}

} /* namespace */

int flashiap_ram_setup(struct flashiap_ram *m)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < m->run_count && i < FLASHIAP_RAM_MAX_RUNS; i++) {
        total += (uint64_t)m->runs[i].size * m->runs[i].count;
    }
    if (m->run_count == 0 || m->run_count > FLASHIAP_RAM_MAX_RUNS || total == 0 ||
        m->page_size == 0 || (uint64_t)m->start + total > 0x100000000ull) {
        return -1;
    }
    m->mem = static_cast<uint8_t *>(malloc((size_t)total));
    if (m->mem == NULL) {
        return -1;
    }
    memset(m->mem, m->erase_value, (size_t)total);
    m->size = (uint32_t)total;
    flashiap_ram_clear(m);
    m->inited = 0;
    current = m;
    return 0;
}

void flashiap_ram_free(struct flashiap_ram *m)
{
    free(m->mem);
    m->mem = NULL;
    if (current == m) {
        current = NULL;
    }
}

void flashiap_ram_clear(struct flashiap_ram *m)
{
    m->fail_program_at = 0;
    m->fail_erase_at = 0;
    m->fail_read_at = 0;
    m->silent_program_at = 0;
    m->silent_erase_at = 0;
    m->fail_status = -1;
    m->programs = 0;
    m->erases = 0;
    m->reads = 0;
    m->refused = 0;
    m->fired = 0;
    m->cut_at = 0;
    m->ops = 0;
    m->dead = 0;
}

void flashiap_ram_power_on(struct flashiap_ram *m)
{
    flashiap_ram_clear(m);
}

namespace mbed {

FlashIAP::FlashIAP() : _ram(NULL)
{
}

int FlashIAP::init()
{
    if (current == NULL) {
        return -1;
    }
    _ram = current;
    _ram->inited = 1;
    return 0;
}

int FlashIAP::deinit()
{
    if (_ram == NULL) {
        return -1;
    }
    _ram->inited = 0;
    _ram = NULL;
    return 0;
}

int FlashIAP::read(void *buffer, uint32_t addr, uint32_t size)
{
    struct flashiap_ram *m = _ram;
    if (m == NULL || m->dead) {
        return -1;
    }
    int64_t off = offset_of(m, addr, size);
    if (off < 0 || (buffer == NULL && size > 0)) {
        m->refused++;
        return -1;
    }
    if (++m->reads == m->fail_read_at) {
        m->fired++;
        return m->fail_status;
    }
    if (size > 0) {
        memcpy(buffer, m->mem + off, size);
    }
    return 0;
}

int FlashIAP::program(const void *buffer, uint32_t addr, uint32_t size)
{
    struct flashiap_ram *m = _ram;
    if (m == NULL || m->dead) {
        return -1;
    }
    int64_t off = offset_of(m, addr, size);
    if (off < 0 || buffer == NULL || size == 0 || addr % m->page_size != 0 ||
        size % m->page_size != 0) {
        m->refused++;
        return -1;
    }
    for (uint32_t i = 0; i < size; i++) {
        if (m->mem[off + i] != m->erase_value) {
            m->refused++; /* NOR: programming needs erased bytes */
            return -1;
        }
    }
    m->programs++;
    if (++m->ops == m->cut_at) {
        m->dead = 1; /* the first half of the pages took */
        memcpy(m->mem + off, buffer, size / m->page_size / 2 * m->page_size);
        return -1;
    }
    if (m->programs == m->fail_program_at) {
        m->fired++;
        return m->fail_status;
    }
    memcpy(m->mem + off, buffer, size);
    if (m->programs == m->silent_program_at) {
        m->fired++;
        m->mem[off] = m->erase_value; /* the first byte did not take */
        if (static_cast<const uint8_t *>(buffer)[0] == m->erase_value) {
            m->mem[off] = (uint8_t)~m->erase_value;
        }
    }
    return 0;
}

int FlashIAP::erase(uint32_t addr, uint32_t size)
{
    struct flashiap_ram *m = _ram;
    if (m == NULL || m->dead) {
        return -1;
    }
    int64_t off = offset_of(m, addr, size);
    if (off < 0 || size == 0 || !on_boundary(m, (uint64_t)off) ||
        !on_boundary(m, (uint64_t)off + size)) {
        m->refused++;
        return -1;
    }
    m->erases++;
    if (++m->ops == m->cut_at) {
        m->dead = 1; /* the first half of the sector was erased */
        memset(m->mem + off, m->erase_value, size / 2);
        return -1;
    }
    if (m->erases == m->fail_erase_at) {
        m->fired++;
        return m->fail_status;
    }
    memset(m->mem + off, m->erase_value, size);
    if (m->erases == m->silent_erase_at) {
        m->fired++;
        m->mem[off + size / 2] = (uint8_t)~m->erase_value; /* one byte stayed programmed */
    }
    return 0;
}

uint32_t FlashIAP::get_sector_size(uint32_t addr) const
{
    uint32_t start;
    uint32_t size;
    if (_ram == NULL || offset_of(_ram, addr, 1) < 0 ||
        sector_at(_ram, addr - _ram->start, &start, &size) != 0) {
        return MBED_FLASH_INVALID_SIZE;
    }
    return size;
}

uint32_t FlashIAP::get_flash_start() const
{
    return _ram != NULL ? _ram->start : 0;
}

uint32_t FlashIAP::get_flash_size() const
{
    return _ram != NULL ? _ram->size : 0;
}

uint32_t FlashIAP::get_page_size() const
{
    return _ram != NULL ? _ram->page_size : 0;
}

uint8_t FlashIAP::get_erase_value() const
{
    return _ram != NULL ? _ram->erase_value : 0xff;
}

} /* namespace mbed */
