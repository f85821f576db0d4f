#include "render/html.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/urlshow.h"
#include "common/calendar.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "common/numfmt.h"
#include "render/svgchart.h"
#include "common/timeutil.h"
#include "common/version.h"
#include "render/cilabel.h"
#include "render/costlabel.h"
#include "render/dqlabel.h"
#include "render/weeks.h"
#include "render/htmlseg.h"
#include "render/htmlvars.h"
#include "render/outcomehtml.h"

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

/* A variable-filling context: one out-of-memory flag instead of a check
 * after every set. */
static void hv_dbl(htmlvars *h, tmpl_vars *v, const char *name, double d)
{
    char buf[64];
    if (isfinite(d))
        snprintf(buf, sizeof buf, "%.10g", d);
    else
        snprintf(buf, sizeof buf, "null");
    htmlvars_set(h, v, name, buf);
}

/* A string from the report; numbers and booleans as their JSON text;
 * null/missing as "". */
static const char *hv_text(const struct json_object *root, const char *path)
{
    struct json_object *o = jget(root, path);
    if (!o)
        return "";
    if (json_object_is_type(o, json_type_string))
        return json_object_get_string(o);
    if (json_object_is_type(o, json_type_object) || json_object_is_type(o, json_type_array))
        return "";
    return json_object_get_string(o);
}

static double num_or_nan(const struct json_object *o)
{
    if (!o || !(json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)))
        return NAN;
    double d = json_object_get_double(o);
    return isfinite(d) ? d : NAN;
}

bool html_is_week(const char *name)
{
    timeutil_week w;
    char buf[16];
    if (!name || strlen(name) != 8 || !timeutil_parse_week(name, &w))
        return false;
    timeutil_format_week(w, buf, sizeof buf);
    return !strcmp(buf, name);
}

bool html_url_ok(const char *url)
{
    return urlshow_http_ok(url);
}

/* A time from the report, normalised to "YYYY-MM-DDTHH:MM:SSZ" (usable in
 * <time datetime>); "" when it is missing or not an RFC 3339 time. */
static void html_time(htmlvars *h, tmpl_vars *v, const char *name, const struct json_object *root,
                      const char *path)
{
    const char *s = jget_str(root, path, NULL);
    int64_t ms;
    char buf[32] = "";
    if (s && timeutil_parse_rfc3339(s, strlen(s), &ms))
        timeutil_format_rfc3339(ms, buf, sizeof buf);
    htmlvars_set(h, v, name, buf);
}

/* period_start, period_end (the report's times, normalised) and
 * period_last, the date of the period's last day (end is exclusive). */
static void html_period(htmlvars *h, tmpl_vars *v, const struct json_object *report)
{
    const char *st = jget_str(report, "period.start", NULL);
    const char *en = jget_str(report, "period.end", NULL);
    int64_t s, e;
    char a[32] = "", b[32] = "", last[16] = "";
    if (st && en && timeutil_parse_rfc3339(st, strlen(st), &s)
        && timeutil_parse_rfc3339(en, strlen(en), &e) && e > s) {
        timeutil_format_rfc3339(s, a, sizeof a);
        timeutil_format_rfc3339(e, b, sizeof b);
        timeutil_format_date(e - 1, last, sizeof last);
    }
    htmlvars_set(h, v, "period_start", a);
    htmlvars_set(h, v, "period_end", b);
    htmlvars_set(h, v, "period_last", last);
}

/* ------------------------------------------------------------------ */
/* format functions                                                     */

/* The value as a number, NAN when it is not one ("null", "", text). */
static double fmt_parse(const char *value)
{
    if (!value || !*value)
        return NAN;
    char *end = NULL;
    double d = strtod(value, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    if (!end || *end || !isfinite(d))
        return NAN;
    return d;
}

/* A numfmt or strbuf result as a tmpl_fmt_fn's: their -1 is out of memory. */
static int fmt_rc(int rc)
{
    return rc < 0 ? TMPL_FMT_NOMEM : 0;
}

static int fmt_int(const char *value, strbuf *out, void *ctx)
{
    (void)ctx;
    double d = fmt_parse(value);
    if (isnan(d))
        return fmt_rc(numfmt_dec(out, NAN, 0));
    return fmt_rc(numfmt_int(out, (int64_t)llround(d)));
}

static int fmt_pct(const char *value, strbuf *out, void *ctx)
{
    (void)ctx;
    return fmt_rc(numfmt_pct(out, fmt_parse(value), 1));
}

static int fmt_pp(const char *value, strbuf *out, void *ctx)
{
    (void)ctx;
    return fmt_rc(numfmt_pp(out, fmt_parse(value), 1));
}

static int fmt_dec(const char *value, strbuf *out, void *ctx)
{
    (void)ctx;
    return fmt_rc(numfmt_dec(out, fmt_parse(value), 3));
}

static int fmt_dec1(const char *value, strbuf *out, void *ctx)
{
    (void)ctx;
    return fmt_rc(numfmt_dec(out, fmt_parse(value), 1));
}

static int fmt_signed(const char *value, strbuf *out, void *ctx)
{
    (void)ctx;
    return fmt_rc(numfmt_signed(out, fmt_parse(value), 3));
}

/* date: "2026-11-16" or an RFC 3339 time -> "16 Nov 2026"; other text as is. */
static int fmt_date(const char *value, strbuf *out, void *ctx)
{
    (void)ctx;
    calendar_date d;
    if (!calendar_parse_date(value, 0, &d))
        return fmt_rc(strbuf_adds(out, value && *value && strcmp(value, "null") ? value : "\xe2\x80\x93"));
    return fmt_rc(strbuf_addf(out, "%d %s %d", d.day, calendar_month_abbr[d.month - 1], d.year));
}

/* day: "2026-11-16" -> "Mon 16 Nov". */
static int fmt_day(const char *value, strbuf *out, void *ctx)
{
    (void)ctx;
    calendar_date d;
    if (!calendar_parse_date(value, 0, &d))
        return fmt_rc(strbuf_adds(out, value && *value && strcmp(value, "null") ? value : "\xe2\x80\x93"));
    return fmt_rc(strbuf_addf(out, "%s %d %s", calendar_weekday_abbr[d.weekday], d.day,
                       calendar_month_abbr[d.month - 1]));
}

aid_err html_engine_new(tmpl_engine **out, const aid_config *cfg, aid_errbuf *eb)
{
    static const struct {
        const char *name;
        tmpl_fmt_fn fn;
    } fmts[] = {
        { "int", fmt_int }, { "pct", fmt_pct }, { "pp", fmt_pp }, { "dec", fmt_dec },
        { "dec1", fmt_dec1 }, { "signed", fmt_signed }, { "date", fmt_date }, { "day", fmt_day },
    };
    strbuf dir = STRBUF_INIT;
    tmpl_engine *e = NULL;
    aid_err err = AID_OK;
    *out = NULL;
    if (config_templates_dir(cfg, &dir) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory");
        goto cleanup;
    }
    if ((err = tmpl_engine_new(&e, dir.buf, TMPL_SAFE, eb))) {
        goto cleanup;
    }
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        if (tmpl_engine_add_fmt(e, fmts[i].name, fmts[i].fn, NULL) < 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory");
            goto cleanup;
        }
    }
    *out = e;
    e = NULL;
cleanup:
    tmpl_engine_free(e);
    strbuf_release(&dir);
    return err;
}

/* ------------------------------------------------------------------ */
/* the weekly page                                                      */

/* One key-figure tile. */
enum tile_kind { TILE_COUNT, TILE_RATE, TILE_DEC };
/* better: +1 when up is good, -1 when down is good, 0 neutral */
/* The schema-2 parts of a tile: the verdict on the change ("up", "down",
 * "steady"; NULL for a schema-1 report, whose arrow follows the sign), the
 * change's interval and the value's interval (texts, "" = none). */
typedef struct tile_ci {
    const char *verdict, *change_ci, *value_ci;
} tile_ci;

