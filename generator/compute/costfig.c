#include "compute/costfig.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jbuild.h"
#include "common/jget.h"
#include "common/stats.h"
#include "common/strmap.h"
#include "compute/textout.h"

/* Building (common/jbuild.h), with the input at hand. */
typedef struct cb {
    jbuild j;
    const costfig_input *in;
} cb;

void costfig_nano_text(__int128 nano, char *buf, size_t n)
{
    bool neg = nano < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-nano) : (unsigned __int128)nano;
    unsigned long long frac = (unsigned long long)(u % 1000000000u);
    unsigned __int128 whole = u / 1000000000u;
    char w[48];
    size_t wl = 0;
    do {
        w[wl++] = (char)('0' + (int)(whole % 10));
        whole /= 10;
    } while (whole && wl < sizeof w - 1);
    char digits[48];
    for (size_t i = 0; i < wl; i++)
        digits[i] = w[wl - 1 - i];
    digits[wl] = '\0';
    char f[16];
    snprintf(f, sizeof f, "%09llu", frac);
    size_t fl = 9;
    while (fl > 1 && f[fl - 1] == '0')
        fl--;
    f[fl] = '\0';
    snprintf(buf, n, "%s%s.%s", neg ? "-" : "", digits, f);
}

/* A JSON number with the exact text of a nano-unit amount. */
static struct json_object *jnano(cb *b, __int128 nano)
{
    char t[64];
    costfig_nano_text(nano, t, sizeof t);
    return jbuild_made(&b->j, json_object_new_double_s(atof(t), t));
}

/* nano / k rounded half up to a nano-unit (k > 0). */
static __int128 nano_div(__int128 nano, int64_t k)
{
    return (2 * nano + k) / (2 * (__int128)k);
}

static bool stats_has_data(const costagg_stats *s)
{
    return s->latency.n > 0 || s->tin_n > 0 || s->tout_n > 0 || s->cost_n > 0;
}

static struct json_object *tokens_json(cb *b, int64_t n, __int128 sum)
{
    struct json_object *o = jbuild_made(&b->j, json_object_new_object());
    jbuild_add(&b->j, o, "n", jbuild_int(&b->j, n));
    jbuild_add(&b->j, o, "total", jbuild_int(&b->j, (int64_t)sum));
    jbuild_add(&b->j, o, "mean", jbuild_num(&b->j, (double)sum / (double)n, 2));
    return o;
}

/* The 95 % distribution-free interval of the quantile num/den (common/stats.h,
 * stats_quantile_ranks) as [lo, hi]: the lower edge of x_(lo)'s cell and
 * the upper edge of x_(hi)'s, so that the histogram only widens it; null
 * for a side that too few latencies cannot bound. */
static struct json_object *quantile_ci(cb *b, const costagg_hist *h, int64_t num, int64_t den)
{
    int64_t lo, hi;
    stats_quantile_ranks(h->n, (double)num / (double)den, 0.05, &lo, &hi);
    int cl = lo ? costagg_rank_cell(h, lo) : -1, ch = hi ? costagg_rank_cell(h, hi) : -1;
    struct json_object *a = jbuild_made(&b->j, json_object_new_array());
    jbuild_push(&b->j, a, cl >= 0 ? jbuild_num(&b->j, costagg_cell_lo(cl), 0) : NULL);
    jbuild_push(&b->j, a, ch >= 0 ? jbuild_num(&b->j, costagg_cell_lo(ch) + costagg_cell_width(ch), 0) : NULL);
    return a;
}

static double p95_of(const costagg_stats *s)
{
    return costagg_quantile(&s->latency, COSTFIG_P95_NUM, COSTFIG_P95_DEN);
}

