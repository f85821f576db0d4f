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
#include "render/dqlabel.h"

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
    XC_DPCT,      /* a change of a share: +0.0% */
    XC_DEC,       /* 0.000 */
    XC_DEC2,      /* 0.00 */
    XC_DDEC,      /* a signed change: +0.000 */
    XC_DINT,      /* a signed count change */
    XC_DATE,      /* "YYYY-MM-DD" -> a date */
    XC_DATETIME,  /* RFC 3339 -> a date and time (UTC) */
    XC_LIST,      /* an array of strings, one per line */
} xcol_type;

typedef struct xcol {
    const char *header;
    const char *path;      /* in each row object; "" = the row itself */
    xcol_type type;
    double width;          /* 0 = by type */
} xcol;

typedef struct xw {
    lxw_workbook *wb;
    lxw_format *fmt[XC_LIST + 1];
    lxw_format *title, *label, *heading, *para, *note, *head;
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

static lxw_format *xw_format(xw *x, const char *num, bool wrap, bool bold)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f)
        return NULL;
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (num)
        format_set_num_format(f, num);
    if (wrap)
        format_set_text_wrap(f);
    if (bold)
        format_set_bold(f);
    return f;
}

static bool xw_formats(xw *x)
{
    x->fmt[XC_TEXT] = xw_format(x, NULL, false, false);
    x->fmt[XC_WRAP] = xw_format(x, NULL, true, false);
    x->fmt[XC_INT] = xw_format(x, "#,##0", false, false);
    x->fmt[XC_RANK] = xw_format(x, "0", false, false);
    x->fmt[XC_PCT] = xw_format(x, "0.0%", false, false);
    x->fmt[XC_DPCT] = xw_format(x, "+0.0%;-0.0%;0.0%", false, false);
    x->fmt[XC_DEC] = xw_format(x, "0.000", false, false);
    x->fmt[XC_DEC2] = xw_format(x, "0.00", false, false);
    x->fmt[XC_DDEC] = xw_format(x, "+0.000;-0.000;0.000", false, false);
    x->fmt[XC_DINT] = xw_format(x, "+#,##0;-#,##0;0", false, false);
    x->fmt[XC_DATE] = xw_format(x, "yyyy-mm-dd", false, false);
    x->fmt[XC_DATETIME] = xw_format(x, "yyyy-mm-dd hh:mm", false, false);
    x->fmt[XC_LIST] = xw_format(x, NULL, true, false);
    x->title = xw_format(x, NULL, false, true);
    x->label = xw_format(x, NULL, false, true);
    x->heading = xw_format(x, NULL, false, true);
    x->para = xw_format(x, NULL, true, false);
    x->note = xw_format(x, NULL, true, false);
    x->head = xw_format(x, NULL, true, true);
    for (int i = 0; i <= XC_LIST; i++)
        if (!x->fmt[i])
            return false;
    if (!x->title || !x->label || !x->heading || !x->para || !x->note || !x->head)
        return false;
    format_set_font_size(x->title, 16);
    format_set_font_size(x->heading, 12);
    format_set_font_color(x->note, LXW_COLOR_GRAY);
    format_set_italic(x->note);
    return true;
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
    if (s && xw_text(x, s) < 0) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "text");
        return;
    }
    if (!s || !x->sb.len)
        xw_fail(x, worksheet_write_blank(ws, r, c, f), "blank cell");
    else
        xw_fail(x, worksheet_write_string(ws, r, c, x->sb.buf, f), "text cell");
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

/* A table at (r0, c0): header row, one row per element of `rows` (an array
 * of objects, or of anything for path ""), or one "(none this week)" row
 * when there is none. Returns the row after the table. */