static void html_tile(htmlvars *h, tmpl_vars *v, const char *key, const char *label, double value,
                      double prev, double delta, enum tile_kind kind, int better,
                      const char *hint, const tile_ci *ci)
{
    tmpl_vars *r = htmlvars_row(h, v, "tiles");
    strbuf val = STRBUF_INIT, chg = STRBUF_INIT, note = STRBUF_INIT;
    const char *dir = "none", *cls = "none";
    int bad = 0;
    if (!r)
        return;
    if (kind == TILE_COUNT)
        bad |= isnan(value) ? numfmt_dec(&val, NAN, 0) : numfmt_int(&val, (int64_t)llround(value));
    else if (kind == TILE_RATE)
        bad |= numfmt_pct(&val, value, 1);
    else
        bad |= numfmt_dec(&val, value, 3);
    if (isnan(delta) && !isnan(value) && !isnan(prev))
        delta = value - prev;
    if (!isnan(delta)) {
        if (kind == TILE_COUNT) {
            if (!isnan(prev) && prev > 0)
                bad |= numfmt_signed(&chg, delta / prev * 100.0, 1) | strbuf_adds(&chg, "%");
            else
                bad |= numfmt_signed(&chg, delta, 0);
        } else if (kind == TILE_RATE) {
            bad |= numfmt_pp(&chg, delta, 1);
        } else {
            bad |= numfmt_signed(&chg, delta, 3);
        }
        /* the sign as shown decides the direction (a change that rounds
         * to zero is flat) */
        const char *c = chg.buf;
        if (!strncmp(c, "+", 1))
            dir = "up";
        else if (!strncmp(c, "\xe2\x88\x92", 3))
            dir = "down";
        else
            dir = "flat";
        /* schema 2: the verdict decides, not the sign (a change within
         * chance is steady, whatever it rounds to) */
        if (ci && ci->verdict)
            dir = ci->verdict;
        if (!strcmp(dir, "flat") || !strcmp(dir, "steady") || better == 0)
            cls = "neutral";
        else
            cls = (better > 0) == !strcmp(dir, "up") ? "good" : "bad";
        bad |= strbuf_adds(&note, "vs ");
        if (!isnan(prev)) {
            if (kind == TILE_COUNT)
                bad |= numfmt_int(&note, (int64_t)llround(prev));
            else if (kind == TILE_RATE)
                bad |= numfmt_pct(&note, prev, 1);
            else
                bad |= numfmt_dec(&note, prev, 3);
            bad |= strbuf_adds(&note, " ");
        }
        bad |= strbuf_adds(&note, "last week");
    }
    if (bad)
        h->oom = 1;
    htmlvars_set(h, r, "key", key);
    htmlvars_set(h, r, "label", label);
    htmlvars_set(h, r, "value", val.buf);
    htmlvars_set(h, r, "change", chg.buf);
    htmlvars_set(h, r, "change_dir", dir);
    htmlvars_set(h, r, "change_class", cls);
    htmlvars_set(h, r, "change_note", note.buf);
    htmlvars_set(h, r, "change_ci", ci ? ci->change_ci : "");
    htmlvars_set(h, r, "value_ci", ci ? ci->value_ci : "");
    htmlvars_set(h, r, "hint", hint);
    strbuf_release(&note);
    strbuf_release(&chg);
    strbuf_release(&val);
}

/* Text escaped for HTML content or a quoted attribute. 0 or -1. */
static int html_esc_add(strbuf *sb, const char *s, size_t n)
{
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++) {
        switch (s[k]) {
        case '&': rc = strbuf_adds(sb, "&amp;"); break;
        case '<': rc = strbuf_adds(sb, "&lt;"); break;
        case '>': rc = strbuf_adds(sb, "&gt;"); break;
        case '"': rc = strbuf_adds(sb, "&quot;"); break;
        case '\'': rc = strbuf_adds(sb, "&#39;"); break;
        default: rc = strbuf_addc(sb, s[k]);
        }
    }
    return rc ? -1 : 0;
}

/* A checked number's title: "changes.acceptance.delta = 0.042039, 95%
 * interval 0.018704 to 0.06531, verdict up". */
static int claim_title(strbuf *sb, const struct json_object *c)
{
    strbuf t = STRBUF_INIT;
    int rc = strbuf_addf(&t, "%s = %s", jget_str(c, "figure", ""),
                         json_object_to_json_string_ext(jget(c, "value"), JSON_C_TO_STRING_PLAIN));
    if (jget_len(c, "interval") == 2)
        rc |= strbuf_addf(&t, ", 95%% interval %s to %s",
                          json_object_to_json_string_ext(jget(c, "interval.0"), JSON_C_TO_STRING_PLAIN),
                          json_object_to_json_string_ext(jget(c, "interval.1"), JSON_C_TO_STRING_PLAIN));
    if (jget_has(c, "verdict"))
        rc |= strbuf_addf(&t, ", verdict %s", jget_str(c, "verdict", ""));
    rc |= html_esc_add(sb, t.buf ? t.buf : "", t.len);
    strbuf_release(&t);
    return rc ? -1 : 0;
}

/* One summary paragraph (text[a..b) of the summary) as HTML: escaped,
 * each checked number of narrative.claims in a quiet underline whose title
 * gives the figure and its interval. 0 or -1. */
static int html_marked(const struct json_object *claims, const char *text, size_t a, size_t b, strbuf *out)
{
    size_t at = a, n = claims ? json_object_array_length(claims) : 0;
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++) {
        const struct json_object *c = json_object_array_get_idx(claims, k);
        if (strcmp(jget_str(c, "part", ""), "summary") || strcmp(jget_str(c, "kind", ""), "number"))
            continue;
        int64_t off = jget_int(c, "offset", -1);
        size_t len = strlen(jget_str(c, "text", ""));
        if (off < 0 || (size_t)off < at || (size_t)off + len > b ||
            strncmp(text + off, jget_str(c, "text", ""), len))
            continue;
        rc |= html_esc_add(out, text + at, (size_t)off - at);
        rc |= strbuf_adds(out, "<span class=\"checked\" title=\"");
        rc |= claim_title(out, c);
        rc |= strbuf_adds(out, "\">");
        rc |= html_esc_add(out, text + off, len);
        rc |= strbuf_adds(out, "</span>");
        at = (size_t)off + len;
    }
    rc |= html_esc_add(out, text + at, b - at);
    return rc ? -1 : 0;
}

/* narrative.summary split into paragraphs at blank lines; "html" is the
 * paragraph with its checked numbers marked (html_marked). */
static void html_paragraphs(htmlvars *h, tmpl_vars *v, const char *loop, const char *text,
                            const struct json_object *claims)
{
    const char *p = text;
    while (p && *p) {
        /* find the next blank line: \n, optional spaces/tabs/\r, \n */
        const char *end = NULL, *next = NULL;
        for (const char *q = p; *q; q++) {
            if (*q != '\n')
                continue;
            const char *r = q + 1;
            while (*r == ' ' || *r == '\t' || *r == '\r')
                r++;
            if (*r == '\n') {
                end = q;
                next = r + 1;
                break;
            }
        }
        if (!end)
            end = p + strlen(p);
        /* trim */
        const char *a = p, *b = end;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (b > a) {
            char *para = strndup(a, (size_t)(b - a));
            strbuf marked = STRBUF_INIT;
            tmpl_vars *r = htmlvars_row(h, v, loop);
            if (!para || html_marked(claims, text, (size_t)(a - text), (size_t)(b - text), &marked) < 0) {
                h->oom = 1;
            } else {
                htmlvars_set(h, r, "text", para);
                htmlvars_set(h, r, "html", marked.buf ? marked.buf : "");
            }
            strbuf_release(&marked);
            free(para);
        }
        p = next;
    }
}

/* A list of strings (or objects with "text") as a loop of "text". */
static void html_text_list(htmlvars *h, tmpl_vars *v, const char *loop, const struct json_object *arr)
{
    size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(arr, i);
        const char *t = json_object_is_type(e, json_type_string) ? json_object_get_string(e)
                                                                   : hv_text(e, "text");
        if (!t || !*t)
            continue;
        htmlvars_set(h, htmlvars_row(h, v, loop), "text", t);
    }
}

