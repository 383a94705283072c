/* see json_vectors.h */
#include "json_vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef IFU_SHARED_DIR
#error "IFU_SHARED_DIR must be defined (tests/wycheproof.cmake sets it)"
#endif

/* see json_vectors.h */
const char *jv_shared_dir(void)
{
    const char *env = getenv("IFU_SHARED_DIR");
    return env != NULL && env[0] != '\0' ? env : IFU_SHARED_DIR;
}

/* see json_vectors.h */
int jv_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    size_t cap = 0;
    for (;;) {
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 262144;
            char *bigger = realloc(text, cap + 1);
            if (bigger == NULL) {
                free(text);
                fclose(f);
                return NULL;
            }
            text = bigger;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(text);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

/* see json_vectors.h */
cJSON *jv_load(const char *path)
{
    char *text = read_text(path);
    if (text == NULL) {
        printf("%s: cannot read\n", path);
        return NULL;
    }
    cJSON *doc = cJSON_Parse(text);
    if (doc == NULL) {
        const char *at = cJSON_GetErrorPtr();
        printf("%s: not JSON (near byte %ld)\n", path, at != NULL ? (long)(at - text) : -1L);
    }
    free(text);
    return doc;
}

/* see json_vectors.h */
const char *jv_str(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* see json_vectors.h */
int jv_int(const cJSON *obj, const char *name, int *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsNumber(item)) {
        return -1;
    }
    *out = item->valueint;
    return 0;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* see json_vectors.h */
uint8_t *jv_hex(const cJSON *obj, const char *name, uint32_t *len)
{
    const char *hex = jv_str(obj, name);
    if (hex == NULL) {
        return NULL;
    }
    size_t digits = strlen(hex);
    if (digits % 2 != 0 || digits / 2 > UINT32_MAX) {
        return NULL;
    }
    /* One spare byte so that an empty string still yields a valid pointer. */
    uint8_t *out = malloc(digits / 2 + 1);
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < digits / 2; i++) {
        int hi = nibble(hex[2 * i]);
        int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = (uint32_t)(digits / 2);
    return out;
}
