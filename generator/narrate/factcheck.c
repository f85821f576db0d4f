#include "narrate/factcheck.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/jget.h"
#include "narrate/narrator.h"

/* One figure: its absolute value and where it comes from (a report.json
 * path, or an expression of paths for a derived figure; NULL for one
 * added by factcheck_add). */
typedef struct fc_fig {
    double v, sv; /* absolute and signed */
    char *path;
    size_t seq;   /* the order it was added in */
    int depth;    /* dots in its path: a shallow figure is the likelier meaning */
} fc_fig;

struct factcheck {
    fc_fig *f;
    size_t n, alloc;
    bool sorted;
    size_t nown; /* figures added before this one are the report's own */
    const struct json_object *report;
};

static bool fc_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool fc_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* ---- extraction -------------------------------------------------------- */

/* Does text[i..] start a date (YYYY-MM-DD, D/M/YYYY) or a time (H:MM)?
 * Returns its length, or 0. */
static size_t fc_date_len(const unsigned char *t, size_t len, size_t i)
{
    size_t j = i, g[3] = { 0, 0, 0 };
    unsigned char sep = 0;
    for (int k = 0; k < 3; k++) {
        size_t s = j;
        while (j < len && fc_digit(t[j]))
            j++;
        g[k] = j - s;
        if (!g[k])
            return 0;
        if (k == 0 && j < len && t[j] == ':' && g[0] <= 2 && j + 2 < len + 0 && fc_digit(t[j + 1]) &&
            j + 2 < len && fc_digit(t[j + 2])) {
            j += 3;
            while (j < len && (fc_digit(t[j]) || t[j] == ':'))
                j++;
            return j - i;
        }
        if (k == 2)
            break;
        if (j >= len || (t[j] != '-' && t[j] != '/') || (sep && t[j] != sep))
            return 0;
        sep = t[j];
        j++;
    }
    if (g[0] == 4 && g[1] <= 2 && g[2] <= 2)
        return j - i;
    if (g[0] <= 2 && g[1] <= 2 && (g[2] == 4 || g[2] == 2) && sep == '/')
        return j - i;
    return 0;
}

static bool fc_word_before(const unsigned char *t, size_t i, const char *word)
{
    size_t n = strlen(word);
    while (i > 0 && t[i - 1] == ' ')
        i--;
    if (i < n)
        return false;
    if (strncasecmp((const char *)t + i - n, word, n))
        return false;
    return i == n || !fc_alpha(t[i - n - 1]);
}

static size_t fc_suffix(const unsigned char *t, size_t len, size_t j, factcheck_kind *kind)
{
    static const struct { const char *s; factcheck_kind k; } sfx[] = {
        { "%", FACTCHECK_PERCENT },
        { " %", FACTCHECK_PERCENT },
        { "\xc2\xa0%", FACTCHECK_PERCENT },
        { " pp", FACTCHECK_PP },
        { "pp", FACTCHECK_PP },
        { "\xc2\xa0pp", FACTCHECK_PP },
        { " percentage point", FACTCHECK_PP },
        { " percent", FACTCHECK_PERCENT },
        { " per cent", FACTCHECK_PERCENT },
    };
    for (size_t k = 0; k < sizeof sfx / sizeof sfx[0]; k++) {
        size_t n = strlen(sfx[k].s);
        if (j + n <= len && !strncasecmp((const char *)t + j, sfx[k].s, n)) {
            size_t e = j + n;
            if (sfx[k].k == FACTCHECK_PP && fc_alpha(sfx[k].s[n - 1])) {
                if (e < len && t[e] == 's')
                    e++;
                if (e < len && fc_alpha(t[e]))
                    continue;
            }
            *kind = sfx[k].k;
            return e;
        }
    }
    *kind = FACTCHECK_PLAIN;
    return j;
}

