#include "render/svgchart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/calendar.h"
#include "common/numfmt.h"
#include "common/timeutil.h"

#define ADDF(...) do { if (strbuf_addf(out, __VA_ARGS__) < 0) goto nomem; } while (0)
#define ADDS(s) do { if (strbuf_adds(out, (s)) < 0) goto nomem; } while (0)
#define ESC(s) do { if (svgchart_escape(out, (s)) < 0) goto nomem; } while (0)

int svgchart_escape(strbuf *out, const char *s)
{
    if (!s)
        return 0;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep ? strbuf_adds(out, rep) < 0 : strbuf_addc(out, *p) < 0)
            return -1;
    }
    return 0;
}

/* The root element with its title and desc. desc is plain text (escaped
 * here). */
static int svgchart_open(strbuf *out, const char *cls, int w, int h, int font, const char *id,
                         const char *title, const char *desc)
{
    if (strbuf_addf(out, "<svg class=\"chart %s\" viewBox=\"0 0 %d %d\" role=\"img\" "
                         "aria-labelledby=\"", cls, w, h) < 0
        || svgchart_escape(out, id) < 0 || strbuf_adds(out, "-t ") < 0
        || svgchart_escape(out, id) < 0
        || strbuf_addf(out, "-d\" font-size=\"%d\" fill=\"currentColor\"><title id=\"", font) < 0
        || svgchart_escape(out, id) < 0 || strbuf_adds(out, "-t\">") < 0
        || svgchart_escape(out, title) < 0 || strbuf_adds(out, "</title><desc id=\"") < 0
        || svgchart_escape(out, id) < 0 || strbuf_adds(out, "-d\">") < 0
        || svgchart_escape(out, desc) < 0 || strbuf_adds(out, "</desc>") < 0)
        return -1;
    return 0;
}

/* "2026-11-16" -> "Mon 16 Nov" (long) or "Mon 16" (short); other text as is. */
static void svgchart_day_label(const char *date, char *buf, size_t n, int longform)
{
    calendar_date d;
    if (calendar_parse_date(date, CALENDAR_WHOLE, &d)) {
        if (longform)
            snprintf(buf, n, "%s %d %s", calendar_weekday_abbr[d.weekday], d.day,
                     calendar_month_abbr[d.month - 1]);
        else
            snprintf(buf, n, "%s %d", calendar_weekday_abbr[d.weekday], d.day);
        return;
    }
    snprintf(buf, n, "%s", date ? date : "");
}

/* A "nice" axis over [lo, hi] within [0, 1]: step and rounded ends. */
static void svgchart_axis(double lo, double hi, double *alo, double *ahi, double *step)
{
    static const double steps[] = { 0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25 };
    if (!(hi >= lo)) {
        lo = 0.0;
        hi = 1.0;
    }
    double span = hi - lo;
    if (span < 0.02)
        span = 0.02;
    double s = 0.25;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (span / steps[i] <= 4.0) {
            s = steps[i];
            break;
        }
    }
    double a = floor((lo - s * 0.3) / s + 1e-9) * s;
    double b = ceil((hi + s * 0.3) / s - 1e-9) * s;
    if (a < 0)
        a = 0;
    if (b > 1)
        b = 1;
    if (b - a < s)
        b = a + s;
    *alo = a;
    *ahi = b;
    *step = s;
}

/* The geometry of a chart drawn for one form: the viewBox (W x H), the
 * plot's margins (L, R, T, B), the root font size (ticks, legend) and the
 * size of the smaller notes (values, n). The narrow form is drawn for a
 * phone column (about 330 CSS px): a viewBox of about that width keeps its
 * text at about its nominal size there (11.5 px and more at 390 px). */
typedef struct svgchart_geom {
    int W, H, L, R, T, B;
    int font;
    double note;
} svgchart_geom;

static const svgchart_geom svgchart_line_geom[] = {
    [SVGCHART_WIDE] = { 560, 270, 50, 12, 24, 58, 14, 12.5 },
    [SVGCHART_NARROW] = { 340, 290, 40, 6, 24, 74, 13, 12.5 },
};

static const svgchart_geom svgchart_hist_geom[] = {
    [SVGCHART_WIDE] = { 560, 270, 50, 24, 36, 44, 14, 12.5 },
    [SVGCHART_NARROW] = { 340, 260, 40, 18, 36, 44, 13, 12.5 },
};

/* The class that names the form, for the stylesheet to show one of them. */
static const char *svgchart_form_class(svgchart_form form, const char *kind, char *buf, size_t n)
{
    snprintf(buf, n, "%s %s", kind, form == SVGCHART_NARROW ? "chart-narrow" : "chart-wide");
    return buf;
}

