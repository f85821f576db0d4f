/*
 * pdffont.h - the fonts of the PDF digest (render/pdf/ only): DejaVu Sans
 * and DejaVu Sans Bold, the fallback font Symbola (fonts-symbola) for the
 * emoji and symbols DejaVu lacks, and the ToUnicode maps of all three.
 *
 * Fallback, per character: a code point that DejaVu Sans or DejaVu Sans
 * Bold has no glyph for is drawn in Symbola when Symbola has one.
 * libharu's UTF-8 encoder reaches only the Basic Multilingual Plane, so the
 * code points above U+FFFF that Symbola has (about 4,000: emoji, playing
 * cards, ...) are given private-use codes U+E000.. in ascending order,
 * added to the cmap libharu reads from the font before the font is made;
 * text holds those codes once pdffont_clean has run, and the ToUnicode map
 * gives the real code point back (UTF-16 surrogate pair), so copying text
 * and pdftotext see the emoji. Symbola is embedded (as a subset) only when
 * a document uses it. Without the font file there is no fallback (the
 * substitute U+FFFD is drawn, as before).
 *
 * ToUnicode: libharu 2.3.0 writes its encoding CMap (a "begincidrange"
 * block, which a ToUnicode map may not hold: poppler warns about each) as
 * the ToUnicode stream of its UTF-8 fonts. pdffont_finish rewrites each
 * font's stream, before saving, as a proper ToUnicode CMap: "beginbfrange"
 * blocks of at most 100 entries mapping the codes (Identity-H: the code
 * is the UTF-16 unit) to themselves, and "beginbfchar" blocks for the
 * private-use codes of Symbola that the document used.
 *
 * Errors follow pdfpage.h: libharu's through the longjmp handler, memory
 * in c->oom. Nothing is printed.
 */
#ifndef AID_PDFFONT_H
#define AID_PDFFONT_H

#include <stdbool.h>
#include <stdint.h>

#include "render/pdf/pdfpage.h"

#define PDF_FONT_FALLBACK "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"

/* Load the three fonts (Symbola when its file is readable) into c. */
void pdffont_load(pdfpage_ctx *c);

/* The glyph check for pdftext_sanitize: true when DejaVu (both weights)
 * or Symbola can draw cp; a Symbola character is remembered as a fallback
 * one, and Symbola's font made on the first. */
bool pdffont_has_glyph(void *ctx, uint32_t cp);

/* Replace, in place, each code point above U+FFFF of sanitised text by its
 * private-use code (every one left after pdffont_has_glyph has one). */
void pdffont_clean(pdfpage_ctx *c, strbuf *s);

/* Replace, in place, each private-use code of s by U+FFFD (same length):
 * for text that is not drawn (the document info). */
void pdffont_unpua(strbuf *s);

/* Is the code point (of sanitised text) drawn in Symbola? */
bool pdffont_is_fallback(const pdfpage_ctx *c, uint32_t cp);

/* Symbola's font (only once pdffont_is_fallback said true). */
HPDF_Font pdffont_sym(const pdfpage_ctx *c);

/* Decode one code point of valid UTF-8 at s[0..n) (n > 0); *adv its length. */
uint32_t pdffont_decode(const char *s, size_t n, size_t *adv);

/* Width in points of s[0..len) in font f at size, Symbola for its
 * characters. */
double pdffont_width(pdfpage_ctx *c, HPDF_Font f, double size, const char *s, size_t len);

/* Before saving: the ToUnicode map of every font made. */
void pdffont_finish(pdfpage_ctx *c);

/* Free what pdffont_load made (before HPDF_Free; a context without it is
 * fine). */
void pdffont_release(pdfpage_ctx *c);

#endif
