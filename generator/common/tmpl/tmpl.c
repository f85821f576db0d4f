/*
 * tmpl.c - the template engine (docs/template-language.md, docs/templates.md).
 *
 * A template is scanned and parsed once into a tree of nodes (text with its
 * backslash rules already applied, VAR, IF/ELSIF/UNLESS, LOOP, BREAK,
 * CONTINUE, INCLUDE); rendering walks the tree appending to a strbuf.
 *
 * Safe mode: the first error stops the parse or the render and is reported
 * as "file:line: reason"; parsed templates are cached by name in the engine
 * and shared by every include of them.
 *
 * Compat mode follows C Template 1.0 (libctemplate by Stephen C. Losen):
 * tag names are matched as prefixes in its order, a tag that does not scan
 * is warned about and left in the text, structural errors set an error
 * flag that suppresses all output, and each TMPL_INCLUDE tag owns the parse
 * of its file (parsed when first reached, at its own include depth, so the
 * depth limit turns the 31st nested include into text as C Template does).
 * Parse warnings are kept with the parsed tree and written out again on
 * every render, so a cached template prints what C Template would print
 * when it parses the file afresh for each call.
 */
#include "common/tmpl/tmpl.h"

#include "common/fsutil.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define TMPL_MAX_INCLUDE_DEPTH 30

/* ---------------------------------------------------------------- maps */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

typedef struct sent {
    char *key;
    uint32_t h;
    void *val;
} sent;

typedef struct smap {
    sent *tab;
    size_t cap, n;
} smap;

static sent *smap_find(const smap *m, const char *key, uint32_t h)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        sent *e = &m->tab[i];
        if (!e->key)
            return NULL;
        if (e->h == h && !strcmp(e->key, key))
            return e;
    }
}

static int smap_grow(smap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 8;
    sent *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        sent *e = &m->tab[i];
        if (!e->key)
            continue;
        size_t j = e->h & (ncap - 1);
        while (nt[j].key)
            j = (j + 1) & (ncap - 1);
        nt[j] = *e;
    }
    free(m->tab);
    m->tab = nt;
    m->cap = ncap;
    return 0;
}

/* The slot for key: an existing entry, or a new one with key copied and
 * val NULL. NULL on allocation failure. */
static sent *smap_slot(smap *m, const char *key, uint32_t h)
{
    sent *e = smap_find(m, key, h);
    if (e)
        return e;
    if ((m->n + 1) * 4 > m->cap * 3 && smap_grow(m) < 0)
        return NULL;
    char *k = strdup(key);
    if (!k)
        return NULL;
    size_t mask = m->cap - 1, i = h & mask;
    while (m->tab[i].key)
        i = (i + 1) & mask;
    m->tab[i].key = k;
    m->tab[i].h = h;
    m->tab[i].val = NULL;
    m->n++;
    return &m->tab[i];
}

static void smap_release(smap *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->tab[i].key)
            continue;
        free(m->tab[i].key);
        if (free_val)
            free_val(m->tab[i].val);
    }
    free(m->tab);
    m->tab = NULL;
    m->cap = m->n = 0;
}

/* ---------------------------------------------------------- variables */

typedef struct tmpl_loop {
    tmpl_vars **rows;
    size_t n, cap;
} tmpl_loop;

struct tmpl_vars {
    smap vars;   /* name -> char * value */
    smap loops;  /* name -> tmpl_loop * */
    const tmpl_vars *parent;  /* the list holding the loop this row is in */
};

tmpl_vars *tmpl_vars_new(void)
{
    return calloc(1, sizeof(tmpl_vars));
}

static void loop_free(void *p)
{
    tmpl_loop *l = p;
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        tmpl_vars_free(l->rows[i]);
    free(l->rows);
    free(l);
}

void tmpl_vars_free(tmpl_vars *v)
{
    if (!v)
        return;
    smap_release(&v->vars, free);
    smap_release(&v->loops, loop_free);
    free(v);
}

int tmpl_vars_set(tmpl_vars *v, const char *name, const char *value)
{
    if (!v || !name)
        return -1;
    char *copy = strdup(value ? value : "");
    if (!copy)
        return -1;
    sent *e = smap_slot(&v->vars, name, hash_str(name));
    if (!e) {
        free(copy);
        return -1;
    }
    free(e->val);
    e->val = copy;
    return 0;
}

int tmpl_vars_setf(tmpl_vars *v, const char *name, const char *fmt, ...)
{
    strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int rc = strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    if (rc == 0)
        rc = tmpl_vars_set(v, name, sb.buf);
    strbuf_release(&sb);
    return rc;
}

tmpl_vars *tmpl_vars_add_row(tmpl_vars *v, const char *loop)
{
    if (!v || !loop)
        return NULL;
    sent *e = smap_slot(&v->loops, loop, hash_str(loop));
    if (!e)
        return NULL;
    if (!e->val && !(e->val = calloc(1, sizeof(tmpl_loop))))
        return NULL;
    tmpl_loop *l = e->val;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 4;
        tmpl_vars **nr = realloc(l->rows, ncap * sizeof *nr);
        if (!nr)
            return NULL;
        l->rows = nr;
        l->cap = ncap;
    }
    tmpl_vars *row = tmpl_vars_new();
    if (!row)
        return NULL;
    row->parent = v;
    l->rows[l->n++] = row;
    return row;
}

static const char *vars_value(const tmpl_vars *v, const char *name, uint32_t h)
{
    for (; v; v = v->parent) {
        sent *e = smap_find(&v->vars, name, h);
        if (e)
            return e->val;
    }
    return NULL;
}

static const tmpl_loop *vars_loop(const tmpl_vars *v, const char *name, uint32_t h)
{
    for (; v; v = v->parent) {
        sent *e = smap_find(&v->loops, name, h);
        if (e)
            return e->val;
    }
    return NULL;
}

