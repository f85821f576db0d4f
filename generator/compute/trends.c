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
            x.expected = x.n2 > 0 && n1 > 0 ? (double)x.base * n1 / (double)x.n2 : NAN;
            x.g2 = x.p = x.q = x.log2r = NAN;
            if (!isnan(x.expected) && fmax((double)x.count, x.expected) >= TRENDS_MIN_COUNT) {
                /* a candidate: only these are tested (the rest never is shown with a test) */
                x.g2 = stats_g2((double)x.count, n1, (double)x.base, (double)x.n2);
                x.p = stats_chisq_sf(x.g2, 1);
            }
            if (!isnan(x.expected))
                x.log2r = log2(smoothed_ratio(&x));
            c[(*n)++] = x;
        }
    *out = c;
    return 0;
}

/* A baseline for its kind and max(a, e) >= TRENDS_MIN_COUNT (collect tested it). */
static bool is_candidate(const cand *c)
{
    return !isnan(c->p);
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

/* The form a stem is shown by: its most frequent surface (ties: the
 * smaller by bytes), this week's when it occurs, else the baseline's. */
typedef struct form {
    const char *s; /* not NUL-terminated; NULL: none found yet */
    size_t len;
    int64_t count;
    bool done;     /* found in an earlier table */
} form;

/* Word w[0..wl) seen in cnt messages as a form of f's stem. */
static void consider(form *f, const char *w, size_t wl, int64_t cnt)
{
    if (f->done || cnt <= 0)
        return;
    int cmp = 0;
    if (f->s) {
        cmp = memcmp(w, f->s, wl < f->len ? wl : f->len);
        if (!cmp)
            cmp = wl < f->len ? -1 : wl > f->len;
    }
    if (!f->s || cnt > f->count || (cnt == f->count && cmp < 0)) {
        f->s = w;
        f->len = wl;
        f->count = cnt;
    }
}

/* The forms found so far are final. */
static void forms_done(strmap *forms)
{
    for (size_t i = 0; i < strmap_capacity(forms); i++) {
        void *v;
        if (strmap_slot(forms, i, NULL, NULL, &v) && ((form *)v)->s)
            ((form *)v)->done = true;
    }
}

/* This week's forms: the agg's words table (word -> agg_word with its stem). */
static void pick_forms_words(const strmap *words, strmap *forms)
{
    for (size_t i = 0; i < strmap_capacity(words); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(words, i, &k, &kl, &v) || !((agg_word *)v)->stem)
            continue;
        form *f = strmap_get(forms, ((agg_word *)v)->stem, ((agg_word *)v)->stem_len);
        if (f)
            consider(f, k, kl, ((agg_word *)v)->count);
    }
    forms_done(forms);
}

/* The baseline's forms: history's "stem\tword" table. */
static void pick_forms(const strmap *surfaces, strmap *forms)
{
    for (size_t i = 0; surfaces && i < strmap_capacity(surfaces); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(surfaces, i, &k, &kl, &v))
            continue;
        const char *tab = memchr(k, '\t', kl);
        form *f = tab ? strmap_get(forms, k, (size_t)(tab - k)) : NULL;
        if (f)
            consider(f, tab + 1, kl - (size_t)(tab + 1 - k), *(int64_t *)v);
    }
    forms_done(forms);
}

/* The stems of c (one, or the two of a phrase) into forms. 0 or -1. */
static int need_forms(strmap *forms, const cand *c)
{
    const char *sp = c->phrase ? memchr(c->key, ' ', c->klen) : NULL;
    if (!strmap_upsert(forms, c->key, sp ? (size_t)(sp - c->key) : c->klen, NULL))
        return -1;
    if (sp && !strmap_upsert(forms, sp + 1, c->klen - (size_t)(sp + 1 - c->key), NULL))
        return -1;
    return 0;
}

/* The shown form of stem k[0..kl) appended to out. 0 or -1. */
static int add_form(strbuf *out, const strmap *forms, const char *k, size_t kl)
{
    const form *f = strmap_get(forms, k, kl);
    return f && f->s ? strbuf_add(out, f->s, f->len) : strbuf_add(out, k, kl);
}

