/*
 * tmplscan.h - internal to the template engine (common/tmpl/): the
 * scanner, which cuts template text into tokens (text with its backslash
 * rules applied, and tags) with the rules of each mode: safe (a tag is
 * anything starting <TMPL_, </TMPL_ or <!-- [/]TMPL_ and must be well
 * formed; the first error stops) or compat (C Template's prefix matching;
 * a tag that does not scan is warned about and left in the text). The
 * parser state it works on is shared with tmplparse.
 */
#ifndef AID_TMPLSCAN_H
#define AID_TMPLSCAN_H

#include "common/err.h"
#include "common/strbuf.h"
#include "common/tmpl/tmplengine.h"
#include "common/tmpl/tmplesc.h"
#include "common/tmpl/tmpltree.h"

typedef struct tmpl_tok {
    int kind;   /* K_* (K_EOF at the end) */
    int line;
    node *n;    /* TEXT and the tags that carry data; NULL for ELSE/END* */
} tmpl_tok;

typedef struct tmpl_parser {
    tmpl_engine *e;
    int compat;
    const char *file;   /* name for messages */
    const char *p, *end;
    int line;
    int loop_depth;
    int inc_depth;      /* compat */
    tmpl_tok cur;
    node *pending;      /* a tag scanned after text, returned next */
    int pending_kind, pending_line;
    int error;          /* compat: structural error; safe: stop */
    int nomem;
    strbuf warn;        /* compat messages */
    aid_errbuf *eb;
} tmpl_parser;

/* Compat: add a C Template message to P->warn (P->nomem when that fails). */
void tmplscan_warn(tmpl_parser *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Safe: record the first error as "file:line: reason" in P->eb and set
 * P->error. */
void tmplscan_fail(tmpl_parser *P, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The next token into P->cur: text up to the next tag or comment, or a tag;
 * K_EOF at the end, and in safe mode after an error or when out of memory
 * (P->error, P->nomem). The token's node is the caller's. */
void tmplscan_next(tmpl_parser *P);

#endif