size_t factcheck_extract(const char *text, factcheck_num *out, size_t max)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t len = strlen(text), count = 0, i = 0;
    while (i < len) {
        if (!fc_digit(t[i])) {
            i++;
            continue;
        }
        size_t start = i;
        /* glued to a word before: an identifier (v4, W47, gpt-4o, s-1042) */
        bool ident = false;
        if (i > 0 && (fc_alpha(t[i - 1]) || t[i - 1] == '_' || t[i - 1] == '#'))
            ident = true;
        if (i > 1 && t[i - 1] == '-' && (fc_alpha(t[i - 2]) || fc_digit(t[i - 2])))
            ident = ident || fc_alpha(t[i - 2]);
        if (i > 0 && t[i - 1] == '.' && !(i > 1 && t[i - 2] == ' ')) {
            /* ".5" after a word is part of something else (a version, a file) */
            ident = ident || (i > 1 && fc_alpha(t[i - 2]));
        }
        /* "x4.3" (a ratio, the trends' change) is a figure, not an identifier */
        if (i > 0 && t[i - 1] == 'x' && (i == 1 || !(fc_alpha(t[i - 2]) || fc_digit(t[i - 2]) || t[i - 2] == '_')))
            ident = false;
        size_t dl = fc_date_len(t, len, i);
        if (ident || dl) {
            i += dl ? dl : 1;
            while (i < len && (fc_digit(t[i]) || fc_alpha(t[i])))
                i++;
            continue;
        }
        /* the number: digits, thousands groups of 3, decimals */
        size_t j = i;
        double v = 0;
        int intdigits = 0;
        bool grouped = false;
        while (j < len && fc_digit(t[j])) {
            v = v * 10 + (t[j] - '0');
            j++;
            intdigits++;
        }
        while (j + 3 < len + 0 && t[j] == ',' && fc_digit(t[j + 1]) && fc_digit(t[j + 2]) &&
               fc_digit(t[j + 3]) && !(j + 4 < len && fc_digit(t[j + 4]))) {
            v = v * 1000 + (t[j + 1] - '0') * 100 + (t[j + 2] - '0') * 10 + (t[j + 3] - '0');
            j += 4;
            intdigits += 3;
            grouped = true;
        }
        if (j + 3 == len && t[j] == ',' && fc_digit(t[j + 1]) && fc_digit(t[j + 2])) {
            /* "1,23" at the end is not a grouping; leave it */
        }
        int decimals = 0;
        if (j + 1 < len && t[j] == '.' && fc_digit(t[j + 1])) {
            j++;
            double scale = 0.1;
            while (j < len && fc_digit(t[j])) {
                v += (t[j] - '0') * scale;
                scale /= 10;
                decimals++;
                j++;
            }
        }
        factcheck_kind kind;
        size_t end = fc_suffix(t, len, j, &kind);
        /* sign just before */
        bool negative = false;
        size_t off = start;
        if (start >= 3 && !memcmp(t + start - 3, "\xe2\x88\x92", 3)) {
            negative = true;
            off = start - 3;
        } else if (start >= 2 && !memcmp(t + start - 2, "\xc2\xb1", 2)) {
            off = start - 2;
        } else if (start >= 1 && (t[start - 1] == '-' || t[start - 1] == '+') &&
                   !(start >= 2 && (fc_digit(t[start - 2]) || fc_alpha(t[start - 2])))) {
            negative = t[start - 1] == '-';
            off = start - 1;
        } else if (start >= 1 && t[start - 1] == '$') {
            off = start - 1;
        }
        i = end;
        /* allowed by rule */
        if (kind == FACTCHECK_PLAIN && decimals == 0 && v <= 10)
            continue;
        if (kind == FACTCHECK_PLAIN && decimals == 0 && !grouped && intdigits == 4 && v >= 1900 &&
            v <= 2100)
            continue;
        if (kind == FACTCHECK_PLAIN && decimals == 0 && fc_word_before(t, start, "week"))
            continue;
        if (count < max) {
            out[count].off = off;
            out[count].len = end - off;
            out[count].value = v;
            out[count].decimals = decimals;
            out[count].kind = kind;
            out[count].negative = negative;
        }
        count++;
    }
    return count;
}

/* ---- figures ----------------------------------------------------------- */

