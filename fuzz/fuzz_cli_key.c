/* Fuzz target: the CLI's key reader (tools/ifu/key.c, cli_key_parse, which
 * every command taking -k/--key uses through cli_key_load): PEM private keys
 * (PKCS#8, traditional, encrypted), SubjectPublicKeyInfo and PKCS#1 public
 * keys, parsed by OpenSSL and classified here. An encrypted key is refused
 * without prompting (as with no terminal).
 * Checks: no crash, no leak; an accepted key has a public encoding and a
 * known type; its public PEM (cli_key_public_pem, what `ifu getpub -e pem`
 * writes) reads back as a public key of the same type and encoding. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cli_key key;

    if (size > (1u << 16)) {
        return 0;
    }
    if (cli_key_parse("fuzz.pem", data, size, 0, &key) != 0) {
        return 0;
    }
    if (key.pkey == NULL || key.pub == NULL || key.pub_len == 0 || key.type > CLI_KEY_X25519) {
        abort();
    }
    char *pem = NULL;
    if (cli_key_public_pem(&key, &pem) != 0) {
        abort();
    }
    struct cli_key back;
    if (cli_key_parse("fuzz.pub.pem", (const uint8_t *)pem, strlen(pem), 0, &back) != 0 ||
        back.is_private || back.type != key.type || back.pub_len != key.pub_len ||
        memcmp(back.pub, key.pub, key.pub_len) != 0) {
        abort();
    }
    cli_key_free(&back);
    free(pem);
    cli_key_free(&key);
    return 0;
}
