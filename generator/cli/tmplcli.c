/*
 * tmplcli.c - `aidigest template [--compat] FILE ARGS...`.
 *
 * The arguments are those of C Template's own `template` command:
 * NAME VALUE pairs and loops NAME { NAME VALUE ... } { ... }, nestable, each
 * word a separate argument. They are read with its rules: a row with no
 * variables is dropped, a loop with no rows is not added at all, and when a
 * name is given twice the last value (the last non-empty loop) wins.
 * Argument errors print C Template's messages (AID_ERR_BADINPUT: exit 1),
 * counting arguments as it does (FILE is argument 1, whether or not
 * --compat is given).
 *
 * Compat mode renders FILE as C Template would (relative to the current
 * directory); safe mode uses FILE's directory as the template root.
 */
#include "cli/tmplcli.h"
#include "common/escape.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
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
    aid_err err;   /* AID_ERR_BADINPUT (message printed) or AID_ERR_NOMEM */
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

/* A new, zeroed entry at the end of *lp (created if needed); NULL when out
 * of memory. */
static cl_ent *cl_add(cl_list **lp)
{
    if (!*lp && !(*lp = calloc(1, sizeof **lp)))
        return NULL;
    cl_list *l = *lp;
    cl_ent *ne = realloc(l->ents, (l->n + 1) * sizeof *ne);
    if (!ne)
        return NULL;
    l->ents = ne;
    memset(&ne[l->n], 0, sizeof *ne);
    return &ne[l->n++];
}

static int is_word(const char *s, char c)
{
    return s[0] == c && s[1] == '\0';
}

