/* test_svgchart.c - the inline SVG charts: accessible, scalable, escaped,
 * well-formed, and drawing what they are given. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/svgchart.h"
#include "tap.h"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* A tiny well-formedness check: every start tag is closed in order (or
 * self-closed), no stray '<' or '&' outside tags/entities. Returns 1 when
 * well-formed. */
static int well_formed(const char *s)
{
    char stack[64][32];
    int depth = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '&') {
            const char *e = strchr(p, ';');
            if (!e || e - p > 6)
                return 0;
            continue;
        }
        if (*p == '>')
            return 0;
        if (*p != '<')
            continue;
        const char *end = strchr(p, '>');
        if (!end)
            return 0;
        /* no '<' or unbalanced quotes inside a tag */
        int q = 0;
        for (const char *c = p + 1; c < end; c++) {
            if (*c == '<')
                return 0;
            if (*c == '"')
                q ^= 1;
        }
        if (q)
            return 0;
        int closing = p[1] == '/';
        const char *n = p + 1 + closing;
        size_t nl = strcspn(n, " />");
        if (nl == 0 || nl >= 32)
            return 0;
        if (closing) {
            if (depth == 0 || strncmp(stack[depth - 1], n, nl) || stack[depth - 1][nl])
                return 0;
            depth--;
        } else if (end[-1] != '/') {
            if (depth == 64)
                return 0;
            memcpy(stack[depth], n, nl);
            stack[depth][nl] = 0;
            depth++;
        }
        p = end;
    }
    return depth == 0;
}

static void common_checks(const char *svg, const char *what)
{
    ok(!strncmp(svg, "<svg ", 5), "%s: starts with <svg", what);
    ok(strstr(svg, "role=\"img\"") != NULL, "%s: role=img", what);
    ok(strstr(svg, "viewBox=\"0 0 ") != NULL, "%s: has a viewBox", what);
    /* the root element has no fixed width/height */
    const char *gt = strchr(svg, '>');
    char root[512] = "";
    if (gt && (size_t)(gt - svg) < sizeof root)
        memcpy(root, svg, (size_t)(gt - svg));
    ok(!strstr(root, "width=") && !strstr(root, "height="), "%s: root has no fixed size", what);
    ok(strstr(svg, "<title id=\"") != NULL && strstr(svg, "<desc id=\"") != NULL,
       "%s: title and desc", what);
    ok(strstr(root, "aria-labelledby=\"") != NULL, "%s: aria-labelledby", what);
    ok(well_formed(svg), "%s: well-formed", what);
    ok(!strstr(svg, "nan\"") && !strstr(svg, "nan ") && !strstr(svg, "inf\"")
       && !strstr(svg, "inf "), "%s: no nan/inf in coordinates", what);
    ok(!strstr(svg, "<script"), "%s: no script", what);
}

