#include "compute/outcomes.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/jbuild.h"
#include "common/jget.h"
#include "common/stats.h"
#include "common/strmap.h"
#include "common/timeutil.h"
#include "compute/drift.h"
#include "compute/textout.h"

/* The outcomes of one class of conversations in one week. */
typedef struct ostat {
    int64_t convs, with_outcome;
    int64_t csat_n, csat_sum, csat_sq, csat_high; /* high: csat >= 4 */
    int64_t res_n, res_k;
} ostat;

#define ALL CONVLOG__CLASSES /* the index of every class together */

/* One table: [week][class or ALL]. */
typedef struct oset {
    ostat s[2][CONVLOG__CLASSES + 1];
} oset;

/* A number with report.json's 6 decimals, null for NaN or infinity. */
static struct json_object *num(jbuild *b, double v)
{
    return jbuild_num(b, v, 6);
}

static double ratio(int64_t k, int64_t n)
{
    return n > 0 ? (double)k / (double)n : NAN;
}

static double csat_mean(const ostat *s)
{
    return ratio(s->csat_sum, s->csat_n);
}

/* The sample variance (denominator n - 1), exact in integers up to the
 * last division; NaN below 2 ratings. */
static double csat_var(const ostat *s)
{
    if (s->csat_n < 2)
        return NAN;
    double num_ = (double)(s->csat_n * s->csat_sq - s->csat_sum * s->csat_sum);
    return num_ / ((double)s->csat_n * (double)(s->csat_n - 1));
}

/* Student's t interval of the mean CSAT: mean +- t(0.975, n - 1) sd / sqrt(n),
 * clipped to the scale [1, 5]. */
static stats_interval csat_mean_ci(const ostat *s)
{
    if (s->csat_n < 2)
        return (stats_interval){ NAN, NAN };
    double m = csat_mean(s), v = csat_var(s);
    double h = stats_t_quantile(0.975, (double)(s->csat_n - 1)) * sqrt(v / (double)s->csat_n);
    return (stats_interval){ fmax(1.0, m - h), fmin(5.0, m + h) };
}

static void fold(ostat *st, const convlog_outcome *o)
{
    st->convs++;
    if (!o)
        return;
    st->with_outcome++;
    if (o->csat > 0) {
        st->csat_n++;
        st->csat_sum += o->csat;
        st->csat_sq += (int64_t)o->csat * o->csat;
        st->csat_high += o->csat >= 4;
    }
    if (o->resolved >= 0) {
        st->res_n++;
        st->res_k += o->resolved;
    }
}

/* The week a conversation counts in: this week when it has a suggestion
 * in it, else the week before when it has one there; -1 otherwise. */
static int conv_week(const convlog_conv *c)
{
    if (!c)
        return -1;
    for (int w = 0; w < 2; w++)
        if (convlog_class_of(c->n[w]) >= 0)
            return w;
    return -1;
}

static void oset_add(oset *t, int w, int cls, const convlog_outcome *o)
{
    fold(&t->s[w][cls], o);
    fold(&t->s[w][ALL], o);
}

/* ---- JSON ---- */

/* {current, previous, delta, delta_ci, verdict} of a change; ci from the
 * caller (Welch or Newcombe). */
static struct json_object *change(jbuild *b, double cur, double prev, stats_interval ci, bool with_values)
{
    struct json_object *o = jbuild_made(b, json_object_new_object());
    bool def = !isnan(cur) && !isnan(prev);
    if (with_values) {
        jbuild_add(b, o, "current", num(b, cur));
        jbuild_add(b, o, "previous", num(b, prev));
    }
    jbuild_add(b, o, "delta", def ? num(b, cur - prev) : NULL);
    jbuild_add(b, o, "delta_ci", drift_interval_json(ci.lo, ci.hi, &b->oom));
    jbuild_add(b, o, "verdict", def && !isnan(ci.lo) ? jbuild_str(b, stats_verdict_name(stats_verdict_of(ci))) : NULL);
    return o;
}

static stats_interval welch_of(const ostat *x, const ostat *y)
{
    return stats_welch(csat_mean(x), csat_var(x), x->csat_n, csat_mean(y), csat_var(y), y->csat_n, 0.05, NULL);
}

static stats_interval newcombe_of(int64_t k1, int64_t n1, int64_t k0, int64_t n0)
{
    if (n1 <= 0 || n0 <= 0)
        return (stats_interval){ NAN, NAN };
    return stats_newcombe(k1, n1, k0, n0, STATS_Z95);
}

