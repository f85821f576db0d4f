/*
 * tmpltree.c - freeing parsed templates, and the names of node kinds
 * (tmpltree.h).
 */
#include "common/tmpl/tmpltree.h"

#include <stdlib.h>

void tmpltree_nodes_free(node *n)
{
    while (n) {
        node *next = n->next;
        free(n->name);
        free(n->value);
        free(n->fmtname);
        tmpltree_nodes_free(n->t);
        tmpltree_nodes_free(n->f);
        free(n);
        n = next;
    }
}

/* Compat includes own their child; safe ones borrow. tmpltree_nodes_free cannot
 * tell which, so the owner frees children first. */
static void free_owned_children(node *n)
{
    for (; n; n = n->next) {
        if (n->kind == K_INCLUDE && n->child) {
            tmpltree_free(n->child);
            n->child = NULL;
        }
        free_owned_children(n->t);
        free_owned_children(n->f);
    }
}

void tmpltree_free(tmpl *t)
{
    if (!t)
        return;
    if (t->depth >= 0)  /* compat templates mark themselves with depth >= 0 */
        free_owned_children(t->root);
    tmpltree_nodes_free(t->root);
    free(t->warnings);
    free(t->dir);
    free(t->name);
    free(t);
}

const char *tmpltree_kind_name(int k)
{
    switch (k) {
    case K_VAR: return "TMPL_VAR";
    case K_IF: return "TMPL_IF";
    case K_ELSIF: return "TMPL_ELSIF";
    case K_ELSE: return "TMPL_ELSE";
    case K_ENDIF: return "/TMPL_IF";
    case K_INCLUDE: return "TMPL_INCLUDE";
    case K_LOOP: return "TMPL_LOOP";
    case K_BREAK: return "TMPL_BREAK";
    case K_CONT: return "TMPL_CONTINUE";
    case K_ENDLOOP: return "/TMPL_LOOP";
    case K_UNLESS: return "TMPL_UNLESS";
    case K_ENDUNLESS: return "/TMPL_UNLESS";
    }
    return "unknown";
}