static lxw_row_t xw_table(xw *x, lxw_worksheet *ws, const char *name, lxw_row_t r0,
                          lxw_col_t c0, const xcol *cols, size_t ncols, struct json_object *rows)
{
    size_t n = json_object_is_type(rows, json_type_array) ? json_object_array_length(rows) : 0;
    lxw_table_column tc[16];
    lxw_table_column *tcp[17];
    if (ncols > 16) {
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
    }
    tcp[ncols] = NULL;
    for (size_t i = 0; i < n; i++) {
        struct json_object *row = json_object_array_get_idx(rows, i);
        for (size_t j = 0; j < ncols; j++) {
            struct json_object *v = NULL;
            if (cols[j].path)
                v = cols[j].path[0] ? jget(row, cols[j].path) : row;
            xw_cell(x, ws, (lxw_row_t)(r0 + 1 + i), (lxw_col_t)(c0 + j), &cols[j], v, i);
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
            if (j == tj)
                xw_fail(x, worksheet_write_string(ws, r0 + 1, (lxw_col_t)(c0 + j), XW_NONE_TEXT,
                                                  x->note), name);
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
} xfig;

static const xfig xw_figs[] = {
    { "Suggestions", "totals.suggestions", "previous.totals.suggestions", NULL, XC_INT },
    { "Accepted as is", "totals.accepted", "previous.totals.accepted", NULL, XC_INT },
    { "Edited", "totals.edited", "previous.totals.edited", NULL, XC_INT },
    { "Rejected", "totals.rejected", "previous.totals.rejected", NULL, XC_INT },
    { "Ignored", "totals.ignored", "previous.totals.ignored", NULL, XC_INT },
    { "Acceptance rate", "rates.acceptance", "previous.rates.acceptance", NULL, XC_PCT },
    { "Use rate (accepted + edited)", "rates.use", "previous.rates.use", NULL, XC_PCT },
    { "Rejection rate", "rates.rejection", "previous.rates.rejection", NULL, XC_PCT },
    { "Mean confidence", "confidence.mean", "confidence.previous_mean", "confidence.delta",
      XC_DEC },
    { "Calibration error (ECE)", "confidence.ece", "previous.ece", NULL, XC_DEC },
    { "Confidence drift (PSI)", "confidence.psi", NULL, NULL, XC_DEC },
    { "Confidence drift (KS)", "confidence.ks", NULL, NULL, XC_DEC },
    { "AI wins (accepted as is)", "coach.ai_wins", NULL, NULL, XC_INT },
    { "Vindicated AI replies", "coach.vindicated", NULL, NULL, XC_INT },
    { "Corrections", "totals.corrections", "previous.totals.corrections", NULL, XC_INT },
    { "Bad input lines", "data_quality.bad_lines", NULL, NULL, XC_INT },
};

static double xw_jd(struct json_object *report, const char *path)
{
    if (!path)
        return NAN;
    struct json_object *v = jget(report, path);
    return xw_is_num(v) ? json_object_get_double(v) : NAN;
}

/* Rows of a wrapped paragraph: a rough line count for a column `chars`
 * wide, so that Excel and LibreOffice show the whole text of a merged cell
 * (they do not fit merged rows themselves). */
static double xw_para_height(const char *s, double chars)
{
    double lines = 0, col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n') {
            lines += 1;
            col = 0;
            continue;
        }
        if ((*p & 0xC0) == 0x80)
            continue;
        if (++col > chars) {
            lines += 1;
            col = 1;
        }
    }
    lines += 1;
    double h = lines * 15.0 + 4;
    return h > 409 ? 409 : h;
}

