#include "render/pdf/pdfchart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/calendar.h"
#include "common/jget.h"
#include "common/numfmt.h"
#include "render/cilabel.h"

/* ---- charts ----------------------------------------------------------- */

/* Plot area of a chart whose box starts at (x, top) with size w x h. */
typedef struct pdfchart_plot {
    double x0, y0, x1, y1;  /* plot rectangle */
    double lo, hi;          /* y range */
} pdfchart_plot;

static double pdfchart_y(const pdfchart_plot *p, double v)
{
    return p->y0 + (v - p->lo) / (p->hi - p->lo) * (p->y1 - p->y0);
}

/* An axis title up the left edge, read from the bottom. */
static void pdfchart_vtitle(pdfpage_ctx *c, double x, double ymid, const char *s)
{
    double w = pdfpage_width(c, c->reg, 6.8, s);
    HPDF_Page_BeginText(c->page);
    pdfpage_fill_color(c, C_MUTED);
    HPDF_Page_SetTextMatrix(c->page, 0, 1, -1, 0, (HPDF_REAL)x, (HPDF_REAL)(ymid - w / 2));
    HPDF_Page_ShowText(c->page, s);
    HPDF_Page_EndText(c->page);
}

/* The chart's title, grid, y ticks and both axis titles (ours, plain
 * ASCII); the x ticks are the chart's, at p->y0 - 9. */
static void pdfchart_frame(pdfpage_ctx *c, pdfchart_plot *p, double x, double top, double w, double h,
                           const char *title, const char *xtitle, const char *ytitle, double lo, double hi,
                           double step, bool pct)
{
    pdfpage_text(c, x, top - 10, c->bold, 9, C_INK, 0, title);
    p->x0 = x + 40;
    p->x1 = x + w - 4;
    p->y1 = top - 24;
    p->y0 = top - h + 30;
    p->lo = lo;
    p->hi = hi;
    for (double v = lo; v <= hi + 1e-9; v += step) {
        double yy = pdfchart_y(p, v);
        pdfpage_line(c, p->x0, yy, p->x1, yy, 0.4, C_RULE);
        pdfpage_text(c, p->x0 - 4, yy - 2.5, c->reg, 6.5, C_MUTED, 1, pdfpage_fmt_tick(c, v, pct, 2));
    }
    pdfpage_line(c, p->x0, p->y0, p->x1, p->y0, 0.8, C_MUTED);
    pdfchart_vtitle(c, x + 7, (p->y0 + p->y1) / 2, ytitle);
    pdfpage_text(c, (p->x0 + p->x1) / 2, p->y0 - 19, c->reg, 6.8, C_MUTED, 2, xtitle);
}

static void pdfchart_legend(pdfpage_ctx *c, double x, double y, pdfpage_rgb col, bool dashed, bool box, const char *label)
{
    if (box) {
        pdfpage_rect(c, x, y - 1, 9, 6, col);
    } else {
        pdfpage_dash(c, dashed);
        pdfpage_line(c, x, y + 2, x + 10, y + 2, 1.4, col);
        pdfpage_dash(c, false);
    }
    pdfpage_text(c, x + 13, y, c->reg, 6.8, C_MUTED, 0, label);
}

