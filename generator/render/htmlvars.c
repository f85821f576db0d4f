/* htmlvars.c - see htmlvars.h. */
#include "render/htmlvars.h"

#include <math.h>
#include <stdio.h>

#include "common/jget.h"

void htmlvars_set(htmlvars *h, tmpl_vars *v, const char *name, const char *value)
{
    if (v && tmpl_vars_set(v, name, value ? value : "") < 0)
        h->oom = 1;
}

tmpl_vars *htmlvars_row(htmlvars *h, tmpl_vars *v, const char *loop)
{
    tmpl_vars *r = v ? tmpl_vars_add_row(v, loop) : NULL;
    if (!r)
        h->oom = 1;
    return r;
}

void htmlvars_num(htmlvars *h, tmpl_vars *v, const char *name, const struct json_object *root, const char *path)
{
    struct json_object *o = jget(root, path);
    char buf[64] = "null";
    if (o && json_object_is_type(o, json_type_int))
        snprintf(buf, sizeof buf, "%lld", (long long)json_object_get_int64(o));
    else if (o && json_object_is_type(o, json_type_double) && isfinite(json_object_get_double(o)))
        snprintf(buf, sizeof buf, "%.10g", json_object_get_double(o));
    htmlvars_set(h, v, name, buf);
}
