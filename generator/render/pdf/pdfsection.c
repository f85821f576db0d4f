#include "render/pdf/pdfsection.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/calendar.h"
#include "common/jget.h"
#include "common/numfmt.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "render/cilabel.h"
#include "render/dqlabel.h"
#include "render/pdf/pdfcoach.h"
#include "render/pdf/pdfoutcomes.h"

/* ---- title and tiles -------------------------------------------------- */

void pdfsection_make_period(pdfpage_ctx *c)
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
        pdfpage_clean(c, 0, s ? s : "", false, 64);
        CK(strbuf_adds(&c->period, c->t[0].buf));
    }
}

void pdfsection_title_block(pdfpage_ctx *c)
{
    double h = 104;
    pdfpage_rect(c, 0, PAGE_H - h, PAGE_W, h, C_NAVY);
    pdfpage_rect(c, 0, PAGE_H - h, PAGE_W, 3, C_ACCENT);
    strbuf_reset(&c->f[0]);
    CK(pdftext_upper(c->team, strlen(c->team), &c->f[0]));
    CK(strbuf_adds(&c->f[0], " TEAM \xc2\xb7 AI REPLY ASSISTANT"));
    pdfpage_text(c, MARGIN_X, PAGE_H - 34, c->bold, 8.5, C_TITLE_SUB, 0, c->f[0].buf);
    pdfpage_text(c, MARGIN_X, PAGE_H - 62, c->bold, 23, C_WHITE, 0, PDF_TITLE);
    strbuf_reset(&c->f[0]);
    CK(strbuf_addf(&c->f[0], "Week %s \xc2\xb7 %s", c->week, c->period.buf));
    pdfpage_text(c, MARGIN_X, PAGE_H - 84, c->reg, 11, C_TITLE_SUB, 0, c->f[0].buf);
    if (c->page_url.len) {
        static const char lab[] = "Open the web version \xe2\x86\x97";
        double w = pdfpage_width(c, c->bold, 9, lab), x = PAGE_W - MARGIN_X;
        pdfpage_text(c, x, PAGE_H - 84, c->bold, 9, C_WHITE, 1, lab);
        pdfpage_uri(c, c->page_url.buf, x - w - 2, PAGE_H - 88, x + 2, PAGE_H - 73);
    }
    c->y = PAGE_H - h - 22;
}

/* The sections, by their headings' titles (pdfpage_heading). */
static const char *const pdfsection_titles[] = {
    "What the AI learned this week", "Weekly summary", "Coach notes", "Top used replies",
    "Top rejected replies", "Where it happened", "Confidence", "Trending topics", "Retraining adjustments", "Data quality",
};

void pdfsection_contents(pdfpage_ctx *c)
{
    static const char lab[] = "In this digest: ", sep[] = " \xc2\xb7 ";
    double size = 8, lead = 12;
    size_t n = sizeof pdfsection_titles / sizeof *pdfsection_titles;
    c->y -= 4;
    pdfpage_need(c, 2 * lead);
    double base = pdfpage_baseline(c->y, lead, size);
    pdfpage_text(c, MARGIN_X, base, c->bold, size, C_MUTED, 0, lab);
    double x = MARGIN_X + pdfpage_width(c, c->bold, size, lab);
    double sw = pdfpage_width(c, c->reg, size, sep);
    for (size_t i = 0; i < n; i++) {
        double w = pdfpage_width(c, c->reg, size, pdfsection_titles[i]);
        if (x + w > MARGIN_X + CONTENT_W) {
            c->y -= lead;
            base = pdfpage_baseline(c->y, lead, size);
            x = MARGIN_X;
        }
        pdfpage_text(c, x, base, c->reg, size, C_ACCENT, 0, pdfsection_titles[i]);
        pdfpage_link_to(c, pdfsection_titles[i], x - 1, base - 3, x + w + 1, base + size);
        x += w;
        if (i + 1 < n) {
            pdfpage_text(c, x, base, c->reg, size, C_MUTED, 0, sep);
            x += sw;
        }
    }
    c->y -= lead;
}

typedef struct pdfsection_tile {
    const char *label;
    const char *value;
    const char *change;
    int tone;           /* 1 good, -1 bad, 0 neutral */
} pdfsection_tile;

