/*
 * pdf.c - the PDF digest, laid out top to bottom on A4 pages with libharu.
 *
 * Layout keeps a cursor c->y (points from the page bottom) and starts a new
 * page whenever the next block does not fit above the bottom margin. A
 * heading asks for room for itself plus the first line or row that follows
 * it, so it is never stranded; table rows are never split (a cell's text is
 * cut to a few hundred characters first, so every row fits a page) and the
 * table header is repeated on the next page. Footers ("Page 2 of 5") are
 * drawn after layout, when the page count is known.
 *
 * libharu reports errors through its handler, which longjmps back to
 * pdf_write; every allocation made between setjmp and longjmp lives in the
 * pdf_ctx so that cleanup frees it.
 */
#include "render/pdf/pdf.h"

#include <hpdf.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/calendar.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "common/numfmt.h"
#include "render/dqlabel.h"
#include "render/pdf/pdftext.h"
#include "common/strbuf.h"
#include "common/timeutil.h"

#define PDF_FONT_DIR "/usr/share/fonts/truetype/dejavu/"
#define PDF_FONT_REGULAR PDF_FONT_DIR "DejaVuSans.ttf"
#define PDF_FONT_BOLD PDF_FONT_DIR "DejaVuSans-Bold.ttf"
#define PDF_TITLE "Weekly AI Intelligence Digest"

#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN_X 50.0
#define CONTENT_W (PAGE_W - 2 * MARGIN_X)
#define TOP_Y (PAGE_H - 64.0)
#define BOTTOM_Y 56.0

#define BODY_SIZE 9.5
#define BODY_LEAD 13.6
#define CELL_SIZE 8.3
#define CELL_LEAD 11.0
#define CELL_PAD 4.0
#define CELL_MAX_CP 320     /* characters of a reply shown in a table cell */
#define CELL_MAX_LINES 30   /* and lines, so that a row always fits a page */
#define NSLOT 8
/* Narrative texts are cut (with "… (N more characters)") at these many
 * characters: a digest is read in a few minutes. */
#define SUMMARY_MAX_CP 6000
#define SELF_SUMMARY_MAX_CP 1500
#define NOTE_MAX_CP 500
#define MAX_NOTES 12
#define HEADING_H 28.0

typedef struct pdf_rgb {
    double r, g, b;
} pdf_rgb;

static const pdf_rgb C_INK = {0.13, 0.15, 0.19};
static const pdf_rgb C_MUTED = {0.40, 0.44, 0.50};
static const pdf_rgb C_NAVY = {0.08, 0.20, 0.38};
static const pdf_rgb C_ACCENT = {0.17, 0.42, 0.74};
static const pdf_rgb C_GREEN = {0.05, 0.50, 0.27};
static const pdf_rgb C_RED = {0.75, 0.19, 0.15};
static const pdf_rgb C_ORANGE = {0.91, 0.52, 0.12};
static const pdf_rgb C_RULE = {0.82, 0.85, 0.89};
static const pdf_rgb C_HEAD = {0.90, 0.93, 0.97};
static const pdf_rgb C_ZEBRA = {0.965, 0.973, 0.984};
static const pdf_rgb C_BOX = {0.93, 0.96, 1.00};
static const pdf_rgb C_WHITE = {1, 1, 1};
static const pdf_rgb C_TITLE_SUB = {0.80, 0.87, 0.96};

typedef struct pdf_ctx {
    HPDF_Doc pdf;
    jmp_buf jb;
    unsigned long herr, hdetail;
    HPDF_Font reg, bold;
    HPDF_FontDef reg_def, bold_def;
    HPDF_Page page;
    HPDF_Page *pages;
    size_t npages, apages;
    double y;
    bool oom;
    bool saving;              /* in HPDF_SaveToFile: a failure is an I/O error */
    struct json_object *r;
    const char *team;
    char week[64];
    char prev_week[64];
    strbuf period;
    strbuf t[NSLOT];          /* sanitised text of table cells / paragraphs */
    strbuf f[NSLOT];          /* formatted values before sanitising */
    pdftext_lines l[NSLOT];   /* wrapped lines of t[i] */
    strbuf meas, vis, tmp;
    strbuf teamsb;
    int substitutions;
} pdf_ctx;

static void pdf_on_error(HPDF_STATUS err, HPDF_STATUS detail, void *user)
{
    pdf_ctx *c = user;
    c->herr = (unsigned long)err;
    c->hdetail = (unsigned long)detail;
    longjmp(c->jb, 1);
}

#define CK(expr) do { if ((expr) < 0) c->oom = true; } while (0)

/* ---- text ------------------------------------------------------------- */

static bool pdf_has_glyph(void *ctx, uint32_t cp)
{
    pdf_ctx *c = ctx;
    if (cp > 0xFFFF)
        return false;
    return HPDF_TTFontDef_GetGlyphid(c->reg_def, (HPDF_UNICODE)cp) != 0 &&
           HPDF_TTFontDef_GetGlyphid(c->bold_def, (HPDF_UNICODE)cp) != 0;
}

/* Sanitise s into c->t[slot] (replacing it); returns the text. */
static const char *pdf_clean(pdf_ctx *c, int slot, const char *s, bool keep_newlines, size_t max_cp)
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
    int n = pdftext_sanitize(src, strlen(src), keep_newlines, pdf_has_glyph, c, &c->t[slot]);
    if (n < 0)
        c->oom = true;
    else
        c->substitutions += n;
    return c->t[slot].buf;
}

static void pdf_font(pdf_ctx *c, HPDF_Font f, double size)
{
    if (HPDF_Page_GetCurrentFont(c->page) != f || HPDF_Page_GetCurrentFontSize(c->page) != (HPDF_REAL)size)
        HPDF_Page_SetFontAndSize(c->page, f, (HPDF_REAL)size);
}

static double pdf_measure(void *ctx, const char *s, size_t len)
{
    pdf_ctx *c = ctx;
    strbuf_reset(&c->meas);
    if (strbuf_add(&c->meas, s, len) < 0) {
        c->oom = true;
        return 0;
    }
    return HPDF_Page_TextWidth(c->page, c->meas.buf);
}

static double pdf_width(pdf_ctx *c, HPDF_Font f, double size, const char *s)
{
    pdf_font(c, f, size);
    return HPDF_Page_TextWidth(c->page, s);
}

/* Wrap c->t[slot] into c->l[slot] for the given font and width. */
static pdftext_lines *pdf_wrap_slot(pdf_ctx *c, int slot, HPDF_Font f, double size, double width)
{
    pdf_font(c, f, size);
    CK(pdftext_wrap(c->t[slot].buf, c->t[slot].len, width, pdf_measure, c, &c->l[slot]));
    return &c->l[slot];
}

static void pdf_fill_color(pdf_ctx *c, pdf_rgb col)
{
    HPDF_Page_SetRGBFill(c->page, (HPDF_REAL)col.r, (HPDF_REAL)col.g, (HPDF_REAL)col.b);
}

static void pdf_stroke_color(pdf_ctx *c, pdf_rgb col)
{
    HPDF_Page_SetRGBStroke(c->page, (HPDF_REAL)col.r, (HPDF_REAL)col.g, (HPDF_REAL)col.b);
}

/* Draw one line of sanitised text with its baseline at y. align: 0 left
 * (x is the left edge), 1 right (x is the right edge), 2 centred. */
static void pdf_text_n(pdf_ctx *c, double x, double y, HPDF_Font f, double size, pdf_rgb col,
                       int align, const char *s, size_t len)
{
    if (!len)
        return;
    strbuf_reset(&c->vis);
    CK(pdftext_visual(s, len, &c->vis));
    if (!c->vis.len)
        return;
    pdf_font(c, f, size);
    if (align) {
        double w = HPDF_Page_TextWidth(c->page, c->vis.buf);
        x -= align == 1 ? w : w / 2;
    }
    HPDF_Page_BeginText(c->page);
    pdf_fill_color(c, col);
    HPDF_Page_TextOut(c->page, (HPDF_REAL)x, (HPDF_REAL)y, c->vis.buf);
    HPDF_Page_EndText(c->page);
}