static void pdfchart_daily(pdfpage_ctx *c, double x, double top, double w, double h)
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
    pdfchart_plot p;
    pdfchart_frame(c, &p, x, top, w, h, "Mean confidence per day", "Day", "Mean confidence", lo, hi, step,
                   false);
    if (!n) {
        pdfpage_text(c, (p.x0 + p.x1) / 2, (p.y0 + p.y1) / 2, c->reg, 8, C_MUTED, 2, "no data");
        return;
    }
    double dx = (p.x1 - p.x0) / (double)n;
    if (!isnan(prev)) {
        pdfpage_dash(c, true);
        pdfpage_line(c, p.x0, pdfchart_y(&p, prev), p.x1, pdfchart_y(&p, prev), 1, C_ORANGE);
        pdfpage_dash(c, false);
    }
    pdfpage_stroke_color(c, C_ACCENT);
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
            HPDF_Page_LineTo(c->page, (HPDF_REAL)px, (HPDF_REAL)pdfchart_y(&p, m));
        else
            HPDF_Page_MoveTo(c->page, (HPDF_REAL)px, (HPDF_REAL)pdfchart_y(&p, m));
        pen = true;
    }
    if (pen)
        HPDF_Page_Stroke(c->page);
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(daily, i);
        double m = jget_double(o, "mean", NAN);
        double px = p.x0 + dx * ((double)i + 0.5);
        if (!isnan(m)) {
            pdfpage_fill_color(c, C_ACCENT);
            HPDF_Page_Circle(c->page, (HPDF_REAL)px, (HPDF_REAL)pdfchart_y(&p, m), 2.4);
            HPDF_Page_Fill(c->page);
        }
        const char *date = jget_str(o, "date", "");
        calendar_date dd;
        char lab[32] = "";
        if (calendar_parse_date(date, 0, &dd))
            snprintf(lab, sizeof lab, "%s %d", calendar_weekday_abbr[dd.weekday], dd.day);
        pdfpage_text(c, px, p.y0 - 9, c->reg, 6.5, C_MUTED, 2, lab);
    }
    pdfchart_legend(c, p.x0, top - h + 1, C_ACCENT, false, false, "this week");
    if (!isnan(prev)) {
        char buf[96];
        snprintf(buf, sizeof buf, "mean of %s", c->prev_week);
        pdfchart_legend(c, p.x0 + 62, top - h + 1, C_ORANGE, true, false, buf);
    }
}

static void pdfchart_hist(pdfpage_ctx *c, double x, double top, double w, double h)
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
    pdfchart_plot p;
    pdfchart_frame(c, &p, x, top, w, h, "Confidence distribution", "Confidence", "Share of suggestions", 0, hi,
                   step, true);
    double bw = (p.x1 - p.x0) / 20;
    for (size_t i = 0; i < 20; i++)
        if (cur[i] > 0)
            pdfpage_rect(c, p.x0 + bw * (double)i + 0.6, p.y0, bw - 1.2, pdfchart_y(&p, cur[i]) - p.y0, C_ACCENT);
    if (tp > 0) {
        pdfpage_stroke_color(c, C_ORANGE);
        HPDF_Page_SetLineWidth(c->page, 1.3);
        HPDF_Page_MoveTo(c->page, (HPDF_REAL)p.x0, (HPDF_REAL)p.y0);
        for (size_t i = 0; i < 20; i++) {
            HPDF_Page_LineTo(c->page, (HPDF_REAL)(p.x0 + bw * (double)i), (HPDF_REAL)pdfchart_y(&p, prev[i]));
            HPDF_Page_LineTo(c->page, (HPDF_REAL)(p.x0 + bw * (double)(i + 1)), (HPDF_REAL)pdfchart_y(&p, prev[i]));
        }
        HPDF_Page_LineTo(c->page, (HPDF_REAL)p.x1, (HPDF_REAL)p.y0);
        HPDF_Page_Stroke(c->page);
    }
    for (int k = 0; k <= 4; k++) {
        pdfpage_text(c, p.x0 + (p.x1 - p.x0) * k / 4, p.y0 - 9, c->reg, 6.5, C_MUTED, 2,
                     pdfpage_fmt_tick(c, k * 0.25, false, 2));
    }
    pdfchart_legend(c, p.x0, top - h + 1, C_ACCENT, false, true, "this week");
    if (tp > 0) {
        pdfchart_legend(c, p.x0 + 62, top - h + 1, C_ORANGE, false, false, c->prev_week);
    }
}

