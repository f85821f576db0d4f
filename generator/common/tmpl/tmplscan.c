/*
 * tmplscan.c - the template scanner of both modes (tmplscan.h).
 */
#include "common/tmpl/tmplscan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void tmplscan_warn(tmpl_parser *P, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (strbuf_vaddf(&P->warn, fmt, ap) < 0)
        P->nomem = 1;
    va_end(ap);
}

void tmplscan_fail(tmpl_parser *P, int line, const char *fmt, ...)
{
    if (P->error)
        return;
    P->error = 1;
    if (P->eb) {
        char msg[900];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        aid_errbuf_set(P->eb, AID_ERR_TEMPLATE, "%s:%d: %s", P->file, line, msg);
    }
}

static int is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static const char *skip_ws(const char *s, int *line)
{
    while (is_ws(*s)) {
        if (*s == '\n')
            (*line)++;
        s++;
    }
    return s;
}

static int is_valchar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-';
}

/* Apply the backslash rules to text [s, s+n) into a new node. */
static node *text_node(tmpl_parser *P, const char *s, size_t n, int line)
{
    node *nd = calloc(1, sizeof *nd);
    char *buf = malloc(n + 1);
    if (!nd || !buf) {
        free(nd);
        free(buf);
        P->nomem = 1;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            size_t k = i + 1;
            if (k < n && s[k] == '\\')
                k++;
            if (k < n && s[k] == '\r')
                k++;
            if (k < n && s[k] == '\n') {
                if (s[i + 1] == '\\') {
                    i++;        /* "\\" + line end: one backslash, keep the line end */
                } else {
                    i = k;      /* "\" + line end: both removed */
                    continue;
                }
            }
        }
        buf[o++] = s[i];
    }
    buf[o] = '\0';
    nd->kind = K_TEXT;
    nd->line = line;
    nd->name = buf;
    nd->len = o;
    return nd;
}

/* Scan one attribute value after "=" and white space. Returns a copy and
 * moves *sp past it, or NULL: with *bad set when malformed, else out of
 * memory. */
static char *scan_value(const char **sp, int *bad)
{
    const char *s = *sp;
    size_t i;
    *bad = 0;
    if (*s == '"' || *s == '\'') {
        char q = *s++;
        for (i = 0; s[i] != q && s[i] != '\n' && s[i]; i++)
            ;
        if (s[i] != q) {
            *bad = 1;
            return NULL;
        }
        *sp = s + i + 1;
    } else {
        for (i = 0; is_valchar(s[i]); i++)
            ;
        if (i == 0) {
            *bad = 1;
            return NULL;
        }
        *sp = s + i;
    }
    return strndup(s, i);
}

/* C Template's attribute scan: attrname (as a case-insensitive prefix),
 * white space, '=', white space, value. NULL when there is none (and
 * P->nomem set when out of memory). */
static char *compat_attr(tmpl_parser *P, const char *attr, const char **sp, int *line)
{
    size_t n = strlen(attr);
    const char *s = *sp;
    int bad;
    if (strncasecmp(s, attr, n) != 0)
        return NULL;
    s = skip_ws(s + n, line);
    if (*s++ != '=')
        return NULL;
    s = skip_ws(s, line);
    char *v = scan_value(&s, &bad);
    if (v)
        *sp = s;
    else if (!bad)
        P->nomem = 1;
    return v;
}

static node *new_tag_node(tmpl_parser *P, int kind, int line)
{
    node *n = calloc(1, sizeof *n);
    if (!n) {
        P->nomem = 1;
        return NULL;
    }
    n->kind = kind;
    n->line = line;
    return n;
}

static int special_of(const char *name)
{
    if (name[0] != '_' || name[1] != '_')
        return SP_NONE;
    if (!strcmp(name, "__first__")) return SP_FIRST;
    if (!strcmp(name, "__last__")) return SP_LAST;
    if (!strcmp(name, "__odd__")) return SP_ODD;
    if (!strcmp(name, "__inner__")) return SP_INNER;
    if (!strcmp(name, "__counter__")) return SP_COUNTER;
    return SP_NONE;
}