/* The three comparisons of x against y (x - y). */
static void compare(jbuild *b, struct json_object *o, const ostat *x, const ostat *y, bool with_values)
{
    jbuild_add(b, o, "csat_mean", change(b, csat_mean(x), csat_mean(y), welch_of(x, y), with_values));
    jbuild_add(b, o, "csat_high_share",
        change(b, ratio(x->csat_high, x->csat_n), ratio(y->csat_high, y->csat_n),
               newcombe_of(x->csat_high, x->csat_n, y->csat_high, y->csat_n), with_values));
    jbuild_add(b, o, "resolution_rate",
        change(b, ratio(x->res_k, x->res_n), ratio(y->res_k, y->res_n),
               newcombe_of(x->res_k, x->res_n, y->res_k, y->res_n), with_values));
}

static struct json_object *class_json(jbuild *b, const char *name, const ostat *s, const ostat *prev)
{
    struct json_object *o = jbuild_made(b, json_object_new_object());
    jbuild_add(b, o, "class", jbuild_str(b, name));
    jbuild_add(b, o, "conversations", jbuild_int(b, s->convs));
    jbuild_add(b, o, "with_outcome", jbuild_int(b, s->with_outcome));
    struct json_object *c = jbuild_made(b, json_object_new_object());
    jbuild_add(b, c, "n", jbuild_int(b, s->csat_n));
    jbuild_add(b, c, "mean", num(b, csat_mean(s)));
    stats_interval ci = csat_mean_ci(s);
    jbuild_add(b, c, "mean_ci", drift_interval_json(ci.lo, ci.hi, &b->oom));
    jbuild_add(b, c, "sd", num(b, sqrt(csat_var(s))));
    jbuild_add(b, c, "high", jbuild_int(b, s->csat_high));
    jbuild_add(b, c, "high_share", num(b, ratio(s->csat_high, s->csat_n)));
    jbuild_add(b, c, "high_share_ci", drift_wilson_json(s->csat_high, s->csat_n, &b->oom));
    jbuild_add(b, o, "csat", c);
    struct json_object *r = jbuild_made(b, json_object_new_object());
    jbuild_add(b, r, "n", jbuild_int(b, s->res_n));
    jbuild_add(b, r, "resolved", jbuild_int(b, s->res_k));
    jbuild_add(b, r, "rate", num(b, ratio(s->res_k, s->res_n)));
    jbuild_add(b, r, "rate_ci", drift_wilson_json(s->res_k, s->res_n, &b->oom));
    jbuild_add(b, o, "resolution", r);
    if (prev && prev->with_outcome > 0) {
        struct json_object *ch = jbuild_made(b, json_object_new_object());
        compare(b, ch, s, prev, true);
        jbuild_add(b, o, "changes", ch);
    } else {
        jbuild_add(b, o, "changes", NULL);
    }
    return o;
}

static const int pairs[3][2] = { { CONVLOG_AS_IS, CONVLOG_EDITED },
                                 { CONVLOG_AS_IS, CONVLOG_NOT_USED },
                                 { CONVLOG_EDITED, CONVLOG_NOT_USED } };

/* by_class (the three classes and "all") and differences of one table. */
static void table_json(jbuild *b, struct json_object *o, const oset *t, bool has_prev)
{
    struct json_object *arr = jbuild_made(b, json_object_new_array());
    for (int k = 0; k <= ALL; k++)
        jbuild_push(b, arr, class_json(b, k == ALL ? "all" : convlog_class_name((convlog_class)k), &t->s[0][k],
                                has_prev ? &t->s[1][k] : NULL));
    jbuild_add(b, o, "by_class", arr);
    struct json_object *diffs = jbuild_made(b, json_object_new_array());
    for (int i = 0; i < 3; i++) {
        struct json_object *d = jbuild_made(b, json_object_new_object());
        jbuild_add(b, d, "a", jbuild_str(b, convlog_class_name((convlog_class)pairs[i][0])));
        jbuild_add(b, d, "b", jbuild_str(b, convlog_class_name((convlog_class)pairs[i][1])));
        compare(b, d, &t->s[0][pairs[i][0]], &t->s[0][pairs[i][1]], false);
        jbuild_push(b, diffs, d);
    }
    jbuild_add(b, o, "differences", diffs);
}

/* One prompt's table (value of the prompts map). */
typedef struct prompt_ref {
    const char *id;
    size_t len;
    const oset *t;
} prompt_ref;