static void pdfsection_tiles(pdfpage_ctx *c, const pdfsection_tile *tiles, size_t n)
{
    double gap = 8, h = 62;
    double w = (CONTENT_W - gap * (double)(n - 1)) / (double)n;
    pdfpage_need(c, h);
    for (size_t i = 0; i < n; i++) {
        double x = MARGIN_X + (double)i * (w + gap);
        pdfpage_rect(c, x, c->y - h, w, h, C_ZEBRA);
        pdfpage_rect(c, x, c->y - 2.5, w, 2.5, C_ACCENT);
        pdfpage_text(c, x + 8, c->y - 16, c->bold, 6.8, C_MUTED, 0, tiles[i].label);
        double size = 17;
        while (size > 8 && pdfpage_width(c, c->bold, size, tiles[i].value) > w - 16)
            size -= 1;
        pdfpage_text(c, x + 8, c->y - 38, c->bold, size, C_INK, 0, tiles[i].value);
        pdfpage_rgb col = tiles[i].tone > 0 ? C_GREEN : tiles[i].tone < 0 ? C_RED : C_MUTED;
        size = 7.6;
        while (size > 5 && pdfpage_width(c, c->reg, size, tiles[i].change) > w - 14)
            size -= 0.4;
        pdfpage_text(c, x + 8, c->y - 53, tiles[i].tone ? c->bold : c->reg, size, col, 0, tiles[i].change);
    }
    c->y -= h;
}

/* Change of a figure against last week, into f[slot]; returns the tone. */
static int pdfsection_change(pdfpage_ctx *c, int slot, double cur, double prev, int kind, int better)
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

/* Schema 2: the verdict of a change decides its tile's tone and leads
 * its text ("▲ +4.2 pp vs W46", "steady: −0.3 pp vs W46"); returns the new
 * tone (unchanged without a verdict: a schema-1 report). */
static int pdfsection_verdict(pdfpage_ctx *c, strbuf *s, const char *verdict, int tone, int better)
{
    if (!verdict)
        return tone;
    strbuf t = STRBUF_INIT;
    bool up = !strcmp(verdict, "up"), down = !strcmp(verdict, "down");
    CK(strbuf_adds(&t, up ? "\xe2\x96\xb2 " : down ? "\xe2\x96\xbc " : "steady: "));
    CK(strbuf_adds(&t, s->buf));
    strbuf_reset(s);
    CK(strbuf_adds(s, t.buf));
    strbuf_release(&t);
    if (!up && !down)
        return 0;
    return better == 0 ? 0 : up == (better > 0) ? 1 : -1;
}

/* Schema 2: the intervals of the key figures, one smaller line (nothing
 * for a schema-1 report). */
static void pdfsection_intervals(pdfpage_ctx *c)
{
    struct json_object *r = c->r;
    strbuf *s = &c->f[7];
    strbuf_reset(s);
    if (!jget(r, "rates.acceptance_ci"))
        return;
    CK(strbuf_adds(s, "95% intervals: acceptance "));
    CK(cilabel_pct(s, jget(r, "rates.acceptance_ci")));
    if (cilabel_get(jget(r, "changes.acceptance.delta_ci"), &(double){ 0 }, &(double){ 0 })) {
        CK(strbuf_adds(s, " (change "));
        CK(cilabel_pp(s, jget(r, "changes.acceptance.delta_ci")));
        CK(strbuf_adds(s, ")"));
    }
    CK(strbuf_adds(s, "; use "));
    CK(cilabel_pct(s, jget(r, "rates.use_ci")));
    if (cilabel_get(jget(r, "changes.use.delta_ci"), &(double){ 0 }, &(double){ 0 })) {
        CK(strbuf_adds(s, " (change "));
        CK(cilabel_pp(s, jget(r, "changes.use.delta_ci")));
        CK(strbuf_adds(s, ")"));
    }
    if (cilabel_get(jget(r, "confidence.delta_ci"), &(double){ 0 }, &(double){ 0 })) {
        CK(strbuf_adds(s, "; change of the mean confidence "));
        CK(cilabel_signed(s, jget(r, "confidence.delta_ci")));
    }
    CK(strbuf_adds(s, ". A change is steady when its interval contains 0."));
    c->y -= 2;
    pdfpage_note(c, s->buf, C_MUTED, 7.2);
}

