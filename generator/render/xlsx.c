#include "render/xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "common/calendar.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "common/timeutil.h"
#include "render/cilabel.h"
#include "render/dqlabel.h"
#include "render/html.h"
#include "render/weeks.h"
#include "render/segview.h"
#include "render/costlabel.h"
#include "render/xlsxquote.h"

/* ---------------------------------------------------------------- text */

/* Decode one code point at s[0..len). Returns the number of bytes used
 * (>= 1) and sets *cp, or *cp = -1 for an invalid sequence; then the count
 * covers the maximal valid prefix (the Unicode "maximal subpart"), so one
 * U+FFFD replaces it. */
static size_t xlsx_utf8_next(const unsigned char *s, size_t len, long *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    long v;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;          /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F;          /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;          /* nothing above U+10FFFF */
    } else {
        *cp = -1;               /* continuation byte, C0, C1, F5..FF */
        return 1;
    }
    size_t i = 1;
    for (; i <= need; i++) {
        if (i >= len || s[i] < lo || s[i] > hi) {
            *cp = -1;
            return i;
        }
        v = (v << 6) | (s[i] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return i;
}

static int xlsx_put_cp(strbuf *out, long cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return strbuf_add(out, b, n);
}

int xlsx_sanitize(const char *s, size_t len, size_t max_units, strbuf *out)
{
    static const size_t marker_units = 13;   /* "… [truncated]" */
    const unsigned char *p = (const unsigned char *)s;
    size_t units = 0;
    size_t cut_len = 0;       /* out->len where the marker would go */
    bool cut_known = false;
    strbuf_reset(out);
    if (!s)
        return 0;
    for (size_t i = 0; i < len;) {
        long cp;
        i += xlsx_utf8_next(p + i, len - i, &cp);
        if (cp < 0)
            cp = 0xFFFD;
        if (cp == '\r') {
            if (i < len && p[i] == '\n')
                continue;
            cp = '\n';
        }
        if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0xFFFE || cp == 0xFFFF)
            continue;
        size_t u = cp >= 0x10000 ? 2 : 1;
        if (!cut_known && units + u + marker_units > max_units) {
            cut_len = out->len;   /* the marker fits after what came before */
            cut_known = true;
        }
        if (units + u > max_units) {
            strbuf_setlen(out, cut_len);
            return strbuf_adds(out, XLSX_TRUNC_MARKER) < 0 ? -1 : 0;
        }
        units += u;
        if (xlsx_put_cp(out, cp) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ workbook */

typedef enum xcol_type {
    XC_TEXT,      /* short text, not wrapped */
    XC_WRAP,      /* long text, wrapped, wide */
    XC_INT,       /* a count: #,##0 */
    XC_RANK,      /* the row number, 1-based (no path) */
    XC_PCT,       /* a share: 0.0% */
    XC_DPP,       /* a change of a share, in percentage points: +0.0 "pp" */
    XC_DEC,       /* 0.000 */
    XC_DEC2,      /* 0.00 */
    XC_DDEC,      /* a signed change: +0.000 */
    XC_DINT,      /* a signed count change */
    XC_MONEY,     /* an amount of the team's currency: 0.000000 */
    XC_DMONEY,    /* a signed change of one: +0.000000 */
    XC_DATE,      /* "YYYY-MM-DD" -> a date */
    XC_DATETIME,  /* RFC 3339 -> a date and time (UTC) */
    XC_LIST,      /* an array of strings, one per line */
    /* Formats that are not column types. */
    XF_TITLE = XC_LIST + 1,
    XF_LABEL,
    XF_HEADING,
    XF_PARA,
    XF_NOTE,
    XF_HEAD,
    XF_COUNT
} xcol_type;

typedef struct xcol {
    const char *header;
    const char *path;      /* in each row object; "" = the row itself */
    xcol_type type;
    double width;          /* 0 = by type */
} xcol;

/* The most columns a sheet uses (tables side by side with a gap). */
#define XW_MAX_COLS 32

typedef struct xw {
    lxw_workbook *wb;
    lxw_format *fmt[XF_COUNT];
    lxw_format *quoted[XF_COUNT];  /* twins with the quote prefix, made on demand */
    int32_t qxf[XF_COUNT];         /* their xf indexes (xlsxquote.h) */
    size_t nq;
    lxw_format *title, *label, *heading, *para, *note, *head;
    /* The sheet being written: its column widths (0 = the default) and
     * the height each row needs for its wrapped text (0 = one line). */
    double colw[XW_MAX_COLS];
    double *rowh;
    size_t nrowh;
    strbuf sb;             /* scratch for sanitised text */
    lxw_error lerr;        /* the first library error */
    const char *what;      /* where it happened */
} xw;

#define XW_NONE_TEXT "(none this week)"

static void xw_fail(xw *x, lxw_error e, const char *what)
{
    if (e != LXW_NO_ERROR && x->lerr == LXW_NO_ERROR) {
        x->lerr = e;
        x->what = what;
    }
}

/* Format i (a column type or XF_*), made anew each call. */
static lxw_format *xw_make_format(xw *x, int i)
{
    static const struct {
        const char *num;
        bool wrap, bold, italic, gray;
        double size;
    } spec[XF_COUNT] = {
        [XC_TEXT] = { NULL, false, false, false, false, 0 },
        [XC_WRAP] = { NULL, true, false, false, false, 0 },
        [XC_INT] = { "#,##0", false, false, false, false, 0 },
        [XC_RANK] = { "0", false, false, false, false, 0 },
        [XC_PCT] = { "0.0%", false, false, false, false, 0 },
        [XC_DPP] = { "+0.0 \"pp\";-0.0 \"pp\";0.0 \"pp\"", false, false, false, false, 0 },
        [XC_DEC] = { "0.000", false, false, false, false, 0 },
        [XC_DEC2] = { "0.00", false, false, false, false, 0 },
        [XC_DDEC] = { "+0.000;-0.000;0.000", false, false, false, false, 0 },
        [XC_DINT] = { "+#,##0;-#,##0;0", false, false, false, false, 0 },
        [XC_MONEY] = { "0.000000", false, false, false, false, 0 },
        [XC_DMONEY] = { "+0.000000;-0.000000;0.000000", false, false, false, false, 0 },
        [XC_DATE] = { "yyyy-mm-dd", false, false, false, false, 0 },
        [XC_DATETIME] = { "yyyy-mm-dd hh:mm", false, false, false, false, 0 },
        [XC_LIST] = { NULL, true, false, false, false, 0 },
        [XF_TITLE] = { NULL, false, true, false, false, 16 },
        [XF_LABEL] = { NULL, false, true, false, false, 0 },
        [XF_HEADING] = { NULL, false, true, false, false, 12 },
        [XF_PARA] = { NULL, true, false, false, false, 0 },
        [XF_NOTE] = { NULL, true, false, true, true, 0 },
        [XF_HEAD] = { NULL, true, true, false, false, 0 },
    };
    lxw_format *f = workbook_add_format(x->wb);
    if (!f)
        return NULL;
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (spec[i].num)
        format_set_num_format(f, spec[i].num);
    if (spec[i].wrap)
        format_set_text_wrap(f);
    if (spec[i].bold)
        format_set_bold(f);
    if (spec[i].italic)
        format_set_italic(f);
    if (spec[i].gray)
        format_set_font_color(f, LXW_COLOR_GRAY);
    if (spec[i].size > 0)
        format_set_font_size(f, spec[i].size);
    return f;
}

static bool xw_formats(xw *x)
{
    for (int i = 0; i < XF_COUNT; i++)
        if (!(x->fmt[i] = xw_make_format(x, i)))
            return false;
    x->title = x->fmt[XF_TITLE];
    x->label = x->fmt[XF_LABEL];
    x->heading = x->fmt[XF_HEADING];
    x->para = x->fmt[XF_PARA];
    x->note = x->fmt[XF_NOTE];
    x->head = x->fmt[XF_HEAD];
    return true;
}

/* The twin of f for a text that needs the quote prefix (xlsxquote.h): the
 * same format marked hidden, so that libxlsxwriter gives it an xf of its
 * own, whose index is fixed here and patched after workbook_close. f
 * itself when f is not one of ours (NULL), or when out of memory (noted). */
static lxw_format *xw_quoted(xw *x, lxw_format *f)
{
    int i = 0;
    while (i < XF_COUNT && x->fmt[i] != f)
        i++;
    if (i == XF_COUNT)
        return f;
    if (!x->quoted[i]) {
        lxw_format *q = xw_make_format(x, i);
        if (!q) {
            xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "quote prefix format");
            return f;
        }
        format_set_hidden(q);
        /* The default format holds xf 0, so 0 (or less) here is
         * libxlsxwriter out of memory. */
        int32_t xf = lxw_format_get_xf_index(q);
        if (xf <= 0) {
            xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "quote prefix format");
            return f;
        }
        x->quoted[i] = q;
        x->qxf[x->nq++] = xf;
    }
    return x->quoted[i];
}

/* Excel reads "_xHHHH_" in a cell's text as an escaped character; a
 * literal one is written with its underscore escaped ("_x005F_xHHHH_"). */
static bool xw_is_esc(const char *p)
{
    if (p[0] != '_' || p[1] != 'x')
        return false;
    for (int i = 2; i < 6; i++)
        if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
            return false;
    return p[6] == '_';
}

/* Sanitise s into x->sb, escaped for Excel. -1 when out of memory. */
static int xw_text(xw *x, const char *s)
{
    if (xlsx_sanitize(s, strlen(s), XLSX_CELL_MAX, &x->sb) < 0)
        return -1;
    size_t k = 0;
    for (const char *p = x->sb.buf; (p = strstr(p, "_x")); p++)
        k += xw_is_esc(p);
    if (!k)
        return 0;
    /* Each escape adds 6 characters: leave room for them. */
    if (xlsx_sanitize(s, strlen(s), XLSX_CELL_MAX - 6 * k, &x->sb) < 0)
        return -1;
    strbuf esc = STRBUF_INIT;
    for (const char *p = x->sb.buf; *p; p++) {
        if (xw_is_esc(p) && strbuf_adds(&esc, "_x005F") < 0)
            goto nomem;
        if (strbuf_addc(&esc, *p) < 0)
            goto nomem;
    }
    strbuf_release(&x->sb);
    x->sb = esc;
    return 0;
nomem:
    strbuf_release(&esc);
    return -1;
}

/* Write text (sanitised; empty = a blank cell with the format). */
static void xw_str(xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                   lxw_format *f)
{
    strbuf_reset(&x->sb);   /* it tells the caller what was written */
    if (s && xw_text(x, s) < 0) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "text");
        return;
    }
    if (!s || !x->sb.len)
        xw_fail(x, worksheet_write_blank(ws, r, c, f), "blank cell");
    else
        xw_fail(x, worksheet_write_string(ws, r, c, x->sb.buf,
                                          xlsxquote_needed(x->sb.buf) ? xw_quoted(x, f) : f),
                "text cell");
}

static bool xw_is_num(struct json_object *v)
{
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return false;
    return isfinite(json_object_get_double(v));
}

static void xw_num(xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (isfinite(v))
        xw_fail(x, worksheet_write_number(ws, r, c, v, f), "number cell");
    else
        xw_fail(x, worksheet_write_blank(ws, r, c, f), "blank cell");
}

/* "YYYY-MM-DD" strictly; false when it is not a date. */
static bool xw_parse_date(const char *s, int64_t *secs)
{
    calendar_date d;
    if (!calendar_parse_date(s, CALENDAR_WHOLE | CALENDAR_REAL, &d))
        return false;
    *secs = d.days * 86400;
    return true;
}

