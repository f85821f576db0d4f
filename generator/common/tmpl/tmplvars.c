/*
 * tmplvars.c - template variables: simple values and loops of rows, each
 * row a tmpl_vars whose lookups fall back to its parent (tmpl.h,
 * tmplvars.h).
 */
#include "common/tmpl/tmplvars.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

aid_err tmpl_vars_new(tmpl_vars **out)
{
    if (!out)
        return AID_ERR_USAGE;
    *out = calloc(1, sizeof(tmpl_vars));
    return *out ? AID_OK : AID_ERR_NOMEM;
}

static void loop_free(void *p)
{
    tmpl_loop *l = p;
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        tmpl_vars_free(l->rows[i]);
    free(l->rows);
    free(l);
}

void tmpl_vars_free(tmpl_vars *v)
{
    if (!v)
        return;
    tmplmap_release(&v->vars, free);
    tmplmap_release(&v->loops, loop_free);
    free(v);
}

int tmpl_vars_set(tmpl_vars *v, const char *name, const char *value)
{
    if (!v || !name)
        return -1;
    char *copy = strdup(value ? value : "");
    if (!copy)
        return -1;
    tmplmap_ent *e = tmplmap_slot(&v->vars, name, tmplmap_hash(name));
    if (!e) {
        free(copy);
        return -1;
    }
    free(e->val);
    e->val = copy;
    return 0;
}

int tmpl_vars_setf(tmpl_vars *v, const char *name, const char *fmt, ...)
{
    strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int rc = strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    if (rc == 0)
        rc = tmpl_vars_set(v, name, sb.buf);
    strbuf_release(&sb);
    return rc;
}

tmpl_vars *tmpl_vars_add_row(tmpl_vars *v, const char *loop)
{
    if (!v || !loop)
        return NULL;
    tmplmap_ent *e = tmplmap_slot(&v->loops, loop, tmplmap_hash(loop));
    if (!e)
        return NULL;
    if (!e->val && !(e->val = calloc(1, sizeof(tmpl_loop))))
        return NULL;
    tmpl_loop *l = e->val;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 4;
        tmpl_vars **nr = realloc(l->rows, ncap * sizeof *nr);
        if (!nr)
            return NULL;
        l->rows = nr;
        l->cap = ncap;
    }
    tmpl_vars *row;
    if (tmpl_vars_new(&row) != AID_OK)
        return NULL;
    row->parent = v;
    l->rows[l->n++] = row;
    return row;
}

const char *tmplvars_value(const tmpl_vars *v, const char *name, uint32_t h)
{
    for (; v; v = v->parent) {
        tmplmap_ent *e = tmplmap_find(&v->vars, name, h);
        if (e)
            return e->val;
    }
    return NULL;
}

const tmpl_loop *tmplvars_loop(const tmpl_vars *v, const char *name, uint32_t h)
{
    for (; v; v = v->parent) {
        tmplmap_ent *e = tmplmap_find(&v->loops, name, h);
        if (e)
            return e->val;
    }
    return NULL;
}