/* -------------------------------------------------------------- nodes */

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

enum { ESC_DEFAULT, ESC_HTML, ESC_URL, ESC_JS, ESC_JSON, ESC_NONE };

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
    int escape;
    int level;       /* BREAK/CONTINUE */
    node *t, *f;     /* IF/UNLESS branches (f may be an ELSIF node); LOOP body */
    tmpl *child;     /* INCLUDE: safe: borrowed from the cache; compat: owned */
    unsigned gen;    /* compat INCLUDE: render that last printed child's warnings */
};

struct tmpl {
    char *name;      /* as shown in messages (and, in compat mode, opened) */
    char *dir;       /* safe: directory of name relative to the root ("" at top) */
    node *root;
    int depth;       /* compat: include depth it was parsed at */
    int error;       /* compat: parse error (no output) */
    char *warnings;  /* compat: what C Template prints while parsing it */
};

typedef struct fmtdef {
    char *name;
    tmpl_fmt_fn fn;
    void *ctx;
} fmtdef;

struct tmpl_engine {
    char *root;
    char *root_real;
    tmpl_mode mode;
    fmtdef *fmts;
    size_t nfmts;
    smap cache;      /* name -> tmpl * */
    unsigned gen;
    FILE *errout;
};

static void tmpl_free(tmpl *t);

static void node_free(node *n)
{
    while (n) {
        node *next = n->next;
        free(n->name);
        free(n->value);
        free(n->fmtname);
        node_free(n->t);
        node_free(n->f);
        free(n);
        n = next;
    }
}

/* Compat includes own their child; safe ones borrow. node_free cannot tell
 * which, so the owner frees children first (tmpl_free_owned). */
static void free_owned_children(node *n)
{
    for (; n; n = n->next) {
        if (n->kind == K_INCLUDE && n->child) {
            tmpl_free(n->child);
            n->child = NULL;
        }
        free_owned_children(n->t);
        free_owned_children(n->f);
    }
}

static void tmpl_free(tmpl *t)
{
    if (!t)
        return;
    if (t->depth >= 0)  /* compat templates mark themselves with depth >= 0 */
        free_owned_children(t->root);
    node_free(t->root);
    free(t->warnings);
    free(t->dir);
    free(t->name);
    free(t);
}

static void cache_free_val(void *p)
{
    tmpl_free(p);
}

/* --------------------------------------------------------- escaping */

static int esc_html(strbuf *out, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        if (strbuf_add(out, s + start, i - start) < 0 || strbuf_adds(out, rep) < 0)
            return -1;
        start = i + 1;
    }
    return strbuf_add(out, s + start, n - start);
}

