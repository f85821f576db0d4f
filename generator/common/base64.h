/*
 * base64.h - RFC 4648 base64 encoding (for keeping the exact bytes of a
 * quarantined line that is not valid UTF-8).
 */
#ifndef AID_BASE64_H
#define AID_BASE64_H

#include <stddef.h>

#include "common/err.h"
#include "common/strbuf.h"

/* Append the base64 form of data to out. 0 or -1. */
AID_MUST_CHECK int base64_encode(strbuf *out, const void *data, size_t len);

#endif
