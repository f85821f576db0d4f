#include "narrate/factcheck.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/jget.h"

struct factcheck {
    double *v;
    size_t n, alloc;
    bool sorted;
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

int factcheck_add(factcheck *fc, double f)
{
    if (!isfinite(f))
        return 0;
    if (fc->n == fc->alloc) {
        size_t na = fc->alloc ? fc->alloc * 2 : 256;
        double *nv = realloc(fc->v, na * sizeof *nv);
        if (!nv)
            return -1;
        fc->v = nv;
        fc->alloc = na;
    }
    fc->v[fc->n++] = fabs(f);
    fc->sorted = false;
    return 0;
}

static int fc_add_string_numbers(factcheck *fc, const char *s)
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
        rc = factcheck_add(fc, nums[k].kind == FACTCHECK_PLAIN ? nums[k].value : nums[k].value / 100);
    free(nums);
    return rc;
}

static int fc_walk(factcheck *fc, struct json_object *o, int depth)
{
    if (!o || depth > 40)
        return 0;
    switch (json_object_get_type(o)) {
    case json_type_int:
    case json_type_double:
        return factcheck_add(fc, json_object_get_double(o));
    case json_type_string:
        return fc_add_string_numbers(fc, json_object_get_string(o));
    case json_type_array:
        for (size_t k = 0; k < json_object_array_length(o); k++)
            if (fc_walk(fc, json_object_array_get_idx(o, k), depth + 1))
                return -1;
        return 0;
    case json_type_object: {
        json_object_object_foreach(o, key, val) {
            if (depth == 0 && !strcmp(key, "narrative"))
                continue;
            if (fc_walk(fc, val, depth + 1))
                return -1;
            /* an interval of a share (schema 2, "..._ci": [lo, hi]) is
             * also written in points: "-18.8 to -6.1 pp" */
            size_t kl = strlen(key);
            if (kl > 3 && !strcmp(key + kl - 3, "_ci") && json_object_is_type(val, json_type_array))
                for (size_t k = 0; k < json_object_array_length(val); k++)
                    if (factcheck_add(fc, 100 * json_object_get_double(json_object_array_get_idx(val, k))))
                        return -1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

static int fc_pair(factcheck *fc, double now, double before)
{
    if (isnan(now) || isnan(before))
        return 0;
    if (factcheck_add(fc, now - before))
        return -1;
    if (before != 0 && (factcheck_add(fc, now / before - 1) || factcheck_add(fc, now / before)))
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
        if (fc_pair(fc, now, jget_double(r, b, NAN)))
            return -1;
        if (!isnan(now) && sugg > 0 && factcheck_add(fc, now / sugg))
            return -1;
    }
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        snprintf(a, sizeof a, "rates.%s", rates[k]);
        snprintf(b, sizeof b, "previous.rates.%s", rates[k]);
        if (fc_pair(fc, jget_double(r, a, NAN), jget_double(r, b, NAN)))
            return -1;
    }
    if (fc_pair(fc, jget_double(r, "confidence.mean", NAN), jget_double(r, "confidence.previous_mean", NAN)) ||
        fc_pair(fc, jget_double(r, "confidence.ece", NAN), jget_double(r, "previous.ece", NAN)))
        return -1;
    /* trends: schema 2's rising and falling lists, schema 1's one list */
    static const char *const tlists[] = { "trends.rising", "trends.falling", "trends" };
    for (size_t l = 0; l < sizeof tlists / sizeof tlists[0]; l++) {
        size_t nt = jget_len(r, tlists[l]);
        for (size_t k = 0; k < nt; k++) {
            snprintf(a, sizeof a, "%s.%zu.count", tlists[l], k);
            snprintf(b, sizeof b, "%s.%zu.previous_count", tlists[l], k);
            if (fc_pair(fc, jget_double(r, a, NAN), jget_double(r, b, NAN)))
                return -1;
        }
    }
    /* schema 2: the level of its intervals ("95% interval") */
    if (jget_int(r, "schema", 1) >= 2 && factcheck_add(fc, 0.95))
        return -1;
    /* a p-value below 0.001 is written "p < 0.001" */
    if (jget_double(r, "confidence.drift.psi_p", 1) < 0.001 || jget_double(r, "confidence.drift.ks_p", 1) < 0.001)
        if (factcheck_add(fc, 0.001))
            return -1;
    /* complements of shares: 100% - x */
    size_t n0 = fc->n;
    for (size_t k = 0; k < n0; k++)
        if (fc->v[k] > 0 && fc->v[k] < 1 && factcheck_add(fc, 1 - fc->v[k]))
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
    if (report && (fc_walk(fc, (struct json_object *)report, 0) || fc_derived(fc, report))) {
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
    free(fc->v);
    free(fc);
}

static int fc_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void fc_sort(const factcheck *fc)
{
    if (fc->sorted)
        return;
    factcheck *m = (factcheck *)fc; /* sorting is a cache: done once, before any reader shares it */
    if (m->n)
        qsort(m->v, m->n, sizeof *m->v, fc_cmp);
    m->sorted = true;
}

/* Any figure in [lo, hi]? */
static bool fc_any_in(const factcheck *fc, double lo, double hi)
{
    size_t a = 0, b = fc->n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (fc->v[mid] < lo)
            a = mid + 1;
        else
            b = mid;
    }
    return a < fc->n && fc->v[a] <= hi;
}

bool factcheck_matches(const factcheck *fc, const factcheck_num *num)
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
    switch (num->kind) {
    case FACTCHECK_PLAIN:
        return fc_any_in(fc, v - tol, v + tol);
    case FACTCHECK_PERCENT:
        return fc_any_in(fc, (v - tol) / 100, (v + tol) / 100) || fc_any_in(fc, v - tol, v + tol);
    case FACTCHECK_PP:
        return fc_any_in(fc, (v - tol) / 100, (v + tol) / 100);
    }
    return false;
}

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