static void test_line(void)
{
    svgchart_day days[7] = {
        { "2026-11-16", 0.77, 650 }, { "2026-11-17", 0.76, 700 }, { "2026-11-18", NAN, 0 },
        { "2026-11-19", 0.74, 640 }, { "2026-11-20", 0.73, 610 }, { "2026-11-21", 0.72, 560 },
        { "2026-11-22", 0.71, 1450 },
    };
    strbuf sb = STRBUF_INIT;
    is_int(svgchart_line(&sb, "daily", "Mean confidence <by> day & \"n\"", days, 7, SVGCHART_WIDE),
           AID_OK, "line chart renders");
    common_checks(sb.buf, "line");
    ok(strstr(sb.buf, "Mean confidence &lt;by&gt; day &amp; &quot;n&quot;") != NULL,
       "line: title escaped");
    ok(strstr(sb.buf, "Mon 16 Nov: 0.770 (n = 650)") != NULL, "line: desc states the first day");
    ok(strstr(sb.buf, "Wed 18 Nov: no data") != NULL, "line: desc states the gap");
    ok(strstr(sb.buf, "Sun 22 Nov: 0.710 (n = 1,450)") != NULL, "line: desc uses numfmt");
    ok(strstr(sb.buf, ">n=1,450<") != NULL, "line: n printed under the day");
    /* the gap splits the path into two segments */
    const char *d = strstr(sb.buf, "class=\"chart-line\"");
    ok(d != NULL, "line: has a line path");
    if (d) {
        const char *ds = strstr(d, " d=\"");
        const char *de = ds ? strchr(ds + 4, '"') : NULL;
        char path[512] = "";
        if (ds && de && (size_t)(de - ds) < sizeof path)
            memcpy(path, ds + 4, (size_t)(de - ds - 4));
        is_int(count(path, "M"), 2, "line: gap breaks the line into two segments");
        is_int(count(path, "L"), 4, "line: 6 points, 4 joins");
    }
    is_int(count(sb.buf, "<circle"), 6, "line: one dot per day with data");
    ok(strstr(sb.buf, ">no data<") != NULL, "line: gap day labelled");
    strbuf_release(&sb);

    /* all days missing, and zero days */
    svgchart_day none[2] = { { "x<y", NAN, 0 }, { NULL, NAN, 0 } };
    is_int(svgchart_line(&sb, "d2", "t", none, 2, SVGCHART_WIDE), AID_OK, "line with no data renders");
    common_checks(sb.buf, "line empty");
    ok(!strstr(sb.buf, "chart-line\" fill"), "line empty: no path");
    ok(strstr(sb.buf, "x&lt;y") != NULL, "line: odd date text escaped");
    strbuf_release(&sb);
    is_int(svgchart_line(&sb, "d3", "t", NULL, 0, SVGCHART_WIDE), AID_OK, "line with zero days renders");
    ok(well_formed(sb.buf), "line zero days: well-formed");
    strbuf_release(&sb);

    /* the narrow form, for a phone: a 340-unit viewBox, weekday and day on
     * two lines, n without its "n=" under an "n" in the margin */
    is_int(svgchart_line(&sb, "dn", "Mean confidence", days, 7, SVGCHART_NARROW), AID_OK,
           "narrow line chart renders");
    common_checks(sb.buf, "line narrow");
    ok(!strncmp(sb.buf, "<svg class=\"chart chart-line chart-narrow\" viewBox=\"0 0 340 ", 59),
       "line narrow: class chart-narrow, 340 units wide");
    ok(strstr(sb.buf, "font-size=\"13\"") != NULL, "line narrow: 13-unit text");
    ok(strstr(sb.buf, ">Mon</text>") && strstr(sb.buf, ">16</text>"),
       "line narrow: weekday and day on two lines");
    ok(strstr(sb.buf, ">1,450</text>") && !strstr(sb.buf, ">n=") && strstr(sb.buf, ">n</text>"),
       "line narrow: n under the day, named once in the margin");
    ok(strstr(sb.buf, "Sun 22 Nov: 0.710 (n = 1,450)") != NULL, "line narrow: the same desc");
    is_int(count(sb.buf, "<circle"), 6, "line narrow: one dot per day with data");
    ok(!strstr(sb.buf, "font-size=\"12.0\""), "line narrow: notes at 12.5 units");
    strbuf_release(&sb);
    is_int(svgchart_line(&sb, "dn", "t", days, 7, SVGCHART_WIDE), AID_OK, "wide line chart");
    ok(!strncmp(sb.buf, "<svg class=\"chart chart-line chart-wide\" viewBox=\"0 0 560 ", 57),
       "line wide: class chart-wide, 560 units wide");
    strbuf_release(&sb);
}