/* Add a figure with its path (copied; NULL for none). 0 or -1. */
static int fc_addp(factcheck *fc, double f, const char *path)
{
    if (!isfinite(f))
        return 0;
    if (fc->n == fc->alloc) {
        size_t na = fc->alloc ? fc->alloc * 2 : 256;
        fc_fig *nv = realloc(fc->f, na * sizeof *nv);
        if (!nv)
            return -1;
        fc->f = nv;
        fc->alloc = na;
    }
    char *c = NULL;
    if (path && !(c = strdup(path)))
        return -1;
    fc->f[fc->n].v = fabs(f);
    fc->f[fc->n].sv = f;
    fc->f[fc->n].path = c;
    fc->f[fc->n].seq = fc->n;
    fc->f[fc->n].depth = 0;
    for (const char *d = path; d && *d; d++)
        fc->f[fc->n].depth += *d == '.';
    fc->n++;
    fc->sorted = false;
    return 0;
}

/* The same with a path written as a format ("%s-%s"). */
static int fc_addf(factcheck *fc, double f, const char *fmt, const char *a, const char *b)
{
    char path[256];
    snprintf(path, sizeof path, fmt, a, b);
    return fc_addp(fc, f, path);
}

int factcheck_add(factcheck *fc, double f) { return fc_addp(fc, f, NULL); }

static int fc_add_string_numbers(factcheck *fc, const char *s, const char *path)
{
    size_t n = factcheck_extract(s, NULL, 0);
    if (!n)
        return 0;
    factcheck_num *nums = calloc(n, sizeof *nums);
    if (!nums)
        return -1;
    factcheck_extract(s, nums, n);
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++)
        rc = fc_addp(fc, nums[k].kind == FACTCHECK_PLAIN ? nums[k].value : nums[k].value / 100, path);
    free(nums);
    return rc;
}

