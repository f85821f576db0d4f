/*
 * tmplcli.c - `aidigest template [--compat] FILE ARGS...`.
 *
 * The arguments are those of C Template's own `template` command:
 * NAME VALUE pairs and loops NAME { NAME VALUE ... } { ... }, nestable, each
 * word a separate argument. They are read with its rules: a row with no
 * variables is dropped, a loop with no rows is not added at all, and when a
 * name is given twice the last value (the last non-empty loop) wins.
 * Argument errors print C Template's messages and exit 1, counting
 * arguments as it does (FILE is argument 1, whether or not --compat is
 * given).
 *
 * Compat mode renders FILE as C Template would (relative to the current
 * directory); safe mode uses FILE's directory as the template root.
 */
#include "cli/tmplcli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/tmpl/tmpl.h"

typedef struct cl_list cl_list;

typedef struct cl_ent {
    const char *name;
    const char *value;  /* NULL for a loop */
    cl_list **rows;     /* non-empty rows */
    size_t nrows;
} cl_ent;

struct cl_list {
    cl_ent *ents;
    size_t n;
};

typedef struct cl_parser {
    char **argv;   /* argv[0] is FILE: numbers match C Template's */
    int idx;
    int failed;
} cl_parser;

static void cl_free(cl_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        for (size_t j = 0; j < l->ents[i].nrows; j++)
            cl_free(l->ents[i].rows[j]);
        free(l->ents[i].rows);
    }
    free(l->ents);
    free(l);
}

static void oom(void)
{
    fputs("aidigest: template: out of memory\n", stderr);
    exit(3);
}

static cl_ent *cl_add(cl_list **lp)
{
    if (!*lp && !(*lp = calloc(1, sizeof **lp)))
        oom();
    cl_list *l = *lp;
    cl_ent *ne = realloc(l->ents, (l->n + 1) * sizeof *ne);
    if (!ne)
        oom();
    l->ents = ne;
    memset(&ne[l->n], 0, sizeof *ne);
    return &ne[l->n++];
}

static int is_word(const char *s, char c)
{
    return s[0] == c && s[1] == '\0';
}

static cl_list *cl_varlist(cl_parser *P, int in_loop);

/* Rows { ... } { ... } starting at P->idx. */
static void cl_loop(cl_parser *P, cl_ent *e)
{
    while (!P->failed && P->argv[P->idx] && is_word(P->argv[P->idx], '{')) {
        P->idx++;
        cl_list *row = cl_varlist(P, 1);
        if (!row)
            continue;
        cl_list **nr = realloc(e->rows, (e->nrows + 1) * sizeof *nr);
        if (!nr)
            oom();
        e->rows = nr;
        e->rows[e->nrows++] = row;
    }
}

/* NULL when the list is empty (or on error, with P->failed set). */
static cl_list *cl_varlist(cl_parser *P, int in_loop)
{
    cl_list *l = NULL;
    const char *name, *value;
    while ((name = P->argv[P->idx++]) != NULL) {
        if (is_word(name, '{')) {
            fprintf(stderr, "Unexpected '{' at argument %d\n", P->idx - 1);
            goto fail;
        }
        if (is_word(name, '}')) {
            if (!in_loop) {
                fprintf(stderr, "Unexpected '}' at argument %d\n", P->idx - 1);
                goto fail;
            }
            return l;
        }
        if ((value = P->argv[P->idx]) == NULL) {
            fprintf(stderr, "Too few arguments: variable \"%s\" has no value\n", name);
            goto fail;
        }
        if (is_word(value, '{')) {
            cl_ent tmp = { name, NULL, NULL, 0 };
            cl_loop(P, &tmp);
            if (P->failed) {
                for (size_t j = 0; j < tmp.nrows; j++)
                    cl_free(tmp.rows[j]);
                free(tmp.rows);
                goto fail;
            }
            if (tmp.nrows)
                *cl_add(&l) = tmp;
        } else if (is_word(value, '}')) {
            fprintf(stderr, "Unexpected '}' at argument %d\n", P->idx);
            goto fail;
        } else {
            P->idx++;
            cl_ent *e = cl_add(&l);
            e->name = name;
            e->value = value;
        }
    }
    P->idx--;
    if (in_loop) {
        fputs("Too few arguments: '}' is missing.\n", stderr);
        goto fail;
    }
    return l;
fail:
    P->failed = 1;
    cl_free(l);
    return NULL;
}

/* Fill v from l: variables in order (the last wins), and for each loop
 * name only its last occurrence. */
static int cl_fill(const cl_list *l, tmpl_vars *v)
{
    if (!l)
        return 0;
    for (size_t i = 0; i < l->n; i++) {
        const cl_ent *e = &l->ents[i];
        if (e->value) {
            if (tmpl_vars_set(v, e->name, e->value) < 0)
                return -1;
            continue;
        }
        int later = 0;
        for (size_t j = i + 1; j < l->n && !later; j++)
            later = !l->ents[j].value && !strcmp(l->ents[j].name, e->name);
        if (later)
            continue;
        for (size_t r = 0; r < e->nrows; r++) {
            tmpl_vars *row = tmpl_vars_add_row(v, e->name);
            if (!row || cl_fill(e->rows[r], row) < 0)
                return -1;
        }
    }
    return 0;
}

static int usage(void)
{
    fputs("usage: aidigest template [--compat] FILE [NAME VALUE | NAME { NAME VALUE ... } "
          "{ ... } ...]...\n",
          stderr);
    return 2;
}

int tmplcli_main(int argc, char **argv)
{
    int ai = 1;
    tmpl_mode mode = TMPL_SAFE;
    if (ai < argc && !strcmp(argv[ai], "--compat")) {
        mode = TMPL_COMPAT;
        ai++;
    }
    if (ai < argc && !strcmp(argv[ai], "--"))
        ai++;
    if (ai >= argc)
        return usage();
    if (!strcmp(argv[ai], "--help") || !strcmp(argv[ai], "-h")) {
        usage();
        return 0;
    }

    const char *file = argv[ai];
    cl_parser P = { argv + ai - 1, 2, 0 };
    cl_list *args = cl_varlist(&P, 0);
    if (P.failed)
        return 1;

    tmpl_vars *v = tmpl_vars_new();
    if (!v || cl_fill(args, v) < 0)
        oom();
    cl_free(args);

    char *root = NULL;
    const char *name = file;
    if (mode == TMPL_SAFE) {
        const char *sl = strrchr(file, '/');
        root = sl ? strndup(file, (size_t)(sl - file) + (sl == file)) : strdup(".");
        name = sl ? sl + 1 : file;
    } else {
        root = strdup(".");
    }
    if (!root)
        oom();
    tmpl_engine *e = tmpl_engine_new(root, mode);
    if (!e)
        oom();
    strbuf out = STRBUF_INIT;
    aid_errbuf eb;
    memset(&eb, 0, sizeof eb);
    aid_err err = tmpl_render(e, name, v, &out, &eb);
    int rc = 0;
    if (out.len && fwrite(out.buf, 1, out.len, stdout) != out.len)
        rc = 3;
    if (fflush(stdout) != 0)
        rc = 3;
    if (err) {
        if (mode == TMPL_SAFE)
            fprintf(stderr, "aidigest: template: %s\n", aid_errbuf_msg(&eb, err));
        if (!rc)
            rc = err == AID_ERR_NOMEM ? 3 : 1;
    }
    strbuf_release(&out);
    tmpl_engine_free(e);
    tmpl_vars_free(v);
    free(root);
    return rc;
}
