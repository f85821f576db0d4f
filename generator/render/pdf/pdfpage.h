/*
 * pdfpage.h - the PDF digest's page toolkit (render/pdf/ only): the drawing
 * context, colours and page geometry, sanitised text, pages with headers
 * and footers, headings with bookmarks, paragraphs, tables that repeat
 * their header across pages, and the number formats of the cells
 * (common/numfmt into a slot).
 *
 * Layout keeps a cursor c->y (points from the page bottom) and starts a new
 * page whenever the next block does not fit above the bottom margin. A
 * heading asks for room for itself plus the first line or row that follows
 * it, so it is never stranded; table rows are never split (a cell's text is
 * cut to a few hundred characters first, so every row fits a page) and the
 * table header is repeated on the next page. Footers ("Page 2 of 5") are
 * drawn after layout, when the page count is known.
 *
 * Errors: libharu reports through the handler pdf.c installs, which
 * longjmps back to pdf_write (c->jb); running out of memory sets c->oom
 * (see CK) and drawing goes on, pdf_write then fails with AID_ERR_NOMEM.
 * Every allocation made between setjmp and longjmp lives in the context so
 * that its release frees it. Nothing is printed.
 *
 * Text slots: t[i] holds sanitised text, f[i] formatted values before
 * sanitising, l[i] the wrapped lines of t[i]; a function that takes a slot
 * overwrites it.
 */
#ifndef AID_PDFPAGE_H
#define AID_PDFPAGE_H

#include <hpdf.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "render/pdf/pdftext.h"

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

typedef struct pdfpage_rgb {
    double r, g, b;
} pdfpage_rgb;

static const pdfpage_rgb C_INK = {0.13, 0.15, 0.19};
static const pdfpage_rgb C_MUTED = {0.40, 0.44, 0.50};
static const pdfpage_rgb C_NAVY = {0.08, 0.20, 0.38};
static const pdfpage_rgb C_ACCENT = {0.17, 0.42, 0.74};
static const pdfpage_rgb C_GREEN = {0.05, 0.50, 0.27};
static const pdfpage_rgb C_RED = {0.75, 0.19, 0.15};
static const pdfpage_rgb C_ORANGE = {0.91, 0.52, 0.12};
static const pdfpage_rgb C_RULE = {0.82, 0.85, 0.89};
static const pdfpage_rgb C_HEAD = {0.90, 0.93, 0.97};
static const pdfpage_rgb C_ZEBRA = {0.965, 0.973, 0.984};
static const pdfpage_rgb C_BOX = {0.93, 0.96, 1.00};
static const pdfpage_rgb C_WHITE = {1, 1, 1};
static const pdfpage_rgb C_TITLE_SUB = {0.80, 0.87, 0.96};

#define PDF_MAX_MARKS 24

/* Where a section heading is (for links to it) / a link to one. */
typedef struct pdfpage_mark {
    const char *title;        /* a string literal */
    size_t page;              /* index into pages */
    double y;
} pdfpage_mark;

typedef struct pdfpage_link {
    const char *title;        /* the heading it points at */
    size_t page;
    HPDF_Rect r;
} pdfpage_link;

typedef struct pdfpage_ctx {
    HPDF_Doc pdf;
    jmp_buf jb;
    unsigned long herr, hdetail;
    HPDF_Font reg, bold;
    HPDF_FontDef reg_def, bold_def;
    struct pdffont_state *fs; /* the fallback font (pdffont.c) */
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
    strbuf tick;              /* the axis label being drawn */
    strbuf teamsb;
    int substitutions;
    const char *site_url, *retrain_cfg; /* AIDIGEST_SITE_URL, AIDIGEST_RETRAIN_URL (or NULL) */
    bool publish_agents;      /* publish_agents: the segments by agent are shown (pdfsegments) */
    strbuf page_url;          /* the week's web page ("" when unknown) */
    strbuf retrain_url;       /* the Retrain control's link ("" when none) */
    pdfpage_mark marks[PDF_MAX_MARKS];
    size_t nmarks;
    pdfpage_link links[PDF_MAX_MARKS];
    size_t nlinks;
} pdfpage_ctx;

/* Note an out-of-memory result (< 0) of expr in c->oom. */
#define CK(expr) do { if ((expr) < 0) c->oom = true; } while (0)

typedef struct pdfpage_col {
    const char *title;
    double w;           /* share of the content width */
    int align;          /* 0 left, 1 right */
    size_t max_cp;      /* cut longer text (0 = no limit) */
    bool bold;
    bool tone;          /* colour "+..." green and "−..." red */
} pdfpage_col;

typedef struct pdfpage_table {
    const pdfpage_col *cols;
    size_t ncols;
    double row_h;       /* height of the prepared row */
    int rows;           /* rows drawn (for zebra stripes) */
} pdfpage_table;

#define TABLE_HEAD_H 17.0

/* Sanitise s into c->t[slot] (replacing it); returns the text. */
const char *pdfpage_clean(pdfpage_ctx *c, int slot, const char *s, bool keep_newlines, size_t max_cp);