/* Results of a tag scan. */
enum { TAG_NONE = 0, TAG_OK = 1, TAG_ERR = -1 };

/* ----------------------------------------------------- compat tags */

/* The attributes of a compat tag (NULL when absent). */
typedef struct compat_attrs {
    char *name, *value, *fmt;
} compat_attrs;

static void compat_attrs_release(compat_attrs *a)
{
    free(a->name);
    free(a->value);
    free(a->fmt);
    a->name = a->value = a->fmt = NULL;
}

/* The attributes C Template reads for `kind`, in its order, from *sp (s0:
 * where the tag name ended); *sp moves past them and the white space
 * after them. */
static void compat_scan_attrs(tmpl_parser *P, int kind, const char *s0, const char **sp,
                              int *line, compat_attrs *a)
{
    const char *s = *sp;
    switch (kind) {
    case K_INCLUDE:
    case K_LOOP:
        if ((a->name = compat_attr(P, "name", &s, line)))
            s = skip_ws(s, line);
        break;
    case K_VAR:
        while ((!a->name && (a->name = compat_attr(P, "name", &s, line))) ||
               (!a->fmt && (a->fmt = compat_attr(P, "fmt", &s, line))) ||
               (!a->value && (a->value = compat_attr(P, "default", &s, line))))
            s = skip_ws(s, line);
        break;
    case K_IF:
    case K_ELSIF:
        while ((!a->name && (a->name = compat_attr(P, "name", &s, line))) ||
               (!a->value && (a->value = compat_attr(P, "value", &s, line))))
            s = skip_ws(s, line);
        break;
    case K_BREAK:
    case K_CONT:
        if (s != s0 && (a->value = compat_attr(P, "level", &s, line)))
            s = skip_ws(s, line);
        break;
    }
    *sp = s;
}

/* C Template's checks of a scanned tag: NULL when it is good (with the
 * format in *fd and a BREAK/CONTINUE level in *level, its level= freed),
 * else the reason its warning gives. */
static const char *compat_check(tmpl_parser *P, int kind, int hasname, compat_attrs *a,
                                const fmtdef **fd, int *level)
{
    if (hasname && !a->name)
        return "(missing \"name=\" attribute) ";
    if (kind == K_VAR && a->fmt && !(*fd = tmplengine_fmt(P->e, a->fmt)))
        return "(bad \"fmt=\" attribute) ";
    if (kind == K_INCLUDE && P->inc_depth >= TMPL_MAX_INCLUDE_DEPTH)
        return "(check for include cycle) ";
    if (kind == K_BREAK || kind == K_CONT) {
        if (P->loop_depth < 1)
            return "(not inside a loop) ";
        *level = 1;
        if (a->value && ((*level = atoi(a->value)) < 1 || *level > P->loop_depth))
            return "(bad \"level=\" attribute) ";
        free(a->value);
        a->value = NULL;
    }
    return NULL;
}

