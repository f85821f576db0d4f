#include "common/redact.h"

#include <ctype.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"

enum { R_EMAIL, R_IBAN, R_CARD, R_PHONE, R_NUMBER, R_NAME, R_ORDER, R__N };

static const char *const redact_rule_names[R__N] = { "email", "iban", "card", "phone", "number", "name", "order" };
static const char *const redact_default_masks[R__N] = { "[email]", "[iban]", "[card]", "[phone]",
                                                        "[number]", "[name]", "[order]" };
static const char *const redact_default_cues[] = { "my name is", "name is", "name:", "name's",
                                                   "this is", "i am", "i'm", "pulled up for",
                                                   "hi", "hello", "dear", "mr.", "mrs.", "ms." };

typedef struct redact_regex {
    regex_t re;
    char *mask;
} redact_regex;

struct redact_rules {
    bool on[R__N];
    char *mask[R__N];
    int number_min_digits;
    int phone_min_digits;
    char **cues;
    size_t ncues;
    redact_regex *regexes;
    size_t nregexes;
};

static bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }
/* Part of a word for boundary purposes: ASCII alnum, '_' or any non-ASCII byte. */
static bool is_wordc(unsigned char c) { return is_alnum(c) || c == '_' || c >= 0x80; }

void redact_rules_free(redact_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nregexes; i++) {
        regfree(&r->regexes[i].re);
        free(r->regexes[i].mask);
    }
    free(r->regexes);
    for (size_t i = 0; i < r->ncues; i++)
        free(r->cues[i]);
    free(r->cues);
    for (int i = 0; i < R__N; i++)
        free(r->mask[i]);
    free(r);
}

static int redact_add_cue(redact_rules *r, const char *cue)
{
    char **n = realloc(r->cues, (r->ncues + 1) * sizeof *n);
    if (!n)
        return -1;
    r->cues = n;
    if (!(r->cues[r->ncues] = strdup(cue)))
        return -1;
    for (char *p = r->cues[r->ncues]; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    r->ncues++;
    return 0;
}

static int redact_rule_index(const char *name)
{
    for (int i = 0; i < R__N; i++)
        if (!strcmp(name, redact_rule_names[i]))
            return i;
    return -1;
}

/* Split off the next white-space separated word of *p. */
static char *redact_word(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return NULL;
    char *e = s;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    if (*e)
        *e++ = '\0';
    *p = e;
    return s;
}

static aid_err redact_parse_line(redact_rules *r, char *line, const char *path, int lineno,
                                 aid_errbuf *eb)
{
    char *p = line;
    char *cmd = redact_word(&p);
    if (!cmd || *cmd == '#')
        return AID_OK;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!strcmp(cmd, "off") || !strcmp(cmd, "on") || !strcmp(cmd, "mask")) {
        char *name = redact_word(&p);
        int idx = name ? redact_rule_index(name) : -1;
        if (idx < 0)
            return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s:%d: %s needs a rule name (email, iban, card, phone, number, name, order)",
                                  path, lineno, cmd);
        if (!strcmp(cmd, "mask")) {
            while (*p == ' ' || *p == '\t')
                p++;
            if (!*p)
                return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s:%d: mask needs a text", path, lineno);
            char *m = strdup(p);
            if (!m)
                return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            free(r->mask[idx]);
            r->mask[idx] = m;
        } else {
            r->on[idx] = !strcmp(cmd, "on");
        }
        return AID_OK;
    }
    if (!strcmp(cmd, "number_min_digits") || !strcmp(cmd, "phone_min_digits")) {
        char *end;
        long v = strtol(p, &end, 10);
        while (*end == ' ' || *end == '\t')
            end++;
        if (end == p || *end || v < 3 || v > 30)
            return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s:%d: %s needs a number from 3 to 30", path,
                                  lineno, cmd);
        if (cmd[0] == 'n')
            r->number_min_digits = (int)v;
        else
            r->phone_min_digits = (int)v;
        return AID_OK;
    }
    if (!strcmp(cmd, "name_cue")) {
        if (!*p)
            return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s:%d: name_cue needs words", path, lineno);
        if (redact_add_cue(r, p) < 0)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        return AID_OK;
    }
    if (!strcmp(cmd, "regex")) {
        char *mask = redact_word(&p);
        while (*p == ' ' || *p == '\t')
            p++;
        if (!mask || !*p)
            return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s:%d: regex needs a mask and an expression",
                                  path, lineno);
        redact_regex *n = realloc(r->regexes, (r->nregexes + 1) * sizeof *n);
        if (!n)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        r->regexes = n;
        int rc = regcomp(&n[r->nregexes].re, p, REG_EXTENDED);
        if (rc) {
            char msg[256];
            regerror(rc, &n[r->nregexes].re, msg, sizeof msg);
            return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s:%d: bad regular expression: %s", path,
                                  lineno, msg);
        }
        if (!(n[r->nregexes].mask = strdup(mask))) {
            regfree(&n[r->nregexes].re);
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
        r->nregexes++;
        return AID_OK;
    }
    return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s:%d: unknown directive '%s'", path, lineno, cmd);
}