void pdfsection_overview(pdfpage_ctx *c)
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
    pdfsection_tile tiles[5] = {
        {"SUGGESTIONS", pdfpage_fmt_int(c, 0, sug), NULL, pdfsection_change(c, 5, sug, p_sug, 0, 0)},
        {"ACCEPTANCE RATE", pdfpage_fmt_pct(c, 1, acc), NULL, 0},
        {"USE RATE", pdfpage_fmt_pct(c, 2, use), NULL, 0},
        {"MEAN CONFIDENCE", pdfpage_fmt_dec(c, 3, mean, 3), NULL, 0},
        {"CALIBRATION ERROR", pdfpage_fmt_dec(c, 4, ece, 3), NULL, 0},
    };
    /* f[5..7] hold changes; the tile texts are copied through t[] slots */
    strbuf_reset(&c->t[0]);
    CK(strbuf_adds(&c->t[0], c->f[5].buf));
    tiles[1].tone = pdfsection_change(c, 5, acc, p_acc, 1, 1);
    if (!isnan(acc) && !isnan(p_acc))
        tiles[1].tone = pdfsection_verdict(c, &c->f[5], cilabel_verdict(jget(r, "changes.acceptance"), "verdict"),
                                           tiles[1].tone, 1);
    strbuf_reset(&c->t[1]);
    CK(strbuf_adds(&c->t[1], c->f[5].buf));
    tiles[2].tone = pdfsection_change(c, 5, use, p_use, 1, 1);
    if (!isnan(use) && !isnan(p_use))
        tiles[2].tone = pdfsection_verdict(c, &c->f[5], cilabel_verdict(jget(r, "changes.use"), "verdict"),
                                           tiles[2].tone, 1);
    strbuf_reset(&c->t[2]);
    CK(strbuf_adds(&c->t[2], c->f[5].buf));
    tiles[3].tone = pdfsection_change(c, 5, mean, p_mean, 2, 0);
    if (!isnan(mean) && !isnan(p_mean))
        tiles[3].tone = pdfsection_verdict(c, &c->f[5], cilabel_verdict(jget(r, "confidence"), "delta_verdict"),
                                           tiles[3].tone, 0);
    strbuf_reset(&c->t[3]);
    CK(strbuf_adds(&c->t[3], c->f[5].buf));
    tiles[4].tone = pdfsection_change(c, 5, ece, p_ece, 2, -1);
    strbuf_reset(&c->t[4]);
    CK(strbuf_adds(&c->t[4], c->f[5].buf));
    for (int i = 0; i < 5; i++)
        tiles[i].change = c->t[i].buf;
    HPDF_Outline o = HPDF_CreateOutline(c->pdf, NULL, "At a glance", NULL);
    HPDF_Destination d = HPDF_Page_CreateDestination(c->page);
    HPDF_Destination_SetXYZ(d, 0, (HPDF_REAL)PAGE_H, 1);
    HPDF_Outline_SetDestination(o, d);
    pdfsection_tiles(c, tiles, 5);
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
    pdfpage_note(c, s->buf, C_MUTED, 7.6);
    pdfsection_intervals(c);
}

/* ---- narrative sections ----------------------------------------------- */

void pdfsection_self_summary(pdfpage_ctx *c)
{
    const char *s = jget_str(c->r, "narrative.self_summary", NULL);
    if (!s || !*s)
        s = "No self-summary was written this week.";
    pdfpage_heading(c, "What the AI learned this week", BODY_LEAD + 16);
    pdfpage_paragraph(c, s, &C_BOX, SELF_SUMMARY_MAX_CP);
}

void pdfsection_summary(pdfpage_ctx *c)
{
    const char *s = jget_str(c->r, "narrative.summary", NULL);
    if (!s || !*s)
        s = "No summary was written this week.";
    pdfpage_heading(c, "Weekly summary", BODY_LEAD);
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
            pdfpage_paragraph(c, para, NULL, 0);
            first = false;
        }
        *end = save;
        if (!next)
            break;
        p = next;
    }
}

