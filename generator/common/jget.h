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
#include "common/strbuf.h"

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

/* Building a tree with every json-c failure checked (a leaf helper: 0, or
 * -1 for out of memory). val is always consumed: added, or released on
 * failure. A NULL obj or val counts as a constructor that failed, so
 *   if (jget_set(o, "week", json_object_new_string(w)) < 0) goto nomem;
 * checks both the constructor and the add. (A JSON null on purpose is
 * json_object_object_add(o, k, NULL).) */
AID_MUST_CHECK int jget_set(struct json_object *obj, const char *key, struct json_object *val);
AID_MUST_CHECK int jget_push(struct json_object *arr, struct json_object *val);

/* Append o as JSON text and a newline to out: one line
 * (JSON_C_TO_STRING_PLAIN), or pretty-printed with spaces for the files
 * people read (report.json, prompt files); slashes are never escaped.
 * 0, or -1 when out of memory (json-c's serialiser included). */
AID_MUST_CHECK int jget_append(strbuf *out, struct json_object *o, bool pretty);

/* Parse the whole NUL-terminated text s into *out (the caller owns it;
 * NULL for the text "null"). 0, 1 when s is not JSON, -1 when out of
 * memory. json_tokener_parse gives NULL for both; json-c 0.16 has no
 * error code for memory, but a parse that stopped with "success" and no
 * value, on a text other than null, is one whose constructor failed.
 * (json-c's own crash on a failed strdup of a field name, or a failure it
 * reports as another error, stays out of reach.) */
AID_MUST_CHECK int jget_parse(const char *s, struct json_object **out);

/* True when s[0..end) is the JSON literal null with white space around it
 * (json-c reads it case-insensitively outside strict mode, and stops after
 * it whatever follows): with end = json_tokener_get_parse_end, what tells
 * a parsed null from a constructor that failed. */
bool jget_is_null_text(const char *s, size_t end);

#endif
