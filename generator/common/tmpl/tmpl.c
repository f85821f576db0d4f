/*
 * tmpl.c - rendering, and the engine's entry points tmpl_render and
 * tmpl_render_string (docs/templates.md). The engine's modules:
 *
 *   tmplmap     the string-keyed hash map the others use
 *   tmplvars    tmpl_vars: values and loop rows
 *   tmplesc     escape= and C Template's fmt="entity"/"url"
 *   tmplengine  tmpl_engine: root, mode, formats, cache
 *   tmpltree    the parsed tree (nodes) and freeing it
 *   tmplscan    the scanners of both modes (tags, comments, text)
 *   tmplparse   the parser (tokens -> tree)
 *   tmplload    reading template files, safe-mode confinement
 *   tmpl        this file: walking the tree into a strbuf
 *
 * Safe mode: the first error stops the parse or the render and is reported
 * as "file:line: reason"; parsed templates are cached by name in the engine
 * and shared by every include of them.
 *
 * Compat mode follows C Template 1.0 (libctemplate by Stephen C. Losen):
 * tag names are matched as prefixes in its order, a tag that does not scan
 * is warned about and left in the text, structural errors set an error
 * flag that suppresses all output, and each TMPL_INCLUDE tag owns the parse
 * of its file (parsed when first reached, at its own include depth, so the
 * depth limit turns the 31st nested include into text as C Template does).
 * Parse warnings are kept with the parsed tree and written out again on
 * every render, so a cached template prints what C Template would print
 * when it parses the file afresh for each call.
 */
#include "common/tmpl/tmpl.h"
#include "common/escape.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/tmpl/tmplengine.h"
#include "common/tmpl/tmplesc.h"
#include "common/tmpl/tmplload.h"
#include "common/tmpl/tmplparse.h"
#include "common/tmpl/tmpltree.h"
#include "common/tmpl/tmplvars.h"

typedef struct frame {
    size_t i, n;
} frame;

typedef struct rctx {
    tmpl_engine *e;
    strbuf *out;
    aid_errbuf *eb;
    aid_err err;
    int brk, cont;
    int depth;          /* safe: include depth */
    frame *frames;
    size_t nframes, capframes;
    strbuf tmp;
    char num[32];
} rctx;

static int r_fail(rctx *R, aid_err err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int r_fail(rctx *R, aid_err err, const char *fmt, ...)
{
    if (R->eb) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(R->eb->msg, sizeof R->eb->msg, fmt, ap);
        va_end(ap);
        esc_inplace(R->eb->msg, sizeof R->eb->msg);
    }
    R->err = err;
    return -1;
}

static int r_nomem(rctx *R)
{
    return r_fail(R, AID_ERR_NOMEM, "out of memory while rendering");
}

static const char *lookup_special(rctx *R, int sp)
{
    if (sp == SP_NONE || !R->nframes || R->e->mode == TMPL_COMPAT)
        return NULL;
    const frame *f = &R->frames[R->nframes - 1];
    int v = 0;
    switch (sp) {
    case SP_FIRST: v = f->i == 0; break;
    case SP_LAST: v = f->i + 1 == f->n; break;
    case SP_ODD: v = (f->i + 1) % 2 == 1; break;
    case SP_INNER: v = f->i != 0 && f->i + 1 != f->n; break;
    case SP_COUNTER:
        snprintf(R->num, sizeof R->num, "%zu", f->i + 1);
        return R->num;
    }
    return v ? "1" : "";
}

static const char *lookup(rctx *R, const node *n, const tmpl_vars *v)
{
    const char *s = lookup_special(R, n->special);
    return s ? s : tmplvars_value(v, n->name, n->hash);
}

static int is_true(rctx *R, const node *n, const tmpl_vars *v)
{
    const char *test = n->kind == K_UNLESS ? NULL : n->value;
    const char *value = lookup(R, n, v);
    const tmpl_loop *loop = NULL;
    if (!value)
        loop = tmplvars_loop(v, n->name, n->hash);
    return (!test && value && *value) || (!test && loop) ||
           (test && !*test && !loop && (!value || !*value)) ||
           (test && value && !strcmp(value, test));
}

static int render_list(rctx *R, tmpl *t, node *n, const tmpl_vars *v);

