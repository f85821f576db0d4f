/*
 * jget.h - read values out of a json-c tree by dotted path.
 *
 *   double m = jget_double(report, "confidence.mean", NAN);
 *   const char *w = jget_str(report, "week", "");
 *   json_object *rows = jget(report, "top_accepted");   (borrowed)
 *
 * Path segments are object keys; a segment of digits indexes an array
 * ("confidence.daily.0.mean"). Every result is borrowed from the tree.
 * A missing value, a JSON null or a value of another type gives the
 * default.
 */
#ifndef AID_JGET_H
#define AID_JGET_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

struct json_object *jget(const struct json_object *root, const char *path);
/* Numbers: ints and doubles both read as double. */
double jget_double(const struct json_object *root, const char *path, double dflt);
int64_t jget_int(const struct json_object *root, const char *path, int64_t dflt);
const char *jget_str(const struct json_object *root, const char *path, const char *dflt);
/* True when the path exists and is not JSON null. */
bool jget_has(const struct json_object *root, const char *path);
/* Array length, 0 when missing or not an array. */
size_t jget_len(const struct json_object *root, const char *path);

/* A new json-c number (the caller owns it) written with exactly `decimals`
 * decimals ("0.500000"; a negative zero as zero), as report.json and the
 * prompt files have them. NULL for NaN or infinity (a JSON null where it
 * is added) and when out of memory. */
struct json_object *jget_new_num(double v, int decimals);

/* Building trees with every allocation checked: o[key] = v, arr += v,
 * taking v. 0, or -1 when v is NULL (a constructor that failed) or the
 * add failed (v is released then). For a JSON null add NULL with
 * json_object_object_add yourself. */
AID_MUST_CHECK int jget_put(struct json_object *o, const char *key, struct json_object *v);
AID_MUST_CHECK int jget_append(struct json_object *arr, struct json_object *v);

#endif