static void test_histogram(void)
{
    double cur[20] = { 0 }, prev[20] = { 0 };
    cur[19] = 50;
    cur[18] = 30;
    cur[10] = 20;
    prev[19] = 10;
    prev[0] = 10;
    strbuf sb = STRBUF_INIT;
    is_int(svgchart_histogram(&sb, "hist", "Confidence", cur, prev, 20, SVGCHART_WIDE), AID_OK,
           "histogram renders");
    common_checks(sb.buf, "histogram");
    is_int(count(sb.buf, "class=\"chart-cur\""), 21, "histogram: 20 bars + legend this week");
    is_int(count(sb.buf, "class=\"chart-prev\""), 21, "histogram: 20 bars + legend last week");
    ok(strstr(sb.buf, "0.95\xe2\x80\x93" "1.00: 50.0% (last week 50.0%)") != NULL,
       "histogram: desc gives both shares");
    ok(strstr(sb.buf, "0.50\xe2\x80\x93" "0.55: 20.0% (last week 0.0%)") != NULL,
       "histogram: desc gives middle bin");
    ok(strstr(sb.buf, "Last week") != NULL, "histogram: legend names last week");
    strbuf_release(&sb);

    is_int(svgchart_histogram(&sb, "hist2", "Confidence", cur, NULL, 20, SVGCHART_WIDE), AID_OK,
           "histogram without previous renders");
    common_checks(sb.buf, "histogram no prev");
    is_int(count(sb.buf, "chart-prev"), 0, "histogram no prev: no previous bars");
    ok(strstr(sb.buf, "no previous week") != NULL, "histogram no prev: desc says so");
    strbuf_release(&sb);

    double zero[20] = { 0 };
    zero[3] = NAN;
    is_int(svgchart_histogram(&sb, "hist3", "Confidence", zero, zero, 20, SVGCHART_WIDE), AID_OK,
           "all-zero histogram renders");
    common_checks(sb.buf, "histogram zero");
    strbuf_release(&sb);

    is_int(svgchart_histogram(&sb, "hn", "Confidence", cur, prev, 20, SVGCHART_NARROW), AID_OK,
           "narrow histogram renders");
    common_checks(sb.buf, "histogram narrow");
    ok(!strncmp(sb.buf, "<svg class=\"chart chart-hist chart-narrow\" viewBox=\"0 0 340 ", 59),
       "histogram narrow: class chart-narrow, 340 units wide");
    is_int(count(sb.buf, "class=\"chart-cur\""), 21, "histogram narrow: every bar");
    ok(strstr(sb.buf, "Last week") != NULL, "histogram narrow: legend");
    strbuf_release(&sb);
}

static void test_reliability(void)
{
    svgchart_calbin bins[10];
    for (int i = 0; i < 10; i++) {
        bins[i].lower = i / 10.0;
        bins[i].upper = (i + 1) / 10.0;
        bins[i].n = i * 100;
        bins[i].mean_confidence = i ? i / 10.0 + 0.05 : NAN;
        bins[i].acceptance = i ? (i / 10.0) * 0.8 : NAN;
        /* intervals on bins 1..4 only (the others as a schema-1 report) */
        bins[i].ci_lo = i && i < 5 ? bins[i].acceptance - 0.05 : NAN;
        bins[i].ci_hi = i && i < 5 ? bins[i].acceptance + 0.05 : NAN;
    }
    strbuf sb = STRBUF_INIT;
    is_int(svgchart_reliability(&sb, "rel", "Reliability", bins, 10), AID_OK,
           "reliability renders");
    common_checks(sb.buf, "reliability");
    is_int(count(sb.buf, "<circle"), 9, "reliability: one point per non-empty bin");
    ok(strstr(sb.buf, "class=\"chart-ref\"") != NULL, "reliability: diagonal reference");
    is_int(count(sb.buf, "class=\"chart-err\""), 4, "reliability: an error bar for each bin with an interval");
    ok(strstr(sb.buf, ", 95% interval 3.0%\xe2\x80\x93" "13.0%") != NULL, "reliability: the interval in the point's title");
    ok(strstr(sb.buf, "0.0\xe2\x80\x93" "0.1: no suggestions") != NULL,
       "reliability: empty bin in desc");
    ok(strstr(sb.buf, "0.9\xe2\x80\x93" "1.0: confidence 0.950, accepted 72.0% (n = 900)") != NULL,
       "reliability: desc states a bin");
    /* the largest bin has the largest radius (12.0) */
    ok(strstr(sb.buf, "r=\"12.0\"") != NULL, "reliability: biggest n, biggest point");
    strbuf_release(&sb);
}