static int render_var(rctx *R, tmpl *t, const node *n, const tmpl_vars *v)
{
    const char *value = lookup(R, n, v);
    if (!value && !(value = n->value))
        return 0;
    int esc = n->escape;
    if (!n->fmt)
        return tmplesc_to(R->out, esc, value, strlen(value)) < 0 ? r_nomem(R) : 0;
    if (esc == ESC_NONE || esc == ESC_DEFAULT) {
        size_t before = R->out->len;
        int rc = n->fmt(value, R->out, n->fmtctx);
        if (rc == TMPL_FMT_NOMEM)
            return r_nomem(R);
        if (rc < 0 && R->e->mode == TMPL_SAFE) {
            strbuf_setlen(R->out, before);
            return r_fail(R, AID_ERR_TEMPLATE, "%s:%d: fmt \"%s\" cannot format \"%.80s\"",
                          t->name, n->line, n->fmtname, value);
        }
        return 0;
    }
    strbuf_reset(&R->tmp);
    int rc = n->fmt(value, &R->tmp, n->fmtctx);
    if (rc == TMPL_FMT_NOMEM)
        return r_nomem(R);
    if (rc < 0)
        return r_fail(R, AID_ERR_TEMPLATE, "%s:%d: fmt \"%s\" cannot format \"%.80s\"", t->name,
                      n->line, n->fmtname, value);
    return tmplesc_to(R->out, esc, R->tmp.buf, R->tmp.len) < 0 ? r_nomem(R) : 0;
}

static int render_loop(rctx *R, tmpl *t, node *n, const tmpl_vars *v)
{
    const tmpl_loop *loop = tmplvars_loop(v, n->name, n->hash);
    if (!loop)
        return 0;
    if (R->nframes == R->capframes) {
        size_t nc = R->capframes ? R->capframes * 2 : 8;
        frame *nf = realloc(R->frames, nc * sizeof *nf);
        if (!nf)
            return r_nomem(R);
        R->frames = nf;
        R->capframes = nc;
    }
    size_t fi = R->nframes++;
    int rc = 0;
    for (size_t i = 0; i < loop->n; i++) {
        R->frames[fi].i = i;
        R->frames[fi].n = loop->n;
        if ((rc = render_list(R, t, n->t, loop->rows[i])) < 0)
            break;
        if (R->brk) {
            R->brk--;
            break;
        }
        if (R->cont && --R->cont > 0)
            break;
    }
    R->nframes--;
    return rc;
}

/* Safe: the name an include tag gives, relative to the root (".../" is the
 * including file's directory), into name. 0, or -1 when out of memory. */
static int include_name_safe(const tmpl *t, const node *n, strbuf *name)
{
    if (strncmp(n->name, ".../", 4) != 0)
        return strbuf_adds(name, n->name);
    if (!*t->dir)
        return strbuf_adds(name, n->name + 4);
    return fsutil_join(name, t->dir, n->name + 4);
}

/* Compat: the name as C Template opens it (".../" is the directory of the
 * including file, "" when none). 0, or -1 when out of memory. */
static int include_name_compat(const tmpl *t, const node *n, strbuf *name)
{
    if (strncmp(n->name, ".../", 4) != 0)
        return strbuf_adds(name, n->name);
    const char *sl = strrchr(t->name, '/');
    if (sl && strbuf_add(name, t->name, (size_t)(sl - t->name + 1)) < 0)
        return -1;
    return strbuf_adds(name, n->name + 4);
}

/* The template of an include tag, loaded when first reached: safe from
 * the engine's cache, compat parsed for this tag (which owns it). */
static int include_load(rctx *R, tmpl *t, node *n)
{
    tmpl_engine *e = R->e;
    strbuf name = STRBUF_INIT;
    aid_err err;
    int r = e->mode == TMPL_SAFE ? include_name_safe(t, n, &name)
                                 : include_name_compat(t, n, &name);
    if (r < 0) {
        strbuf_release(&name);
        return r_nomem(R);
    }
    if (e->mode == TMPL_SAFE)
        err = tmplload_safe(e, name.buf, &n->child, R->eb, t->name, n->line);
    else
        err = tmplload_compat(e, name.buf, t->depth + 1, &n->child, R->eb);
    strbuf_release(&name);
    if (err) {
        R->err = err;
        return -1;
    }
    n->gen = e->gen - 1;
    return 0;
}

static int render_include(rctx *R, tmpl *t, node *n, const tmpl_vars *v)
{
    tmpl_engine *e = R->e;
    if (e->mode == TMPL_SAFE && R->depth >= TMPL_MAX_INCLUDE_DEPTH)
        return r_fail(R, AID_ERR_TEMPLATE,
                      "%s:%d: include depth limit %d exceeded (include cycle?)", t->name,
                      n->line, TMPL_MAX_INCLUDE_DEPTH);
    if (!n->child && include_load(R, t, n) < 0)
        return -1;
    if (e->mode == TMPL_SAFE) {
        R->depth++;
        int rc = render_list(R, n->child, n->child->root, v);
        R->depth--;
        return rc;
    }
    if (n->gen != e->gen) {
        n->gen = e->gen;
        if (e->errout && *n->child->warnings)
            fputs(n->child->warnings, e->errout);
    }
    if (n->child->error) {
        const char *w = n->child->warnings;
        size_t l = strcspn(w, "\n");
        return r_fail(R, AID_ERR_TEMPLATE, "%.*s", (int)(l > 900 ? 900 : l), w);
    }
    return render_list(R, n->child, n->child->root, v);
}

