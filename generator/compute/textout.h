/*
 * textout.h - a text of the logs as it goes into report.json: made valid
 * UTF-8 and, with rules, redacted. Private to compute/ (figures, coach).
 */
#ifndef AID_TEXTOUT_H
#define AID_TEXTOUT_H

#include <json-c/json.h>
#include <stddef.h>

#include "common/err.h"
#include "common/redact.h"

/* *out: a new json-c string of s (len bytes) sanitised and redacted with
 * rules (NULL: as it is). A NULL s gives *out = NULL (a JSON null). 0, or
 * -1 when out of memory (a leaf helper; *out is then NULL). */
AID_MUST_CHECK int textout_json(const redact_rules *rules, const char *s, size_t len, struct json_object **out);

#endif