static lxw_row_t xw_paragraph(xw *x, lxw_worksheet *ws, lxw_row_t r, const char *heading,
                              const char *text, lxw_col_t last_col, double chars)
{
    xw_fail(x, worksheet_write_string(ws, r, 0, heading, x->heading), heading);
    r++;
    if (text && xw_text(x, text) < 0) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, heading);
        return r;
    }
    const char *t = text && x->sb.len ? x->sb.buf : "\xE2\x80\x93";
    xw_fail(x, worksheet_set_row(ws, r, xw_para_height(t, chars), NULL), heading);
    xw_fail(x, worksheet_merge_range(ws, r, 0, r, last_col, t, x->para), heading);
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
        xcol_type dt = f->type == XC_INT ? XC_DINT : f->type == XC_PCT ? XC_DPCT : XC_DDEC;
        xw_str(x, ws, rr, 0, f->label, x->fmt[XC_TEXT]);
        xw_num(x, ws, rr, 1, now, x->fmt[f->type]);
        xw_num(x, ws, rr, 2, prev, x->fmt[f->type]);
        xw_num(x, ws, rr, 3, d, x->fmt[dt]);
    }
    lxw_table_column tc[4];
    lxw_table_column *tcp[5];
    static const char *const heads[4] = { "Figure", "This week", "Previous week", "Change" };
    for (int j = 0; j < 4; j++) {
        memset(&tc[j], 0, sizeof tc[j]);
        tc[j].header = (char *)heads[j];
        tc[j].header_format = x->head;
        tcp[j] = &tc[j];
    }
    tcp[4] = NULL;
    lxw_table_options opt;
    memset(&opt, 0, sizeof opt);
    opt.name = "KeyFigures";
    opt.style_type = LXW_TABLE_STYLE_TYPE_MEDIUM;
    opt.style_type_number = 2;
    opt.columns = tcp;
    xw_fail(x, worksheet_add_table(ws, t0, 0, (lxw_row_t)(t0 + nfig), 3, &opt), "KeyFigures");
    r = (lxw_row_t)(t0 + nfig + 1);
    xw_fail(x, worksheet_write_string(ws, r, 0,
                                      "Change = this week minus the previous week; for rates "
                                      "that is percentage points. Empty = not known.",
                                      x->note), "summary");
    r += 2;

    /* The narrative, full width of the four columns (about 80 characters). */
    static const double widths[4] = { 34, 16, 16, 14 };
    for (lxw_col_t c = 0; c < 4; c++)
        xw_fail(x, worksheet_set_column(ws, c, c, widths[c], NULL), "summary");
    r = xw_paragraph(x, ws, r, "Self-summary", jget_str(report, "narrative.self_summary", NULL), 3,
                     76);
    r = xw_paragraph(x, ws, r, "Summary", jget_str(report, "narrative.summary", NULL), 3, 76);
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
    xw_paragraph(x, ws, r, "Coach notes", notes.len ? notes.buf : NULL, 3, 76);
    strbuf_release(&notes);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
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
};

static const xcol xw_top_rejected_cols[] = {
    { "Rank", NULL, XC_RANK, 0 },
    { "Reply", "reply", XC_WRAP, 60 },
    { "Rejections", "rejections", XC_INT, 0 },
    { "Suggested", "suggested", XC_INT, 0 },
    { "Rejection rate", "rejection_rate", XC_PCT, 0 },
    { "Mean confidence", "mean_confidence", XC_DEC, 0 },
    { "Most frequent replacement", "top_replacement", XC_WRAP, 60 },
    { "Variants", "variants", XC_INT, 0 },
    { "Replacement as written", "top_replacement_text", XC_WRAP, 60 },
    { "Replacement count", "top_replacement_count", XC_INT, 0 },
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
};

static const xcol xw_kv_dec_cols[] = {
    { "Measure", "measure", XC_TEXT, 30 },
    { "Value", "value", XC_DEC, 0 },
};

static const xcol xw_trend_cols[] = {
    { "Rank", NULL, XC_RANK, 0 },
    { "Term", "term", XC_TEXT, 24 },
    { "Messages this week", "count", XC_INT, 0 },
    { "Previous week", "previous_count", XC_INT, 0 },
    { "Baseline", "baseline_count", XC_INT, 0 },
    { "Score (G\xC2\xB2)", "score", XC_DEC2, 0 },
};

static const xcol xw_retrain_cols[] = {
    { "Time (UTC)", "ts", XC_DATETIME, 0 },
    { "Prompt", "prompt_id", XC_TEXT, 16 },
    { "From version", "from_version", XC_TEXT, 10 },
    { "To version", "to_version", XC_TEXT, 10 },
    { "Theme", "theme", XC_TEXT, 20 },
    { "Summary", "summary", XC_WRAP, 50 },
    { "Examples added", "examples_added", XC_LIST, 50 },
    { "Examples removed", "examples_removed", XC_LIST, 50 },
    { "Suggestions before", "impact.before.suggestions", XC_INT, 0 },
    { "Accepted before", "impact.before.accepted", XC_INT, 0 },
    { "Acceptance before", "impact.before.acceptance", XC_PCT, 0 },
    { "Suggestions after", "impact.after.suggestions", XC_INT, 0 },
    { "Accepted after", "impact.after.accepted", XC_INT, 0 },
    { "Acceptance after", "impact.after.acceptance", XC_PCT, 0 },
    { "Change", "impact.delta", XC_DPCT, 0 },
};