static aid_err html_charts(htmlvars *h, struct json_object *report, tmpl_vars *v)
{
    strbuf svg = STRBUF_INIT;
    aid_err err = AID_OK;
    svgchart_day days[31];
    svgchart_calbin bins[64];
    double cur[64], prev[64];

    /* daily mean confidence */
    struct json_object *daily = jget(report, "confidence.daily");
    size_t nd = jget_len(report, "confidence.daily");
    if (nd > 31)
        nd = 31;
    for (size_t i = 0; i < nd; i++) {
        struct json_object *d = json_object_array_get_idx(daily, i);
        days[i].date = hv_text(d, "date");
        days[i].mean = num_or_nan(jget(d, "mean"));
        days[i].n = jget_int(d, "n", 0);
    }
    if ((err = svgchart_line(&svg, "chart-daily", "Mean confidence per day", days, nd,
                             SVGCHART_WIDE)))
        goto cleanup;
    htmlvars_set(h, v, "chart_daily", svg.buf);
    strbuf_reset(&svg);
    if ((err = svgchart_line(&svg, "chart-daily-n", "Mean confidence per day", days, nd,
                             SVGCHART_NARROW)))
        goto cleanup;
    htmlvars_set(h, v, "chart_daily_narrow", svg.buf);
    htmlvars_set(h, v, "has_daily", nd ? "1" : "");
    strbuf_reset(&svg);

    /* histogram, this week against last */
    struct json_object *hist = jget(report, "confidence.histogram");
    struct json_object *phist = jget(report, "confidence.previous_histogram");
    size_t nh = jget_len(report, "confidence.histogram");
    size_t np = jget_len(report, "confidence.previous_histogram");
    if (nh > 64)
        nh = 64;
    for (size_t i = 0; i < nh; i++) {
        cur[i] = num_or_nan(json_object_array_get_idx(hist, i));
        prev[i] = i < np ? num_or_nan(json_object_array_get_idx(phist, i)) : NAN;
    }
    if ((err = svgchart_histogram(&svg, "chart-hist", "Confidence distribution", cur,
                                  np == nh && nh ? prev : NULL, nh, SVGCHART_WIDE)))
        goto cleanup;
    htmlvars_set(h, v, "chart_histogram", svg.buf);
    strbuf_reset(&svg);
    if ((err = svgchart_histogram(&svg, "chart-hist-n", "Confidence distribution", cur,
                                  np == nh && nh ? prev : NULL, nh, SVGCHART_NARROW)))
        goto cleanup;
    htmlvars_set(h, v, "chart_histogram_narrow", svg.buf);
    htmlvars_set(h, v, "has_histogram", nh ? "1" : "");
    htmlvars_set(h, v, "has_previous_histogram", np == nh && nh ? "1" : "");
    strbuf_reset(&svg);

    /* reliability */
    struct json_object *cal = jget(report, "confidence.calibration");
    size_t nc = jget_len(report, "confidence.calibration");
    if (nc > 64)
        nc = 64;
    for (size_t i = 0; i < nc; i++) {
        struct json_object *c = json_object_array_get_idx(cal, i);
        bins[i].lower = jget_double(c, "lower", (double)i / (double)nc);
        bins[i].upper = jget_double(c, "upper", (double)(i + 1) / (double)nc);
        bins[i].n = jget_int(c, "n", 0);
        bins[i].mean_confidence = num_or_nan(jget(c, "mean_confidence"));
        bins[i].acceptance = num_or_nan(jget(c, "acceptance"));
        if (!cilabel_get(jget(c, "acceptance_ci"), &bins[i].ci_lo, &bins[i].ci_hi))
            bins[i].ci_lo = bins[i].ci_hi = NAN;
    }
    if ((err = svgchart_reliability(&svg, "chart-rel", "Reliability: confidence against acceptance",
                                    bins, nc)))
        goto cleanup;
    htmlvars_set(h, v, "chart_reliability", svg.buf);
    htmlvars_set(h, v, "has_calibration", nc ? "1" : "");
cleanup:
    strbuf_release(&svg);
    return err;
}

/* the page header: week, team, title, period, generation */
static void html_vars_header(htmlvars *h, tmpl_vars *v, struct json_object *report, const aid_config *cfg)
{
    const char *week = jget_str(report, "week", "");
    const char *team = cfg && cfg->team_name && *cfg->team_name ? cfg->team_name : "Support";
    struct json_object *prev = jget(report, "previous");
    bool has_prev = prev && json_object_is_type(prev, json_type_object);
    const char *prev_week = has_prev ? jget_str(prev, "week", jget_str(report, "previous_week", ""))
                                     : "";
    strbuf s = STRBUF_INIT;
    htmlvars_set(h, v, "week", week);
    htmlvars_set(h, v, "team", team);
    if (strbuf_addf(&s, "Weekly AI Intelligence Digest \xe2\x80\x94 %s", week) < 0)
        h->oom = 1;
    htmlvars_set(h, v, "title", s.buf);
    html_period(h, v, report);
    html_time(h, v, "generated_at", report, "generated_at");
    htmlvars_set(h, v, "generator", jget_str(report, "generator", "aidigest"));
    htmlvars_set(h, v, "has_previous", has_prev ? "1" : "");
    htmlvars_set(h, v, "previous_week", prev_week);
    strbuf_release(&s);
}

/* the key-figure tiles with the change against the previous week */
static void html_vars_tiles(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    struct json_object *prev = jget(report, "previous");
    bool has_prev = prev && json_object_is_type(prev, json_type_object);
    strbuf s = STRBUF_INIT;

    double sug = jget_double(report, "totals.suggestions", NAN);
    double psug = has_prev ? jget_double(prev, "totals.suggestions", NAN) : NAN;
    strbuf acc_ci = STRBUF_INIT, acc_chg = STRBUF_INIT, use_ci = STRBUF_INIT, use_chg = STRBUF_INIT,
           conf_chg = STRBUF_INIT;
    if (cilabel_pct(&acc_ci, jget(report, "rates.acceptance_ci")) < 0 ||
        cilabel_pp(&acc_chg, jget(report, "changes.acceptance.delta_ci")) < 0 ||
        cilabel_pct(&use_ci, jget(report, "rates.use_ci")) < 0 ||
        cilabel_pp(&use_chg, jget(report, "changes.use.delta_ci")) < 0 ||
        cilabel_signed(&conf_chg, jget(report, "confidence.delta_ci")) < 0)
        h->oom = 1;
    tile_ci acc = { cilabel_verdict(jget(report, "changes.acceptance"), "verdict"), acc_chg.buf ? acc_chg.buf : "",
                    acc_ci.buf ? acc_ci.buf : "" };
    tile_ci use = { cilabel_verdict(jget(report, "changes.use"), "verdict"), use_chg.buf ? use_chg.buf : "",
                    use_ci.buf ? use_ci.buf : "" };
    tile_ci conf = { cilabel_verdict(jget(report, "confidence"), "delta_verdict"),
                     conf_chg.buf ? conf_chg.buf : "", "" };
    html_tile(h, v, "suggestions", "Suggestions", sug, psug, NAN, TILE_COUNT, 0,
              "shown to agents", NULL);
    if (numfmt_int(&s, jget_int(report, "totals.accepted", 0)) < 0
        || strbuf_adds(&s, " sent as is") < 0)
        h->oom = 1;
    html_tile(h, v, "acceptance", "Acceptance rate", jget_double(report, "rates.acceptance", NAN),
              has_prev ? jget_double(prev, "rates.acceptance", NAN) : NAN, NAN, TILE_RATE, 1,
              jget_has(report, "totals.accepted") ? s.buf : "", &acc);
    html_tile(h, v, "use", "Use rate", jget_double(report, "rates.use", NAN),
              has_prev ? jget_double(prev, "rates.use", NAN) : NAN, NAN, TILE_RATE, 1,
              "accepted or edited", &use);
    html_tile(h, v, "confidence", "Mean confidence", jget_double(report, "confidence.mean", NAN),
              jget_double(report, "confidence.previous_mean",
                          has_prev ? jget_double(prev, "confidence_mean", NAN) : NAN),
              jget_double(report, "confidence.delta", NAN), TILE_DEC, 0,
              "model's own estimate", &conf);
    html_tile(h, v, "ece", "Calibration error", jget_double(report, "confidence.ece", NAN),
              has_prev ? jget_double(prev, "ece", NAN) : NAN, NAN, TILE_DEC, -1,
              "ECE; lower is better", NULL);
    strbuf_release(&conf_chg);
    strbuf_release(&use_chg);
    strbuf_release(&use_ci);
    strbuf_release(&acc_chg);
    strbuf_release(&acc_ci);
    strbuf_release(&s);
}

