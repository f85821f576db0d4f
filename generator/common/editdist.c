#include "common/editdist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashfn.h"

typedef struct word {
    const char *s;
    size_t len;
    uint64_t hash;
} word;

static int is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The words of s into *out (the caller frees it). 0 or -1. */
static int split(const char *s, size_t len, word **out, size_t *n)
{
    size_t cnt = 0, cap = 0;
    word *w = NULL;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && is_space((unsigned char)s[i]))
            i++;
        if (i == len)
            break;
        size_t b = i;
        while (i < len && !is_space((unsigned char)s[i]))
            i++;
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            word *nw = realloc(w, ncap * sizeof *nw);
            if (!nw) {
                free(w);
                return -1;
            }
            w = nw;
            cap = ncap;
        }
        w[cnt++] = (word){ s + b, i - b, hashfn_bytes(s + b, i - b, 0x65646974) };
    }
    *out = w;
    *n = cnt;
    return 0;
}

static int same(const word *x, const word *y)
{
    return x->hash == y->hash && x->len == y->len && !memcmp(x->s, y->s, x->len);
}

/* Levenshtein over words, two rows of n + 1. -1 when out of memory. */
static int64_t levenshtein(const word *a, size_t na, const word *b, size_t nb)
{
    if (!na)
        return (int64_t)nb;
    if (!nb)
        return (int64_t)na;
    int32_t *row = malloc((nb + 1) * sizeof *row);
    if (!row)
        return -1;
    for (size_t j = 0; j <= nb; j++)
        row[j] = (int32_t)j;
    for (size_t i = 1; i <= na; i++) {
        int32_t diag = row[0];
        row[0] = (int32_t)i;
        for (size_t j = 1; j <= nb; j++) {
            int32_t up = row[j];
            int32_t best = diag + (same(&a[i - 1], &b[j - 1]) ? 0 : 1);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    int64_t d = row[nb];
    free(row);
    return d;
}

int64_t editdist_chars(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    word *w = malloc((na + nb + 1) * sizeof *w);
    if (!w)
        return -1;
    for (size_t i = 0; i < na; i++)
        w[i] = (word){ a + i, 1, (unsigned char)a[i] };
    for (size_t j = 0; j < nb; j++)
        w[na + j] = (word){ b + j, 1, (unsigned char)b[j] };
    int64_t d = levenshtein(w, na, w + na, nb);
    free(w);
    return d;
}

int editdist_words(const char *a, size_t alen, const char *b, size_t blen, int64_t *dist, int64_t *awords,
                   int64_t *bwords)
{
    word *wa = NULL, *wb = NULL;
    size_t na = 0, nb = 0;
    int rc = -1;
    if (split(a, alen, &wa, &na) < 0 || split(b, blen, &wb, &nb) < 0)
        goto cleanup;
    if (awords)
        *awords = (int64_t)na;
    if (bwords)
        *bwords = (int64_t)nb;
    /* common leading and trailing words never change the distance */
    size_t lo = 0;
    while (lo < na && lo < nb && same(&wa[lo], &wb[lo]))
        lo++;
    size_t ea = na, eb = nb;
    while (ea > lo && eb > lo && same(&wa[ea - 1], &wb[eb - 1])) {
        ea--;
        eb--;
    }
    size_t ma = ea - lo, mb = eb - lo, rest = 0;
    if (ma > EDITDIST_CAP_WORDS || mb > EDITDIST_CAP_WORDS) {
        size_t ra = ma > EDITDIST_CAP_WORDS ? ma - EDITDIST_CAP_WORDS : 0;
        size_t rb = mb > EDITDIST_CAP_WORDS ? mb - EDITDIST_CAP_WORDS : 0;
        rest = ra > rb ? ra : rb;
        ma -= ra;
        mb -= rb;
    }
    int64_t d = levenshtein(wa + lo, ma, wb + lo, mb);
    if (d < 0)
        goto cleanup;
    if (dist)
        *dist = d + (int64_t)rest;
    rc = 0;
cleanup:
    free(wb);
    free(wa);
    return rc;
}

int editdist_bin(int64_t dist, int64_t words)
{
    if (words <= 0 || dist >= words)
        return EDITDIST_BINS;
    return dist <= 0 ? 0 : (int)(dist * EDITDIST_BINS / words);
}

int editdist_hist_add(editdist_hist *h, int bin, int64_t delta)
{
    if (bin < 0)
        bin = 0;
    if (bin > EDITDIST_BINS)
        bin = EDITDIST_BINS;
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (h->bin[mid] < bin)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < h->n && h->bin[lo] == bin) {
        h->count[lo] += delta;
        return 0;
    }
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 8;
        uint16_t *nb = realloc(h->bin, ncap * sizeof *nb);
        if (!nb)
            return -1;
        h->bin = nb;
        int64_t *nc = realloc(h->count, ncap * sizeof *nc);
        if (!nc)
            return -1;
        h->count = nc;
        h->cap = ncap;
    }
    memmove(h->bin + lo + 1, h->bin + lo, (h->n - lo) * sizeof *h->bin);
    memmove(h->count + lo + 1, h->count + lo, (h->n - lo) * sizeof *h->count);
    h->bin[lo] = (uint16_t)bin;
    h->count[lo] = delta;
    h->n++;
    return 0;
}

int editdist_hist_merge(editdist_hist *dst, const editdist_hist *src)
{
    for (size_t i = 0; i < src->n; i++)
        if (src->count[i] && editdist_hist_add(dst, src->bin[i], src->count[i]) < 0)
            return -1;
    return 0;
}

void editdist_hist_release(editdist_hist *h)
{
    if (!h)
        return;
    free(h->bin);
    free(h->count);
    *h = (editdist_hist){ 0 };
}

int64_t editdist_hist_total(const editdist_hist *h)
{
    int64_t n = 0;
    for (size_t i = 0; i < h->n; i++)
        n += h->count[i];
    return n;
}

int64_t editdist_hist_below(const editdist_hist *h, int bin)
{
    int64_t n = 0;
    for (size_t i = 0; i < h->n && h->bin[i] < bin; i++)
        n += h->count[i];
    return n;
}

/* The bin of the r-th share in order (r from 1). */
static int nth_bin(const editdist_hist *h, int64_t r)
{
    int64_t seen = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (h->count[i] <= 0)
            continue;
        seen += h->count[i];
        if (seen >= r)
            return h->bin[i];
    }
    return EDITDIST_BINS;
}

double editdist_hist_median(const editdist_hist *h)
{
    int64_t n = editdist_hist_total(h);
    if (n <= 0)
        return NAN;
    int lo = nth_bin(h, (n + 1) / 2), hi = nth_bin(h, n / 2 + 1);
    return (lo + hi) / 2.0 / EDITDIST_BINS;
}
