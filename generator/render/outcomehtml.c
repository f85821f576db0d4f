#include "render/outcomehtml.h"

#include <stdbool.h>

#include "common/jget.h"
#include "common/strbuf.h"
#include "render/outcomelabel.h"
#include "render/htmlvars.h"

typedef struct ov {
    htmlvars h;
    strbuf sb;
} ov;

/* name = what f writes of x */
static void text(ov *o, tmpl_vars *v, const char *name, int (*f)(strbuf *, const struct json_object *),
                 const struct json_object *x)
{
    strbuf_reset(&o->sb);
    if (f(&o->sb, x) < 0)
        o->h.oom = 1;
    htmlvars_set(&o->h, v, name, o->sb.buf ? o->sb.buf : "");
}

static void count(ov *o, tmpl_vars *v, const char *name, const struct json_object *x, const char *path)
{
    if (!v || tmpl_vars_setf(v, name, "%lld", (long long)jget_int(x, path, 0)) < 0)
        o->h.oom = 1;
}

static void class_row(ov *o, tmpl_vars *r, const struct json_object *cls)
{
    htmlvars_set(&o->h, r, "class", outcomelabel_class(jget_str(cls, "class", "")));
    count(o, r, "conversations", cls, "conversations");
    count(o, r, "with_outcome", cls, "with_outcome");
    text(o, r, "csat", outcomelabel_csat_value, cls);
    text(o, r, "csat_ci", outcomelabel_csat_detail, cls);
    text(o, r, "high", outcomelabel_high_value, cls);
    text(o, r, "high_ci", outcomelabel_high_detail, cls);
    text(o, r, "resolution", outcomelabel_resolution_value, cls);
    text(o, r, "resolution_ci", outcomelabel_resolution_detail, cls);
}

int outcomehtml_vars(const struct json_object *report, tmpl_vars *v)
{
    ov o = { { 0 }, STRBUF_INIT };
    const struct json_object *oc = jget(report, "outcomes");
    if (!oc || !json_object_is_type(oc, json_type_object)) {
        htmlvars_set(&o.h, v, "has_outcomes", "");
        return o.h.oom ? -1 : 0;
    }
    htmlvars_set(&o.h, v, "has_outcomes", "1");
    text(&o, v, "outcomes_note", outcomelabel_note, oc);
    const struct json_object *arr = jget(oc, "by_class");
    for (size_t i = 0, n = jget_len(oc, "by_class"); i < n; i++) {
        const struct json_object *cls = json_object_array_get_idx(arr, i);
        tmpl_vars *r = htmlvars_row(&o.h, v, "outcome_classes");
        class_row(&o, r, cls);
        text(&o, r, "change", outcomelabel_compare, jget(cls, "changes"));
    }
    arr = jget(oc, "differences");
    for (size_t i = 0, n = jget_len(oc, "differences"); i < n; i++) {
        const struct json_object *d = json_object_array_get_idx(arr, i);
        tmpl_vars *r = htmlvars_row(&o.h, v, "outcome_diffs");
        strbuf_reset(&o.sb);
        if (strbuf_adds(&o.sb, outcomelabel_class(jget_str(d, "a", ""))) < 0 ||
            strbuf_adds(&o.sb, " \xe2\x88\x92 ") < 0 || strbuf_adds(&o.sb, outcomelabel_class(jget_str(d, "b", ""))) < 0)
            o.h.oom = 1;
        htmlvars_set(&o.h, r, "pair", o.sb.buf ? o.sb.buf : "");
        text(&o, r, "compare", outcomelabel_compare, d);
    }
    arr = jget(oc, "prompts");
    for (size_t i = 0, n = jget_len(oc, "prompts"); i < n; i++) {
        const struct json_object *p = json_object_array_get_idx(arr, i);
        const struct json_object *cl = jget(p, "by_class");
        for (size_t j = 0, m = jget_len(p, "by_class"); j < m; j++) {
            tmpl_vars *r = htmlvars_row(&o.h, v, "outcome_prompts");
            htmlvars_set(&o.h, r, "prompt_id", jget_str(p, "prompt_id", ""));
            class_row(&o, r, json_object_array_get_idx(cl, j));
        }
    }
    strbuf_release(&o.sb);
    return o.h.oom ? -1 : 0;
}