/* Compat: scan a tag at q ('<') the way C Template does. */
static int scan_tag_compat(tmpl_parser *P, const char *q, const char **after, tmpl_tok *t)
{
    static const struct { const char *s; int kind, hasname, container; } names[] = {
        { "TMPL_VAR", K_VAR, 1, 0 },       { "TMPL_INCLUDE", K_INCLUDE, 1, 0 },
        { "TMPL_IF", K_IF, 1, 1 },         { "TMPL_ELSIF", K_ELSIF, 1, 0 },
        { "TMPL_ELSE", K_ELSE, 0, 0 },     { "/TMPL_IF", K_ENDIF, 0, 1 },
        { "TMPL_LOOP", K_LOOP, 1, 1 },     { "/TMPL_LOOP", K_ENDLOOP, 0, 1 },
        { "TMPL_BREAK", K_BREAK, 0, 0 },   { "TMPL_CONTINUE", K_CONT, 0, 0 },
    };
    int line = P->line, tagline;
    const char *s = q + 1, *s0;
    int commentish = 0, kind = 0, hasname = 0, container = 0;
    compat_attrs a = { NULL, NULL, NULL };
    const char *why = "";
    int level = 0;
    const fmtdef *fd = NULL;

    if (s[0] == '!' && s[1] == '-' && s[2] == '-') {
        commentish = 1;
        s = skip_ws(s + 3, &line);
    }
    tagline = line;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].s);
        if (strncasecmp(s, names[i].s, n) == 0) {
            kind = names[i].kind;
            hasname = names[i].hasname;
            container = names[i].container;
            s += n;
            break;
        }
    }
    if (!kind)
        return TAG_NONE;
    s0 = s;
    s = skip_ws(s, &line);
    if (hasname && s == s0)
        goto failure;
    compat_scan_attrs(P, kind, s0, &s, &line, &a);
    if (!commentish && s[0] == '>')
        s += 1;
    else if (!commentish && !container && s[0] == '/' && s[1] == '>')
        s += 2;
    else if (commentish && s[0] == '-' && s[1] == '-' && s[2] == '>')
        s += 3;
    else
        goto failure;
    if ((why = compat_check(P, kind, hasname, &a, &fd, &level)))
        goto failure;
    t->kind = kind;
    t->line = tagline;
    t->n = NULL;
    if (kind != K_ELSE && kind != K_ENDIF && kind != K_ENDLOOP) {
        node *n = new_tag_node(P, kind, tagline);
        if (!n) {
            compat_attrs_release(&a);
            return TAG_NONE;
        }
        n->name = a.name;
        n->hash = a.name ? tmplmap_hash(a.name) : 0;
        n->value = a.value;
        n->fmtname = a.fmt;
        if (fd) {
            n->fmt = fd->fn;
            n->fmtctx = fd->ctx;
        }
        n->level = level;
        t->n = n;
    } else {
        compat_attrs_release(&a);
    }
    P->line = line;
    *after = s;
    return TAG_OK;

failure:
    tmplscan_warn(P, "Ignoring bad %s tag %sin file \"%s\" line %d\n", tmpltree_kind_name(kind),
                  why ? why : "", P->file, tagline);
    compat_attrs_release(&a);
    return TAG_NONE;
}

/* ------------------------------------------------------- safe tags */

/* Attributes of safe tags, in the order of vals[] below. */
enum { A_NAME, A_DEFAULT, A_FMT, A_ESCAPE, A_VALUE, A_LEVEL, A_COUNT };

static const char *const safe_attr_names[A_COUNT] = { "name", "default", "fmt",
                                                      "escape", "value", "level" };

typedef struct safe_tag {
    const char *s;
    int kind, slash_ok;
    unsigned attrs, required;  /* bits 1 << A_* */
} safe_tag;

#define AB(a) (1u << (a))
static const safe_tag safe_tags[] = {
    { "VAR", K_VAR, 1, AB(A_NAME) | AB(A_DEFAULT) | AB(A_FMT) | AB(A_ESCAPE), AB(A_NAME) },
    { "INCLUDE", K_INCLUDE, 1, AB(A_NAME), AB(A_NAME) },
    { "IF", K_IF, 0, AB(A_NAME) | AB(A_VALUE), AB(A_NAME) },
    { "ELSIF", K_ELSIF, 1, AB(A_NAME) | AB(A_VALUE), AB(A_NAME) },
    { "ELSE", K_ELSE, 1, 0, 0 },
    { "UNLESS", K_UNLESS, 0, AB(A_NAME), AB(A_NAME) },
    { "LOOP", K_LOOP, 0, AB(A_NAME), AB(A_NAME) },
    { "BREAK", K_BREAK, 1, AB(A_LEVEL), 0 },
    { "CONTINUE", K_CONT, 1, AB(A_LEVEL), 0 },
    { "/IF", K_ENDIF, 0, 0, 0 },
    { "/UNLESS", K_ENDUNLESS, 0, 0, 0 },
    { "/LOOP", K_ENDLOOP, 0, 0, 0 },
};
#undef AB