/* Excel (1900 system) cannot show dates before 1900; keep those as text. */
static bool xw_excel_time_ok(int64_t secs)
{
    return secs >= -2208988800LL && secs < 253402300800LL;
}

static void xw_time(xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                    bool date_only, lxw_format *f)
{
    int64_t secs = 0;
    bool ok;
    if (!s || !*s) {
        xw_fail(x, worksheet_write_blank(ws, r, c, f), "blank cell");
        return;
    }
    if (date_only) {
        ok = xw_parse_date(s, &secs);
    } else {
        int64_t ms;
        ok = timeutil_parse_rfc3339(s, strlen(s), &ms);
        secs = ms / 1000 - (ms % 1000 < 0);
    }
    if (ok && xw_excel_time_ok(secs))
        xw_fail(x, worksheet_write_unixtime(ws, r, c, secs, f), "date cell");
    else
        xw_str(x, ws, r, c, s, f);   /* not a time: show what the report says */
}

/* One cell of a table from a JSON value, by column type. */
static void xw_cell(xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const xcol *col,
                    struct json_object *v, size_t index)
{
    lxw_format *f = x->fmt[col->type];
    switch (col->type) {
    case XC_TEXT:
    case XC_WRAP:
        if (json_object_is_type(v, json_type_string))
            xw_str(x, ws, r, c, json_object_get_string(v), f);
        else if (xw_is_num(v) || json_object_is_type(v, json_type_boolean))
            xw_str(x, ws, r, c, json_object_to_json_string(v), f);
        else
            xw_str(x, ws, r, c, NULL, f);
        break;
    case XC_RANK:
        xw_num(x, ws, r, c, (double)(index + 1), f);
        break;
    case XC_DATE:
    case XC_DATETIME:
        xw_time(x, ws, r, c, json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                      : NULL,
                col->type == XC_DATE, f);
        break;
    case XC_LIST: {
        strbuf lines = STRBUF_INIT;
        size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
        for (size_t i = 0; i < n; i++) {
            struct json_object *e = json_object_array_get_idx(v, i);
            if (!json_object_is_type(e, json_type_string))
                continue;
            if ((lines.len && strbuf_addc(&lines, '\n') < 0) ||
                strbuf_adds(&lines, "\xE2\x80\xA2 ") < 0 ||
                strbuf_adds(&lines, json_object_get_string(e)) < 0)
                xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "list cell");
        }
        xw_str(x, ws, r, c, lines.len ? lines.buf : NULL, f);
        strbuf_release(&lines);
        break;
    }
    case XC_DPP:   /* report.json has the change of a share; the cell, points */
        xw_num(x, ws, r, c, xw_is_num(v) ? 100.0 * json_object_get_double(v) : NAN, f);
        break;
    default:
        xw_num(x, ws, r, c, xw_is_num(v) ? json_object_get_double(v) : NAN, f);
        break;
    }
}

static double xw_default_width(xcol_type t)
{
    switch (t) {
    case XC_WRAP:
    case XC_LIST:
        return 60;
    case XC_TEXT:
        return 22;
    case XC_RANK:
        return 7;
    case XC_DATE:
        return 12;
    case XC_DATETIME:
        return 17;
    default:
        return 13;
    }
}

/* ------------------------------------------------------ rows and pages */

/* Excel's "character" column width in printer points (Calibri 11: a
 * width w is w * 7 + 5 pixels at 96 dpi). */
#define XW_PT_PER_PX 0.75
/* A4 landscape less libxlsxwriter's margins (0.7 in left and right,
 * 0.75 in top and bottom), in points. */
#define XW_PAGE_W (841.9 - 2 * 0.7 * 72)
#define XW_PAGE_H (595.3 - 2 * 0.75 * 72)
/* The smallest print scale still readable (11 pt text at 7.7 pt). */
#define XW_MIN_SCALE 0.70
/* One line of 11 pt text, and a row's padding, in points. */
#define XW_LINE_PT 15.0
#define XW_ROW_PAD 3.0
/* Excel's tallest row. */
#define XW_ROW_MAX 409.0
/* A chart's distance below the page break it starts after, in pixels: on
 * the break itself LibreOffice prints its top border on the page before. */
#define XW_CHART_DY 6

static double xw_col_pt(double w)
{
    return (w * 7 + 5) * XW_PT_PER_PX;
}

/* How wide a code point shows, in digit widths: 0 for combining marks, 2
 * for East Asian wide characters and emoji, else 1. */
static int xw_cp_width(long cp)
{
    if ((cp >= 0x300 && cp <= 0x36F) || cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0x1F000 && cp <= 0x1FAFF) || cp >= 0x20000)
        return 2;
    return 1;
}

/* Lines a wrapped text takes in a column `width` characters wide: words
 * are wrapped greedily at spaces as Excel and LibreOffice do, a word
 * longer than a line is broken, and every LF starts a line. An estimate
 * (proportional fonts): it errs towards one line too many, never towards
 * text printed over the next row. */
static size_t xw_text_lines(const char *s, double width)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    double room = width - 1 > 4 ? width - 1 : 4;   /* the cell's padding */
    size_t lines = 1;
    double col = 0, word = 0;   /* the line so far; the word being read */
    for (size_t i = 0; i < len;) {
        long cp;
        i += xlsx_utf8_next(p + i, len - i, &cp);
        if (cp == '\n') {
            lines++;
            col = word = 0;
            continue;
        }
        int w = cp < 0 ? 1 : xw_cp_width(cp);
        if (cp == ' ' || cp == '\t') {
            col += 1;
            word = 0;
            if (col > room) {   /* spaces at the end of a line hang */
                col = room;
            }
            continue;
        }
        if (col + w > room) {
            lines++;
            /* The word moves to the new line whole, unless it is the
             * whole of the line already. */
            col = word < col && word + w <= room ? word : 0;
            if (col == 0)
                word = 0;
        }
        col += w;
        word += w;
    }
    return lines;
}

/* The height a row of `lines` lines needs, in points. */
static double xw_lines_height(size_t lines)
{
    double h = (double)lines * XW_LINE_PT + XW_ROW_PAD;
    return h > XW_ROW_MAX ? XW_ROW_MAX : h;
}

/* Row r of the sheet must show `lines` lines (kept: the tallest need of
 * every table on the row). */
static void xw_row_need(xw *x, lxw_row_t r, size_t lines)
{
    if (lines <= 1)
        return;
    if (r >= x->nrowh) {
        size_t n = x->nrowh ? x->nrowh : 64;
        while (n <= r)
            n *= 2;
        double *h = realloc(x->rowh, n * sizeof *h);
        if (!h) {
            xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "row heights");
            return;
        }
        memset(h + x->nrowh, 0, (n - x->nrowh) * sizeof *h);
        x->rowh = h;
        x->nrowh = n;
    }
    double need = xw_lines_height(lines);
    if (need > x->rowh[r])
        x->rowh[r] = need;
}

/* The sheet's printed width in points at 100 %. */
static double xw_sheet_width(const xw *x)
{
    int last = -1;
    for (int c = 0; c < XW_MAX_COLS; c++)
        if (x->colw[c] > 0)
            last = c;
    double pt = 0;
    for (int c = 0; c <= last; c++)
        pt += xw_col_pt(x->colw[c] > 0 ? x->colw[c] : LXW_DEF_COL_WIDTH);
    return pt;
}

/* Finish a list sheet: the rows' heights for their wrapped text (neither
 * Excel nor LibreOffice fits the rows of a file written by libxlsxwriter
 * when it is opened), and the print set-up: A4 landscape, the header row
 * on every page, fitted to one page wide where that keeps a readable scale (at least
 * XW_MIN_SCALE); a wider sheet prints at that scale on pages side by side,
 * its first column repeated on each. Charts start a page of their own
 * (breaks, up to 7 rows, 0-terminated). */
static void xw_sheet_done(xw *x, lxw_worksheet *ws, const lxw_row_t *breaks)
{
    for (size_t r = 0; r < x->nrowh; r++)
        if (x->rowh[r] > 0)
            xw_fail(x, worksheet_set_row(ws, (lxw_row_t)r, x->rowh[r], NULL), "row height");
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);           /* A4 */
    xw_fail(x, worksheet_repeat_rows(ws, 0, 0), "print titles");
    double scale = XW_PAGE_W / xw_sheet_width(x);
    if (scale < XW_MIN_SCALE) {
        worksheet_set_print_scale(ws, (uint16_t)(XW_MIN_SCALE * 100 + 0.5));
        xw_fail(x, worksheet_repeat_columns(ws, 0, 0), "print titles");
    } else {
        /* Also when the estimate says it fits: LibreOffice's columns are
         * a little wider than Excel's, and fitting never enlarges. */
        worksheet_fit_to_pages(ws, 1, 0);
    }
    if (breaks && breaks[0])
        xw_fail(x, worksheet_set_h_pagebreaks(ws, (lxw_row_t *)breaks), "page breaks");
    memset(x->colw, 0, sizeof x->colw);
    if (x->rowh)
        memset(x->rowh, 0, x->nrowh * sizeof *x->rowh);
}

/* A table at (r0, c0): header row, one row per element of `rows` (an array
 * of objects, or of anything for path ""), or one "(none this week)" row
 * when there is none. Returns the row after the table. */
static lxw_row_t xw_table(xw *x, lxw_worksheet *ws, const char *name, lxw_row_t r0,
                          lxw_col_t c0, const xcol *cols, size_t ncols, struct json_object *rows)
{
    size_t n = json_object_is_type(rows, json_type_array) ? json_object_array_length(rows) : 0;
    lxw_table_column tc[24];
    lxw_table_column *tcp[25];
    if (ncols > 24) {
        xw_fail(x, LXW_ERROR_PARAMETER_VALIDATION, name);
        return r0;
    }
    for (size_t j = 0; j < ncols; j++) {
        memset(&tc[j], 0, sizeof tc[j]);
        tc[j].header = (char *)cols[j].header;
        tc[j].format = x->fmt[cols[j].type];
        tc[j].header_format = x->head;
        tcp[j] = &tc[j];
        double w = cols[j].width > 0 ? cols[j].width : xw_default_width(cols[j].type);
        xw_fail(x, worksheet_set_column(ws, (lxw_col_t)(c0 + j), (lxw_col_t)(c0 + j), w,
                                        x->fmt[cols[j].type]), name);
        if (c0 + j < XW_MAX_COLS)
            x->colw[c0 + j] = w;
        xw_row_need(x, r0, xw_text_lines(cols[j].header, w));
    }
    tcp[ncols] = NULL;
    for (size_t i = 0; i < n; i++) {
        struct json_object *row = json_object_array_get_idx(rows, i);
        for (size_t j = 0; j < ncols; j++) {
            struct json_object *v = NULL;
            if (cols[j].path)
                v = cols[j].path[0] ? jget(row, cols[j].path) : row;
            xw_cell(x, ws, (lxw_row_t)(r0 + 1 + i), (lxw_col_t)(c0 + j), &cols[j], v, i);
            if ((cols[j].type == XC_WRAP || cols[j].type == XC_LIST) && x->sb.len)
                xw_row_need(x, (lxw_row_t)(r0 + 1 + i),
                            xw_text_lines(x->sb.buf, c0 + j < XW_MAX_COLS ? x->colw[c0 + j] : 60));
        }
    }
    if (n == 0) {
        /* Excel wants a data row: say that the list is empty, in the first
         * text column. */
        size_t tj = 0;
        for (size_t j = 0; j < ncols; j++)
            if (cols[j].type == XC_TEXT || cols[j].type == XC_WRAP) {
                tj = j;
                break;
            }
        for (size_t j = 0; j < ncols; j++) {
            lxw_format *f = x->fmt[cols[j].type];
            if (j == tj) {
                xw_fail(x, worksheet_write_string(ws, r0 + 1, (lxw_col_t)(c0 + j), XW_NONE_TEXT,
                                                  x->note), name);
                xw_row_need(x, (lxw_row_t)(r0 + 1),
                            xw_text_lines(XW_NONE_TEXT, c0 + j < XW_MAX_COLS ? x->colw[c0 + j] : 0));
            }
            else
                xw_fail(x, worksheet_write_blank(ws, r0 + 1, (lxw_col_t)(c0 + j), f), name);
        }
        n = 1;
    }
    lxw_table_options opt;
    memset(&opt, 0, sizeof opt);
    opt.name = (char *)name;
    opt.style_type = LXW_TABLE_STYLE_TYPE_MEDIUM;
    opt.style_type_number = 2;
    opt.columns = tcp;
    xw_fail(x, worksheet_add_table(ws, r0, c0, (lxw_row_t)(r0 + n), (lxw_col_t)(c0 + ncols - 1),
                                   &opt), name);
    return (lxw_row_t)(r0 + n + 1);
}