static void pdfchart_reliability(pdfpage_ctx *c, double x, double top, double w, double h)
{
    pdfchart_plot p;
    pdfchart_frame(c, &p, x, top, w, h, "Reliability: confidence vs acceptance", "Confidence",
                   "Acceptance rate", 0, 1, 0.2, true);
    double side = p.x1 - p.x0;  /* the caller makes the plot square */
    pdfpage_line(c, p.x0, p.y0, p.x0, p.y1, 0.8, C_MUTED);
    pdfpage_dash(c, true);
    pdfpage_line(c, p.x0, p.y0, p.x1, p.y1, 1, C_MUTED);
    pdfpage_dash(c, false);
    struct json_object *cal = jget(c->r, "confidence.calibration");
    size_t n = jget_len(c->r, "confidence.calibration");
    double maxn = 0;
    for (size_t i = 0; i < n; i++)
        maxn = fmax(maxn, jget_double(json_object_array_get_idx(cal, i), "n", 0));
    pdfpage_stroke_color(c, C_ACCENT);
    HPDF_Page_SetLineWidth(c->page, 1.4);
    bool pen = false;
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(cal, i);
        double mc = jget_double(o, "mean_confidence", NAN), a = jget_double(o, "acceptance", NAN);
        if (isnan(mc) || isnan(a) || jget_double(o, "n", 0) <= 0)
            continue;
        double px = p.x0 + fmin(1, fmax(0, mc)) * side, py = pdfchart_y(&p, fmin(1, fmax(0, a)));
        if (pen)
            HPDF_Page_LineTo(c->page, (HPDF_REAL)px, (HPDF_REAL)py);
        else
            HPDF_Page_MoveTo(c->page, (HPDF_REAL)px, (HPDF_REAL)py);
        pen = true;
    }
    if (pen)
        HPDF_Page_Stroke(c->page);
    /* error bars: each bin's 95 % interval of acceptance (schema 2) */
    pdfpage_stroke_color(c, C_MUTED);
    HPDF_Page_SetLineWidth(c->page, 0.8);
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(cal, i);
        double mc = jget_double(o, "mean_confidence", NAN), lo, hi;
        if (isnan(mc) || jget_double(o, "n", 0) <= 0 || !cilabel_get(jget(o, "acceptance_ci"), &lo, &hi) || !(hi > lo))
            continue;
        double px = p.x0 + fmin(1, fmax(0, mc)) * side;
        double y0 = pdfchart_y(&p, fmin(1, fmax(0, lo))), y1 = pdfchart_y(&p, fmin(1, fmax(0, hi)));
        HPDF_Page_MoveTo(c->page, (HPDF_REAL)px, (HPDF_REAL)y0);
        HPDF_Page_LineTo(c->page, (HPDF_REAL)px, (HPDF_REAL)y1);
        HPDF_Page_MoveTo(c->page, (HPDF_REAL)(px - 2.5), (HPDF_REAL)y0);
        HPDF_Page_LineTo(c->page, (HPDF_REAL)(px + 2.5), (HPDF_REAL)y0);
        HPDF_Page_MoveTo(c->page, (HPDF_REAL)(px - 2.5), (HPDF_REAL)y1);
        HPDF_Page_LineTo(c->page, (HPDF_REAL)(px + 2.5), (HPDF_REAL)y1);
        HPDF_Page_Stroke(c->page);
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(cal, i);
        double mc = jget_double(o, "mean_confidence", NAN), a = jget_double(o, "acceptance", NAN);
        double cnt = jget_double(o, "n", 0);
        if (isnan(mc) || isnan(a) || cnt <= 0)
            continue;
        double px = p.x0 + fmin(1, fmax(0, mc)) * side, py = pdfchart_y(&p, fmin(1, fmax(0, a)));
        pdfpage_fill_color(c, C_ACCENT);
        HPDF_Page_Circle(c->page, (HPDF_REAL)px, (HPDF_REAL)py, (HPDF_REAL)(1.8 + 3.5 * sqrt(cnt / maxn)));
        HPDF_Page_Fill(c->page);
    }
    for (int k = 0; k <= 5; k++) {
        pdfpage_text(c, p.x0 + side * k / 5 + (k ? 0 : 4), p.y0 - 9, c->reg, 6.5, C_MUTED, 2,
                     pdfpage_fmt_tick(c, k * 0.2, false, 1));
    }
    pdfchart_legend(c, p.x0, top - h + 1, C_MUTED, true, false, "perfect calibration");
}

/* The height for a chart that wants `want` points: all of it when it fits
 * on this page, else what is left when that is at least `min` (a chart
 * moves to the next page only when it would not fit even a little
 * smaller), else `want` on a new page. */
static double pdfchart_fit(pdfpage_ctx *c, double want, double min)
{
    double avail = c->y - BOTTOM_Y;
    double h = avail < want && avail >= min ? floor(avail) : want;
    pdfpage_need(c, h);
    return h;
}

