/*
 * tmpltree.h - internal to the template engine (common/tmpl/): a parsed
 * template, a tree of nodes (text with its backslash rules applied, VAR,
 * IF/ELSIF/UNLESS, LOOP, BREAK, CONTINUE, INCLUDE), as the parser
 * (tmplparse) builds it and the renderer (tmpl.c) walks it.
 */
#ifndef AID_TMPLTREE_H
#define AID_TMPLTREE_H

#include <stddef.h>
#include <stdint.h>

#include "common/tmpl/tmpl.h"

#define TMPL_MAX_INCLUDE_DEPTH 30

/* Node and token kinds; bits, so that a parser can stop at a set of them. */
enum {
    K_EOF = 0,
    K_TEXT = 0x001,
    K_VAR = 0x002,
    K_IF = 0x004,
    K_ELSIF = 0x008,
    K_ELSE = 0x010,
    K_ENDIF = 0x020,
    K_INCLUDE = 0x040,
    K_LOOP = 0x080,
    K_BREAK = 0x100,
    K_CONT = 0x200,
    K_ENDLOOP = 0x400,
    K_UNLESS = 0x800,
    K_ENDUNLESS = 0x1000
};

/* Loop variables of safe mode. */
enum { SP_NONE, SP_FIRST, SP_LAST, SP_ODD, SP_INNER, SP_COUNTER };

typedef struct tmpl tmpl;
typedef struct node node;

struct node {
    int kind;
    int line;
    node *next;
    char *name;      /* TEXT: the text; otherwise the name= attribute */
    size_t len;      /* TEXT: its length */
    uint32_t hash;   /* of name */
    int special;     /* SP_* */
    char *value;     /* VAR: default=; IF/ELSIF: value= (NULL when absent) */
    char *fmtname;   /* VAR: fmt= */
    tmpl_fmt_fn fmt;
    void *fmtctx;
    int escape;      /* ESC_* (tmplesc.h) */
    int level;       /* BREAK/CONTINUE */
    node *t, *f;     /* IF/UNLESS branches (f may be an ELSIF node); LOOP body */
    tmpl *child;     /* INCLUDE: safe: borrowed from the cache; compat: owned */
    unsigned gen;    /* compat INCLUDE: render that last printed child's warnings */
};

struct tmpl {
    char *name;      /* as shown in messages (and, in compat mode, opened) */
    char *dir;       /* safe: directory of name relative to the root ("" at top) */
    node *root;
    int depth;       /* compat: include depth it was parsed at; safe: -1 */
    int error;       /* compat: parse error (no output) */
    char *warnings;  /* compat: what C Template prints while parsing it */
};

/* Free a list of nodes and their branches (not the templates that INCLUDE
 * nodes point to). Accepts NULL. */
void tmpltree_nodes_free(node *n);
/* Free a template; a compat template frees the children its includes own.
 * Accepts NULL. */
void tmpltree_free(tmpl *t);
/* The tag name of a kind ("TMPL_VAR", "/TMPL_IF", ...) for messages. */
const char *tmpltree_kind_name(int k);

#endif