/* The line chart's description: every day in words. 0 or -1 (no memory). */
static int svgchart_line_desc(strbuf *desc, const svgchart_day *days, size_t ndays)
{
    char lab[64];
    if (strbuf_adds(desc, "Mean confidence per day. ") < 0)
        return -1;
    if (!ndays && strbuf_adds(desc, "No days.") < 0)
        return -1;
    for (size_t i = 0; i < ndays; i++) {
        svgchart_day_label(days[i].date, lab, sizeof lab, 1);
        if (strbuf_addf(desc, "%s%s: ", i ? "; " : "", lab) < 0)
            return -1;
        if (isnan(days[i].mean)) {
            if (strbuf_adds(desc, "no data") < 0)
                return -1;
        } else if (numfmt_dec(desc, days[i].mean, 3) < 0 || strbuf_adds(desc, " (n = ") < 0
                   || numfmt_int(desc, days[i].n) < 0 || strbuf_adds(desc, ")") < 0) {
            return -1;
        }
    }
    if (ndays && strbuf_adds(desc, ".") < 0)
        return -1;
    return 0;
}

/* The labels under day i at x: "Mon 16" and "n=650" (wide), or "Mon",
 * "16" and "650" under an "n" in the margin (narrow). 0 or -1. */
static int svgchart_line_day(strbuf *out, const svgchart_geom *g, svgchart_form form,
                             const svgchart_day *day, double x)
{
    char lab[64];
    if (form == SVGCHART_WIDE) {
        svgchart_day_label(day->date, lab, sizeof lab, 0);
        ADDF("<text class=\"chart-tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x, g->H - 32);
        ESC(lab);
        ADDF("</text><text class=\"chart-note\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
             "font-size=\"%.1f\">n=", x, g->H - 14, g->note);
    } else {
        calendar_date d;
        int y = g->H - g->B;
        if (calendar_parse_date(day->date, CALENDAR_WHOLE, &d)) {
            ADDF("<text class=\"chart-tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>"
                 "<text class=\"chart-tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>",
                 x, y + 19, calendar_weekday_abbr[d.weekday], x, y + 36, d.day);
        } else {
            svgchart_day_label(day->date, lab, sizeof lab, 0);
            ADDF("<text class=\"chart-tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x, y + 19);
            ESC(lab);
            ADDS("</text>");
        }
        ADDF("<text class=\"chart-note\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
             "font-size=\"%.1f\">", x, g->H - 12, g->note);
    }
    if (numfmt_int(out, day->n) < 0)
        goto nomem;
    ADDS("</text>");
    return 0;
nomem:
    return -1;
}

aid_err svgchart_line(strbuf *out, const char *id, const char *title,
                      const svgchart_day *days, size_t ndays, svgchart_form form)
{
    const svgchart_geom *g = &svgchart_line_geom[form == SVGCHART_NARROW];
    const int W = g->W, H = g->H, L = g->L, R = g->R, T = g->T, B = g->B;
    const double pw = W - L - R, ph = H - T - B;
    strbuf desc = STRBUF_INIT;
    double lo = INFINITY, hi = -INFINITY;
    size_t have = 0;
    char cls[64];

    for (size_t i = 0; i < ndays; i++) {
        if (isnan(days[i].mean))
            continue;
        have++;
        if (days[i].mean < lo)
            lo = days[i].mean;
        if (days[i].mean > hi)
            hi = days[i].mean;
    }
    double alo, ahi, step;
    svgchart_axis(have ? lo : NAN, have ? hi : NAN, &alo, &ahi, &step);

    if (svgchart_line_desc(&desc, days, ndays) < 0
        || svgchart_open(out, svgchart_form_class(form, "chart-line", cls, sizeof cls), W, H,
                         g->font, id, title, desc.buf) < 0)
        goto nomem;

    /* Grid and y labels. */
    int nticks = (int)lround((ahi - alo) / step);
    for (int k = 0; k <= nticks; k++) {
        double v = alo + k * step;
        double y = T + ph - (v - alo) / (ahi - alo) * ph;
        ADDF("<line class=\"chart-grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
             "stroke=\"currentColor\" stroke-opacity=\"0.15\"/>", L, W - R, y, y);
        ADDF("<text class=\"chart-tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
             "dominant-baseline=\"middle\">%.*f</text>", L - 8, y, step < 0.1 ? 2 : 1, v);
    }
    ADDF("<line class=\"chart-axis\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
         "stroke=\"currentColor\"/>", L, W - R, T + ph, T + ph);
    if (form == SVGCHART_NARROW && ndays)
        ADDF("<text class=\"chart-note\" x=\"%d\" y=\"%d\" text-anchor=\"end\" "
             "font-size=\"%.1f\">n</text>", L - 8, H - 12, g->note);

    /* The line, broken at days without data. */
    if (have) {
        ADDS("<path class=\"chart-line\" fill=\"none\" stroke=\"currentColor\" "
             "stroke-width=\"2.5\" stroke-linejoin=\"round\" d=\"");
        int pen = 0, first = 1;
        for (size_t i = 0; i < ndays; i++) {
            if (isnan(days[i].mean)) {
                pen = 0;
                continue;
            }
            double x = L + (i + 0.5) * pw / (double)ndays;
            double y = T + ph - (days[i].mean - alo) / (ahi - alo) * ph;
            ADDF("%s%.1f %.1f", pen ? " L" : first ? "M" : " M", x, y);
            pen = 1;
            first = 0;
        }
        ADDS("\"/>");
    }
    for (size_t i = 0; i < ndays; i++) {
        double x = L + (i + 0.5) * pw / (double)ndays;
        if (svgchart_line_day(out, g, form, &days[i], x) < 0)
            goto nomem;
        if (isnan(days[i].mean)) {
            ADDF("<text class=\"chart-note\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                 "font-size=\"%.1f\">no data</text>", x, T + ph - 8, g->note);
            continue;
        }
        double y = T + ph - (days[i].mean - alo) / (ahi - alo) * ph;
        ADDF("<circle class=\"chart-dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\"/>", x, y);
        ADDF("<text class=\"chart-value\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
             "font-size=\"%.1f\">", x, y - 10, g->note);
        if (numfmt_dec(out, days[i].mean, 3) < 0)
            goto nomem;
        ADDS("</text>");
    }
    ADDS("</svg>");
    strbuf_release(&desc);
    return AID_OK;
nomem:
    strbuf_release(&desc);
    return AID_ERR_NOMEM;
}

/* "0.35" style bin edge. */
static int svgchart_edge(strbuf *out, double v)
{
    return strbuf_addf(out, "%.2f", v);
}

#define SHARE(a, t, i) ((t) > 0 && !isnan((a)[i]) && (a)[i] > 0 ? (a)[i] / (t) : 0.0)

/* The histogram's description: every bin's share, this week and last.
 * tc, tp: the totals. 0 or -1 (no memory). */
static int svgchart_hist_desc(strbuf *desc, const double *cur, const double *prev, size_t nbins,
                              double tc, double tp)
{
    if (strbuf_adds(desc, prev ? "Share of the week's suggestions per confidence bin, this "
                                 "week against last week. "
                               : "Share of the week's suggestions per confidence bin "
                                 "(no previous week to compare). ") < 0)
        return -1;
    for (size_t i = 0; i < nbins; i++) {
        double a = (double)i / (double)nbins, b = (double)(i + 1) / (double)nbins;
        if ((i && strbuf_adds(desc, "; ") < 0) || svgchart_edge(desc, a) < 0
            || strbuf_adds(desc, "\xe2\x80\x93") < 0 || svgchart_edge(desc, b) < 0
            || strbuf_adds(desc, ": ") < 0 || numfmt_pct(desc, SHARE(cur, tc, i), 1) < 0)
            return -1;
        if (prev && (strbuf_adds(desc, " (last week ") < 0
                     || numfmt_pct(desc, SHARE(prev, tp, i), 1) < 0
                     || strbuf_adds(desc, ")") < 0))
            return -1;
    }
    return strbuf_adds(desc, ".") < 0 ? -1 : 0;
}

/* One bar with its hover title "0.35–0.40 this week: 12.0%". 0 or -1. */
static int svgchart_hist_bar(strbuf *out, const char *cls, const char *extra, double x, double y,
                             double w, double h, double a, double b, const char *which, double s)
{
    if (strbuf_addf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"%s>"
                         "<title>", cls, x, y, w, h, extra) < 0
        || svgchart_edge(out, a) < 0 || strbuf_adds(out, "\xe2\x80\x93") < 0
        || svgchart_edge(out, b) < 0 || strbuf_adds(out, which) < 0
        || numfmt_pct(out, s, 1) < 0 || strbuf_adds(out, "</title></rect>") < 0)
        return -1;
    return 0;
}

aid_err svgchart_histogram(strbuf *out, const char *id, const char *title,
                           const double *cur, const double *prev, size_t nbins,
                           svgchart_form form)
{
    const svgchart_geom *g = &svgchart_hist_geom[form == SVGCHART_NARROW];
    const int W = g->W, H = g->H, L = g->L, R = g->R, T = g->T, B = g->B;
    const double pw = W - L - R, ph = H - T - B;
    strbuf desc = STRBUF_INIT;
    double tc = 0, tp = 0, maxshare = 0;
    char cls[64];

    for (size_t i = 0; i < nbins; i++) {
        if (!isnan(cur[i]) && cur[i] > 0)
            tc += cur[i];
        if (prev && !isnan(prev[i]) && prev[i] > 0)
            tp += prev[i];
    }
    for (size_t i = 0; i < nbins; i++) {
        double s = SHARE(cur, tc, i);
        if (s > maxshare)
            maxshare = s;
        if (prev) {
            s = SHARE(prev, tp, i);
            if (s > maxshare)
                maxshare = s;
        }
    }
    /* y axis in shares, nice steps. */
    static const double steps[] = { 0.01, 0.02, 0.05, 0.1, 0.2, 0.25 };
    double step = 0.25;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (maxshare / steps[i] <= 4.0) {
            step = steps[i];
            break;
        }
    }
    double ymax = ceil(maxshare / step - 1e-9) * step;
    if (ymax < step)
        ymax = step;
    if (ymax > 1)
        ymax = 1;

    if (svgchart_hist_desc(&desc, cur, prev, nbins, tc, tp) < 0
        || svgchart_open(out, svgchart_form_class(form, "chart-hist", cls, sizeof cls), W, H,
                         g->font, id, title, desc.buf) < 0)
        goto nomem;
    int nticks = (int)lround(ymax / step);
    for (int k = 0; k <= nticks; k++) {
        double v = k * step;
        double y = T + ph - v / ymax * ph;
        ADDF("<line class=\"chart-grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
             "stroke=\"currentColor\" stroke-opacity=\"0.15\"/>", L, W - R, y, y);
        ADDF("<text class=\"chart-tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
             "dominant-baseline=\"middle\">%.0f%%</text>", L - 8, y, v * 100.0);
    }
    double gw = nbins ? pw / (double)nbins : pw;
    for (size_t i = 0; i < nbins; i++) {
        double x = L + i * gw;
        double a = (double)i / (double)nbins, b = (double)(i + 1) / (double)nbins;
        if (prev) {
            double s = SHARE(prev, tp, i), h = s / ymax * ph;
            if (svgchart_hist_bar(out, "chart-prev", " fill-opacity=\"0.35\"", x + gw * 0.1,
                                  T + ph - h, gw * 0.4, h, a, b, " last week: ", s) < 0)
                goto nomem;
        }
        double s = SHARE(cur, tc, i), h = s / ymax * ph;
        if (svgchart_hist_bar(out, "chart-cur", "", prev ? x + gw * 0.5 : x + gw * 0.15,
                              T + ph - h, prev ? gw * 0.4 : gw * 0.7, h, a, b, " this week: ", s) < 0)
            goto nomem;
    }
    ADDF("<line class=\"chart-axis\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
         "stroke=\"currentColor\"/>", L, W - R, T + ph, T + ph);
    for (int k = 0; k <= 4; k++) {
        double x = L + pw * k / 4.0;
        ADDF("<text class=\"chart-tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.2f</text>",
             x, H - 18, k / 4.0);
    }
    ADDF("<text class=\"chart-note\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
         "font-size=\"%.1f\">confidence</text>", L + pw / 2, H - 3, g->note);
    /* Legend, top left. */
    ADDF("<rect class=\"chart-cur\" x=\"%d\" y=\"6\" width=\"12\" height=\"12\"/>"
         "<text class=\"chart-tick\" x=\"%d\" y=\"16\">This week</text>", L, L + 18);
    if (prev)
        ADDF("<rect class=\"chart-prev\" x=\"%d\" y=\"6\" width=\"12\" height=\"12\" "
             "fill-opacity=\"0.35\"/><text class=\"chart-tick\" x=\"%d\" y=\"16\">Last week</text>",
             L + 110, L + 128);
    ADDS("</svg>");
    strbuf_release(&desc);
    return AID_OK;
nomem:
    strbuf_release(&desc);
    return AID_ERR_NOMEM;
}
#undef SHARE