/* A word's form, or a phrase's as the forms of its two words. 0 or -1. */
static int topic_text(strbuf *out, const strmap *forms, const cand *c)
{
    const char *sp = c->phrase ? memchr(c->key, ' ', c->klen) : NULL;
    if (!sp)
        return add_form(out, forms, c->key, c->klen);
    if (add_form(out, forms, c->key, (size_t)(sp - c->key)) < 0 || strbuf_addc(out, ' ') < 0)
        return -1;
    return add_form(out, forms, sp + 1, c->klen - (size_t)(sp + 1 - c->key));
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

/* k: v when present (v NULL then is a failed constructor), else a JSON
 * null on purpose (v is released). 0 or -1. */
static int set_opt(struct json_object *o, const char *k, bool present, struct json_object *v)
{
    if (!present) {
        json_object_put(v);
        return json_object_object_add(o, k, NULL) != 0 ? -1 : 0;
    }
    return jget_set(o, k, v);
}

static struct json_object *entry_json(const cand *c, const history *h, const strmap *forms)
{
    struct json_object *e = json_object_new_object();
    strbuf s = STRBUF_INIT, tt = STRBUF_INIT;
    if (!e)
        return NULL;
    bool prev = h->prev_terms && (!c->phrase || h->prev_has_phrases);
    bool base = c->n2 > 0 && !isnan(c->expected);
    double r = base ? smoothed_ratio(c) : NAN;
    char *key = strndup(c->key, c->klen);
    if (!key || topic_text(&tt, forms, c) < 0 || strbuf_grow(&tt, 0) < 0 ||
        (base && trends_change_text(&s, r, c->count, c->expected) < 0))
        goto fail;
    if (jget_set(e, "topic", json_object_new_string(tt.buf)) < 0 || jget_set(e, "stem", json_object_new_string(key)) < 0 ||
        jget_set(e, "kind", json_object_new_string(c->phrase ? "phrase" : "word")) < 0 ||
        jget_set(e, "count", json_object_new_int64(c->count)) < 0 ||
        set_opt(e, "previous_count", prev, json_object_new_int64(count_in(h->prev_terms, c->key, c->klen))) < 0 ||
        set_opt(e, "baseline_count", base, json_object_new_int64(c->base)) < 0 ||
        set_opt(e, "baseline_messages", base, json_object_new_int64(c->n2)) < 0 ||
        set_opt(e, "expected", base, num(c->expected, 2)) < 0 ||
        set_opt(e, "ratio", base, num(r, trends_ratio_decimals(r))) < 0 ||
        set_opt(e, "log2_ratio", base, num(c->log2r, 4)) < 0 || set_opt(e, "g2", !isnan(c->g2), num(c->g2, 4)) < 0 ||
        set_opt(e, "p", !isnan(c->p), pnum(c->p)) < 0 || set_opt(e, "q", !isnan(c->q), pnum(c->q)) < 0 ||
        set_opt(e, "change", base, json_object_new_string(s.buf ? s.buf : "")) < 0)
        goto fail;
    free(key);
    strbuf_release(&tt);
    strbuf_release(&s);
    return e;
fail:
    free(key);
    strbuf_release(&tt);
    strbuf_release(&s);
    json_object_put(e);
    return NULL;
}

/* The first TRENDS_N of sel (sorted) into a new array under name. 0 or -1. */
static int list_json(struct json_object *t, const char *name, cand **sel, size_t n, const history *h,
                     const strmap *forms)
{
    struct json_object *arr = json_object_new_array();
    if (jget_set(t, name, arr) < 0)
        return -1;
    for (size_t i = 0; i < n && i < TRENDS_N; i++)
        if (jget_push(arr, entry_json(sel[i], h, forms)) < 0)
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
    strmap *forms = NULL;
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
    /* the forms of what is shown: this week's, else the baseline's */
    if (!(forms = strmap_new(sizeof(form))))
        goto nomem;
    cand **lists[3] = { rise, fall, freq };
    size_t lens[3] = { nr, nf, nq };
    for (int l = 0; l < 3; l++)
        for (size_t i = 0; i < lens[l] && i < TRENDS_N; i++)
            if (need_forms(forms, lists[l][i]) < 0)
                goto nomem;
    pick_forms_words(a->words, forms);
    pick_forms(h->baseline_surfaces, forms);
    struct json_object *t = json_object_new_object();
    if (jget_set(report, "trends", t) < 0 || jget_set(t, "candidates", json_object_new_int64(ncand)) < 0 ||
        list_json(t, "rising", rise, nr, h, forms) < 0 || list_json(t, "falling", fall, nf, h, forms) < 0 ||
        list_json(t, "frequent", freq, nq, h, forms) < 0 || baseline_json(a, h, report) < 0)
        goto nomem;
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    strmap_free(forms);
    free(freq);
    free(fall);
    free(rise);
    free(c);
    return err;
}