void pdfsection_coach(pdfpage_ctx *c)
{
    struct json_object *notes = jget(c->r, "narrative.coach_notes");
    size_t n = jget_len(c->r, "narrative.coach_notes");
    if (n > MAX_NOTES)
        n = MAX_NOTES;
    pdfpage_heading(c, "Coach notes", BODY_LEAD * 2);
    strbuf *s = &c->f[6];
    strbuf_reset(s);
    CK(strbuf_adds(s, "AI wins (suggestions sent as is): "));
    CK(numfmt_int(s, jget_int(c->r, "coach.ai_wins", 0)));
    CK(strbuf_adds(s, " \xc2\xb7 vindicated (a human reply later corrected back towards the AI's): "));
    CK(numfmt_int(s, jget_int(c->r, "coach.vindicated", 0)));
    pdfpage_note(c, s->buf, C_MUTED, 8);
    c->y -= 4;
    if (!n)
        pdfpage_paragraph(c, "No coach notes this week.", NULL, 0);
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(notes, i);
        const char *note = json_object_is_type(o, json_type_string) ? json_object_get_string(o) : "";
        pdfpage_clean(c, 0, note, true, NOTE_MAX_CP);
        pdftext_lines *L = pdfpage_wrap_slot(c, 0, c->reg, BODY_SIZE, CONTENT_W - 14);
        pdfpage_need(c, BODY_LEAD);
        pdfpage_text(c, MARGIN_X + 3, pdfpage_baseline(c->y, BODY_LEAD, BODY_SIZE), c->bold, BODY_SIZE, C_ACCENT, 0,
                 "\xe2\x80\xa2");
        pdfpage_draw_lines(c, c->t[0].buf, L, MARGIN_X + 14, c->reg, BODY_SIZE, BODY_LEAD, C_INK, NULL);
        c->y -= 3;
    }
    pdfcoach_evidence(c);
    pdfcoach_edits(c);
    pdfoutcomes_section(c);
}

/* ---- tables of the report --------------------------------------------- */

static void pdfsection_empty(pdfpage_ctx *c, const char *heading, const char *text)
{
    pdfpage_heading(c, heading, BODY_LEAD);
    pdfpage_note(c, text, C_MUTED, BODY_SIZE);
}

void pdfsection_top_used(pdfpage_ctx *c)
{
    static const pdfpage_col cols[] = {
        {"#", 0.04, 1, 0, false, false},
        {"REPLY", 0.56, 0, CELL_MAX_CP, false, false},
        {"USED", 0.09, 1, 0, true, false},
        {"SUGGESTED", 0.12, 1, 0, false, false},
        {"USE RATE", 0.11, 1, 0, false, false},
        {"CONF.", 0.08, 1, 0, false, false},
    };
    /* schema 2: the use rate's interval in a column of its own */
    static const pdfpage_col cols2[] = {
        {"#", 0.04, 1, 0, false, false},
        {"REPLY", 0.45, 0, CELL_MAX_CP, false, false},
        {"USED", 0.08, 1, 0, true, false},
        {"SUGGESTED", 0.11, 1, 0, false, false},
        {"USE RATE", 0.09, 1, 0, false, false},
        {"95% INTERVAL", 0.15, 1, 0, false, false},
        {"CONF.", 0.08, 1, 0, false, false},
    };
    bool ci = jget(c->r, "top_accepted.0.use_rate_ci") != NULL;
    pdfpage_table t = {ci ? cols2 : cols, ci ? 7 : 6, 0, 0};
    struct json_object *rows = jget(c->r, "top_accepted");
    size_t n = jget_len(c->r, "top_accepted");
    if (!n) {
        pdfsection_empty(c, "Top used replies", "No reply was used this week.");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(rows, i);
        char num[24];
        snprintf(num, sizeof num, "%zu", i + 1);
        double uses = jget_double(o, "uses", NAN), sug = jget_double(o, "suggested", NAN);
        double rate = jget_has(o, "use_rate") ? jget_double(o, "use_rate", NAN) : pdfpage_ratio(uses, sug);
        strbuf_reset(&c->f[4]);
        CK(cilabel_pct(&c->f[4], jget(o, "use_rate_ci")));
        const char *conf = pdfpage_fmt_dec(c, 3, jget_double(o, "mean_confidence", NAN), 2);
        const char *cells[] = {num, jget_str(o, "reply", ""), pdfpage_fmt_int(c, 0, uses), pdfpage_fmt_int(c, 1, sug),
                               pdfpage_fmt_pct(c, 2, rate), ci ? c->f[4].buf : conf, conf};
        if (i == 0)
            pdfpage_table_start(c, &t, "Top used replies", cells);
        else {
            pdfpage_table_prepare(c, &t, cells);
            pdfpage_table_row(c, &t);
        }
    }
}

