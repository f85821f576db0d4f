/*
 * pdftext.c - text for the PDF: sanitising, wrapping, visual order.
 * Nothing here calls libharu; pdf.c passes it the glyph check and the
 * width measure as callbacks.
 */
#include "render/pdf/pdftext.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ubidi.h>
#include <unicode/unorm2.h>
#include <unicode/uchar.h>
#include <unicode/ushape.h>
#include <unicode/ustring.h>

/* Decode one code point at s (n bytes available). Returns it and sets
 * *adv, or returns -1 with *adv = 1 for an invalid byte (bad lead byte,
 * bad or missing continuation, overlong form, surrogate, > U+10FFFF). */
static int32_t pdftext_decode(const unsigned char *s, size_t n, size_t *adv)
{
    *adv = 1;
    unsigned c = s[0];
    if (c < 0x80)
        return (int32_t)c;
    int need;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1; cp = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2; cp = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3; cp = c & 0x07; min = 0x10000;
    } else {
        return -1;
    }
    if ((size_t)need + 1 > n)
        return -1;
    for (int i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *adv = (size_t)need + 1;
    return (int32_t)cp;
}

static int pdftext_put(strbuf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18)); b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    return strbuf_add(out, b, n);
}

static bool pdftext_is_rtl_or_arabic(uint32_t cp)
{
    return (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
           (cp >= 0xFE70 && cp <= 0xFEFF) || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* ICU's status as ours: -1 out of memory, 1 any other failure, 0 fine. */
static int pdftext_st(UErrorCode st)
{
    if (st == U_MEMORY_ALLOCATION_ERROR)
        return -1;
    return U_FAILURE(st) ? 1 : 0;
}

/* UTF-8 (valid) to a malloc'd UTF-16 string in *u16 (NULL unless 0):
 * 0, -1 out of memory, 1 when ICU fails otherwise (the caller keeps the
 * text as it was). */
static int pdftext_to16(const char *s, size_t len, UChar **u16, int32_t *n16)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = 0;
    int rc;
    *u16 = NULL;
    u_strFromUTF8WithSub(NULL, 0, &n, s, (int32_t)len, 0xFFFD, NULL, &st);
    if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
        return pdftext_st(st);
    UChar *u = malloc(((size_t)n + 1) * sizeof *u);
    if (!u)
        return -1;
    st = U_ZERO_ERROR;
    u_strFromUTF8WithSub(u, n + 1, n16, s, (int32_t)len, 0xFFFD, NULL, &st);
    if ((rc = pdftext_st(st))) {
        free(u);
        return rc;
    }
    *u16 = u;
    return 0;
}

/* UTF-16 to UTF-8 appended to out: 0, -1 out of memory, 1 ICU failed. */
static int pdftext_from16(const UChar *u, int32_t n, strbuf *out)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t need = 0;
    u_strToUTF8WithSub(NULL, 0, &need, u, n, 0xFFFD, NULL, &st);
    if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
        return pdftext_st(st);
    if (strbuf_grow(out, (size_t)need + 1) < 0)
        return -1;
    st = U_ZERO_ERROR;
    u_strToUTF8WithSub(out->buf + out->len, need + 1, &need, u, n, 0xFFFD, NULL, &st);
    if (U_FAILURE(st))
        return pdftext_st(st);
    out->len += (size_t)need;   /* strbuf_setlen only shortens */
    out->buf[out->len] = '\0';
    return 0;
}

/* NFC and Arabic shaping of clean UTF-8 into out: 0, -1 out of memory, 1
 * when ICU fails otherwise (the caller then keeps the text as it was). */
static int pdftext_icu(const char *s, size_t len, bool arabic, strbuf *out)
{
    int rc;
    int32_t n = 0, m;
    UChar *u = NULL, *v = NULL, *w = NULL;
    UErrorCode st = U_ZERO_ERROR;
    if ((rc = pdftext_to16(s, len, &u, &n)))
        goto cleanup;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
    if ((rc = pdftext_st(st)))
        goto cleanup;
    m = unorm2_normalize(nfc, u, n, NULL, 0, &st);
    if (st != U_BUFFER_OVERFLOW_ERROR && (rc = pdftext_st(st)))
        goto cleanup;
    rc = -1;
    if (!(v = malloc(((size_t)m + 1) * sizeof *v)))
        goto cleanup;
    st = U_ZERO_ERROR;
    m = unorm2_normalize(nfc, u, n, v, m + 1, &st);
    if ((rc = pdftext_st(st)))
        goto cleanup;
    if (arabic) {
        uint32_t opt = U_SHAPE_LETTERS_SHAPE | U_SHAPE_TEXT_DIRECTION_LOGICAL |
                       U_SHAPE_LENGTH_GROW_SHRINK;
        st = U_ZERO_ERROR;
        int32_t k = u_shapeArabic(v, m, NULL, 0, opt, &st);
        if (st != U_BUFFER_OVERFLOW_ERROR && (rc = pdftext_st(st)))
            goto cleanup;
        rc = -1;
        if (!(w = malloc(((size_t)k + 1) * sizeof *w)))
            goto cleanup;
        st = U_ZERO_ERROR;
        k = u_shapeArabic(v, m, w, k + 1, opt, &st);
        if ((rc = pdftext_st(st)))
            goto cleanup;
        rc = pdftext_from16(w, k, out);
    } else {
        rc = pdftext_from16(v, m, out);
    }
cleanup:
    free(w);
    free(v);
    free(u);
    return rc;
}