static int esc_url(strbuf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '.' || c == '_' || c == '~';
        if (keep) {
            if (strbuf_addc(out, (char)c) < 0)
                return -1;
        } else {
            char b[3] = { '%', hex[c >> 4], hex[c & 15] };
            if (strbuf_add(out, b, 3) < 0)
                return -1;
        }
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
    else return 0;
    if (len > n)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* js and json: the contents of a quoted string literal, safe inside a
 * <script> element (< > & and the line separators are \u escapes). json
 * uses only JSON's escapes and replaces invalid UTF-8 by U+FFFD. */
static int esc_jsjson(strbuf *out, const char *s, size_t n, int json)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned c = u[i];
        const char *rep = NULL;
        char b[8];
        switch (c) {
        case '"': rep = "\\\""; break;
        case '\\': rep = "\\\\"; break;
        case '\n': rep = "\\n"; break;
        case '\r': rep = "\\r"; break;
        case '\t': rep = "\\t"; break;
        case '\b': rep = "\\b"; break;
        case '\f': rep = "\\f"; break;
        case '\'': rep = json ? NULL : "\\u0027"; break;
        case '<': case '>': case '&':
            snprintf(b, sizeof b, "\\u%04x", c);
            rep = b;
            break;
        default:
            if (c < 0x20 || c == 0x7F) {
                snprintf(b, sizeof b, "\\u%04x", c);
                rep = b;
            }
            break;
        }
        if (rep) {
            if (strbuf_adds(out, rep) < 0)
                return -1;
            i++;
            continue;
        }
        if (c < 0x80) {
            if (strbuf_addc(out, (char)c) < 0)
                return -1;
            i++;
            continue;
        }
        size_t l = utf8_len(u + i, n - i);
        if (l == 3 && c == 0xE2 && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
            if (strbuf_adds(out, u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029") < 0)
                return -1;
        } else if (l) {
            if (strbuf_add(out, s + i, l) < 0)
                return -1;
        } else {
            if (json ? strbuf_adds(out, "\\ufffd") : strbuf_addc(out, (char)c) < 0)
                return -1;
            l = 1;
        }
        i += l;
    }
    return 0;
}

static int escape_to(strbuf *out, int esc, const char *s, size_t n)
{
    switch (esc) {
    case ESC_HTML: return esc_html(out, s, n);
    case ESC_URL: return esc_url(out, s, n);
    case ESC_JS: return esc_jsjson(out, s, n, 0);
    case ESC_JSON: return esc_jsjson(out, s, n, 1);
    default: return strbuf_add(out, s, n);
    }
}

/* C Template's TMPL_encode_entity and TMPL_encode_url, as compat mode's
 * fmt="entity" and fmt="url". */
static int fmt_entity(const char *value, strbuf *out, void *ctx)
{
    for (const char *p = value; *p; p++) {
        int rc;
        switch (*p) {
        case '&': rc = strbuf_adds(out, "&amp;"); break;
        case '<': rc = strbuf_adds(out, "&lt;"); break;
        case '>': rc = strbuf_adds(out, "&gt;"); break;
        case '"': rc = strbuf_adds(out, "&quot;"); break;
        case '\'': rc = strbuf_adds(out, "&#39;"); break;
        case '\n': rc = strbuf_adds(out, "&#10;"); break;
        case '\r': rc = strbuf_adds(out, "&#13;"); break;
        default: rc = strbuf_addc(out, *p); break;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int fmt_url(const char *value, strbuf *out, void *ctx)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        unsigned c = *p;
        int rc;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '_')
            rc = strbuf_addc(out, (char)c);
        else if (c == ' ')
            rc = strbuf_addc(out, '+');
        else {
            char b[3] = { '%', hex[c >> 4], hex[c & 15] };
            rc = strbuf_add(out, b, 3);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ engine */

tmpl_engine *tmpl_engine_new(const char *root, tmpl_mode mode)
{
    tmpl_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->mode = mode;
    e->errout = stderr;
    e->root = strdup(root && *root ? root : ".");
    if (!e->root)
        goto fail;
    if (mode == TMPL_COMPAT &&
        (tmpl_engine_add_fmt(e, "entity", fmt_entity, NULL) < 0 ||
         tmpl_engine_add_fmt(e, "url", fmt_url, NULL) < 0))
        goto fail;
    return e;
fail:
    tmpl_engine_free(e);
    return NULL;
}

void tmpl_engine_free(tmpl_engine *e)
{
    if (!e)
        return;
    smap_release(&e->cache, cache_free_val);
    for (size_t i = 0; i < e->nfmts; i++)
        free(e->fmts[i].name);
    free(e->fmts);
    free(e->root_real);
    free(e->root);
    free(e);
}

void tmpl_engine_set_errout(tmpl_engine *e, FILE *fp)
{
    if (e)
        e->errout = fp;
}

static void engine_clear_cache(tmpl_engine *e)
{
    smap_release(&e->cache, cache_free_val);
}

int tmpl_engine_add_fmt(tmpl_engine *e, const char *name, tmpl_fmt_fn fn, void *ctx)
{
    if (!e || !name || !fn)
        return -1;
    /* Parsed trees hold the function they were parsed with. */
    engine_clear_cache(e);
    for (size_t i = 0; i < e->nfmts; i++) {
        if (!strcmp(e->fmts[i].name, name)) {
            e->fmts[i].fn = fn;
            e->fmts[i].ctx = ctx;
            return 0;
        }
    }
    fmtdef *nf = realloc(e->fmts, (e->nfmts + 1) * sizeof *nf);
    if (!nf)
        return -1;
    e->fmts = nf;
    char *n = strdup(name);
    if (!n)
        return -1;
    nf[e->nfmts].name = n;
    nf[e->nfmts].fn = fn;
    nf[e->nfmts].ctx = ctx;
    e->nfmts++;
    return 0;
}

static const fmtdef *engine_fmt(const tmpl_engine *e, const char *name)
{
    for (size_t i = 0; i < e->nfmts; i++)
        if (!strcmp(e->fmts[i].name, name))
            return &e->fmts[i];
    return NULL;
}

/* ------------------------------------------------------------ parser */

typedef struct tok {
    int kind;   /* K_* (K_EOF at the end) */
    int line;
    node *n;    /* TEXT and the tags that carry data; NULL for ELSE/END* */
} tok;

typedef struct parser {
    tmpl_engine *e;
    int compat;
    const char *file;   /* name for messages */
    const char *p, *end;
    int line;
    int loop_depth;
    int inc_depth;      /* compat */
    tok cur;
    node *pending;      /* a tag scanned after text, returned next */
    int pending_kind, pending_line;
    int error;          /* compat: structural error; safe: stop */
    int nomem;
    strbuf warn;        /* compat messages */
    aid_errbuf *eb;
} parser;

static void p_warn(parser *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void p_warn(parser *P, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (strbuf_vaddf(&P->warn, fmt, ap) < 0)
        P->nomem = 1;
    va_end(ap);
}

static void p_fail(parser *P, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void p_fail(parser *P, int line, const char *fmt, ...)
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
static node *text_node(parser *P, const char *s, size_t n, int line)
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
 * moves *sp past it, or NULL (with *bad set) when malformed. */
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
 * white space, '=', white space, value. */
static char *compat_attr(const char *attr, const char **sp, int *line)
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
    return v;
}

static const char *kind_name(int k)
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

static node *new_tag_node(parser *P, int kind, int line)
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

/* Compat: scan a tag at q ('<') the way C Template does. */
static int scan_tag_compat(parser *P, const char *q, const char **after, tok *t)
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
    char *name = NULL, *value = NULL, *fmt = NULL;
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
    switch (kind) {
    case K_INCLUDE:
    case K_LOOP:
        if ((name = compat_attr("name", &s, &line)))
            s = skip_ws(s, &line);
        break;
    case K_VAR:
        while ((!name && (name = compat_attr("name", &s, &line))) ||
               (!fmt && (fmt = compat_attr("fmt", &s, &line))) ||
               (!value && (value = compat_attr("default", &s, &line))))
            s = skip_ws(s, &line);
        break;
    case K_IF:
    case K_ELSIF:
        while ((!name && (name = compat_attr("name", &s, &line))) ||
               (!value && (value = compat_attr("value", &s, &line))))
            s = skip_ws(s, &line);
        break;
    case K_BREAK:
    case K_CONT:
        if (s != s0 && (value = compat_attr("level", &s, &line)))
            s = skip_ws(s, &line);
        break;
    }
    if (!commentish && s[0] == '>')
        s += 1;
    else if (!commentish && !container && s[0] == '/' && s[1] == '>')
        s += 2;
    else if (commentish && s[0] == '-' && s[1] == '-' && s[2] == '>')
        s += 3;
    else
        goto failure;
    if (hasname && !name) {
        why = "(missing \"name=\" attribute) ";
        goto failure;
    }
    if (kind == K_VAR && fmt && !(fd = engine_fmt(P->e, fmt))) {
        why = "(bad \"fmt=\" attribute) ";
        goto failure;
    }
    if (kind == K_INCLUDE && P->inc_depth >= TMPL_MAX_INCLUDE_DEPTH) {
        why = "(check for include cycle) ";
        goto failure;
    }
    if (kind == K_BREAK || kind == K_CONT) {
        if (P->loop_depth < 1) {
            why = "(not inside a loop) ";
            goto failure;
        }
        level = 1;
        if (value && ((level = atoi(value)) < 1 || level > P->loop_depth)) {
            why = "(bad \"level=\" attribute) ";
            goto failure;
        }
        free(value);
        value = NULL;
    }
    t->kind = kind;
    t->line = tagline;
    t->n = NULL;
    if (kind != K_ELSE && kind != K_ENDIF && kind != K_ENDLOOP) {
        node *n = new_tag_node(P, kind, tagline);
        if (!n)
            goto failure_nomem;
        n->name = name;
        n->hash = name ? hash_str(name) : 0;
        n->value = value;
        n->fmtname = fmt;
        if (fd) {
            n->fmt = fd->fn;
            n->fmtctx = fd->ctx;
        }
        n->level = level;
        t->n = n;
    } else {
        free(name);
        free(value);
        free(fmt);
    }
    P->line = line;
    *after = s;
    return TAG_OK;

failure:
    p_warn(P, "Ignoring bad %s tag %sin file \"%s\" line %d\n", kind_name(kind), why, P->file,
           tagline);
failure_nomem:
    free(name);
    free(value);
    free(fmt);
    return TAG_NONE;
}

/* Safe: a tag is anything starting <TMPL_, </TMPL_ or <!-- [/]TMPL_; it must
 * be well formed. */
static int scan_tag_safe(parser *P, const char *q, const char **after, tok *t)
{
    static const struct { const char *s; int kind, slash_ok; unsigned attrs, required; } names[] = {
        /* attrs bits: 1 name, 2 default, 4 fmt, 8 escape, 16 value, 32 level */
        { "VAR", K_VAR, 1, 1 | 2 | 4 | 8, 1 },   { "INCLUDE", K_INCLUDE, 1, 1, 1 },
        { "IF", K_IF, 0, 1 | 16, 1 },           { "ELSIF", K_ELSIF, 1, 1 | 16, 1 },
        { "ELSE", K_ELSE, 1, 0, 0 },            { "UNLESS", K_UNLESS, 0, 1, 1 },
        { "LOOP", K_LOOP, 0, 1, 1 },            { "BREAK", K_BREAK, 1, 32, 0 },
        { "CONTINUE", K_CONT, 1, 32, 0 },       { "/IF", K_ENDIF, 0, 0, 0 },
        { "/UNLESS", K_ENDUNLESS, 0, 0, 0 },    { "/LOOP", K_ENDLOOP, 0, 0, 0 },
    };
    static const char *const attr_names[] = { "name", "default", "fmt", "escape", "value", "level" };
    int line = P->line, tagline;
    const char *s = q + 1;
    int commentish = 0, slash = 0;
    char *vals[6] = { 0 };
    char word[32];
    size_t wl = 0;
    int idx = -1;
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
    if (slash)
        word[wl++] = '/';
    while (((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_') &&
           wl < sizeof word - 1)
        word[wl++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s), s++;
    word[wl] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(word, names[i].s))
            idx = (int)i;
    if (idx < 0) {
        p_fail(P, tagline, "unknown tag <%sTMPL_%s>", slash ? "/" : "", word + slash);
        return TAG_ERR;
    }
    const char *tn = kind_name(names[idx].kind);
    for (;;) {
        const char *s0 = s;
        s = skip_ws(s, &line);
        if (!commentish && s[0] == '>') {
            s += 1;
            break;
        }
        if (!commentish && s[0] == '/' && s[1] == '>') {
            if (!names[idx].slash_ok) {
                p_fail(P, tagline, "%s cannot end with />", tn);
                goto fail;
            }
            s += 2;
            break;
        }
        if (commentish && s[0] == '-' && s[1] == '-' && s[2] == '>') {
            s += 3;
            break;
        }
        if (!*s) {
            p_fail(P, tagline, "unterminated %s tag", tn);
            goto fail;
        }
        if (s == s0) {
            p_fail(P, tagline, "malformed %s tag: white space expected before '%.1s'", tn, s);
            goto fail;
        }
        const char *an = s;
        while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')
            s++;
        size_t anl = (size_t)(s - an);
        if (!anl) {
            p_fail(P, tagline, "malformed %s tag at '%.1s'", tn, s);
            goto fail;
        }
        int ai = -1;
        for (int i = 0; i < 6; i++)
            if (strlen(attr_names[i]) == anl && !strncasecmp(an, attr_names[i], anl))
                ai = i;
        if (ai < 0 || !(names[idx].attrs & (1u << ai))) {
            p_fail(P, tagline, "%s: unknown attribute \"%.*s\"", tn, (int)anl, an);
            goto fail;
        }
        if (vals[ai]) {
            p_fail(P, tagline, "%s: duplicate attribute \"%s\"", tn, attr_names[ai]);
            goto fail;
        }
        s = skip_ws(s, &line);
        if (*s != '=') {
            p_fail(P, tagline, "%s: attribute %s has no value", tn, attr_names[ai]);
            goto fail;
        }
        s = skip_ws(s + 1, &line);
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
                p_fail(P, tagline,
                       "%s: bad value for %s (quote it; a quoted value ends on its line)", tn,
                       attr_names[ai]);
            else
                P->nomem = 1, P->error = 1;
            goto fail;
        }
    }
    if ((names[idx].required & 1) && !vals[0]) {
        p_fail(P, tagline, "%s: missing required attribute name", tn);
        goto fail;
    }
    int kind = names[idx].kind;
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
    if (kind == K_VAR) {
        if (vals[2]) {
            const fmtdef *fd = engine_fmt(P->e, vals[2]);
            if (!fd) {
                p_fail(P, tagline, "TMPL_VAR: unknown fmt \"%s\"", vals[2]);
                goto fail;
            }
            n->fmt = fd->fn;
            n->fmtctx = fd->ctx;
        }
        n->escape = ESC_HTML;
        if (vals[3]) {
            static const char *const esc[] = { "html", "url", "js", "json", "none" };
            n->escape = -1;
            for (int i = 0; i < 5; i++)
                if (!strcasecmp(vals[3], esc[i]))
                    n->escape = ESC_HTML + i;
            if (n->escape < 0) {
                p_fail(P, tagline, "TMPL_VAR: unknown escape \"%s\" (html, url, js, json, none)",
                       vals[3]);
                goto fail;
            }
        }
    }
    if (kind == K_BREAK || kind == K_CONT) {
        long lv = 1;
        if (vals[5]) {
            char *endp;
            errno = 0;
            lv = strtol(vals[5], &endp, 10);
            if (*endp || endp == vals[5] || errno)
                lv = -1;
        }
        if (P->loop_depth < 1) {
            p_fail(P, tagline, "%s outside a loop", tn);
            goto fail;
        }
        if (lv < 1 || lv > P->loop_depth) {
            p_fail(P, tagline, "%s: level=\"%s\" must be between 1 and %d (loop depth here)", tn,
                   vals[5], P->loop_depth);
            goto fail;
        }
        n->level = (int)lv;
    }
    n->name = vals[0];
    n->value = kind == K_VAR ? vals[1] : vals[4];
    n->fmtname = vals[2];
    vals[0] = NULL;
    if (kind == K_VAR)
        vals[1] = NULL;
    else
        vals[4] = NULL;
    vals[2] = NULL;
    if (n->name) {
        n->hash = hash_str(n->name);
        n->special = special_of(n->name);
    }
    for (int i = 0; i < 6; i++)
        free(vals[i]);
    t->n = n;
    P->line = line;
    *after = s;
    return TAG_OK;
fail:
    free(n);
    for (int i = 0; i < 6; i++)
        free(vals[i]);
    return TAG_ERR;
}

/* Next token into P->cur: text up to the next tag or comment, or a tag. */
static void next_tok(parser *P)
{
    tok *t = &P->cur;
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
        tok tag = { 0, 0, NULL };
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
                    p_fail(P, P->line, "comment <* has no *>");
                    t->kind = K_EOF;
                    return;
                }
                p_warn(P, "\"<*\" in file \"%s\" line %d has no \"*>\"\n", P->file, P->line);
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

typedef struct pctx {
    int kind;   /* the open construct: K_IF, K_UNLESS, K_LOOP, or 0 at top */
    int line;
    int after_else;
} pctx;

static node *parse_list(parser *P, int stop, const pctx *ctx);

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

static void parse_if(parser *P, int stop)
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
        next_tok(P);
    } else if (P->compat) {
        p_warn(P, "TMPL_IF tag in file \"%s\" line %d has no /TMPL_IF tag\n", P->file, line);
        P->error = 1;
    } else {
        p_fail(P, line, "%s has no /%s", kind_name(c.kind), kind_name(c.kind));
    }
}

static void parse_loop(parser *P, int stop)
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
        next_tok(P);
    } else if (P->compat) {
        p_warn(P, "TMPL_LOOP tag in file \"%s\" line %d has no /TMPL_LOOP tag\n", P->file, line);
        P->error = 1;
    } else {
        p_fail(P, line, "TMPL_LOOP has no /TMPL_LOOP");
    }
}