static lxw_worksheet *xw_sheet(xw *x, const char *name)
{
    /* Sheet names are fixed here and <= 31 characters (Excel's limit). */
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, name);
    return ws;
}

/* Build an object into an array (NULL-safe helpers for derived tables). */
static struct json_object *xw_jnum(xw *x, double v)
{
    struct json_object *o = isfinite(v) ? json_object_new_double(v) : NULL;
    if (isfinite(v) && !o)
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "number");
    return o;
}

/* --------------------------------------------------------------- sheets */

/* Rows of the key-figure table on Summary. */
typedef struct xfig {
    const char *label;
    const char *now;       /* path of this week's value */
    const char *prev;      /* path of the previous week's value, or NULL */
    const char *delta;     /* path of a ready-made change, or NULL (computed) */
    xcol_type type;        /* XC_INT, XC_PCT, XC_DEC */
    /* schema 2 (NULL or absent in a schema-1 report: empty cells): the
     * verdict, this week's 95 % interval and the change's */
    const char *verdict, *ci, *change_ci;
} xfig;

static const xfig xw_figs[] = {
    { "Suggestions", "totals.suggestions", "previous.totals.suggestions", NULL, XC_INT, NULL, NULL, NULL },
    { "Accepted as is", "totals.accepted", "previous.totals.accepted", NULL, XC_INT, NULL, NULL, NULL },
    { "Edited", "totals.edited", "previous.totals.edited", NULL, XC_INT, NULL, NULL, NULL },
    { "Rejected", "totals.rejected", "previous.totals.rejected", NULL, XC_INT, NULL, NULL, NULL },
    { "Ignored", "totals.ignored", "previous.totals.ignored", NULL, XC_INT, NULL, NULL, NULL },
    { "Acceptance rate", "rates.acceptance", "previous.rates.acceptance", NULL, XC_PCT, "changes.acceptance.verdict", "rates.acceptance_ci", "changes.acceptance.delta_ci" },
    { "Use rate (accepted + edited)", "rates.use", "previous.rates.use", NULL, XC_PCT, "changes.use.verdict", "rates.use_ci", "changes.use.delta_ci" },
    { "Rejection rate", "rates.rejection", "previous.rates.rejection", NULL, XC_PCT, "changes.rejection.verdict", "rates.rejection_ci", "changes.rejection.delta_ci" },
    { "Mean confidence", "confidence.mean", "confidence.previous_mean", "confidence.delta", XC_DEC, "confidence.delta_verdict", NULL, "confidence.delta_ci" },
    { "Calibration error (ECE)", "confidence.ece", "previous.ece", NULL, XC_DEC, NULL, NULL, NULL },
    { "Calibration error, 15 equal-mass bins", "confidence.ece_equal_mass", NULL, NULL, XC_DEC, NULL, NULL, NULL },
    { "Brier score", "confidence.brier", NULL, NULL, XC_DEC, NULL, NULL, NULL },
    { "Confidence drift (PSI)", "confidence.psi", NULL, NULL, XC_DEC, "confidence.drift.psi_verdict", NULL, NULL },
    { "Drift p-value (PSI)", "confidence.drift.psi_p", NULL, NULL, XC_DEC, NULL, NULL, NULL },
    { "Confidence drift (KS)", "confidence.ks", NULL, NULL, XC_DEC, "confidence.drift.ks_verdict", NULL, NULL },
    { "Drift p-value (KS)", "confidence.drift.ks_p", NULL, NULL, XC_DEC, NULL, NULL, NULL },
    { "Drift verdict (PSI and KS)", NULL, NULL, NULL, XC_DEC, "confidence.drift.verdict", NULL, NULL },
    { "AI wins (accepted as is)", "coach.ai_wins", NULL, NULL, XC_INT, NULL, NULL, NULL },
    { "Vindicated AI replies", "coach.vindicated", NULL, NULL, XC_INT, NULL, NULL, NULL },
    { "Corrections", "totals.corrections", "previous.totals.corrections", NULL, XC_INT, NULL, NULL, NULL },
    { "Bad input lines", "data_quality.bad_lines", NULL, NULL, XC_INT, NULL, NULL, NULL },
};

static double xw_jd(struct json_object *report, const char *path)
{
    if (!path)
        return NAN;
    struct json_object *v = jget(report, path);
    return xw_is_num(v) ? json_object_get_double(v) : NAN;
}

/* Where Summary's printed page has got to: the height used on the page
 * (points, A4 portrait at 100 %: fitting to the width only shrinks) and
 * the page breaks placed so far (0-terminated). */
#define XW_PORTRAIT_H (841.9 - 2 * 0.75 * 72)
typedef struct xw_flow {
    double y;
    lxw_row_t breaks[4];
    size_t nb;
} xw_flow;

/* A heading and its text below it, merged over columns 0..last_col
 * (`chars` wide), then a blank row. The heading starts a new page when
 * the text would not fit under it on this one. */
static lxw_row_t xw_paragraph(xw *x, lxw_worksheet *ws, lxw_row_t r, const char *heading,
                              const char *text, lxw_col_t last_col, double chars, xw_flow *fl)
{
    if (text && xw_text(x, text) < 0) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, heading);
        return r;
    }
    const char *t = text && x->sb.len ? x->sb.buf : "\xE2\x80\x93";
    double h = xw_lines_height(xw_text_lines(t, chars));
    if (fl->y > 0 && fl->y + XW_LINE_PT + h > XW_PORTRAIT_H && fl->nb < 3) {
        fl->breaks[fl->nb++] = r;
        fl->y = 0;
    }
    fl->y += XW_LINE_PT + h + XW_LINE_PT;
    xw_fail(x, worksheet_write_string(ws, r, 0, heading, x->heading), heading);
    r++;
    xw_fail(x, worksheet_set_row(ws, r, h, NULL), heading);
    xw_fail(x, worksheet_merge_range(ws, r, 0, r, last_col, t,
                                     xlsxquote_needed(t) ? xw_quoted(x, x->para) : x->para),
            heading);
    return r + 2;
}

static void xw_summary(xw *x, struct json_object *report, const char *team)
{
    lxw_worksheet *ws = xw_sheet(x, "Summary");
    if (!ws)
        return;
    strbuf title = STRBUF_INIT;
    const char *week = jget_str(report, "week", NULL);
    if (strbuf_addf(&title, "Weekly AI Intelligence Digest \xE2\x80\x93 %s%s%s", team,
                    week ? " \xE2\x80\x93 " : "", week ? week : "") < 0)
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "title");
    xw_str(x, ws, 0, 0, title.buf, x->title);
    strbuf_release(&title);
    worksheet_set_row(ws, 0, 24, NULL);

    static const struct { const char *label, *path; xcol_type type; } meta[] = {
        { "Week", "week", XC_TEXT },
        { "Period start (UTC)", "period.start", XC_DATETIME },
        { "Period end (UTC, exclusive)", "period.end", XC_DATETIME },
        { "Previous week", "previous_week", XC_TEXT },
        { "Generated (UTC)", "generated_at", XC_DATETIME },
        { "Generator", "generator", XC_TEXT },
    };
    lxw_row_t r = 2;
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++, r++) {
        xw_fail(x, worksheet_write_string(ws, r, 0, meta[i].label, x->label), "summary");
        xcol c = { meta[i].label, meta[i].path, meta[i].type, 0 };
        xw_cell(x, ws, r, 1, &c, jget(report, meta[i].path), 0);
    }
    r++;

    /* Key figures: this week, previous week, change. */
    lxw_row_t t0 = r;
    size_t nfig = sizeof xw_figs / sizeof xw_figs[0];
    for (size_t i = 0; i < nfig; i++) {
        const xfig *f = &xw_figs[i];
        lxw_row_t rr = (lxw_row_t)(t0 + 1 + i);
        double now = xw_jd(report, f->now), prev = xw_jd(report, f->prev);
        double d = f->delta && jget_has(report, f->delta) ? xw_jd(report, f->delta) : now - prev;
        xcol_type dt = f->type == XC_INT ? XC_DINT : f->type == XC_PCT ? XC_DPP : XC_DDEC;
        if (dt == XC_DPP)
            d *= 100;   /* a change of a rate, in percentage points */
        xw_str(x, ws, rr, 0, f->label, x->fmt[XC_TEXT]);
        xw_num(x, ws, rr, 1, now, x->fmt[f->type]);
        xw_num(x, ws, rr, 2, prev, x->fmt[f->type]);
        xw_num(x, ws, rr, 3, d, x->fmt[dt]);
        /* schema 2: verdict, then the intervals, each end in its own column */
        xw_str(x, ws, rr, 4, f->verdict ? jget_str(report, f->verdict, NULL) : NULL, x->fmt[XC_TEXT]);
        double lo = NAN, hi = NAN, dlo = NAN, dhi = NAN;
        if (f->ci && !cilabel_get(jget(report, f->ci), &lo, &hi))
            lo = hi = NAN;
        if (f->change_ci && !cilabel_get(jget(report, f->change_ci), &dlo, &dhi))
            dlo = dhi = NAN;
        if (dt == XC_DPP) {
            dlo *= 100;   /* the interval's ends in points, as the change */
            dhi *= 100;
        }
        xw_num(x, ws, rr, 5, lo, x->fmt[f->type]);
        xw_num(x, ws, rr, 6, hi, x->fmt[f->type]);
        xw_num(x, ws, rr, 7, dlo, x->fmt[dt]);
        xw_num(x, ws, rr, 8, dhi, x->fmt[dt]);
    }
    enum { KF_COLS = 9 };
    lxw_table_column tc[KF_COLS];
    lxw_table_column *tcp[KF_COLS + 1];
    static const char *const heads[KF_COLS] = { "Figure", "This week", "Previous week", "Change", "Verdict",
                                                "This week 95% low", "This week 95% high", "Change 95% low",
                                                "Change 95% high" };
    for (int j = 0; j < KF_COLS; j++) {
        memset(&tc[j], 0, sizeof tc[j]);
        tc[j].header = (char *)heads[j];
        tc[j].header_format = x->head;
        tcp[j] = &tc[j];
    }
    tcp[KF_COLS] = NULL;
    lxw_table_options opt;
    memset(&opt, 0, sizeof opt);
    opt.name = "KeyFigures";
    opt.style_type = LXW_TABLE_STYLE_TYPE_MEDIUM;
    opt.style_type_number = 2;
    opt.columns = tcp;
    xw_fail(x, worksheet_add_table(ws, t0, 0, (lxw_row_t)(t0 + nfig), KF_COLS - 1, &opt), "KeyFigures");
    r = (lxw_row_t)(t0 + nfig + 1);
    static const char note[] = "Change = this week minus the previous week; for rates "
                               "that is percentage points. Empty = not known. Verdict: up or "
                               "down when the change's 95% interval excludes 0, else steady.";
    double nh = xw_lines_height(xw_text_lines(note, 80));
    xw_fail(x, worksheet_set_row(ws, r, nh, NULL), "summary");
    xw_fail(x, worksheet_merge_range(ws, r, 0, r, 3, note, x->note), "summary");
    xw_flow fl = { .y = 24 + XW_LINE_PT * (double)r + nh + XW_LINE_PT };   /* title, rows, note */
    r += 2;

    /* The narrative, full width of the four columns (about 80 characters). */
    static const double widths[4] = { 34, 16, 16, 14 };
    for (lxw_col_t c = 0; c < 4; c++)
        xw_fail(x, worksheet_set_column(ws, c, c, widths[c], NULL), "summary");
    xw_fail(x, worksheet_set_column(ws, 4, 8, 13, NULL), "summary");
    r = xw_paragraph(x, ws, r, "Self-summary", jget_str(report, "narrative.self_summary", NULL), 3,
                     80, &fl);
    r = xw_paragraph(x, ws, r, "Summary", jget_str(report, "narrative.summary", NULL), 3, 80,
                     &fl);
    strbuf notes = STRBUF_INIT;
    size_t nn = jget_len(report, "narrative.coach_notes");
    struct json_object *cn = jget(report, "narrative.coach_notes");
    for (size_t i = 0; i < nn; i++) {
        struct json_object *e = json_object_array_get_idx(cn, i);
        if (!json_object_is_type(e, json_type_string))
            continue;
        if ((notes.len && strbuf_addc(&notes, '\n') < 0) ||
            strbuf_addf(&notes, "\xE2\x80\xA2 %s", json_object_get_string(e)) < 0)
            xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "coach notes");
    }
    xw_paragraph(x, ws, r, "Coach notes", notes.len ? notes.buf : NULL, 3, 80, &fl);
    strbuf_release(&notes);
    /* A text page: portrait, one page wide, a heading never alone at the
     * foot of a page. */
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    if (fl.nb)
        xw_fail(x, worksheet_set_h_pagebreaks(ws, fl.breaks), "page breaks");
    worksheet_activate(ws);
}

