#include "render/pdf/pdfcoach.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/jget.h"
#include "common/numfmt.h"
#include "common/strbuf.h"

/* "30.5% [28.3%, 32.8%] of 1,626" into f[slot]. */
static const char *share_ci(pdfpage_ctx *c, int slot, const struct json_object *t, const char *share,
                            const char *ci, const char *n)
{
    strbuf *s = &c->f[slot];
    char lo[48], hi[48];
    snprintf(lo, sizeof lo, "%s.0", ci);
    snprintf(hi, sizeof hi, "%s.1", ci);
    strbuf_reset(s);
    CK(numfmt_pct(s, jget_double(t, share, NAN), 1));
    CK(strbuf_adds(s, " ["));
    CK(numfmt_pct(s, jget_double(t, lo, NAN), 1));
    CK(strbuf_adds(s, ", "));
    CK(numfmt_pct(s, jget_double(t, hi, NAN), 1));
    CK(strbuf_adds(s, "] of "));
    CK(numfmt_int(s, jget_int(t, n, 0)));
    return s->buf;
}

void pdfcoach_evidence(pdfpage_ctx *c)
{
    static const pdfpage_col cols[] = {
        {"HABIT", 0.21, 0, 60, true, false},
        {"VERDICT", 0.11, 0, 0, false, false},
        {"IN REPLIES THAT WORKED", 0.24, 1, 0, false, false},
        {"IN REJECTED REPLIES", 0.24, 1, 0, false, false},
        {"Q", 0.08, 1, 0, false, false},
        {"EDITS +/\xe2\x88\x92", 0.12, 1, 0, false, false},
    };
    pdfpage_table t = {cols, 6, 0, 0};
    struct json_object *tips = jget(c->r, "coach.tips");
    size_t n = jget_len(c->r, "coach.tips");
    if (!n || !jget_has(c->r, "coach.qualifying"))
        return;
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(tips, i);
        bool q = json_object_get_boolean(jget(o, "qualifies"));
        const char *basis = jget_str(o, "basis", "");
        bool by_edits = q && !strcmp(basis, "edits"); /* its q is the sign test's */
        strbuf *e = &c->f[4];
        strbuf_reset(e);
        CK(strbuf_addf(e, "+%lld / \xe2\x88\x92%lld", (long long)jget_int(o, "edits_added", 0),
                       (long long)jget_int(o, "edits_removed", 0)));
        const char *cells[] = {jget_str(o, "label", ""),
                               q ? (by_edits ? "tip (edits)" : "tip")
                                 : "weak evidence",
                               share_ci(c, 0, o, "ai_win_share", "ai_win_share_ci", "worked_n"),
                               share_ci(c, 1, o, "rejected_share", "rejected_share_ci", "rejected_n"),
                               pdfpage_fmt_dec(c, 2, jget_double(o, by_edits ? "edits_q" : "q", NAN), 3), e->buf};
        if (i == 0)
            pdfpage_table_start(c, &t, "The evidence behind the notes", cells);
        else {
            pdfpage_table_prepare(c, &t, cells);
            pdfpage_table_row(c, &t);
        }
    }
    c->y -= 4;
    pdfpage_note(c,
                 "A habit is a tip only when its share in the replies that worked differs from the rejected "
                 "ones by 5 points or more and survives a Benjamini-Hochberg test at q = 0.05, or when agents "
                 "add it significantly more often than they remove it when they edit.",
                 (pdfpage_rgb){0.40, 0.44, 0.50}, 8);
    c->y -= 4;
}

void pdfcoach_edits(pdfpage_ctx *c)
{
    static const pdfpage_col cols[] = {
        {"HABIT AGENTS CHANGED WHEN EDITING", 0.6, 0, 60, false, false},
        {"ADDED", 0.2, 1, 0, true, false},
        {"REMOVED", 0.2, 1, 0, true, false},
    };
    if (!jget_has(c->r, "edits.measured"))
        return;
    pdfpage_heading(c, "How much agents changed what they edited", 60);
    strbuf *s = &c->f[6];
    strbuf_reset(s);
    CK(strbuf_adds(s, "Of "));
    CK(numfmt_int(s, jget_int(c->r, "edits.edited", 0)));
    CK(strbuf_adds(s, " edited suggestions, "));
    CK(numfmt_int(s, jget_int(c->r, "edits.measured", 0)));
    CK(strbuf_adds(s, " could be measured. Agents changed a median "));
    CK(numfmt_pct(s, jget_double(c->r, "edits.median_share", NAN), 1));
    CK(strbuf_adds(s, " of the AI's words; "));
    CK(numfmt_pct(s, jget_double(c->r, "edits.light_share", NAN), 1));
    CK(strbuf_adds(s, " ("));
    CK(numfmt_pct(s, jget_double(c->r, "edits.light_share_ci.0", NAN), 1));
    CK(strbuf_adds(s, "\xe2\x80\x93"));
    CK(numfmt_pct(s, jget_double(c->r, "edits.light_share_ci.1", NAN), 1));
    CK(strbuf_adds(s, ") were light edits, changing less than 20% of the words."));
    pdfpage_paragraph(c, s->buf, NULL, 0);
    c->y -= 4;
    pdfpage_table t = {cols, 3, 0, 0};
    struct json_object *h = jget(c->r, "edits.habits");
    size_t n = jget_len(c->r, "edits.habits");
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(h, i);
        const char *cells[] = {jget_str(o, "label", ""), pdfpage_fmt_int(c, 0, jget_double(o, "added", NAN)),
                               pdfpage_fmt_int(c, 1, jget_double(o, "removed", NAN))};
        if (i == 0) {
            pdfpage_table_head(c, &t);
        }
        pdfpage_table_prepare(c, &t, cells);
        pdfpage_table_row(c, &t);
    }
}