void pdfchart_confidence(pdfpage_ctx *c)
{
    double ch = 170;
    pdfpage_heading(c, "Confidence", BODY_LEAD * 2 + ch);
    strbuf *s = &c->f[6];
    strbuf_reset(s);
    double psi = jget_double(c->r, "confidence.psi", NAN);
    CK(strbuf_adds(s, "Mean confidence "));
    CK(numfmt_dec(s, jget_double(c->r, "confidence.mean", NAN), 3));
    double d = jget_double(c->r, "confidence.delta", NAN);
    const char *verdict = cilabel_verdict(jget(c->r, "confidence"), "delta_verdict");
    if (!isnan(d)) {
        CK(strbuf_adds(s, " ("));
        CK(numfmt_signed(s, d, 3));
        CK(strbuf_addf(s, " vs %s", c->prev_week));
        if (verdict)
            CK(strbuf_adds(s, !strcmp(verdict, "up") ? ", up" : !strcmp(verdict, "down") ? ", down" : ", steady"));
        CK(strbuf_adds(s, ")"));
    }
    if (jget(c->r, "confidence.drift")) {
        /* schema 2: the verdict of the tests, with n, m and the bins */
        CK(strbuf_adds(s, ". "));
        CK(cilabel_drift(s, c->r));
        CK(strbuf_adds(s, " Calibration error (ECE) "));
    } else {
        CK(strbuf_adds(s, ". Drift against last week: PSI "));
        CK(numfmt_dec(s, psi, 3));
        CK(strbuf_adds(s, ", KS "));
        CK(numfmt_dec(s, jget_double(c->r, "confidence.ks", NAN), 3));
        if (!isnan(psi) && !jget_has(c->r, "confidence.brier"))
            CK(strbuf_adds(s, psi < 0.1 ? " (below 0.1: no material shift)"
                              : psi < 0.25 ? " (0.1\xe2\x80\x93""0.25: a moderate shift)"
                                           : " (above 0.25: a major shift)"));
        CK(strbuf_adds(s, ". Calibration error (ECE) "));
    }
    CK(numfmt_dec(s, jget_double(c->r, "confidence.ece", NAN), 3));
    if (jget_has(c->r, "confidence.brier")) {
        CK(strbuf_adds(s, ", with 15 equal-mass bins "));
        CK(numfmt_dec(s, jget_double(c->r, "confidence.ece_equal_mass", NAN), 3));
        CK(strbuf_adds(s, "; Brier score "));
        CK(numfmt_dec(s, jget_double(c->r, "confidence.brier", NAN), 3));
    }
    CK(strbuf_adds(s, "."));
    pdfpage_paragraph(c, s->buf, NULL, 0);
    /* the interval of the change, in a smaller line */
    struct json_object *ci = jget(c->r, "confidence.delta_ci");
    const char *note = jget_str(c->r, "confidence.delta_note", NULL);
    double ci_lo, ci_hi;
    if (cilabel_get(ci, &ci_lo, &ci_hi) || note) {
        strbuf_reset(s);
        if (note) {
            CK(strbuf_adds(s, "Change of the mean: "));
            CK(strbuf_adds(s, note));
        } else {
            CK(strbuf_adds(s, "95% interval of the change of the mean: "));
            CK(cilabel_signed(s, ci));
        }
        CK(strbuf_adds(s, "."));
        pdfpage_note(c, s->buf, C_MUTED, 7.6);
    }
    c->y -= 10;
    ch = pdfchart_fit(c, ch, 150);
    double gap = 24, w = (CONTENT_W - gap) / 2;
    pdfchart_daily(c, MARGIN_X, c->y, w, ch);
    pdfchart_hist(c, MARGIN_X + w + gap, c->y, w, ch);
    c->y -= ch + 18;
    double rh = pdfchart_fit(c, 200, 160);
    double top = c->y;
    pdfchart_reliability(c, MARGIN_X, top, rh - 10, rh); /* a square plot */
    /* Explanation beside the diagram. */
    const char *expl =
        "Each dot is one band of confidence (0\xe2\x80\x93""0.1, 0.1\xe2\x80\x93""0.2, ...): across, the mean "
        "confidence the AI gave its suggestions in the band; up, the share of them that agents sent as "
        "is. Dots on the dashed diagonal mean the AI's confidence can be taken at face value; dots below "
        "it mean the AI is more confident than agents find it useful. Bigger dots hold more suggestions; "
        "a bar through a dot, when shown, is the 95% interval of its share.";
    pdfpage_clean(c, 0, expl, true, 0);
    pdftext_lines *L = pdfpage_wrap_slot(c, 0, c->reg, 8.5, CONTENT_W - 240);
    c->y = top - 26;
    pdfpage_draw_lines(c, c->t[0].buf, L, MARGIN_X + 240, c->reg, 8.5, 12, C_INK, NULL);
    c->y = fmin(c->y, top - rh) - 6;
}