aid_err svgchart_reliability(strbuf *out, const char *id, const char *title,
                             const svgchart_calbin *bins, size_t nbins)
{
    const int P = 300, L = 56, T = 14, W = L + P + 22, H = T + P + 50;
    strbuf desc = STRBUF_INIT;
    int64_t maxn = 0;
    size_t have = 0;

    for (size_t i = 0; i < nbins; i++) {
        if (bins[i].n > maxn)
            maxn = bins[i].n;
    }
    if (strbuf_adds(&desc, "Calibration: for each confidence bin, the mean confidence "
                           "against the share accepted; the diagonal is perfect "
                           "calibration, points below it mean over-confidence. ") < 0)
        goto nomem;
    for (size_t i = 0; i < nbins; i++) {
        const svgchart_calbin *c = &bins[i];
        if ((i && strbuf_adds(&desc, "; ") < 0) || strbuf_addf(&desc, "%.1f", c->lower) < 0
            || strbuf_adds(&desc, "\xe2\x80\x93") < 0 || strbuf_addf(&desc, "%.1f", c->upper) < 0
            || strbuf_adds(&desc, ": ") < 0)
            goto nomem;
        if (c->n <= 0 || isnan(c->mean_confidence) || isnan(c->acceptance)) {
            if (strbuf_adds(&desc, "no suggestions") < 0)
                goto nomem;
            continue;
        }
        if (strbuf_adds(&desc, "confidence ") < 0 || numfmt_dec(&desc, c->mean_confidence, 3) < 0
            || strbuf_adds(&desc, ", accepted ") < 0 || numfmt_pct(&desc, c->acceptance, 1) < 0
            || strbuf_adds(&desc, " (n = ") < 0 || numfmt_int(&desc, c->n) < 0
            || strbuf_adds(&desc, ")") < 0)
            goto nomem;
    }
    if (strbuf_adds(&desc, ".") < 0)
        goto nomem;

    if (svgchart_open(out, "chart-rel", W, H, 14, id, title, desc.buf) < 0)
        goto nomem;
    for (int k = 0; k <= 5; k++) {
        double v = k / 5.0;
        double x = L + v * P, y = T + P - v * P;
        ADDF("<line class=\"chart-grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
             "stroke=\"currentColor\" stroke-opacity=\"0.15\"/>", L, L + P, y, y);
        ADDF("<line class=\"chart-grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
             "stroke=\"currentColor\" stroke-opacity=\"0.15\"/>", x, x, T, T + P);
        ADDF("<text class=\"chart-tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
             "dominant-baseline=\"middle\">%.0f%%</text>", L - 8, y, v * 100);
        ADDF("<text class=\"chart-tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>",
             x, T + P + 18, v);
    }
    ADDF("<line class=\"chart-ref\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"currentColor\" "
         "stroke-opacity=\"0.5\" stroke-dasharray=\"5 4\"/>", L, T + P, L + P, T);
    ADDF("<text class=\"chart-note\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13.5\">"
         "mean confidence</text>", L + P / 2, H - 8);
    ADDF("<text class=\"chart-note\" x=\"14\" y=\"%d\" text-anchor=\"middle\" font-size=\"13.5\" "
         "transform=\"rotate(-90 14 %d)\">acceptance rate</text>", T + P / 2, T + P / 2);

    /* Connecting line, then the points on top. */
    for (size_t i = 0; i < nbins; i++) {
        const svgchart_calbin *c = &bins[i];
        if (c->n <= 0 || isnan(c->mean_confidence) || isnan(c->acceptance))
            continue;
        double x = L + fmin(fmax(c->mean_confidence, 0), 1) * P;
        double y = T + P - fmin(fmax(c->acceptance, 0), 1) * P;
        if (!have)
            ADDS("<path class=\"chart-line\" fill=\"none\" stroke=\"currentColor\" "
                 "stroke-width=\"1.5\" d=\"");
        ADDF("%s%.1f %.1f", have ? " L" : "M", x, y);
        have++;
    }
    if (have)
        ADDS("\"/>");
    /* error bars: each bin's 95 % interval of acceptance, with caps */
    for (size_t i = 0; i < nbins; i++) {
        const svgchart_calbin *c = &bins[i];
        if (c->n <= 0 || isnan(c->mean_confidence) || !(c->ci_hi > c->ci_lo))
            continue;
        double x = L + fmin(fmax(c->mean_confidence, 0), 1) * P;
        double y0 = T + P - fmin(fmax(c->ci_lo, 0), 1) * P, y1 = T + P - fmin(fmax(c->ci_hi, 0), 1) * P;
        ADDF("<path class=\"chart-err\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.6\" "
             "d=\"M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f\"/>",
             x, y0, x, y1, x - 4, y0, x + 4, y0, x - 4, y1, x + 4, y1);
    }
    for (size_t i = 0; i < nbins; i++) {
        const svgchart_calbin *c = &bins[i];
        if (c->n <= 0 || isnan(c->mean_confidence) || isnan(c->acceptance))
            continue;
        double x = L + fmin(fmax(c->mean_confidence, 0), 1) * P;
        double y = T + P - fmin(fmax(c->acceptance, 0), 1) * P;
        double r = 3.0 + 9.0 * sqrt((double)c->n / (double)(maxn > 0 ? maxn : 1));
        ADDF("<circle class=\"chart-dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" "
             "fill-opacity=\"0.75\"><title>%.1f\xe2\x80\x93%.1f: confidence ",
             x, y, r, c->lower, c->upper);
        if (numfmt_dec(out, c->mean_confidence, 3) < 0 || strbuf_adds(out, ", accepted ") < 0
            || numfmt_pct(out, c->acceptance, 1) < 0 || strbuf_adds(out, ", n = ") < 0
            || numfmt_int(out, c->n) < 0)
            goto nomem;
        if (c->ci_hi > c->ci_lo && (strbuf_adds(out, ", 95% interval ") < 0 || numfmt_pct(out, c->ci_lo, 1) < 0
                                    || strbuf_adds(out, "\xe2\x80\x93") < 0 || numfmt_pct(out, c->ci_hi, 1) < 0))
            goto nomem;
        ADDS("</title></circle>");
    }
    if (!have)
        ADDF("<text class=\"chart-note\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
             "no data</text>", L + P / 2, T + P / 2);
    ADDS("</svg>");
    strbuf_release(&desc);
    return AID_OK;
nomem:
    strbuf_release(&desc);
    return AID_ERR_NOMEM;
}