aid_err redact_rules_new(redact_rules **out, const char *rules_path, aid_errbuf *eb)
{
    char *data = NULL;
    aid_err err = AID_OK;
    *out = NULL;
    redact_rules *r = calloc(1, sizeof *r);
    if (!r)
        goto nomem;
    r->number_min_digits = 6;
    r->phone_min_digits = 7;
    for (int i = 0; i < R__N; i++) {
        r->on[i] = true;
        if (!(r->mask[i] = strdup(redact_default_masks[i])))
            goto nomem;
    }
    for (size_t i = 0; i < sizeof redact_default_cues / sizeof redact_default_cues[0]; i++)
        if (redact_add_cue(r, redact_default_cues[i]) < 0)
            goto nomem;
    if (rules_path) {
        size_t len;
        if ((err = fsutil_read_file(rules_path, &data, &len, eb))) {
            if (err != AID_ERR_NOMEM) /* an unreadable rules file is a bad setting */
                err = AID_ERR_CONFIG;
            goto fail;
        }
        int lineno = 0;
        char *p = data;
        while (p && *p) {
            char *nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            lineno++;
            size_t l = strlen(p);
            while (l && (p[l - 1] == '\r' || p[l - 1] == ' ' || p[l - 1] == '\t'))
                p[--l] = '\0';
            if ((err = redact_parse_line(r, p, rules_path, lineno, eb)))
                goto fail;
            p = nl ? nl + 1 : NULL;
        }
        free(data);
    }
    *out = r;
    return AID_OK;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
fail:
    free(data);
    redact_rules_free(r);
    return err;
}

/* ---- scanners ---------------------------------------------------------- */

static bool email_local(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c >= 0x80;
}

static bool email_domain(unsigned char c) { return is_alnum(c) || c == '.' || c == '-' || c >= 0x80; }

/* Length of a UTF-8 punctuation or space character at k (general
 * punctuation U+2000-U+206F, Latin-1 signs U+00A0-U+00BF, CJK punctuation
 * U+3000-U+303F, full-width forms U+FF00-U+FF0F): such characters around an
 * IDN address are not part of it. 0 when it is none. */
static size_t utf8_punct_len(const unsigned char *in, size_t len, size_t k)
{
    if (k + 1 < len && in[k] == 0xC2 && in[k + 1] >= 0xA0 && in[k + 1] <= 0xBF)
        return 2;
    if (k + 2 < len && ((in[k] == 0xE2 && (in[k + 1] == 0x80 || in[k + 1] == 0x81)) ||
                        (in[k] == 0xE3 && in[k + 1] == 0x80) ||
                        (in[k] == 0xEF && in[k + 1] == 0xBC && in[k + 2] <= 0x8F)))
        return 3;
    return 0;
}

/* A quoted local part ("john doe"@...) ending with the quote at q - 1: its
 * start, or q when there is none (at most 64 bytes, one line, not below lo). */
static size_t email_quoted(const unsigned char *in, size_t q, size_t lo)
{
    if (q == 0 || q - 1 < lo || in[q - 1] != '"')
        return q;
    for (size_t b = q - 1; b > lo && q - b < 66;) {
        b--;
        if (in[b] == '\n' || in[b] == '\r')
            return q;
        if (in[b] == '"')
            return b + 1 < q - 1 ? b : q;
    }
    return q;
}

/* at: index of an '@'; lo: lowest index the local part may start at.
 * Letters beyond ASCII count (IDN addresses), so does a quoted local part.
 * On a match sets [*s, *e) and returns true. */
static bool scan_email(const unsigned char *in, size_t len, size_t at, size_t lo, size_t *s, size_t *e)
{
    size_t b = email_quoted(in, at, lo);
    if (b == at) {
        while (b > lo && email_local(in[b - 1]))
            b--;
        for (size_t pl; b < at;) {
            if (in[b] == '.' || in[b] == '-')
                b++;
            else if ((pl = utf8_punct_len(in, at, b)))
                b += pl;
            else
                break;
        }
    }
    if (b == at)
        return false;
    size_t f = at + 1;
    while (f < len && email_domain(in[f]))
        f++;
    for (;;) {
        if (f > at + 1 && (in[f - 1] == '.' || in[f - 1] == '-'))
            f--;
        else if (f >= at + 4 && utf8_punct_len(in, f, f - 3) == 3)
            f -= 3;
        else if (f >= at + 3 && utf8_punct_len(in, f, f - 2) == 2)
            f -= 2;
        else
            break;
    }
    /* need a dot and a top-level label of 2+ letters */
    size_t dot = f;
    while (dot > at + 1 && in[dot - 1] != '.')
        dot--;
    if (dot <= at + 2 || f - dot < 2)
        return false;
    for (size_t k = dot; k < f; k++)
        if (!is_alpha(in[k]) && in[k] < 0x80)
            return false;
    *s = b;
    *e = f;
    return true;
}

static int iban_char_value(unsigned char c)
{
    if (is_digit(c))
        return c - '0';
    return toupper(c) - 'A' + 10;
}

