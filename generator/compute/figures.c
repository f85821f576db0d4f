#include "compute/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/coachfeat.h"
#include "common/stats.h"
#include "compute/drift.h"
#include "common/jget.h"
#include "compute/coach.h"
#include "compute/costfig.h"
#include "compute/edits.h"
#include "compute/answered.h"
#include "compute/outcomes.h"
#include "compute/neardup.h"
#include "compute/segments.h"
#include "compute/trends.h"
#include "compute/textout.h"
#include "common/textnorm.h"
#include "common/timeutil.h"
#include "common/version.h"

#define TOP_N 10

/* Set when a json-c constructor fails (see add() below). */
static _Thread_local bool figures_oom;

/* jget_new_num, noting a failed allocation (NaN and infinity are nulls on
 * purpose). */
static struct json_object *fig_num(double v, int decimals)
{
    if (isnan(v) || isinf(v))
        return NULL;
    struct json_object *o = jget_new_num(v, decimals);
    if (!o)
        figures_oom = true;
    return o;
}

#define R6(v) fig_num((v), 6)

static double ratio(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : NAN;
}

/* Building the report: every json-c constructor below can fail for want of
 * memory. Rather than a check after each of the ~80 calls, the helpers note
 * a failure in figures_oom (one build runs in one thread; _Thread_local
 * keeps concurrent builds apart), a NULL container swallows what is added
 * to it, and figures_build turns the flag into AID_ERR_NOMEM at the end.
 * A NULL value added on purpose (a NaN figure, an absent previous week)
 * stays a JSON null. */

static struct json_object *made(struct json_object *o)
{
    if (!o)
        figures_oom = true;
    return o;
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
    if (!o || json_object_object_add(o, k, v) != 0) {
        figures_oom = true;
        json_object_put(v);
    }
}

static void push(struct json_object *arr, struct json_object *v)
{
    if (!arr || json_object_array_add(arr, v) != 0) {
        figures_oom = true;
        json_object_put(v);
    }
}

static struct json_object *jobj(void)
{
    return made(json_object_new_object());
}

static struct json_object *jarr(void)
{
    return made(json_object_new_array());
}

static struct json_object *jstr(const char *s)
{
    return made(json_object_new_string(s));
}

/* A deep copy of src (NULL when src is NULL). */
static struct json_object *jcopy(struct json_object *src)
{
    struct json_object *c = NULL;
    if (src && json_object_deep_copy(src, &c, NULL) != 0) {
        figures_oom = true;
        json_object_put(c);
        return NULL;
    }
    return c;
}

static struct json_object *jint(int64_t v)
{
    return made(json_object_new_int64(v));
}

static struct json_object *jstr_redacted(const figures_input *in, const char *s, size_t len)
{
    struct json_object *o = NULL;
    if (textout_json(in->redact, s, len, &o) < 0)
        figures_oom = true;
    return o;
}

static struct json_object *jstr_r(const figures_input *in, const char *s)
{
    return s ? jstr_redacted(in, s, strlen(s)) : NULL;
}

/* A reply group's or prompt's edit figures, noting a failure. */
static struct json_object *edits_of(const editdist_hist *h)
{
    struct json_object *o = NULL;
    if (edits_shares_json(h, &o, NULL))
        figures_oom = true;
    return o;
}

/* ---- totals, rates, previous week ---- */

static struct json_object *totals_json(const agg_week *w, int64_t corrections)
{
    struct json_object *o = jobj();
    add(o, "suggestions", jint(w->suggestions));
    add(o, "accepted", jint(w->by_action[ACTION_ACCEPTED]));
    add(o, "edited", jint(w->by_action[ACTION_EDITED]));
    add(o, "rejected", jint(w->by_action[ACTION_REJECTED]));
    add(o, "ignored", jint(w->by_action[ACTION_IGNORED]));
    add(o, "with_confidence", jint(w->with_conf));
    if (corrections >= 0)
        add(o, "corrections", jint(corrections));
    return o;
}

/* [lo, hi]: the 95 % Wilson interval of k / n; null when n is 0. */
static struct json_object *wilson_json(int64_t k, int64_t n)
{
    return drift_wilson_json(k, n, &figures_oom);
}

/* The rates of a week: each with its Wilson interval when with_ci (the
 * previous week's copy from the logs has none, like schema 1's). */
typedef struct rate_def {
    const char *name, *ci_name;
    int64_t (*count)(const int64_t *by_action);
} rate_def;

