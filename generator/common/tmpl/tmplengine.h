/*
 * tmplengine.h - internal to the template engine (common/tmpl/): what a
 * tmpl_engine holds, for the scanner (format lookups), the loader (root,
 * cache) and the renderer. The public functions (tmpl_engine_new, ...) are
 * declared in tmpl.h.
 */
#ifndef AID_TMPLENGINE_H
#define AID_TMPLENGINE_H

#include <stddef.h>
#include <stdio.h>

#include "common/tmpl/tmpl.h"
#include "common/tmpl/tmplmap.h"

typedef struct fmtdef {
    char *name;
    tmpl_fmt_fn fn;
    void *ctx;
} fmtdef;

struct tmpl_engine {
    char *root;
    char *root_real;    /* realpath of root, resolved when first needed */
    tmpl_mode mode;
    fmtdef *fmts;
    size_t nfmts;
    tmplmap cache;      /* name -> tmpl * (tmpltree.h) */
    unsigned gen;       /* compat: counts top-level renders */
    FILE *errout;
};

/* The format registered as `name`, or NULL. */
const fmtdef *tmplengine_fmt(const tmpl_engine *e, const char *name);

#endif