int pdftext_sanitize(const char *s, size_t len, bool keep_newlines, pdftext_has_glyph_fn has_glyph,
                 void *ctx, strbuf *out)
{
    strbuf clean = STRBUF_INIT, shaped = STRBUF_INIT;
    const unsigned char *p = (const unsigned char *)s;
    int subs = 0, rc = -1;
    bool ascii = true, arabic = false;
    /* 1: decode; invalid bytes, controls, non-characters and private use
     * out (and code points above U+FFFF when there is no glyph check). */
    for (size_t i = 0; i < len;) {
        size_t adv;
        int32_t cp = pdftext_decode(p + i, len - i, &adv);
        int r;
        if (cp == '\r') {
            if (i + 1 < len && p[i + 1] == '\n')
                adv = 2;
            cp = '\n';
        }
        if (cp == '\n')
            r = strbuf_addc(&clean, keep_newlines ? '\n' : ' ');
        else if (cp == '\t')
            r = strbuf_addc(&clean, ' ');
        else if (cp < 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp > 0xFFFF && !has_glyph) ||
                 (cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
                 (cp >= 0xE000 && cp <= 0xF8FF)) {
            r = strbuf_adds(&clean, PDFTEXT_SUBSTITUTE);
            subs++;
            ascii = false;
        } else {
            r = pdftext_put(&clean, (uint32_t)cp);
            if (cp >= 0x80)
                ascii = false;
            if (pdftext_is_rtl_or_arabic((uint32_t)cp) && cp >= 0x0600)
                arabic = true;
        }
        if (r < 0)
            goto cleanup;
        i += adv;
    }
    /* 2: NFC (composed letters have glyphs more often), Arabic shaping. */
    const strbuf *src = &clean;
    if (!ascii) {
        int r = pdftext_icu(clean.buf, clean.len, arabic, &shaped);
        if (r < 0)
            goto cleanup;
        if (r == 0)
            src = &shaped;
    }
    /* 3: code points without a glyph. */
    if (!has_glyph || ascii) {
        if (strbuf_add(out, src->buf, src->len) < 0)
            goto cleanup;
    } else {
        const unsigned char *q = (const unsigned char *)src->buf;
        for (size_t i = 0; i < src->len;) {
            size_t adv;
            int32_t cp = pdftext_decode(q + i, src->len - i, &adv);
            int r;
            if (cp == '\n' || cp == ' ') {
                r = strbuf_addc(out, (char)cp);
            } else if (cp < 0 || !has_glyph(ctx, (uint32_t)cp)) {
                r = strbuf_adds(out, PDFTEXT_SUBSTITUTE);
                if (!(cp == 0xFFFD))
                    subs++;
            } else {
                r = strbuf_add(out, q + i, adv);
            }
            if (r < 0)
                goto cleanup;
            i += adv;
        }
    }
    rc = subs;
cleanup:
    strbuf_release(&shaped);
    strbuf_release(&clean);
    return rc;
}

void pdftext_lines_release(pdftext_lines *l)
{
    if (!l)
        return;
    free(l->v);
    l->v = NULL;
    l->n = l->alloc = 0;
}

static int pdftext_push(pdftext_lines *l, size_t off, size_t len)
{
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 16;
        pdftext_line *v = realloc(l->v, na * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->alloc = na;
    }
    l->v[l->n].off = off;
    l->v[l->n].len = len;
    l->n++;
    return 0;
}

/* Bytes of the code point starting at s[i] (1 for a stray byte). */
static size_t pdftext_cplen(const char *s, size_t len, size_t i)
{
    size_t j = i + 1;
    while (j < len && ((unsigned char)s[j] & 0xC0) == 0x80)
        j++;
    return j - i;
}

/* Longer candidates than this are taken as too wide without measuring
 * (HPDF_Page_TextWidth takes at most 65,535 bytes). */
#define PDFTEXT_MAX_LINE_BYTES 8000

