/*
 * svgchart.h - small inline SVG charts for the HTML pages, drawn by the
 * program (no JavaScript, no external files).
 *
 * Every chart is one <svg> element that
 *   - is accessible: role="img", aria-labelledby pointing at its <title>
 *     and at a <desc> that states the plotted data in words;
 *   - scales: a viewBox and no width/height attributes (the stylesheet
 *     sizes it, `.chart { width: 100%; height: auto }`);
 *   - follows the page's colour scheme: strokes and fills use CSS classes
 *     (chart-axis, chart-grid, chart-line, chart-cur, chart-prev, ...) and
 *     currentColor, so light, dark and print styles all apply. Without the
 *     stylesheet the chart still draws in currentColor.
 * All text written into the SVG (titles, labels, the id) is XML-escaped.
 *
 * Missing values are NAN (read them with jget_double(..., NAN)).
 * Every function appends to `out` and returns AID_OK or AID_ERR_NOMEM
 * (out then holds a partial chart; discard it). `id` is a prefix for the
 * element ids (title/desc); use a different one for each chart of a page.
 *
 * SVG text scales with the viewBox, so a chart drawn for a desktop column
 * would print its labels at about 8 px on a 390 px phone. The line chart
 * and the histogram are therefore drawn in two forms: SVGCHART_WIDE (a
 * 560-unit viewBox, class "chart-wide") and SVGCHART_NARROW (340 units,
 * class "chart-narrow", with the day labels on two lines); the page carries
 * both and the stylesheet shows one of them by the width of the screen. At
 * the width each form is shown, its text is at least 11 CSS px.
 */
#ifndef AID_SVGCHART_H
#define AID_SVGCHART_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/strbuf.h"

/* The width a chart is drawn for (see above). */
typedef enum svgchart_form {
    SVGCHART_WIDE = 0,
    SVGCHART_NARROW = 1,
} svgchart_form;

/* One day of the line chart. */
typedef struct svgchart_day {
    const char *date;   /* "2026-11-16" (shown as "Mon 16"); any text is accepted */
    double mean;        /* mean confidence; NAN = no data (a gap in the line) */
    int64_t n;          /* suggestions with a confidence that day */
} svgchart_day;

/* Line chart of the daily mean confidence, with n under each day. The y
 * range fits the data (within 0..1) so small drifts are visible. */
AID_MUST_CHECK aid_err svgchart_line(strbuf *out, const char *id, const char *title,
                      const svgchart_day *days, size_t ndays, svgchart_form form);

/* Paired bar chart of a histogram over [0,1] in nbins equal bins: each
 * bin shows this week's share of the total beside last week's. `cur` and
 * `prev` are counts; prev may be NULL (no previous week: one bar per bin). */
AID_MUST_CHECK aid_err svgchart_histogram(strbuf *out, const char *id, const char *title,
                           const double *cur, const double *prev, size_t nbins,
                           svgchart_form form);

/* One calibration bin of the reliability diagram. */
typedef struct svgchart_calbin {
    double lower, upper;        /* the bin's confidence range */
    int64_t n;                  /* suggestions in the bin */
    double mean_confidence;     /* NAN when n = 0 */
    double acceptance;          /* share accepted; NAN when n = 0 */
    double ci_lo, ci_hi;        /* 95 % interval of acceptance, drawn as an error
                                   bar when ci_hi > ci_lo (0, 0 or NAN: none) */
} svgchart_calbin;

/* Reliability diagram: mean confidence (x) against acceptance (y) per bin,
 * the diagonal of perfect calibration for reference, point area by n,
 * each bin's interval of acceptance as an error bar. One form: its square
 * viewBox (378 units) keeps its text at 11.5 px and more in a 330 px phone
 * column. */
AID_MUST_CHECK aid_err svgchart_reliability(strbuf *out, const char *id, const char *title,
                             const svgchart_calbin *bins, size_t nbins);

/* How the values of a week chart read: 4,410 / 36.9% / 0.742. */
typedef enum svgchart_unit {
    SVGCHART_COUNT = 0,
    SVGCHART_PCT = 1,
    SVGCHART_DEC = 2,
} svgchart_unit;

/* One week of the week chart. */
typedef struct svgchart_week {
    const char *week;   /* "2026-W46" (shown as "W46" over "2026"); any text is accepted */
    double value;       /* NAN = no data that week (a gap in the line) */
    double lo, hi;      /* the value's 95 % interval, drawn as an error bar and
                           named in the point's title; NAN = none */
} svgchart_week;

/* The archive index's chart of one headline figure over the weeks, oldest
 * first: a y axis with ticks and its label (ylabel), the x axis "ISO week"
 * with the weeks under it (every one while they fit, else every k-th with
 * the first and the last), the line broken at weeks without data (a hollow
 * mark on the axis titled "no data"), each point with an SVG <title>
 * ("2026-W46: 36.9%, 95% interval 35.5–38.4%"), the first and the last
 * value printed beside their points, and every week in the <desc>. The y
 * range fits the values and intervals (rates and decimals within 0..1). */
AID_MUST_CHECK aid_err svgchart_weeks(strbuf *out, const char *id, const char *title, const char *ylabel,
                                      const svgchart_week *weeks, size_t n, svgchart_unit unit,
                                      svgchart_form form);

/* XML/HTML-escape s (& < > " ') into out. 0 or -1 (no memory). */
AID_MUST_CHECK int svgchart_escape(strbuf *out, const char *s);

#endif