void pdfsection_top_rejected(pdfpage_ctx *c)
{
    static const pdfpage_col cols[] = {
        {"REPLY THE AI SUGGESTED", 0.37, 0, CELL_MAX_CP, false, false},
        {"REJECTED", 0.10, 1, 0, true, false},
        {"OF", 0.07, 1, 0, false, false},
        {"RATE", 0.08, 1, 0, false, false},
        {"CONF.", 0.07, 1, 0, false, false},
        {"WHAT AGENTS SENT INSTEAD", 0.31, 0, CELL_MAX_CP, false, false},
    };
    /* schema 2: the rate's interval in its own column (CONF. moves out) */
    static const pdfpage_col cols2[] = {
        {"REPLY THE AI SUGGESTED", 0.34, 0, CELL_MAX_CP, false, false},
        {"REJECTED", 0.09, 1, 0, true, false},
        {"OF", 0.06, 1, 0, false, false},
        {"RATE", 0.07, 1, 0, false, false},
        {"95% INTERVAL", 0.14, 1, 0, false, false},
        {"WHAT AGENTS SENT INSTEAD", 0.30, 0, CELL_MAX_CP, false, false},
    };
    bool v2 = jget_int(c->r, "schema", 1) >= 2;
    pdfpage_table t = {v2 ? cols2 : cols, 6, 0, 0};
    struct json_object *rows = jget(c->r, "top_rejected");
    size_t n = jget_len(c->r, "top_rejected");
    strbuf *rule = &c->f[7];
    strbuf_reset(rule);
    if (v2) {
        CK(strbuf_adds(rule, "Listed: replies with at least 5 suggestions whose rejection rate is credibly above "
                             "this week's "));
        CK(numfmt_pct(rule, jget_double(c->r, "rates.rejection", NAN), 1));
        CK(strbuf_adds(rule, " overall (95% lower bound above it), ranked by rejections beyond that rate."));
    }
    if (!n) {
        pdfsection_empty(c, "Top rejected replies", v2 ? rule->buf : "No reply was rejected this week.");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(rows, i);
        double rej = jget_double(o, "rejections", NAN), sug = jget_double(o, "suggested", NAN);
        double rate = jget_has(o, "rejection_rate") ? jget_double(o, "rejection_rate", NAN) : pdfpage_ratio(rej, sug);
        const char *repl = jget_str(o, "top_replacement_text", NULL); /* as written */
        if (!repl || !*repl)
            repl = jget_str(o, "top_replacement", NULL); /* reports before it had only this */
        strbuf_reset(&c->f[4]);
        CK(cilabel_pct(&c->f[4], jget(o, "rejection_rate_ci")));
        const char *cells[] = {jget_str(o, "reply", ""), pdfpage_fmt_int(c, 0, rej), pdfpage_fmt_int(c, 1, sug),
                               pdfpage_fmt_pct(c, 2, rate),
                               v2 ? c->f[4].buf : pdfpage_fmt_dec(c, 3, jget_double(o, "mean_confidence", NAN), 2),
                               repl && *repl ? repl : "\xe2\x80\x93"};
        if (i == 0)
            pdfpage_table_start(c, &t, "Top rejected replies", cells);
        else {
            pdfpage_table_prepare(c, &t, cells);
            pdfpage_table_row(c, &t);
        }
    }
    c->y -= 4;
    pdfpage_need(c, 12);
    if (v2)
        pdfpage_note(c, rule->buf, C_MUTED, 7.4);
    pdfpage_note(c, "\"What agents sent instead\" is the most frequent reply sent in place of the "
                "suggestion (replies that differ only in case, digits or spacing count as one).",
             C_MUTED, 7.4);
}

