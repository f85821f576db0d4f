#include "compute/trends.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jget.h"
#include "common/stats.h"
#include "common/strbuf.h"
#include "common/strmap.h"

typedef struct cand {
    const char *key;
    size_t klen;
    bool phrase;
    int64_t count, base, n2;
    double expected, g2, p, q, log2r;
    const char *surface; /* the most frequent form (not NUL-terminated) */
    size_t slen;
    int64_t scount;
} cand;

int trends_ratio_decimals(double r)
{
    if (!(r > 0) || r >= 10)
        return 0;
    if (r >= 1)
        return 1;
    return 1 - (int)floor(log10(r));
}

int trends_change_text(strbuf *out, double ratio, int64_t count, double expected)
{
    return strbuf_addf(out, "x%.*f (%lld from %.0f)", trends_ratio_decimals(ratio), ratio, (long long)count,
                       expected);
}

static double smoothed_ratio(const cand *c)
{
    return (c->count + TRENDS_SMOOTH) / (c->expected + TRENDS_SMOOTH);
}

static int cmp_g2(const void *x, const void *y)
{
    const cand *a = *(cand *const *)x, *b = *(cand *const *)y;
    if (a->g2 != b->g2)
        return a->g2 > b->g2 ? -1 : 1;
    return strcmp(a->key, b->key);
}

static int cmp_count(const void *x, const void *y)
{
    const cand *a = *(cand *const *)x, *b = *(cand *const *)y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->key, b->key);
}

static int64_t count_in(const strmap *m, const char *k, size_t kl)
{
    const int64_t *v = m ? strmap_get(m, k, kl) : NULL;
    return v ? *v : 0;
}

/* Every topic of this week and of the baseline, with its counts and test
 * (not yet q) into *out. 0 or -1. */
static int collect(const agg *a, const history *h, cand **out, size_t *n)
{
    size_t cap = strmap_count(a->terms) + strmap_count(h->baseline_terms) + 1;
    cand *c = malloc(cap * sizeof *c);
    if (!c)
        return -1;
    *n = 0;
    const strmap *maps[2] = { a->terms, h->baseline_terms };
    double n1 = (double)a->cur.messages;
    for (int m = 0; m < 2; m++)
        for (size_t i = 0; i < strmap_capacity(maps[m]); i++) {
            const char *k;
            size_t kl;
            void *v;
            if (!strmap_slot(maps[m], i, &k, &kl, &v))
                continue;
            cand x = { .key = k, .klen = kl, .phrase = memchr(k, ' ', kl) != NULL };
            x.count = count_in(a->terms, k, kl);
            if (m == 1 && x.count > 0) /* already taken from this week's table */
                continue;
            x.base = count_in(h->baseline_terms, k, kl);
            if (x.count <= 0 && x.base <= 0)
                continue;
            x.n2 = x.phrase ? h->baseline_phrase_messages : h->baseline_messages;
            x.expected = x.n2 > 0 ? (double)x.base * n1 / (double)x.n2 : NAN;
            x.g2 = x.n2 > 0 ? stats_g2((double)x.count, n1, (double)x.base, (double)x.n2) : NAN;
            x.p = isnan(x.g2) ? NAN : stats_chisq_sf(x.g2, 1);
            x.log2r = isnan(x.expected) ? NAN : log2(smoothed_ratio(&x));
            x.q = NAN;
            c[(*n)++] = x;
        }
    *out = c;
    return 0;
}

static bool is_candidate(const cand *c)
{
    return !isnan(c->p) && c->n2 > 0 && fmax((double)c->count, c->expected) >= TRENDS_MIN_COUNT;
}

/* BH over the candidates; returns how many there are, or -1. */
static long adjust(cand *c, size_t n)
{
    double *p = malloc((n + 1) * sizeof *p);
    size_t *idx = malloc((n + 1) * sizeof *idx);
    size_t m = 0;
    long rc = -1;
    if (!p || !idx)
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        if (is_candidate(&c[i])) {
            idx[m] = i;
            p[m++] = c[i].p;
        }
    if (m && stats_bh_adjust(p, m, p) < 0)
        goto cleanup;
    for (size_t j = 0; j < m; j++)
        c[idx[j]].q = p[j];
    rc = (long)m;
cleanup:
    free(idx);
    free(p);
    return rc;
}