int pdftext_wrap(const char *s, size_t len, double width, pdftext_measure_fn measure, void *ctx,
             pdftext_lines *out)
{
    size_t pos = 0;
    out->n = 0;
    while (pos < len) {
        if (s[pos] == '\n') {
            if (pdftext_push(out, pos, 0) < 0)
                return -1;
            pos++;
            continue;
        }
        while (pos < len && s[pos] == ' ')
            pos++;
        if (pos >= len)
            break;
        if (s[pos] == '\n')
            continue;
        size_t start = pos, fit = pos, i = pos;
        bool hard = false;
        for (;;) {
            size_t j = i;
            while (j < len && s[j] == ' ')
                j++;
            if (j >= len || s[j] == '\n') {
                hard = j < len;
                i = j;
                break;
            }
            size_t e = j;
            while (e < len && s[e] != ' ' && s[e] != '\n')
                e++;
            if (e - start <= PDFTEXT_MAX_LINE_BYTES && measure(ctx, s + start, e - start) <= width) {
                fit = e;
                i = e;
                continue;
            }
            break;
        }
        if (fit == start) {
            /* The first word alone is too wide: the longest prefix of whole
             * code points that fits, at least one code point. */
            size_t e = start;
            while (e < len && s[e] != ' ' && s[e] != '\n')
                e++;
            size_t cut = start + pdftext_cplen(s, len, start);
            for (;;) {
                size_t nx = cut < e ? cut + pdftext_cplen(s, len, cut) : e + 1;
                if (nx > e || nx - start > PDFTEXT_MAX_LINE_BYTES ||
                    measure(ctx, s + start, nx - start) > width)
                    break;
                cut = nx;
            }
            if (pdftext_push(out, start, cut - start) < 0)
                return -1;
            pos = cut;
            continue;
        }
        if (pdftext_push(out, start, fit - start) < 0)
            return -1;
        pos = fit;
        while (pos < len && s[pos] == ' ')
            pos++;
        if (hard && pos < len && s[pos] == '\n')
            pos++;
    }
    return 0;
}

int pdftext_visual(const char *s, size_t len, strbuf *out)
{
    bool rtl = false;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len && !rtl;) {
        size_t adv;
        int32_t cp = pdftext_decode(p + i, len - i, &adv);
        if (cp >= 0 && pdftext_is_rtl_or_arabic((uint32_t)cp))
            rtl = true;
        i += adv;
    }
    if (!rtl)
        return strbuf_add(out, s, len);
    int rc;
    int32_t n = 0;
    UChar *u = NULL, *v = NULL;
    UBiDi *bidi = NULL;
    UErrorCode st = U_ZERO_ERROR;
    if ((rc = pdftext_to16(s, len, &u, &n)))
        goto fallback;
    rc = -1;
    if (!(bidi = ubidi_open()))   /* NULL only when out of memory */
        goto cleanup;
    ubidi_setPara(bidi, u, n, UBIDI_DEFAULT_LTR, NULL, &st);
    if ((rc = pdftext_st(st)))
        goto fallback;
    rc = -1;
    if (!(v = malloc(((size_t)n + 1) * sizeof *v)))
        goto cleanup;
    int32_t m = ubidi_writeReordered(bidi, v, n + 1, UBIDI_DO_MIRRORING | UBIDI_REMOVE_BIDI_CONTROLS,
                                     &st);
    if ((rc = pdftext_st(st)))
        goto fallback;
    rc = pdftext_from16(v, m, out);
fallback:
    /* ICU failed for a reason other than memory: the text as it was. */
    if (rc > 0)
        rc = strbuf_add(out, s, len);
cleanup:
    free(v);
    if (bidi)
        ubidi_close(bidi);
    free(u);
    return rc;
}

int pdftext_truncate(const char *s, size_t max, strbuf *out)
{
    size_t i = 0, cps = 0, len = strlen(s);
    while (i < len && cps < max) {
        i += pdftext_cplen(s, len, i);
        cps++;
    }
    if (i >= len)
        return strbuf_add(out, s, len);
    size_t more = 0;
    for (size_t j = i; j < len; j += pdftext_cplen(s, len, j))
        more++;
    /* Cut at the last space of the kept part when it is not too far back. */
    size_t cut = i;
    for (size_t k = i; k > 0 && i - k < 40; k--)
        if (s[k - 1] == ' ') {
            cut = k - 1;
            break;
        }
    if (cut != i)
        for (size_t j = cut; j < i; j += pdftext_cplen(s, len, j))
            more++;
    if (strbuf_add(out, s, cut) < 0)
        return -1;
    return strbuf_addf(out, "\xe2\x80\xa6 (%zu more characters)", more);
}

int pdftext_upper(const char *s, size_t len, strbuf *out)
{
    int rc;
    int32_t n = 0;
    UChar *u = NULL, *v = NULL;
    UErrorCode st = U_ZERO_ERROR;
    if ((rc = pdftext_to16(s, len, &u, &n)))
        goto fallback;
    int32_t m = u_strToUpper(NULL, 0, u, n, "", &st);
    if (st != U_BUFFER_OVERFLOW_ERROR && (rc = pdftext_st(st)))
        goto fallback;
    rc = -1;
    if (!(v = malloc(((size_t)m + 1) * sizeof *v)))
        goto cleanup;
    st = U_ZERO_ERROR;
    m = u_strToUpper(v, m + 1, u, n, "", &st);
    if ((rc = pdftext_st(st)))
        goto fallback;
    rc = pdftext_from16(v, m, out);
fallback:
    /* ICU failed for a reason other than memory: the text as it was. */
    if (rc > 0)
        rc = strbuf_add(out, s, len);
cleanup:
    free(v);
    free(u);
    return rc;
}