static int64_t count_acceptance(const int64_t *b) { return b[ACTION_ACCEPTED]; }
static int64_t count_use(const int64_t *b) { return b[ACTION_ACCEPTED] + b[ACTION_EDITED]; }
static int64_t count_rejection(const int64_t *b) { return b[ACTION_REJECTED]; }
static int64_t count_edit(const int64_t *b) { return b[ACTION_EDITED]; }

static const rate_def rate_defs[] = {
    { "acceptance", "acceptance_ci", count_acceptance },
    { "use", "use_ci", count_use },
    { "rejection", "rejection_ci", count_rejection },
    { "edit", "edit_ci", count_edit },
};

static struct json_object *rates_json(const agg_week *w, bool with_ci)
{
    struct json_object *o = jobj();
    int64_t n = w->suggestions;
    for (size_t i = 0; i < sizeof rate_defs / sizeof rate_defs[0]; i++) {
        int64_t k = rate_defs[i].count(w->by_action);
        add(o, rate_defs[i].name, R6(ratio(k, n)));
        if (with_ci)
            add(o, rate_defs[i].ci_name, wilson_json(k, n));
    }
    return o;
}

/* A change of a proportion k1/n1 against k0/n0: the delta, Newcombe's
 * hybrid score interval and the verdict, added to o as delta, delta_ci,
 * verdict (all null when either n is 0). */
static void change_json(struct json_object *o, int64_t k1, int64_t n1, int64_t k0, int64_t n0)
{
    bool def = n1 > 0 && n0 > 0;
    stats_interval ci = def ? stats_newcombe(k1, n1, k0, n0, STATS_Z95) : (stats_interval){ NAN, NAN };
    add(o, "delta", def ? R6(ratio(k1, n1) - ratio(k0, n0)) : NULL);
    add(o, "delta_ci", drift_interval_json(ci.lo, ci.hi, &figures_oom));
    add(o, "verdict", def ? jstr(stats_verdict_name(stats_verdict_of(ci))) : NULL);
}

/* What is known of the week before: from the archive, else from the logs. */
typedef struct prev_info {
    const char *source;    /* "archive", "logs" or NULL */
    drift_prev conf;       /* its confidences */
    int64_t suggestions, by_action[ACTION__COUNT]; /* -1: unknown */
    struct json_object *json; /* the "previous" member */
} prev_info;

static void prev_build(const figures_input *in, const char *prevweek, prev_info *p)
{
    const agg *a = in->ing->agg;
    memset(p, 0, sizeof *p);
    drift_prev_none(&p->conf);
    p->suggestions = -1;
    const struct json_object *r = in->hist->prev_report;
    if (r && jget(r, "totals") && jget_int(r, "totals.suggestions", 0) > 0) {
        p->source = "archive";
        drift_prev_from_report(&p->conf, r);
        p->suggestions = jget_int(r, "totals.suggestions", 0);
        p->by_action[ACTION_ACCEPTED] = jget_int(r, "totals.accepted", 0);
        p->by_action[ACTION_EDITED] = jget_int(r, "totals.edited", 0);
        p->by_action[ACTION_REJECTED] = jget_int(r, "totals.rejected", 0);
        p->by_action[ACTION_IGNORED] = jget_int(r, "totals.ignored", 0);
        p->json = jobj();
        add(p->json, "week", jstr(prevweek));
        add(p->json, "source", jstr("archive"));
        add(p->json, "totals", jcopy(jget(r, "totals")));
        add(p->json, "rates", jcopy(jget(r, "rates")));
    } else if (a->prev.suggestions > 0) {
        p->source = "logs";
        drift_prev_from_week(&p->conf, &a->prev);
        p->suggestions = a->prev.suggestions;
        memcpy(p->by_action, a->prev.by_action, sizeof p->by_action);
        p->json = jobj();
        add(p->json, "week", jstr(prevweek));
        add(p->json, "source", jstr("logs"));
        add(p->json, "totals", totals_json(&a->prev, -1));
        add(p->json, "rates", rates_json(&a->prev, false));
    } else {
        return;
    }
    add(p->json, "confidence_mean", R6(p->conf.mean));
    add(p->json, "ece", R6(p->conf.ece));
}

/* changes: each rate of this week against the week before (null without
 * one). */
static struct json_object *changes_json(const agg_week *w, const prev_info *prev)
{
    if (!prev->source || prev->suggestions <= 0)
        return NULL;
    struct json_object *o = jobj();
    for (size_t i = 0; i < sizeof rate_defs / sizeof rate_defs[0]; i++) {
        int64_t k1 = rate_defs[i].count(w->by_action), k0 = rate_defs[i].count(prev->by_action);
        struct json_object *e = jobj();
        add(e, "current", R6(ratio(k1, w->suggestions)));
        add(e, "previous", R6(ratio(k0, prev->suggestions)));
        change_json(e, k1, w->suggestions, k0, prev->suggestions);
        add(o, rate_defs[i].name, e);
    }
    return o;
}

