/*
 * tmpl.h - the template engine's public API: the language of "C Template"
 * (docs/templates.md), parsed once, rendered many times. The other headers
 * of common/tmpl/ are the engine's own (internal).
 *
 * Two modes: TMPL_SAFE (HTML-escaping by default, strict errors with
 * file:line, includes confined to the template root) and TMPL_COMPAT
 * (behaves like C Template's own expander byte for byte).
 *
 *   tmpl_engine *e; tmpl_vars *v;
 *   if ((err = tmpl_engine_new(&e, "templates", TMPL_SAFE, &eb)) ||
 *       (err = tmpl_vars_new(&v))) ...
 *   if (tmpl_engine_add_fmt(e, "pct", my_pct_fn, NULL) < 0) ... (no memory)
 *   if (tmpl_vars_set(v, "title", "Weekly <digest>") < 0) ...
 *   tmpl_vars *row = tmpl_vars_add_row(v, "items");   (a new loop pass)
 *   if (!row || tmpl_vars_set(row, "name", "x") < 0) ...
 *   strbuf out = STRBUF_INIT;
 *   err = tmpl_render(e, "week.html", v, &out, &eb);
 *   ... strbuf_release(&out); tmpl_vars_free(v); tmpl_engine_free(e);
 *
 * Ownership: the engine owns the parsed templates (cached by name) and the
 * format registrations; a tmpl_vars owns all its values and loop rows
 * (rows returned by tmpl_vars_add_row are freed with their parent).
 * Strings passed in are copied. Neither object is thread-safe. The free
 * functions accept NULL.
 *
 * Errors: functions returning aid_err fill the optional eb; the setters
 * return -1 only when out of memory (or given a NULL object or name).
 */
#ifndef AID_TMPL_H
#define AID_TMPL_H

#include <stddef.h>
#include <stdio.h>

#include "common/err.h"
#include "common/strbuf.h"

typedef enum tmpl_mode {
    TMPL_SAFE = 0,
    TMPL_COMPAT = 1
} tmpl_mode;

typedef struct tmpl_engine tmpl_engine;
typedef struct tmpl_vars tmpl_vars;

/* A format function for fmt="name": append the formatted value to out.
 * Return 0, -1 when the value cannot be formatted (a render error in safe
 * mode), or TMPL_FMT_NOMEM when out of memory (AID_ERR_NOMEM in any mode). */
#define TMPL_FMT_NOMEM (-2)
typedef int (*tmpl_fmt_fn)(const char *value, strbuf *out, void *ctx);

/* A new engine into *out (NULL on error). root: the directory template
 * names are relative to (and, in safe mode, confined to); NULL or "" is
 * ".". AID_ERR_NOMEM, or AID_ERR_USAGE when out is NULL. */
AID_MUST_CHECK aid_err tmpl_engine_new(tmpl_engine **out, const char *root, tmpl_mode mode,
                                       aid_errbuf *eb);
void tmpl_engine_free(tmpl_engine *e);
/* Register (or replace) a format function. 0, or -1 (no memory, or a NULL
 * argument).
 * Registering drops the engine's parsed templates (they are re-read and
 * re-parsed when next rendered), so register formats before rendering.
 * Compat engines have "entity" and "url" (C Template's encoders) built in. */
AID_MUST_CHECK int tmpl_engine_add_fmt(tmpl_engine *e, const char *name, tmpl_fmt_fn fn, void *ctx);
/* Where compat mode writes C Template's messages (default stderr; NULL
 * silences them). Safe mode never prints. */
void tmpl_engine_set_errout(tmpl_engine *e, FILE *fp);

/* Render the template file `name` (relative to the root, or absolute in
 * compat mode) with vars, appending to out. On error out is left as it was
 * (safe mode) and eb names file:line and the reason. Compat mode writes its
 * warnings to stderr, as C Template does. */
AID_MUST_CHECK aid_err tmpl_render(tmpl_engine *e, const char *name, const tmpl_vars *vars, strbuf *out,
                                   aid_errbuf *eb);

/* Render a template given as a string (`name` is used in messages and
 * for resolving relative includes against the root). */
AID_MUST_CHECK aid_err tmpl_render_string(tmpl_engine *e, const char *name, const char *text,
                                          const tmpl_vars *vars, strbuf *out, aid_errbuf *eb);

/* A new, empty list of variables into *out (NULL on error).
 * AID_ERR_NOMEM, or AID_ERR_USAGE when out is NULL. */
AID_MUST_CHECK aid_err tmpl_vars_new(tmpl_vars **out);
void tmpl_vars_free(tmpl_vars *v);
/* Set a simple variable (the last value set for a name wins; a NULL value
 * is ""). 0 or -1. */
AID_MUST_CHECK int tmpl_vars_set(tmpl_vars *v, const char *name, const char *value);
AID_MUST_CHECK int tmpl_vars_setf(tmpl_vars *v, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Append a new, empty pass to loop `loop` (created if needed) and return
 * it for filling; owned by v. NULL on allocation failure. */
AID_MUST_CHECK tmpl_vars *tmpl_vars_add_row(tmpl_vars *v, const char *loop);

#endif