static void cl_bad(cl_parser *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cl_bad(cl_parser *P, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    esc_vfprintf(stderr, fmt, ap);
    va_end(ap);
    P->err = AID_ERR_BADINPUT;
}

static cl_list *cl_varlist(cl_parser *P, int in_loop);

/* Rows { ... } { ... } starting at P->idx. */
static void cl_loop(cl_parser *P, cl_ent *e)
{
    while (!P->err && P->argv[P->idx] && is_word(P->argv[P->idx], '{')) {
        P->idx++;
        cl_list *row = cl_varlist(P, 1);
        if (!row)
            continue;
        cl_list **nr = realloc(e->rows, (e->nrows + 1) * sizeof *nr);
        if (!nr) {
            cl_free(row);
            P->err = AID_ERR_NOMEM;
            return;
        }
        e->rows = nr;
        e->rows[e->nrows++] = row;
    }
}

/* A loop NAME { ... } ... at P->idx (the first "{") added to *lp unless it
 * has no rows. 0, or -1 with P->err set. */
static int cl_add_loop(cl_parser *P, cl_list **lp, const char *name)
{
    cl_ent tmp = { name, NULL, NULL, 0 };
    cl_ent *e;
    cl_loop(P, &tmp);
    if (!P->err && (!tmp.nrows || (e = cl_add(lp)))) {
        if (tmp.nrows)
            *e = tmp;
        return 0;
    }
    if (!P->err)
        P->err = AID_ERR_NOMEM;
    for (size_t j = 0; j < tmp.nrows; j++)
        cl_free(tmp.rows[j]);
    free(tmp.rows);
    return -1;
}

/* NULL when the list is empty (or on error, with P->err set). */
static cl_list *cl_varlist(cl_parser *P, int in_loop)
{
    cl_list *l = NULL;
    const char *name, *value;
    while ((name = P->argv[P->idx++]) != NULL) {
        if (is_word(name, '{')) {
            cl_bad(P, "Unexpected '{' at argument %d\n", P->idx - 1);
            goto fail;
        }
        if (is_word(name, '}')) {
            if (!in_loop) {
                cl_bad(P, "Unexpected '}' at argument %d\n", P->idx - 1);
                goto fail;
            }
            return l;
        }
        if ((value = P->argv[P->idx]) == NULL) {
            cl_bad(P, "Too few arguments: variable \"%s\" has no value\n", name);
            goto fail;
        }
        if (is_word(value, '{')) {
            if (cl_add_loop(P, &l, name) < 0)
                goto fail;
        } else if (is_word(value, '}')) {
            cl_bad(P, "Unexpected '}' at argument %d\n", P->idx);
            goto fail;
        } else {
            P->idx++;
            cl_ent *e = cl_add(&l);
            if (!e) {
                P->err = AID_ERR_NOMEM;
                goto fail;
            }
            e->name = name;
            e->value = value;
        }
    }
    P->idx--;
    if (in_loop) {
        cl_bad(P, "Too few arguments: '}' is missing.\n");
        goto fail;
    }
    return l;
fail:
    cl_free(l);
    return NULL;
}

/* Fill v from l: variables in order (the last wins), and for each loop
 * name only its last occurrence. 0, or -1 when out of memory. */
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

static void usage(void)
{
    fputs("usage: aidigest template [--compat] FILE [NAME VALUE | NAME { NAME VALUE ... } "
          "{ ... } ...]...\n",
          stderr);
}

/* The variables from the arguments after FILE (argv[0]) into *out.
 * AID_ERR_BADINPUT (message printed) or AID_ERR_NOMEM. */
static aid_err cl_vars(char **argv, tmpl_vars **out)
{
    cl_parser P = { argv, 2, AID_OK };
    tmpl_vars *v = NULL;
    cl_list *args = cl_varlist(&P, 0);
    aid_err err = P.err;
    if (!err && !(err = tmpl_vars_new(&v)) && cl_fill(args, v) < 0)
        err = AID_ERR_NOMEM;
    cl_free(args);
    if (err) {
        tmpl_vars_free(v);
        v = NULL;
    }
    *out = v;
    return err;
}

/* Safe mode: FILE's directory is the root and its base name the template;
 * compat: the current directory and FILE as given. */
static aid_err cl_root(const char *file, tmpl_mode mode, char **root, const char **name)
{
    const char *sl = mode == TMPL_SAFE ? strrchr(file, '/') : NULL;
    *root = sl ? strndup(file, (size_t)(sl - file) + (sl == file)) : strdup(".");
    *name = sl ? sl + 1 : file;
    return *root ? AID_OK : AID_ERR_NOMEM;
}

/* Write the text to stdout: AID_OK, or AID_ERR_IO. */
static aid_err cl_write(const strbuf *out)
{
    aid_err err = AID_OK;
    if (out->len && fwrite(out->buf, 1, out->len, stdout) != out->len)
        err = AID_ERR_IO;
    if (fflush(stdout) != 0)
        err = AID_ERR_IO;
    return err;
}

aid_err tmplcli_main(int argc, char **argv)
{
    int ai = 1;
    tmpl_mode mode = TMPL_SAFE;
    if (ai < argc && !strcmp(argv[ai], "--compat")) {
        mode = TMPL_COMPAT;
        ai++;
    }
    if (ai < argc && !strcmp(argv[ai], "--"))
        ai++;
    if (ai >= argc) {
        usage();
        return AID_ERR_USAGE;
    }
    if (!strcmp(argv[ai], "--help") || !strcmp(argv[ai], "-h")) {
        usage();
        return AID_OK;
    }

    const char *file = argv[ai], *name = NULL;
    tmpl_vars *v = NULL;
    tmpl_engine *e = NULL;
    char *root = NULL;
    strbuf out = STRBUF_INIT;
    aid_errbuf eb;
    memset(&eb, 0, sizeof eb);
    aid_err err = cl_vars(argv + ai - 1, &v);
    if (!err)
        err = cl_root(file, mode, &root, &name);
    if (!err)
        err = tmpl_engine_new(&e, root, mode, &eb);
    if (err) {
        if (err == AID_ERR_NOMEM)
            fputs("aidigest: template: out of memory\n", stderr);
        goto cleanup;
    }
    aid_err rerr = tmpl_render(e, name, v, &out, &eb);
    err = cl_write(&out);
    if (rerr) {
        if (mode == TMPL_SAFE)
            esc_fprintf(stderr, "aidigest: template: %s\n", aid_errbuf_msg(&eb, rerr));
        /* the template is this command's input; stdout not written wins */
        if (!err)
            err = rerr == AID_ERR_NOMEM ? AID_ERR_NOMEM : AID_ERR_BADINPUT;
    }
cleanup:
    strbuf_release(&out);
    tmpl_engine_free(e);
    free(root);
    tmpl_vars_free(v);
    return err;
}