/* ---- reply groups ---- */

typedef struct cluster {
    const char *norm_rep;       /* the displayed text, normalised (tie-break) */
    const char *text;           /* the displayed original text */
    int64_t text_count;
    int64_t by_action[ACTION__COUNT];
    int64_t conf_n, conf_nano;
    int64_t variants, groups;
    const char *replacement;    /* most frequent normalised replacement */
    const char *replacement_text; /* its most frequent wording */
    int64_t replacement_count;
    strmap *variant_counts;     /* original -> count, summed over members */
    strmap *replacement_counts; /* replacement as written -> count */
    strmap *replacement_norm;   /* normalised replacement -> norm_count */
    strbuf norm;
    editdist_hist edits;        /* shares changed of its measured edits */
} cluster;

typedef struct group_ref {
    const char *key;
    agg_group *g;
} group_ref;

static int cmp_group_ref(const void *a, const void *b)
{
    return strcmp(((const group_ref *)a)->key, ((const group_ref *)b)->key);
}

static void best_of(const strmap *m, const char **best, int64_t *best_n)
{
    *best = NULL;
    *best_n = 0;
    for (size_t i = 0; i < strmap_capacity(m); i++) {
        const char *k;
        void *v;
        if (!strmap_slot(m, i, &k, NULL, &v))
            continue;
        int64_t c = *(int64_t *)v;
        if (c <= 0)
            continue;
        if (c > *best_n || (c == *best_n && strcmp(k, *best) < 0)) {
            *best = k;
            *best_n = c;
        }
    }
}

static int counts_add_all(strmap *dst, const strmap *src)
{
    for (size_t i = 0; i < strmap_capacity(src); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(src, i, &k, &kl, &v) || *(int64_t *)v <= 0)
            continue;
        int64_t *c = strmap_upsert(dst, k, kl, NULL);
        if (!c)
            return -1;
        *c += *(int64_t *)v;
    }
    return 0;
}

/* A normalised replacement: how often, and its most frequent wording as
 * written (ties: smallest). */
typedef struct norm_count {
    int64_t count;
    const char *text;
    int64_t text_n;
} norm_count;

/* The most frequent normalised replacement of a cluster (ties: smallest)
 * and its most frequent wording as written. */
static int best_replacement(cluster *c)
{
    strbuf norm = STRBUF_INIT;
    int rc = -1;
    c->replacement = c->replacement_text = NULL;
    c->replacement_count = 0;
    for (size_t i = 0; i < strmap_capacity(c->replacement_counts); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(c->replacement_counts, i, &k, &kl, &v) || *(int64_t *)v <= 0)
            continue;
        int64_t n = *(int64_t *)v;
        strbuf_reset(&norm);
        if (textnorm_reply(k, kl, &norm) < 0)
            goto cleanup;
        norm_count *nc = strmap_upsert(c->replacement_norm, norm.buf, norm.len, NULL);
        if (!nc)
            goto cleanup;
        nc->count += n;
        if (n > nc->text_n || (n == nc->text_n && strcmp(k, nc->text) < 0)) {
            nc->text = k;
            nc->text_n = n;
        }
    }
    for (size_t i = 0; i < strmap_capacity(c->replacement_norm); i++) {
        const char *k;
        void *v;
        if (!strmap_slot(c->replacement_norm, i, &k, NULL, &v))
            continue;
        const norm_count *nc = v;
        if (nc->count <= 0)
            continue; /* all its uses were taken back (a duplicate that lost) */
        if (nc->count > c->replacement_count ||
            (nc->count == c->replacement_count && strcmp(k, c->replacement) < 0)) {
            c->replacement = k;
            c->replacement_count = nc->count;
            c->replacement_text = nc->text;
        }
    }
    rc = 0;
cleanup:
    strbuf_release(&norm);
    return rc;
}

static int64_t cl_uses(const cluster *c)
{
    return c->by_action[ACTION_ACCEPTED] + c->by_action[ACTION_EDITED];
}

static int cmp_uses(const void *a, const void *b)
{
    const cluster *x = *(cluster *const *)a, *y = *(cluster *const *)b;
    if (cl_uses(x) != cl_uses(y))
        return cl_uses(x) > cl_uses(y) ? -1 : 1;
    return strcmp(x->norm.buf, y->norm.buf);
}