/* the raw figures, for templates that want them (dq_* from dqlabel.h) */
static void html_vars_figures(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    static const struct {
        const char *name, *path;
    } nums[] = {
        { "suggestions", "totals.suggestions" }, { "accepted", "totals.accepted" },
        { "edited", "totals.edited" }, { "rejected", "totals.rejected" },
        { "ignored", "totals.ignored" }, { "acceptance", "rates.acceptance" },
        { "use_rate", "rates.use" }, { "rejection_rate", "rates.rejection" },
        { "conf_mean", "confidence.mean" }, { "conf_previous_mean", "confidence.previous_mean" },
        { "conf_delta", "confidence.delta" }, { "conf_n", "confidence.n" },
        { "psi", "confidence.psi" }, { "ks", "confidence.ks" }, { "ece", "confidence.ece" },
        { "ai_wins", "coach.ai_wins" }, { "vindicated", "coach.vindicated" },
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        htmlvars_num(h, v, nums[i].name, report, nums[i].path);
    for (size_t i = 0; i < dqlabel_nfields; i++) {
        char name[64];
        snprintf(name, sizeof name, "dq_%s", dqlabel_fields[i].key);
        htmlvars_num(h, v, name, report, dqlabel_fields[i].path);
    }
    htmlvars_set(h, v, "has_drift", jget_has(report, "confidence.psi") ? "1" : "");
    /* schema 2: the drift verdict with its tests, the change's interval
     * and verdict, Brier and the equal-mass ECE (all "" for schema 1) */
    strbuf d = STRBUF_INIT, ci = STRBUF_INIT;
    if (cilabel_drift(&d, report) < 0 || cilabel_signed(&ci, jget(report, "confidence.delta_ci")) < 0)
        h->oom = 1;
    htmlvars_set(h, v, "drift_line", d.buf);
    htmlvars_set(h, v, "drift_verdict", jget_str(report, "confidence.drift.verdict", ""));
    htmlvars_set(h, v, "conf_delta_ci", ci.buf);
    htmlvars_set(h, v, "conf_delta_verdict", cilabel_verdict(jget(report, "confidence"), "delta_verdict"));
    htmlvars_set(h, v, "conf_delta_note", jget_str(report, "confidence.delta_note", ""));
    htmlvars_set(h, v, "schema2", jget_int(report, "schema", 1) >= 2 ? "1" : "");
    htmlvars_num(h, v, "brier", report, "confidence.brier");
    htmlvars_num(h, v, "ece_equal_mass", report, "confidence.ece_equal_mass");
    htmlvars_set(h, v, "has_brier", jget_has(report, "confidence.brier") ? "1" : "");
    strbuf_release(&ci);
    strbuf_release(&d);
}

/* the narrative: self-summary, summary paragraphs, coach notes, source */
static void html_vars_narrative(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    htmlvars_set(h, v, "self_summary", jget_str(report, "narrative.self_summary", ""));
    html_paragraphs(h, v, "summary_paragraphs", jget_str(report, "narrative.summary", ""),
                    jget(report, "narrative.claims"));
    size_t nclaims = jget_len(report, "narrative.claims");
    if (nclaims) {
        char buf[96];
        snprintf(buf, sizeof buf, "%zu %s checked against the week's figures", nclaims,
                 nclaims == 1 ? "claim" : "claims");
        htmlvars_set(h, v, "claims_checked", buf);
    }
    html_text_list(h, v, "coach_notes", jget(report, "narrative.coach_notes"));
    {
        struct json_object *src = jget(report, "narrative.source");
        const char *t = json_object_is_type(src, json_type_string) ? json_object_get_string(src)
                                                                    : hv_text(src, "summary");
        htmlvars_set(h, v, "narrative_source", t);
        htmlvars_set(h, v, "narrative_builtin", t && !strcmp(t, "builtin") ? "1" : "");
    }
}

/* the coach tips with their evidence (coach.tips[]; a report of schema 1
 * has no tests: no interval, no verdict) */
static void html_vars_tips(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    struct json_object *tips = jget(report, "coach.tips");
    size_t n = jget_len(report, "coach.tips");
    for (size_t i = 0; i < n; i++) {
        struct json_object *t = json_object_array_get_idx(tips, i);
        tmpl_vars *r = htmlvars_row(h, v, "tips");
        htmlvars_set(h, r, "label", hv_text(t, "label"));
        htmlvars_set(h, r, "feature", hv_text(t, "feature"));
        htmlvars_set(h, r, "example", hv_text(t, "example"));
        htmlvars_num(h, r, "ai_win_share", t, "ai_win_share");
        htmlvars_num(h, r, "rejected_share", t, "rejected_share");
        htmlvars_num(h, r, "lift", t, "lift");
        htmlvars_set(h, r, "tested", jget_has(t, "qualifies") ? "1" : "");
        htmlvars_set(h, r, "qualifies", json_object_get_boolean(jget(t, "qualifies")) ? "1" : "");
        const char *basis = jget_str(t, "basis", "");
        htmlvars_set(h, r, "by_shares", !strncmp(basis, "shares", 6) ? "1" : "");
        htmlvars_set(h, r, "by_edits", strstr(basis, "edits") ? "1" : "");
        htmlvars_num(h, r, "ai_lo", t, "ai_win_share_ci.0");
        htmlvars_num(h, r, "ai_hi", t, "ai_win_share_ci.1");
        htmlvars_num(h, r, "rej_lo", t, "rejected_share_ci.0");
        htmlvars_num(h, r, "rej_hi", t, "rejected_share_ci.1");
        htmlvars_num(h, r, "worked_n", t, "worked_n");
        htmlvars_num(h, r, "rejected_n", t, "rejected_n");
        htmlvars_num(h, r, "q", t, "q");
        htmlvars_num(h, r, "edits_added", t, "edits_added");
        htmlvars_num(h, r, "edits_removed", t, "edits_removed");
        htmlvars_num(h, r, "edits_q", t, "edits_q");
        htmlvars_num(h, r, "more_replies", t, "more_replies");
        double more = jget_double(t, "more_replies", NAN);
        htmlvars_set(h, r, "has_more", more > 0 ? "1" : "");
        htmlvars_set(h, r, "enough_now", more == 0 ? "1" : "");
    }
    htmlvars_set(h, v, "coach_tested", jget_has(report, "coach.qualifying") ? "1" : "");
    htmlvars_num(h, v, "coach_qualifying", report, "coach.qualifying");
}

/* how much agents changed what they edited (edits{}; absent before schema 2) */
static void html_vars_edits(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    htmlvars_set(h, v, "has_edits", jget_has(report, "edits.measured") ? "1" : "");
    static const struct {
        const char *name, *path;
    } nums[] = {
        { "edits_edited", "edits.edited" }, { "edits_measured", "edits.measured" },
        { "edits_median", "edits.median_share" }, { "edits_light", "edits.light" },
        { "edits_light_share", "edits.light_share" }, { "edits_light_lo", "edits.light_share_ci.0" },
        { "edits_light_hi", "edits.light_share_ci.1" }, { "edits_unmeasured", "edits.unmeasured" },
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        htmlvars_num(h, v, nums[i].name, report, nums[i].path);
    struct json_object *hab = jget(report, "edits.habits");
    for (size_t i = 0, n = jget_len(report, "edits.habits"); i < n; i++) {
        struct json_object *e = json_object_array_get_idx(hab, i);
        tmpl_vars *r = htmlvars_row(h, v, "edit_habits");
        htmlvars_set(h, r, "label", hv_text(e, "label"));
        htmlvars_num(h, r, "added", e, "added");
        htmlvars_num(h, r, "removed", e, "removed");
    }
    struct json_object *pr = jget(report, "prompts");
    for (size_t i = 0, n = jget_len(report, "prompts"); i < n; i++) {
        struct json_object *p = json_object_array_get_idx(pr, i);
        if (!jget_has(p, "edits"))
            continue;
        tmpl_vars *r = htmlvars_row(h, v, "edit_prompts");
        htmlvars_set(h, r, "prompt_id", hv_text(p, "prompt_id"));
        htmlvars_num(h, r, "measured", p, "edits.measured");
        htmlvars_num(h, r, "median", p, "edits.median_share");
        htmlvars_num(h, r, "light_share", p, "edits.light_share");
    }
}

/* cost and latency (cost{}; absent without those fields): one row per
 * costlabel row, each cell's text from costlabel */
static void html_vars_cost(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    static const char *const names[COSTLABEL__COUNT] = { "name", "replies", "median", "median_ci", "p95", "p95_ci",
                                                         "p95_change", "tokens", "cost", "per_used",
                                                         "per_used_change" };
    strbuf sb = STRBUF_INIT;
    size_t n = costlabel_count(report);
    htmlvars_set(h, v, "has_cost", n ? "1" : "");
    for (size_t i = 0; i < n; i++) {
        tmpl_vars *r = htmlvars_row(h, v, "cost_rows");
        const char *kind, *name;
        struct json_object *row = costlabel_row(report, i, &kind, &name);
        htmlvars_set(h, r, "kind", kind);
        htmlvars_set(h, r, "has_p95_change", jget_has(row, "change.latency_p95_ms") ? "1" : "");
        htmlvars_set(h, r, "has_per_used_change", jget_has(row, "change.cost_per_used_reply") ? "1" : "");
        for (int c = 0; c < COSTLABEL__COUNT; c++) {
            strbuf_reset(&sb);
            if (costlabel_cell(&sb, report, i, (costlabel_col)c) < 0)
                h->oom = 1;
            htmlvars_set(h, r, names[c], sb.buf);
        }
    }
    strbuf_reset(&sb);
    if (n && costlabel_note(&sb, report) < 0)
        h->oom = 1;
    htmlvars_set(h, v, "cost_note", sb.buf);
    strbuf_release(&sb);
}

/* name = the text of a rate's interval ("57.7–67.1%"; "" without one) */
static void html_ci_var(htmlvars *h, tmpl_vars *v, const char *name, const struct json_object *ci)
{
    strbuf sb = STRBUF_INIT;
    if (cilabel_pct(&sb, ci) < 0)
        h->oom = 1;
    htmlvars_set(h, v, name, sb.buf);
    strbuf_release(&sb);
}

/* the top used and top rejected replies (ten of each) */
static void html_vars_top(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    struct json_object *arr = jget(report, "top_accepted");
    size_t n = jget_len(report, "top_accepted");
    for (size_t i = 0; i < n && i < 10; i++) {
        struct json_object *t = json_object_array_get_idx(arr, i);
        tmpl_vars *r = htmlvars_row(h, v, "top_accepted");
        char rank[16];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        htmlvars_set(h, r, "rank", rank);
        htmlvars_set(h, r, "reply", hv_text(t, "reply"));
        htmlvars_num(h, r, "uses", t, "uses");
        htmlvars_num(h, r, "accepted", t, "accepted");
        htmlvars_num(h, r, "edited", t, "edited");
        htmlvars_num(h, r, "suggested", t, "suggested");
        htmlvars_num(h, r, "mean_confidence", t, "mean_confidence");
        double ur = jget_double(t, "use_rate", NAN);
        double us = jget_double(t, "uses", NAN), sg = jget_double(t, "suggested", NAN);
        if (isnan(ur) && sg > 0)
            ur = us / sg;
        hv_dbl(h, r, "use_rate", ur);
        html_ci_var(h, r, "use_rate_ci", jget(t, "use_rate_ci"));
    }
    char cnt[32];
    snprintf(cnt, sizeof cnt, "%zu", n < 10 ? n : 10);
    htmlvars_set(h, v, "top_accepted_count", cnt);
    arr = jget(report, "top_rejected");
    n = jget_len(report, "top_rejected");
    snprintf(cnt, sizeof cnt, "%zu", n < 10 ? n : 10);
    htmlvars_set(h, v, "top_rejected_count", cnt);
    for (size_t i = 0; i < n && i < 10; i++) {
        struct json_object *t = json_object_array_get_idx(arr, i);
        tmpl_vars *r = htmlvars_row(h, v, "top_rejected");
        char rank[16];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        htmlvars_set(h, r, "rank", rank);
        htmlvars_set(h, r, "reply", hv_text(t, "reply"));
        htmlvars_num(h, r, "rejections", t, "rejections");
        htmlvars_num(h, r, "suggested", t, "suggested");
        htmlvars_num(h, r, "mean_confidence", t, "mean_confidence");
        /* the wording agents wrote; older reports only have the normalised text */
        htmlvars_set(h, r, "top_replacement", hv_text(t, jget_str(t, "top_replacement_text", NULL)
                                                         ? "top_replacement_text" : "top_replacement"));
        htmlvars_num(h, r, "top_replacement_count", t, "top_replacement_count");
        double rr = jget_double(t, "rejection_rate", NAN);
        double rj = jget_double(t, "rejections", NAN), sg = jget_double(t, "suggested", NAN);
        if (isnan(rr) && sg > 0)
            rr = rj / sg;
        hv_dbl(h, r, "rejection_rate", rr);
        html_ci_var(h, r, "rejection_rate_ci", jget(t, "rejection_rate_ci"));
        htmlvars_num(h, r, "excess_rejections", t, "excess_rejections");
    }
    /* schema 2 lists only credible excess rejection: the page says so */
    htmlvars_set(h, v, "top_rejected_rule", jget_int(report, "schema", 1) >= 2 ? "1" : "");
    htmlvars_num(h, v, "overall_rejection", report, "rates.rejection");
}

/* One list of trending topics as rows of the loop "trends" (bars scaled
 * to maxc). Schema 1's entries have "term" and no change. */
static void html_trend_rows(htmlvars *h, tmpl_vars *v, struct json_object *arr, const char *direction, double maxc)
{
    size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        struct json_object *t = json_object_array_get_idx(arr, i);
        tmpl_vars *r = htmlvars_row(h, v, "trends");
        char bar[16];
        double c = jget_double(t, "count", 0);
        snprintf(bar, sizeof bar, "%d", maxc > 0 ? (int)lround(c / maxc * 100.0) : 0);
        htmlvars_set(h, r, "term", hv_text(t, jget_has(t, "topic") ? "topic" : "term"));
        htmlvars_set(h, r, "direction", direction);
        htmlvars_set(h, r, "change", hv_text(t, "change"));
        htmlvars_num(h, r, "count", t, "count");
        htmlvars_num(h, r, "previous_count", t, "previous_count");
        htmlvars_set(h, r, "bar", bar);
    }
}

/* the rising and falling topics with their bars, and the weeks they are
 * tested against */
static void html_vars_trends(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    strbuf s = STRBUF_INIT;
    struct json_object *tr = jget(report, "trends");
    bool old = tr && json_object_is_type(tr, json_type_array); /* schema 1 */
    struct json_object *lists[2] = { old ? tr : jget(report, "trends.rising"), old ? NULL : jget(report, "trends.falling") };
    double maxc = 0;
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; lists[l] && json_object_is_type(lists[l], json_type_array) &&
                           i < json_object_array_length(lists[l]); i++) {
            struct json_object *t = json_object_array_get_idx(lists[l], i);
            maxc = fmax(maxc, fmax(jget_double(t, "count", 0), jget_double(t, "expected", 0)));
        }
    html_trend_rows(h, v, lists[0], "rising", maxc);
    html_trend_rows(h, v, lists[1], "falling", maxc);
    struct json_object *weeks = jget(report, "trend_baseline.weeks");
    size_t nw = jget_len(report, "trend_baseline.weeks");
    strbuf_reset(&s);
    for (size_t i = 0; i < nw; i++) {
        const char *w = json_object_get_string(json_object_array_get_idx(weeks, i));
        if (strbuf_adds(&s, i ? (i + 1 == nw ? " and " : ", ") : "") < 0
            || strbuf_adds(&s, w ? w : "") < 0)
            h->oom = 1;
    }
    htmlvars_set(h, v, "trend_baseline", s.buf);
    strbuf_release(&s);
}