/* The most frequent surface form of every picked topic (ties: the smaller
 * form by bytes) from one "topic\tsurface" table, for the topics that have
 * none yet. */
static void pick_surfaces(const strmap *surfaces, const strmap *picked, cand *c)
{
    for (size_t i = 0; surfaces && i < strmap_capacity(surfaces); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(surfaces, i, &k, &kl, &v) || *(int64_t *)v <= 0)
            continue;
        const char *tab = memchr(k, '\t', kl);
        if (!tab)
            continue;
        size_t *slot = strmap_get(picked, k, (size_t)(tab - k));
        if (!slot)
            continue;
        cand *x = &c[*slot];
        const char *s = tab + 1;
        size_t sl = kl - (size_t)(s - k);
        int64_t cnt = *(int64_t *)v;
        if (x->surface && x->scount == -1)
            continue; /* chosen from an earlier table */
        int cmp = 0;
        if (x->surface) {
            cmp = memcmp(s, x->surface, sl < x->slen ? sl : x->slen);
            if (!cmp)
                cmp = sl < x->slen ? -1 : sl > x->slen;
        }
        if (!x->surface || cnt > x->scount || (cnt == x->scount && cmp < 0)) {
            x->surface = s;
            x->slen = sl;
            x->scount = cnt;
        }
    }
}

static struct json_object *num(double v, int decimals)
{
    return isnan(v) || isinf(v) ? NULL : jget_new_num(v, decimals);
}

/* A p-value with 4 significant digits (they run down to 1e-300). */
static struct json_object *pnum(double v)
{
    if (isnan(v))
        return NULL;
    char buf[32];
    snprintf(buf, sizeof buf, "%.4g", v);
    return json_object_new_double_s(atof(buf), buf);
}

/* A JSON null on purpose (v NULL, ok) or a value that must exist. 0 or -1. */
static int set_opt(struct json_object *o, const char *k, bool present, struct json_object *v)
{
    if (!present) {
        json_object_put(v);
        return json_object_object_add(o, k, NULL) != 0 ? -1 : 0;
    }
    return jget_set(o, k, v);
}

static struct json_object *entry_json(const cand *c, const history *h)
{
    struct json_object *e = json_object_new_object();
    strbuf s = STRBUF_INIT;
    if (!e)
        return NULL;
    bool prev = h->prev_terms && (!c->phrase || h->prev_has_phrases);
    bool base = c->n2 > 0;
    double r = base ? smoothed_ratio(c) : NAN;
    char *topic = c->surface ? strndup(c->surface, c->slen) : strndup(c->key, c->klen);
    char *key = strndup(c->key, c->klen);
    if (!topic || !key || (base && trends_change_text(&s, r, c->count, c->expected) < 0))
        goto fail;
    if (jget_set(e, "topic", json_object_new_string(topic)) < 0 || jget_set(e, "stem", json_object_new_string(key)) < 0 ||
        jget_set(e, "kind", json_object_new_string(c->phrase ? "phrase" : "word")) < 0 ||
        jget_set(e, "count", json_object_new_int64(c->count)) < 0 ||
        set_opt(e, "previous_count", prev, json_object_new_int64(count_in(h->prev_terms, c->key, c->klen))) < 0 ||
        set_opt(e, "baseline_count", base, json_object_new_int64(c->base)) < 0 ||
        set_opt(e, "baseline_messages", base, json_object_new_int64(c->n2)) < 0 ||
        set_opt(e, "expected", base, num(c->expected, 2)) < 0 ||
        set_opt(e, "ratio", base, num(r, trends_ratio_decimals(r))) < 0 ||
        set_opt(e, "log2_ratio", base, num(c->log2r, 4)) < 0 || set_opt(e, "g2", base, num(c->g2, 4)) < 0 ||
        set_opt(e, "p", base, pnum(c->p)) < 0 || set_opt(e, "q", !isnan(c->q), pnum(c->q)) < 0 ||
        set_opt(e, "change", base, json_object_new_string(s.buf ? s.buf : "")) < 0)
        goto fail;
    free(topic);
    free(key);
    strbuf_release(&s);
    return e;
fail:
    free(topic);
    free(key);
    strbuf_release(&s);
    json_object_put(e);
    return NULL;
}