/* How many rejections a group has beyond what the week's overall rate
 * predicts: rejections - suggested * overall (set before sorting). */
typedef struct rejected_ref {
    cluster *c;
    double excess;
} rejected_ref;

static int cmp_excess(const void *a, const void *b)
{
    const rejected_ref *x = a, *y = b;
    if (x->excess != y->excess)
        return x->excess > y->excess ? -1 : 1;
    return strcmp(x->c->norm.buf, y->c->norm.buf);
}

static double cl_mean_conf(const cluster *c)
{
    return c->conf_n > 0 ? (double)c->conf_nano / (double)AGG_NANO / (double)c->conf_n : NAN;
}

/* How often the group's replies were suggested, whatever the action. */
static int64_t cl_suggested(const cluster *c)
{
    int64_t n = 0;
    for (int j = 0; j < ACTION__COUNT; j++)
        n += c->by_action[j];
    return n;
}

/* top_accepted: the TOP_N most used reply groups (sorts order by uses,
 * which groups_json then relies on). */
static struct json_object *top_accepted_json(const figures_input *in, cluster **order, size_t ncl)
{
    struct json_object *top = jarr();
    qsort(order, ncl, sizeof *order, cmp_uses);
    for (size_t i = 0; i < ncl && json_object_array_length(top) < TOP_N; i++) {
        cluster *c = order[i];
        if (cl_uses(c) <= 0)
            break;
        int64_t suggested = cl_suggested(c);
        struct json_object *e = jobj();
        add(e, "reply", jstr_r(in, c->text));
        add(e, "uses", jint(cl_uses(c)));
        add(e, "accepted", jint(c->by_action[ACTION_ACCEPTED]));
        add(e, "edited", jint(c->by_action[ACTION_EDITED]));
        add(e, "suggested", jint(suggested));
        add(e, "mean_confidence", R6(cl_mean_conf(c)));
        add(e, "use_rate", R6(ratio(cl_uses(c), suggested)));
        add(e, "use_rate_ci", wilson_json(cl_uses(c), suggested));
        add(e, "acceptance_rate", R6(ratio(c->by_action[ACTION_ACCEPTED], suggested)));
        add(e, "acceptance_rate_ci", wilson_json(c->by_action[ACTION_ACCEPTED], suggested));
        add(e, "variants", jint(c->variants));
        add(e, "edits", edits_of(&c->edits));
        push(top, e);
    }
    return top;
}

bool figures_rejected_credibly(int64_t k, int64_t n, double overall)
{
    return n >= FIGURES_REJECTED_MIN_SUGGESTED && !isnan(overall) && stats_wilson(k, n, STATS_Z95).lo > overall;
}

/* top_rejected: the reply groups rejected credibly more often than the
 * week's overall rejection rate (at least FIGURES_REJECTED_MIN_SUGGESTED
 * suggestions, Wilson lower bound above the overall rate), by excess
 * rejections, at most TOP_N. */
static struct json_object *top_rejected_json(const figures_input *in, cluster **order, size_t ncl)
{
    const agg_week *w = &in->ing->agg->cur;
    double overall = ratio(w->by_action[ACTION_REJECTED], w->suggestions);
    rejected_ref *r = malloc((ncl + 1) * sizeof *r);
    if (!r) {
        figures_oom = true;
        return NULL;
    }
    size_t nr = 0;
    for (size_t i = 0; i < ncl && !isnan(overall); i++) {
        int64_t k = order[i]->by_action[ACTION_REJECTED], n = cl_suggested(order[i]);
        if (!figures_rejected_credibly(k, n, overall))
            continue;
        r[nr++] = (rejected_ref){ order[i], (double)k - (double)n * overall };
    }
    qsort(r, nr, sizeof *r, cmp_excess);
    struct json_object *top = jarr();
    for (size_t i = 0; i < nr && i < TOP_N; i++) {
        cluster *c = r[i].c;
        int64_t suggested = cl_suggested(c);
        struct json_object *e = jobj();
        add(e, "reply", jstr_r(in, c->text));
        add(e, "rejections", jint(c->by_action[ACTION_REJECTED]));
        add(e, "suggested", jint(suggested));
        add(e, "mean_confidence", R6(cl_mean_conf(c)));
        add(e, "top_replacement", jstr_r(in, c->replacement));
        add(e, "top_replacement_count", jint(c->replacement_count));
        add(e, "top_replacement_text", jstr_r(in, c->replacement_text));
        add(e, "rejection_rate", R6(ratio(c->by_action[ACTION_REJECTED], suggested)));
        add(e, "rejection_rate_ci", wilson_json(c->by_action[ACTION_REJECTED], suggested));
        add(e, "excess_rejections", R6(r[i].excess));
        add(e, "variants", jint(c->variants));
        add(e, "edits", edits_of(&c->edits));
        push(top, e);
    }
    free(r);
    return top;
}