static node *parse_list(parser *P, int stop, const pctx *ctx)
{
    node *head = NULL, *tail = NULL;
    next_tok(P);
    while (P->cur.kind != K_EOF) {
        int k = P->cur.kind;
        node *n = P->cur.n;
        if (P->error && !P->compat)
            break;
        if (k & (K_ELSIF | K_ELSE | K_ENDIF | K_ENDLOOP | K_ENDUNLESS)) {
            if (k & stop)
                return head;
            if (P->compat) {
                p_warn(P, "Unexpected %s tag in file \"%s\" line %d\n", kind_name(k), P->file,
                       P->cur.line);
                P->error = 1;
                next_tok(P);
                if (k == K_ELSIF)
                    link_node(&head, &tail, n);  /* freed with the list */
                continue;
            }
            if (ctx->kind && ctx->after_else && (k == K_ELSIF || k == K_ELSE))
                p_fail(P, P->cur.line, "%s after TMPL_ELSE (%s at line %d)", kind_name(k),
                       kind_name(ctx->kind), ctx->line);
            else if (ctx->kind)
                p_fail(P, P->cur.line, "unexpected %s inside %s (line %d)", kind_name(k),
                       kind_name(ctx->kind), ctx->line);
            else
                p_fail(P, P->cur.line, "unexpected %s (no open %s)", kind_name(k),
                       k == K_ENDLOOP ? "TMPL_LOOP" : k == K_ENDUNLESS ? "TMPL_UNLESS" : "TMPL_IF");
            node_free(n);
            P->cur.n = NULL;
            break;
        }
        if (k == K_IF || k == K_UNLESS)
            parse_if(P, stop);
        else if (k == K_LOOP)
            parse_loop(P, stop);
        else
            next_tok(P);
        link_node(&head, &tail, n);
    }
    return head;
}