static void pdf_text(pdf_ctx *c, double x, double y, HPDF_Font f, double size, pdf_rgb col,
                     int align, const char *s)
{
    pdf_text_n(c, x, y, f, size, col, align, s, strlen(s));
}

static void pdf_rect(pdf_ctx *c, double x, double y, double w, double h, pdf_rgb col)
{
    pdf_fill_color(c, col);
    HPDF_Page_Rectangle(c->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
    HPDF_Page_Fill(c->page);
}

static void pdf_line(pdf_ctx *c, double x1, double y1, double x2, double y2, double lw, pdf_rgb col)
{
    pdf_stroke_color(c, col);
    HPDF_Page_SetLineWidth(c->page, (HPDF_REAL)lw);
    HPDF_Page_MoveTo(c->page, (HPDF_REAL)x1, (HPDF_REAL)y1);
    HPDF_Page_LineTo(c->page, (HPDF_REAL)x2, (HPDF_REAL)y2);
    HPDF_Page_Stroke(c->page);
}

static void pdf_dash(pdf_ctx *c, bool on)
{
    static const HPDF_UINT16 pat[] = {3, 2};
    if (on)
        HPDF_Page_SetDash(c->page, pat, 2, 0);
    else
        HPDF_Page_SetDash(c->page, NULL, 0, 0);
}

/* ---- pages ------------------------------------------------------------ */

static void pdf_new_page(pdf_ctx *c)
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
        pdf_text(c, MARGIN_X, PAGE_H - 38, c->bold, 8, C_NAVY, 0, c->f[NSLOT - 1].buf);
        pdf_text(c, PAGE_W - MARGIN_X, PAGE_H - 38, c->reg, 8, C_MUTED, 1, c->period.buf);
        pdf_line(c, MARGIN_X, PAGE_H - 45, PAGE_W - MARGIN_X, PAGE_H - 45, 0.6, C_RULE);
    }
}

/* Make room for h points, starting a new page if needed. */
static void pdf_need(pdf_ctx *c, double h)
{
    if (c->y - h < BOTTOM_Y)
        pdf_new_page(c);
}

static void pdf_footers(pdf_ctx *c)
{
    char buf[64];
    for (size_t i = 0; i < c->npages; i++) {
        c->page = c->pages[i];
        pdf_line(c, MARGIN_X, 40, PAGE_W - MARGIN_X, 40, 0.6, C_RULE);
        snprintf(buf, sizeof buf, "Page %zu of %zu", i + 1, c->npages);
        pdf_text(c, PAGE_W - MARGIN_X, 28, c->reg, 7.5, C_MUTED, 1, buf);
        strbuf_reset(&c->f[NSLOT - 1]);
        CK(strbuf_addf(&c->f[NSLOT - 1], "%s team \xc2\xb7 week %s \xc2\xb7 generated by aidigest",
                       c->team, c->week));
        pdf_text(c, MARGIN_X, 28, c->reg, 7.5, C_MUTED, 0, c->f[NSLOT - 1].buf);
    }
}

/* A section heading with a bookmark; keep = the height of what must follow
 * it on the same page (its first line or row). */
static void pdf_heading(pdf_ctx *c, const char *title, double keep)
{
    double before = c->y >= TOP_Y - 0.5 ? 0 : 16;
    if (c->y - before - HEADING_H - keep < BOTTOM_Y) {
        pdf_new_page(c);
        before = 0;
    }
    c->y -= before;
    HPDF_Outline o = HPDF_CreateOutline(c->pdf, NULL, title, NULL);
    HPDF_Destination d = HPDF_Page_CreateDestination(c->page);
    HPDF_Destination_SetXYZ(d, 0, (HPDF_REAL)(c->y + 6), 1);
    HPDF_Outline_SetDestination(o, d);
    pdf_text(c, MARGIN_X, c->y - 14, c->bold, 13.5, C_NAVY, 0, title);
    pdf_line(c, MARGIN_X, c->y - 20, PAGE_W - MARGIN_X, c->y - 20, 0.8, C_RULE);
    c->y -= HEADING_H;
}

static double pdf_baseline(double top, double lead, double size)
{
    return top - (lead - size) / 2 - size * 0.80;
}

/* Draw lines of text (wrapped from `text`) at x; when bg is set, each
 * page's part gets a box with an accent bar. Breaks pages between lines. */
static void pdf_draw_lines(pdf_ctx *c, const char *text, const pdftext_lines *L, double x,
                           HPDF_Font f, double size, double lead, pdf_rgb col, const pdf_rgb *bg)
{
    double pad = bg ? 8 : 0;
    size_t i = 0;
    while (i < L->n) {
        double avail = c->y - BOTTOM_Y - 2 * pad;
        size_t k = avail > 0 ? (size_t)(avail / lead) : 0;
        if (k == 0) {
            pdf_new_page(c);
            continue;
        }
        if (k > L->n - i)
            k = L->n - i;
        double h = (double)k * lead + 2 * pad;
        if (bg) {
            pdf_rect(c, MARGIN_X, c->y - h, CONTENT_W, h, *bg);
            pdf_rect(c, MARGIN_X, c->y - h, 3, h, C_ACCENT);
        }
        for (size_t j = 0; j < k; j++) {
            const pdftext_line *ln = &L->v[i + j];
            pdf_text_n(c, x, pdf_baseline(c->y - pad - (double)j * lead, lead, size), f, size, col, 0,
                       text + ln->off, ln->len);
        }
        c->y -= h;
        i += k;
        if (i < L->n)
            pdf_new_page(c);
    }
}

/* A paragraph of body text from the report (sanitised here). */
static void pdf_paragraph(pdf_ctx *c, const char *s, const pdf_rgb *bg, size_t max_cp)
{
    double inset = bg ? 14 : 0;
    pdf_clean(c, 0, s, true, max_cp);
    pdftext_lines *L = pdf_wrap_slot(c, 0, c->reg, BODY_SIZE, CONTENT_W - 2 * inset);
    pdf_draw_lines(c, c->t[0].buf, L, MARGIN_X + inset, c->reg, BODY_SIZE, BODY_LEAD, C_INK, bg);
}

/* Body text that is ours (no sanitising needed, but harmless). */
static void pdf_note(pdf_ctx *c, const char *s, pdf_rgb col, double size)
{
    pdf_clean(c, 0, s, true, 0);
    pdftext_lines *L = pdf_wrap_slot(c, 0, c->reg, size, CONTENT_W);
    pdf_draw_lines(c, c->t[0].buf, L, MARGIN_X, c->reg, size, size * 1.42, col, NULL);
}

/* ---- tables ----------------------------------------------------------- */

typedef struct pdf_col {
    const char *title;
    double w;           /* share of the content width */
    int align;          /* 0 left, 1 right */
    size_t max_cp;      /* cut longer text (0 = no limit) */
    bool bold;
    bool tone;          /* colour "+..." green and "−..." red */
} pdf_col;

typedef struct pdf_table {
    const pdf_col *cols;
    size_t ncols;
    double row_h;       /* height of the prepared row */
    int rows;           /* rows drawn (for zebra stripes) */
} pdf_table;

#define TABLE_HEAD_H 17.0

static void pdf_table_head(pdf_ctx *c, const pdf_table *t)
{
    double x = MARGIN_X;
    pdf_rect(c, MARGIN_X, c->y - TABLE_HEAD_H, CONTENT_W, TABLE_HEAD_H, C_HEAD);
    for (size_t i = 0; i < t->ncols; i++) {
        double w = t->cols[i].w * CONTENT_W;
        double bx = t->cols[i].align ? x + w - CELL_PAD : x + CELL_PAD;
        pdf_text(c, bx, c->y - 11.5, c->bold, 7.4, C_NAVY, t->cols[i].align, t->cols[i].title);
        x += w;
    }
    c->y -= TABLE_HEAD_H;
}