static const xcol xw_top_used_cols[] = {
    { "Rank", NULL, XC_RANK, 0 },
    { "Reply", "reply", XC_WRAP, 70 },
    { "Uses", "uses", XC_INT, 0 },
    { "Accepted", "accepted", XC_INT, 0 },
    { "Edited", "edited", XC_INT, 0 },
    { "Suggested", "suggested", XC_INT, 0 },
    { "Use rate", "use_rate", XC_PCT, 0 },
    { "Mean confidence", "mean_confidence", XC_DEC, 0 },
    { "Variants", "variants", XC_INT, 0 },
    { "Use rate 95% low", "use_rate_ci.0", XC_PCT, 0 },
    { "Use rate 95% high", "use_rate_ci.1", XC_PCT, 0 },
};

static const xcol xw_top_rejected_cols[] = {
    { "Rank", NULL, XC_RANK, 0 },
    { "Reply", "reply", XC_WRAP, 50 },
    { "Rejections", "rejections", XC_INT, 0 },
    { "Suggested", "suggested", XC_INT, 0 },
    { "Rejection rate", "rejection_rate", XC_PCT, 0 },
    { "Mean confidence", "mean_confidence", XC_DEC, 0 },
    { "Variants", "variants", XC_INT, 0 },
    { "Most frequent replacement", "top_replacement_text", XC_WRAP, 50 },
    { "Replacement count", "top_replacement_count", XC_INT, 0 },
    { "Rejection rate 95% low", "rejection_rate_ci.0", XC_PCT, 0 },
    { "Rejection rate 95% high", "rejection_rate_ci.1", XC_PCT, 0 },
    { "Excess rejections", "excess_rejections", XC_DEC, 0 },
};

static const xcol xw_daily_cols[] = {
    { "Date", "date", XC_DATE, 0 },
    { "Suggestions with confidence", "n", XC_INT, 14 },
    { "Mean confidence", "mean", XC_DEC, 0 },
};

static const xcol xw_hist_cols[] = {
    { "Bin", "bin", XC_TEXT, 12 },
    { "From", "lower", XC_DEC2, 8 },
    { "To", "upper", XC_DEC2, 8 },
    { "This week", "now", XC_INT, 0 },
    { "Last week", "prev", XC_INT, 0 },
    { "This week share", "now_share", XC_PCT, 0 },
    { "Last week share", "prev_share", XC_PCT, 0 },
};

static const xcol xw_calib_cols[] = {
    { "Bin", NULL, XC_RANK, 0 },
    { "From", "lower", XC_DEC2, 8 },
    { "To", "upper", XC_DEC2, 8 },
    { "Suggestions", "n", XC_INT, 0 },
    { "Mean confidence", "mean_confidence", XC_DEC, 0 },
    { "Acceptance", "acceptance", XC_PCT, 0 },
    { "Acceptance 95% low", "acceptance_ci.0", XC_PCT, 0 },
    { "Acceptance 95% high", "acceptance_ci.1", XC_PCT, 0 },
};

static const xcol xw_kv_dec_cols[] = {
    { "Measure", "measure", XC_TEXT, 30 },
    { "Value", "value", XC_DEC, 0 },
};

static const xcol xw_trend_cols[] = {
    { "Rank", NULL, XC_RANK, 0 },
    { "Topic", "topic", XC_TEXT, 24 },
    { "Direction", "direction", XC_TEXT, 10 },
    { "Messages this week", "count", XC_INT, 0 },
    { "Previous week", "previous_count", XC_INT, 0 },
    { "Baseline (scaled to this week)", "expected", XC_DEC2, 0 },
    { "Change", "change", XC_TEXT, 20 },
    { "Ratio (smoothed)", "ratio", XC_DEC2, 0 },
    { "G\xC2\xB2", "g2", XC_DEC2, 0 },
};

/* "Retraining preview": the plan of `retrain --dry-run` (what the
 * Retrain Now control would do), one row per example. */
static const xcol xw_preview_cols[] = {
    { "Prompt", "prompt_id", XC_TEXT, 16 },
    { "From version", "from_version", XC_TEXT, 10 },
    { "To version", "to_version", XC_TEXT, 10 },
    { "Change", "change", XC_TEXT, 12 },
    { "Example", "reply", XC_WRAP, 60 },
    { "Reason", "reason", XC_WRAP, 50 },
};

static const xcol xw_retrain_cols[] = {
    { "Time (UTC)", "ts", XC_DATETIME, 0 },
    { "Prompt", "prompt_id", XC_TEXT, 16 },
    { "From version", "from_version", XC_TEXT, 10 },
    { "To version", "to_version", XC_TEXT, 10 },
    { "Theme", "theme", XC_WRAP, 20 },
    { "Summary", "summary", XC_WRAP, 50 },
    { "Examples added", "examples_added", XC_LIST, 50 },
    { "Examples removed", "examples_removed", XC_LIST, 50 },
    { "Suggestions before", "impact.before.suggestions", XC_INT, 0 },
    { "Accepted before", "impact.before.accepted", XC_INT, 0 },
    { "Acceptance before", "impact.before.acceptance", XC_PCT, 0 },
    { "Suggestions after", "impact.after.suggestions", XC_INT, 0 },
    { "Accepted after", "impact.after.accepted", XC_INT, 0 },
    { "Acceptance after", "impact.after.acceptance", XC_PCT, 0 },
    { "Change", "impact.delta", XC_DPP, 0 },
    { "Change 95% low", "impact.delta_ci.0", XC_DPP, 0 },
    { "Change 95% high", "impact.delta_ci.1", XC_DPP, 0 },
    { "Verdict", "impact.verdict", XC_TEXT, 10 },
};

static const xcol xw_notes_cols[] = {
    { "No.", NULL, XC_RANK, 0 },
    { "Coach note", "", XC_WRAP, 50 },
};

static const xcol xw_tips_cols[] = {
    { "Feature", "feature", XC_TEXT, 20 },
    { "Tip", "label", XC_WRAP, 24 },
    { "Share of AI wins", "ai_win_share", XC_PCT, 0 },
    { "Share of rejected", "rejected_share", XC_PCT, 0 },
    { "Lift", "lift", XC_DPP, 0 },
    { "Example", "example", XC_WRAP, 45 },
    /* the evidence (schema 2; empty cells for older reports) */
    { "Verdict", "verdict", XC_TEXT, 10 },
    { "Worked n", "worked_n", XC_INT, 0 },
    { "Worked 95% low", "ai_win_share_ci.0", XC_PCT, 0 },
    { "Worked 95% high", "ai_win_share_ci.1", XC_PCT, 0 },
    { "Rejected n", "rejected_n", XC_INT, 0 },
    { "Rejected 95% low", "rejected_share_ci.0", XC_PCT, 0 },
    { "Rejected 95% high", "rejected_share_ci.1", XC_PCT, 0 },
    { "q (shares)", "q", XC_DEC, 0 },
    { "Added in edits", "edits_added", XC_INT, 0 },
    { "Removed in edits", "edits_removed", XC_INT, 0 },
};

static const xcol xw_edit_habit_cols[] = {
    { "Habit", "label", XC_TEXT, 34 },
    { "Added in edits", "added", XC_INT, 0 },
    { "Removed in edits", "removed", XC_INT, 0 },
};

static const xcol xw_edit_prompt_cols[] = {
    { "Prompt", "prompt_id", XC_TEXT, 20 },
    { "Measured edits", "edits.measured", XC_INT, 0 },
    { "Median share changed", "edits.median_share", XC_PCT, 0 },
    { "Light edits", "edits.light", XC_INT, 0 },
    { "Light share", "edits.light_share", XC_PCT, 0 },
};

static const xcol xw_dq_cols[] = {
    { "Measure", "measure", XC_TEXT, 26 },
    { "Count", "value", XC_INT, 0 },
};

static const xcol xw_reason_cols[] = {
    { "Reason", "reason", XC_TEXT, 22 },
    { "Bad lines", "value", XC_INT, 0 },
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static lxw_worksheet *xw_list_sheet(xw *x, const char *sheet, const char *table,
                                    const xcol *cols, size_t ncols, struct json_object *rows)
{
    lxw_worksheet *ws = xw_sheet(x, sheet);
    if (!ws)
        return NULL;
    xw_table(x, ws, table, 0, 0, cols, ncols, rows);
    worksheet_freeze_panes(ws, 1, 0);
    xw_sheet_done(x, ws, NULL);
    return ws;
}

/* o[key] = v for the small derived tables (v is taken; NULL is a JSON
 * null). json-c failing is noted as out of memory. */
static void xw_set(xw *x, struct json_object *o, const char *key, struct json_object *v)
{
    if (json_object_object_add(o, key, v) < 0) {
        json_object_put(v);
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, key);
    }
}

