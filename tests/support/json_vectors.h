/* Helpers for test programs driven by JSON vector files (Wycheproof and the
 * like), on top of cJSON. Host only; may allocate. */
#ifndef IFU_JSON_VECTORS_H
#define IFU_JSON_VECTORS_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* Exit status that makes ctest report a test as skipped. */
#define JV_SKIP 77

/* The shared/ folder: $IFU_SHARED_DIR if set and not empty, else the path
 * CMake compiled in (IFU_SHARED_DIR). Never NULL. */
const char *jv_shared_dir(void);

/* 1 if path names a directory, else 0. */
int jv_is_dir(const char *path);

/* Read and parse the JSON file at path. Returns the document (free it with
 * cJSON_Delete), or NULL after printing why on stdout. */
cJSON *jv_load(const char *path);

/* The string member name of obj, or NULL if absent or not a string. */
const char *jv_str(const cJSON *obj, const char *name);

/* The integer member name of obj in *out. Returns 0, or -1 if absent or not
 * a number. */
int jv_int(const cJSON *obj, const char *name, int *out);

/* Decode the hex string member name of obj into a malloc'd buffer of *len
 * bytes (free it). The buffer is never NULL on success, even for an empty
 * string, so it can be passed where a pointer is required. Returns NULL if the
 * member is absent or not an even-length hex string. */
uint8_t *jv_hex(const cJSON *obj, const char *name, uint32_t *len);

#endif /* IFU_JSON_VECTORS_H */