/* the retraining adjustments and their impact */
static void html_vars_retraining(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    struct json_object *arr = jget(report, "retraining");
    size_t n = jget_len(report, "retraining");
    for (size_t i = 0; i < n; i++) {
        struct json_object *t = json_object_array_get_idx(arr, i);
        tmpl_vars *r = htmlvars_row(h, v, "retraining");
        html_time(h, r, "ts", t, "ts");
        htmlvars_set(h, r, "prompt_id", hv_text(t, "prompt_id"));
        htmlvars_set(h, r, "from_version", hv_text(t, "from_version"));
        htmlvars_set(h, r, "to_version", hv_text(t, "to_version"));
        htmlvars_set(h, r, "theme", hv_text(t, "theme"));
        htmlvars_set(h, r, "summary", hv_text(t, "summary"));
        html_text_list(h, r, "examples_added", jget(t, "examples_added"));
        html_text_list(h, r, "examples_removed", jget(t, "examples_removed"));
        htmlvars_num(h, r, "before_acceptance", t, "impact.before.acceptance");
        htmlvars_num(h, r, "after_acceptance", t, "impact.after.acceptance");
        htmlvars_num(h, r, "before_n", t, "impact.before.suggestions");
        htmlvars_num(h, r, "after_n", t, "impact.after.suggestions");
        double d = jget_double(t, "impact.delta", NAN);
        if (isnan(d))
            d = jget_double(t, "impact.after.acceptance", NAN)
                - jget_double(t, "impact.before.acceptance", NAN);
        hv_dbl(h, r, "delta", d);
        html_ci_var(h, r, "before_ci", jget(t, "impact.before.acceptance_ci"));
        html_ci_var(h, r, "after_ci", jget(t, "impact.after.acceptance_ci"));
        strbuf ci = STRBUF_INIT;
        if (cilabel_pp(&ci, jget(t, "impact.delta_ci")) < 0)
            h->oom = 1;
        htmlvars_set(h, r, "delta_ci", ci.buf);
        strbuf_release(&ci);
        const char *verdict = cilabel_verdict(jget(t, "impact"), "verdict");
        htmlvars_set(h, r, "verdict", verdict);
        if (verdict)
            htmlvars_set(h, r, "delta_class", !strcmp(verdict, "up") ? "good" : !strcmp(verdict, "down") ? "bad" : "neutral");
        else
            htmlvars_set(h, r, "delta_class", isnan(d) ? "none" : d > 0.0005 ? "good"
                                                  : d < -0.0005 ? "bad" : "neutral");
    }
}

