/*
 * tmplvars.h - internal to the template engine (common/tmpl/): what a
 * tmpl_vars holds and how the renderer looks names up in it. The public
 * functions (tmpl_vars_new, _set, _add_row, ...) are declared in tmpl.h.
 */
#ifndef AID_TMPLVARS_H
#define AID_TMPLVARS_H

#include <stddef.h>
#include <stdint.h>

#include "common/tmpl/tmpl.h"
#include "common/tmpl/tmplmap.h"

/* The passes of one loop, in the order they were added. */
typedef struct tmpl_loop {
    tmpl_vars **rows;
    size_t n, cap;
} tmpl_loop;

struct tmpl_vars {
    tmplmap vars;   /* name -> char * value */
    tmplmap loops;  /* name -> tmpl_loop * */
    const tmpl_vars *parent;  /* the list holding the loop this row is in */
};

/* The value of `name` (h its tmplmap_hash) in v or, failing that, in the
 * lists enclosing it; NULL when unset. */
const char *tmplvars_value(const tmpl_vars *v, const char *name, uint32_t h);
/* The loop `name`, looked up the same way; NULL when there is none. */
const tmpl_loop *tmplvars_loop(const tmpl_vars *v, const char *name, uint32_t h);

#endif
