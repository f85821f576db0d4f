/*
 * pdffont.c - DejaVu Sans, DejaVu Sans Bold, the Symbola fallback and the
 * ToUnicode maps (pdffont.h).
 *
 * libharu's TrueType font definition (hpdf_fontdef.h, installed with
 * libhpdf-dev) keeps the font's format-4 cmap as arrays; Symbola's code
 * points above U+FFFF are added to those arrays as segments at U+E000..
 * (our arrays, swapped in at load and back out before HPDF_Free, so that
 * libharu frees only what it allocated). The font's Type0 dictionary
 * keeps its ToUnicode stream in HPDF_FontAttr (hpdf_font.h); its content
 * is written again before the save.
 */
#include "render/pdf/pdffont.h"

#include <errno.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_streams.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PUA_FIRST 0xE000u
#define PUA_LAST 0xF8FFu

typedef struct pdffont_state {
    HPDF_Font sym;             /* made on first use */
    HPDF_FontDef sym_def;      /* NULL without the font file */
    const char *sym_name;
    bool want_sym;
    uint32_t *pua_cp;          /* code point of U+E000 + i, ascending */
    uint16_t *pua_gid;         /* its glyph in Symbola (load time only) */
    size_t npua;
    unsigned char *pua_used;   /* bit i: U+E000 + i drawn */
    unsigned char fb[8192];    /* bit cp: BMP code point drawn in Symbola */
    /* our cmap arrays, and libharu's, given back before HPDF_Free */
    HPDF_UINT16 *end, *start, *rng;
    HPDF_INT16 *delta;
    HPDF_UINT16 *o_end, *o_start, *o_rng;
    HPDF_INT16 *o_delta;
    HPDF_UINT16 o_segx2;
    bool swapped;
} pdffont_state;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Read n bytes at off of f into a new buffer (NULL on failure; *oom set
 * when that was memory). */
static unsigned char *pdffont_read_at(FILE *f, long off, size_t n, bool *oom)
{
    unsigned char *b = n ? malloc(n) : NULL;
    if (!b) {
        *oom = n > 0;
        return NULL;
    }
    if (fseek(f, off, SEEK_SET) || fread(b, 1, n, f) != n) {
        *oom = ferror(f) && errno == ENOMEM;
        free(b);
        return NULL;
    }
    return b;
}

/* The astral groups of Symbola's (3,10) format-12 cmap into pua_cp /
 * pua_gid, at most the private-use area's size. false when out of memory,
 * stdio's included (a file without such a table just gives none). */