static bool iban_mod97(const char *buf, size_t n)
{
    unsigned rem = 0;
    for (size_t k = 0; k < n; k++) {
        int v = iban_char_value((unsigned char)buf[(k + 4) % n]);
        rem = v >= 10 ? (rem * 100 + (unsigned)v) % 97 : (rem * 10 + (unsigned)v) % 97;
    }
    return rem == 1;
}

/* An IBAN starting at i (a word start): returns its end, or 0. Grouped
 * IBANs have groups of 4 separated by single spaces (the last one shorter). */
static size_t scan_iban(const unsigned char *in, size_t len, size_t i)
{
    if (i + 4 > len || !is_alpha(in[i]) || !is_alpha(in[i + 1]) || !is_digit(in[i + 2]) ||
        !is_digit(in[i + 3]))
        return 0;
    char buf[40];
    size_t n = 0, j = i, group = 0;
    size_t ends[12], nends[12], nc = 0;
    while (j < len && n < 34) {
        if (is_alnum(in[j])) {
            buf[n++] = (char)toupper(in[j]);
            group++;
            j++;
            if (n >= 15 && (j >= len || !is_alnum(in[j])) && nc < 12) {
                ends[nc] = j;
                nends[nc++] = n;
            }
        } else if (in[j] == ' ' && group == 4 && j + 1 < len && is_alnum(in[j + 1])) {
            group = 0;
            j++;
        } else {
            break;
        }
    }
    while (nc--) {
        size_t end = ends[nc];
        if (end < len && is_wordc(in[end]))
            continue;
        if (iban_mod97(buf, nends[nc]))
            return end;
    }
    return 0;
}

static bool luhn_ok(const unsigned char *in, size_t s, size_t e)
{
    int sum = 0, alt = 0;
    for (size_t k = e; k > s; k--) {
        unsigned char c = in[k - 1];
        if (!is_digit(c))
            continue;
        int d = c - '0';
        if (alt) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        alt = !alt;
    }
    return sum % 10 == 0;
}

typedef struct numrun {
    size_t s, e;         /* the run: starts with '+', '(' or a digit, ends with a digit or ')' */
    int digits;
    int groups;
    int glen[8];         /* lengths of the first 8 digit groups */
    char gsep[8];        /* separator before each group (0 for the first) */
    bool plus, paren, space, other_sep;
} numrun;

