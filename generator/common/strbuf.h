/*
 * strbuf.h - a growable, always NUL-terminated byte buffer.
 *
 *   strbuf sb = STRBUF_INIT;         (or strbuf_init(&sb))
 *   strbuf_addf(&sb, "%d", 42);
 *   use sb.buf / sb.len;
 *   strbuf_release(&sb);             frees, leaves an empty buffer
 *
 * sb.buf is never NULL (it points at a static "" until something is added).
 * The buffer owns its memory; strbuf_detach hands it to the caller.
 * Allocation failure is reported by the add functions returning -1 and the
 * buffer keeping its old contents (a leaf helper: -1 means out of memory,
 * nothing else); their results must be checked (AID_MUST_CHECK).
 */
#ifndef AID_STRBUF_H
#define AID_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "common/err.h"

typedef struct strbuf {
    char *buf;
    size_t len;
    size_t alloc;
} strbuf;

extern char strbuf_empty[];
#define STRBUF_INIT { strbuf_empty, 0, 0 }

void strbuf_init(strbuf *sb);
void strbuf_release(strbuf *sb);
/* Make room for `extra` more bytes (plus the NUL). 0 or -1. */
AID_MUST_CHECK int strbuf_grow(strbuf *sb, size_t extra);
AID_MUST_CHECK int strbuf_add(strbuf *sb, const void *data, size_t len);
AID_MUST_CHECK int strbuf_adds(strbuf *sb, const char *s);
AID_MUST_CHECK int strbuf_addc(strbuf *sb, char c);
AID_MUST_CHECK int strbuf_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
AID_MUST_CHECK int strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(strbuf *sb);
void strbuf_setlen(strbuf *sb, size_t len);
/* Give the buffer to the caller (free() it); sb is left empty. Never NULL
 * unless allocation fails. */
AID_MUST_CHECK char *strbuf_detach(strbuf *sb, size_t *len);
/* Remove white space at both ends. */
void strbuf_trim(strbuf *sb);

#endif
