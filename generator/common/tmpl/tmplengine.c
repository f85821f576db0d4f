/*
 * tmplengine.c - the engine object: template root, mode, format functions
 * and the cache of parsed templates (tmpl.h, tmplengine.h).
 */
#include "common/tmpl/tmplengine.h"

#include <stdlib.h>
#include <string.h>

#include "common/tmpl/tmplesc.h"
#include "common/tmpl/tmpltree.h"

static void cache_free_val(void *p)
{
    tmpltree_free(p);
}

aid_err tmpl_engine_new(tmpl_engine **out, const char *root, tmpl_mode mode, aid_errbuf *eb)
{
    if (!out)
        return aid_errbuf_set(eb, AID_ERR_USAGE, "tmpl_engine_new: missing argument");
    *out = NULL;
    tmpl_engine *e = calloc(1, sizeof *e);
    if (!e)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "template engine: out of memory");
    e->mode = mode;
    e->errout = stderr;
    e->root = strdup(root && *root ? root : ".");
    if (!e->root)
        goto nomem;
    if (mode == TMPL_COMPAT &&
        (tmpl_engine_add_fmt(e, "entity", tmplesc_fmt_entity, NULL) < 0 ||
         tmpl_engine_add_fmt(e, "url", tmplesc_fmt_url, NULL) < 0))
        goto nomem;
    *out = e;
    return AID_OK;
nomem:
    tmpl_engine_free(e);
    return aid_errbuf_set(eb, AID_ERR_NOMEM, "template engine: out of memory");
}

void tmpl_engine_free(tmpl_engine *e)
{
    if (!e)
        return;
    tmplmap_release(&e->cache, cache_free_val);
    for (size_t i = 0; i < e->nfmts; i++)
        free(e->fmts[i].name);
    free(e->fmts);
    free(e->root_real);
    free(e->root);
    free(e);
}

void tmpl_engine_set_errout(tmpl_engine *e, FILE *fp)
{
    if (e)
        e->errout = fp;
}

static void engine_clear_cache(tmpl_engine *e)
{
    tmplmap_release(&e->cache, cache_free_val);
}

int tmpl_engine_add_fmt(tmpl_engine *e, const char *name, tmpl_fmt_fn fn, void *ctx)
{
    if (!e || !name || !fn)
        return -1;
    /* Parsed trees hold the function they were parsed with. */
    engine_clear_cache(e);
    for (size_t i = 0; i < e->nfmts; i++) {
        if (!strcmp(e->fmts[i].name, name)) {
            e->fmts[i].fn = fn;
            e->fmts[i].ctx = ctx;
            return 0;
        }
    }
    fmtdef *nf = realloc(e->fmts, (e->nfmts + 1) * sizeof *nf);
    if (!nf)
        return -1;
    e->fmts = nf;
    char *n = strdup(name);
    if (!n)
        return -1;
    nf[e->nfmts].name = n;
    nf[e->nfmts].fn = fn;
    nf[e->nfmts].ctx = ctx;
    e->nfmts++;
    return 0;
}

const fmtdef *tmplengine_fmt(const tmpl_engine *e, const char *name)
{
    for (size_t i = 0; i < e->nfmts; i++)
        if (!strcmp(e->fmts[i].name, name))
            return &e->fmts[i];
    return NULL;
}