static aid_err groups_json(const figures_input *in, struct json_object *report, coach_texts *used,
                           answered_index **ax, aid_errbuf *eb)
{
    const agg *a = in->ing->agg;
    aid_err err = AID_OK;
    size_t n = 0, ncl = 0;
    group_ref *refs = malloc((strmap_count(a->groups) + 1) * sizeof *refs);
    const char **texts = malloc((strmap_count(a->groups) + 1) * sizeof *texts);
    size_t *clus = malloc((strmap_count(a->groups) + 1) * sizeof *clus);
    cluster *cl = calloc(strmap_count(a->groups) + 1, sizeof *cl);
    cluster **order = malloc((strmap_count(a->groups) + 1) * sizeof *order);
    size_t *slot_of = malloc((strmap_count(a->groups) + 1) * sizeof *slot_of);
    if (!refs || !texts || !clus || !cl || !order || !slot_of)
        goto nomem;
    for (size_t i = 0; i < strmap_capacity(a->groups); i++) {
        const char *k;
        void *v;
        if (!strmap_slot(a->groups, i, &k, NULL, &v))
            continue;
        agg_group *g = v;
        int64_t total = 0;
        for (int j = 0; j < ACTION__COUNT; j++)
            total += g->by_action[j];
        if (total > 0)
            refs[n++] = (group_ref){ k, g };
    }
    qsort(refs, n, sizeof *refs, cmp_group_ref);
    for (size_t i = 0; i < n; i++)
        texts[i] = refs[i].key;
    if ((err = neardup_cluster(texts, n, NEARDUP_THRESHOLD, clus, eb)))
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        size_t root = clus[i];
        if (root == i) {
            slot_of[i] = ncl;
            cluster *c = &cl[ncl++];
            strbuf_init(&c->norm);
            c->variant_counts = strmap_new(sizeof(int64_t));
            c->replacement_counts = strmap_new(sizeof(int64_t));
            c->replacement_norm = strmap_new(sizeof(norm_count));
            if (!c->variant_counts || !c->replacement_counts || !c->replacement_norm)
                goto nomem;
        }
        cluster *c = &cl[slot_of[root]];
        agg_group *g = refs[i].g;
        for (int j = 0; j < ACTION__COUNT; j++)
            c->by_action[j] += g->by_action[j];
        c->conf_n += g->conf_n;
        c->conf_nano += g->conf_nano;
        c->groups++;
        if (counts_add_all(c->variant_counts, g->variants) < 0 ||
            counts_add_all(c->replacement_counts, g->replacements) < 0 ||
            editdist_hist_merge(&c->edits, &g->edits) < 0)
            goto nomem;
    }
    for (size_t i = 0; i < ncl; i++) {
        cluster *c = &cl[i];
        best_of(c->variant_counts, &c->text, &c->text_count);
        if (best_replacement(c) < 0)
            goto nomem;
        c->variants = (int64_t)strmap_count(c->variant_counts);
        if (!c->text || textnorm_reply(c->text, strlen(c->text), &c->norm) < 0)
            goto nomem;
        order[i] = c;
    }
    /* which merged group each exact one is in, for the topics' answered_by */
    if ((err = answered_index_new(ax, n, ncl, eb)))
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        answered_index_group(*ax, i, refs[i].key, slot_of[clus[i]]);
    for (size_t i = 0; i < ncl; i++)
        if (answered_index_cluster(*ax, i, cl[i].text, cl[i].by_action) < 0)
            goto nomem;
    add(report, "top_accepted", top_accepted_json(in, order, ncl));
    used->v = calloc(COACH_EXAMPLE_CANDIDATES, sizeof *used->v);
    if (!used->v)
        goto nomem;
    for (size_t i = 0; i < ncl && used->n < COACH_EXAMPLE_CANDIDATES && cl_uses(order[i]) > 0; i++)
        if (!(used->v[used->n++] = strdup(order[i]->text)))
            goto nomem;
    add(report, "top_rejected", top_rejected_json(in, order, ncl));
    json_object *rg = jobj();
    add(rg, "exact", jint((int64_t)n));
    add(rg, "after_merge", jint((int64_t)ncl));
    add(rg, "rule", jstr("normalised text, then token 3-shingle Jaccard >= 0.8 (MinHash/LSH)"));
    add(report, "reply_groups", rg);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    if (cl)
        for (size_t i = 0; i < ncl; i++) {
            strmap_free(cl[i].variant_counts);
            strmap_free(cl[i].replacement_counts);
            strmap_free(cl[i].replacement_norm);
            strbuf_release(&cl[i].norm);
            editdist_hist_release(&cl[i].edits);
        }
    free(cl);
    free(order);
    free(slot_of);
    free(clus);
    free(texts);
    free(refs);
    return err;
}