/* the bad lines by reason, with their texts (dqlabel.h) */
static void html_vars_quality(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    struct json_object *by = jget(report, "data_quality.bad_by_reason");
    if (by && json_object_is_type(by, json_type_object)) {
        json_object_object_foreach(by, key, val) {
            if (num_or_nan(val) > 0) {
                tmpl_vars *r = htmlvars_row(h, v, "bad_reasons");
                htmlvars_set(h, r, "reason", key);
                htmlvars_set(h, r, "label", dqlabel_reason(key));
                hv_dbl(h, r, "count", num_or_nan(val));
            }
        }
    }
    /* the files that could not be read (a run with --allow-damaged) */
    struct json_object *fe = jget(report, "data_quality.file_errors");
    size_t nfe = fe && json_object_is_type(fe, json_type_array) ? json_object_array_length(fe) : 0;
    for (size_t i = 0; i < nfe; i++) {
        struct json_object *e = json_object_array_get_idx(fe, i);
        tmpl_vars *r = htmlvars_row(h, v, "file_errors");
        htmlvars_set(h, r, "file", jget_str(e, "file", ""));
        htmlvars_set(h, r, "error", jget_str(e, "error", ""));
    }
}

/* The alerts banner: report.alerts[] (docs/figures.md, "Alerts"); none
 * in a report made before them. */
static void html_vars_alerts(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    struct json_object *arr = jget(report, "alerts");
    size_t n = jget_len(report, "alerts");
    for (size_t i = 0; i < n; i++) {
        struct json_object *a = json_object_array_get_idx(arr, i);
        tmpl_vars *r = htmlvars_row(h, v, "alerts");
        htmlvars_set(h, r, "rule", hv_text(a, "rule"));
        htmlvars_set(h, r, "message", hv_text(a, "message"));
        htmlvars_set(h, r, "figure", hv_text(a, "figures.0"));
    }
    if (n) {
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", n);
        htmlvars_set(h, v, "alert_count", buf);
        htmlvars_set(h, v, "alert_plural", n == 1 ? "" : "s");
    }
}

/* One list of the retraining plan: rows {text, reason}. */
static void html_plan_list(htmlvars *h, tmpl_vars *v, const char *loop, const struct json_object *arr)
{
    size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(arr, i);
        tmpl_vars *r = htmlvars_row(h, v, loop);
        htmlvars_set(h, r, "text", hv_text(e, "reply"));
        htmlvars_set(h, r, "reason", hv_text(e, "reason"));
    }
}

/* "What retraining would change": report.retrain_preview, the plan of
 * `retrain --dry-run` (what the Retrain Now control would do) */
static void html_vars_retrain_preview(htmlvars *h, tmpl_vars *v, struct json_object *report)
{
    struct json_object *arr = jget(report, "retrain_preview");
    size_t n = jget_len(report, "retrain_preview"), changed = 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *p = json_object_array_get_idx(arr, i);
        tmpl_vars *r = htmlvars_row(h, v, "retrain_preview");
        bool ch = json_object_get_boolean(jget(p, "changed"));
        changed += ch;
        htmlvars_set(h, r, "prompt_id", hv_text(p, "prompt_id"));
        htmlvars_set(h, r, "from_version", hv_text(p, "from_version"));
        htmlvars_set(h, r, "to_version", hv_text(p, "to_version"));
        htmlvars_set(h, r, "changed", ch ? "1" : "");
        html_plan_list(h, r, "added", jget(p, "added"));
        html_plan_list(h, r, "removed", jget(p, "removed"));
        html_plan_list(h, r, "not_added", jget(p, "not_added"));
    }
    htmlvars_set(h, v, "retrain_preview_changed", changed ? "1" : "");
}

/* downloads, the archive link and the retraining control */
static void html_vars_links(htmlvars *h, tmpl_vars *v, struct json_object *report, const aid_config *cfg)
{
    const char *week = jget_str(report, "week", "");
    strbuf s = STRBUF_INIT;
    htmlvars_set(h, v, "pdf_href", "digest.pdf");
    htmlvars_set(h, v, "xlsx_href", "digest.xlsx");
    htmlvars_set(h, v, "index_href", "../index.html");
    if (strbuf_addf(&s, "git tag retrain/%s && git push origin retrain/%s", week, week) < 0)
        h->oom = 1;
    htmlvars_set(h, v, "retrain_cmd", s.buf);
    if (cfg && cfg->retrain_url && *cfg->retrain_url) {
        if (html_url_ok(cfg->retrain_url))
            htmlvars_set(h, v, "retrain_url", cfg->retrain_url);
        else
            htmlvars_set(h, v, "retrain_url_rejected", "1");
    }
    strbuf_release(&s);
}