/* A group's figures of one week into o: the parts it has data for. */
static void stats_into(cb *b, struct json_object *o, const costagg_stats *s)
{
    jbuild_add(&b->j, o, "suggestions", jbuild_int(&b->j, s->n));
    jbuild_add(&b->j, o, "used", jbuild_int(&b->j, s->used));
    if (s->latency.n > 0) {
        struct json_object *l = jbuild_made(&b->j, json_object_new_object());
        jbuild_add(&b->j, l, "n", jbuild_int(&b->j, s->latency.n));
        jbuild_add(&b->j, l, "median", jbuild_num(&b->j, costagg_quantile(&s->latency, COSTFIG_MEDIAN_NUM, COSTFIG_MEDIAN_DEN), 0));
        jbuild_add(&b->j, l, "median_ci", quantile_ci(b, &s->latency, COSTFIG_MEDIAN_NUM, COSTFIG_MEDIAN_DEN));
        jbuild_add(&b->j, l, "p95", jbuild_num(&b->j, p95_of(s), 0));
        jbuild_add(&b->j, l, "p95_ci", quantile_ci(b, &s->latency, COSTFIG_P95_NUM, COSTFIG_P95_DEN));
        jbuild_add(&b->j, o, "latency_ms", l);
    }
    if (s->tin_n > 0)
        jbuild_add(&b->j, o, "tokens_in", tokens_json(b, s->tin_n, s->tin_sum));
    if (s->tout_n > 0)
        jbuild_add(&b->j, o, "tokens_out", tokens_json(b, s->tout_n, s->tout_sum));
    if (s->cost_n > 0) {
        struct json_object *c = jbuild_made(&b->j, json_object_new_object());
        jbuild_add(&b->j, c, "n", jbuild_int(&b->j, s->cost_n));
        jbuild_add(&b->j, c, "used", jbuild_int(&b->j, s->cost_used));
        jbuild_add(&b->j, c, "total", jnano(b, s->cost_nano));
        if (s->cost_used > 0)
            jbuild_add(&b->j, c, "per_used_reply", jnano(b, nano_div(s->cost_nano, s->cost_used)));
        jbuild_add(&b->j, o, "cost", c);
    }
}

/* The week before of one group: what the archive's report says (prev, an
 * entry of its cost section, or NULL) or the logs (s). Adds "previous" and
 * "change" to o when the week before has the figure. */
static void previous_into(cb *b, struct json_object *o, const costagg_stats *cur, const costagg_stats *s,
                          const struct json_object *prev, bool from_archive)
{
    double p95 = NAN, cpu = NAN;
    struct json_object *pj = NULL;
    if (from_archive) {
        if (!prev)
            return;
        p95 = jget_double(prev, "latency_ms.p95", NAN);
        cpu = jget_double(prev, "cost.per_used_reply", NAN);
        if (json_object_deep_copy((struct json_object *)prev, &pj, NULL) != 0) {
            b->j.oom = true;
            json_object_put(pj);
            return;
        }
        json_object_object_del(pj, "previous");
        json_object_object_del(pj, "change");
        json_object_object_del(pj, "prompt_id");
        json_object_object_del(pj, "model");
        jbuild_add(&b->j, pj, "source", jbuild_made(&b->j, json_object_new_string("archive")));
    } else {
        if (!stats_has_data(s))
            return;
        pj = jbuild_made(&b->j, json_object_new_object());
        stats_into(b, pj, s);
        jbuild_add(&b->j, pj, "source", jbuild_made(&b->j, json_object_new_string("logs")));
        p95 = s->latency.n > 0 ? p95_of(s) : NAN;
        cpu = s->cost_used > 0 ? (double)nano_div(s->cost_nano, s->cost_used) / 1e9 : NAN;
    }
    jbuild_add(&b->j, o, "previous", pj);
    struct json_object *ch = jbuild_made(&b->j, json_object_new_object());
    bool any = false;
    if (cur->latency.n > 0 && !isnan(p95)) {
        jbuild_add(&b->j, ch, "latency_p95_ms", jbuild_num(&b->j, p95_of(cur) - p95, 0));
        any = true;
    }
    if (cur->cost_used > 0 && !isnan(cpu)) {
        double now = (double)nano_div(cur->cost_nano, cur->cost_used) / 1e9;
        jbuild_add(&b->j, ch, "cost_per_used_reply", jbuild_num(&b->j, now - cpu, 9));
        if (cpu > 0)
            jbuild_add(&b->j, ch, "cost_per_used_reply_ratio", jbuild_num(&b->j, now / cpu, 4));
        any = true;
    }
    if (any)
        jbuild_add(&b->j, o, "change", ch);
    else
        json_object_put(ch);
}

typedef struct ref {
    const char *key; /* the key as published (sanitised, redacted) */
    const costagg_entry *e;
} ref;

static int cmp_ref(const void *x, const void *y)
{
    return strcmp(((const ref *)x)->key, ((const ref *)y)->key);
}