/* The tag word at *sp (after "TMPL_", upper-cased, "/" in front for an end
 * tag) looked up in safe_tags; *sp moves past it. NULL (failed) when it is
 * not a tag. */
static const safe_tag *safe_tag_word(tmpl_parser *P, const char **sp, int slash, int tagline)
{
    const char *s = *sp;
    char word[32];
    size_t wl = 0;
    const safe_tag *tag = NULL;
    if (slash)
        word[wl++] = '/';
    while (((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_') &&
           wl < sizeof word - 1)
        word[wl++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s), s++;
    word[wl] = '\0';
    for (size_t i = 0; i < sizeof safe_tags / sizeof safe_tags[0]; i++)
        if (!strcmp(word, safe_tags[i].s))
            tag = &safe_tags[i];
    if (!tag)
        tmplscan_fail(P, tagline, "unknown tag <%sTMPL_%s>", slash ? "/" : "", word + slash);
    *sp = s;
    return tag;
}

/* One attribute name=value at *sp into vals. 0, or -1 (failed). */
static int safe_attr(tmpl_parser *P, const safe_tag *tag, int commentish, int tagline,
                     const char **sp, int *line, char **vals)
{
    const char *tn = tmpltree_kind_name(tag->kind);
    const char *s = *sp;
    const char *an = s;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')
        s++;
    size_t anl = (size_t)(s - an);
    if (!anl) {
        tmplscan_fail(P, tagline, "malformed %s tag at '%.1s'", tn, s);
        return -1;
    }
    int ai = -1;
    for (int i = 0; i < A_COUNT; i++)
        if (strlen(safe_attr_names[i]) == anl && !strncasecmp(an, safe_attr_names[i], anl))
            ai = i;
    if (ai < 0 || !(tag->attrs & (1u << ai))) {
        tmplscan_fail(P, tagline, "%s: unknown attribute \"%.*s\"", tn, (int)anl, an);
        return -1;
    }
    if (vals[ai]) {
        tmplscan_fail(P, tagline, "%s: duplicate attribute \"%s\"", tn, safe_attr_names[ai]);
        return -1;
    }
    s = skip_ws(s, line);
    if (*s != '=') {
        tmplscan_fail(P, tagline, "%s: attribute %s has no value", tn, safe_attr_names[ai]);
        return -1;
    }
    s = skip_ws(s + 1, line);
    int bad;
    const char *vstart = s;
    vals[ai] = scan_value(&s, &bad);
    /* <!-- TMPL_VAR name=x--> : the value ends before the "-->" */
    if (vals[ai] && commentish && *vstart != '"' && *vstart != '\'' && s - vstart > 2 &&
        s[-1] == '-' && s[-2] == '-' && s[0] == '>') {
        s -= 2;
        vals[ai][s - vstart] = '\0';
    }
    if (!vals[ai]) {
        if (bad)
            tmplscan_fail(P, tagline,
                          "%s: bad value for %s (quote it; a quoted value ends on its line)", tn,
                          safe_attr_names[ai]);
        else
            P->nomem = 1, P->error = 1;
        return -1;
    }
    *sp = s;
    return 0;
}

/* The attributes up to the end of the tag ("/>" where the tag allows it,
 * "-->" for a comment-style tag) into vals; *sp moves past the end.
 * 0, or -1 (failed). */
static int safe_attrs(tmpl_parser *P, const safe_tag *tag, int commentish, int tagline,
                      const char **sp, int *line, char **vals)
{
    const char *tn = tmpltree_kind_name(tag->kind);
    const char *s = *sp;
    for (;;) {
        const char *s0 = s;
        s = skip_ws(s, line);
        if (!commentish && s[0] == '>') {
            *sp = s + 1;
            return 0;
        }
        if (!commentish && s[0] == '/' && s[1] == '>') {
            if (!tag->slash_ok) {
                tmplscan_fail(P, tagline, "%s cannot end with />", tn);
                return -1;
            }
            *sp = s + 2;
            return 0;
        }
        if (commentish && s[0] == '-' && s[1] == '-' && s[2] == '>') {
            *sp = s + 3;
            return 0;
        }
        if (!*s) {
            tmplscan_fail(P, tagline, "unterminated %s tag", tn);
            return -1;
        }
        if (s == s0) {
            tmplscan_fail(P, tagline, "malformed %s tag: white space expected before '%.1s'",
                          tn, s);
            return -1;
        }
        if (safe_attr(P, tag, commentish, tagline, &s, line, vals) < 0)
            return -1;
    }
}

/* TMPL_VAR's fmt= (looked up in the engine) and escape= into n.
 * 0, or -1 (failed). */
static int safe_var(tmpl_parser *P, node *n, char *const *vals, int tagline)
{
    static const char *const esc[] = { "html", "url", "js", "json", "none" };
    if (vals[A_FMT]) {
        const fmtdef *fd = tmplengine_fmt(P->e, vals[A_FMT]);
        if (!fd) {
            tmplscan_fail(P, tagline, "TMPL_VAR: unknown fmt \"%s\"", vals[A_FMT]);
            return -1;
        }
        n->fmt = fd->fn;
        n->fmtctx = fd->ctx;
    }
    n->escape = ESC_HTML;
    if (vals[A_ESCAPE]) {
        n->escape = -1;
        for (int i = 0; i < 5; i++)
            if (!strcasecmp(vals[A_ESCAPE], esc[i]))
                n->escape = ESC_HTML + i;
        if (n->escape < 0) {
            tmplscan_fail(P, tagline,
                          "TMPL_VAR: unknown escape \"%s\" (html, url, js, json, none)",
                          vals[A_ESCAPE]);
            return -1;
        }
    }
    return 0;
}

/* TMPL_BREAK's and TMPL_CONTINUE's level= into n, checked against the loop
 * depth. 0, or -1 (failed). */
static int safe_level(tmpl_parser *P, node *n, char *const *vals, int tagline)
{
    const char *tn = tmpltree_kind_name(n->kind);
    long lv = 1;
    if (vals[A_LEVEL]) {
        char *endp;
        errno = 0;
        lv = strtol(vals[A_LEVEL], &endp, 10);
        if (*endp || endp == vals[A_LEVEL] || errno)
            lv = -1;
    }
    if (P->loop_depth < 1) {
        tmplscan_fail(P, tagline, "%s outside a loop", tn);
        return -1;
    }
    if (lv < 1 || lv > P->loop_depth) {
        tmplscan_fail(P, tagline, "%s: level=\"%s\" must be between 1 and %d (loop depth here)",
                      tn, vals[A_LEVEL], P->loop_depth);
        return -1;
    }
    n->level = (int)lv;
    return 0;
}

/* Safe: a tag is anything starting <TMPL_, </TMPL_ or <!-- [/]TMPL_; it must
 * be well formed. */
static int scan_tag_safe(tmpl_parser *P, const char *q, const char **after, tmpl_tok *t)
{
    int line = P->line, tagline;
    const char *s = q + 1;
    int commentish = 0, slash = 0;
    char *vals[A_COUNT] = { 0 };
    node *n = NULL;

    if (s[0] == '!' && s[1] == '-' && s[2] == '-') {
        commentish = 1;
        s = skip_ws(s + 3, &line);
    }
    tagline = line;
    if (*s == '/') {
        slash = 1;
        s++;
    }
    if (strncasecmp(s, "TMPL_", 5) != 0)
        return TAG_NONE;
    s += 5;
    const safe_tag *tag = safe_tag_word(P, &s, slash, tagline);
    if (!tag)
        return TAG_ERR;
    if (safe_attrs(P, tag, commentish, tagline, &s, &line, vals) < 0)
        goto fail;
    if ((tag->required & (1u << A_NAME)) && !vals[A_NAME]) {
        tmplscan_fail(P, tagline, "%s: missing required attribute name",
                      tmpltree_kind_name(tag->kind));
        goto fail;
    }
    int kind = tag->kind;
    t->kind = kind;
    t->line = tagline;
    t->n = NULL;
    if (kind == K_ELSE || kind == K_ENDIF || kind == K_ENDLOOP || kind == K_ENDUNLESS) {
        P->line = line;
        *after = s;
        return TAG_OK;
    }
    if (!(n = new_tag_node(P, kind, tagline))) {
        P->error = 1;
        goto fail;
    }
    if (kind == K_VAR && safe_var(P, n, vals, tagline) < 0)
        goto fail;
    if ((kind == K_BREAK || kind == K_CONT) && safe_level(P, n, vals, tagline) < 0)
        goto fail;
    int vi = kind == K_VAR ? A_DEFAULT : A_VALUE;
    n->name = vals[A_NAME];
    n->value = vals[vi];
    n->fmtname = vals[A_FMT];
    vals[A_NAME] = vals[vi] = vals[A_FMT] = NULL;
    if (n->name) {
        n->hash = tmplmap_hash(n->name);
        n->special = special_of(n->name);
    }
    for (int i = 0; i < A_COUNT; i++)
        free(vals[i]);
    t->n = n;
    P->line = line;
    *after = s;
    return TAG_OK;
fail:
    free(n);
    for (int i = 0; i < A_COUNT; i++)
        free(vals[i]);
    return TAG_ERR;
}

/* Next token into P->cur: text up to the next tag or comment, or a tag. */
void tmplscan_next(tmpl_parser *P)
{
    tmpl_tok *t = &P->cur;
    t->n = NULL;
    if (P->pending_kind) {
        t->kind = P->pending_kind;
        t->line = P->pending_line;
        t->n = P->pending;
        P->pending_kind = 0;
        P->pending = NULL;
        return;
    }
    for (;;) {
        const char *start = P->p;
        int start_line = P->line;
        const char *q;
        tmpl_tok tag = { 0, 0, NULL };
        const char *after = NULL;
        int found = 0, comment = 0;
        if (P->error && !P->compat) {
            t->kind = K_EOF;
            return;
        }
        for (q = start; q < P->end; q++) {
            if (*q == '\n')
                P->line++;
            if (*q != '<')
                continue;
            if (q[1] == '*') {
                const char *c = q + 2;
                int cl = 0;
                while (c < P->end && !(c[0] == '*' && c[1] == '>')) {
                    if (*c == '\n')
                        cl++;
                    c++;
                }
                if (c < P->end) {
                    P->line += cl;
                    after = c + 2;
                    comment = 1;
                    break;
                }
                if (!P->compat) {
                    tmplscan_fail(P, P->line, "comment <* has no *>");
                    t->kind = K_EOF;
                    return;
                }
                tmplscan_warn(P, "\"<*\" in file \"%s\" line %d has no \"*>\"\n", P->file, P->line);
                P->error = 1;
                P->line += cl;  /* as C Template: these line ends are counted twice */
                continue;
            }
            int r = P->compat ? scan_tag_compat(P, q, &after, &tag) : scan_tag_safe(P, q, &after, &tag);
            if (r == TAG_ERR) {
                t->kind = K_EOF;
                return;
            }
            if (r == TAG_OK) {
                found = 1;
                break;
            }
        }
        if (q >= P->end)
            P->p = P->end;
        else
            P->p = after;
        if (q > start) {
            node *tn = text_node(P, start, (size_t)(q - start), start_line);
            if (found) {
                P->pending = tag.n;
                P->pending_kind = tag.kind;
                P->pending_line = tag.line;
            }
            if (!tn) {
                t->kind = K_EOF;
                return;
            }
            t->kind = K_TEXT;
            t->line = start_line;
            t->n = tn;
            return;
        }
        if (found) {
            *t = tag;
            return;
        }
        if (!comment) {
            t->kind = K_EOF;
            return;
        }
        /* a comment with no text before it: scan again */
    }
}