/* ---- retraining ---- */

static int cmp_update(const void *x, const void *y)
{
    struct json_object *a = *(struct json_object *const *)x, *b = *(struct json_object *const *)y;
    int64_t ta = jget_int(a, "ts_ms", 0), tb = jget_int(b, "ts_ms", 0);
    if (ta != tb)
        return ta < tb ? -1 : 1;
    int64_t pa = jget_int(a, "pos", 0), pb = jget_int(b, "pos", 0);
    return pa < pb ? -1 : pa > pb;
}

/* Counts of a prompt over minutes [m0, m1) since week start - 7 days. */
static void prompt_window(const agg_prompt *p, int64_t m0, int64_t m1, int64_t *n, int64_t *acc, int64_t *used)
{
    *n = *acc = *used = 0;
    if (m0 < 0)
        m0 = 0;
    if (m1 > AGG_PROMPT_DAYS * 1440)
        m1 = AGG_PROMPT_DAYS * 1440;
    for (int64_t m = m0; m < m1; m++) {
        const agg_prompt_day *d = p->days[m / 1440];
        if (!d)
            continue;
        *n += d->n[m % 1440];
        *acc += d->accepted[m % 1440];
        *used += d->used[m % 1440];
    }
}

static struct json_object *window_json(int64_t n, int64_t acc, int64_t used)
{
    struct json_object *o = jobj();
    add(o, "suggestions", jint(n));
    add(o, "accepted", jint(acc));
    add(o, "acceptance", R6(ratio(acc, n)));
    add(o, "acceptance_ci", wilson_json(acc, n));
    add(o, "use_rate", R6(ratio(used, n)));
    add(o, "use_rate_ci", wilson_json(used, n));
    return o;
}

static struct json_object *str_array_r(const figures_input *in, struct json_object *arr)
{
    if (!arr)
        return jarr();
    struct json_object *o = jarr();
    for (size_t i = 0, n = json_object_array_length(arr); i < n; i++)
        push(o, jstr_r(in, json_object_get_string(json_object_array_get_idx(arr, i))));
    return o;
}

static aid_err retraining_json(const figures_input *in, struct json_object *report, aid_errbuf *eb)
{
    const agg *a = in->ing->agg;
    size_t n = json_object_array_length(a->updates);
    struct json_object **u = malloc((n + 1) * sizeof *u);
    if (!u)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        u[i] = json_object_array_get_idx(a->updates, i);
    qsort(u, n, sizeof *u, cmp_update);
    int64_t base = a->week_start_ms - TIMEUTIL_WEEK_MS;
    struct json_object *arr = jarr();
    for (size_t i = 0; i < n; i++) {
        int64_t ts = jget_int(u[i], "ts_ms", 0);
        if (ts < a->week_start_ms || ts >= a->week_end_ms)
            continue;
        const char *pid = jget_str(u[i], "prompt_id", "");
        int64_t prev_ts = INT64_MIN, next_ts = a->week_end_ms;
        for (size_t j = 0; j < n; j++) {
            if (j == i || strcmp(jget_str(u[j], "prompt_id", ""), pid))
                continue;
            int64_t tj = jget_int(u[j], "ts_ms", 0);
            if (j < i && tj > prev_ts)
                prev_ts = tj;
            if (j > i && tj < next_ts)
                next_ts = tj;
        }
        /* before: from the week's start (or the prompt's previous update)
         * to this update; after: to the week's end (or the next update) */
        int64_t mu = (ts - base) / 60000;
        int64_t m_before = 7 * 1440;
        if (prev_ts != INT64_MIN && (prev_ts - base) / 60000 > m_before)
            m_before = (prev_ts - base) / 60000;
        int64_t m_after = (next_ts - base) / 60000;
        if (next_ts == a->week_end_ms)
            m_after = AGG_PROMPT_DAYS * 1440;
        struct json_object *e = jobj();
        char tsbuf[32];
        timeutil_format_rfc3339(ts, tsbuf, sizeof tsbuf);
        add(e, "ts", jstr(tsbuf));
        add(e, "prompt_id", jstr_r(in, pid));
        add(e, "from_version", jstr_r(in, jget_str(u[i], "from_version", NULL)));
        add(e, "to_version", jstr_r(in, jget_str(u[i], "to_version", NULL)));
        add(e, "theme", jstr_r(in, jget_str(u[i], "theme", NULL)));
        add(e, "summary", jstr_r(in, jget_str(u[i], "summary", NULL)));
        add(e, "examples_added", str_array_r(in, jget(u[i], "examples_added")));
        add(e, "examples_removed", str_array_r(in, jget(u[i], "examples_removed")));
        const agg_prompt *p = strmap_get(a->prompts, pid, strlen(pid));
        int64_t bn = 0, ba = 0, bu = 0, an = 0, aa = 0, au = 0;
        if (p) {
            prompt_window(p, m_before, mu, &bn, &ba, &bu);
            prompt_window(p, mu, m_after, &an, &aa, &au);
        }
        struct json_object *imp = jobj();
        add(imp, "before", window_json(bn, ba, bu));
        add(imp, "after", window_json(an, aa, au));
        change_json(imp, aa, an, ba, bn);
        add(e, "impact", imp);
        push(arr, e);
    }
    add(report, "retraining", arr);
    free(u);
    return AID_OK;
}