void pdfsection_trends(pdfpage_ctx *c)
{
    static const pdfpage_col cols[] = {
        {"TOPIC", 0.36, 0, 70, true, false},
        {"", 0.12, 0, 0, false, false},
        {"MESSAGES", 0.13, 1, 0, false, false},
        {"LAST WEEK", 0.13, 1, 0, false, false},
        {"CHANGE", 0.26, 1, 0, false, false},
    };
    pdfpage_table t = {cols, 5, 0, 0};
    struct json_object *tr = jget(c->r, "trends");
    bool old = tr && json_object_is_type(tr, json_type_array); /* schema 1: one list of terms */
    struct json_object *lists[2] = {old ? tr : jget(c->r, "trends.rising"), old ? NULL : jget(c->r, "trends.falling")};
    static const char *const dir[2] = {"rising", "falling"};
    size_t row = 0;
    for (int l = 0; l < 2; l++) {
        size_t n = lists[l] && json_object_is_type(lists[l], json_type_array) ? json_object_array_length(lists[l]) : 0;
        for (size_t i = 0; i < n; i++) {
            struct json_object *o = json_object_array_get_idx(lists[l], i);
            double cnt = jget_double(o, "count", NAN), prev = jget_double(o, "previous_count", NAN);
            const char *change = jget_str(o, "change", "\xe2\x80\x93");
            const char *cells[] = {jget_str(o, old ? "term" : "topic", ""), dir[l], pdfpage_fmt_int(c, 2, cnt),
                                   pdfpage_fmt_int(c, 3, prev), change};
            if (row++ == 0)
                pdfpage_table_start(c, &t, "Trending topics", cells);
            else {
                pdfpage_table_prepare(c, &t, cells);
                pdfpage_table_row(c, &t);
            }
        }
    }
    if (!row) {
        pdfsection_empty(c, "Trending topics", "No topic in customer messages rose or fell clearly this week.");
        return;
    }
    c->y -= 4;
    pdfpage_note(c, "Topics: word stems and two-word phrases of customer messages. Messages: messages of the week "
                "that contain the topic. Change: the smoothed ratio to the baseline weeks in the archive, with "
                "this week's count and the baseline's scaled to this week (x4.3 (11 from 2)); a topic is listed "
                "when the change is at least twofold and significant (G\xc2\xb2, Benjamini-Hochberg).",
             C_MUTED, 7.4);
}

/* "What retraining would change": report.retrain_preview (the plan of
 * `retrain --dry-run`, what the control below does), one row per example. */
static void pdfsection_retrain_preview(pdfpage_ctx *c)
{
    static const pdfpage_col cols[] = {
        {"PROMPT", 0.18, 0, 120, true, false},
        {"CHANGE", 0.12, 0, 40, false, false},
        {"EXAMPLE AND WHY", 0.70, 0, CELL_MAX_CP, false, false},
    };
    static const char *const lists[][2] = { { "added", "add" }, { "removed", "remove" }, { "not_added", "kept out" } };
    static const char title[] = "What retraining would change";
    pdfpage_table t = {cols, 3, 0, 0};
    struct json_object *plan = jget(c->r, "retrain_preview");
    size_t rows = 0;
    for (size_t i = 0; plan && i < json_object_array_length(plan); i++) {
        struct json_object *p = json_object_array_get_idx(plan, i);
        for (size_t l = 0; l < 3; l++) {
            struct json_object *arr = jget(p, lists[l][0]);
            for (size_t k = 0; arr && k < json_object_array_length(arr); k++) {
                struct json_object *e = json_object_array_get_idx(arr, k);
                strbuf *pr = &c->f[0], *w = &c->f[1];
                strbuf_reset(pr);
                strbuf_reset(w);
                CK(strbuf_addf(pr, "%s %s \xe2\x86\x92 %s", jget_str(p, "prompt_id", ""),
                               jget_str(p, "from_version", "(new)"), jget_str(p, "to_version", "-")));
                CK(strbuf_addf(w, "\xe2\x80\x9c%s\xe2\x80\x9d \xe2\x80\x94 %s", jget_str(e, "reply", ""),
                               jget_str(e, "reason", "")));
                const char *cells[] = {pr->buf, lists[l][1], w->buf};
                if (rows++ == 0)
                    pdfpage_table_start(c, &t, title, cells);
                else {
                    pdfpage_table_prepare(c, &t, cells);
                    pdfpage_table_row(c, &t);
                }
            }
        }
    }
    if (!rows)
        pdfsection_empty(c, title, "Retraining would change no prompt this week.");
}

/* The Retrain control: the link the HTML's "Retrain now" button has (or
 * the button on the web page), and the command that does the same, after
 * what it would change. */