static bool pdffont_read_astral(pdffont_state *fs, const char *path)
{
    errno = 0;
    FILE *f = fopen(path, "rb");
    unsigned char *dir = NULL, *cm = NULL;
    bool oom = false;
    if (!f)
        return errno != ENOMEM;
    unsigned char hd[12];
    if (fread(hd, 1, 12, f) != 12) {
        oom = ferror(f) && errno == ENOMEM;
        goto cleanup;
    }
    size_t nt = be16(hd + 4);
    dir = pdffont_read_at(f, 12, nt * 16, &oom);
    if (!dir)
        goto cleanup;
    uint32_t coff = 0, clen = 0;
    for (size_t i = 0; i < nt; i++)
        if (!memcmp(dir + 16 * i, "cmap", 4)) {
            coff = be32(dir + 16 * i + 8);
            clen = be32(dir + 16 * i + 12);
        }
    if (!clen || clen > (1u << 24))
        goto cleanup;
    cm = pdffont_read_at(f, (long)coff, clen, &oom);
    if (!cm)
        goto cleanup;
    size_t nsub = clen >= 4 ? be16(cm + 2) : 0;
    for (size_t i = 0; i < nsub && 4 + 8 * i + 8 <= clen; i++) {
        const unsigned char *e = cm + 4 + 8 * i;
        uint32_t so = be32(e + 4);
        if (be16(e) != 3 || be16(e + 2) != 10 || (uint64_t)so + 16 > clen || be16(cm + so) != 12)
            continue;
        uint32_t ng = be32(cm + so + 12);
        if ((uint64_t)so + 16 + (uint64_t)ng * 12 > clen)
            break;
        size_t cap = PUA_LAST - PUA_FIRST + 1;
        fs->pua_cp = malloc(cap * sizeof *fs->pua_cp);
        fs->pua_gid = malloc(cap * sizeof *fs->pua_gid);
        if (!fs->pua_cp || !fs->pua_gid) {
            oom = true;
            goto cleanup;
        }
        uint32_t last = 0;
        for (uint32_t g = 0; g < ng; g++) {
            const unsigned char *gr = cm + so + 16 + 12 * g;
            uint32_t a = be32(gr), b = be32(gr + 4), gid = be32(gr + 8);
            for (uint32_t cp = a; cp <= b && cp <= 0x10FFFF && fs->npua < cap; cp++) {
                uint32_t gg = gid + (cp - a);
                if (cp <= 0xFFFF || cp <= last || gg == 0 || gg > 0xFFFF)
                    continue;
                fs->pua_cp[fs->npua] = cp;
                fs->pua_gid[fs->npua++] = (uint16_t)gg;
                last = cp;
            }
        }
        break;
    }
cleanup:
    free(cm);
    free(dir);
    fclose(f);
    return !oom;
}

/* Add segments U+E000 + i -> pua_gid[i] to Symbola's format-4 arrays. */
static bool pdffont_extend_cmap(pdffont_state *fs)
{
    HPDF_TTFontDefAttr a = (HPDF_TTFontDefAttr)fs->sym_def->attr;
    size_t S = a->cmap.seg_count_x2 / 2, K = 0;
    if (a->cmap.format != 4 || !S || !fs->npua)
        return true;
    for (size_t i = 0; i < fs->npua; i++)
        if (i == 0 || fs->pua_gid[i] != fs->pua_gid[i - 1] + 1)
            K++;
    size_t k = 0;
    while (k < S && a->cmap.end_count[k] < PUA_FIRST)
        k++;
    if (k == S || a->cmap.start_count[k] < PUA_FIRST + fs->npua || (S + K) * 2 > 0xFFFF) {
        fs->npua = 0; /* the font uses the private-use area itself: no astral fallback */
        return true;
    }
    for (size_t i = 0; i < k; i++)
        if (a->cmap.id_range_offset[i] && a->cmap.id_range_offset[i] + 2 * K > 0xFFFF) {
            fs->npua = 0;
            return true;
        }
    fs->end = malloc((S + K) * sizeof *fs->end);
    fs->start = malloc((S + K) * sizeof *fs->start);
    fs->rng = malloc((S + K) * sizeof *fs->rng);
    fs->delta = malloc((S + K) * sizeof *fs->delta);
    if (!fs->end || !fs->start || !fs->rng || !fs->delta)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < k; i++, o++) {
        fs->end[o] = a->cmap.end_count[i];
        fs->start[o] = a->cmap.start_count[i];
        fs->delta[o] = a->cmap.id_delta[i];
        /* the offsets count from the segment to the glyph array behind
         * the last one: K more segments lie in between now */
        fs->rng[o] = a->cmap.id_range_offset[i] ? (HPDF_UINT16)(a->cmap.id_range_offset[i] + 2 * K) : 0;
    }
    for (size_t i = 0; i < fs->npua;) {
        size_t j = i;
        while (j + 1 < fs->npua && fs->pua_gid[j + 1] == fs->pua_gid[j] + 1)
            j++;
        uint32_t first = PUA_FIRST + (uint32_t)i;
        fs->start[o] = (HPDF_UINT16)first;
        fs->end[o] = (HPDF_UINT16)(PUA_FIRST + j);
        fs->delta[o] = (HPDF_INT16)(uint16_t)((fs->pua_gid[i] - first) & 0xFFFF);
        fs->rng[o] = 0;
        o++;
        i = j + 1;
    }
    for (size_t i = k; i < S; i++, o++) {
        fs->end[o] = a->cmap.end_count[i];
        fs->start[o] = a->cmap.start_count[i];
        fs->delta[o] = a->cmap.id_delta[i];
        fs->rng[o] = a->cmap.id_range_offset[i];
    }
    fs->o_end = a->cmap.end_count;
    fs->o_start = a->cmap.start_count;
    fs->o_delta = a->cmap.id_delta;
    fs->o_rng = a->cmap.id_range_offset;
    fs->o_segx2 = a->cmap.seg_count_x2;
    a->cmap.end_count = fs->end;
    a->cmap.start_count = fs->start;
    a->cmap.id_delta = fs->delta;
    a->cmap.id_range_offset = fs->rng;
    a->cmap.seg_count_x2 = (HPDF_UINT16)((S + K) * 2);
    fs->swapped = true;
    return true;
}