typedef struct prompt_ref {
    const char *id;
    const agg_prompt *p;
} prompt_ref;

static int cmp_prompt_ref(const void *a, const void *b)
{
    return strcmp(((const prompt_ref *)a)->id, ((const prompt_ref *)b)->id);
}

static aid_err prompts_json(const figures_input *in, const prev_info *prev, struct json_object *report,
                            aid_errbuf *eb)
{
    const agg *a = in->ing->agg;
    prompt_ref *r = malloc((strmap_count(a->prompts) + 1) * sizeof *r);
    if (!r)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < strmap_capacity(a->prompts); i++) {
        const char *k;
        void *v;
        if (strmap_slot(a->prompts, i, &k, NULL, &v) && ((agg_prompt *)v)->n[0] > 0)
            r[n++] = (prompt_ref){ k, v };
    }
    qsort(r, n, sizeof *r, cmp_prompt_ref);
    struct json_object *arr = jarr();
    for (size_t i = 0; i < n; i++) {
        const agg_prompt *p = r[i].p;
        struct json_object *e = jobj();
        add(e, "prompt_id", jstr_r(in, r[i].id));
        add(e, "suggestions", jint(p->n[0]));
        add(e, "accepted", jint(p->accepted[0]));
        add(e, "acceptance", R6(ratio(p->accepted[0], p->n[0])));
        add(e, "acceptance_ci", wilson_json(p->accepted[0], p->n[0]));
        add(e, "use_rate", R6(ratio(p->used[0], p->n[0])));
        add(e, "use_rate_ci", wilson_json(p->used[0], p->n[0]));
        double pa = NAN;
        int64_t pn = 0, pk = 0;
        struct json_object *psug = NULL;
        if (prev->source && !strcmp(prev->source, "archive")) {
            struct json_object *pp = jget(in->hist->prev_report, "prompts");
            for (size_t j = 0; pp && j < jget_len(in->hist->prev_report, "prompts"); j++) {
                struct json_object *x = json_object_array_get_idx(pp, j);
                if (!strcmp(jget_str(x, "prompt_id", ""), r[i].id)) {
                    pa = jget_double(x, "acceptance", NAN);
                    pn = jget_int(x, "suggestions", 0);
                    pk = jget_int(x, "accepted", isnan(pa) ? 0 : llround(pa * (double)pn));
                    json_object_put(psug);
                    psug = jint(pn);
                }
            }
        } else if (p->n[1] > 0) {
            pa = ratio(p->accepted[1], p->n[1]);
            pn = p->n[1];
            pk = p->accepted[1];
            psug = jint(p->n[1]);
        }
        add(e, "previous_suggestions", psug);
        add(e, "previous_acceptance", R6(pa));
        add(e, "delta", R6(ratio(p->accepted[0], p->n[0]) - pa));
        stats_interval ci = isnan(pa) ? (stats_interval){ NAN, NAN } : stats_newcombe(p->accepted[0], p->n[0], pk, pn, STATS_Z95);
        add(e, "delta_ci", drift_interval_json(ci.lo, ci.hi, &figures_oom));
        add(e, "verdict", isnan(pa) ? NULL : jstr(stats_verdict_name(stats_verdict_of(ci))));
        add(e, "edits", edits_of(&p->edits));
        push(arr, e);
    }
    add(report, "prompts", arr);
    free(r);
    return AID_OK;
}