/* The preview's rows: each example added, removed or kept out, with its
 * prompt and reason, from report.retrain_preview. */
static void xw_retrain_preview(xw *x, struct json_object *report)
{
    static const char *const lists[][2] = { { "added", "add" }, { "removed", "remove" }, { "not_added", "kept out" } };
    struct json_object *plan = jget(report, "retrain_preview"), *rows = json_object_new_array();
    if (!rows) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "retraining preview");
        return;
    }
    for (size_t i = 0; plan && i < json_object_array_length(plan); i++) {
        struct json_object *p = json_object_array_get_idx(plan, i);
        for (size_t l = 0; l < 3; l++) {
            struct json_object *arr = jget(p, lists[l][0]);
            for (size_t k = 0; arr && k < json_object_array_length(arr); k++) {
                struct json_object *e = json_object_array_get_idx(arr, k), *row = json_object_new_object();
                if (!row || json_object_array_add(rows, row) < 0) {
                    json_object_put(row);
                    xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "retraining preview");
                    goto done;
                }
                xw_set(x, row, "prompt_id", json_object_get(jget(p, "prompt_id")));
                xw_set(x, row, "from_version", json_object_get(jget(p, "from_version")));
                xw_set(x, row, "to_version", json_object_get(jget(p, "to_version")));
                struct json_object *change = json_object_new_string(lists[l][1]);
                if (!change) {
                    xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "retraining preview");
                    goto done;
                }
                xw_set(x, row, "change", change);
                xw_set(x, row, "reply", json_object_get(jget(e, "reply")));
                xw_set(x, row, "reason", json_object_get(jget(e, "reason")));
            }
        }
    }
    xw_list_sheet(x, "Retraining preview", "RetrainingPreview", xw_preview_cols, NCOLS(xw_preview_cols), rows);
done:
    json_object_put(rows);
}

/* The outcomes sheets (docs/xlsx.md): one row per class of conversations,
 * overall ("(all prompts)") and per prompt, with the change against last
 * week; and the differences between the classes. None when the report has
 * no outcomes (a week without any is not a sheet of zeros). */
static const xcol xw_outcome_cols[] = {
    { "Prompt", "prompt_id", XC_TEXT, 18 },
    { "Conversations", "c.class", XC_TEXT, 12 },
    { "Count", "c.conversations", XC_INT, 0 },
    { "With outcome", "c.with_outcome", XC_INT, 0 },
    { "Ratings", "c.csat.n", XC_INT, 0 },
    { "CSAT mean", "c.csat.mean", XC_DEC2, 0 },
    { "CSAT low", "c.csat.mean_ci.0", XC_DEC2, 0 },
    { "CSAT high", "c.csat.mean_ci.1", XC_DEC2, 0 },
    { "CSAT 4-5", "c.csat.high_share", XC_PCT, 0 },
    { "CSAT 4-5 low", "c.csat.high_share_ci.0", XC_PCT, 0 },
    { "CSAT 4-5 high", "c.csat.high_share_ci.1", XC_PCT, 0 },
    { "Resolution known", "c.resolution.n", XC_INT, 0 },
    { "Resolved", "c.resolution.rate", XC_PCT, 0 },
    { "Resolved low", "c.resolution.rate_ci.0", XC_PCT, 0 },
    { "Resolved high", "c.resolution.rate_ci.1", XC_PCT, 0 },
    { "CSAT change", "c.changes.csat_mean.delta", XC_DDEC, 0 },
    { "CSAT verdict", "c.changes.csat_mean.verdict", XC_TEXT, 0 },
    { "Resolved change", "c.changes.resolution_rate.delta", XC_DPP, 0 },
    { "Resolved verdict", "c.changes.resolution_rate.verdict", XC_TEXT, 0 },
};

static const xcol xw_outcome_diff_cols[] = {
    { "Prompt", "prompt_id", XC_TEXT, 18 },
    { "Class", "c.a", XC_TEXT, 10 },
    { "Against", "c.b", XC_TEXT, 10 },
    { "CSAT difference", "c.csat_mean.delta", XC_DDEC, 0 },
    { "CSAT low", "c.csat_mean.delta_ci.0", XC_DDEC, 0 },
    { "CSAT high", "c.csat_mean.delta_ci.1", XC_DDEC, 0 },
    { "CSAT verdict", "c.csat_mean.verdict", XC_TEXT, 0 },
    { "CSAT 4-5 difference", "c.csat_high_share.delta", XC_DPP, 0 },
    { "CSAT 4-5 verdict", "c.csat_high_share.verdict", XC_TEXT, 0 },
    { "Resolved difference", "c.resolution_rate.delta", XC_DPP, 0 },
    { "Resolved low", "c.resolution_rate.delta_ci.0", XC_DPP, 0 },
    { "Resolved high", "c.resolution_rate.delta_ci.1", XC_DPP, 0 },
    { "Resolved verdict", "c.resolution_rate.verdict", XC_TEXT, 0 },
};

/* rows += {prompt_id, c} for each element of list (c borrowed by reference). */
static void xw_outcome_rows(xw *x, struct json_object *rows, const char *prompt, struct json_object *list)
{
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        struct json_object *row = json_object_new_object(), *p = json_object_new_string(prompt);
        if (!row || !p || json_object_array_add(rows, row) < 0) {
            json_object_put(row);
            json_object_put(p);
            xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "outcomes");
            return;
        }
        xw_set(x, row, "prompt_id", p);
        xw_set(x, row, "c", json_object_get(json_object_array_get_idx(list, i)));
    }
}

static void xw_outcomes(xw *x, struct json_object *report)
{
    struct json_object *oc = jget(report, "outcomes");
    if (!oc || !json_object_is_type(oc, json_type_object))
        return;
    static const char *const parts[2] = { "by_class", "differences" };
    for (int k = 0; k < 2; k++) {
        struct json_object *rows = json_object_new_array();
        if (!rows) {
            xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "outcomes");
            return;
        }
        xw_outcome_rows(x, rows, "(all prompts)", jget(oc, parts[k]));
        struct json_object *pr = jget(oc, "prompts");
        for (size_t i = 0; pr && i < json_object_array_length(pr); i++) {
            struct json_object *p = json_object_array_get_idx(pr, i);
            xw_outcome_rows(x, rows, jget_str(p, "prompt_id", ""), jget(p, parts[k]));
        }
        if (k == 0)
            xw_list_sheet(x, "Outcomes", "Outcomes", xw_outcome_cols, NCOLS(xw_outcome_cols), rows);
        else
            xw_list_sheet(x, "Outcome differences", "OutcomeDifferences", xw_outcome_diff_cols,
                          NCOLS(xw_outcome_diff_cols), rows);
        json_object_put(rows);
    }
}

/* A value its constructor must give: NULL is out of memory. */
static struct json_object *xw_need(xw *x, struct json_object *v, const char *what)
{
    if (!v)
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, what);
    return v;
}

/* Append row o (taken) to arr. */
static void xw_push(xw *x, struct json_object *arr, struct json_object *o)
{
    if (json_object_array_add(arr, o) < 0) {
        json_object_put(o);
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "table row");
    }
}

/* The Weeks sheet's columns: the paths are the keys xw_weeks gives each
 * row, weeks_figures' keys (render/weeks.h) and _lo/_hi for an interval. */
static const xcol xw_weeks_cols[] = {
    { "Week", "week", XC_TEXT, 10 },
    { "Monday", "start", XC_DATE, 0 },
    { "Suggestions", "suggestions", XC_INT, 0 },
    { "Acceptance rate", "acceptance", XC_PCT, 0 },
    { "Acceptance 95% low", "acceptance_lo", XC_PCT, 0 },
    { "Acceptance 95% high", "acceptance_hi", XC_PCT, 0 },
    { "Use rate", "use", XC_PCT, 0 },
    { "Use 95% low", "use_lo", XC_PCT, 0 },
    { "Use 95% high", "use_hi", XC_PCT, 0 },
    { "Rejection rate", "rejection", XC_PCT, 0 },
    { "Rejection 95% low", "rejection_lo", XC_PCT, 0 },
    { "Rejection 95% high", "rejection_hi", XC_PCT, 0 },
    { "Mean confidence", "confidence", XC_DEC, 0 },
    { "Calibration error (ECE)", "ece", XC_DEC, 0 },
};

/* One row of the Weeks sheet: week name and, when the report could be
 * read (r not NULL), its headline figures. */
static void xw_weeks_row(xw *x, struct json_object *rows, const char *name, const struct json_object *r)
{
    struct json_object *o = xw_need(x, json_object_new_object(), "weeks");
    if (!o)
        return;
    xw_set(x, o, "week", xw_need(x, json_object_new_string(name), "weeks"));
    const char *start = r ? jget_str(r, "period.start", NULL) : NULL;
    if (start && strlen(start) >= 10)
        xw_set(x, o, "start", xw_need(x, json_object_new_string_len(start, 10), "weeks"));
    for (size_t f = 0; r && f < weeks_nfigures; f++) {
        const weeks_figure *fig = &weeks_figures[f];
        char key[64];
        double lo, hi;
        xw_set(x, o, fig->key, xw_jnum(x, weeks_value(r, fig)));
        if (weeks_interval(r, fig, &lo, &hi)) {
            snprintf(key, sizeof key, "%s_lo", fig->key);
            xw_set(x, o, key, xw_jnum(x, lo));
            snprintf(key, sizeof key, "%s_hi", fig->key);
            xw_set(x, o, key, xw_jnum(x, hi));
        }
    }
    xw_push(x, rows, o);
}

/* A line chart of the Weeks sheet's columns cols (n of them) over its
 * nrows weeks, at row at. */
static void xw_weeks_chart(xw *x, lxw_worksheet *ws, const char *title, const lxw_col_t *cols, size_t n,
                           lxw_row_t nrows, lxw_row_t at, const char *numfmt)
{
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_LINE);
    if (!ch) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "weeks chart");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
        if (!s) {
            xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "weeks chart");
            return;
        }
        chart_series_set_categories(s, "Weeks", 1, 0, nrows, 0);
        chart_series_set_values(s, "Weeks", 1, cols[i], nrows, cols[i]);
        chart_series_set_name_range(s, "Weeks", 0, cols[i]);
        chart_series_set_marker_type(s, LXW_CHART_MARKER_CIRCLE);
    }
    chart_title_set_name(ch, title);
    chart_axis_set_name(ch->x_axis, "ISO week");
    chart_axis_set_num_format(ch->y_axis, numfmt);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    chart_show_blanks_as(ch, LXW_CHART_BLANKS_AS_GAP);
    lxw_chart_options co = { .x_scale = 1.5, .y_scale = 1.0, .y_offset = XW_CHART_DY };
    xw_fail(x, worksheet_insert_chart_opt(ws, at, 0, ch, &co), "weeks chart");
}

/* The Weeks sheet: every archived week up to this one, oldest first, with
 * its headline figures, read from OUT/<week>/report.json of the archive
 * the workbook belongs to (weeks_archive_of; this week's own row from
 * report), and line charts of the rates and of confidence and ECE. A week
 * whose report cannot be read has its name and empty cells. */
