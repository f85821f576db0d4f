#include "render/pdf/pdfsegments.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/jget.h"
#include "common/numfmt.h"
#include "common/strbuf.h"
#include "render/cilabel.h"
#include "render/segview.h"

/* "48.9% (46.1–51.6%)" into f[slot]. */
static const char *rate_ci(pdfpage_ctx *c, int slot, const struct json_object *s)
{
    strbuf *b = &c->f[slot];
    strbuf_reset(b);
    CK(numfmt_pct(b, jget_double(s, "acceptance", NAN), 1));
    if (jget(s, "acceptance_ci")) {
        CK(strbuf_adds(b, " ("));
        CK(cilabel_pct(b, jget(s, "acceptance_ci")));
        CK(strbuf_adds(b, ")"));
    }
    return b->buf;
}

/* "▲ +4.1 pp 0.09" / "steady +0.3 pp 0.99" (the change, its q) / "–" into f[slot]. */
static const char *change(pdfpage_ctx *c, int slot, const struct json_object *s)
{
    strbuf *b = &c->f[slot];
    strbuf_reset(b);
    const char *v = cilabel_verdict(jget(s, "changes"), "acceptance.verdict");
    if (!v)
        return "\xe2\x80\x93";
    CK(strbuf_adds(b, !strcmp(v, "up") ? "\xe2\x96\xb2 " : !strcmp(v, "down") ? "\xe2\x96\xbc " : "steady "));
    CK(numfmt_pp(b, jget_double(s, "changes.acceptance.delta", NAN), 1));
    CK(strbuf_adds(b, " "));
    CK(numfmt_dec(b, jget_double(s, "change_q", NAN), 2));
    return b->buf;
}

/* "+11.4 pp 0.00" (the difference, its q) into f[slot]. */
static const char *vs_team(pdfpage_ctx *c, int slot, const struct json_object *s)
{
    strbuf *b = &c->f[slot];
    strbuf_reset(b);
    if (!jget_has(s, "vs_team.q"))
        return "\xe2\x80\x93";
    CK(numfmt_pp(b, jget_double(s, "vs_team.delta", NAN), 1));
    CK(strbuf_adds(b, " "));
    CK(numfmt_dec(b, jget_double(s, "vs_team.q", NAN), 2));
    return b->buf;
}

static void table(pdfpage_ctx *c, const char *dim, const char *heading)
{
    static const pdfpage_col cols[] = {
        {"SEGMENT", 0.20, 0, 80, true, false},
        {"N", 0.07, 1, 0, false, false},
        {"ACCEPTANCE (95%)", 0.19, 1, 0, false, false},
        {"CHANGE, q", 0.20, 1, 0, false, false},
        {"VS TEAM, q", 0.15, 1, 0, false, false},
        {"CONF.", 0.07, 1, 0, false, false},
        {"", 0.12, 1, 0, true, false},
    };
    char path[32];
    snprintf(path, sizeof path, "segments.%s", dim);
    struct json_object *arr = jget(c->r, path);
    size_t n = jget_len(c->r, path);
    if (!n)
        return;
    pdfpage_table t = {cols, sizeof cols / sizeof cols[0], 0, 0};
    strbuf *label = &c->f[7];
    for (size_t i = 0; i < n; i++) {
        struct json_object *s = json_object_array_get_idx(arr, i);
        strbuf_reset(label);
        CK(segview_label(label, s));
        if (jget_len(s, "versions")) {
            CK(strbuf_adds(label, " ("));
            CK(segview_versions(label, s));
            CK(strbuf_adds(label, ")"));
        }
        bool hl = json_object_get_boolean(jget(s, "highlight"));
        const char *cells[] = {label->buf,
                               pdfpage_fmt_int(c, 0, jget_double(s, "suggestions", NAN)),
                               rate_ci(c, 1, s),
                               change(c, 2, s),
                               vs_team(c, 3, s),
                               pdfpage_fmt_dec(c, 5, jget_double(s, "mean_confidence", NAN), 2),
                               hl ? "significant" : ""};
        if (i == 0)
            pdfpage_table_start(c, &t, heading, cells);
        else {
            pdfpage_table_prepare(c, &t, cells);
            pdfpage_table_row(c, &t);
        }
    }
    c->y -= 6;
}

void pdfsegments_section(pdfpage_ctx *c)
{
    if (!jget(c->r, "segments"))
        return;
    pdfpage_heading(c, "Where it happened", 60);
    strbuf *s = &c->f[6];
    strbuf_reset(s);
    CK(strbuf_adds(s, "Acceptance by segment. A row is marked significant when its change on last week or its "
                      "difference from the rest of the team survives a Benjamini-Hochberg test across the rows "
                      "of its table (q < "));
    CK(numfmt_dec(s, jget_double(c->r, "segments.fdr", NAN), 2));
    CK(strbuf_adds(s, "). Segments with fewer than "));
    CK(numfmt_int(s, jget_int(c->r, "segments.min_suggestions", 0)));
    CK(strbuf_adds(s, " suggestions this week are pooled as \"other\"."));
    pdfpage_paragraph(c, s->buf, NULL, 0);
    c->y -= 4;
    static const char *const headings[SEGVIEW_DIMS] = {"By prompt (with the versions seen)", "By channel",
                                                       "By agent"};
    bool hidden = false;
    for (size_t d = 0; d < SEGVIEW_DIMS; d++) {
        char path[32];
        snprintf(path, sizeof path, "segments.%s", segview_dims[d]);
        if (!strcmp(segview_dims[d], "agent") && !c->publish_agents) {
            hidden = jget_len(c->r, path) > 0;
            continue;
        }
        table(c, segview_dims[d], headings[d]);
    }
    if (hidden)
        pdfpage_note(c,
                     "The breakdown by agent is in the spreadsheet only: agents are people, and the PDF shows it "
                     "only when the configuration says publish_agents = true.",
                     C_MUTED, 8);
    c->y -= 4;
}
