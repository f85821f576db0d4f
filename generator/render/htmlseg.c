#include "render/htmlseg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/jget.h"
#include "render/cilabel.h"
#include "render/segview.h"

typedef struct hs {
    int oom;
} hs;

static void set(hs *h, tmpl_vars *v, const char *name, const char *value)
{
    if (!v || tmpl_vars_set(v, name, value ? value : "") < 0)
        h->oom = 1;
}

static tmpl_vars *row(hs *h, tmpl_vars *v, const char *loop)
{
    tmpl_vars *r = v ? tmpl_vars_add_row(v, loop) : NULL;
    if (!r)
        h->oom = 1;
    return r;
}

/* A number of the report as text for the fmt= functions ("null" when
 * missing). */
static void num(hs *h, tmpl_vars *v, const char *name, const struct json_object *root, const char *path)
{
    struct json_object *o = jget(root, path);
    char buf[64] = "null";
    if (o && json_object_is_type(o, json_type_int))
        snprintf(buf, sizeof buf, "%lld", (long long)json_object_get_int64(o));
    else if (o && json_object_is_type(o, json_type_double) && isfinite(json_object_get_double(o)))
        snprintf(buf, sizeof buf, "%.10g", json_object_get_double(o));
    set(h, v, name, buf);
}

typedef int (*ci_fn)(strbuf *, const struct json_object *);

static void text(hs *h, tmpl_vars *v, const char *name, ci_fn fn, const struct json_object *o)
{
    strbuf sb = STRBUF_INIT;
    if (fn(&sb, o) < 0)
        h->oom = 1;
    set(h, v, name, sb.buf);
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

static void row_vars(hs *h, tmpl_vars *r, const struct json_object *s)
{
    text(h, r, "label", label_of, s);
    text(h, r, "versions", versions_of, s);
    set(h, r, "pooled", !strcmp(jget_str(s, "kind", ""), "other") ? "1" : "");
    num(h, r, "suggestions", s, "suggestions");
    num(h, r, "acceptance", s, "acceptance");
    text(h, r, "acceptance_ci", cilabel_pct, jget(s, "acceptance_ci"));
    num(h, r, "use", s, "use");
    num(h, r, "rejection", s, "rejection");
    num(h, r, "light_edit_share", s, "light_edit_share");
    num(h, r, "mean_confidence", s, "mean_confidence");
    num(h, r, "ece", s, "ece");
    num(h, r, "change", s, "changes.acceptance.delta");
    text(h, r, "change_ci", cilabel_pp, jget(s, "changes.acceptance.delta_ci"));
    const char *verdict = cilabel_verdict(jget(s, "changes"), "acceptance.verdict");
    set(h, r, "change_verdict", verdict);
    num(h, r, "change_q", s, "change_q");
    num(h, r, "team_delta", s, "vs_team.delta");
    text(h, r, "team_ci", cilabel_pp, jget(s, "vs_team.delta_ci"));
    num(h, r, "team_q", s, "vs_team.q");
    bool ch = json_object_get_boolean(jget(s, "change_significant"));
    bool tm = json_object_get_boolean(jget(s, "vs_team.significant"));
    set(h, r, "change_significant", ch ? "1" : "");
    set(h, r, "team_significant", tm ? "1" : "");
    set(h, r, "highlight", ch || tm ? "1" : "");
}

int htmlseg_vars(const struct json_object *report, const aid_config *cfg, tmpl_vars *v)
{
    hs h = { 0 };
    if (!jget(report, "segments"))
        return 0;
    set(&h, v, "has_segments", "1");
    num(&h, v, "segments_min", report, "segments.min_suggestions");
    num(&h, v, "segments_fdr", report, "segments.fdr");
    for (size_t d = 0; d < SEGVIEW_DIMS; d++) {
        const char *dim = segview_dims[d];
        char path[32];
        snprintf(path, sizeof path, "segments.%s", dim);
        if (!segview_published(cfg, dim)) {
            if (jget_len(report, path))
                set(&h, v, "segments_agents_hidden", "1");
            continue;
        }
        tmpl_vars *t = row(&h, v, "segment_tables");
        set(&h, t, "dim", dim);
        set(&h, t, "title", segview_title(dim));
        set(&h, t, "is_prompt", !strcmp(dim, "prompt") ? "1" : "");
        struct json_object *arr = jget(report, path);
        size_t nhigh = 0;
        for (size_t i = 0, n = jget_len(report, path); i < n; i++) {
            struct json_object *s = json_object_array_get_idx(arr, i);
            tmpl_vars *r = row(&h, t, "rows");
            row_vars(&h, r, s);
            nhigh += json_object_get_boolean(jget(s, "highlight"));
        }
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", nhigh);
        set(&h, t, "highlighted", buf);
    }
    return h.oom ? -1 : 0;
}
