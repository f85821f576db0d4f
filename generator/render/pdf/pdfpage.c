#include "render/pdf/pdfpage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/numfmt.h"
#include "render/pdf/pdffont.h"

/* ---- text ------------------------------------------------------------- */

/* Sanitise s into c->t[slot] (replacing it); returns the text. */
const char *pdfpage_clean(pdfpage_ctx *c, int slot, const char *s, bool keep_newlines, size_t max_cp)
{
    strbuf_reset(&c->t[slot]);
    if (!s)
        return c->t[slot].buf;
    strbuf_reset(&c->tmp);
    const char *src = s;
    if (max_cp) {
        CK(pdftext_truncate(s, max_cp, &c->tmp));
        src = c->tmp.buf;
    }
    int n = pdftext_sanitize(src, strlen(src), keep_newlines, pdffont_has_glyph, c, &c->t[slot]);
    if (n < 0)
        c->oom = true;
    else
        c->substitutions += n;
    pdffont_clean(c, &c->t[slot]);
    return c->t[slot].buf;
}

void pdfpage_font(pdfpage_ctx *c, HPDF_Font f, double size)
{
    if (HPDF_Page_GetCurrentFont(c->page) != f || HPDF_Page_GetCurrentFontSize(c->page) != (HPDF_REAL)size)
        HPDF_Page_SetFontAndSize(c->page, f, (HPDF_REAL)size);
}

double pdfpage_measure(void *ctx, const char *s, size_t len)
{
    pdfpage_ctx *c = ctx;
    strbuf_reset(&c->meas);
    if (strbuf_add(&c->meas, s, len) < 0) {
        c->oom = true;
        return 0;
    }
    return pdffont_width(c, HPDF_Page_GetCurrentFont(c->page), HPDF_Page_GetCurrentFontSize(c->page), c->meas.buf,
                         c->meas.len);
}

double pdfpage_width(pdfpage_ctx *c, HPDF_Font f, double size, const char *s)
{
    pdfpage_font(c, f, size);
    return pdffont_width(c, f, size, s, strlen(s));
}

/* Wrap c->t[slot] into c->l[slot] for the given font and width. */
pdftext_lines *pdfpage_wrap_slot(pdfpage_ctx *c, int slot, HPDF_Font f, double size, double width)
{
    pdfpage_font(c, f, size);
    CK(pdftext_wrap(c->t[slot].buf, c->t[slot].len, width, pdfpage_measure, c, &c->l[slot]));
    return &c->l[slot];
}

void pdfpage_fill_color(pdfpage_ctx *c, pdfpage_rgb col)
{
    HPDF_Page_SetRGBFill(c->page, (HPDF_REAL)col.r, (HPDF_REAL)col.g, (HPDF_REAL)col.b);
}

void pdfpage_stroke_color(pdfpage_ctx *c, pdfpage_rgb col)
{
    HPDF_Page_SetRGBStroke(c->page, (HPDF_REAL)col.r, (HPDF_REAL)col.g, (HPDF_REAL)col.b);
}

/* Draw one line of sanitised text with its baseline at y. align: 0 left
 * (x is the left edge), 1 right (x is the right edge), 2 centred. */
void pdfpage_text_n(pdfpage_ctx *c, double x, double y, HPDF_Font f, double size, pdfpage_rgb col,
                    int align, const char *s, size_t len)
{
    if (!len)
        return;
    strbuf_reset(&c->vis);
    CK(pdftext_visual(s, len, &c->vis));
    if (!c->vis.len)
        return;
    pdfpage_font(c, f, size);
    if (align) {
        double w = pdffont_width(c, f, size, c->vis.buf, c->vis.len);
        x -= align == 1 ? w : w / 2;
    }
    HPDF_Page_BeginText(c->page);
    pdfpage_fill_color(c, col);
    /* runs of one font: DejaVu, or Symbola for what DejaVu lacks */
    const char *v = c->vis.buf;
    size_t n = c->vis.len, i = 0;
    while (i < n) {
        size_t j = i, adv;
        bool fb = pdffont_is_fallback(c, pdffont_decode(v + i, n - i, &adv));
        while (j < n && pdffont_is_fallback(c, pdffont_decode(v + j, n - j, &adv)) == fb)
            j += adv;
        HPDF_Font rf = fb ? pdffont_sym(c) : f;
        pdfpage_font(c, rf, size);
        if (i == 0 && j == n) {
            HPDF_Page_TextOut(c->page, (HPDF_REAL)x, (HPDF_REAL)y, v);
        } else {
            strbuf_reset(&c->meas);
            CK(strbuf_add(&c->meas, v + i, j - i));
            if (c->meas.len)
                HPDF_Page_TextOut(c->page, (HPDF_REAL)x, (HPDF_REAL)y, c->meas.buf);
            x += pdffont_width(c, rf, size, v + i, j - i);
        }
        i = j;
    }
    HPDF_Page_EndText(c->page);
}