static void xw_weeks(xw *x, struct json_object *report, const char *path)
{
    const char *week = jget_str(report, "week", "");
    strbuf dir = STRBUF_INIT;
    weeks_list ws = WEEKS_INIT;
    struct json_object *rows = xw_need(x, json_object_new_array(), "weeks");
    lxw_worksheet *sh = xw_sheet(x, "Weeks");
    if (!rows || !sh)
        goto cleanup;
    if (weeks_archive_of(path, &dir) < 0) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "weeks");
        goto cleanup;
    }
    if (weeks_scan(&ws, dir.buf, true, NULL) == AID_ERR_NOMEM) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "weeks");
        goto cleanup;
    }
    for (size_t i = 0; i < ws.n && strcmp(ws.w[i].name, week) < 0; i++)
        xw_weeks_row(x, rows, ws.w[i].name, ws.w[i].report);
    if (html_is_week(week))
        xw_weeks_row(x, rows, week, report);
    xw_table(x, sh, "Weeks", 0, 0, xw_weeks_cols, NCOLS(xw_weeks_cols), rows);
    worksheet_freeze_panes(sh, 1, 0);
    size_t n = json_object_array_length(rows);
    lxw_row_t below = (lxw_row_t)((n ? n : 1) + 3);
    lxw_row_t breaks[3] = { below, (lxw_row_t)(below + 17), 0 };
    xw_sheet_done(x, sh, breaks);
    static const lxw_col_t rates[] = { 3, 6, 9 }, conf[] = { 12, 13 };
    lxw_row_t last = (lxw_row_t)(n ? n : 1);
    xw_weeks_chart(x, sh, "Rates by week", rates, NCOLS(rates), last, below, "0%");
    xw_weeks_chart(x, sh, "Mean confidence and calibration error by week", conf, NCOLS(conf), last,
                   (lxw_row_t)(below + 17), "0.00");
cleanup:
    weeks_release(&ws);
    strbuf_release(&dir);
    json_object_put(rows);
}

/* The Trends sheet: the rising, then the falling topics, each row with its
 * direction (schema 1's one list of terms: rising, "term" as the topic). */
static void xw_trends(xw *x, struct json_object *report)
{
    struct json_object *rows = xw_need(x, json_object_new_array(), "trends");
    struct json_object *tr = jget(report, "trends");
    bool old = tr && json_object_is_type(tr, json_type_array);
    struct json_object *lists[2] = { old ? tr : jget(report, "trends.rising"), old ? NULL : jget(report, "trends.falling") };
    static const char *const dir[2] = { "rising", "falling" };
    static const char *const keys[] = { "count", "previous_count", "expected", "change", "ratio", "g2" };
    for (int l = 0; rows && l < 2; l++) {
        size_t n = lists[l] && json_object_is_type(lists[l], json_type_array) ? json_object_array_length(lists[l]) : 0;
        for (size_t i = 0; i < n; i++) {
            struct json_object *t = json_object_array_get_idx(lists[l], i);
            struct json_object *o = xw_need(x, json_object_new_object(), "trend row");
            if (!o)
                break;
            xw_set(x, o, "topic", json_object_get(jget(t, old ? "term" : "topic")));
            xw_set(x, o, "direction", xw_need(x, json_object_new_string(dir[l]), "trend row"));
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                xw_set(x, o, keys[k], json_object_get(jget(t, keys[k])));
            xw_push(x, rows, o);
        }
    }
    xw_list_sheet(x, "Trends", "Trends", xw_trend_cols, NCOLS(xw_trend_cols), rows);
    json_object_put(rows);
}

/* A measure/value pair for the small derived tables. */
static void xw_kv(xw *x, struct json_object *arr, const char *key, const char *name,
                  struct json_object *value)
{
    struct json_object *o = xw_need(x, json_object_new_object(), key);
    if (!o) {
        json_object_put(value);
        return;
    }
    xw_set(x, o, key, xw_need(x, json_object_new_string(name), key));
    xw_set(x, o, "value", value);
    xw_push(x, arr, o);
}

/* Element i of a JSON array as a number, or dflt. */
static double xw_elem(struct json_object *arr, size_t i, double dflt)
{
    struct json_object *v = json_object_array_get_idx(arr, i);
    return xw_is_num(v) ? json_object_get_double(v) : dflt;
}

static struct json_object *xw_copy_num(xw *x, struct json_object *report, const char *path)
{
    return xw_jnum(x, xw_jd(report, path));
}

static void xw_confidence(xw *x, struct json_object *report)
{
    lxw_worksheet *ws = xw_sheet(x, "Confidence");
    if (!ws)
        return;
    struct json_object *daily = jget(report, "confidence.daily");
    size_t nd = jget_len(report, "confidence.daily");
    xw_table(x, ws, "ConfidenceDaily", 0, 0, xw_daily_cols, NCOLS(xw_daily_cols), daily);

    /* The histogram with both weeks' shares, built as rows first. */
    struct json_object *hist = json_object_new_array();
    struct json_object *h = jget(report, "confidence.histogram");
    struct json_object *ph = jget(report, "confidence.previous_histogram");
    size_t nh = jget_len(report, "confidence.histogram");
    size_t nph = jget_len(report, "confidence.previous_histogram");
    double sum = 0, psum = 0;
    for (size_t i = 0; i < nh; i++)
        sum += xw_elem(h, i, 0);
    for (size_t i = 0; i < nph; i++)
        psum += xw_elem(ph, i, 0);
    size_t nbins = nh > nph ? nh : nph;
    if (!nbins)
        nbins = 20;
    for (size_t i = 0; hist && i < nbins; i++) {
        struct json_object *o = xw_need(x, json_object_new_object(), "histogram");
        if (!o)
            break;
        char label[32];
        double lo = (double)i / (double)nbins, hi = (double)(i + 1) / (double)nbins;
        snprintf(label, sizeof label, "%.2f\xE2\x80\x93%.2f", lo, hi);
        double av = i < nh ? xw_elem(h, i, NAN) : NAN;
        double bv = i < nph ? xw_elem(ph, i, NAN) : NAN;
        xw_set(x, o, "bin", xw_need(x, json_object_new_string(label), "histogram"));
        xw_set(x, o, "lower", xw_need(x, json_object_new_double(lo), "histogram"));
        xw_set(x, o, "upper", xw_need(x, json_object_new_double(hi), "histogram"));
        xw_set(x, o, "now", xw_jnum(x, av));
        xw_set(x, o, "prev", xw_jnum(x, bv));
        xw_set(x, o, "now_share", sum > 0 ? xw_jnum(x, av / sum) : NULL);
        xw_set(x, o, "prev_share", psum > 0 ? xw_jnum(x, bv / psum) : NULL);
        xw_push(x, hist, o);
    }
    if (!hist)
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "histogram");
    lxw_col_t hc = NCOLS(xw_daily_cols) + 1;
    xw_table(x, ws, "ConfidenceHistogram", 0, hc, xw_hist_cols, NCOLS(xw_hist_cols), hist);
    json_object_put(hist);
    worksheet_freeze_panes(ws, 1, 0);

    /* Charts below the taller table, each starting a printed page (one
     * page holds about 32 rows: not both charts). */
    lxw_row_t below = (lxw_row_t)(nbins + 3);
    lxw_row_t breaks[3] = { below, (lxw_row_t)(below + 17), 0 };
    xw_sheet_done(x, ws, breaks);
    lxw_chart *line = workbook_add_chart(x->wb, LXW_CHART_LINE);
    if (line) {
        lxw_row_t last = (lxw_row_t)(nd ? nd : 1);
        lxw_chart_series *s = chart_add_series(line, NULL, NULL);
        if (s) {
            chart_series_set_categories(s, "Confidence", 1, 0, last, 0);
            chart_series_set_values(s, "Confidence", 1, 2, last, 2);
            chart_series_set_name(s, "Mean confidence");
            chart_series_set_marker_type(s, LXW_CHART_MARKER_CIRCLE);
        }
        chart_title_set_name(line, "Mean confidence by day");
        chart_axis_set_num_format(line->x_axis, "yyyy-mm-dd");
        chart_axis_set_num_format(line->y_axis, "0.00");
        chart_legend_set_position(line, LXW_CHART_LEGEND_NONE);
        lxw_chart_options co = { .x_scale = 1.5, .y_scale = 1.0, .y_offset = XW_CHART_DY };
        xw_fail(x, worksheet_insert_chart_opt(ws, below, 0, line, &co), "daily chart");
    } else {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "daily chart");
    }
    lxw_chart *col = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    if (col) {
        lxw_row_t last = (lxw_row_t)nbins;
        lxw_chart_series *s1 = chart_add_series(col, NULL, NULL);
        lxw_chart_series *s2 = chart_add_series(col, NULL, NULL);
        if (s1 && s2) {
            chart_series_set_categories(s1, "Confidence", 1, hc, last, hc);
            chart_series_set_values(s1, "Confidence", 1, (lxw_col_t)(hc + 5), last,
                                    (lxw_col_t)(hc + 5));
            chart_series_set_name(s1, "This week");
            chart_series_set_categories(s2, "Confidence", 1, hc, last, hc);
            chart_series_set_values(s2, "Confidence", 1, (lxw_col_t)(hc + 6), last,
                                    (lxw_col_t)(hc + 6));
            chart_series_set_name(s2, "Last week");
        }
        chart_title_set_name(col, "Confidence distribution (share of suggestions)");
        chart_axis_set_num_format(col->y_axis, "0%");
        chart_legend_set_position(col, LXW_CHART_LEGEND_BOTTOM);
        /* Under the line chart (288 px = about 15 rows high), not beside
         * it: side by side they would overlap over the narrow columns. */
        lxw_chart_options co = { .x_scale = 1.5, .y_scale = 1.1, .y_offset = XW_CHART_DY };
        xw_fail(x, worksheet_insert_chart_opt(ws, (lxw_row_t)(below + 17), 0, col, &co),
                "histogram chart");
    } else {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "histogram chart");
    }
}