aid_err html_week_vars(struct json_object *report, const aid_config *cfg, tmpl_vars *v,
                       aid_errbuf *eb)
{
    htmlvars h = { 0 };
    aid_err err;
    html_vars_header(&h, v, report, cfg);
    html_vars_alerts(&h, v, report);
    html_vars_tiles(&h, v, report);
    html_vars_figures(&h, v, report);
    html_vars_narrative(&h, v, report);
    html_vars_tips(&h, v, report);
    html_vars_edits(&h, v, report);
    html_vars_cost(&h, v, report);
    html_vars_top(&h, v, report);
    html_vars_trends(&h, v, report);
    html_vars_retraining(&h, v, report);
    html_vars_quality(&h, v, report);
    html_vars_links(&h, v, report, cfg);
    html_vars_retrain_preview(&h, v, report);
    if (htmlseg_vars(report, cfg, v) < 0 || outcomehtml_vars(report, v) < 0)
        h.oom = 1;
    if ((err = html_charts(&h, report, v)))
        goto cleanup;
    if (h.oom)
        err = AID_ERR_NOMEM;
cleanup:
    if (err)
        aid_errbuf_set(eb, err, "html: out of memory preparing the page");
    return err;
}

/* The links to the archived weeks before and after (prev, next: week
 * names, "" = none; docs/html.md): nav_prev, nav_next, their hrefs and
 * has_nav. */
static void html_vars_nav(htmlvars *h, tmpl_vars *v, const char *prev, const char *next)
{
    char a[40] = "", b[40] = "";
    if (*prev)
        snprintf(a, sizeof a, "../%s/index.html", prev);
    if (*next)
        snprintf(b, sizeof b, "../%s/index.html", next);
    htmlvars_set(h, v, "nav_prev", prev);
    htmlvars_set(h, v, "nav_prev_href", a);
    htmlvars_set(h, v, "nav_next", next);
    htmlvars_set(h, v, "nav_next_href", b);
    htmlvars_set(h, v, "has_nav", *prev || *next ? "1" : "");
}

/* The weekly page with its links to the weeks before and after. */
static aid_err html_render_page(tmpl_engine *e, struct json_object *report, const aid_config *cfg,
                                const char *prev, const char *next, strbuf *out, aid_errbuf *eb)
{
    tmpl_vars *v = NULL;
    htmlvars h = { 0 };
    aid_err err;
    if (tmpl_vars_new(&v) != AID_OK)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory");
    if (!(err = html_week_vars(report, cfg, v, eb))) {
        html_vars_nav(&h, v, prev, next);
        if (h.oom)
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory preparing the page");
        else
            err = tmpl_render(e, "week.html", v, out, eb);
    }
    tmpl_vars_free(v);
    return err;
}

aid_err html_render_week(tmpl_engine *e, struct json_object *report, const aid_config *cfg,
                         strbuf *out, aid_errbuf *eb)
{
    return html_render_page(e, report, cfg, "", "", out, eb);
}

/* The week named by the report, or an error. */
static aid_err html_report_week(struct json_object *report, const char **week, aid_errbuf *eb)
{
    *week = jget_str(report, "week", NULL);
    if (!html_is_week(*week))
        return aid_errbuf_set(eb, AID_ERR_PARSE, "html: report.json has no valid week (\"%.40s\")",
                              *week ? *week : "");
    return AID_OK;
}

aid_err html_write(struct json_object *report, const char *path, const aid_config *cfg,
                   aid_errbuf *eb)
{
    strbuf page = STRBUF_INIT, dir = STRBUF_INIT;
    tmpl_engine *e = NULL;
    weeks_list ws = WEEKS_INIT;
    char prev[16], next[16];
    const char *week;
    aid_err err;
    if ((err = html_report_week(report, &week, eb)))
        goto cleanup;
    /* the archive this page belongs to (OUT, also for a staged week) and
     * its weeks before and after; an archive that cannot be listed has
     * none (the index step links them once the week is in place) */
    if (weeks_archive_of(path, &dir) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory");
        goto cleanup;
    }
    if (weeks_scan(&ws, dir.buf, false, NULL) == AID_ERR_NOMEM) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory");
        goto cleanup;
    }
    weeks_neighbours(&ws, week, prev, next);
    if ((err = html_engine_new(&e, cfg, eb)))
        goto cleanup;
    if ((err = html_render_page(e, report, cfg, prev, next, &page, eb)))
        goto cleanup;
    err = fsutil_write_atomic(path, page.buf, page.len, eb);
cleanup:
    tmpl_engine_free(e);
    weeks_release(&ws);
    strbuf_release(&dir);
    strbuf_release(&page);
    return err;
}

/* ------------------------------------------------------------------ */
/* the archive index                                                    */

/* The loop "weeks": one row per week, newest first. */
static void html_index_rows(htmlvars *h, tmpl_vars *v, const weeks_list *ws, const char *out)
{
    strbuf path = STRBUF_INIT;
    for (size_t k = ws->n; k-- > 0;) {
        const weeks_week *w = &ws->w[k];
        struct json_object *r = w->report;
        tmpl_vars *row = htmlvars_row(h, v, "weeks");
        strbuf_reset(&path);
        if (strbuf_addf(&path, "%s/index.html", w->name) < 0)
            h->oom = 1;
        htmlvars_set(h, row, "week", w->name);
        htmlvars_set(h, row, "href", path.buf);
        htmlvars_set(h, row, "broken", r ? "" : "1");
        html_period(h, row, r);
        htmlvars_num(h, row, "suggestions", r, "totals.suggestions");
        htmlvars_num(h, row, "acceptance", r, "rates.acceptance");
        htmlvars_num(h, row, "use_rate", r, "rates.use");
        htmlvars_num(h, row, "rejection_rate", r, "rates.rejection");
        htmlvars_num(h, row, "conf_mean", r, "confidence.mean");
        htmlvars_num(h, row, "ece", r, "confidence.ece");
        htmlvars_set(h, row, "has_pdf", "");
        strbuf_reset(&path);
        if (strbuf_addf(&path, "%s/%s/digest.pdf", out, w->name) < 0)
            h->oom = 1;
        htmlvars_set(h, row, "has_pdf", !h->oom && fsutil_exists(path.buf) ? "1" : "");
        strbuf_reset(&path);
        if (strbuf_addf(&path, "%s/%s/digest.xlsx", out, w->name) < 0)
            h->oom = 1;
        htmlvars_set(h, row, "has_xlsx", !h->oom && fsutil_exists(path.buf) ? "1" : "");
    }
    strbuf_release(&path);
}

/* The headline: team, title, the newest and first week, their count. */
static void html_index_headline(htmlvars *h, tmpl_vars *v, const weeks_list *ws, const aid_config *cfg)
{
    const char *team = cfg && cfg->team_name && *cfg->team_name ? cfg->team_name : "Support";
    char now[32], cnt[32];
    htmlvars_set(h, v, "team", team);
    htmlvars_set(h, v, "title", "Weekly AI Intelligence Digest \xe2\x80\x94 archive");
    htmlvars_set(h, v, "has_weeks", ws->n ? "1" : "");
    htmlvars_set(h, v, "generator", "aidigest " AIDIGEST_VERSION);
    timeutil_format_rfc3339(timeutil_now_ms(), now, sizeof now);
    htmlvars_set(h, v, "generated_at", now);
    htmlvars_set(h, v, "latest_week", ws->n ? ws->w[ws->n - 1].name : "");
    htmlvars_set(h, v, "first_week", ws->n ? ws->w[0].name : "");
    snprintf(cnt, sizeof cnt, "%zu", ws->n);
    htmlvars_set(h, v, "weeks_count", cnt);
}

/* The most calendar weeks a chart spans; an archive with longer holes is
 * charted over its archived weeks only. */
#define HTML_CHART_MAX_WEEKS 520

