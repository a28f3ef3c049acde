/* Typed getters for the JSON of config.json, shared by the parsers of the
 * spec's parts (spec.c, spec-resources.c). Each reports a bad value with the
 * field's full name, as "config.json: <where><key> ...". */
#ifndef DXC_SPEC_JSON_H
#define DXC_SPEC_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

#define CTX "config.json: "

int dxc_json_string (json_t *obj, const char *key, const char *where,
                     bool required, char **ret, dxc_error **err);
int dxc_json_strv (json_t *obj, const char *key, const char *where,
                   char ***ret, dxc_error **err);
int dxc_json_uint (json_t *obj, const char *key, const char *where,
                   uint64_t max, bool *ret_present, uint64_t *ret,
                   dxc_error **err);
/* A known field this runtime does not implement: refused when set to
 * anything but null or an empty value. */
int dxc_json_refuse (json_t *obj, const char *key, const char *where,
                     dxc_error **err);

#endif
