/*
 * tmplparse.c - the template parser of both modes (tmplparse.h).
 */
#include "common/tmpl/tmplparse.h"

#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/tmpl/tmplscan.h"

typedef struct pctx {
    int kind;   /* the open construct: K_IF, K_UNLESS, K_LOOP, or 0 at top */
    int line;
    int after_else;
} pctx;

static node *parse_list(tmpl_parser *P, int stop, const pctx *ctx);

static void link_node(node **head, node **tail, node *n)
{
    if (!n)
        return;
    n->next = NULL;
    if (!*head)
        *head = n;
    else
        (*tail)->next = n;
    *tail = n;
}

static void parse_if(tmpl_parser *P, int stop)
{
    node *iftag = P->cur.n;
    int line = P->cur.line;
    int unless = P->cur.kind == K_UNLESS;
    int endk = unless ? K_ENDUNLESS : K_ENDIF;
    int mystop;
    pctx c = { unless ? K_UNLESS : K_IF, line, 0 };
    if (P->compat)
        mystop = stop | K_ELSE | K_ELSIF | K_ENDIF;
    else
        mystop = K_ELSE | endk | (unless ? 0 : K_ELSIF);
    iftag->t = parse_list(P, mystop, &c);
    while (P->cur.kind == K_ELSIF && !(P->error && !P->compat)) {
        iftag->f = P->cur.n;
        iftag = P->cur.n;
        iftag->t = parse_list(P, mystop, &c);
    }
    if (P->cur.kind == K_ELSE && !(P->error && !P->compat)) {
        c.after_else = 1;
        iftag->f = parse_list(P, P->compat ? (stop | K_ENDIF) : endk, &c);
    }
    if (P->error && !P->compat)
        return;
    if (P->cur.kind == endk) {
        tmplscan_next(P);
    } else if (P->compat) {
        tmplscan_warn(P, "TMPL_IF tag in file \"%s\" line %d has no /TMPL_IF tag\n", P->file, line);
        P->error = 1;
    } else {
        tmplscan_fail(P, line, "%s has no /%s", tmpltree_kind_name(c.kind), tmpltree_kind_name(c.kind));
    }
}

static void parse_loop(tmpl_parser *P, int stop)
{
    node *looptag = P->cur.n;
    int line = P->cur.line;
    pctx c = { K_LOOP, line, 0 };
    P->loop_depth++;
    looptag->t = parse_list(P, P->compat ? (stop | K_ENDLOOP) : K_ENDLOOP, &c);
    P->loop_depth--;
    if (P->error && !P->compat)
        return;
    if (P->cur.kind == K_ENDLOOP) {
        tmplscan_next(P);
    } else if (P->compat) {
        tmplscan_warn(P, "TMPL_LOOP tag in file \"%s\" line %d has no /TMPL_LOOP tag\n", P->file, line);
        P->error = 1;
    } else {
        tmplscan_fail(P, line, "TMPL_LOOP has no /TMPL_LOOP");
    }
}

static node *parse_list(tmpl_parser *P, int stop, const pctx *ctx)
{
    node *head = NULL, *tail = NULL;
    tmplscan_next(P);
    while (P->cur.kind != K_EOF) {
        int k = P->cur.kind;
        node *n = P->cur.n;
        if (P->error && !P->compat)
            break;
        if (k & (K_ELSIF | K_ELSE | K_ENDIF | K_ENDLOOP | K_ENDUNLESS)) {
            if (k & stop)
                return head;
            if (P->compat) {
                tmplscan_warn(P, "Unexpected %s tag in file \"%s\" line %d\n", tmpltree_kind_name(k), P->file,
                       P->cur.line);
                P->error = 1;
                tmplscan_next(P);
                if (k == K_ELSIF)
                    link_node(&head, &tail, n);  /* freed with the list */
                continue;
            }
            if (ctx->kind && ctx->after_else && (k == K_ELSIF || k == K_ELSE))
                tmplscan_fail(P, P->cur.line, "%s after TMPL_ELSE (%s at line %d)", tmpltree_kind_name(k),
                       tmpltree_kind_name(ctx->kind), ctx->line);
            else if (ctx->kind)
                tmplscan_fail(P, P->cur.line, "unexpected %s inside %s (line %d)", tmpltree_kind_name(k),
                       tmpltree_kind_name(ctx->kind), ctx->line);
            else
                tmplscan_fail(P, P->cur.line, "unexpected %s (no open %s)", tmpltree_kind_name(k),
                       k == K_ENDLOOP ? "TMPL_LOOP" : k == K_ENDUNLESS ? "TMPL_UNLESS" : "TMPL_IF");
            tmpltree_nodes_free(n);
            P->cur.n = NULL;
            break;
        }
        if (k == K_IF || k == K_UNLESS)
            parse_if(P, stop);
        else if (k == K_LOOP)
            parse_loop(P, stop);
        else
            tmplscan_next(P);
        link_node(&head, &tail, n);
    }
    return head;
}

aid_err tmplparse_template(tmpl_engine *e, const char *name, const char *text, size_t len,
                           int depth, tmpl **out, aid_errbuf *eb)
{
    tmpl_parser P;
    memset(&P, 0, sizeof P);
    strbuf_init(&P.warn);
    aid_err err = AID_ERR_NOMEM;
    *out = NULL;
    tmpl *t = calloc(1, sizeof *t);
    if (!t || !(t->name = strdup(name)))
        goto cleanup;
    t->depth = e->mode == TMPL_COMPAT ? depth : -1;
    P.e = e;
    P.compat = e->mode == TMPL_COMPAT;
    P.file = t->name;
    P.p = text;
    P.end = text + len;
    P.line = 1;
    P.inc_depth = depth;
    P.eb = eb;
    t->root = parse_list(&P, 0, &(pctx){ 0, 0, 0 });
    tmpltree_nodes_free(P.pending);
    if (P.cur.kind != K_EOF)
        tmpltree_nodes_free(P.cur.n);
    if (P.nomem)
        goto cleanup;
    if (P.compat) {
        t->error = P.error;
        if (!(t->warnings = strbuf_detach(&P.warn, NULL)))
            goto cleanup;
    } else if (P.error) {
        err = AID_ERR_TEMPLATE;
        goto cleanup;
    }
    *out = t;
    t = NULL;
    err = AID_OK;
cleanup:
    if (err == AID_ERR_NOMEM)
        aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory while parsing", name);
    tmpltree_free(t);
    strbuf_release(&P.warn);
    return err;
}