/* Parse text into a new template. Safe: NULL on error (eb set). Compat: a
 * template whose error flag and warnings tell what C Template would do. */
static tmpl *parse_template(tmpl_engine *e, const char *name, const char *text, size_t len,
                            int depth, aid_errbuf *eb, aid_err *err)
{
    parser P;
    memset(&P, 0, sizeof P);
    tmpl *t = calloc(1, sizeof *t);
    *err = AID_ERR_NOMEM;
    if (!t || !(t->name = strdup(name)))
        goto fail;
    t->depth = e->mode == TMPL_COMPAT ? depth : -1;
    P.e = e;
    P.compat = e->mode == TMPL_COMPAT;
    P.file = t->name;
    P.p = text;
    P.end = text + len;
    P.line = 1;
    P.inc_depth = depth;
    P.eb = eb;
    strbuf_init(&P.warn);
    t->root = parse_list(&P, 0, &(pctx){ 0, 0, 0 });
    node_free(P.pending);
    if (P.cur.kind != K_EOF)
        node_free(P.cur.n);
    if (P.nomem)
        goto fail;
    if (P.compat) {
        t->error = P.error;
        t->warnings = strbuf_detach(&P.warn, NULL);
        if (!t->warnings)
            goto fail; /* *err is still AID_ERR_NOMEM */
        *err = AID_OK;
        return t;
    }
    if (P.error) {
        *err = AID_ERR_TEMPLATE;
        goto fail;
    }
    *err = AID_OK;
    return t;
fail:
    if (*err == AID_ERR_NOMEM)
        aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory while parsing", name);
    strbuf_release(&P.warn);
    tmpl_free(t);
    return NULL;
}