static int cmp_prompt(const void *x, const void *y)
{
    const prompt_ref *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->id, b->id, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

aid_err outcomes_json(const agg *a, const redact_rules *redact, struct json_object **out, aid_errbuf *eb)
{
    const convlog *cl = a->convlog;
    aid_err err = AID_OK;
    jbuild b = { false };
    struct json_object *o = NULL;
    prompt_ref *refs = NULL;
    oset *all = calloc(1, sizeof *all);
    strmap *byprompt = strmap_new(sizeof(oset));
    *out = NULL;
    if (!all || !byprompt)
        goto nomem;
    /* the join: every conversation of the two weeks with its last outcome */
    for (size_t i = 0; i < strmap_capacity(cl->convs); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(cl->convs, i, &k, &kl, &v))
            continue;
        const convlog_conv *c = v;
        int w = conv_week(c);
        if (w < 0)
            continue;
        oset_add(all, w, convlog_class_of(c->n[w]), strmap_get(cl->outcomes, k, kl));
    }
    for (size_t i = 0; i < strmap_capacity(cl->prompts); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(cl->prompts, i, &k, &kl, &v))
            continue;
        size_t conv_len = strlen(k); /* up to the NUL */
        int w = conv_week(strmap_get(cl->convs, k, conv_len));
        int cls = w < 0 ? -1 : convlog_class_of(((const convlog_conv *)v)->n[w]);
        if (cls < 0)
            continue; /* the prompt had no suggestion in the conversation's week */
        oset *t = strmap_upsert(byprompt, k + conv_len + 1, kl - conv_len - 1, NULL);
        if (!t)
            goto nomem;
        oset_add(t, w, cls, strmap_get(cl->outcomes, k, conv_len));
    }
    /* the outcomes that count for the week: joined, or unmatched in it */
    int64_t unmatched = 0, duplicates = 0, joined = all->s[0][ALL].with_outcome;
    for (size_t i = 0; i < strmap_capacity(cl->outcomes); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(cl->outcomes, i, &k, &kl, &v))
            continue;
        const convlog_outcome *oc = v;
        int w = conv_week(strmap_get(cl->convs, k, kl));
        bool in_week = oc->ts_ms >= a->week_start_ms && oc->ts_ms < a->week_end_ms;
        if (w < 0 && in_week)
            unmatched++;
        if (w == 0 || (w < 0 && in_week))
            duplicates += oc->events - 1;
    }
    if (joined == 0 && unmatched == 0) {
        err = AID_OK; /* no outcome for the week: a JSON null */
        goto cleanup;
    }
    bool has_prev = all->s[1][ALL].with_outcome > 0;
    o = jbuild_made(&b, json_object_new_object());
    jbuild_add(&b, o, "conversations", jbuild_int(&b, all->s[0][ALL].convs));
    jbuild_add(&b, o, "joined", jbuild_int(&b, joined));
    jbuild_add(&b, o, "unmatched", jbuild_int(&b, unmatched));
    jbuild_add(&b, o, "duplicates", jbuild_int(&b, duplicates));
    jbuild_add(&b, o, "previous", has_prev ? jbuild_str(&b, "logs") : NULL);
    table_json(&b, o, all, has_prev);
    size_t np = strmap_count(byprompt), n = 0;
    refs = calloc(np ? np : 1, sizeof *refs);
    if (!refs)
        goto nomem;
    for (size_t i = 0; i < strmap_capacity(byprompt); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (strmap_slot(byprompt, i, &k, &kl, &v) && ((const oset *)v)->s[0][ALL].convs > 0)
            refs[n++] = (prompt_ref){ k, kl, v };
    }
    qsort(refs, n, sizeof *refs, cmp_prompt);
    struct json_object *parr = jbuild_made(&b, json_object_new_array());
    for (size_t i = 0; i < n; i++) {
        struct json_object *p = jbuild_made(&b, json_object_new_object());
        struct json_object *pid = NULL;
        if (textout_json(redact, refs[i].id, refs[i].len, &pid) < 0)
            b.oom = true;
        jbuild_add(&b, p, "prompt_id", pid);
        jbuild_add(&b, p, "conversations", jbuild_int(&b, refs[i].t->s[0][ALL].convs));
        jbuild_add(&b, p, "joined", jbuild_int(&b, refs[i].t->s[0][ALL].with_outcome));
        table_json(&b, p, refs[i].t, has_prev);
        jbuild_push(&b, parr, p);
    }
    jbuild_add(&b, o, "prompts", parr);
    if (b.oom)
        goto nomem;
    *out = o;
    o = NULL;
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    json_object_put(o);
    free(refs);
    strmap_free(byprompt);
    free(all);
    return err;
}
