/* The bootloader's trusted key, generated at build time by `ifu getpub -k
 * IFU_SIGNING_KEY` (boot/CMakeLists.txt) into the bootloader's read-only
 * image, which the MPU locks before the jump. */
#ifndef IFU_BOOT_KEYS_H
#define IFU_BOOT_KEYS_H

extern const unsigned char ecdsa_pub_key[];
extern const unsigned int ecdsa_pub_key_len;

#endif /* IFU_BOOT_KEYS_H */