void pdffont_load(pdfpage_ctx *c)
{
    const char *rn = HPDF_LoadTTFontFromFile(c->pdf, PDF_FONT_REGULAR, HPDF_TRUE);
    const char *bn = HPDF_LoadTTFontFromFile(c->pdf, PDF_FONT_BOLD, HPDF_TRUE);
    c->reg_def = HPDF_GetFontDef(c->pdf, rn);
    c->bold_def = HPDF_GetFontDef(c->pdf, bn);
    c->reg = HPDF_GetFont(c->pdf, rn, "UTF-8");
    c->bold = HPDF_GetFont(c->pdf, bn, "UTF-8");
    if (access(PDF_FONT_FALLBACK, R_OK))
        return;
    pdffont_state *fs = calloc(1, sizeof *fs);
    if (!fs) {
        c->oom = true;
        return;
    }
    c->fs = fs;
    if (!pdffont_read_astral(fs, PDF_FONT_FALLBACK)) {
        c->oom = true;
        return;
    }
    fs->sym_name = HPDF_LoadTTFontFromFile(c->pdf, PDF_FONT_FALLBACK, HPDF_TRUE);
    fs->sym_def = HPDF_GetFontDef(c->pdf, fs->sym_name);
    if (!pdffont_extend_cmap(fs))
        c->oom = true;
    free(fs->pua_gid);
    fs->pua_gid = NULL;
    if (fs->npua) {
        fs->pua_used = calloc((fs->npua + 7) / 8, 1);
        if (!fs->pua_used)
            c->oom = true;
    }
}

static size_t pdffont_pua_index(const pdffont_state *fs, uint32_t cp)
{
    size_t lo = 0, hi = fs->npua;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fs->pua_cp[mid] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < fs->npua && fs->pua_cp[lo] == cp ? lo : SIZE_MAX;
}

bool pdffont_has_glyph(void *ctx, uint32_t cp)
{
    pdfpage_ctx *c = ctx;
    pdffont_state *fs = c->fs;
    bool usable = fs && fs->sym_def && !c->oom;
    if (cp > 0xFFFF) {
        if (!usable || !fs->npua || !fs->pua_used || pdffont_pua_index(fs, cp) == SIZE_MAX)
            return false;
        fs->want_sym = true;
        return true;
    }
    if (HPDF_TTFontDef_GetGlyphid(c->reg_def, (HPDF_UNICODE)cp) != 0 &&
        HPDF_TTFontDef_GetGlyphid(c->bold_def, (HPDF_UNICODE)cp) != 0)
        return true;
    if (!usable || HPDF_TTFontDef_GetGlyphid(fs->sym_def, (HPDF_UNICODE)cp) == 0)
        return false;
    fs->fb[cp >> 3] |= (unsigned char)(1u << (cp & 7));
    fs->want_sym = true;
    return true;
}