static struct json_object *data_quality_json(const figures_input *in)
{
    const agg_dq *dq = &in->ing->agg->dq;
    struct json_object *o = jobj();
    add(o, "files", jint((int64_t)in->ing->files.n));
    add(o, "lines", jint(dq->lines));
    add(o, "blank_lines", jint(dq->blank_lines));
    add(o, "events", jint(dq->events));
    add(o, "bad_lines", jint(dq->bad_lines));
    struct json_object *r = jobj();
    for (int i = 0; i < EVENT_BAD__COUNT; i++)
        add(r, event_bad_name((event_bad)i), jint(dq->bad_by_reason[i]));
    add(o, "bad_by_reason", r);
    add(o, "duplicates", jint(dq->duplicates));
    add(o, "out_of_week", jint(dq->out_of_week));
    add(o, "unknown_types", jint(dq->unknown_types));
    add(o, "orphan_corrections", jint(dq->orphan_corrections));
    add(o, "corrections", jint(dq->corrections));
    add(o, "prompt_updates", jint(dq->prompt_updates));
    add(o, "file_errors", in->ing->file_errors ? jcopy(in->ing->file_errors) : jarr());
    return o;
}

aid_err figures_build(const figures_input *in, struct json_object **out, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    const agg *a = in->ing->agg;
    timeutil_week w;
    if (!timeutil_parse_week(in->week, &w))
        return aid_errbuf_set(eb, AID_ERR_USAGE, "bad week '%s'", in->week);
    char prevweek[16], buf[32];
    timeutil_format_week(timeutil_week_add(w, -1), prevweek, sizeof prevweek);
    figures_oom = false;
    struct json_object *r = jobj();
    if (!r)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    add(r, "schema", jint(FIGURES_SCHEMA));
    add(r, "week", jstr(in->week));
    struct json_object *period = jobj();
    timeutil_format_rfc3339(a->week_start_ms, buf, sizeof buf);
    add(period, "start", jstr(buf));
    timeutil_format_rfc3339(a->week_end_ms, buf, sizeof buf);
    add(period, "end", jstr(buf));
    add(r, "period", period);
    timeutil_format_rfc3339(in->generated_ms, buf, sizeof buf);
    add(r, "generated_at", jstr(buf));
    add(r, "generator", jstr("aidigest " AIDIGEST_VERSION));
    prev_info prev;
    coach_texts used = { NULL, 0 };
    answered_index *ax = NULL;
    prev_build(in, prevweek, &prev);
    add(r, "previous_week", prev.source ? jstr(prevweek) : NULL);
    add(r, "totals", totals_json(&a->cur, a->dq.corrections));
    add(r, "rates", rates_json(&a->cur, true));
    add(r, "previous", prev.json);
    add(r, "changes", changes_json(&a->cur, &prev));
    if ((err = groups_json(in, r, &used, &ax, eb)))
        goto fail;
    struct json_object *conf = NULL;
    if ((err = drift_confidence_json(a, &prev.conf, &conf, eb)))
        goto fail;
    add(r, "confidence", conf);
    if ((err = trends_json(in->ing->agg, in->hist, r, eb)) || (err = answered_json(ax, in, r, eb)) ||
        (err = retraining_json(in, r, eb)) ||
        (err = prompts_json(in, &prev, r, eb)))
        goto fail;
    struct json_object *part = NULL;
    if ((err = edits_json(&a->edits, a->cur.by_action[ACTION_EDITED], &part, eb)))
        goto fail;
    add(r, "edits", part);
    if ((err = segments_json(a, in->redact, &part, eb)))
        goto fail;
    add(r, "segments", part);
    if ((err = coach_json(in, &used, &part, eb)))
        goto fail;
    add(r, "coach", part);
    costfig_input cin = { a->cost, in->currency, in->hist->prev_report, in->redact };
    if ((err = costfig_json(&cin, &part, eb)))
        goto fail;
    if (part)
        add(r, "cost", part);
    if ((err = outcomes_json(a, in->redact, &part, eb)))
        goto fail;
    add(r, "outcomes", part);
    struct json_object *nar = jobj();
    add(nar, "summary", jstr(""));
    add(nar, "self_summary", jstr(""));
    add(nar, "coach_notes", jarr());
    add(nar, "source", jobj());
    add(r, "narrative", nar);
    add(r, "data_quality", data_quality_json(in));
    if (figures_oom) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto fail;
    }
    *out = r;
    answered_index_free(ax);
    coach_texts_release(&used);
    return AID_OK;
fail:
    answered_index_free(ax);
    coach_texts_release(&used);
    json_object_put(r);
    return err;
}