/* A nice axis over [lo, hi] for counts: steps of 1, 2, 2.5 or 5 times a
 * power of ten, at most 4 of them, from 0 or above. */
static void svgchart_count_axis(double lo, double hi, double *alo, double *ahi, double *step)
{
    if (!(hi >= lo)) {
        lo = 0;
        hi = 1;
    }
    double span = hi - lo;
    if (span < 1)
        span = fmax(1.0, fabs(hi) * 0.1);
    double raw = span / 4.0, mag = pow(10.0, floor(log10(raw)));
    static const double ms[] = { 1, 2, 2.5, 5, 10 };
    double s = 10 * mag;
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        if (ms[i] * mag >= raw - 1e-9) {
            s = ms[i] * mag;
            break;
        }
    }
    if (s < 1)
        s = 1;
    double a = floor((lo - s * 0.3) / s + 1e-9) * s, b = ceil((hi + s * 0.3) / s - 1e-9) * s;
    if (a < 0)
        a = 0;
    if (b - a < s)
        b = a + s;
    *alo = a;
    *ahi = b;
    *step = s;
}

/* A value as the chart shows it. 0 or -1. */
static int svgchart_unit_fmt(strbuf *out, double v, svgchart_unit unit)
{
    if (unit == SVGCHART_PCT)
        return numfmt_pct(out, v, 1);
    if (unit == SVGCHART_DEC)
        return numfmt_dec(out, v, 3);
    return isnan(v) ? numfmt_dec(out, NAN, 0) : numfmt_int(out, (int64_t)llround(v));
}

