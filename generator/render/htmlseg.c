#include "render/htmlseg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/jget.h"
#include "render/cilabel.h"
#include "render/htmlvars.h"
#include "render/segview.h"

typedef int (*ci_fn)(strbuf *, const struct json_object *);

static void text(htmlvars *h, tmpl_vars *v, const char *name, ci_fn fn, const struct json_object *o)
{
    strbuf sb = STRBUF_INIT;
    if (fn(&sb, o) < 0)
        h->oom = 1;
    htmlvars_set(h, v, name, sb.buf);
    strbuf_release(&sb);
}

static int label_of(strbuf *sb, const struct json_object *r)
{
    return segview_label(sb, r);
}

static int versions_of(strbuf *sb, const struct json_object *r)
{
    return segview_versions(sb, r);
}

static void row_vars(htmlvars *h, tmpl_vars *r, const struct json_object *s)
{
    text(h, r, "label", label_of, s);
    text(h, r, "versions", versions_of, s);
    htmlvars_set(h, r, "pooled", !strcmp(jget_str(s, "kind", ""), "other") ? "1" : "");
    htmlvars_num(h, r, "suggestions", s, "suggestions");
    htmlvars_num(h, r, "acceptance", s, "acceptance");
    text(h, r, "acceptance_ci", cilabel_pct, jget(s, "acceptance_ci"));
    htmlvars_num(h, r, "use", s, "use");
    htmlvars_num(h, r, "rejection", s, "rejection");
    htmlvars_num(h, r, "light_edit_share", s, "light_edit_share");
    htmlvars_num(h, r, "mean_confidence", s, "mean_confidence");
    htmlvars_num(h, r, "ece", s, "ece");
    htmlvars_num(h, r, "change", s, "changes.acceptance.delta");
    text(h, r, "change_ci", cilabel_pp, jget(s, "changes.acceptance.delta_ci"));
    const char *verdict = cilabel_verdict(jget(s, "changes"), "acceptance.verdict");
    htmlvars_set(h, r, "change_verdict", verdict);
    htmlvars_num(h, r, "change_q", s, "change_q");
    htmlvars_num(h, r, "team_delta", s, "vs_team.delta");
    text(h, r, "team_ci", cilabel_pp, jget(s, "vs_team.delta_ci"));
    htmlvars_num(h, r, "team_q", s, "vs_team.q");
    bool ch = json_object_get_boolean(jget(s, "change_significant"));
    bool tm = json_object_get_boolean(jget(s, "vs_team.significant"));
    htmlvars_set(h, r, "change_significant", ch ? "1" : "");
    htmlvars_set(h, r, "team_significant", tm ? "1" : "");
    htmlvars_set(h, r, "highlight", ch || tm ? "1" : "");
}

int htmlseg_vars(const struct json_object *report, const aid_config *cfg, tmpl_vars *v)
{
    htmlvars h = { 0 };
    if (!jget(report, "segments"))
        return 0;
    htmlvars_set(&h, v, "has_segments", "1");
    htmlvars_num(&h, v, "segments_min", report, "segments.min_suggestions");
    htmlvars_num(&h, v, "segments_fdr", report, "segments.fdr");
    for (size_t d = 0; d < SEGVIEW_DIMS; d++) {
        const char *dim = segview_dims[d];
        char path[32];
        snprintf(path, sizeof path, "segments.%s", dim);
        if (!segview_published(cfg, dim)) {
            if (jget_len(report, path))
                htmlvars_set(&h, v, "segments_agents_hidden", "1");
            continue;
        }
        tmpl_vars *t = htmlvars_row(&h, v, "segment_tables");
        htmlvars_set(&h, t, "dim", dim);
        htmlvars_set(&h, t, "title", segview_title(dim));
        htmlvars_set(&h, t, "is_prompt", !strcmp(dim, "prompt") ? "1" : "");
        struct json_object *arr = jget(report, path);
        size_t nhigh = 0;
        for (size_t i = 0, n = jget_len(report, path); i < n; i++) {
            struct json_object *s = json_object_array_get_idx(arr, i);
            tmpl_vars *r = htmlvars_row(&h, t, "rows");
            row_vars(&h, r, s);
            nhigh += json_object_get_boolean(jget(s, "highlight"));
        }
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", nhigh);
        htmlvars_set(&h, t, "highlighted", buf);
    }
    return h.oom ? -1 : 0;
}