/* The archive's entry of the week before whose field k is key. */
static const struct json_object *prev_entry(const struct json_object *prev_report, const char *arr,
                                            const char *k, const char *key)
{
    struct json_object *a = prev_report ? jget(prev_report, arr) : NULL;
    for (size_t i = 0; a && json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++) {
        struct json_object *x = json_object_array_get_idx(a, i);
        if (!strcmp(jget_str(x, k, ""), key))
            return x;
    }
    return NULL;
}

/* One table (prompts or models) as a sorted array; its entries with data
 * this week only. */
static struct json_object *table_json(cb *b, const strmap *m, const char *field, const char *arrpath,
                                      bool from_archive)
{
    size_t cap = strmap_count(m) + 1, n = 0;
    ref *r = calloc(cap, sizeof *r);
    struct json_object **keys = calloc(cap, sizeof *keys);
    struct json_object *arr = jbuild_made(&b->j, json_object_new_array());
    if (!r || !keys) {
        b->j.oom = true;
        goto cleanup;
    }
    for (size_t i = 0; i < strmap_capacity(m); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(m, i, &k, &kl, &v) || !stats_has_data(&((costagg_entry *)v)->w[0]))
            continue;
        struct json_object *ks = NULL;
        if (textout_json(b->in->redact, k, kl, &ks) < 0 || !ks) {
            b->j.oom = true;
            goto cleanup;
        }
        keys[n] = ks;
        r[n++] = (ref){ json_object_get_string(ks), v };
    }
    /* r's keys stay alive in keys[] (in r's first order) until cleanup */
    ref *sorted = calloc(n + 1, sizeof *sorted);
    if (!sorted) {
        b->j.oom = true;
        goto cleanup;
    }
    memcpy(sorted, r, n * sizeof *r);
    qsort(sorted, n, sizeof *sorted, cmp_ref);
    for (size_t i = 0; i < n; i++) {
        const costagg_entry *e = sorted[i].e;
        struct json_object *o = jbuild_made(&b->j, json_object_new_object());
        jbuild_add(&b->j, o, field, jbuild_made(&b->j, json_object_new_string(sorted[i].key)));
        stats_into(b, o, &e->w[0]);
        previous_into(b, o, &e->w[0], &e->w[1],
                      from_archive ? prev_entry(b->in->prev_report, arrpath, field, sorted[i].key) : NULL,
                      from_archive);
        jbuild_push(&b->j, arr, o);
    }
    free(sorted);
cleanup:
    for (size_t i = 0; keys && i < n; i++)
        json_object_put(keys[i]);
    free(keys);
    free(r);
    return arr;
}

aid_err costfig_json(const costfig_input *in, struct json_object **out, aid_errbuf *eb)
{
    *out = NULL;
    const costagg *c = in->agg;
    if (!c || !stats_has_data(&c->all.w[0]))
        return AID_OK;
    cb b = { { false }, in };
    /* the week before comes from the archive when it has that week's
     * report (like the other figures), else from the logs */
    const struct json_object *pr = in->prev_report;
    bool from_archive = pr && jget_int(pr, "totals.suggestions", 0) > 0;
    struct json_object *o = jbuild_made(&b.j, json_object_new_object());
    jbuild_add(&b.j, o, "currency", jbuild_made(&b.j, json_object_new_string(in->currency && *in->currency ? in->currency : "USD")));
    struct json_object *prec = jbuild_made(&b.j, json_object_new_object());
    jbuild_add(&b.j, prec, "exact_below_ms", jbuild_int(&b.j, COSTAGG_EXACT_MS));
    jbuild_add(&b.j, prec, "cells_per_doubling", jbuild_int(&b.j, COSTAGG_SUB));
    jbuild_add(&b.j, prec, "max_relative_error", jbuild_num(&b.j, 1.0 / COSTAGG_SUB, 9));
    jbuild_add(&b.j, o, "latency_precision", prec);
    struct json_object *all = jbuild_made(&b.j, json_object_new_object());
    stats_into(&b, all, &c->all.w[0]);
    previous_into(&b, all, &c->all.w[0], &c->all.w[1], from_archive ? jget(pr, "cost.overall") : NULL,
                  from_archive);
    jbuild_add(&b.j, o, "overall", all);
    jbuild_add(&b.j, o, "prompts", table_json(&b, c->prompts, "prompt_id", "cost.prompts", from_archive));
    jbuild_add(&b.j, o, "models", table_json(&b, c->models, "model", "cost.models", from_archive));
    if (b.j.oom) {
        json_object_put(o);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return AID_OK;
}