/* A tick label of the y axis at step. 0 or -1. */
static int svgchart_unit_tick(strbuf *out, double v, double step, svgchart_unit unit)
{
    if (unit == SVGCHART_PCT) {
        double p = step * 100.0;
        return strbuf_addf(out, "%.*f%%", fabs(p - round(p)) > 1e-9 ? 1 : 0, v * 100.0);
    }
    if (unit == SVGCHART_DEC)
        return strbuf_addf(out, "%.*f", step < 0.1 ? 2 : 1, v);
    return numfmt_int(out, (int64_t)llround(v));
}

/* "2026-W46" -> "W46" and "2026"; other text: itself and "". */
static void svgchart_week_label(const char *week, char *wk, size_t nwk, char *yr, size_t nyr)
{
    timeutil_week w;
    if (week && timeutil_parse_week(week, &w)) {
        snprintf(wk, nwk, "W%02d", w.week);
        snprintf(yr, nyr, "%d", w.year);
        return;
    }
    snprintf(wk, nwk, "%s", week ? week : "");
    yr[0] = '\0';
}

/* "2026-W46: 36.9%, 95% interval 35.5–38.4%" (or "no data"). 0 or -1. */
static int svgchart_week_text(strbuf *out, const svgchart_week *p, svgchart_unit unit, const char *sep)
{
    if (svgchart_escape(out, p->week) < 0 || strbuf_adds(out, sep) < 0)
        return -1;
    if (isnan(p->value))
        return strbuf_adds(out, "no data");
    if (svgchart_unit_fmt(out, p->value, unit) < 0)
        return -1;
    if (!isnan(p->lo) && !isnan(p->hi) &&
        (strbuf_adds(out, ", 95% interval ") < 0 || svgchart_unit_fmt(out, p->lo, unit) < 0 ||
         strbuf_adds(out, "\xe2\x80\x93") < 0 || svgchart_unit_fmt(out, p->hi, unit) < 0))
        return -1;
    return 0;
}

