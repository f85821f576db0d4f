/*
 * tmpl.h - the template engine: the language of "C Template"
 * (docs/template-language.md), parsed once, rendered many times.
 *
 * Two modes: TMPL_SAFE (HTML-escaping by default, strict errors with
 * file:line, includes confined to the template root) and TMPL_COMPAT
 * (behaves like C Template's own expander byte for byte).
 *
 *   tmpl_engine *e = tmpl_engine_new("templates", TMPL_SAFE);
 *   tmpl_engine_add_fmt(e, "pct", my_pct_fn, NULL);
 *   tmpl_vars *v = tmpl_vars_new();
 *   tmpl_vars_set(v, "title", "Weekly <digest>");
 *   tmpl_vars *row = tmpl_vars_add_row(v, "items");   (a new loop pass)
 *   tmpl_vars_set(row, "name", "x");
 *   strbuf out = STRBUF_INIT;
 *   err = tmpl_render(e, "week.html", v, &out, &eb);
 *   ... strbuf_release(&out); tmpl_vars_free(v); tmpl_engine_free(e);
 *
 * Ownership: the engine owns the parsed templates (cached by name) and the
 * format registrations; a tmpl_vars owns all its values and loop rows
 * (rows returned by tmpl_vars_add_row are freed with their parent).
 * Strings passed in are copied. Neither object is thread-safe.
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
 * Return 0, or -1 when the value cannot be formatted (a render error in
 * safe mode). */
typedef int (*tmpl_fmt_fn)(const char *value, strbuf *out, void *ctx);

/* root: the directory template names are relative to (and, in safe mode,
 * confined to). NULL on allocation failure. */
tmpl_engine *tmpl_engine_new(const char *root, tmpl_mode mode);
void tmpl_engine_free(tmpl_engine *e);
/* Register (or replace) a format function. 0 or -1 (no memory).
 * Registering drops the engine's parsed templates (they are re-read and
 * re-parsed when next rendered), so register formats before rendering.
 * Compat engines have "entity" and "url" (C Template's encoders) built in. */
int tmpl_engine_add_fmt(tmpl_engine *e, const char *name, tmpl_fmt_fn fn, void *ctx);
/* Where compat mode writes C Template's messages (default stderr; NULL
 * silences them). Safe mode never prints. */
void tmpl_engine_set_errout(tmpl_engine *e, FILE *fp);

/* Render the template file `name` (relative to the root, or absolute in
 * compat mode) with vars, appending to out. On error out is left as it was
 * (safe mode) and eb names file:line and the reason. Compat mode writes its
 * warnings to stderr, as C Template does. */
aid_err tmpl_render(tmpl_engine *e, const char *name, const tmpl_vars *vars, strbuf *out,
                    aid_errbuf *eb);

/* Render a template given as a string (`name` is used in messages and
 * for resolving relative includes against the root). */
aid_err tmpl_render_string(tmpl_engine *e, const char *name, const char *text,
                           const tmpl_vars *vars, strbuf *out, aid_errbuf *eb);

tmpl_vars *tmpl_vars_new(void);
void tmpl_vars_free(tmpl_vars *v);
/* Set a simple variable (the last value set for a name wins). 0 or -1. */
int tmpl_vars_set(tmpl_vars *v, const char *name, const char *value);
int tmpl_vars_setf(tmpl_vars *v, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Append a new, empty pass to loop `loop` (created if needed) and return
 * it for filling; owned by v. NULL on allocation failure. */
tmpl_vars *tmpl_vars_add_row(tmpl_vars *v, const char *loop);

#endif
