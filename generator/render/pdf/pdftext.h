/*
 * pdftext.h - text for the PDF digest: what libharu 2.3.0 with DejaVu Sans
 * can draw, word wrapping, and visual order for right-to-left scripts.
 * Pure functions over UTF-8 bytes; pdf.c supplies the glyph check and the
 * width measure (HPDF_Page_TextWidth) as callbacks.
 *
 * Substitution rule: U+FFFD (PDFTEXT_SUBSTITUTE, present in DejaVu Sans)
 * replaces, one for one, every invalid UTF-8 byte, control character (C0
 * except tab and newline, DEL, C1), non-character (U+FFFE, U+FFFF and
 * their kind in every plane, U+FDD0..U+FDEF), private-use character
 * (U+E000..U+F8FF: the PDF gives those codes to Symbola's glyphs above
 * U+FFFF) and code point the fonts have no glyph for. Nothing is dropped
 * silently. Before the glyph check the text is normalised to NFC (so "e"
 * + combining acute becomes the precomposed letter) and Arabic letters
 * are shaped to their presentation forms (ICU).
 */
#ifndef AID_PDFTEXT_H
#define AID_PDFTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/strbuf.h"

/* The visible substitute for text the font cannot show: U+FFFD. */
#define PDFTEXT_SUBSTITUTE "\xef\xbf\xbd"

/* Does a font have a glyph for cp (any plane)? */
typedef bool (*pdftext_has_glyph_fn)(void *ctx, uint32_t cp);

/* Append to out the drawable form of s[0..len): see the text rule above.
 * "\r\n" and "\r" become "\n"; newlines are kept when keep_newlines, else
 * they become spaces. has_glyph may be NULL (every BMP code point is then
 * taken as drawable, every one above U+FFFF replaced). Returns the number of substitutions made, or -1 when
 * out of memory. */
AID_MUST_CHECK int pdftext_sanitize(const char *s, size_t len, bool keep_newlines, pdftext_has_glyph_fn has_glyph,
                     void *ctx, strbuf *out);

/* Width of s[0..len) in points, as drawn. */
typedef double (*pdftext_measure_fn)(void *ctx, const char *s, size_t len);

/* One line of wrapped text: bytes [off, off + len) of the input. */
typedef struct pdftext_line {
    size_t off;
    size_t len;
} pdftext_line;

typedef struct pdftext_lines {
    pdftext_line *v;
    size_t n;
    size_t alloc;
} pdftext_lines;

/* Free the lines (the struct is left empty and reusable; NULL is fine). */
void pdftext_lines_release(pdftext_lines *l);

/* Break sanitised UTF-8 text into lines no wider than width, replacing
 * out's contents. Lines break at spaces (the spaces at a break are not part
 * of either line); "\n" forces a break ("\n\n" gives an empty line); a word
 * wider than a line is broken between code points, at least one code point
 * per line, so the text always advances. Widths come from measure, called
 * on candidate prefixes of a line. Returns 0, or -1 when out of memory. */
AID_MUST_CHECK int pdftext_wrap(const char *s, size_t len, double width, pdftext_measure_fn measure, void *ctx,
                 pdftext_lines *out);

/* Append to out one line of text in visual order (bidirectional
 * algorithm, paragraph direction from the first strong character, mirrored
 * brackets, bidi controls removed). Text without right-to-left characters
 * is copied as is. Returns 0, or -1 when out of memory. */
AID_MUST_CHECK int pdftext_visual(const char *s, size_t len, strbuf *out);

/* Append s, cut after max code points; a cut text ends in
 * "… (N more characters)". Returns 0 or -1. */
AID_MUST_CHECK int pdftext_truncate(const char *s, size_t max, strbuf *out);

/* Append s in upper case (full Unicode case mapping, root locale: "ß"
 * gives "SS"). Returns 0 or -1. */
AID_MUST_CHECK int pdftext_upper(const char *s, size_t len, strbuf *out);

#endif