void pdfpage_text(pdfpage_ctx *c, double x, double y, HPDF_Font f, double size, pdfpage_rgb col,
                  int align, const char *s)
{
    pdfpage_text_n(c, x, y, f, size, col, align, s, strlen(s));
}

void pdfpage_rect(pdfpage_ctx *c, double x, double y, double w, double h, pdfpage_rgb col)
{
    pdfpage_fill_color(c, col);
    HPDF_Page_Rectangle(c->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
    HPDF_Page_Fill(c->page);
}

void pdfpage_line(pdfpage_ctx *c, double x1, double y1, double x2, double y2, double lw, pdfpage_rgb col)
{
    pdfpage_stroke_color(c, col);
    HPDF_Page_SetLineWidth(c->page, (HPDF_REAL)lw);
    HPDF_Page_MoveTo(c->page, (HPDF_REAL)x1, (HPDF_REAL)y1);
    HPDF_Page_LineTo(c->page, (HPDF_REAL)x2, (HPDF_REAL)y2);
    HPDF_Page_Stroke(c->page);
}

void pdfpage_dash(pdfpage_ctx *c, bool on)
{
    static const HPDF_UINT16 pat[] = {3, 2};
    if (on)
        HPDF_Page_SetDash(c->page, pat, 2, 0);
    else
        HPDF_Page_SetDash(c->page, NULL, 0, 0);
}

/* ---- pages ------------------------------------------------------------ */

void pdfpage_new_page(pdfpage_ctx *c)
{
    if (c->npages == c->apages) {
        size_t na = c->apages ? c->apages * 2 : 8;
        HPDF_Page *v = realloc(c->pages, na * sizeof *v);
        if (!v) {
            c->oom = true;
            longjmp(c->jb, 2);
        }
        c->pages = v;
        c->apages = na;
    }
    c->page = HPDF_AddPage(c->pdf);
    HPDF_Page_SetSize(c->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    c->pages[c->npages++] = c->page;
    c->y = TOP_Y;
    if (c->npages > 1) {
        strbuf_reset(&c->f[NSLOT - 1]);
        CK(strbuf_addf(&c->f[NSLOT - 1], PDF_TITLE " \xc2\xb7 %s", c->week));
        pdfpage_text(c, MARGIN_X, PAGE_H - 38, c->bold, 8, C_NAVY, 0, c->f[NSLOT - 1].buf);
        pdfpage_text(c, PAGE_W - MARGIN_X, PAGE_H - 38, c->reg, 8, C_MUTED, 1, c->period.buf);
        pdfpage_line(c, MARGIN_X, PAGE_H - 45, PAGE_W - MARGIN_X, PAGE_H - 45, 0.6, C_RULE);
    }
}

/* Make room for h points, starting a new page if needed. */
void pdfpage_need(pdfpage_ctx *c, double h)
{
    if (c->y - h < BOTTOM_Y)
        pdfpage_new_page(c);
}

void pdfpage_footers(pdfpage_ctx *c)
{
    char buf[64];
    for (size_t i = 0; i < c->npages; i++) {
        c->page = c->pages[i];
        pdfpage_line(c, MARGIN_X, 40, PAGE_W - MARGIN_X, 40, 0.6, C_RULE);
        snprintf(buf, sizeof buf, "Page %zu of %zu", i + 1, c->npages);
        pdfpage_text(c, PAGE_W - MARGIN_X, 28, c->reg, 7.5, C_MUTED, 1, buf);
        strbuf_reset(&c->f[NSLOT - 1]);
        CK(strbuf_addf(&c->f[NSLOT - 1], "%s team \xc2\xb7 week %s \xc2\xb7 generated by aidigest",
                       c->team, c->week));
        pdfpage_text(c, MARGIN_X, 28, c->reg, 7.5, C_MUTED, 0, c->f[NSLOT - 1].buf);
    }
}

/* A section heading with a bookmark; keep = the height of what must follow
 * it on the same page (its first line or row). */
void pdfpage_heading(pdfpage_ctx *c, const char *title, double keep)
{
    double before = c->y >= TOP_Y - 0.5 ? 0 : 16;
    if (c->y - before - HEADING_H - keep < BOTTOM_Y) {
        pdfpage_new_page(c);
        before = 0;
    }
    c->y -= before;
    if (c->nmarks < PDF_MAX_MARKS)
        c->marks[c->nmarks++] = (pdfpage_mark){title, c->npages - 1, c->y};
    HPDF_Outline o = HPDF_CreateOutline(c->pdf, NULL, title, NULL);
    HPDF_Destination d = HPDF_Page_CreateDestination(c->page);
    HPDF_Destination_SetXYZ(d, 0, (HPDF_REAL)(c->y + 6), 1);
    HPDF_Outline_SetDestination(o, d);
    pdfpage_text(c, MARGIN_X, c->y - 14, c->bold, 13.5, C_NAVY, 0, title);
    pdfpage_line(c, MARGIN_X, c->y - 20, PAGE_W - MARGIN_X, c->y - 20, 0.8, C_RULE);
    c->y -= HEADING_H;
}

void pdfpage_link_to(pdfpage_ctx *c, const char *title, double x0, double y0, double x1, double y1)
{
    if (c->nlinks < PDF_MAX_MARKS)
        c->links[c->nlinks++] = (pdfpage_link){
            title, c->npages - 1, {(HPDF_REAL)x0, (HPDF_REAL)y0, (HPDF_REAL)x1, (HPDF_REAL)y1}};
}

static void pdfpage_no_border(HPDF_Annotation a)
{
    HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
}

void pdfpage_uri(pdfpage_ctx *c, const char *uri, double x0, double y0, double x1, double y1)
{
    HPDF_Rect r = {(HPDF_REAL)x0, (HPDF_REAL)y0, (HPDF_REAL)x1, (HPDF_REAL)y1};
    pdfpage_no_border(HPDF_Page_CreateURILinkAnnot(c->page, r, uri));
}

void pdfpage_links(pdfpage_ctx *c)
{
    for (size_t i = 0; i < c->nlinks; i++) {
        const pdfpage_link *l = &c->links[i];
        for (size_t j = 0; j < c->nmarks; j++) {
            if (strcmp(c->marks[j].title, l->title))
                continue;
            HPDF_Destination d = HPDF_Page_CreateDestination(c->pages[c->marks[j].page]);
            HPDF_Destination_SetXYZ(d, 0, (HPDF_REAL)(c->marks[j].y + 6), 1);
            pdfpage_no_border(HPDF_Page_CreateLinkAnnot(c->pages[l->page], l->r, d));
            break;
        }
    }
}

double pdfpage_baseline(double top, double lead, double size)
{
    return top - (lead - size) / 2 - size * 0.80;
}

/* Draw lines of text (wrapped from `text`) at x; when bg is set, each
 * page's part gets a box with an accent bar. Breaks pages between lines. */
void pdfpage_draw_lines(pdfpage_ctx *c, const char *text, const pdftext_lines *L, double x,
                        HPDF_Font f, double size, double lead, pdfpage_rgb col, const pdfpage_rgb *bg)
{
    double pad = bg ? 8 : 0;
    size_t i = 0;
    while (i < L->n) {
        double avail = c->y - BOTTOM_Y - 2 * pad;
        size_t k = avail > 0 ? (size_t)(avail / lead) : 0;
        if (k == 0) {
            pdfpage_new_page(c);
            continue;
        }
        if (k > L->n - i)
            k = L->n - i;
        double h = (double)k * lead + 2 * pad;
        if (bg) {
            pdfpage_rect(c, MARGIN_X, c->y - h, CONTENT_W, h, *bg);
            pdfpage_rect(c, MARGIN_X, c->y - h, 3, h, C_ACCENT);
        }
        for (size_t j = 0; j < k; j++) {
            const pdftext_line *ln = &L->v[i + j];
            pdfpage_text_n(c, x, pdfpage_baseline(c->y - pad - (double)j * lead, lead, size), f, size, col, 0,
                       text + ln->off, ln->len);
        }
        c->y -= h;
        i += k;
        if (i < L->n)
            pdfpage_new_page(c);
    }
}

/* A paragraph of body text from the report (sanitised here). */
void pdfpage_paragraph(pdfpage_ctx *c, const char *s, const pdfpage_rgb *bg, size_t max_cp)
{
    double inset = bg ? 14 : 0;
    pdfpage_clean(c, 0, s, true, max_cp);
    pdftext_lines *L = pdfpage_wrap_slot(c, 0, c->reg, BODY_SIZE, CONTENT_W - 2 * inset);
    pdfpage_draw_lines(c, c->t[0].buf, L, MARGIN_X + inset, c->reg, BODY_SIZE, BODY_LEAD, C_INK, bg);
}

/* Body text that is ours (no sanitising needed, but harmless). */
void pdfpage_note(pdfpage_ctx *c, const char *s, pdfpage_rgb col, double size)
{
    pdfpage_clean(c, 0, s, true, 0);
    pdftext_lines *L = pdfpage_wrap_slot(c, 0, c->reg, size, CONTENT_W);
    pdfpage_draw_lines(c, c->t[0].buf, L, MARGIN_X, c->reg, size, size * 1.42, col, NULL);
}

/* ---- tables ----------------------------------------------------------- */

void pdfpage_table_head(pdfpage_ctx *c, const pdfpage_table *t)
{
    double x = MARGIN_X;
    pdfpage_rect(c, MARGIN_X, c->y - TABLE_HEAD_H, CONTENT_W, TABLE_HEAD_H, C_HEAD);
    for (size_t i = 0; i < t->ncols; i++) {
        double w = t->cols[i].w * CONTENT_W;
        double bx = t->cols[i].align ? x + w - CELL_PAD : x + CELL_PAD;
        pdfpage_text(c, bx, c->y - 11.5, c->bold, 7.4, C_NAVY, t->cols[i].align, t->cols[i].title);
        x += w;
    }
    c->y -= TABLE_HEAD_H;
}

/* Sanitise and wrap one row's cells (strings may be NULL); sets row_h. */
double pdfpage_table_prepare(pdfpage_ctx *c, pdfpage_table *t, const char *const *cells)
{
    size_t maxl = 1;
    for (size_t i = 0; i < t->ncols; i++) {
        const pdfpage_col *col = &t->cols[i];
        pdfpage_clean(c, (int)i, cells[i] ? cells[i] : "", false, col->max_cp);
        pdftext_lines *L = pdfpage_wrap_slot(c, (int)i, col->bold ? c->bold : c->reg, CELL_SIZE,
                                         col->w * CONTENT_W - 2 * CELL_PAD);
        if (L->n > CELL_MAX_LINES)
            L->n = CELL_MAX_LINES;
        if (L->n > maxl)
            maxl = L->n;
    }
    t->row_h = (double)maxl * CELL_LEAD + 2 * CELL_PAD;
    return t->row_h;
}

/* Draw the prepared row; a new page (with the header again) when it does
 * not fit. */
void pdfpage_table_row(pdfpage_ctx *c, pdfpage_table *t)
{
    if (c->y - t->row_h < BOTTOM_Y) {
        pdfpage_new_page(c);
        pdfpage_table_head(c, t);
    }
    if (t->rows % 2)
        pdfpage_rect(c, MARGIN_X, c->y - t->row_h, CONTENT_W, t->row_h, C_ZEBRA);
    double x = MARGIN_X;
    for (size_t i = 0; i < t->ncols; i++) {
        const pdfpage_col *col = &t->cols[i];
        double w = col->w * CONTENT_W;
        const pdftext_lines *L = &c->l[i];
        pdfpage_rgb ink = C_INK;
        if (col->tone && c->t[i].buf[0] == '+')
            ink = C_GREEN;
        else if (col->tone && !strncmp(c->t[i].buf, "\xe2\x88\x92", 3))
            ink = C_RED;
        for (size_t j = 0; j < L->n; j++) {
            double bx = col->align ? x + w - CELL_PAD : x + CELL_PAD;
            pdfpage_text_n(c, bx, pdfpage_baseline(c->y - CELL_PAD - (double)j * CELL_LEAD, CELL_LEAD, CELL_SIZE),
                       col->bold ? c->bold : c->reg, CELL_SIZE, ink, col->align,
                       c->t[i].buf + L->v[j].off, L->v[j].len);
        }
        x += w;
    }
    c->y -= t->row_h;
    pdfpage_line(c, MARGIN_X, c->y, PAGE_W - MARGIN_X, c->y, 0.4, C_RULE);
    t->rows++;
}

/* Heading + header + first row together (cells of the first row). */
void pdfpage_table_start(pdfpage_ctx *c, pdfpage_table *t, const char *heading, const char *const *cells)
{
    double h = pdfpage_table_prepare(c, t, cells);
    if (heading)
        pdfpage_heading(c, heading, TABLE_HEAD_H + h);
    else
        pdfpage_need(c, TABLE_HEAD_H + h);
    pdfpage_table_head(c, t);
    pdfpage_table_row(c, t);
}

/* ---- number formatting ------------------------------------------------ */

const char *pdfpage_fmt_int(pdfpage_ctx *c, int slot, double v)
{
    strbuf_reset(&c->f[slot]);
    if (isnan(v))
        CK(numfmt_dec(&c->f[slot], v, 0));
    else
        CK(numfmt_int(&c->f[slot], (int64_t)llround(v)));
    return c->f[slot].buf;
}

const char *pdfpage_fmt_pct(pdfpage_ctx *c, int slot, double v)
{
    strbuf_reset(&c->f[slot]);
    CK(numfmt_pct(&c->f[slot], v, 1));
    return c->f[slot].buf;
}

const char *pdfpage_fmt_dec(pdfpage_ctx *c, int slot, double v, int d)
{
    strbuf_reset(&c->f[slot]);
    CK(numfmt_dec(&c->f[slot], v, d));
    return c->f[slot].buf;
}

const char *pdfpage_fmt_tick(pdfpage_ctx *c, double v, bool pct, int decimals)
{
    strbuf_reset(&c->tick);
    CK(pct ? numfmt_pct(&c->tick, v, 0) : numfmt_dec(&c->tick, v, decimals));
    return c->tick.buf;
}

double pdfpage_ratio(double a, double b)
{
    return (isnan(a) || isnan(b) || b == 0) ? NAN : a / b;
}

/* ---- the context ------------------------------------------------------ */

void pdfpage_ctx_init(pdfpage_ctx *c)
{
    for (int i = 0; i < NSLOT; i++) {
        strbuf_init(&c->t[i]);
        strbuf_init(&c->f[i]);
    }
    strbuf_init(&c->meas);
    strbuf_init(&c->vis);
    strbuf_init(&c->tmp);
    strbuf_init(&c->tick);
    strbuf_init(&c->period);
    strbuf_init(&c->teamsb);
    strbuf_init(&c->page_url);
    strbuf_init(&c->retrain_url);
}

void pdfpage_ctx_release(pdfpage_ctx *c)
{
    if (!c)
        return;
    for (int i = 0; i < NSLOT; i++) {
        strbuf_release(&c->t[i]);
        strbuf_release(&c->f[i]);
        pdftext_lines_release(&c->l[i]);
    }
    strbuf_release(&c->meas);
    strbuf_release(&c->vis);
    strbuf_release(&c->tick);
    strbuf_release(&c->tmp);
    strbuf_release(&c->period);
    strbuf_release(&c->teamsb);
    strbuf_release(&c->page_url);
    strbuf_release(&c->retrain_url);
    free(c->pages);
    pdffont_release(c);
    if (c->pdf)
        HPDF_Free(c->pdf);
}
