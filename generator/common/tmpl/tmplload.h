/*
 * tmplload.h - internal to the template engine (common/tmpl/): reading
 * template files and parsing them, with each mode's rules for names
 * (safe: relative, confined to the root, cached in the engine; compat: as
 * C Template opens them, parsed afresh by each include tag).
 */
#ifndef AID_TMPLLOAD_H
#define AID_TMPLLOAD_H

#include "common/err.h"
#include "common/tmpl/tmplengine.h"
#include "common/tmpl/tmpltree.h"

/* Safe: the template `rel` (relative to the root) into *out, from the
 * cache or loaded, parsed and cached (the engine owns it). `from`/
 * `from_line` name the including tag in messages (NULL at the top). */
AID_MUST_CHECK aid_err tmplload_safe(tmpl_engine *e, const char *rel, tmpl **out,
                                     aid_errbuf *eb, const char *from, int from_line);

/* Compat: read and parse `name` at include depth `depth` into *out (the
 * caller owns it). AID_ERR_TEMPLATE when it cannot be read (C Template's
 * message is written to the engine's errout), AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err tmplload_compat(tmpl_engine *e, const char *name, int depth, tmpl **out,
                                       aid_errbuf *eb);

/* The directory part of a template name ("" when none), malloc'ed; NULL
 * only when out of memory. */
AID_MUST_CHECK char *tmplload_dir_of(const char *name);

#endif
