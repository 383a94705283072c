/* A stand-in for Mbed OS / Mbed CE's drivers/FlashIAP.h, for host tests only.
 *
 * It declares the members of mbed::FlashIAP that port/mbed/ifu_flashiap.cpp
 * uses, with the signatures of Mbed OS 6 (drivers/include/drivers/FlashIAP.h),
 * so that the adapter compiles here unchanged. It is not Mbed: the
 * definitions are port/mbed/test/flashiap_ram.cpp, a RAM model with NOR rules
 * (flashiap_ram.h). On a device, the real header and the real class are used
 * and this folder is not on the include path.
 *
 * Mbed's contract, as its documentation states it (and the model follows):
 * every call returns 0 or a negative code; program() takes a page-aligned
 * address in erased sectors; erase() takes whole sectors; get_sector_size()
 * answers MBED_FLASH_INVALID_SIZE (some targets: 0) outside the flash. */
#ifndef IFU_TEST_MBED_FLASHIAP_H
#define IFU_TEST_MBED_FLASHIAP_H

#include <stdint.h>

#define MBED_FLASH_INVALID_SIZE 0xFFFFFFFF

struct flashiap_ram;

namespace mbed {

class FlashIAP {
  public:
    FlashIAP();
    FlashIAP(const FlashIAP &) = delete; /* Mbed's is NonCopyable */
    FlashIAP &operator=(const FlashIAP &) = delete;

    int init();
    int deinit();
    int read(void *buffer, uint32_t addr, uint32_t size);
    int program(const void *buffer, uint32_t addr, uint32_t size);
    int erase(uint32_t addr, uint32_t size);
    uint32_t get_sector_size(uint32_t addr) const;
    uint32_t get_flash_start() const;
    uint32_t get_flash_size() const;
    uint32_t get_page_size() const;
    uint8_t get_erase_value() const;

  private:
    struct flashiap_ram *_ram; /* the model bound by init(); NULL before */
};

} /* namespace mbed */

#endif /* IFU_TEST_MBED_FLASHIAP_H */