static void test_weeks(void)
{
    svgchart_week w[4] = {
        { "2026-W44", 0.30, 0.28, 0.32 },
        { "2026-W45", NAN, NAN, NAN },
        { "2026-W46", 0.35, NAN, NAN },
        { "2026-W47", 0.37, 0.355, 0.384 },
    };
    strbuf sb = STRBUF_INIT;
    is_int(svgchart_weeks(&sb, "wk", "Acceptance <rate>", "share", w, 4, SVGCHART_PCT, SVGCHART_WIDE), AID_OK,
           "week chart renders");
    common_checks(sb.buf, "weeks");
    ok(strstr(sb.buf, "Acceptance &lt;rate&gt; by week, 2026-W44 to 2026-W47: 2026-W44 30.0%, 95% interval "
                      "28.0%\xe2\x80\x93" "32.0%; 2026-W45 no data; 2026-W46 35.0%; 2026-W47 37.0%") != NULL,
       "weeks: desc names every week");
    ok(strstr(sb.buf, "<title>2026-W47: 37.0%, 95% interval 35.5%\xe2\x80\x93" "38.4%</title>") != NULL,
       "weeks: a point's title with its interval");
    ok(strstr(sb.buf, "<title>2026-W46: 35.0%</title>") != NULL, "weeks: no interval, none named");
    ok(strstr(sb.buf, "class=\"chart-gap\"") && strstr(sb.buf, "<title>2026-W45: no data</title>"),
       "weeks: the gap week is marked and titled");
    is_int(count(sb.buf, "class=\"chart-dot\""), 3, "weeks: a point per week with data");
    /* the line stops at the gap and starts again: one M before it, one after */
    const char *d = strstr(sb.buf, "class=\"chart-line\"");
    ok(d && strstr(d, " M") && count(d, " L") >= 1, "weeks: the line is broken at the gap");
    is_int(count(sb.buf, "class=\"chart-value\""), 2, "weeks: first and last value printed");
    ok(strstr(sb.buf, ">30.0%</text>") && strstr(sb.buf, ">37.0%</text>"), "weeks: their texts");
    ok(strstr(sb.buf, ">W44</text>") && strstr(sb.buf, ">W47</text>") && strstr(sb.buf, ">2026</text>"),
       "weeks: week labels printed");
    ok(strstr(sb.buf, ">ISO week</text>") && strstr(sb.buf, ">share</text>"), "weeks: both axes labelled");
    is_int(count(sb.buf, "class=\"chart-err\""), 2, "weeks: an error bar per interval");
    strbuf_release(&sb);

    /* counts, many weeks: labels thinned out, the first and last kept */
    svgchart_week many[30];
    char names[30][24];
    for (unsigned i = 0; i < 30; i++) {
        snprintf(names[i], sizeof names[i], "2026-W%02u", i + 1);
        many[i] = (svgchart_week){ names[i], 4000 + 10 * i, NAN, NAN };
    }
    is_int(svgchart_weeks(&sb, "wc", "Suggestions", "suggestions", many, 30, SVGCHART_COUNT, SVGCHART_NARROW),
           AID_OK, "30 weeks, narrow");
    common_checks(sb.buf, "weeks many");
    ok(count(sb.buf, "chart-week\"") < 30 && strstr(sb.buf, ">W01</text>") && strstr(sb.buf, ">W30</text>"),
       "weeks: labels thinned, first and last kept");
    ok(strstr(sb.buf, ">4,000</text>") && strstr(sb.buf, ">4,290</text>"), "weeks: counts as integers");
    strbuf_release(&sb);

    is_int(svgchart_weeks(&sb, "w0", "x", "y", NULL, 0, SVGCHART_DEC, SVGCHART_WIDE), AID_OK, "no weeks");
    ok(well_formed(sb.buf), "no weeks: well-formed");
    strbuf_release(&sb);
    svgchart_week one = { "2026-W47", 0.5, NAN, NAN };
    is_int(svgchart_weeks(&sb, "w1", "x", "y", &one, 1, SVGCHART_DEC, SVGCHART_WIDE), AID_OK, "one week");
    common_checks(sb.buf, "weeks one");
    is_int(count(sb.buf, "class=\"chart-value\""), 1, "one week: one value printed");
    strbuf_release(&sb);
}

static void test_escape(void)
{
    strbuf sb = STRBUF_INIT;
    ok(svgchart_escape(&sb, "<script>alert('x')&\"</script>") == 0, "escape succeeds");
    is_str(sb.buf, "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;", "escape");
    strbuf_release(&sb);
    /* a hostile id cannot break out of the attribute */
    svgchart_day d = { "2026-11-16", 0.5, 1 };
    ok(svgchart_line(&sb, "a\"><script>", "t", &d, 1, SVGCHART_NARROW) == AID_OK, "a chart with a hostile id is drawn");
    ok(!strstr(sb.buf, "<script"), "hostile id escaped");
    ok(well_formed(sb.buf), "hostile id: well-formed");
    strbuf_release(&sb);
}

int main(void)
{
    test_line();
    test_histogram();
    test_reliability();
    test_weeks();
    test_escape();
    return tap_done();
}
