/*
 * escape.h - values from the input or the environment made safe for a
 * terminal or a CI log: control characters written as escapes, so that a
 * value can never end a line, start a forged one or colour the terminal.
 *
 * Escaped: the C0 controls (\n \r \t as such, the others and ESC as \xNN),
 * DEL (\x7f), the C1 controls U+0080..U+009F (\u0085) and every byte that
 * is not part of valid UTF-8 (\xNN). Everything else, backslash included,
 * is copied as it is, so escaping is idempotent: an escaped text has no
 * control left, and escaping it again changes nothing.
 */
#ifndef AID_ESCAPE_H
#define AID_ESCAPE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Write src, escaped, to dst (n bytes, always terminated when n > 0). An
 * escape that does not fit whole is left out, with all that follows.
 * Returns the length written. */
size_t esc_copy(char *dst, size_t n, const char *src);

/* Escape buf (n bytes, holding a terminated text) in place, truncating as
 * esc_copy does. */
void esc_inplace(char *buf, size_t n);

/* fprintf with the whole formatted line escaped, except one final newline,
 * which is kept. Use it for every diagnostic line that holds a value from
 * the input or the environment. Lines longer than 4 KiB are cut. */
void esc_fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void esc_vfprintf(FILE *f, const char *fmt, va_list ap);

#endif