/* Every number under o; path holds o's path (restored on return). */
static int fc_walk(factcheck *fc, struct json_object *o, strbuf *path, int depth)
{
    if (!o || depth > 40)
        return 0;
    size_t plen = path->len;
    int rc = 0;
    switch (json_object_get_type(o)) {
    case json_type_int:
    case json_type_double:
        return fc_addp(fc, json_object_get_double(o), path->buf);
    case json_type_string:
        return fc_add_string_numbers(fc, json_object_get_string(o), path->buf);
    case json_type_array:
        for (size_t k = 0; k < json_object_array_length(o) && !rc; k++) {
            rc = strbuf_addf(path, plen ? ".%zu" : "%zu", k);
            rc = rc ? rc : fc_walk(fc, json_object_array_get_idx(o, k), path, depth + 1);
            strbuf_setlen(path, plen);
        }
        return rc ? -1 : 0;
    case json_type_object: {
        json_object_object_foreach(o, key, val) {
            if (depth == 0 && !strcmp(key, "narrative"))
                continue;
            if (strbuf_addf(path, plen ? ".%s" : "%s", key) < 0 || fc_walk(fc, val, path, depth + 1))
                rc = -1;
            /* an interval of a share (schema 2, "..._ci": [lo, hi]) is
             * also written in points: "-18.8 to -6.1 pp" */
            size_t kl = strlen(key);
            if (!rc && kl > 3 && !strcmp(key + kl - 3, "_ci") && json_object_is_type(val, json_type_array))
                for (size_t k = 0; k < json_object_array_length(val) && !rc; k++) {
                    char ix[32];
                    snprintf(ix, sizeof ix, "%zu", k);
                    rc = fc_addf(fc, 100 * json_object_get_double(json_object_array_get_idx(val, k)), "100*%s.%s",
                                 path->buf, ix);
                }
            strbuf_setlen(path, plen);
            if (rc)
                return -1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

/* now - before, now / before - 1 and now / before, named after the paths. */
static int fc_pair(factcheck *fc, double now, double before, const char *a, const char *b)
{
    if (isnan(now) || isnan(before))
        return 0;
    if (fc_addf(fc, now - before, "%s-%s", a, b))
        return -1;
    if (before != 0 && (fc_addf(fc, now / before - 1, "%s/%s-1", a, b) || fc_addf(fc, now / before, "%s/%s", a, b)))
        return -1;
    return 0;
}

static int fc_derived(factcheck *fc, const struct json_object *r)
{
    static const char *const totals[] = { "suggestions", "accepted", "edited", "rejected",
                                          "ignored", "with_confidence", "corrections" };
    static const char *const rates[] = { "acceptance", "use", "rejection", "edit" };
    char a[96], b[96];
    double sugg = jget_double(r, "totals.suggestions", NAN);
    for (size_t k = 0; k < sizeof totals / sizeof totals[0]; k++) {
        snprintf(a, sizeof a, "totals.%s", totals[k]);
        snprintf(b, sizeof b, "previous.totals.%s", totals[k]);
        double now = jget_double(r, a, NAN);
        if (fc_pair(fc, now, jget_double(r, b, NAN), a, b))
            return -1;
        if (!isnan(now) && sugg > 0 && fc_addf(fc, now / sugg, "%s/%s", a, "totals.suggestions"))
            return -1;
    }
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        snprintf(a, sizeof a, "rates.%s", rates[k]);
        snprintf(b, sizeof b, "previous.rates.%s", rates[k]);
        if (fc_pair(fc, jget_double(r, a, NAN), jget_double(r, b, NAN), a, b))
            return -1;
    }
    if (fc_pair(fc, jget_double(r, "confidence.mean", NAN), jget_double(r, "confidence.previous_mean", NAN),
                "confidence.mean", "confidence.previous_mean") ||
        fc_pair(fc, jget_double(r, "confidence.ece", NAN), jget_double(r, "previous.ece", NAN), "confidence.ece",
                "previous.ece"))
        return -1;
    /* trends: schema 2's rising and falling lists, schema 1's one list */
    static const char *const tlists[] = { "trends.rising", "trends.falling", "trends" };
    for (size_t l = 0; l < sizeof tlists / sizeof tlists[0]; l++) {
        size_t nt = jget_len(r, tlists[l]);
        for (size_t k = 0; k < nt; k++) {
            snprintf(a, sizeof a, "%s.%zu.count", tlists[l], k);
            snprintf(b, sizeof b, "%s.%zu.previous_count", tlists[l], k);
            if (fc_pair(fc, jget_double(r, a, NAN), jget_double(r, b, NAN), a, b))
                return -1;
        }
    }
    /* schema 2: the level of its intervals ("95% interval") */
    if (jget_int(r, "schema", 1) >= 2 && fc_addp(fc, 0.95, "interval level"))
        return -1;
    /* a p-value below 0.001 is written "p < 0.001" */
    if (jget_double(r, "confidence.drift.psi_p", 1) < 0.001 || jget_double(r, "confidence.drift.ks_p", 1) < 0.001)
        if (fc_addp(fc, 0.001, "confidence.drift.psi_p"))
            return -1;
    /* the built-in narrator's threshold ("fewer than 30 suggestions") */
    if (fc_addp(fc, NARRATOR_MIN_SUGGESTIONS, "narrative.min_suggestions"))
        return -1;
    /* complements of shares: 100% - x */
    size_t n0 = fc->n;
    for (size_t k = 0; k < n0; k++)
        if (fc->f[k].v > 0 && fc->f[k].v < 1 &&
            fc_addf(fc, 1 - fc->f[k].v, "1-%s%s", fc->f[k].path ? fc->f[k].path : "figure", ""))
            return -1;
    return 0;
}

static void fc_sort(const factcheck *fc);

aid_err factcheck_new(factcheck **out, const struct json_object *report, aid_errbuf *eb)
{
    *out = NULL;
    factcheck *fc = calloc(1, sizeof *fc);
    if (!fc)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    strbuf path = STRBUF_INIT;
    fc->report = report;
    int rc = report ? fc_walk(fc, (struct json_object *)report, &path, 0) : 0;
    fc->nown = fc->n;
    if (!rc && report)
        rc = fc_derived(fc, report);
    strbuf_release(&path);
    if (rc) {
        factcheck_free(fc);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    fc_sort(fc);
    *out = fc;
    return AID_OK;
}

void factcheck_free(factcheck *fc)
{
    if (!fc)
        return;
    for (size_t k = 0; k < fc->n; k++)
        free(fc->f[k].path);
    free(fc->f);
    free(fc);
}

/* By value; equal values keep the order they were added in (the report's
 * own figures before derived ones), so the figure a number is matched to
 * does not depend on qsort. */
static int fc_cmp(const void *a, const void *b)
{
    const fc_fig *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void fc_sort(const factcheck *fc)
{
    if (fc->sorted)
        return;
    factcheck *m = (factcheck *)fc; /* sorting is a cache: done once, before any reader shares it */
    if (m->n)
        qsort(m->f, m->n, sizeof *m->f, fc_cmp);
    m->sorted = true;
}

/* The figure in [lo, hi] closest to want (the first added among equals),
 * or NULL. */
static const fc_fig *fc_best_in(const factcheck *fc, double lo, double hi, double want)
{
    size_t a = 0, b = fc->n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (fc->f[mid].v < lo)
            a = mid + 1;
        else
            b = mid;
    }
    const fc_fig *best = NULL;
    /* the report's own figures before derived ones, shallow paths
     * ("rates.use") before deep ones ("top_accepted.5.edits.light_share"),
     * then the closest */
    for (size_t k = a; k < fc->n && fc->f[k].v <= hi; k++) {
        const fc_fig *f = &fc->f[k];
        bool own = f->seq < fc->nown, bown = best && best->seq < fc->nown;
        if (!best || (own && !bown) ||
            (own == bown && (f->depth < best->depth ||
                             (f->depth == best->depth && fabs(f->v - want) < fabs(best->v - want)))))
            best = f;
    }
    return best;
}

/* The figure a number matches, or NULL. */
static const fc_fig *fc_match(const factcheck *fc, const factcheck_num *num)
{
    fc_sort(fc);
    double v = num->value;
    double tol = 0.5 * pow(10, -num->decimals) * (1 + 1e-9) + 1e-12;
    if (num->kind == FACTCHECK_PLAIN && num->decimals == 0 && v >= 100 && v < 1e18) {
        /* "4,400": rounded to its last non-zero digit, if 2+ significant digits remain
         * (below 1e18, which still fits the long long it is cut down in) */
        double p = 1;
        long long iv = (long long)v;
        int zeros = 0, digits = 0;
        for (long long x = iv; x; x /= 10)
            digits++;
        while (iv && iv % 10 == 0) {
            iv /= 10;
            zeros++;
            p *= 10;
        }
        if (zeros && digits - zeros >= 2)
            tol = 0.5 * p;
    }
    const fc_fig *f = NULL;
    switch (num->kind) {
    case FACTCHECK_PLAIN:
        return fc_best_in(fc, v - tol, v + tol, v);
    case FACTCHECK_PERCENT:
        f = fc_best_in(fc, (v - tol) / 100, (v + tol) / 100, v / 100);
        return f ? f : fc_best_in(fc, v - tol, v + tol, v);
    case FACTCHECK_PP:
        return fc_best_in(fc, (v - tol) / 100, (v + tol) / 100, v / 100);
    }
    return NULL;
}

bool factcheck_matches(const factcheck *fc, const factcheck_num *num) { return fc_match(fc, num) != NULL; }

int factcheck_text(const factcheck *fc, const char *text, strbuf *bad)
{
    size_t n = factcheck_extract(text, NULL, 0);
    if (!n)
        return 0;
    factcheck_num *nums = calloc(n, sizeof *nums);
    if (!nums)
        return -1;
    factcheck_extract(text, nums, n);
    int wrong = 0;
    for (size_t k = 0; k < n; k++) {
        if (factcheck_matches(fc, &nums[k]))
            continue;
        if (bad && ((bad->len && strbuf_adds(bad, ", ") < 0) ||
                    strbuf_add(bad, text + nums[k].off, nums[k].len) < 0)) {
            free(nums);
            return -1;
        }
        wrong++;
    }
    free(nums);
    return wrong;
}

/* ---- claims ------------------------------------------------------------ */

const char *factcheck_figure_verdict(const struct json_object *report, const char *path, char *buf, size_t size)
{
    if (!report || !path)
        return NULL;
    if (!strncmp(path, "100*", 4))
        path += 4;
    const char *rates[] = { "acceptance", "use", "rejection", "edit" };
    for (size_t k = 0; k < 4; k++) {
        char a[64], b[96];
        snprintf(a, sizeof a, "changes.%s.", rates[k]);
        snprintf(b, sizeof b, "rates.%s-previous.rates.%s", rates[k], rates[k]);
        if (!strncmp(path, a, strlen(a)) || !strcmp(path, b)) {
            snprintf(buf, size, "changes.%s.verdict", rates[k]);
            return jget_str(report, buf, NULL);
        }
    }
    if (!strncmp(path, "confidence.delta", 16) || !strcmp(path, "confidence.mean-confidence.previous_mean")) {
        snprintf(buf, size, "confidence.delta_verdict");
        return jget_str(report, buf, NULL);
    }
    unsigned idx;
    int used = 0;
    if (sscanf(path, "retraining.%u.impact.%n", &idx, &used) == 1 && used > 0) {
        snprintf(buf, size, "retraining.%u.impact.verdict", idx);
        return jget_str(report, buf, NULL);
    }
    return NULL;
}

/* The words of a text, lower-cased, outside quotes; a break between
 * clauses (. ; : ! ? and the ends of quotes' sentences) is a word of
 * length 0. */
typedef struct fc_word {
    size_t off, len;
    char w[24];
} fc_word;

static int fc_words(const char *text, fc_word **out, size_t *nout)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t len = strlen(text), n = 0, alloc = 0;
    fc_word *w = NULL;
    bool quoted = false;
    for (size_t i = 0; i < len;) {
        bool brk = false;
        size_t wl = 0;
        if (len - i >= 3 && !memcmp(t + i, "\xe2\x80\x9c", 3)) {
            quoted = true;
            i += 3;
            continue;
        }
        if (len - i >= 3 && !memcmp(t + i, "\xe2\x80\x9d", 3)) {
            quoted = false;
            i += 3;
            continue;
        }
        if (t[i] == '"') {
            quoted = !quoted;
            i++;
            continue;
        }
        if (quoted) {
            i++;
            continue;
        }
        if (fc_alpha(t[i])) {
            while (i + wl < len && (fc_alpha(t[i + wl]) || t[i + wl] == '\''))
                wl++;
        } else if (strchr(";:!?", t[i]) || t[i] == '\n' ||
                   (t[i] == '.' && !(i > 0 && fc_digit(t[i - 1]) && i + 1 < len && fc_digit(t[i + 1])))) {
            brk = true;
        } else {
            i++;
            continue;
        }
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 64;
            fc_word *nw = realloc(w, na * sizeof *nw);
            if (!nw) {
                free(w);
                return -1;
            }
            w = nw;
            alloc = na;
        }
        w[n].off = i;
        w[n].len = wl;
        size_t c = 0;
        for (; c < wl && c + 1 < sizeof w[n].w; c++)
            w[n].w[c] = (char)tolower(t[i + c]);
        w[n].w[c] = '\0';
        n++;
        i += brk ? 1 : wl;
    }
    *out = w;
    *nout = n;
    return 0;
}

enum { DIR_UP, DIR_DOWN, DIR_GOOD, DIR_BAD, DIR_STEADY };

static int fc_direction_word(const char *w)
{
    static const struct { const char *w; int d; } words[] = {
        { "rose", DIR_UP }, { "rise", DIR_UP }, { "rises", DIR_UP }, { "risen", DIR_UP }, { "rising", DIR_UP },
        { "up", DIR_UP }, { "increased", DIR_UP }, { "increase", DIR_UP }, { "increases", DIR_UP },
        { "grew", DIR_UP }, { "grown", DIR_UP }, { "jumped", DIR_UP }, { "jump", DIR_UP }, { "climbed", DIR_UP },
        { "fell", DIR_DOWN }, { "fall", DIR_DOWN }, { "falls", DIR_DOWN }, { "fallen", DIR_DOWN },
        { "falling", DIR_DOWN }, { "down", DIR_DOWN }, { "dropped", DIR_DOWN }, { "drop", DIR_DOWN },
        { "drops", DIR_DOWN }, { "decreased", DIR_DOWN }, { "declined", DIR_DOWN }, { "decline", DIR_DOWN },
        { "improved", DIR_GOOD }, { "improves", DIR_GOOD }, { "improvement", DIR_GOOD }, { "better", DIR_GOOD },
        { "worse", DIR_BAD }, { "worsened", DIR_BAD }, { "deteriorated", DIR_BAD },
        { "steady", DIR_STEADY }, { "unchanged", DIR_STEADY }, { "flat", DIR_STEADY }, { "stable", DIR_STEADY },
    };
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (!strcmp(w, words[k].w))
            return words[k].d;
    return -1;
}

/* "ended up", "turned down", ...: not a direction. */
static bool fc_phrasal(const char *before, const char *w)
{
    static const char *const up[] = { "ended", "end", "ends", "follow", "set", "pick", "picked", "look",
                                      "looked", "back", "sign", "signed", "show", "showed", "shows" };
    static const char *const down[] = { "turned", "turn", "turns", "broke", "break", "broken", "narrow",
                                        "narrowed", "slow", "slowed", "calm", "write", "wrote", "written", "put" };
    bool isup = !strcmp(w, "up");
    if (!isup && strcmp(w, "down"))
        return false;
    const char *const *l = isup ? up : down;
    size_t n = isup ? sizeof up / sizeof up[0] : sizeof down / sizeof down[0];
    for (size_t k = 0; k < n; k++)
        if (!strcmp(before, l[k]))
            return true;
    return false;
}

enum { BETTER_NONE, BETTER_HIGHER, BETTER_LOWER };

typedef struct fc_metric {
    const char *words;   /* its words, space separated */
    const char *name;    /* the figure the claim is about */
    int better;
} fc_metric;

static const fc_metric fc_metrics[] = {
    { "acceptance", "changes.acceptance.delta", BETTER_HIGHER },
    { "use rate", "changes.use.delta", BETTER_HIGHER },
    { "usage", "changes.use.delta", BETTER_HIGHER },
    { "rejection", "changes.rejection.delta", BETTER_LOWER },
    { "rejections", "changes.rejection.delta", BETTER_LOWER },
    { "edit rate", "changes.edit.delta", BETTER_NONE },
    { "calibration", "confidence.ece", BETTER_LOWER },
    { "ece", "confidence.ece", BETTER_LOWER },
    { "brier", "confidence.brier", BETTER_LOWER },
    { "confidence", "confidence.delta", BETTER_NONE },
};

static const fc_metric fc_impact = { "its acceptance", "retraining.0.impact.delta", BETTER_HIGHER };

/* Does the word sequence `words` (space separated) start at w[i]? */
static size_t fc_seq_at(const fc_word *w, size_t n, size_t i, const char *words)
{
    size_t k = 0;
    const char *p = words;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (i + k >= n || !w[i + k].len || strlen(w[i + k].w) != l || strncmp(w[i + k].w, p, l))
            return 0;
        k++;
        p += l;
        while (*p == ' ')
            p++;
    }
    return k;
}

/* The verdict and the change of a metric's figure (name), or NULL. */
static const char *fc_metric_verdict(const factcheck *fc, const char *name, double *delta, char *buf, size_t size)
{
    const struct json_object *r = fc->report;
    *delta = NAN;
    if (!strcmp(name, "confidence.ece") || !strcmp(name, "confidence.brier")) {
        double now = jget_double(r, name, NAN);
        double before = jget_double(r, !strcmp(name, "confidence.ece") ? "previous.ece" : "previous.brier", NAN);
        if (isnan(now) || isnan(before))
            return NULL;
        *delta = now - before;
        return *delta > 0.0005 ? "up" : *delta < -0.0005 ? "down" : "steady";
    }
    if (!strncmp(name, "retraining.", 11) && jget_len(r, "retraining") != 1)
        return NULL; /* several updates: which one is not known */
    *delta = jget_double(r, name, NAN);
    const char *v = factcheck_figure_verdict(r, name, buf, size);
    if (!v && !isnan(*delta) && jget_int(r, "schema", 1) < 2)
        v = *delta > 0.0005 ? "up" : *delta < -0.0005 ? "down" : "steady"; /* schema 1: its sign */
    return v;
}

int factcheck_claims(const factcheck *fc, const char *text, factcheck_claim_fn fn, void *ctx)
{
    int wrong = 0, rc = 0;
    /* numbers */
    size_t n = factcheck_extract(text, NULL, 0);
    factcheck_num *nums = n ? calloc(n, sizeof *nums) : NULL;
    if (n && !nums)
        return -1;
    factcheck_extract(text, nums, n);
    char vb[96];
    for (size_t k = 0; k < n && !rc; k++) {
        const fc_fig *f = fc_match(fc, &nums[k]);
        factcheck_claim c = { nums[k].off, nums[k].len, false, f ? f->path : NULL, f ? f->sv : NAN, NULL, NULL,
                              f != NULL };
        if (f)
            c.verdict = factcheck_figure_verdict(fc->report, f->path, vb, sizeof vb);
        if (!f)
            wrong++;
        if (fn)
            rc = fn(ctx, text, &c);
    }
    free(nums);
    if (rc)
        return -1;
    /* directions */
    fc_word *w = NULL;
    size_t nw = 0;
    if (fc_words(text, &w, &nw) < 0)
        return -1;
    for (size_t i = 0; i < nw && !rc; i++) {
        int d = w[i].len ? fc_direction_word(w[i].w) : -1;
        if (d < 0 || (i > 0 && fc_phrasal(w[i - 1].w, w[i].w)))
            continue;
        bool negated = false;
        for (size_t b = i; b > 0 && b + 3 > i; b--)
            if (w[b - 1].len && (!strcmp(w[b - 1].w, "not") || !strcmp(w[b - 1].w, "no") ||
                                 !strcmp(w[b - 1].w, "never") || !strcmp(w[b - 1].w, "barely")))
                negated = true;
        /* the nearest metric in the same clause, at most 6 words away */
        const fc_metric *m = NULL;
        size_t best = 7;
        for (size_t dist = 0; dist < best && !m; dist++) {
            for (int side = 0; side < 2 && !m; side++) {
                if (dist == 0 && side)
                    continue;
                if (side == 0 && dist > i)
                    continue;
                size_t j = side == 0 ? i - dist : i + dist;
                if (j >= nw)
                    continue;
                /* no clause break between */
                bool brk = false;
                for (size_t q = (j < i ? j : i); q <= (j < i ? i : j); q++)
                    brk = brk || !w[q].len;
                if (brk)
                    continue;
                for (size_t k = 0; k < sizeof fc_metrics / sizeof fc_metrics[0] && !m; k++)
                    if (fc_seq_at(w, nw, j, fc_metrics[k].words))
                        m = &fc_metrics[k];
                /* "its acceptance": a prompt update's, not the week's */
                if (m && m == &fc_metrics[0] && j > 0 && !strcmp(w[j - 1].w, "its"))
                    m = &fc_impact;
            }
        }
        if (!m)
            continue;
        const char *said = d == DIR_UP ? "up" : d == DIR_DOWN ? "down" : d == DIR_STEADY ? "steady" : NULL;
        if (d == DIR_GOOD || d == DIR_BAD) {
            if (m->better == BETTER_NONE)
                continue;
            said = (d == DIR_GOOD) == (m->better == BETTER_HIGHER) ? "up" : "down";
        }
        if (negated)
            said = "steady";
        double delta;
        const char *verdict = fc_metric_verdict(fc, m->name, &delta, vb, sizeof vb);
        factcheck_claim c = { w[i].off, w[i].len, true, m->name, delta, verdict, said,
                              verdict && !strcmp(verdict, said) };
        if (!c.ok)
            wrong++;
        if (fn)
            rc = fn(ctx, text, &c);
    }
    free(w);
    return rc ? -1 : wrong;
}

static int fc_reason(void *ctx, const char *text, const factcheck_claim *c)
{
    strbuf *bad = ctx;
    if (c->ok || !c->direction || !bad)
        return 0;
    int rc = bad->len ? strbuf_adds(bad, "; ") : 0;
    rc |= strbuf_addc(bad, '"');
    rc |= strbuf_add(bad, text + c->off, c->len);
    if (c->verdict)
        rc |= strbuf_addf(bad, "\" about %s, whose verdict is %s", c->figure, c->verdict);
    else
        rc |= strbuf_addf(bad, "\" about %s, which has no verdict this week (no previous figure)", c->figure);
    return rc ? -1 : 0;
}

/* Only the direction claims count here. */
static int fc_count_dir(void *ctx, const char *text, const factcheck_claim *c)
{
    int *wrong = ((void **)ctx)[1];
    if (c->direction && !c->ok)
        (*wrong)++;
    return fc_reason(((void **)ctx)[0], text, c);
}

int factcheck_directions(const factcheck *fc, const char *text, strbuf *bad)
{
    int wrong = 0;
    void *ctx[2] = { bad, &wrong };
    if (factcheck_claims(fc, text, fc_count_dir, ctx) < 0)
        return -1;
    return wrong;
}