/* Sanitise and wrap one row's cells (strings may be NULL); sets row_h. */
static double pdf_table_prepare(pdf_ctx *c, pdf_table *t, const char *const *cells)
{
    size_t maxl = 1;
    for (size_t i = 0; i < t->ncols; i++) {
        const pdf_col *col = &t->cols[i];
        pdf_clean(c, (int)i, cells[i] ? cells[i] : "", false, col->max_cp);
        pdftext_lines *L = pdf_wrap_slot(c, (int)i, col->bold ? c->bold : c->reg, CELL_SIZE,
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
static void pdf_table_row(pdf_ctx *c, pdf_table *t)
{
    if (c->y - t->row_h < BOTTOM_Y) {
        pdf_new_page(c);
        pdf_table_head(c, t);
    }
    if (t->rows % 2)
        pdf_rect(c, MARGIN_X, c->y - t->row_h, CONTENT_W, t->row_h, C_ZEBRA);
    double x = MARGIN_X;
    for (size_t i = 0; i < t->ncols; i++) {
        const pdf_col *col = &t->cols[i];
        double w = col->w * CONTENT_W;
        const pdftext_lines *L = &c->l[i];
        pdf_rgb ink = C_INK;
        if (col->tone && c->t[i].buf[0] == '+')
            ink = C_GREEN;
        else if (col->tone && !strncmp(c->t[i].buf, "\xe2\x88\x92", 3))
            ink = C_RED;
        for (size_t j = 0; j < L->n; j++) {
            double bx = col->align ? x + w - CELL_PAD : x + CELL_PAD;
            pdf_text_n(c, bx, pdf_baseline(c->y - CELL_PAD - (double)j * CELL_LEAD, CELL_LEAD, CELL_SIZE),
                       col->bold ? c->bold : c->reg, CELL_SIZE, ink, col->align,
                       c->t[i].buf + L->v[j].off, L->v[j].len);
        }
        x += w;
    }
    c->y -= t->row_h;
    pdf_line(c, MARGIN_X, c->y, PAGE_W - MARGIN_X, c->y, 0.4, C_RULE);
    t->rows++;
}

/* Heading + header + first row together (cells of the first row). */
static void pdf_table_start(pdf_ctx *c, pdf_table *t, const char *heading, const char *const *cells)
{
    double h = pdf_table_prepare(c, t, cells);
    if (heading)
        pdf_heading(c, heading, TABLE_HEAD_H + h);
    else
        pdf_need(c, TABLE_HEAD_H + h);
    pdf_table_head(c, t);
    pdf_table_row(c, t);
}

/* ---- number formatting ------------------------------------------------ */

static const char *fmt_int(pdf_ctx *c, int slot, double v)
{
    strbuf_reset(&c->f[slot]);
    if (isnan(v))
        CK(numfmt_dec(&c->f[slot], v, 0));
    else
        CK(numfmt_int(&c->f[slot], (int64_t)llround(v)));
    return c->f[slot].buf;
}

static const char *fmt_pct(pdf_ctx *c, int slot, double v)
{
    strbuf_reset(&c->f[slot]);
    CK(numfmt_pct(&c->f[slot], v, 1));
    return c->f[slot].buf;
}

static const char *fmt_dec(pdf_ctx *c, int slot, double v, int d)
{
    strbuf_reset(&c->f[slot]);
    CK(numfmt_dec(&c->f[slot], v, d));
    return c->f[slot].buf;
}

static double ratio(double a, double b)
{
    return (isnan(a) || isnan(b) || b == 0) ? NAN : a / b;
}

/* ---- title and tiles -------------------------------------------------- */

static void pdf_make_period(pdf_ctx *c)
{
    const char *s = jget_str(c->r, "period.start", NULL), *e = jget_str(c->r, "period.end", NULL);
    int64_t a, b;
    if (s && e && timeutil_parse_rfc3339(s, strlen(s), &a) && timeutil_parse_rfc3339(e, strlen(e), &b) &&
        b > a) {
        int y1, m1, d1, y2, m2, d2;
        timeutil_civil_from_days(a / TIMEUTIL_DAY_MS, &y1, &m1, &d1);
        timeutil_civil_from_days((b - 1) / TIMEUTIL_DAY_MS, &y2, &m2, &d2);
        if (y1 == y2 && m1 == m2)
            CK(strbuf_addf(&c->period, "%d\xe2\x80\x93%d %s %d", d1, d2, calendar_month_name[m1 - 1], y1));
        else if (y1 == y2)
            CK(strbuf_addf(&c->period, "%d %s \xe2\x80\x93 %d %s %d", d1, calendar_month_name[m1 - 1], d2,
                           calendar_month_name[m2 - 1], y1));
        else
            CK(strbuf_addf(&c->period, "%d %s %d \xe2\x80\x93 %d %s %d", d1, calendar_month_name[m1 - 1], y1, d2,
                           calendar_month_name[m2 - 1], y2));
    } else {
        pdf_clean(c, 0, s ? s : "", false, 64);
        CK(strbuf_adds(&c->period, c->t[0].buf));
    }
}

static void pdf_title_block(pdf_ctx *c)
{
    double h = 104;
    pdf_rect(c, 0, PAGE_H - h, PAGE_W, h, C_NAVY);
    pdf_rect(c, 0, PAGE_H - h, PAGE_W, 3, C_ACCENT);
    strbuf_reset(&c->f[0]);
    CK(pdftext_upper(c->team, strlen(c->team), &c->f[0]));
    CK(strbuf_adds(&c->f[0], " TEAM \xc2\xb7 AI REPLY ASSISTANT"));
    pdf_text(c, MARGIN_X, PAGE_H - 34, c->bold, 8.5, C_TITLE_SUB, 0, c->f[0].buf);
    pdf_text(c, MARGIN_X, PAGE_H - 62, c->bold, 23, C_WHITE, 0, PDF_TITLE);
    strbuf_reset(&c->f[0]);
    CK(strbuf_addf(&c->f[0], "Week %s \xc2\xb7 %s", c->week, c->period.buf));
    pdf_text(c, MARGIN_X, PAGE_H - 84, c->reg, 11, C_TITLE_SUB, 0, c->f[0].buf);
    c->y = PAGE_H - h - 22;
}

typedef struct pdf_tile {
    const char *label;
    const char *value;
    const char *change;
    int tone;           /* 1 good, -1 bad, 0 neutral */
} pdf_tile;

static void pdf_tiles(pdf_ctx *c, const pdf_tile *tiles, size_t n)
{
    double gap = 8, h = 62;
    double w = (CONTENT_W - gap * (double)(n - 1)) / (double)n;
    pdf_need(c, h);
    for (size_t i = 0; i < n; i++) {
        double x = MARGIN_X + (double)i * (w + gap);
        pdf_rect(c, x, c->y - h, w, h, C_ZEBRA);
        pdf_rect(c, x, c->y - 2.5, w, 2.5, C_ACCENT);
        pdf_text(c, x + 8, c->y - 16, c->bold, 6.8, C_MUTED, 0, tiles[i].label);
        double size = 17;
        while (size > 8 && pdf_width(c, c->bold, size, tiles[i].value) > w - 16)
            size -= 1;
        pdf_text(c, x + 8, c->y - 38, c->bold, size, C_INK, 0, tiles[i].value);
        pdf_rgb col = tiles[i].tone > 0 ? C_GREEN : tiles[i].tone < 0 ? C_RED : C_MUTED;
        size = 7.6;
        while (size > 5 && pdf_width(c, c->reg, size, tiles[i].change) > w - 14)
            size -= 0.4;
        pdf_text(c, x + 8, c->y - 53, tiles[i].tone ? c->bold : c->reg, size, col, 0, tiles[i].change);
    }
    c->y -= h;
}

/* Change of a figure against last week, into f[slot]; returns the tone. */
static int pdf_change(pdf_ctx *c, int slot, double cur, double prev, int kind, int better)
{
    strbuf *s = &c->f[slot];
    strbuf_reset(s);
    if (isnan(cur) || isnan(prev)) {
        CK(strbuf_adds(s, "no comparison"));
        return 0;
    }
    double d = cur - prev;
    if (kind == 0) {            /* count */
        if (d > 0)
            CK(strbuf_addc(s, '+'));
        CK(numfmt_int(s, (int64_t)llround(d)));
        if (prev > 0) {
            CK(strbuf_adds(s, " ("));
            CK(numfmt_pp(s, d / prev, 1));
            strbuf_setlen(s, s->len - 3); /* " pp" -> "%" */
            CK(strbuf_adds(s, "%)"));
        }
    } else if (kind == 1) {     /* share */
        CK(numfmt_pp(s, d, 1));
    } else {                    /* decimal */
        CK(numfmt_signed(s, d, 3));
    }
    const char *pw = c->prev_week;
    if (strlen(pw) > 5 && !strncmp(pw, c->week, 5) && pw[4] == '-')
        pw += 5;    /* "W46" when the year is the same */
    CK(strbuf_addf(s, " vs %s", pw));
    double shown = kind == 1 ? round(d * 1000) : kind == 2 ? round(d * 1000) : round(d);
    if (!better || shown == 0)
        return 0;
    return (d > 0) == (better > 0) ? 1 : -1;
}

static void pdf_overview(pdf_ctx *c)
{
    struct json_object *r = c->r;
    bool hp = jget_has(r, "previous");
    double sug = jget_double(r, "totals.suggestions", NAN);
    double acc = jget_double(r, "rates.acceptance", NAN);
    double use = jget_double(r, "rates.use", NAN);
    double mean = jget_double(r, "confidence.mean", NAN);
    double ece = jget_double(r, "confidence.ece", NAN);
    double p_sug = hp ? jget_double(r, "previous.totals.suggestions", NAN) : NAN;
    double p_acc = hp ? jget_double(r, "previous.rates.acceptance", NAN) : NAN;
    double p_use = hp ? jget_double(r, "previous.rates.use", NAN) : NAN;
    double p_mean = jget_double(r, "confidence.previous_mean", NAN);
    if (isnan(p_mean) && hp)
        p_mean = jget_double(r, "previous.confidence_mean", NAN);
    double p_ece = hp ? jget_double(r, "previous.ece", NAN) : NAN;
    pdf_tile tiles[5] = {
        {"SUGGESTIONS", fmt_int(c, 0, sug), NULL, pdf_change(c, 5, sug, p_sug, 0, 0)},
        {"ACCEPTANCE RATE", fmt_pct(c, 1, acc), NULL, 0},
        {"USE RATE", fmt_pct(c, 2, use), NULL, 0},
        {"MEAN CONFIDENCE", fmt_dec(c, 3, mean, 3), NULL, 0},
        {"CALIBRATION ERROR", fmt_dec(c, 4, ece, 3), NULL, 0},
    };
    /* f[5..7] hold changes; the tile texts are copied through t[] slots */
    strbuf_reset(&c->t[0]);
    CK(strbuf_adds(&c->t[0], c->f[5].buf));
    tiles[1].tone = pdf_change(c, 5, acc, p_acc, 1, 1);
    strbuf_reset(&c->t[1]);
    CK(strbuf_adds(&c->t[1], c->f[5].buf));
    tiles[2].tone = pdf_change(c, 5, use, p_use, 1, 1);
    strbuf_reset(&c->t[2]);
    CK(strbuf_adds(&c->t[2], c->f[5].buf));
    tiles[3].tone = pdf_change(c, 5, mean, p_mean, 2, 0);
    strbuf_reset(&c->t[3]);
    CK(strbuf_adds(&c->t[3], c->f[5].buf));
    tiles[4].tone = pdf_change(c, 5, ece, p_ece, 2, -1);
    strbuf_reset(&c->t[4]);
    CK(strbuf_adds(&c->t[4], c->f[5].buf));
    for (int i = 0; i < 5; i++)
        tiles[i].change = c->t[i].buf;
    HPDF_Outline o = HPDF_CreateOutline(c->pdf, NULL, "At a glance", NULL);
    HPDF_Destination d = HPDF_Page_CreateDestination(c->page);
    HPDF_Destination_SetXYZ(d, 0, (HPDF_REAL)PAGE_H, 1);
    HPDF_Outline_SetDestination(o, d);
    pdf_tiles(c, tiles, 5);
    /* One line of counts under the tiles. */
    strbuf *s = &c->f[6];
    strbuf_reset(s);
    CK(strbuf_adds(s, "Accepted as is "));
    CK(numfmt_int(s, jget_int(r, "totals.accepted", 0)));
    CK(strbuf_adds(s, " \xc2\xb7 edited "));
    CK(numfmt_int(s, jget_int(r, "totals.edited", 0)));
    CK(strbuf_adds(s, " \xc2\xb7 rejected "));
    CK(numfmt_int(s, jget_int(r, "totals.rejected", 0)));
    CK(strbuf_adds(s, " \xc2\xb7 ignored "));
    CK(numfmt_int(s, jget_int(r, "totals.ignored", 0)));
    if (hp)
        CK(strbuf_addf(s, ". Changes are against week %s.", c->prev_week));
    else
        CK(strbuf_adds(s, ". No earlier week to compare with."));
    CK(strbuf_adds(s, " Use rate: sent as is or after edits. Calibration error (ECE): how far the "
                      "AI's confidence is from the observed acceptance; lower is better."));
    c->y -= 8;
    pdf_note(c, s->buf, C_MUTED, 7.6);
}

/* ---- narrative sections ----------------------------------------------- */

static void pdf_self_summary(pdf_ctx *c)
{
    const char *s = jget_str(c->r, "narrative.self_summary", NULL);
    if (!s || !*s)
        s = "No self-summary was written this week.";
    pdf_heading(c, "What the AI learned this week", BODY_LEAD + 16);
    pdf_paragraph(c, s, &C_BOX, SELF_SUMMARY_MAX_CP);
}

static void pdf_summary(pdf_ctx *c)
{
    const char *s = jget_str(c->r, "narrative.summary", NULL);
    if (!s || !*s)
        s = "No summary was written this week.";
    pdf_heading(c, "Weekly summary", BODY_LEAD);
    /* Paragraphs: separated by blank lines (lines of only white space count). */
    strbuf_reset(&c->f[0]);
    CK(pdftext_truncate(s, SUMMARY_MAX_CP, &c->f[0]));
    char *p = c->f[0].buf;
    bool first = true;
    while (*p) {
        char *end = p, *next = NULL;
        for (char *q = p; *q; q++) {
            if (*q == '\n') {
                char *k = q + 1;
                while (*k == ' ' || *k == '\t' || *k == '\r')
                    k++;
                if (*k == '\n') {
                    end = q;
                    next = k + 1;
                    break;
                }
            }
            end = q + 1;
        }
        char save = *end;
        *end = '\0';
        const char *para = p;
        while (*para == '\n' || *para == '\r' || *para == ' ')
            para++;
        if (*para) {
            if (!first)
                c->y -= 6;
            pdf_paragraph(c, para, NULL, 0);
            first = false;
        }
        *end = save;
        if (!next)
            break;
        p = next;
    }
}

static void pdf_coach(pdf_ctx *c)
{
    struct json_object *notes = jget(c->r, "narrative.coach_notes");
    size_t n = jget_len(c->r, "narrative.coach_notes");
    if (n > MAX_NOTES)
        n = MAX_NOTES;
    pdf_heading(c, "Coach notes", BODY_LEAD * 2);
    strbuf *s = &c->f[6];
    strbuf_reset(s);
    CK(strbuf_adds(s, "AI wins (suggestions sent as is): "));
    CK(numfmt_int(s, jget_int(c->r, "coach.ai_wins", 0)));
    CK(strbuf_adds(s, " \xc2\xb7 vindicated (a human reply later corrected back towards the AI's): "));
    CK(numfmt_int(s, jget_int(c->r, "coach.vindicated", 0)));
    pdf_note(c, s->buf, C_MUTED, 8);
    c->y -= 4;
    if (!n)
        pdf_paragraph(c, "No coach notes this week.", NULL, 0);
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(notes, i);
        const char *note = json_object_is_type(o, json_type_string) ? json_object_get_string(o) : "";
        pdf_clean(c, 0, note, true, NOTE_MAX_CP);
        pdftext_lines *L = pdf_wrap_slot(c, 0, c->reg, BODY_SIZE, CONTENT_W - 14);
        pdf_need(c, BODY_LEAD);
        pdf_text(c, MARGIN_X + 3, pdf_baseline(c->y, BODY_LEAD, BODY_SIZE), c->bold, BODY_SIZE, C_ACCENT, 0,
                 "\xe2\x80\xa2");
        pdf_draw_lines(c, c->t[0].buf, L, MARGIN_X + 14, c->reg, BODY_SIZE, BODY_LEAD, C_INK, NULL);
        c->y -= 3;
    }
}

/* ---- tables of the report --------------------------------------------- */

static void pdf_empty(pdf_ctx *c, const char *heading, const char *text)
{
    pdf_heading(c, heading, BODY_LEAD);
    pdf_note(c, text, C_MUTED, BODY_SIZE);
}

static void pdf_top_used(pdf_ctx *c)
{
    static const pdf_col cols[] = {
        {"#", 0.04, 1, 0, false, false},
        {"REPLY", 0.56, 0, CELL_MAX_CP, false, false},
        {"USED", 0.09, 1, 0, true, false},
        {"SUGGESTED", 0.12, 1, 0, false, false},
        {"USE RATE", 0.11, 1, 0, false, false},
        {"CONF.", 0.08, 1, 0, false, false},
    };
    pdf_table t = {cols, 6, 0, 0};
    struct json_object *rows = jget(c->r, "top_accepted");
    size_t n = jget_len(c->r, "top_accepted");
    if (!n) {
        pdf_empty(c, "Top used replies", "No reply was used this week.");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(rows, i);
        char num[24];
        snprintf(num, sizeof num, "%zu", i + 1);
        double uses = jget_double(o, "uses", NAN), sug = jget_double(o, "suggested", NAN);
        double rate = jget_has(o, "use_rate") ? jget_double(o, "use_rate", NAN) : ratio(uses, sug);
        const char *cells[] = {num, jget_str(o, "reply", ""), fmt_int(c, 0, uses), fmt_int(c, 1, sug),
                               fmt_pct(c, 2, rate), fmt_dec(c, 3, jget_double(o, "mean_confidence", NAN), 2)};
        if (i == 0)
            pdf_table_start(c, &t, "Top used replies", cells);
        else {
            pdf_table_prepare(c, &t, cells);
            pdf_table_row(c, &t);
        }
    }
}

static void pdf_top_rejected(pdf_ctx *c)
{
    static const pdf_col cols[] = {
        {"REPLY THE AI SUGGESTED", 0.37, 0, CELL_MAX_CP, false, false},
        {"REJECTED", 0.10, 1, 0, true, false},
        {"OF", 0.07, 1, 0, false, false},
        {"RATE", 0.08, 1, 0, false, false},
        {"CONF.", 0.07, 1, 0, false, false},
        {"WHAT AGENTS SENT INSTEAD", 0.31, 0, CELL_MAX_CP, false, false},
    };
    pdf_table t = {cols, 6, 0, 0};
    struct json_object *rows = jget(c->r, "top_rejected");
    size_t n = jget_len(c->r, "top_rejected");
    if (!n) {
        pdf_empty(c, "Top rejected replies", "No reply was rejected this week.");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(rows, i);
        double rej = jget_double(o, "rejections", NAN), sug = jget_double(o, "suggested", NAN);
        double rate = jget_has(o, "rejection_rate") ? jget_double(o, "rejection_rate", NAN) : ratio(rej, sug);
        const char *repl = jget_str(o, "top_replacement_text", NULL); /* as written */
        if (!repl || !*repl)
            repl = jget_str(o, "top_replacement", NULL); /* reports before it had only this */
        const char *cells[] = {jget_str(o, "reply", ""), fmt_int(c, 0, rej), fmt_int(c, 1, sug),
                               fmt_pct(c, 2, rate), fmt_dec(c, 3, jget_double(o, "mean_confidence", NAN), 2),
                               repl && *repl ? repl : "\xe2\x80\x93"};
        if (i == 0)
            pdf_table_start(c, &t, "Top rejected replies", cells);
        else {
            pdf_table_prepare(c, &t, cells);
            pdf_table_row(c, &t);
        }
    }
    c->y -= 4;
    pdf_need(c, 12);
    pdf_note(c, "\"What agents sent instead\" is the most frequent reply sent in place of the "
                "suggestion (replies that differ only in case, digits or spacing count as one).",
             C_MUTED, 7.4);
}

static void pdf_trends(pdf_ctx *c)
{
    static const pdf_col cols[] = {
        {"TERM", 0.40, 0, 80, true, false},
        {"MESSAGES", 0.15, 1, 0, false, false},
        {"LAST WEEK", 0.15, 1, 0, false, false},
        {"CHANGE", 0.15, 1, 0, false, false},
        {"SCORE (G\xc2\xb2)", 0.15, 1, 0, false, false},
    };
    pdf_table t = {cols, 5, 0, 0};
    struct json_object *rows = jget(c->r, "trends");
    size_t n = jget_len(c->r, "trends");
    if (!n) {
        pdf_empty(c, "Trending topics", "No rising topic in customer messages this week.");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(rows, i);
        double cnt = jget_double(o, "count", NAN), prev = jget_double(o, "previous_count", NAN);
        strbuf_reset(&c->f[3]);
        if (!isnan(cnt) && !isnan(prev) && prev > 0) {
            CK(numfmt_pp(&c->f[3], (cnt - prev) / prev, 0));
            strbuf_setlen(&c->f[3], c->f[3].len - 3);
            CK(strbuf_adds(&c->f[3], "%"));
        } else if (!isnan(cnt) && !isnan(prev)) {
            CK(strbuf_adds(&c->f[3], "new"));
        } else {
            CK(numfmt_dec(&c->f[3], NAN, 0));
        }
        const char *cells[] = {jget_str(o, "term", ""), fmt_int(c, 1, cnt), fmt_int(c, 2, prev), c->f[3].buf,
                               fmt_dec(c, 4, jget_double(o, "score", NAN), 1)};
        if (i == 0)
            pdf_table_start(c, &t, "Trending topics", cells);
        else {
            pdf_table_prepare(c, &t, cells);
            pdf_table_row(c, &t);
        }
    }
    c->y -= 4;
    pdf_note(c, "Messages: customer messages of the week that contain the term. Score: log-likelihood "
                "ratio against the earlier weeks in the archive (higher = more unusual); \xe2\x80\x93 when "
                "there is no baseline yet.", C_MUTED, 7.4);
}

static void pdf_retraining(pdf_ctx *c)
{
    static const pdf_col cols[] = {
        {"PROMPT", 0.20, 0, 120, true, false},
        {"WHAT CHANGED", 0.44, 0, CELL_MAX_CP, false, false},
        {"BEFORE", 0.12, 1, 0, false, false},
        {"AFTER", 0.12, 1, 0, false, false},
        {"CHANGE", 0.12, 1, 0, true, true},
    };
    pdf_table t = {cols, 5, 0, 0};
    struct json_object *rows = jget(c->r, "retraining");
    size_t n = jget_len(c->r, "retraining");
    if (!n) {
        pdf_empty(c, "Retraining adjustments", "No prompt was adjusted this week.");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(rows, i);
        strbuf *p = &c->f[0], *w = &c->f[1];
        strbuf_reset(p);
        strbuf_reset(w);
        CK(strbuf_adds(p, jget_str(o, "prompt_id", "")));
        const char *fv = jget_str(o, "from_version", NULL), *tv = jget_str(o, "to_version", NULL);
        if (fv || tv)
            CK(strbuf_addf(p, " %s \xe2\x86\x92 %s", fv ? fv : "?", tv ? tv : "?"));
        const char *theme = jget_str(o, "theme", NULL), *sum = jget_str(o, "summary", NULL);
        if (theme && *theme)
            CK(strbuf_addf(w, "%s: ", theme));
        CK(strbuf_adds(w, sum && *sum ? sum : "(no summary)"));
        double b = jget_double(o, "impact.before.acceptance", NAN);
        double a = jget_double(o, "impact.after.acceptance", NAN);
        double d = jget_double(o, "impact.delta", NAN);
        if (isnan(d) && !isnan(a) && !isnan(b))
            d = a - b;
        strbuf_reset(&c->f[4]);
        CK(numfmt_pp(&c->f[4], d, 1));
        const char *cells[] = {p->buf, w->buf, fmt_pct(c, 2, b), fmt_pct(c, 3, a), c->f[4].buf};
        if (i == 0)
            pdf_table_start(c, &t, "Retraining adjustments", cells);
        else {
            pdf_table_prepare(c, &t, cells);
            pdf_table_row(c, &t);
        }
    }
    c->y -= 4;
    pdf_note(c, "Before / after: acceptance rate of the prompt's suggestions before and after the update.",
             C_MUTED, 7.4);
}

static void pdf_data_quality(pdf_ctx *c)
{
    static const pdf_col cols[] = {
        {"MEASURE", 0.70, 0, 0, false, false},
        {"COUNT", 0.30, 1, 0, true, false},
    };
    pdf_table t = {cols, 2, 0, 0};
    bool first = true;
    for (size_t i = 0; i < dqlabel_nfields; i++) {
        const dqlabel_field *f = &dqlabel_fields[i];
        if (!f->pdf)
            continue;
        const char *cells[] = {f->pdf, fmt_int(c, 0, jget_double(c->r, f->path, NAN))};
        if (first) {
            pdf_table_start(c, &t, "Data quality", cells);
            first = false;
        } else {
            pdf_table_prepare(c, &t, cells);
            pdf_table_row(c, &t);
        }
    }
    struct json_object *by = jget(c->r, "data_quality.bad_by_reason");
    if (by && json_object_is_type(by, json_type_object)) {
        strbuf *s = &c->f[6];
        strbuf_reset(s);
        json_object_object_foreach(by, key, val) {
            if (json_object_get_int64(val) <= 0)
                continue;
            CK(strbuf_addf(s, "%s%s ", s->len ? ", " : "Bad lines by reason: ", key));
            CK(numfmt_int(s, json_object_get_int64(val)));
        }
        if (s->len) {
            CK(strbuf_addc(s, '.'));
            c->y -= 4;
            pdf_note(c, s->buf, C_MUTED, 7.6);
        }
    }
}

/* ---- charts ----------------------------------------------------------- */

/* Plot area of a chart whose box starts at (x, top) with size w x h. */
typedef struct pdf_plot {
    double x0, y0, x1, y1;  /* plot rectangle */
    double lo, hi;          /* y range */
} pdf_plot;

static double plot_y(const pdf_plot *p, double v)
{
    return p->y0 + (v - p->lo) / (p->hi - p->lo) * (p->y1 - p->y0);
}

static void pdf_chart_frame(pdf_ctx *c, pdf_plot *p, double x, double top, double w, double h,
                            const char *title, double lo, double hi, double step, bool pct)
{
    char buf[32];
    pdf_text(c, x, top - 10, c->bold, 9, C_INK, 0, title);
    p->x0 = x + 30;
    p->x1 = x + w - 4;
    p->y1 = top - 24;
    p->y0 = top - h + 18;
    p->lo = lo;
    p->hi = hi;
    for (double v = lo; v <= hi + 1e-9; v += step) {
        double yy = plot_y(p, v);
        pdf_line(c, p->x0, yy, p->x1, yy, 0.4, C_RULE);
        if (pct)
            snprintf(buf, sizeof buf, "%.0f%%", v * 100);
        else
            snprintf(buf, sizeof buf, "%.2f", v);
        pdf_text(c, p->x0 - 4, yy - 2.5, c->reg, 6.5, C_MUTED, 1, buf);
    }
    pdf_line(c, p->x0, p->y0, p->x1, p->y0, 0.8, C_MUTED);
}

static void pdf_legend(pdf_ctx *c, double x, double y, pdf_rgb col, bool dashed, bool box, const char *label)
{
    if (box) {
        pdf_rect(c, x, y - 1, 9, 6, col);
    } else {
        pdf_dash(c, dashed);
        pdf_line(c, x, y + 2, x + 10, y + 2, 1.4, col);
        pdf_dash(c, false);
    }
    pdf_text(c, x + 13, y, c->reg, 6.8, C_MUTED, 0, label);
}

static void pdf_chart_daily(pdf_ctx *c, double x, double top, double w, double h)
{
    struct json_object *daily = jget(c->r, "confidence.daily");
    size_t n = jget_len(c->r, "confidence.daily");
    double prev = jget_double(c->r, "confidence.previous_mean", NAN);
    double mn = 1, mx = 0;
    for (size_t i = 0; i < n; i++) {
        double m = jget_double(json_object_array_get_idx(daily, i), "mean", NAN);
        if (!isnan(m)) {
            mn = fmin(mn, m);
            mx = fmax(mx, m);
        }
    }
    if (!isnan(prev)) {
        mn = fmin(mn, prev);
        mx = fmax(mx, prev);
    }
    if (mn > mx) {
        mn = 0;
        mx = 1;
    }
    double lo = floor((mn - 0.02) * 20) / 20, hi = ceil((mx + 0.02) * 20) / 20;
    lo = fmax(0, lo);
    hi = fmin(1, hi);
    if (hi - lo < 0.1)
        hi = fmin(1, lo + 0.1), lo = hi - 0.1;
    double step = (hi - lo) > 0.45 ? 0.2 : (hi - lo) > 0.21 ? 0.1 : 0.05;
    pdf_plot p;
    pdf_chart_frame(c, &p, x, top, w, h, "Mean confidence per day", lo, hi, step, false);
    if (!n) {
        pdf_text(c, (p.x0 + p.x1) / 2, (p.y0 + p.y1) / 2, c->reg, 8, C_MUTED, 2, "no data");
        return;
    }
    double dx = (p.x1 - p.x0) / (double)n;
    if (!isnan(prev)) {
        pdf_dash(c, true);
        pdf_line(c, p.x0, plot_y(&p, prev), p.x1, plot_y(&p, prev), 1, C_ORANGE);
        pdf_dash(c, false);
    }
    pdf_stroke_color(c, C_ACCENT);
    HPDF_Page_SetLineWidth(c->page, 1.6);
    bool pen = false;
    for (size_t i = 0; i < n; i++) {
        double m = jget_double(json_object_array_get_idx(daily, i), "mean", NAN);
        double px = p.x0 + dx * ((double)i + 0.5);
        if (isnan(m)) {
            if (pen)
                HPDF_Page_Stroke(c->page);
            pen = false;
            continue;
        }
        if (pen)
            HPDF_Page_LineTo(c->page, (HPDF_REAL)px, (HPDF_REAL)plot_y(&p, m));
        else
            HPDF_Page_MoveTo(c->page, (HPDF_REAL)px, (HPDF_REAL)plot_y(&p, m));
        pen = true;
    }
    if (pen)
        HPDF_Page_Stroke(c->page);
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(daily, i);
        double m = jget_double(o, "mean", NAN);
        double px = p.x0 + dx * ((double)i + 0.5);
        if (!isnan(m)) {
            pdf_fill_color(c, C_ACCENT);
            HPDF_Page_Circle(c->page, (HPDF_REAL)px, (HPDF_REAL)plot_y(&p, m), 2.4);
            HPDF_Page_Fill(c->page);
        }
        const char *date = jget_str(o, "date", "");
        calendar_date dd;
        char lab[32] = "";
        if (calendar_parse_date(date, 0, &dd))
            snprintf(lab, sizeof lab, "%s %d", calendar_weekday_abbr[dd.weekday], dd.day);
        pdf_text(c, px, p.y0 - 9, c->reg, 6.5, C_MUTED, 2, lab);
    }
    pdf_legend(c, p.x0, top - h + 1, C_ACCENT, false, false, "this week");
    if (!isnan(prev)) {
        char buf[96];
        snprintf(buf, sizeof buf, "mean of %s", c->prev_week);
        pdf_legend(c, p.x0 + 62, top - h + 1, C_ORANGE, true, false, buf);
    }
}

static void pdf_chart_hist(pdf_ctx *c, double x, double top, double w, double h)
{
    double cur[20] = {0}, prev[20] = {0}, tc = 0, tp = 0, mx = 0;
    struct json_object *hc = jget(c->r, "confidence.histogram"), *hp = jget(c->r, "confidence.previous_histogram");
    size_t nc = jget_len(c->r, "confidence.histogram"), np = jget_len(c->r, "confidence.previous_histogram");
    for (size_t i = 0; i < 20; i++) {
        if (i < nc)
            cur[i] = fmax(0, json_object_get_double(json_object_array_get_idx(hc, i)));
        if (i < np)
            prev[i] = fmax(0, json_object_get_double(json_object_array_get_idx(hp, i)));
        tc += cur[i];
        tp += prev[i];
    }
    for (size_t i = 0; i < 20; i++) {
        cur[i] = tc > 0 ? cur[i] / tc : 0;
        prev[i] = tp > 0 ? prev[i] / tp : 0;
        mx = fmax(mx, fmax(cur[i], prev[i]));
    }
    double hi = mx <= 0 ? 0.1 : ceil(mx * 20) / 20;
    double step = hi > 0.4 ? 0.1 : 0.05;
    hi = ceil(hi / step - 1e-9) * step;
    pdf_plot p;
    pdf_chart_frame(c, &p, x, top, w, h, "Confidence distribution (share of suggestions)", 0, hi, step, true);
    double bw = (p.x1 - p.x0) / 20;
    for (size_t i = 0; i < 20; i++)
        if (cur[i] > 0)
            pdf_rect(c, p.x0 + bw * (double)i + 0.6, p.y0, bw - 1.2, plot_y(&p, cur[i]) - p.y0, C_ACCENT);
    if (tp > 0) {
        pdf_stroke_color(c, C_ORANGE);
        HPDF_Page_SetLineWidth(c->page, 1.3);
        HPDF_Page_MoveTo(c->page, (HPDF_REAL)p.x0, (HPDF_REAL)p.y0);
        for (size_t i = 0; i < 20; i++) {
            HPDF_Page_LineTo(c->page, (HPDF_REAL)(p.x0 + bw * (double)i), (HPDF_REAL)plot_y(&p, prev[i]));
            HPDF_Page_LineTo(c->page, (HPDF_REAL)(p.x0 + bw * (double)(i + 1)), (HPDF_REAL)plot_y(&p, prev[i]));
        }
        HPDF_Page_LineTo(c->page, (HPDF_REAL)p.x1, (HPDF_REAL)p.y0);
        HPDF_Page_Stroke(c->page);
    }
    for (int k = 0; k <= 4; k++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%.2f", k * 0.25);
        pdf_text(c, p.x0 + (p.x1 - p.x0) * k / 4, p.y0 - 9, c->reg, 6.5, C_MUTED, 2, buf);
    }
    pdf_legend(c, p.x0, top - h + 1, C_ACCENT, false, true, "this week");
    if (tp > 0) {
        pdf_legend(c, p.x0 + 62, top - h + 1, C_ORANGE, false, false, c->prev_week);
    }
}

static void pdf_chart_reliability(pdf_ctx *c, double x, double top, double w, double h)
{
    pdf_plot p;
    pdf_chart_frame(c, &p, x, top, w, h, "Reliability: confidence vs acceptance", 0, 1, 0.2, true);
    double side = p.x1 - p.x0;  /* the caller makes the plot square */
    pdf_line(c, p.x0, p.y0, p.x0, p.y1, 0.8, C_MUTED);
    pdf_dash(c, true);
    pdf_line(c, p.x0, p.y0, p.x1, p.y1, 1, C_MUTED);
    pdf_dash(c, false);
    struct json_object *cal = jget(c->r, "confidence.calibration");
    size_t n = jget_len(c->r, "confidence.calibration");
    double maxn = 0;
    for (size_t i = 0; i < n; i++)
        maxn = fmax(maxn, jget_double(json_object_array_get_idx(cal, i), "n", 0));
    pdf_stroke_color(c, C_ACCENT);
    HPDF_Page_SetLineWidth(c->page, 1.4);
    bool pen = false;
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(cal, i);
        double mc = jget_double(o, "mean_confidence", NAN), a = jget_double(o, "acceptance", NAN);
        if (isnan(mc) || isnan(a) || jget_double(o, "n", 0) <= 0)
            continue;
        double px = p.x0 + fmin(1, fmax(0, mc)) * side, py = plot_y(&p, fmin(1, fmax(0, a)));
        if (pen)
            HPDF_Page_LineTo(c->page, (HPDF_REAL)px, (HPDF_REAL)py);
        else
            HPDF_Page_MoveTo(c->page, (HPDF_REAL)px, (HPDF_REAL)py);
        pen = true;
    }
    if (pen)
        HPDF_Page_Stroke(c->page);
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(cal, i);
        double mc = jget_double(o, "mean_confidence", NAN), a = jget_double(o, "acceptance", NAN);
        double cnt = jget_double(o, "n", 0);
        if (isnan(mc) || isnan(a) || cnt <= 0)
            continue;
        double px = p.x0 + fmin(1, fmax(0, mc)) * side, py = plot_y(&p, fmin(1, fmax(0, a)));
        pdf_fill_color(c, C_ACCENT);
        HPDF_Page_Circle(c->page, (HPDF_REAL)px, (HPDF_REAL)py, (HPDF_REAL)(1.8 + 3.5 * sqrt(cnt / maxn)));
        HPDF_Page_Fill(c->page);
    }
    for (int k = 0; k <= 5; k++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%.1f", k * 0.2);
        pdf_text(c, p.x0 + side * k / 5 + (k ? 0 : 4), p.y0 - 9, c->reg, 6.5, C_MUTED, 2, buf);
    }
    pdf_legend(c, p.x0, top - h + 1, C_MUTED, true, false, "perfect calibration");
}

