/*
 * tmplparse.h - internal to the template engine (common/tmpl/): the parser,
 * which builds a template's tree (tmpltree.h) from the scanner's tokens
 * (tmplscan.h), checking that IF/UNLESS/LOOP are closed.
 */
#ifndef AID_TMPLPARSE_H
#define AID_TMPLPARSE_H

#include <stddef.h>

#include "common/err.h"
#include "common/tmpl/tmplengine.h"
#include "common/tmpl/tmpltree.h"

/* Parse text[0..len) into a new template *out named `name` (for messages;
 * `depth` is the compat include depth it is parsed at).
 * Safe: AID_ERR_TEMPLATE on a syntax error, eb naming file:line.
 * Compat: AID_OK with a template whose error flag and warnings tell what
 * C Template would do. AID_ERR_NOMEM in both. *out is NULL on error. */
AID_MUST_CHECK aid_err tmplparse_template(tmpl_engine *e, const char *name, const char *text,
                                          size_t len, int depth, tmpl **out, aid_errbuf *eb);

#endif