/* ----------------------------------------------------------- loading */

/* Read a regular file whole. 0, or -1 with errno. */
static int read_regular(const char *path, char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    char *buf = NULL;
    *data = NULL;
    if (!fp)
        return -1;
    if (fstat(fileno(fp), &st) < 0)
        goto fail;
    if (!S_ISREG(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        goto fail;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf)
        goto fail;
    size_t n = st.st_size ? fread(buf, 1, (size_t)st.st_size, fp) : 0;
    if (n != (size_t)st.st_size) {
        errno = EIO;
        goto fail;
    }
    buf[n] = '\0';
    fclose(fp);
    *data = buf;
    *len = n;
    return 0;
fail:
    free(buf);
    fclose(fp);
    return -1;
}

static char *dir_of(const char *name)
{
    const char *sl = strrchr(name, '/');
    return sl ? strndup(name, (size_t)(sl - name)) : strdup("");
}

/* Safe mode: the template `rel` (relative to the root), from the cache or
 * loaded, parsed and cached. */
static aid_err load_safe(tmpl_engine *e, const char *rel, tmpl **out, aid_errbuf *eb,
                         const char *from, int from_line)
{
    char where[600] = "";
    if (from)
        snprintf(where, sizeof where, "%s:%d: ", from, from_line);
    uint32_t h = hash_str(rel);
    sent *ce = smap_find(&e->cache, rel, h);
    if (ce) {
        *out = ce->val;
        return AID_OK;
    }
    if (rel[0] == '/' || !rel[0])
        return aid_errbuf_set(eb, AID_ERR_TEMPLATE,
                              "%stemplate name \"%s\" must be relative to the template root", where,
                              rel);
    if (!e->root_real && !(e->root_real = realpath(e->root, NULL)))
        return aid_errbuf_set(eb, AID_ERR_IO, "%stemplate root %s: %s", where, e->root,
                              strerror(errno));
    strbuf path = STRBUF_INIT;
    char *real = NULL, *text = NULL;
    size_t len = 0;
    aid_err err = AID_OK;
    tmpl *t = NULL;
    if (fsutil_join(&path, e->root, rel) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!(real = realpath(path.buf, NULL))) {
        err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%scannot read template %s: %s", where, rel,
                             strerror(errno));
        goto cleanup;
    }
    size_t rl = strlen(e->root_real);
    if (strncmp(real, e->root_real, rl) != 0 || (real[rl] != '/' && !(rl == 1 && real[0] == '/'))) {
        err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%stemplate %s is outside the template root %s",
                             where, rel, e->root);
        goto cleanup;
    }
    if (read_regular(real, &text, &len) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%scannot read template %s: %s", where, rel,
                             strerror(errno));
        goto cleanup;
    }
    if (strlen(text) != len) {
        err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%s:%d: template contains a NUL byte", rel, 1);
        goto cleanup;
    }
    if (!(t = parse_template(e, rel, text, len, -1, eb, &err)))
        goto cleanup;
    if (!(t->dir = dir_of(rel))) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!(ce = smap_slot(&e->cache, rel, h))) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    ce->val = t;
    *out = t;
    t = NULL;
cleanup:
    tmpl_free(t);
    free(text);
    free(real);
    strbuf_release(&path);
    return err;
}

/* Compat: read and parse `name` at include depth `depth`. NULL when it
 * cannot be read (the message is printed) or no memory. */
static tmpl *load_compat(tmpl_engine *e, const char *name, int depth, aid_errbuf *eb,
                         aid_err *err)
{
    strbuf path = STRBUF_INIT;
    char *text = NULL;
    size_t len = 0;
    tmpl *t = NULL;
    int rc;
    *err = AID_OK;
    if (name[0] == '/' || !strcmp(e->root, "."))
        rc = strbuf_adds(&path, name);
    else
        rc = fsutil_join(&path, e->root, name);
    if (rc < 0) {
        *err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (read_regular(path.buf, &text, &len) < 0) {
        if (e->errout)
            fprintf(e->errout, "C Template library: failed to read template from file \"%s\"\n",
                    name);
        *err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "failed to read template from file \"%s\"",
                              name);
        goto cleanup;
    }
    /* C Template works on C strings: a NUL byte ends the template. */
    t = parse_template(e, name, text, strlen(text), depth, eb, err);
cleanup:
    free(text);
    strbuf_release(&path);
    return t;
}