static const xcol xw_notes_cols[] = {
    { "No.", NULL, XC_RANK, 0 },
    { "Coach note", "", XC_WRAP, 60 },
};

static const xcol xw_tips_cols[] = {
    { "Feature", "feature", XC_TEXT, 20 },
    { "Tip", "label", XC_TEXT, 26 },
    { "Share of AI wins", "ai_win_share", XC_PCT, 0 },
    { "Share of rejected", "rejected_share", XC_PCT, 0 },
    { "Lift (pp)", "lift", XC_DPCT, 0 },
    { "Example", "example", XC_WRAP, 60 },
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

/* Printing: landscape, one page wide, the header row on every page. */
static void xw_print(lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);           /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, 0, 0);
}

static lxw_worksheet *xw_list_sheet(xw *x, const char *sheet, const char *table,
                                    const xcol *cols, size_t ncols, struct json_object *rows)
{
    lxw_worksheet *ws = xw_sheet(x, sheet);
    if (!ws)
        return NULL;
    xw_table(x, ws, table, 0, 0, cols, ncols, rows);
    worksheet_freeze_panes(ws, 1, 0);
    xw_print(ws);
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
    xw_print(ws);

    /* Charts below the taller table. */
    lxw_row_t below = (lxw_row_t)(nbins + 3);
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
        lxw_chart_options co = { .x_scale = 1.5, .y_scale = 1.0 };
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
        lxw_chart_options co = { .x_scale = 1.5, .y_scale = 1.1 };
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
    } else {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "calibration");
    }
    lxw_col_t kc = NCOLS(xw_calib_cols) + 1;
    xw_table(x, ws, "CalibrationError", 0, kc, xw_kv_dec_cols, NCOLS(xw_kv_dec_cols), kv);
    json_object_put(kv);
    worksheet_freeze_panes(ws, 1, 0);
    xw_print(ws);

    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_SCATTER_STRAIGHT_WITH_MARKERS);
    if (!ch) {
        xw_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "calibration chart");
        return;
    }
    lxw_row_t last = (lxw_row_t)(nb ? nb : 1);
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
    chart_title_set_name(ch, "Calibration: acceptance vs mean confidence");
    chart_axis_set_name(ch->x_axis, "Mean confidence");
    chart_axis_set_name(ch->y_axis, "Acceptance");
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, 1);
    chart_axis_set_min(ch->y_axis, 0);
    chart_axis_set_max(ch->y_axis, 1);
    chart_axis_set_num_format(ch->y_axis, "0%");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options co = { .x_scale = 1.2, .y_scale = 1.3 };
    xw_fail(x, worksheet_insert_chart_opt(ws, (lxw_row_t)(last + 3), 0, ch, &co),
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
    xw_print(ws);
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
    xw_print(ws);
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
    xw_print(ws);
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
        xw_list_sheet(&x, "Top used", "TopUsed", xw_top_used_cols, NCOLS(xw_top_used_cols),
                      jget(report, "top_accepted"));
        xw_list_sheet(&x, "Top rejected", "TopRejected", xw_top_rejected_cols,
                      NCOLS(xw_top_rejected_cols), jget(report, "top_rejected"));
        xw_confidence(&x, report);
        xw_calibration(&x, report);
        xw_list_sheet(&x, "Trends", "Trends", xw_trend_cols, NCOLS(xw_trend_cols),
                      jget(report, "trends"));
        xw_list_sheet(&x, "Retraining", "Retraining", xw_retrain_cols, NCOLS(xw_retrain_cols),
                      jget(report, "retraining"));
        xw_coach(&x, report);
        xw_edits(&x, report);
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
    err = fsutil_commit_tmp(tmp.buf, path, eb);
cleanup:
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