static int render_list(rctx *R, tmpl *t, node *n, const tmpl_vars *v)
{
    for (; n; n = n->next) {
        if (R->brk || R->cont)
            return 0;
        switch (n->kind) {
        case K_TEXT:
            if (strbuf_add(R->out, n->name, n->len) < 0)
                return r_nomem(R);
            break;
        case K_VAR:
            if (render_var(R, t, n, v) < 0)
                return -1;
            break;
        case K_IF:
        case K_ELSIF:
        case K_UNLESS: {
            int tr = is_true(R, n, v);
            if (n->kind == K_UNLESS)
                tr = !tr;
            if (render_list(R, t, tr ? n->t : n->f, v) < 0)
                return -1;
            break;
        }
        case K_LOOP:
            if (render_loop(R, t, n, v) < 0)
                return -1;
            break;
        case K_BREAK:
            R->brk = n->level;
            return 0;
        case K_CONT:
            R->cont = n->level;
            return 0;
        case K_INCLUDE:
            if (render_include(R, t, n, v) < 0)
                return -1;
            break;
        }
    }
    return 0;
}

static aid_err render_tree(tmpl_engine *e, tmpl *t, const tmpl_vars *vars, strbuf *out,
                           aid_errbuf *eb)
{
    static const tmpl_vars empty;
    rctx R;
    memset(&R, 0, sizeof R);
    R.e = e;
    R.out = out;
    R.eb = eb;
    strbuf_init(&R.tmp);
    size_t before = out->len;
    int rc = render_list(&R, t, t->root, vars ? vars : &empty);
    free(R.frames);
    strbuf_release(&R.tmp);
    if (rc < 0) {
        if (e->mode == TMPL_SAFE)
            strbuf_setlen(out, before);
        return R.err ? R.err : AID_ERR_TEMPLATE;
    }
    return AID_OK;
}

/* Compat: C Template prints the parse messages of the top template on
 * every call; a structural error means no output at all. */
static aid_err render_compat_top(tmpl_engine *e, tmpl *t, const tmpl_vars *vars, strbuf *out,
                                 aid_errbuf *eb)
{
    e->gen++;
    if (e->errout && *t->warnings) {
        fputs(t->warnings, e->errout);
        fflush(e->errout);
    }
    if (t->error) {
        size_t l = strcspn(t->warnings, "\n");
        return aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%.*s", (int)(l > 900 ? 900 : l),
                              t->warnings);
    }
    aid_err err = render_tree(e, t, vars, out, eb);
    if (e->errout)
        fflush(e->errout);
    return err;
}

aid_err tmpl_render(tmpl_engine *e, const char *name, const tmpl_vars *vars, strbuf *out,
                    aid_errbuf *eb)
{
    if (!e || !name || !out)
        return aid_errbuf_set(eb, AID_ERR_USAGE, "tmpl_render: missing argument");
    if (e->mode == TMPL_SAFE) {
        tmpl *t;
        aid_err err = tmplload_safe(e, name, &t, eb, NULL, 0);
        if (err)
            return err;
        return render_tree(e, t, vars, out, eb);
    }
    uint32_t h = tmplmap_hash(name);
    tmplmap_ent *ce = tmplmap_find(&e->cache, name, h);
    tmpl *t = ce ? ce->val : NULL;
    if (!t) {
        aid_err err = tmplload_compat(e, name, 0, &t, eb);
        if (err)
            return err;
        if (!(ce = tmplmap_slot(&e->cache, name, h))) {
            tmpltree_free(t);
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
        ce->val = t;
    }
    return render_compat_top(e, t, vars, out, eb);
}

aid_err tmpl_render_string(tmpl_engine *e, const char *name, const char *text,
                           const tmpl_vars *vars, strbuf *out, aid_errbuf *eb)
{
    if (!e || !text || !out)
        return aid_errbuf_set(eb, AID_ERR_USAGE, "tmpl_render_string: missing argument");
    if (!name)
        name = "(none)";
    tmpl *t;
    aid_err err = tmplparse_template(e, name, text, strlen(text), 0, &t, eb);
    if (err)
        return err;
    if (e->mode == TMPL_SAFE) {
        if (!(t->dir = tmplload_dir_of(name))) {
            tmpltree_free(t);
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
        err = render_tree(e, t, vars, out, eb);
    } else {
        err = render_compat_top(e, t, vars, out, eb);
    }
    tmpltree_free(t);
    return err;
}
