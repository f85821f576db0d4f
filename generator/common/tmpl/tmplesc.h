/*
 * tmplesc.h - internal to the template engine (common/tmpl/): the escapers
 * of safe mode's escape= attribute and C Template's two encoders, compat
 * mode's built-in fmt="entity" and fmt="url".
 */
#ifndef AID_TMPLESC_H
#define AID_TMPLESC_H

#include <stddef.h>

#include "common/err.h"
#include "common/strbuf.h"

/* escape= values; ESC_DEFAULT (compat mode) and ESC_NONE copy the text. */
enum { ESC_DEFAULT, ESC_HTML, ESC_URL, ESC_JS, ESC_JSON, ESC_NONE };

/* Append s[0..n) to out escaped as esc. 0, or -1 when out of memory. */
AID_MUST_CHECK int tmplesc_to(strbuf *out, int esc, const char *s, size_t n);

/* C Template's TMPL_encode_entity and TMPL_encode_url as tmpl_fmt_fn
 * functions (ctx unused). 0, or TMPL_FMT_NOMEM when out of memory. */
AID_MUST_CHECK int tmplesc_fmt_entity(const char *value, strbuf *out, void *ctx);
AID_MUST_CHECK int tmplesc_fmt_url(const char *value, strbuf *out, void *ctx);

#endif