static const svgchart_geom svgchart_weeks_geom[] = {
    [SVGCHART_WIDE] = { 560, 280, 78, 18, 30, 64, 14, 12.5 },
    [SVGCHART_NARROW] = { 340, 290, 72, 10, 30, 66, 13, 12.5 },
};

aid_err svgchart_weeks(strbuf *out, const char *id, const char *title, const char *ylabel,
                       const svgchart_week *weeks, size_t n, svgchart_unit unit, svgchart_form form)
{
    const svgchart_geom *g = &svgchart_weeks_geom[form == SVGCHART_NARROW];
    const int W = g->W, H = g->H, L = g->L, R = g->R, T = g->T, B = g->B;
    const double pw = W - L - R, ph = H - T - B;
    strbuf desc = STRBUF_INIT;
    double lo = INFINITY, hi = -INFINITY;
    size_t have = 0, first = 0, last = 0;
    char cls[64], wk[32], yr[16];

    for (size_t i = 0; i < n; i++) {
        const svgchart_week *p = &weeks[i];
        if (isnan(p->value))
            continue;
        if (!have)
            first = i;
        last = i;
        have++;
        lo = fmin(lo, p->value);
        hi = fmax(hi, p->value);
        if (!isnan(p->lo) && !isnan(p->hi)) {
            lo = fmin(lo, p->lo);
            hi = fmax(hi, p->hi);
        }
    }
    double alo, ahi, step;
    if (unit == SVGCHART_COUNT)
        svgchart_count_axis(have ? lo : NAN, have ? hi : NAN, &alo, &ahi, &step);
    else
        svgchart_axis(have ? fmax(lo, 0) : NAN, have ? fmin(hi, 1) : NAN, &alo, &ahi, &step);

    /* the description: every week in words */
    if (strbuf_adds(&desc, title ? title : "") < 0 || strbuf_adds(&desc, " by week") < 0)
        goto nomem;
    if (n && (strbuf_adds(&desc, ", ") < 0 || strbuf_adds(&desc, weeks[0].week ? weeks[0].week : "") < 0 ||
              strbuf_adds(&desc, " to ") < 0 || strbuf_adds(&desc, weeks[n - 1].week ? weeks[n - 1].week : "") < 0))
        goto nomem;
    if (strbuf_adds(&desc, n ? ": " : ": no weeks") < 0)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        /* plain text here: svgchart_open escapes the whole description */
        strbuf one = STRBUF_INIT;
        svgchart_week p = weeks[i];
        p.week = "";
        int rc = svgchart_week_text(&one, &p, unit, "");
        rc = rc < 0 ? rc : strbuf_addf(&desc, "%s%s %s", i ? "; " : "", weeks[i].week ? weeks[i].week : "",
                                       one.buf ? one.buf : "");
        strbuf_release(&one);
        if (rc < 0)
            goto nomem;
    }
    if (strbuf_adds(&desc, ".") < 0)
        goto nomem;

    if (svgchart_open(out, svgchart_form_class(form, "chart-weeks", cls, sizeof cls), W, H, g->font, id,
                      title, desc.buf) < 0)
        goto nomem;