/* The x axis of the charts: every ISO week from the first archived week
 * to the last (a week not in the archive is a gap), each with the
 * archived week's index in ws or -1. names: 16 bytes each. Returns the
 * count, 0 when out of memory (*axis NULL) or without weeks. */
static size_t html_index_axis(const weeks_list *ws, char (**names)[16], long **at)
{
    timeutil_week a, b;
    size_t n = ws->n;
    *names = NULL;
    *at = NULL;
    if (!n)
        return 0;
    if (timeutil_parse_week(ws->w[0].name, &a) && timeutil_parse_week(ws->w[n - 1].name, &b)) {
        size_t span = 1;
        for (timeutil_week w = a; timeutil_week_start(w) < timeutil_week_start(b) && span <= HTML_CHART_MAX_WEEKS;
             w = timeutil_week_add(w, 1))
            span++;
        if (span <= HTML_CHART_MAX_WEEKS)
            n = span;
    }
    *names = calloc(n, sizeof **names);
    *at = calloc(n, sizeof **at);
    if (!*names || !*at) {
        free(*names);
        free(*at);
        *names = NULL;
        *at = NULL;
        return 0;
    }
    if (n == ws->n) {
        for (size_t i = 0; i < n; i++) {
            snprintf((*names)[i], 16, "%s", ws->w[i].name);
            (*at)[i] = (long)i;
        }
        return n;
    }
    timeutil_week w = a;
    for (size_t i = 0, k = 0; i < n; i++, w = timeutil_week_add(w, 1)) {
        timeutil_format_week(w, (*names)[i], 16);
        (*at)[i] = -1;
        if (k < ws->n && !strcmp(ws->w[k].name, (*names)[i]))
            (*at)[i] = (long)k++;
    }
    return n;
}

/* The loop "trends": per headline figure its chart over the weeks (both
 * forms) and its latest value. */
static void html_index_trends(htmlvars *h, tmpl_vars *v, const weeks_list *ws)
{
    static const svgchart_unit units[] = { [WEEKS_COUNT] = SVGCHART_COUNT, [WEEKS_RATE] = SVGCHART_PCT,
                                           [WEEKS_DEC] = SVGCHART_DEC };
    char (*names)[16] = NULL;
    long *at = NULL;
    size_t n = html_index_axis(ws, &names, &at);
    svgchart_week *pts = n ? calloc(n, sizeof *pts) : NULL;
    strbuf svg = STRBUF_INIT;
    if (ws->n && !pts) {
        h->oom = 1;
        goto cleanup;
    }
    for (size_t f = 0; f < weeks_nfigures; f++) {
        const weeks_figure *fig = &weeks_figures[f];
        tmpl_vars *row = htmlvars_row(h, v, "trends");
        char id[48];
        size_t have = 0;
        for (size_t i = 0; i < n; i++) {
            const struct json_object *r = at[i] >= 0 ? ws->w[at[i]].report : NULL;
            pts[i].week = names[i];
            pts[i].value = weeks_value(r, fig);
            weeks_interval(r, fig, &pts[i].lo, &pts[i].hi);
            have += !isnan(pts[i].value);
        }
        htmlvars_set(h, row, "key", fig->key);
        htmlvars_set(h, row, "label", fig->label);
        htmlvars_set(h, row, "has_data", have ? "1" : "");
        snprintf(id, sizeof id, "trend-%s-wide", fig->key);
        strbuf_reset(&svg);
        if (svgchart_weeks(&svg, id, fig->label, fig->unit, pts, n, units[fig->kind], SVGCHART_WIDE))
            h->oom = 1;
        htmlvars_set(h, row, "chart", svg.buf);
        snprintf(id, sizeof id, "trend-%s-narrow", fig->key);
        strbuf_reset(&svg);
        if (svgchart_weeks(&svg, id, fig->label, fig->unit, pts, n, units[fig->kind], SVGCHART_NARROW))
            h->oom = 1;
        htmlvars_set(h, row, "chart_narrow", svg.buf);
        strbuf_reset(&svg);
        const struct json_object *latest = ws->n ? ws->w[ws->n - 1].report : NULL;
        hv_dbl(h, row, "latest", weeks_value(latest, fig));
        htmlvars_set(h, row, "kind", fig->kind == WEEKS_COUNT ? "count" : fig->kind == WEEKS_RATE ? "rate" : "dec");
    }
cleanup:
    strbuf_release(&svg);
    free(pts);
    free(at);
    free(names);
}

/* Every archived week's page again with its links to the weeks before
 * and after, so that a week added, re-run or put between two others
 * leaves no page with a stale link: the page is rendered from its
 * report.json and written only when it differs from the one there. A
 * week without a page (rendered without html), whose report cannot be
 * read or names another week, or whose page does not render (a report
 * this version cannot show) is left as it is; running out of memory or
 * a failed write is an error. */
static aid_err html_index_relink(tmpl_engine *e, const weeks_list *ws, const char *out, const aid_config *cfg,
                                 aid_errbuf *eb)
{
    strbuf path = STRBUF_INIT, page = STRBUF_INIT;
    aid_err err = AID_OK;
    for (size_t i = 0; i < ws->n; i++) {
        const weeks_week *w = &ws->w[i];
        char *old = NULL;
        size_t oldlen = 0;
        aid_errbuf one = { { 0 } };
        if (!w->report || strcmp(jget_str(w->report, "week", ""), w->name))
            continue;
        strbuf_reset(&path);
        strbuf_reset(&page);
        if (strbuf_addf(&path, "%s/%s/index.html", out, w->name) < 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory");
            goto cleanup;
        }
        if (!fsutil_exists(path.buf))
            continue;
        aid_err rerr = html_render_page(e, w->report, cfg, i ? ws->w[i - 1].name : "",
                                        i + 1 < ws->n ? ws->w[i + 1].name : "", &page, &one);
        if (rerr == AID_ERR_NOMEM) {
            err = rerr;
            *eb = one;
            goto cleanup;
        }
        if (rerr)
            continue;
        rerr = fsutil_read_file(path.buf, &old, &oldlen, &one);
        if (rerr == AID_ERR_NOMEM) {
            err = rerr;
            *eb = one;
            goto cleanup;
        }
        bool same = rerr == AID_OK && oldlen == page.len && !memcmp(old, page.buf, page.len);
        free(old);
        if (!same && (err = fsutil_write_atomic(path.buf, page.buf, page.len, eb)))
            goto cleanup;
    }
cleanup:
    strbuf_release(&page);
    strbuf_release(&path);
    return err;
}

aid_err html_write_index(const char *out_dir, const aid_config *cfg, aid_errbuf *eb)
{
    const char *out = out_dir ? out_dir : "out";
    weeks_list ws = WEEKS_INIT;
    tmpl_vars *v = NULL;
    tmpl_engine *e = NULL;
    strbuf path = STRBUF_INIT, page = STRBUF_INIT;
    htmlvars h = { 0 };
    aid_err err;

    if ((err = weeks_scan(&ws, out, true, eb)))
        goto cleanup;
    if (tmpl_vars_new(&v) != AID_OK) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory");
        goto cleanup;
    }
    html_index_rows(&h, v, &ws, out);
    html_index_headline(&h, v, &ws, cfg);
    html_index_trends(&h, v, &ws);
    if (h.oom) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory");
        goto cleanup;
    }
    if ((err = html_engine_new(&e, cfg, eb)))
        goto cleanup;
    if ((err = tmpl_render(e, "index.html", v, &page, eb)))
        goto cleanup;
    if (fsutil_join(&path, out, "index.html") < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "html: out of memory");
        goto cleanup;
    }
    if ((err = fsutil_write_atomic(path.buf, page.buf, page.len, eb)))
        goto cleanup;
    err = html_index_relink(e, &ws, out, cfg, eb);
cleanup:
    tmpl_engine_free(e);
    tmpl_vars_free(v);
    strbuf_release(&page);
    strbuf_release(&path);
    weeks_release(&ws);
    return err;
}