static void pdfsection_retrain_control(pdfpage_ctx *c)
{
    pdfsection_retrain_preview(c);
    static const char lab[] = "Retrain now \xe2\x86\x97";
    double size = 9, lead = 14;
    c->y -= 6;
    pdfpage_need(c, 2 * lead);
    strbuf *s = &c->f[6];
    strbuf_reset(s);
    if (c->retrain_url.len) {
        double base = pdfpage_baseline(c->y, lead, size), w = pdfpage_width(c, c->bold, size, lab);
        pdfpage_text(c, MARGIN_X, base, c->bold, size, C_ACCENT, 0, lab);
        pdfpage_uri(c, c->retrain_url.buf, MARGIN_X - 1, base - 3, MARGIN_X + w + 1, base + size);
        c->y -= lead;
        CK(strbuf_adds(s, "Starts retraining from this week's accepted and rejected replies. Or request it "
                          "from a clone of the digest archive: "));
    } else {
        CK(strbuf_adds(s, "Retrain now: request retraining from a clone of the digest archive with "));
    }
    CK(strbuf_addf(s, "git tag retrain/%s && git push origin retrain/%s", c->week, c->week));
    CK(strbuf_adds(s, " (the workflow runs on the tag)."));
    pdfpage_note(c, s->buf, C_MUTED, 7.6);
}

void pdfsection_retraining(pdfpage_ctx *c)
{
    static const pdfpage_col cols[] = {
        {"PROMPT", 0.20, 0, 120, true, false},
        {"WHAT CHANGED", 0.44, 0, CELL_MAX_CP, false, false},
        {"BEFORE", 0.12, 1, 0, false, false},
        {"AFTER", 0.12, 1, 0, false, false},
        {"CHANGE", 0.12, 1, 0, true, true},
    };
    pdfpage_table t = {cols, 5, 0, 0};
    struct json_object *rows = jget(c->r, "retraining");
    size_t n = jget_len(c->r, "retraining");
    if (!n) {
        pdfsection_empty(c, "Retraining adjustments", "No prompt was adjusted this week.");
        pdfsection_retrain_control(c);
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
        if (!isnan(d))
            (void)pdfsection_verdict(c, &c->f[4], cilabel_verdict(jget(o, "impact"), "verdict"), 0, 0);
        const char *cells[] = {p->buf, w->buf, pdfpage_fmt_pct(c, 2, b), pdfpage_fmt_pct(c, 3, a), c->f[4].buf};
        if (i == 0)
            pdfpage_table_start(c, &t, "Retraining adjustments", cells);
        else {
            pdfpage_table_prepare(c, &t, cells);
            pdfpage_table_row(c, &t);
        }
    }
    c->y -= 4;
    pdfpage_note(c, jget_int(c->r, "schema", 1) >= 2
                        ? "Before / after: acceptance rate of the prompt's suggestions before and after the update. "
                          "The change is steady when its 95% interval (Newcombe) contains 0."
                        : "Before / after: acceptance rate of the prompt's suggestions before and after the update.",
             C_MUTED, 7.4);
    pdfsection_retrain_control(c);
}

/* The files a run published despite (--allow-damaged), named. */
static void pdfsection_file_errors(pdfpage_ctx *c)
{
    struct json_object *fe = jget(c->r, "data_quality.file_errors");
    size_t n = fe && json_object_is_type(fe, json_type_array) ? json_object_array_length(fe) : 0;
    if (!n)
        return;
    strbuf *s = &c->f[6];
    strbuf_reset(s);
    CK(strbuf_adds(s, "Input files that could not be read (this digest lacks what could not be read from them): "));
    for (size_t i = 0; i < n; i++)
        CK(strbuf_addf(s, "%s%s", i ? "; " : "", jget_str(json_object_array_get_idx(fe, i), "error", "")));
    CK(strbuf_addc(s, '.'));
    c->y -= 4;
    pdfpage_note(c, s->buf, C_RED, 7.6);
}

void pdfsection_data_quality(pdfpage_ctx *c)
{
    static const pdfpage_col cols[] = {
        {"MEASURE", 0.70, 0, 0, false, false},
        {"COUNT", 0.30, 1, 0, true, false},
    };
    pdfpage_table t = {cols, 2, 0, 0};
    bool first = true;
    for (size_t i = 0; i < dqlabel_nfields; i++) {
        const dqlabel_field *f = &dqlabel_fields[i];
        if (!f->pdf)
            continue;
        const char *cells[] = {f->pdf, pdfpage_fmt_int(c, 0, jget_double(c->r, f->path, NAN))};
        if (first) {
            pdfpage_table_start(c, &t, "Data quality", cells);
            first = false;
        } else {
            pdfpage_table_prepare(c, &t, cells);
            pdfpage_table_row(c, &t);
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
            pdfpage_note(c, s->buf, C_MUTED, 7.6);
        }
    }
    pdfsection_file_errors(c);
}