static void pdf_confidence(pdf_ctx *c)
{
    double ch = 170;
    pdf_heading(c, "Confidence", BODY_LEAD * 2 + ch);
    strbuf *s = &c->f[6];
    strbuf_reset(s);
    double psi = jget_double(c->r, "confidence.psi", NAN);
    CK(strbuf_adds(s, "Mean confidence "));
    CK(numfmt_dec(s, jget_double(c->r, "confidence.mean", NAN), 3));
    double d = jget_double(c->r, "confidence.delta", NAN);
    if (!isnan(d)) {
        CK(strbuf_adds(s, " ("));
        CK(numfmt_signed(s, d, 3));
        CK(strbuf_addf(s, " vs %s)", c->prev_week));
    }
    CK(strbuf_adds(s, ". Drift against last week: PSI "));
    CK(numfmt_dec(s, psi, 3));
    CK(strbuf_adds(s, ", KS "));
    CK(numfmt_dec(s, jget_double(c->r, "confidence.ks", NAN), 3));
    if (!isnan(psi))
        CK(strbuf_adds(s, psi < 0.1 ? " (below 0.1: no material shift)"
                          : psi < 0.25 ? " (0.1\xe2\x80\x93""0.25: a moderate shift)"
                                       : " (above 0.25: a major shift)"));
    CK(strbuf_adds(s, ". Calibration error (ECE) "));
    CK(numfmt_dec(s, jget_double(c->r, "confidence.ece", NAN), 3));
    CK(strbuf_adds(s, "."));
    pdf_paragraph(c, s->buf, NULL, 0);
    c->y -= 10;
    pdf_need(c, ch);
    double gap = 24, w = (CONTENT_W - gap) / 2;
    pdf_chart_daily(c, MARGIN_X, c->y, w, ch);
    pdf_chart_hist(c, MARGIN_X + w + gap, c->y, w, ch);
    c->y -= ch + 18;
    double rh = 200;
    pdf_need(c, rh);
    double top = c->y;
    pdf_chart_reliability(c, MARGIN_X, top, rh - 42 + 34, rh);
    /* Explanation beside the diagram. */
    const char *expl =
        "Each dot is one band of confidence (0\xe2\x80\x93""0.1, 0.1\xe2\x80\x93""0.2, ...): across, the mean "
        "confidence the AI gave its suggestions in the band; up, the share of them that agents sent as "
        "is. Dots on the dashed diagonal mean the AI's confidence can be taken at face value; dots below "
        "it mean the AI is more confident than agents find it useful. Bigger dots hold more suggestions.";
    pdf_clean(c, 0, expl, true, 0);
    pdftext_lines *L = pdf_wrap_slot(c, 0, c->reg, 8.5, CONTENT_W - 240);
    c->y = top - 26;
    pdf_draw_lines(c, c->t[0].buf, L, MARGIN_X + 240, c->reg, 8.5, 12, C_INK, NULL);
    c->y = fmin(c->y, top - rh) - 6;
}