/* The first TRENDS_N of sel (sorted) into a new array under name. 0 or -1. */
static int list_json(struct json_object *t, const char *name, cand **sel, size_t n, const history *h)
{
    struct json_object *arr = json_object_new_array();
    if (jget_set(t, name, arr) < 0)
        return -1;
    for (size_t i = 0; i < n && i < TRENDS_N; i++)
        if (jget_push(arr, entry_json(sel[i], h)) < 0)
            return -1;
    return 0;
}

static struct json_object *copy(struct json_object *src)
{
    struct json_object *dst = NULL;
    return json_object_deep_copy(src, &dst, NULL) == 0 ? dst : NULL;
}

static int baseline_json(const agg *a, const history *h, struct json_object *report)
{
    struct json_object *tb = json_object_new_object();
    if (jget_set(report, "trend_baseline", tb) < 0 ||
        jget_set(tb, "weeks", copy(h->baseline_weeks)) < 0 ||
        jget_set(tb, "messages", json_object_new_int64(h->baseline_messages)) < 0 ||
        jget_set(tb, "phrase_messages", json_object_new_int64(h->baseline_phrase_messages)) < 0 ||
        jget_set(tb, "messages_this_week", json_object_new_int64(a->cur.messages)) < 0 ||
        jget_set(tb, "converted_weeks", copy(h->converted_weeks)) < 0)
        return -1;
    return 0;
}

aid_err trends_json(const agg *a, const history *h, struct json_object *report, aid_errbuf *eb)
{
    cand *c = NULL, **rise = NULL, **fall = NULL, **freq = NULL;
    size_t n = 0, nr = 0, nf = 0, nq = 0;
    strmap *picked = NULL;
    aid_err err = AID_OK;
    if (collect(a, h, &c, &n) < 0)
        goto nomem;
    long ncand = adjust(c, n);
    rise = malloc((n + 1) * sizeof *rise);
    fall = malloc((n + 1) * sizeof *fall);
    freq = malloc((n + 1) * sizeof *freq);
    if (ncand < 0 || !rise || !fall || !freq)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        cand *x = &c[i];
        bool sig = !isnan(x->q) && x->q <= TRENDS_Q;
        if (sig && x->log2r >= TRENDS_MIN_LOG2 && x->count >= TRENDS_MIN_COUNT)
            rise[nr++] = x;
        else if (sig && x->log2r <= -TRENDS_MIN_LOG2 && x->expected >= TRENDS_MIN_COUNT)
            fall[nf++] = x;
        if (x->count >= TRENDS_MIN_COUNT)
            freq[nq++] = x;
    }
    qsort(rise, nr, sizeof *rise, cmp_g2);
    qsort(fall, nf, sizeof *fall, cmp_g2);
    qsort(freq, nq, sizeof *freq, cmp_count);
    /* surface forms of what is shown: this week's, else the baseline's */
    if (!(picked = strmap_new(sizeof(size_t))))
        goto nomem;
    cand **lists[3] = { rise, fall, freq };
    size_t lens[3] = { nr, nf, nq };
    for (int l = 0; l < 3; l++)
        for (size_t i = 0; i < lens[l] && i < TRENDS_N; i++) {
            size_t *slot = strmap_upsert(picked, lists[l][i]->key, lists[l][i]->klen, NULL);
            if (!slot)
                goto nomem;
            *slot = (size_t)(lists[l][i] - c);
        }
    pick_surfaces(a->surfaces, picked, c);
    for (size_t i = 0; i < n; i++)
        if (c[i].surface)
            c[i].scount = -1; /* keep this week's choice */
    pick_surfaces(h->baseline_surfaces, picked, c);
    struct json_object *t = json_object_new_object();
    if (jget_set(report, "trends", t) < 0 || jget_set(t, "candidates", json_object_new_int64(ncand)) < 0 ||
        list_json(t, "rising", rise, nr, h) < 0 || list_json(t, "falling", fall, nf, h) < 0 ||
        list_json(t, "frequent", freq, nq, h) < 0 || baseline_json(a, h, report) < 0)
        goto nomem;
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    strmap_free(picked);
    free(freq);
    free(fall);
    free(rise);
    free(c);
    return err;
}