#define WX(i) (L + ((double)(i) + 0.5) * pw / (double)n)
#define WY(v) (T + ph - (fmin(fmax((v), alo), ahi) - alo) / (ahi - alo) * ph)
    /* grid, y ticks, axes and their labels */
    int nticks = (int)lround((ahi - alo) / step);
    for (int k = 0; k <= nticks; k++) {
        double v = alo + k * step, y = T + ph - (v - alo) / (ahi - alo) * ph;
        ADDF("<line class=\"chart-grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
             "stroke=\"currentColor\" stroke-opacity=\"0.15\"/>", L, W - R, y, y);
        ADDF("<text class=\"chart-tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
             "dominant-baseline=\"middle\">", L - 6, y);
        if (svgchart_unit_tick(out, v, step, unit) < 0)
            goto nomem;
        ADDS("</text>");
    }
    ADDF("<line class=\"chart-axis\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"currentColor\"/>"
         "<line class=\"chart-axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%.1f\" stroke=\"currentColor\"/>",
         L, W - R, T + ph, T + ph, L, L, T, T + ph);
    ADDF("<text class=\"chart-note chart-ylabel\" x=\"13\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%.1f\" "
         "transform=\"rotate(-90 13 %.1f)\">", T + ph / 2, g->note, T + ph / 2);
    ESC(ylabel);
    ADDF("</text><text class=\"chart-note chart-xlabel\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
         "font-size=\"%.1f\">ISO week</text>", L + pw / 2, H - 5, g->note);

    /* the weeks under the axis: every k-th so that labels keep 46 units
     * apart, the first and the last always */
    size_t k = 1;
    if (n) {
        double gap = pw / (double)n;
        while (gap * (double)k < 46.0)
            k++;
    }
    for (size_t i = 0; i < n; i++) {
        if (i % k && i + 1 != n)
            continue;
        if (i + 1 != n && i % k == 0 && n - 1 - i < k && i)
            continue;   /* too close to the last one */
        svgchart_week_label(weeks[i].week, wk, sizeof wk, yr, sizeof yr);
        ADDF("<text class=\"chart-tick chart-week\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", WX(i),
             T + ph + 18);
        ESC(wk);
        ADDS("</text>");
        if (yr[0])
            ADDF("<text class=\"chart-note\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                 "font-size=\"%.1f\">%s</text>", WX(i), T + ph + 34, g->note, yr);
    }

    /* error bars, the line broken at the gaps, then the points */
    for (size_t i = 0; i < n; i++) {
        const svgchart_week *p = &weeks[i];
        if (isnan(p->value) || isnan(p->lo) || isnan(p->hi) || !(p->hi > p->lo))
            continue;
        double x = WX(i), y0 = WY(p->lo), y1 = WY(p->hi);
        ADDF("<path class=\"chart-err\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.6\" "
             "d=\"M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f\"/>",
             x, y0, x, y1, x - 4, y0, x + 4, y0, x - 4, y1, x + 4, y1);
    }
    if (have > 1) {
        ADDS("<path class=\"chart-line\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2.5\" "
             "stroke-linejoin=\"round\" d=\"");
        int pen = 0, any = 0;
        for (size_t i = 0; i < n; i++) {
            if (isnan(weeks[i].value)) {
                pen = 0;
                continue;
            }
            ADDF("%s%.1f %.1f", pen ? " L" : any ? " M" : "M", WX(i), WY(weeks[i].value));
            pen = any = 1;
        }
        ADDS("\"/>");
    }
    for (size_t i = 0; i < n; i++) {
        const svgchart_week *p = &weeks[i];
        if (isnan(p->value)) {
            ADDF("<circle class=\"chart-gap\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"none\" "
                 "stroke=\"currentColor\"><title>", WX(i), T + ph);
        } else {
            ADDF("<circle class=\"chart-dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\"><title>", WX(i), WY(p->value));
        }
        if (svgchart_week_text(out, p, unit, ": ") < 0)
            goto nomem;
        ADDS("</title></circle>");
    }
    /* the first and the last value, beside their points */
    for (int e = 0; have && e < 2; e++) {
        size_t i = e ? last : first;
        if (e && last == first)
            break;
        const char *anchor = have == 1 || n == 1 ? "middle" : e ? "end" : "start";
        double x = WX(i) + (!strcmp(anchor, "middle") ? 0 : e ? 6 : -6);
        /* above the point and its error bar; below them near the top */
        double top = WY(weeks[i].value), bottom = top;
        if (!isnan(weeks[i].lo) && !isnan(weeks[i].hi)) {
            top = fmin(top, WY(weeks[i].hi));
            bottom = fmax(bottom, WY(weeks[i].lo));
        }
        double y = top - 9;
        if (y < 16)
            y = bottom + 20;
        ADDF("<text class=\"chart-value\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%.1f\">", x, y,
             anchor, g->note);
        if (svgchart_unit_fmt(out, weeks[i].value, unit) < 0)
            goto nomem;
        ADDS("</text>");
    }
    if (!have)
        ADDF("<text class=\"chart-note\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
             "font-size=\"%.1f\">no data</text>", L + pw / 2, T + ph / 2, g->note);
#undef WX
#undef WY
    ADDS("</svg>");
    strbuf_release(&desc);
    return AID_OK;
nomem:
    strbuf_release(&desc);
    return AID_ERR_NOMEM;
}