void pdfpage_font(pdfpage_ctx *c, HPDF_Font f, double size);

double pdfpage_measure(void *ctx, const char *s, size_t len);

double pdfpage_width(pdfpage_ctx *c, HPDF_Font f, double size, const char *s);

/* Wrap c->t[slot] into c->l[slot] for the given font and width. */
pdftext_lines *pdfpage_wrap_slot(pdfpage_ctx *c, int slot, HPDF_Font f, double size, double width);

void pdfpage_fill_color(pdfpage_ctx *c, pdfpage_rgb col);

void pdfpage_stroke_color(pdfpage_ctx *c, pdfpage_rgb col);

/* Draw one line of sanitised text with its baseline at y. align: 0 left
 * (x is the left edge), 1 right (x is the right edge), 2 centred. */
void pdfpage_text_n(pdfpage_ctx *c, double x, double y, HPDF_Font f, double size, pdfpage_rgb col,
                    int align, const char *s, size_t len);

void pdfpage_text(pdfpage_ctx *c, double x, double y, HPDF_Font f, double size, pdfpage_rgb col,
                  int align, const char *s);

void pdfpage_rect(pdfpage_ctx *c, double x, double y, double w, double h, pdfpage_rgb col);

void pdfpage_line(pdfpage_ctx *c, double x1, double y1, double x2, double y2, double lw, pdfpage_rgb col);

void pdfpage_dash(pdfpage_ctx *c, bool on);

void pdfpage_new_page(pdfpage_ctx *c);

/* Make room for h points, starting a new page if needed. */
void pdfpage_need(pdfpage_ctx *c, double h);

void pdfpage_footers(pdfpage_ctx *c);

/* A section heading with a bookmark; keep = the height of what must follow
 * it on the same page (its first line or row). title: a string literal
 * (links to the section name it, pdfpage_link_to). */
void pdfpage_heading(pdfpage_ctx *c, const char *title, double keep);

/* A link on this page, over the rectangle (x0, y0)-(x1, y1), to the
 * heading titled `title`; made by pdfpage_links once every heading is
 * placed (a title without a heading gives no link). */
void pdfpage_link_to(pdfpage_ctx *c, const char *title, double x0, double y0, double x1, double y1);

/* A link to a web address (http or https, checked by the caller) over
 * the rectangle, without a border. */
void pdfpage_uri(pdfpage_ctx *c, const char *uri, double x0, double y0, double x1, double y1);

/* After layout: the links of pdfpage_link_to. */
void pdfpage_links(pdfpage_ctx *c);

double pdfpage_baseline(double top, double lead, double size);

/* Draw lines of text (wrapped from `text`) at x; when bg is set, each
 * page's part gets a box with an accent bar. Breaks pages between lines. */
void pdfpage_draw_lines(pdfpage_ctx *c, const char *text, const pdftext_lines *L, double x,
                        HPDF_Font f, double size, double lead, pdfpage_rgb col, const pdfpage_rgb *bg);

/* A paragraph of body text from the report (sanitised here). */
void pdfpage_paragraph(pdfpage_ctx *c, const char *s, const pdfpage_rgb *bg, size_t max_cp);

/* Body text that is ours (no sanitising needed, but harmless). */
void pdfpage_note(pdfpage_ctx *c, const char *s, pdfpage_rgb col, double size);

void pdfpage_table_head(pdfpage_ctx *c, const pdfpage_table *t);

/* Sanitise and wrap one row's cells (strings may be NULL); sets row_h. */
double pdfpage_table_prepare(pdfpage_ctx *c, pdfpage_table *t, const char *const *cells);

/* Draw the prepared row; a new page (with the header again) when it does
 * not fit. */
void pdfpage_table_row(pdfpage_ctx *c, pdfpage_table *t);

/* Heading + header + first row together (cells of the first row). */
void pdfpage_table_start(pdfpage_ctx *c, pdfpage_table *t, const char *heading, const char *const *cells);

/* Cell values through common/numfmt into f[slot]: 12,345 / 36.9% / 0.742. */
const char *pdfpage_fmt_int(pdfpage_ctx *c, int slot, double v);

const char *pdfpage_fmt_pct(pdfpage_ctx *c, int slot, double v);

const char *pdfpage_fmt_dec(pdfpage_ctx *c, int slot, double v, int d);

/* An axis label through common/numfmt: "25%" (pct, no decimals) or v with
 * decimals digits; valid until the next call. */
const char *pdfpage_fmt_tick(pdfpage_ctx *c, double v, bool pct, int decimals);

/* a / b, NAN when either is NAN or b is 0. */
double pdfpage_ratio(double a, double b);

/* Set up the buffers of a zeroed context / free everything it holds
 * (libharu's document included); release accepts a context that was
 * only zeroed. */
void pdfpage_ctx_init(pdfpage_ctx *c);
void pdfpage_ctx_release(pdfpage_ctx *c);

#endif