/* ------------------------------------------------------------ render */

typedef struct frame {
    size_t i, n;
} frame;

typedef struct rctx {
    tmpl_engine *e;
    strbuf *out;
    aid_errbuf *eb;
    aid_err err;
    int brk, cont;
    int depth;          /* safe: include depth */
    frame *frames;
    size_t nframes, capframes;
    strbuf tmp;
    char num[32];
} rctx;

static int r_fail(rctx *R, aid_err err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int r_fail(rctx *R, aid_err err, const char *fmt, ...)
{
    if (R->eb) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(R->eb->msg, sizeof R->eb->msg, fmt, ap);
        va_end(ap);
    }
    R->err = err;
    return -1;
}

static int r_nomem(rctx *R)
{
    return r_fail(R, AID_ERR_NOMEM, "out of memory while rendering");
}

static const char *lookup_special(rctx *R, int sp)
{
    if (sp == SP_NONE || !R->nframes || R->e->mode == TMPL_COMPAT)
        return NULL;
    const frame *f = &R->frames[R->nframes - 1];
    int v = 0;
    switch (sp) {
    case SP_FIRST: v = f->i == 0; break;
    case SP_LAST: v = f->i + 1 == f->n; break;
    case SP_ODD: v = (f->i + 1) % 2 == 1; break;
    case SP_INNER: v = f->i != 0 && f->i + 1 != f->n; break;
    case SP_COUNTER:
        snprintf(R->num, sizeof R->num, "%zu", f->i + 1);
        return R->num;
    }
    return v ? "1" : "";
}

static const char *lookup(rctx *R, const node *n, const tmpl_vars *v)
{
    const char *s = lookup_special(R, n->special);
    return s ? s : vars_value(v, n->name, n->hash);
}

static int is_true(rctx *R, const node *n, const tmpl_vars *v)
{
    const char *test = n->kind == K_UNLESS ? NULL : n->value;
    const char *value = lookup(R, n, v);
    const tmpl_loop *loop = NULL;
    if (!value)
        loop = vars_loop(v, n->name, n->hash);
    return (!test && value && *value) || (!test && loop) ||
           (test && !*test && !loop && (!value || !*value)) ||
           (test && value && !strcmp(value, test));
}

static int render_list(rctx *R, tmpl *t, node *n, const tmpl_vars *v);

static int render_var(rctx *R, tmpl *t, const node *n, const tmpl_vars *v)
{
    const char *value = lookup(R, n, v);
    if (!value && !(value = n->value))
        return 0;
    int esc = n->escape;
    if (!n->fmt)
        return escape_to(R->out, esc, value, strlen(value)) < 0 ? r_nomem(R) : 0;
    if (esc == ESC_NONE || esc == ESC_DEFAULT) {
        size_t before = R->out->len;
        if (n->fmt(value, R->out, n->fmtctx) < 0 && R->e->mode == TMPL_SAFE) {
            strbuf_setlen(R->out, before);
            return r_fail(R, AID_ERR_TEMPLATE, "%s:%d: fmt \"%s\" cannot format \"%.80s\"",
                          t->name, n->line, n->fmtname, value);
        }
        return 0;
    }
    strbuf_reset(&R->tmp);
    if (n->fmt(value, &R->tmp, n->fmtctx) < 0)
        return r_fail(R, AID_ERR_TEMPLATE, "%s:%d: fmt \"%s\" cannot format \"%.80s\"", t->name,
                      n->line, n->fmtname, value);
    return escape_to(R->out, esc, R->tmp.buf, R->tmp.len) < 0 ? r_nomem(R) : 0;
}

static int render_loop(rctx *R, tmpl *t, node *n, const tmpl_vars *v)
{
    const tmpl_loop *loop = vars_loop(v, n->name, n->hash);
    if (!loop)
        return 0;
    if (R->nframes == R->capframes) {
        size_t nc = R->capframes ? R->capframes * 2 : 8;
        frame *nf = realloc(R->frames, nc * sizeof *nf);
        if (!nf)
            return r_nomem(R);
        R->frames = nf;
        R->capframes = nc;
    }
    size_t fi = R->nframes++;
    int rc = 0;
    for (size_t i = 0; i < loop->n; i++) {
        R->frames[fi].i = i;
        R->frames[fi].n = loop->n;
        if ((rc = render_list(R, t, n->t, loop->rows[i])) < 0)
            break;
        if (R->brk) {
            R->brk--;
            break;
        }
        if (R->cont && --R->cont > 0)
            break;
    }
    R->nframes--;
    return rc;
}