uint32_t pdffont_decode(const char *s, size_t n, size_t *adv)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80 || n < 2) {
        *adv = 1;
        return p[0];
    }
    if (p[0] < 0xE0) {
        *adv = 2;
        return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    }
    if (p[0] < 0xF0 || n < 4) {
        *adv = n < 3 ? n : 3;
        return n < 3 ? 0xFFFD : (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    *adv = 4;
    return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 |
           (p[3] & 0x3F);
}

void pdffont_clean(pdfpage_ctx *c, strbuf *s)
{
    pdffont_state *fs = c->fs;
    if (!fs || !fs->want_sym)
        return;
    if (!fs->sym)
        fs->sym = HPDF_GetFont(c->pdf, fs->sym_name, "UTF-8");
    size_t w = 0;
    for (size_t i = 0; i < s->len;) {
        size_t adv;
        uint32_t cp = pdffont_decode(s->buf + i, s->len - i, &adv);
        size_t k = cp > 0xFFFF ? pdffont_pua_index(fs, cp) : SIZE_MAX;
        if (k != SIZE_MAX) {
            uint32_t u = PUA_FIRST + (uint32_t)k;
            fs->pua_used[k >> 3] |= (unsigned char)(1u << (k & 7));
            s->buf[w++] = (char)(0xE0 | (u >> 12));
            s->buf[w++] = (char)(0x80 | ((u >> 6) & 0x3F));
            s->buf[w++] = (char)(0x80 | (u & 0x3F));
        } else {
            memmove(s->buf + w, s->buf + i, adv);
            w += adv;
        }
        i += adv;
    }
    strbuf_setlen(s, w);
}

void pdffont_unpua(strbuf *s)
{
    for (size_t i = 0; i + 2 < s->len; i++) {
        unsigned char a = (unsigned char)s->buf[i], b = (unsigned char)s->buf[i + 1];
        /* U+E000..U+F8FF: EE 80 80 .. EF A3 BF */
        if ((a == 0xEE && b >= 0x80 && b <= 0xBF) || (a == 0xEF && b >= 0x80 && b <= 0xA3)) {
            memcpy(s->buf + i, "\xef\xbf\xbd", 3);
            i += 2;
        }
    }
}

bool pdffont_is_fallback(const pdfpage_ctx *c, uint32_t cp)
{
    const pdffont_state *fs = c->fs;
    if (!fs || !fs->sym || cp > 0xFFFF)
        return false;
    if (cp >= PUA_FIRST && cp < PUA_FIRST + fs->npua)
        return true;
    return fs->fb[cp >> 3] & (1u << (cp & 7));
}

HPDF_Font pdffont_sym(const pdfpage_ctx *c)
{
    return c->fs ? c->fs->sym : NULL;
}

double pdffont_width(pdfpage_ctx *c, HPDF_Font f, double size, const char *s, size_t len)
{
    double w = 0;
    size_t i = 0;
    while (i < len) {
        size_t j = i, adv;
        bool fb = pdffont_is_fallback(c, pdffont_decode(s + i, len - i, &adv));
        while (j < len) {
            bool b = pdffont_is_fallback(c, pdffont_decode(s + j, len - j, &adv));
            if (b != fb)
                break;
            j += adv;
        }
        HPDF_TextWidth tw = HPDF_Font_TextWidth(fb ? c->fs->sym : f, (const HPDF_BYTE *)s + i, (HPDF_UINT)(j - i));
        w += (double)tw.width * size / 1000;
        i = j;
    }
    return w;
}

/* ---- ToUnicode -------------------------------------------------------- */

static void pdffont_put(pdfpage_ctx *c, HPDF_Stream st, const char *s)
{
    if (HPDF_Stream_WriteStr(st, s) != HPDF_OK)
        c->oom = true;
}

static void pdffont_tounicode(pdfpage_ctx *c, HPDF_Font f, bool sym)
{
    HPDF_FontAttr fa = f ? (HPDF_FontAttr)f->attr : NULL;
    if (!fa || !fa->cmap_stream)
        return;
    HPDF_Dict cm = fa->cmap_stream;
    HPDF_Stream st = cm->stream;
    char buf[96];
    HPDF_MemStream_FreeData(st);
    /* a ToUnicode stream is a plain stream: the CMap dictionary keys of
     * the encoding libharu wrote there do not belong */
    static const char *const keys[] = {"Type", "CMapName", "CIDSystemInfo", "WMode"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        (void)HPDF_Dict_RemoveElement(cm, keys[i]);
    /* a key that is not there is only noted in the error state, which
     * would make the writes below skip themselves */
    HPDF_ResetError(c->pdf);
    pdffont_put(c, st, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                       "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                       "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                       "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    /* identity, one range per high byte (a range stays within one), no
     * surrogates; Symbola's private-use codes come below */
    unsigned hi[256];
    size_t n = 0;
    for (unsigned h = 0; h < 256; h++)
        if (!(h >= 0xD8 && h <= 0xDF) && !(sym && h >= (PUA_FIRST >> 8) && h <= (PUA_LAST >> 8)))
            hi[n++] = h;
    for (size_t i = 0; i < n; i += 100) {
        size_t m = n - i < 100 ? n - i : 100;
        snprintf(buf, sizeof buf, "%zu beginbfrange\n", m);
        pdffont_put(c, st, buf);
        for (size_t j = i; j < i + m; j++) {
            snprintf(buf, sizeof buf, "<%02X00> <%02XFF> <%02X00>\n", hi[j], hi[j], hi[j]);
            pdffont_put(c, st, buf);
        }
        pdffont_put(c, st, "endbfrange\n");
    }
    pdffont_state *fs = c->fs;
    if (sym && fs && fs->pua_used) {
        size_t used = 0;
        for (size_t k = 0; k < fs->npua; k++)
            used += (fs->pua_used[k >> 3] >> (k & 7)) & 1;
        size_t done = 0;
        for (size_t k = 0; k < fs->npua; k++) {
            if (!((fs->pua_used[k >> 3] >> (k & 7)) & 1))
                continue;
            if (done % 100 == 0) {
                snprintf(buf, sizeof buf, "%zu beginbfchar\n", used - done < 100 ? used - done : (size_t)100);
                pdffont_put(c, st, buf);
            }
            uint32_t v = fs->pua_cp[k] - 0x10000;
            snprintf(buf, sizeof buf, "<%04X> <%04X%04X>\n", (unsigned)(PUA_FIRST + k), 0xD800u + (v >> 10),
                     0xDC00u + (v & 0x3FF));
            pdffont_put(c, st, buf);
            done++;
            if (done % 100 == 0 || done == used)
                pdffont_put(c, st, "endbfchar\n");
        }
    }
    pdffont_put(c, st, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

void pdffont_finish(pdfpage_ctx *c)
{
    pdffont_tounicode(c, c->reg, false);
    pdffont_tounicode(c, c->bold, false);
    if (c->fs)
        pdffont_tounicode(c, c->fs->sym, true);
}

void pdffont_release(pdfpage_ctx *c)
{
    pdffont_state *fs = c->fs;
    if (!fs)
        return;
    if (fs->swapped) {
        HPDF_TTFontDefAttr a = (HPDF_TTFontDefAttr)fs->sym_def->attr;
        a->cmap.end_count = fs->o_end;
        a->cmap.start_count = fs->o_start;
        a->cmap.id_delta = fs->o_delta;
        a->cmap.id_range_offset = fs->o_rng;
        a->cmap.seg_count_x2 = fs->o_segx2;
    }
    free(fs->end);
    free(fs->start);
    free(fs->rng);
    free(fs->delta);
    free(fs->pua_cp);
    free(fs->pua_gid);
    free(fs->pua_used);
    free(fs);
    c->fs = NULL;
}
