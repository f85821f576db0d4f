/*
 * htmlvars.h - fill the page's template variables with one sticky
 * out-of-memory flag (html.c and its sections htmlseg.c, outcomehtml.c).
 *
 *   htmlvars h = { 0 };
 *   tmpl_vars *r = htmlvars_row(&h, v, "segments");
 *   htmlvars_set(&h, r, "name", "chat");
 *   htmlvars_num(&h, r, "acceptance", row, "acceptance");
 *   if (h.oom) ... out of memory
 *
 * A failed set or row sets h->oom and the filling goes on; a NULL v (a
 * row that could not be made, already noted) is skipped. Values are
 * copied into v (tmpl_vars owns them).
 */
#ifndef AID_HTMLVARS_H
#define AID_HTMLVARS_H

#include <json-c/json.h>

#include "common/tmpl/tmpl.h"

typedef struct htmlvars {
    int oom;
} htmlvars;

/* name = value (NULL: ""). */
void htmlvars_set(htmlvars *h, tmpl_vars *v, const char *name, const char *value);
/* A new row of the loop, or NULL (h->oom set). */
tmpl_vars *htmlvars_row(htmlvars *h, tmpl_vars *v, const char *loop);
/* name = the number at path of root as text for the fmt= functions
 * ("%lld" or "%.10g"), "null" when missing, null or not finite (shown as
 * an en dash). */
void htmlvars_num(htmlvars *h, tmpl_vars *v, const char *name, const struct json_object *root, const char *path);

#endif