static int render_include(rctx *R, tmpl *t, node *n, const tmpl_vars *v)
{
    tmpl_engine *e = R->e;
    strbuf name = STRBUF_INIT;
    int rc = -1;
    if (e->mode == TMPL_SAFE) {
        if (R->depth >= TMPL_MAX_INCLUDE_DEPTH)
            return r_fail(R, AID_ERR_TEMPLATE,
                          "%s:%d: include depth limit %d exceeded (include cycle?)", t->name,
                          n->line, TMPL_MAX_INCLUDE_DEPTH);
        if (!n->child) {
            int r = !strncmp(n->name, ".../", 4) ? fsutil_join(&name, t->dir, n->name + 4)
                                                 : strbuf_adds(&name, n->name);
            if (r < 0)
                return r_nomem(R);
            const char *rel = name.buf;
            if (!strncmp(n->name, ".../", 4) && !*t->dir)
                rel = n->name + 4;
            aid_err err = load_safe(e, rel, &n->child, R->eb, t->name, n->line);
            strbuf_release(&name);
            if (err) {
                R->err = err;
                return -1;
            }
        }
        R->depth++;
        rc = render_list(R, n->child, n->child->root, v);
        R->depth--;
        return rc;
    }
    /* compat */
    if (!n->child) {
        /* ".../" is the directory of the including file ("" when none) */
        if (!strncmp(n->name, ".../", 4)) {
            const char *sl = strrchr(t->name, '/');
            if (sl && strbuf_add(&name, t->name, (size_t)(sl - t->name + 1)) < 0)
                return r_nomem(R);
            if (strbuf_adds(&name, n->name + 4) < 0)
                return r_nomem(R);
        } else if (strbuf_adds(&name, n->name) < 0) {
            return r_nomem(R);
        }
        aid_err err;
        n->child = load_compat(e, name.buf, t->depth + 1, R->eb, &err);
        strbuf_release(&name);
        if (!n->child) {
            R->err = err ? err : AID_ERR_TEMPLATE;
            return -1;
        }
        n->gen = e->gen - 1;
    }
    if (n->gen != e->gen) {
        n->gen = e->gen;
        if (e->errout && *n->child->warnings)
            fputs(n->child->warnings, e->errout);
    }
    if (n->child->error) {
        const char *w = n->child->warnings;
        size_t l = strcspn(w, "\n");
        return r_fail(R, AID_ERR_TEMPLATE, "%.*s", (int)(l > 900 ? 900 : l), w);
    }
    return render_list(R, n->child, n->child->root, v);
}

static int render_list(rctx *R, tmpl *t, node *n, const tmpl_vars *v)
{
    for (; n; n = n->next) {
        if (R->brk || R->cont)
            return 0;
        switch (n->kind) {
        case K_TEXT:
            if (strbuf_add(R->out, n->name, n->len) < 0)
                return r_nomem(R);
            break;
        case K_VAR:
            if (render_var(R, t, n, v) < 0)
                return -1;
            break;
        case K_IF:
        case K_ELSIF:
        case K_UNLESS: {
            int tr = is_true(R, n, v);
            if (n->kind == K_UNLESS)
                tr = !tr;
            if (render_list(R, t, tr ? n->t : n->f, v) < 0)
                return -1;
            break;
        }
        case K_LOOP:
            if (render_loop(R, t, n, v) < 0)
                return -1;
            break;
        case K_BREAK:
            R->brk = n->level;
            return 0;
        case K_CONT:
            R->cont = n->level;
            return 0;
        case K_INCLUDE:
            if (render_include(R, t, n, v) < 0)
                return -1;
            break;
        }
    }
    return 0;
}

static aid_err render_tree(tmpl_engine *e, tmpl *t, const tmpl_vars *vars, strbuf *out,
                           aid_errbuf *eb)
{
    static const tmpl_vars empty;
    rctx R;
    memset(&R, 0, sizeof R);
    R.e = e;
    R.out = out;
    R.eb = eb;
    strbuf_init(&R.tmp);
    size_t before = out->len;
    int rc = render_list(&R, t, t->root, vars ? vars : &empty);
    free(R.frames);
    strbuf_release(&R.tmp);
    if (rc < 0) {
        if (e->mode == TMPL_SAFE)
            strbuf_setlen(out, before);
        return R.err ? R.err : AID_ERR_TEMPLATE;
    }
    return AID_OK;
}

/* Compat: C Template prints the parse messages of the top template on
 * every call; a structural error means no output at all. */
static aid_err render_compat_top(tmpl_engine *e, tmpl *t, const tmpl_vars *vars, strbuf *out,
                                 aid_errbuf *eb)
{
    e->gen++;
    if (e->errout && *t->warnings) {
        fputs(t->warnings, e->errout);
        fflush(e->errout);
    }
    if (t->error) {
        size_t l = strcspn(t->warnings, "\n");
        return aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%.*s", (int)(l > 900 ? 900 : l),
                              t->warnings);
    }
    aid_err err = render_tree(e, t, vars, out, eb);
    if (e->errout)
        fflush(e->errout);
    return err;
}

aid_err tmpl_render(tmpl_engine *e, const char *name, const tmpl_vars *vars, strbuf *out,
                    aid_errbuf *eb)
{
    if (!e || !name || !out)
        return aid_errbuf_set(eb, AID_ERR_USAGE, "tmpl_render: missing argument");
    if (e->mode == TMPL_SAFE) {
        tmpl *t;
        aid_err err = load_safe(e, name, &t, eb, NULL, 0);
        if (err)
            return err;
        return render_tree(e, t, vars, out, eb);
    }
    uint32_t h = hash_str(name);
    sent *ce = smap_find(&e->cache, name, h);
    tmpl *t = ce ? ce->val : NULL;
    if (!t) {
        aid_err err;
        if (!(t = load_compat(e, name, 0, eb, &err)))
            return err;
        if (!(ce = smap_slot(&e->cache, name, h))) {
            tmpl_free(t);
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
        ce->val = t;
    }
    return render_compat_top(e, t, vars, out, eb);
}

aid_err tmpl_render_string(tmpl_engine *e, const char *name, const char *text,
                           const tmpl_vars *vars, strbuf *out, aid_errbuf *eb)
{
    if (!e || !text || !out)
        return aid_errbuf_set(eb, AID_ERR_USAGE, "tmpl_render_string: missing argument");
    if (!name)
        name = "(none)";
    aid_err err;
    tmpl *t = parse_template(e, name, text, strlen(text), 0, eb, &err);
    if (!t)
        return err;
    if (e->mode == TMPL_SAFE) {
        if (!(t->dir = dir_of(name))) {
            tmpl_free(t);
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
        err = render_tree(e, t, vars, out, eb);
    } else {
        err = render_compat_top(e, t, vars, out, eb);
    }
    tmpl_free(t);
    return err;
}