static void xw_calibration(xw *x, struct json_object *report)
{
    lxw_worksheet *ws = xw_sheet(x, "Calibration");
    if (!ws)
        return;
    struct json_object *bins = jget(report, "confidence.calibration");
    size_t nb = jget_len(report, "confidence.calibration");
    xw_table(x, ws, "Calibration", 0, 0, xw_calib_cols, NCOLS(xw_calib_cols), bins);
    struct json_object *kv = json_object_new_array();
    if (kv) {
        xw_kv(x, kv, "measure", "ECE (this week)", xw_copy_num(x, report, "confidence.ece"));
        xw_kv(x, kv, "measure", "ECE (previous week)", xw_copy_num(x, report, "previous.ece"));
        if (jget_has(report, "confidence.brier")) {
            xw_kv(x, kv, "measure", "ECE, 15 equal-mass bins", xw_copy_num(x, report, "confidence.ece_equal_mass"));
            xw_kv(x, kv, "measure", "Brier score", xw_copy_num(x, report, "confidence.brier"));
        }
    } else {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "calibration");
    }
    lxw_col_t kc = NCOLS(xw_calib_cols) + 1;
    xw_table(x, ws, "CalibrationError", 0, kc, xw_kv_dec_cols, NCOLS(xw_kv_dec_cols), kv);
    size_t nkv = kv ? json_object_array_length(kv) : 0; /* the chart goes below the taller table */
    json_object_put(kv);
    worksheet_freeze_panes(ws, 1, 0);
    lxw_row_t last = (lxw_row_t)(nb ? nb : 1);
    lxw_row_t chart_row = (lxw_row_t)((nkv > nb ? nkv : last) + 3);
    lxw_row_t breaks[2] = { chart_row, 0 };   /* the chart starts a page */
    xw_sheet_done(x, ws, breaks);

    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_SCATTER_STRAIGHT_WITH_MARKERS);
    if (!ch) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "calibration chart");
        return;
    }
    lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
    lxw_chart_series *d = chart_add_series(ch, NULL, NULL);
    if (s && d) {
        chart_series_set_categories(s, "Calibration", 1, 4, last, 4);
        chart_series_set_values(s, "Calibration", 1, 5, last, 5);
        chart_series_set_name(s, "Acceptance");
        chart_series_set_marker_type(s, LXW_CHART_MARKER_CIRCLE);
        /* The diagonal through the bins' own confidences: a perfectly
         * calibrated model's points lie on it. */
        chart_series_set_categories(d, "Calibration", 1, 4, last, 4);
        chart_series_set_values(d, "Calibration", 1, 4, last, 4);
        chart_series_set_name(d, "Perfect calibration");
        chart_series_set_marker_type(d, LXW_CHART_MARKER_NONE);
        lxw_chart_line dash = { .color = LXW_COLOR_GRAY, .dash_type = LXW_CHART_LINE_DASH_DASH,
                                .width = 1.25 };
        chart_series_set_line(d, &dash);
    }
    /* each bin's 95 % interval as two marker series (columns G and H,
     * empty for a schema-1 report), the ends of an error bar
     * (libxlsxwriter has no error bars from cells) */
    {
        for (int k = 0; k < 2; k++) {
            lxw_chart_series *e = chart_add_series(ch, NULL, NULL);
            if (!e)
                continue;
            chart_series_set_categories(e, "Calibration", 1, 4, last, 4);
            chart_series_set_values(e, "Calibration", 1, (lxw_col_t)(6 + k), last, (lxw_col_t)(6 + k));
            chart_series_set_name(e, k ? "95% interval, high" : "95% interval, low");
            chart_series_set_marker_type(e, LXW_CHART_MARKER_PLUS);
            lxw_chart_line none = { .none = LXW_TRUE };
            chart_series_set_line(e, &none);
        }
    }
    chart_title_set_name(ch, "Calibration: acceptance vs mean confidence");
    chart_axis_set_name(ch->x_axis, "Mean confidence");
    chart_axis_set_name(ch->y_axis, "Acceptance");
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, 1);
    chart_axis_set_min(ch->y_axis, 0);
    chart_axis_set_max(ch->y_axis, 1);
    chart_axis_set_num_format(ch->y_axis, "0%");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options co = { .x_scale = 1.2, .y_scale = 1.3, .y_offset = XW_CHART_DY };
    xw_fail(x, worksheet_insert_chart_opt(ws, (lxw_row_t)(chart_row), 0, ch, &co),
            "calibration chart");
}

static void xw_coach(xw *x, struct json_object *report)
{
    lxw_worksheet *ws = xw_sheet(x, "Coach notes");
    if (!ws)
        return;
    xw_table(x, ws, "CoachNotes", 0, 0, xw_notes_cols, NCOLS(xw_notes_cols),
             jget(report, "narrative.coach_notes"));
    xw_table(x, ws, "CoachTips", 0, NCOLS(xw_notes_cols) + 1, xw_tips_cols, NCOLS(xw_tips_cols),
             jget(report, "coach.tips"));
    worksheet_freeze_panes(ws, 1, 0);
    xw_sheet_done(x, ws, NULL);
}

static const xcol xw_kv_int_cols[] = {
    { "Measure", "measure", XC_TEXT, 40 },
    { "Count", "value", XC_INT, 0 },
};

static const xcol xw_kv_pct_cols[] = {
    { "Measure", "measure", XC_TEXT, 40 },
    { "Share", "value", XC_PCT, 0 },
};

/* How much agents changed what they edited (edits{}; its tables are empty
 * for a report of schema 1, which has none). */
static void xw_edits(xw *x, struct json_object *report)
{
    bool has = jget_has(report, "edits.measured");
    lxw_worksheet *ws = xw_sheet(x, "Edits");
    if (!ws)
        return;
    static const struct {
        const char *name, *path;
        bool share;
    } kv[] = {
        { "Edited suggestions", "edits.edited", false },
        { "Measured (final text known)", "edits.measured", false },
        { "Light edits (under 20% changed)", "edits.light", false },
        { "Median share of the AI's words changed", "edits.median_share", true },
        { "Light share", "edits.light_share", true },
        { "Light share, 95% low", "edits.light_share_ci.0", true },
        { "Light share, 95% high", "edits.light_share_ci.1", true },
    };
    struct json_object *counts = xw_need(x, json_object_new_array(), "edits");
    struct json_object *shares = xw_need(x, json_object_new_array(), "edits");
    for (size_t i = 0; has && counts && shares && i < sizeof kv / sizeof kv[0]; i++)
        xw_kv(x, kv[i].share ? shares : counts, "measure", kv[i].name, xw_copy_num(x, report, kv[i].path));
    lxw_row_t r = xw_table(x, ws, "EditsCounts", 0, 0, xw_kv_int_cols, NCOLS(xw_kv_int_cols), counts);
    r = xw_table(x, ws, "EditsShares", r + 2, 0, xw_kv_pct_cols, NCOLS(xw_kv_pct_cols), shares);
    json_object_put(counts);
    json_object_put(shares);
    r = xw_table(x, ws, "EditsHabits", r + 2, 0, xw_edit_habit_cols, NCOLS(xw_edit_habit_cols),
                 jget(report, "edits.habits"));
    xw_table(x, ws, "EditsByPrompt", r + 2, 0, xw_edit_prompt_cols, NCOLS(xw_edit_prompt_cols),
             has ? jget(report, "prompts") : NULL);
    worksheet_freeze_panes(ws, 1, 0);
    xw_sheet_done(x, ws, NULL);
}

/* The segments sheets (docs/xlsx.md): one per breakdown of
 * report.segments, agents included (the workbook is the team lead's, not
 * the published page); each row with its label and prompt versions as
 * text. A report without segments (older weeks) gets none. */
static const xcol xw_segment_cols[] = {
    { "Segment", "label", XC_TEXT, 24 },
    { "Prompt versions", "versions_text", XC_WRAP, 22 },
    { "Suggestions", "suggestions", XC_INT, 0 },
    { "Acceptance", "acceptance", XC_PCT, 0 },
    { "Acceptance 95% low", "acceptance_ci.0", XC_PCT, 0 },
    { "Acceptance 95% high", "acceptance_ci.1", XC_PCT, 0 },
    { "Acceptance change", "changes.acceptance.delta", XC_DPP, 0 },
    { "Change 95% low", "changes.acceptance.delta_ci.0", XC_DPP, 0 },
    { "Change 95% high", "changes.acceptance.delta_ci.1", XC_DPP, 0 },
    { "Change verdict", "changes.acceptance.verdict", XC_TEXT, 0 },
    { "Change q", "change_q", XC_DEC, 0 },
    { "Against the team", "vs_team.delta", XC_DPP, 0 },
    { "Against the team q", "vs_team.q", XC_DEC, 0 },
    { "Significant", "highlight", XC_TEXT, 0 },
    { "Use", "use", XC_PCT, 0 },
    { "Use verdict", "changes.use.verdict", XC_TEXT, 0 },
    { "Rejection", "rejection", XC_PCT, 0 },
    { "Rejection verdict", "changes.rejection.verdict", XC_TEXT, 0 },
    { "Light edit share", "light_edit_share", XC_PCT, 0 },
    { "Light edit verdict", "changes.light_edit_share.verdict", XC_TEXT, 0 },
    { "Mean confidence", "mean_confidence", XC_DEC, 0 },
    { "Mean confidence verdict", "changes.mean_confidence.verdict", XC_TEXT, 0 },
    { "ECE", "ece", XC_DEC, 0 },
};

static void xw_segments(xw *x, struct json_object *report)
{
    static const char *const sheets[SEGVIEW_DIMS] = { "Segments by prompt", "Segments by channel",
                                                      "Segments by agent" };
    static const char *const tables[SEGVIEW_DIMS] = { "SegmentsPrompt", "SegmentsChannel", "SegmentsAgent" };
    if (!jget(report, "segments"))
        return;
    strbuf sb = STRBUF_INIT;
    for (size_t d = 0; d < SEGVIEW_DIMS; d++) {
        char path[32];
        snprintf(path, sizeof path, "segments.%s", segview_dims[d]);
        struct json_object *src = jget(report, path), *rows = xw_need(x, json_object_new_array(), "segments");
        for (size_t i = 0, n = jget_len(report, path); rows && i < n; i++) {
            struct json_object *e = json_object_array_get_idx(src, i), *c = NULL;
            if (!json_object_is_type(e, json_type_object))
                continue; /* not a row (a damaged report): nothing to show */
            if (json_object_deep_copy(e, &c, NULL) != 0 || !c) {
                xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "segments");
                continue;
            }
            strbuf_reset(&sb);
            if (segview_label(&sb, e) < 0)
                xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "segments");
            xw_set(x, c, "label", xw_need(x, json_object_new_string(sb.len ? sb.buf : ""), "segments"));
            strbuf_reset(&sb);
            if (segview_versions(&sb, e) < 0)
                xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "segments");
            xw_set(x, c, "versions_text", sb.len ? xw_need(x, json_object_new_string(sb.buf), "segments") : NULL);
            xw_push(x, rows, c);
        }
        xw_list_sheet(x, sheets[d], tables[d], xw_segment_cols, NCOLS(xw_segment_cols), rows);
        json_object_put(rows);
    }
    strbuf_release(&sb);
}

static const xcol xw_cost_cols[] = {
    { "Group", "kind", XC_TEXT, 9 },
    { "Prompt or model", "name", XC_TEXT, 20 },
    { "Suggestions", "suggestions", XC_INT, 0 },
    { "Used", "used", XC_INT, 0 },
    { "With latency", "latency_ms.n", XC_INT, 0 },
    { "Median latency (ms)", "latency_ms.median", XC_INT, 0 },
    { "Median 95% low", "latency_ms.median_ci.0", XC_INT, 0 },
    { "Median 95% high", "latency_ms.median_ci.1", XC_INT, 0 },
    { "p95 latency (ms)", "latency_ms.p95", XC_INT, 0 },
    { "p95 95% low", "latency_ms.p95_ci.0", XC_INT, 0 },
    { "p95 95% high", "latency_ms.p95_ci.1", XC_INT, 0 },
    { "p95 change (ms)", "change.latency_p95_ms", XC_DINT, 0 },
    { "With tokens in", "tokens_in.n", XC_INT, 0 },
    { "Tokens in", "tokens_in.total", XC_INT, 0 },
    { "Mean tokens in", "tokens_in.mean", XC_DEC2, 0 },
    { "With tokens out", "tokens_out.n", XC_INT, 0 },
    { "Tokens out", "tokens_out.total", XC_INT, 0 },
    { "Mean tokens out", "tokens_out.mean", XC_DEC2, 0 },
    { "With cost", "cost.n", XC_INT, 0 },
    { "Used with cost", "cost.used", XC_INT, 0 },
    { "Cost", "cost.total", XC_MONEY, 0 },
    { "Cost per used reply", "cost.per_used_reply", XC_MONEY, 0 },
    { "Per used reply change", "change.cost_per_used_reply", XC_DMONEY, 0 },
};

/* The "Cost" sheet (report.json cost{}): its table says "(none this week)"
 * for a week without any of the cost and latency fields (the sheets stay
 * the same every week). */