/* ---- document --------------------------------------------------------- */

static void pdf_info(pdf_ctx *c)
{
    strbuf *s = &c->f[0];
    strbuf_reset(s);
    CK(strbuf_addf(s, PDF_TITLE " %s", c->week));
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_TITLE, s->buf);
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_AUTHOR, "aidigest");
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_CREATOR, "aidigest");
    strbuf_reset(s);
    CK(strbuf_addf(s, "How the %s team's AI reply assistant did in week %s (%s)", c->team, c->week,
                   c->period.buf));
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_SUBJECT, s->buf);
    strbuf_reset(s);
    CK(strbuf_addf(s, "AI digest, support, acceptance, confidence, %s", c->week));
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_KEYWORDS, s->buf);
    if (timeutil_have_source_date()) {
        calendar_date t = calendar_of_ms(timeutil_now_ms());
        HPDF_Date dt = {t.year, t.month, t.day, t.hour, t.min, t.sec, 'Z', 0, 0};
        if (t.year >= 0 && t.year <= 9999) {
            HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_CREATION_DATE, dt);
            HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_MOD_DATE, dt);
        }
    }
}

static void pdf_ctx_release(pdf_ctx *c)
{
    for (int i = 0; i < NSLOT; i++) {
        strbuf_release(&c->t[i]);
        strbuf_release(&c->f[i]);
        pdftext_lines_release(&c->l[i]);
    }
    strbuf_release(&c->meas);
    strbuf_release(&c->vis);
    strbuf_release(&c->tmp);
    strbuf_release(&c->period);
    free(c->pages);
    if (c->pdf)
        HPDF_Free(c->pdf);
}