static bool is_numsep(unsigned char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/'; }

static void scan_numrun(const unsigned char *in, size_t len, size_t i, numrun *r)
{
    memset(r, 0, sizeof *r);
    r->s = i;
    size_t j = i;
    if (in[j] == '+') {
        r->plus = true;
        j++;
    }
    char sep = 0;
    size_t last_end = i;
    while (j < len) {
        if (is_digit(in[j])) {
            size_t g = j;
            while (j < len && is_digit(in[j]))
                j++;
            if (r->groups < 8) {
                r->glen[r->groups] = (int)(j - g);
                r->gsep[r->groups] = sep;
            }
            r->groups++;
            r->digits += (int)(j - g);
            last_end = j;
            if (j < len && in[j] == ')' && r->paren) {
                j++;
                last_end = j;
            }
            /* separators up to the next digit group: at most two, one space at most */
            size_t k = j;
            int nsep = 0, nspace = 0;
            sep = 0;
            while (k < len && is_numsep(in[k]) && nsep < 2) {
                if (in[k] == ' ')
                    nspace++;
                if (in[k] == ')')
                    break;
                if (!sep || in[k] != ' ')
                    sep = (char)in[k];
                if (in[k] == '(')
                    r->paren = true;
                nsep++;
                k++;
            }
            if (nsep == 0 || k >= len || !is_digit(in[k]))
                break;
            if (nspace)
                r->space = true;
            if (sep != ' ' && sep != '-')
                r->other_sep = true;
            j = k;
        } else if (in[j] == '(' && j == r->s + (r->plus ? 1 : 0)) {
            r->paren = true;
            j++;
        } else {
            break;
        }
    }
    r->e = last_end > i ? last_end : i;
}

static bool numrun_datelike(const numrun *r)
{
    if (r->groups != 3 && r->groups != 2)
        return false;
    if (r->groups == 3 && r->gsep[1] == r->gsep[2] &&
        (r->gsep[1] == '-' || r->gsep[1] == '/' || r->gsep[1] == '.')) {
        if (r->glen[0] == 4 && r->glen[1] <= 2 && r->glen[2] <= 2)
            return true;
        if (r->glen[0] <= 2 && r->glen[1] <= 2 && (r->glen[2] == 4 || r->glen[2] == 2))
            return true;
    }
    return false;
}

static bool numrun_decimal_like(const numrun *r)
{
    if (r->groups == 2 && r->gsep[1] == '.')
        return true;
    /* 1.234.567 or 1 234 567: thousands grouping */
    if (r->groups >= 2 && !r->plus && !r->paren) {
        for (int g = 1; g < r->groups && g < 8; g++)
            if (r->glen[g] != 3 || (r->gsep[g] != '.' && r->gsep[g] != ','))
                return false;
        return r->glen[0] <= 3;
    }
    return false;
}

/* ---- the main pass ------------------------------------------------------ */

/* What redact_strip writes for a mask before the word it is part of is
 * blanked (strip_words). */
#define STRIP_MARK "\x1f"

typedef struct redact_out {
    strbuf *out;
    const unsigned char *in;  /* the text scanned (digits and dashes normalised) */
    const unsigned char *src; /* the text as given: what is copied */
    const size_t *map;        /* offset in src of each byte of in (and of its end); NULL = same */
    bool blank;               /* a mask is one space (redact_strip) */
    size_t copied;            /* in[0..copied) is already in out */
    int n;
    int err;
    bool card_talk;           /* the text talks about a card (text_mentions_card) */
} redact_out;

static size_t src_off(const redact_out *o, size_t k) { return o->map ? o->map[k] : k; }

static void emit_mask(redact_out *o, size_t s, size_t e, const char *mask)
{
    if (o->err)
        return;
    size_t from = src_off(o, o->copied), to = src_off(o, s);
    if (strbuf_add(o->out, o->src + from, to - from) < 0 || strbuf_adds(o->out, o->blank ? STRIP_MARK : mask) < 0)
        o->err = 1;
    o->copied = e;
    o->n++;
}

/* The ASCII character a digit, dash or space of another script at k
 * stands for (full-width and Arabic-Indic digits, Unicode dashes and
 * minus, no-break and thin spaces), its length in *n; 0 when none. */
static char norm_char(const unsigned char *in, size_t len, size_t k, size_t *n)
{
    unsigned char a = in[k], b = k + 1 < len ? in[k + 1] : 0, c = k + 2 < len ? in[k + 2] : 0;
    *n = 2;
    if (a == 0xD9 && b >= 0xA0 && b <= 0xA9)
        return (char)('0' + b - 0xA0); /* U+0660..0669 */
    if (a == 0xDB && b >= 0xB0 && b <= 0xB9)
        return (char)('0' + b - 0xB0); /* U+06F0..06F9 */
    if (a == 0xC2 && b == 0xA0)
        return ' ';
    *n = 3;
    if (a == 0xEF && b == 0xBC && c >= 0x90 && c <= 0x99)
        return (char)('0' + c - 0x90); /* U+FF10..FF19 */
    if (a == 0xEF && b == 0xBC && c == 0x8D)
        return '-'; /* U+FF0D */
    if (a == 0xEF && b == 0xB9 && c == 0xA3)
        return '-'; /* U+FE63 */
    if (a == 0xE2 && b == 0x80 && c >= 0x90 && c <= 0x95)
        return '-'; /* U+2010..2015 */
    if (a == 0xE2 && b == 0x88 && c == 0x92)
        return '-'; /* U+2212 */
    if (a == 0xE2 && b == 0x80 && (c == 0xAF || (c >= 0x80 && c <= 0x8A)))
        return ' '; /* U+202F, U+2000..200A */
    if (a == 0xEF && b == 0xBC && c == 0xA0)
        return '@'; /* U+FF20 */
    return 0;
}

/* A copy of in with norm_char applied, and the map of its offsets back to
 * in (*map, len + 1 entries). 1 when nothing needed it (*norm NULL), 0, or
 * -1 (out of memory). */
static int normalise(const unsigned char *in, size_t len, unsigned char **norm, size_t **map, size_t *nlen)
{
    size_t k = 0, n;
    *norm = NULL;
    *map = NULL;
    while (k < len && !(in[k] >= 0xC2 && norm_char(in, len, k, &n)))
        k++;
    if (k == len)
        return 1;
    unsigned char *t = malloc(len + 1);
    size_t *m = malloc((len + 1) * sizeof *m);
    if (!t || !m) {
        free(t);
        free(m);
        return -1;
    }
    size_t j = 0;
    for (k = 0; k < len;) {
        char c = in[k] >= 0xC2 ? norm_char(in, len, k, &n) : 0;
        m[j] = k;
        if (c) {
            t[j++] = (unsigned char)c;
            k += n;
        } else {
            t[j++] = in[k++];
        }
    }
    m[j] = len;
    t[j] = '\0';
    *norm = t;
    *map = m;
    *nlen = j;
    return 0;
}

/* Mask the digit groups of [s, e) that are long enough to be numbers. */
static void mask_long_digit_runs(const redact_rules *r, redact_out *o, size_t s, size_t e)
{
    size_t j = s;
    while (j < e) {
        if (!is_digit(o->in[j])) {
            j++;
            continue;
        }
        size_t g = j;
        while (j < e && is_digit(o->in[j]))
            j++;
        if (r->on[R_NUMBER] && (int)(j - g) >= r->number_min_digits)
            emit_mask(o, g, j, r->mask[R_NUMBER]);
    }
}

/* 13 to 19 digits in groups with one separator throughout (space, double
 * space, '-', '.' or '/'), not a phone's "+" or "(". */
static bool numrun_card_grouped(const numrun *r)
{
    if (r->plus || r->paren || r->digits < 13 || r->digits > 19 || r->groups < 2 || r->groups > 8)
        return false;
    for (int g = 2; g < r->groups; g++)
        if (r->gsep[g] != r->gsep[1])
            return false;
    return r->gsep[1] == ' ' || r->gsep[1] == '-' || r->gsep[1] == '.' || r->gsep[1] == '/';
}

/* Grouped like a card number whatever its checksum (with one separator
 * throughout, or spaces and hyphens mixed): groups of four (the last one 1
 * to 4 digits) or 4-6-4/4-6-5. */
static bool numrun_card_shape(const numrun *r)
{
    bool mixed = !r->plus && !r->paren && r->digits >= 13 && r->digits <= 19 && r->groups >= 2 && r->groups <= 8;
    for (int g = 1; mixed && g < r->groups; g++)
        mixed = r->gsep[g] == ' ' || r->gsep[g] == '-';
    if (!mixed && !numrun_card_grouped(r))
        return false;
    if (r->groups == 3 && r->glen[0] == 4 && r->glen[1] == 6 && (r->glen[2] == 4 || r->glen[2] == 5))
        return true;
    for (int g = 0; g + 1 < r->groups; g++)
        if (r->glen[g] != 4)
            return false;
    return r->groups >= 4;
}

/* The order-number shapes of the sample: 3 digits, then 6 to 8, then 6
 * to 8, joined by '-' ("402-1234567-1234567"). */
static bool numrun_order_shape(const numrun *r)
{
    return !r->plus && !r->paren && r->groups == 3 && r->glen[0] == 3 && r->glen[1] >= 6 && r->glen[1] <= 8 &&
           r->glen[2] >= 6 && r->glen[2] <= 8 && r->gsep[1] == '-' && r->gsep[2] == '-';
}

/* Does the word in[a..b) equal w, ignoring case? */
static bool word_is(const unsigned char *in, size_t a, size_t b, const char *w)
{
    size_t n = strlen(w);
    if (b - a != n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (tolower(in[a + k]) != (unsigned char)w[k])
            return false;
    return true;
}

/* Is the number at s next to an order cue: "#" right before it, or
 * "order", "tracking", "reference", "ref", "awb", "shipment" before it,
 * optionally followed by "id", "no", "number", "nr", "num", "is" and
 * ':', '.', '#' and spaces ("order ID: ", "order number is #")? */
static bool order_context(const unsigned char *in, size_t s)
{
    static const char *const cues[] = { "order", "orders", "tracking", "reference", "ref", "awb", "shipment" };
    static const char *const fillers[] = { "id", "no", "number", "nr", "num", "is" };
    size_t j = s;
    if (s > 0 && in[s - 1] == '#')
        return true; /* "#123456" */
    for (int words = 0; words < 3; words++) {
        while (j > 0 && (in[j - 1] == ' ' || in[j - 1] == ':' || in[j - 1] == '.' || in[j - 1] == '#'))
            j--;
        size_t b = j;
        while (j > 0 && is_alpha(in[j - 1]))
            j--;
        if (j == b || (j > 0 && is_wordc(in[j - 1])))
            return false;
        for (size_t c = 0; c < sizeof cues / sizeof *cues; c++)
            if (word_is(in, j, b, cues[c]))
                return true;
        bool filler = false;
        for (size_t f = 0; f < sizeof fillers / sizeof *fillers && !filler; f++)
            filler = word_is(in, j, b, fillers[f]);
        if (!filler)
            return false;
    }
    return false;
}

/* Does the text talk about a card ("card", "visa", "mastercard", "amex",
 * "credit", "debit", "cvv" at a word start, any case)? */
static bool text_mentions_card(const unsigned char *in, size_t len)
{
    static const char *const words[] = { "card", "visa", "mastercard", "amex", "credit", "debit", "cvv" };
    for (size_t i = 0; i < len; i++) {
        if (!is_alpha(in[i]) || (i > 0 && is_wordc(in[i - 1])))
            continue;
        for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
            size_t n = strlen(words[w]), k = 0;
            while (k < n && i + k < len && tolower(in[i + k]) == (unsigned char)words[w][k])
                k++;
            if (k == n)
                return true;
        }
    }
    return false;
}

/* Classify one run; returns true when it was masked whole. */
static bool classify_run(const redact_rules *r, redact_out *o, const numrun *nr)
{
    if (nr->e <= nr->s || nr->digits == 0)
        return false;
    /* an order, tracking or reference number: by its shape or its cue */
    if (r->on[R_ORDER] && nr->digits >= 5 && !nr->plus && !nr->paren &&
        (numrun_order_shape(nr) || order_context(o->in, nr->s))) {
        emit_mask(o, nr->s, nr->e, r->mask[R_ORDER]);
        return true;
    }
    /* a Luhn-valid number is a card only where the text talks about one */
    bool luhn = o->card_talk && nr->digits >= 13 && nr->digits <= 19 && luhn_ok(o->in, nr->s, nr->e);
    if (r->on[R_CARD] && ((luhn && !nr->plus && !nr->paren && (!nr->other_sep || numrun_card_grouped(nr))) ||
                          numrun_card_shape(nr))) {
        emit_mask(o, nr->s, nr->e, r->mask[R_CARD]);
        return true;
    }
    if (r->on[R_PHONE] && nr->digits >= r->phone_min_digits && nr->digits <= 15 &&
        (nr->plus || nr->paren || nr->groups >= 2) && !numrun_datelike(nr) &&
        !numrun_decimal_like(nr)) {
        emit_mask(o, nr->s, nr->e, r->mask[R_PHONE]);
        return true;
    }
    return false;
}

static void handle_numrun(const redact_rules *r, redact_out *o, const numrun *nr)
{
    if (classify_run(r, o, nr))
        return;
    if (nr->space) {
        /* maybe several things side by side: try the space-separated parts */
        size_t j = nr->s;
        while (j < nr->e) {
            size_t k = j;
            while (k < nr->e && o->in[k] != ' ')
                k++;
            numrun part;
            scan_numrun(o->in, k, j, &part);
            if (!(part.e == k && classify_run(r, o, &part)))
                mask_long_digit_runs(r, o, j, k);
            j = k + 1;
        }
        return;
    }
    mask_long_digit_runs(r, o, nr->s, nr->e);
}

/* A name cue ending at a word boundary at i; returns the index after it. */
static size_t match_cue(const redact_rules *r, const unsigned char *in, size_t len, size_t i)
{
    for (size_t c = 0; c < r->ncues; c++) {
        const char *cue = r->cues[c];
        size_t n = strlen(cue), k = 0;
        while (k < n && i + k < len && tolower(in[i + k]) == (unsigned char)cue[k])
            k++;
        if (k < n)
            continue;
        if (is_alnum((unsigned char)cue[n - 1]) && i + n < len && is_wordc(in[i + n]))
            continue;
        return i + n;
    }
    return 0;
}

/* One or two capitalised words starting at j (after spaces): end or 0. */
static size_t scan_name(const unsigned char *in, size_t len, size_t j, size_t *start)
{
    while (j < len && in[j] == ' ')
        j++;
    *start = j;
    size_t end = 0;
    for (int w = 0; w < 2; w++) {
        if (j >= len || !(in[j] >= 'A' && in[j] <= 'Z'))
            break;
        size_t k = j + 1;
        while (k < len && (is_alpha(in[k]) || in[k] == '\'' || in[k] == '-' || in[k] >= 0x80))
            k++;
        if (k - j < 2)
            break;
        end = k;
        if (k < len && in[k] == ' ' && k + 1 < len)
            j = k + 1;
        else
            break;
    }
    return end;
}

/* The whole text is two or three capitalised words (an answer to "your
 * name?"): the range of the name, or false. */
static bool whole_text_name(const unsigned char *in, size_t len, size_t *s, size_t *e)
{
    size_t a = 0, b = len;
    while (a < b && (in[a] == ' ' || in[a] == '\n' || in[a] == '\t'))
        a++;
    while (b > a && (in[b - 1] == ' ' || in[b - 1] == '\n' || in[b - 1] == '.' || in[b - 1] == '!'))
        b--;
    int words = 0;
    size_t j = a;
    while (j < b) {
        if (!(in[j] >= 'A' && in[j] <= 'Z'))
            return false;
        size_t k = j + 1;
        while (k < b && ((in[k] >= 'a' && in[k] <= 'z') || in[k] == '\'' || in[k] == '-' || in[k] >= 0x80))
            k++;
        if (k - j < 2)
            return false;
        words++;
        if (k == b)
            break;
        if (in[k] != ' ' || k + 1 >= b)
            return false;
        j = k + 1;
    }
    if (words < 2 || words > 3)
        return false;
    *s = a;
    *e = b;
    return true;
}

/* The e-mail addresses of in[0..len): pairs of start and end offsets in
 * *spans (the caller frees it), *n entries. 0 or -1 (out of memory). */
static int email_spans(const unsigned char *in, size_t len, size_t **spans, size_t *n)
{
    size_t aspans = 0, lo = 0;
    *spans = NULL;
    *n = 0;
    for (const unsigned char *p = memchr(in, '@', len); p; p = memchr(p + 1, '@', len - (size_t)(p + 1 - in))) {
        size_t s, e, at = (size_t)(p - in);
        if (at < lo)
            continue;
        if (scan_email(in, len, at, lo, &s, &e)) {
            if (*n + 2 > aspans) {
                size_t na = aspans ? aspans * 2 : 16;
                size_t *ns = realloc(*spans, na * sizeof *ns);
                if (!ns) {
                    free(*spans);
                    *spans = NULL;
                    return -1;
                }
                *spans = ns;
                aspans = na;
            }
            (*spans)[(*n)++] = s;
            (*spans)[(*n)++] = e;
            lo = e;
            if (e > at)
                p = in + e - 1;
        }
        if (p + 1 >= in + len)
            break;
    }
    return 0;
}

/* "First Last:" at the start of a line or after ": " (a speaker label)
 * from i: the offset of the colon, or 0. */
static size_t speaker_label(const unsigned char *in, size_t limit, size_t i)
{
    size_t j = i, words = 0;
    while (j < limit && in[j] >= 'A' && in[j] <= 'Z' && words < 3) {
        size_t k = j + 1;
        while (k < limit && ((in[k] >= 'a' && in[k] <= 'z') || in[k] == '\'' || in[k] == '-'))
            k++;
        if (k - j < 2)
            break;
        words++;
        j = k;
        if (j + 1 < limit && in[j] == ' ' && in[j + 1] >= 'A' && in[j + 1] <= 'Z')
            j++;
        else
            break;
    }
    return words >= 2 && j < limit && in[j] == ':' ? j : 0;
}

/* A name to mask that starts at the word at i (a word boundary): after a
 * cue ("my name is"), a speaker label, a vocative at the end of a sentence
 * ("..., Crystal Minh.") or "<Name> here" at the start of one. Returns the
 * end of the name and sets *ns to its start, or returns 0. */
static size_t name_at(const redact_rules *r, const unsigned char *in, size_t limit, size_t i, size_t *ns)
{
    unsigned char c = in[i];
    size_t after = match_cue(r, in, limit, i);
    for (int chain = 0; after && chain < 2; chain++) { /* "Dear Mr. Patel" */
        size_t k = after, next;
        while (k < limit && in[k] == ' ')
            k++;
        if (k == after || !(next = match_cue(r, in, limit, k)))
            break;
        after = next;
    }
    size_t ne = after ? scan_name(in, limit, after, ns) : 0;
    if (ne)
        return ne;
    bool upper = c >= 'A' && c <= 'Z';
    /* a speaker label at the start of a line, or of a quoted turn ("...: Crystal Minh: hi") */
    if (upper && (i == 0 || in[i - 1] == '\n' || (i >= 2 && in[i - 1] == ' ' && in[i - 2] == ':')) &&
        (ne = speaker_label(in, limit, i))) {
        *ns = i;
        return ne;
    }
    if (upper && i >= 2 && in[i - 1] == ' ' && in[i - 2] == ',') {
        ne = scan_name(in, limit, i, ns);
        if (ne && (ne == limit || in[ne] == '.' || in[ne] == '!' || in[ne] == '?'))
            return ne;
    }
    size_t b = i;
    while (b > 0 && in[b - 1] == ' ')
        b--;
    if (upper && (b == 0 || in[b - 1] == '.' || in[b - 1] == '!' || in[b - 1] == '?' || in[b - 1] == ':' ||
                  in[b - 1] == '\n')) {
        ne = scan_name(in, limit, i, ns);
        if (ne && ne + 5 <= limit && !memcmp(in + ne, " here", 5) && (ne + 5 == limit || !is_wordc(in[ne + 5])))
            return ne;
    }
    return 0;
}

/* A word at i (a letter): an IBAN or a name is masked; the rest of the
 * word is copied. Returns where to go on. */
static size_t mask_word(const redact_rules *r, redact_out *o, const unsigned char *in, size_t limit, size_t i)
{
    bool boundary = i == 0 || !is_wordc(in[i - 1]);
    if (boundary && r->on[R_IBAN]) {
        size_t e = scan_iban(in, limit, i);
        if (e) {
            emit_mask(o, i, e, r->mask[R_IBAN]);
            return e;
        }
    }
    size_t ns, ne;
    if (boundary && r->on[R_NAME] && (ne = name_at(r, in, limit, i, &ns))) {
        emit_mask(o, ns, ne, r->mask[R_NAME]);
        return ne;
    }
    while (i < limit && is_alpha(in[i]))
        i++;
    return i;
}

/* Digits (or a '+' or '(' before them) at i: a phone, card or long digit
 * run is masked. Returns where to go on. */
static size_t mask_digits(const redact_rules *r, redact_out *o, const unsigned char *in, size_t limit, size_t i)
{
    bool boundary = i == 0 || !is_wordc(in[i - 1]);
    if (!boundary) {
        size_t j = i;
        while (j < limit && is_digit(in[j]))
            j++;
        mask_long_digit_runs(r, o, i, j);
        return j > i ? j : i + 1;
    }
    numrun nr;
    scan_numrun(in, limit, i, &nr);
    if (nr.e <= i)
        return i + 1;
    /* the run must end at a word end to be a phone or card */
    if (nr.e < limit && is_alpha(in[nr.e]))
        mask_long_digit_runs(r, o, nr.s, nr.e);
    else
        handle_numrun(r, o, &nr);
    return nr.e;
}

static int redact_scan(redact_out *o, const redact_rules *r, size_t len)
{
    const unsigned char *in = o->in;
    size_t ws, we;
    if (r->on[R_NAME] && len < 64 && whole_text_name(in, len, &ws, &we)) {
        emit_mask(o, ws, we, r->mask[R_NAME]);
        return o->err ? -1 : 0;
    }
    /* e-mail addresses first (they contain digits and words the other rules would cut) */
    size_t *spans = NULL, nspans = 0;
    if (r->on[R_EMAIL] && email_spans(in, len, &spans, &nspans) < 0)
        return -1;
    size_t sp = 0;
    size_t i = 0;
    o->card_talk = text_mentions_card(in, len);
    while (i < len && !o->err) {
        if (sp < nspans && i == spans[sp]) {
            emit_mask(o, spans[sp], spans[sp + 1], r->mask[R_EMAIL]);
            i = spans[sp + 1];
            sp += 2;
            continue;
        }
        size_t limit = sp < nspans ? spans[sp] : len;
        unsigned char c = in[i];
        if (is_alpha(c))
            i = mask_word(r, o, in, limit, i);
        else if (is_digit(c) || ((c == '+' || c == '(') && i + 1 < limit &&
                                 (is_digit(in[i + 1]) || (in[i + 1] == '(' && c == '+'))))
            i = mask_digits(r, o, in, limit, i);
        else
            i++;
    }
    free(spans);
    return o->err ? -1 : 0;
}

static int redact_builtin(const redact_rules *r, const char *text, size_t len, strbuf *out, bool blank)
{
    const unsigned char *src = (const unsigned char *)text;
    unsigned char *norm;
    size_t *map, nlen = len;
    int nr = normalise(src, len, &norm, &map, &nlen);
    if (nr < 0)
        return -1;
    redact_out o = { out, norm ? norm : src, src, map, blank, 0, 0, 0, false };
    if (redact_scan(&o, r, nlen) == 0) {
        size_t from = src_off(&o, o.copied);
        if (strbuf_add(out, src + from, len - from) < 0)
            o.err = 1;
    } else {
        o.err = 1;
    }
    free(norm);
    free(map);
    return o.err ? -1 : o.n;
}

static int redact_regexes(const redact_rules *r, strbuf *text, bool blank)
{
    int n = 0;
    for (size_t k = 0; k < r->nregexes; k++) {
        strbuf res = STRBUF_INIT;
        size_t pos = 0;
        while (pos <= text->len) {
            regmatch_t m;
            if (regexec(&r->regexes[k].re, text->buf + pos, 1, &m, pos ? REG_NOTBOL : 0))
                break;
            size_t s = pos + (size_t)m.rm_so, e = pos + (size_t)m.rm_eo;
            if (strbuf_add(&res, text->buf + pos, s - pos) < 0)
                goto nomem;
            if (e == s) {
                /* an empty match masks nothing: move on one byte */
                if (s < text->len && strbuf_addc(&res, text->buf[s]) < 0)
                    goto nomem;
                pos = s + 1;
                continue;
            }
            if (strbuf_adds(&res, blank ? STRIP_MARK : r->regexes[k].mask) < 0)
                goto nomem;
            n++;
            pos = e;
        }
        if (pos < text->len && strbuf_add(&res, text->buf + pos, text->len - pos) < 0)
            goto nomem;
        strbuf_release(text);
        *text = res;
        continue;
nomem:
        strbuf_release(&res);
        return -1;
    }
    return n;
}

/* Copy t to out with every word that holds a STRIP_MARK (a mask and the
 * letters or digits glued to it: "ORD[number]") made one space. 0 or -1. */
static int strip_words(const strbuf *t, strbuf *out)
{
    const unsigned char *b = (const unsigned char *)t->buf;
    size_t i = 0;
    while (i < t->len) {
        if (!is_wordc(b[i]) && b[i] != STRIP_MARK[0]) {
            if (strbuf_addc(out, (char)b[i++]) < 0)
                return -1;
            continue;
        }
        size_t j = i;
        bool marked = false;
        for (; j < t->len && (is_wordc(b[j]) || b[j] == STRIP_MARK[0]); j++)
            marked |= b[j] == STRIP_MARK[0];
        if (marked ? strbuf_addc(out, ' ') < 0 : strbuf_add(out, t->buf + i, j - i) < 0)
            return -1;
        i = j;
    }
    return 0;
}

static int redact_mode(const redact_rules *r, const char *in, size_t len, strbuf *out, bool blank)
{
    if (!r->nregexes && !blank)
        return redact_builtin(r, in, len, out, blank);
    strbuf tmp = STRBUF_INIT;
    int n = redact_builtin(r, in, len, &tmp, blank);
    int m = n < 0 || !r->nregexes ? (n < 0 ? -1 : 0) : redact_regexes(r, &tmp, blank);
    if (m < 0 || (blank ? strip_words(&tmp, out) : strbuf_add(out, tmp.buf, tmp.len)) < 0) {
        strbuf_release(&tmp);
        return -1;
    }
    strbuf_release(&tmp);
    return n + m;
}

int redact_text(const redact_rules *r, const char *in, size_t len, strbuf *out)
{
    return redact_mode(r, in, len, out, false);
}

int redact_strip(const redact_rules *r, const char *in, size_t len, strbuf *out)
{
    return redact_mode(r, in, len, out, true);
}

char *redact_dup(const redact_rules *r, const char *s, int *nmasks)
{
    strbuf sb = STRBUF_INIT;
    int n = redact_text(r, s, strlen(s), &sb);
    if (n < 0 || strbuf_grow(&sb, 0) < 0) {
        strbuf_release(&sb);
        return NULL;
    }
    if (nmasks)
        *nmasks = n;
    return strbuf_detach(&sb, NULL);
}