static void xw_cost(xw *x, struct json_object *report)
{
    struct json_object *rows = NULL;
    if (costlabel_count(report) && costlabel_rows_json(report, &rows, NULL)) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "cost");
        return;
    }
    lxw_worksheet *ws = xw_sheet(x, "Cost");
    if (ws) {
        lxw_row_t r = xw_table(x, ws, "CostLatency", 0, 0, xw_cost_cols, NCOLS(xw_cost_cols), rows);
        strbuf note = STRBUF_INIT;
        if (rows ? costlabel_note(&note, report) < 0
                 : strbuf_adds(&note, "No suggestion of the week has a latency, token count or cost.") < 0)
            xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "cost");
        else
            xw_str(x, ws, r + 1, 0, note.buf, x->fmt[XC_TEXT]); /* one line, running over the empty cells */
        strbuf_release(&note);
        worksheet_freeze_panes(ws, 1, 0);
        xw_sheet_done(x, ws, NULL);
    }
    json_object_put(rows);
}

static void xw_quality(xw *x, struct json_object *report)
{
    lxw_worksheet *ws = xw_sheet(x, "Data quality");
    if (!ws)
        return;
    struct json_object *counts = json_object_new_array();
    struct json_object *reasons = json_object_new_array();
    if (!counts || !reasons)
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "data quality");
    for (size_t i = 0; counts && i < dqlabel_nfields; i++)
        xw_kv(x, counts, "measure", dqlabel_fields[i].sheet, xw_copy_num(x, report, dqlabel_fields[i].path));
    struct json_object *by = jget(report, "data_quality.bad_by_reason");
    if (reasons && json_object_is_type(by, json_type_object)) {
        json_object_object_foreach(by, key, val)
            xw_kv(x, reasons, "reason", key, xw_is_num(val) ? xw_need(x, json_object_new_double(json_object_get_double(val)),
                                                          "reason")
                                                  : NULL);
    }
    xw_table(x, ws, "DataQuality", 0, 0, xw_dq_cols, NCOLS(xw_dq_cols), counts);
    xw_table(x, ws, "BadLinesByReason", 0, NCOLS(xw_dq_cols) + 1, xw_reason_cols,
             NCOLS(xw_reason_cols), reasons);
    json_object_put(counts);
    json_object_put(reasons);
    worksheet_freeze_panes(ws, 1, 0);
    xw_sheet_done(x, ws, NULL);
}

/* When the document says it was created: SOURCE_DATE_EPOCH, else the
 * report's generated_at, else the start of its week (never "now", so that
 * a re-run gives the same bytes). */
static time_t xw_created(struct json_object *report)
{
    if (timeutil_have_source_date())
        return (time_t)(timeutil_now_ms() / 1000);
    int64_t ms;
    const char *g = jget_str(report, "generated_at", NULL);
    if (g && timeutil_parse_rfc3339(g, strlen(g), &ms) && ms > 0)
        return (time_t)(ms / 1000);
    const char *s = jget_str(report, "period.start", NULL);
    if (s && timeutil_parse_rfc3339(s, strlen(s), &ms) && ms > 0)
        return (time_t)(ms / 1000);
    timeutil_week w;
    const char *wk = jget_str(report, "week", NULL);
    if (wk && timeutil_parse_week(wk, &w) && timeutil_week_start(w) > 0)
        return (time_t)(timeutil_week_start(w) / 1000);
    return (time_t)1;
}

/* Put the written workbook tmp in place at path. With cells that need the
 * quote prefix it is written once more beside it, xl/styles.xml patched
 * (xlsxquote.h), and that copy goes in place. Nothing is left at either
 * temporary name on failure. */
static aid_err xw_commit(const xw *x, const char *tmp, const char *path, aid_errbuf *eb)
{
    if (!x->nq)
        return fsutil_commit_tmp(tmp, path, eb);
    strbuf quoted = STRBUF_INIT;
    aid_err err = AID_OK;
    if (fsutil_tmp_path(tmp, &quoted) < 0) {
        unlink(tmp);
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    err = xlsxquote_rewrite(tmp, quoted.buf, path, x->qxf, x->nq, eb);
    unlink(tmp);
    if (err) {
        unlink(quoted.buf);
        goto cleanup;
    }
    err = fsutil_commit_tmp(quoted.buf, path, eb);
cleanup:
    strbuf_release(&quoted);
    return err;
}

static aid_err xlsx_write_book(struct json_object *report, const char *path, const aid_config *cfg,
                               aid_errbuf *eb)
{
    aid_err err = AID_OK;
    strbuf tmp = STRBUF_INIT, title = STRBUF_INIT, team = STRBUF_INIT, kw = STRBUF_INIT;
    xw x;
    memset(&x, 0, sizeof x);
    strbuf_init(&x.sb);
    if (fsutil_tmp_path(path, &tmp) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    const char *team_raw = cfg && cfg->team_name && *cfg->team_name ? cfg->team_name : "Support";
    const char *week = jget_str(report, "week", NULL);
    if (xlsx_sanitize(team_raw, strlen(team_raw), 200, &team) < 0 ||
        (week && xlsx_sanitize(week, strlen(week), 64, &x.sb) < 0) ||
        strbuf_addf(&title, "Weekly AI Intelligence Digest \xE2\x80\x93 %s%s%s", team.buf,
                    x.sb.len ? " \xE2\x80\x93 " : "", x.sb.len ? x.sb.buf : "") < 0 ||
        strbuf_addf(&kw, "AI assistant, support, digest, %s", x.sb.len ? x.sb.buf : "") < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    /* Find an unwritable place here, with a proper message: libxlsxwriter
     * would notice only in workbook_close and print its own to stderr. */
    FILE *probe = fopen(tmp.buf, "wb");
    if (!probe) {
        err = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        goto cleanup;
    }
    fclose(probe);
    x.wb = workbook_new(tmp.buf);
    if (!x.wb) {
        unlink(tmp.buf);
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: cannot start a workbook: out of memory",
                             path);
        goto cleanup;
    }
    lxw_doc_properties props = {
        .title = title.buf,
        .subject = "Weekly AI Intelligence Digest: use of the AI reply assistant",
        .author = "aidigest",
        .company = team.buf,
        .keywords = kw.buf,
        .comments = "Generated by aidigest from report.json; see docs/xlsx.md for the columns.",
        .created = xw_created(report),
    };
    xw_fail(&x, workbook_set_properties(x.wb, &props), "document properties");
    if (!xw_formats(&x)) {
        xw_fail(&x, LXW_ERROR_MEMORY_MALLOC_FAILED, "formats");
    } else {
        xw_summary(&x, report, team.buf);
        xw_weeks(&x, report, path);
        xw_list_sheet(&x, "Top used", "TopUsed", xw_top_used_cols, NCOLS(xw_top_used_cols),
                      jget(report, "top_accepted"));
        xw_list_sheet(&x, "Top rejected", "TopRejected", xw_top_rejected_cols,
                      NCOLS(xw_top_rejected_cols), jget(report, "top_rejected"));
        xw_confidence(&x, report);
        xw_calibration(&x, report);
        xw_trends(&x, report);
        xw_list_sheet(&x, "Retraining", "Retraining", xw_retrain_cols, NCOLS(xw_retrain_cols),
                      jget(report, "retraining"));
        xw_retrain_preview(&x, report);
        xw_coach(&x, report);
        xw_edits(&x, report);
        xw_outcomes(&x, report);
        xw_segments(&x, report);
        xw_cost(&x, report);
        xw_quality(&x, report);
    }
    /* workbook_close writes the file and frees the workbook, also when it
     * fails; a file that cannot be created shows up only here. */
    lxw_error cerr = workbook_close(x.wb);
    x.wb = NULL;
    if (x.lerr == LXW_ERROR_MEMORY_MALLOC_FAILED || cerr == LXW_ERROR_MEMORY_MALLOC_FAILED) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: %s: out of memory", path,
                             x.lerr == LXW_ERROR_MEMORY_MALLOC_FAILED && x.what ? x.what
                                                                                : "workbook");
        unlink(tmp.buf);
        goto cleanup;
    }
    if (x.lerr != LXW_NO_ERROR) {
        err = aid_errbuf_set(eb, AID_ERR_XLSX, "%s: %s: %s", path, x.what ? x.what : "workbook",
                             lxw_strerror(x.lerr));
        unlink(tmp.buf);
        goto cleanup;
    }
    if (cerr != LXW_NO_ERROR) {
        bool io = cerr == LXW_ERROR_CREATING_XLSX_FILE || cerr == LXW_ERROR_CREATING_TMPFILE ||
                  cerr == LXW_ERROR_ZIP_FILE_OPERATION || cerr == LXW_ERROR_ZIP_CLOSE ||
                  cerr == LXW_ERROR_ZIP_FILE_ADD;
        err = aid_errbuf_set(eb, io ? AID_ERR_IO : AID_ERR_XLSX, "%s: cannot write: %s", path,
                             lxw_strerror(cerr));
        unlink(tmp.buf);
        goto cleanup;
    }
    err = xw_commit(&x, tmp.buf, path, eb);
cleanup:
    free(x.rowh);
    strbuf_release(&x.sb);
    strbuf_release(&kw);
    strbuf_release(&team);
    strbuf_release(&title);
    strbuf_release(&tmp);
    return err;
}

/* libxlsxwriter (1.1.4 in Debian) prints its own "[ERROR]..." and
 * "[WARNING]..." lines on stderr with fprintf, and has no setting to turn
 * them off; every failure it prints it also returns as an lxw_error, which
 * xlsx_write_book reports in its one line. So while the workbook is built
 * and written, file descriptor 2 goes to an anonymous temporary file
 * (/dev/null when none can be made); the library's last line is kept as
 * the detail of a failure. Nothing else writes to stderr meanwhile: the
 * renderers run after the reading threads have ended. */
typedef struct xw_quiet {
    int saved; /* the real stderr, -1 when not redirected */
    FILE *cap; /* the capture, or NULL (dropped, or not redirected) */
} xw_quiet;

static void xw_quiet_begin(xw_quiet *q)
{
    q->saved = -1;
    q->cap = tmpfile();
    int fd = q->cap ? fileno(q->cap) : open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    fflush(stderr);
    q->saved = dup(2);
    if (q->saved < 0 || dup2(fd, 2) < 0) {
        if (q->saved >= 0)
            close(q->saved);
        q->saved = -1;
    }
    if (!q->cap)
        close(fd);
    else if (q->saved < 0) {
        fclose(q->cap);
        q->cap = NULL;
    }
}

/* Give stderr back; last gets the library's last line ("" when none). */
static void xw_quiet_end(xw_quiet *q, char *last, size_t n)
{
    last[0] = '\0';
    if (q->saved < 0)
        return;
    fflush(stderr);
    dup2(q->saved, 2);
    close(q->saved);
    if (!q->cap)
        return;
    char line[512];
    rewind(q->cap);
    while (fgets(line, sizeof line, q->cap)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0])
            snprintf(last, n, "%s", line);
    }
    fclose(q->cap);
}

aid_err xlsx_write(struct json_object *report, const char *path, const aid_config *cfg,
                   aid_errbuf *eb)
{
    xw_quiet q;
    char last[512];
    xw_quiet_begin(&q);
    aid_err err = xlsx_write_book(report, path, cfg, eb);
    xw_quiet_end(&q, last, sizeof last);
    if (err && err != AID_ERR_NOMEM && *last && eb) {
        char msg[sizeof eb->msg];
        snprintf(msg, sizeof msg, "%s", eb->msg);
        err = aid_errbuf_set(eb, err, "%s (libxlsxwriter: %s)", msg, last);
    }
    return err;
}