/* The whole document, between setjmp and the save. */
static void pdf_layout(pdf_ctx *c)
{
    HPDF_SetCompressionMode(c->pdf, HPDF_COMP_ALL);
    HPDF_SetPageMode(c->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
    HPDF_UseUTFEncodings(c->pdf);
    HPDF_SetCurrentEncoder(c->pdf, "UTF-8");
    const char *rn = HPDF_LoadTTFontFromFile(c->pdf, PDF_FONT_REGULAR, HPDF_TRUE);
    const char *bn = HPDF_LoadTTFontFromFile(c->pdf, PDF_FONT_BOLD, HPDF_TRUE);
    c->reg_def = HPDF_GetFontDef(c->pdf, rn);
    c->bold_def = HPDF_GetFontDef(c->pdf, bn);
    c->reg = HPDF_GetFont(c->pdf, rn, "UTF-8");
    c->bold = HPDF_GetFont(c->pdf, bn, "UTF-8");

    /* Week, previous week, team and period, made safe to draw. */
    pdf_clean(c, 0, jget_str(c->r, "week", "?"), false, 40);
    snprintf(c->week, sizeof c->week, "%s", c->t[0].buf);
    const char *pw = jget_str(c->r, "previous.week", NULL);
    if (!pw)
        pw = jget_str(c->r, "previous_week", NULL);
    pdf_clean(c, 0, pw ? pw : "last week", false, 40);
    snprintf(c->prev_week, sizeof c->prev_week, "%s", c->t[0].buf);
    pdf_clean(c, 0, c->team, false, 60);
    CK(strbuf_adds(&c->teamsb, c->t[0].buf));
    c->team = c->teamsb.buf;
    pdf_make_period(c);
    pdf_info(c);

    pdf_new_page(c);
    pdf_title_block(c);
    pdf_overview(c);
    pdf_self_summary(c);
    pdf_summary(c);
    pdf_coach(c);
    pdf_top_used(c);
    pdf_top_rejected(c);
    pdf_confidence(c);
    pdf_trends(c);
    pdf_retraining(c);
    pdf_data_quality(c);
    pdf_footers(c);
}

aid_err pdf_write(struct json_object *report, const char *path, const aid_config *cfg, aid_errbuf *eb)
{
    pdf_ctx *c = calloc(1, sizeof *c);
    strbuf tmp = STRBUF_INIT;
    aid_err err = AID_OK;
    if (!c || fsutil_tmp_path(path, &tmp) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    for (int i = 0; i < NSLOT; i++) {
        strbuf_init(&c->t[i]);
        strbuf_init(&c->f[i]);
    }
    strbuf_init(&c->meas);
    strbuf_init(&c->vis);
    strbuf_init(&c->tmp);
    strbuf_init(&c->period);
    strbuf_init(&c->teamsb);
    c->r = report;
    c->team = cfg && cfg->team_name && *cfg->team_name ? cfg->team_name : "Support";
    if (access(PDF_FONT_REGULAR, R_OK) || access(PDF_FONT_BOLD, R_OK)) {
        err = aid_errbuf_set(eb, AID_ERR_PDF, "%s: font %s not readable (install fonts-dejavu-core)", path,
                             access(PDF_FONT_REGULAR, R_OK) ? PDF_FONT_REGULAR : PDF_FONT_BOLD);
        goto cleanup;
    }
    c->pdf = HPDF_New(pdf_on_error, c);
    if (!c->pdf) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: libharu: out of memory", path);
        goto cleanup;
    }
    if (setjmp(c->jb)) {
        if (c->oom)
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        else if (c->saving)
            err = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot write (libharu error 0x%04lX)", tmp.buf,
                                 c->herr);
        else
            err = aid_errbuf_set(eb, AID_ERR_PDF, "%s: libharu error 0x%04lX (detail %lu)", path, c->herr,
                                 c->hdetail);
        unlink(tmp.buf);
        goto cleanup;
    }
    pdf_layout(c);
    if (c->oom) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    c->saving = true;
    if (HPDF_SaveToFile(c->pdf, tmp.buf) != HPDF_OK) {
        unlink(tmp.buf);
        err = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot write", tmp.buf);
        goto cleanup;
    }
    err = fsutil_commit_tmp(tmp.buf, path, eb);
cleanup:
    if (c) {
        strbuf_release(&c->teamsb);
        pdf_ctx_release(c);
    }
    free(c);
    strbuf_release(&tmp);
    return err;
}
