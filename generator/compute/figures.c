#include "compute/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/coachfeat.h"
#include "common/jget.h"
#include "compute/coach.h"
#include "compute/edits.h"
#include "compute/neardup.h"
#include "compute/textout.h"
#include "common/textnorm.h"
#include "common/timeutil.h"
#include "common/version.h"

#define TOP_N 10
#define TRENDS_N 10
#define TRENDS_MIN_COUNT 5
#define PSI_FLOOR 1e-4

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

static struct json_object *rates_json(const agg_week *w)
{
    struct json_object *o = jobj();
    int64_t n = w->suggestions;
    add(o, "acceptance", R6(ratio(w->by_action[ACTION_ACCEPTED], n)));
    add(o, "use", R6(ratio(w->by_action[ACTION_ACCEPTED] + w->by_action[ACTION_EDITED], n)));
    add(o, "rejection", R6(ratio(w->by_action[ACTION_REJECTED], n)));
    add(o, "edit", R6(ratio(w->by_action[ACTION_EDITED], n)));
    return o;
}

static double week_mean(const agg_week *w)
{
    return w->with_conf > 0 ? (double)w->conf_nano / (double)AGG_NANO / (double)w->with_conf : NAN;
}

static double week_ece(const agg_week *w)
{
    if (w->with_conf <= 0)
        return NAN;
    double ece = 0.0;
    for (int b = 0; b < AGG_CAL_BINS; b++) {
        if (w->cal_n[b] <= 0)
            continue;
        double acc = (double)w->cal_accepted[b] / (double)w->cal_n[b];
        double conf = (double)w->cal_conf_nano[b] / (double)AGG_NANO / (double)w->cal_n[b];
        ece += (double)w->cal_n[b] / (double)w->with_conf * fabs(acc - conf);
    }
    return ece;
}

/* What is known of the week before: from the archive, else from the logs. */
typedef struct prev_info {
    const char *source;    /* "archive", "logs" or NULL */
    double mean, ece;
    int64_t hist[AGG_HIST_BINS];
    bool have_hist;
    struct json_object *json; /* the "previous" member */
} prev_info;

static void prev_build(const figures_input *in, const char *prevweek, prev_info *p)
{
    const agg *a = in->ing->agg;
    memset(p, 0, sizeof *p);
    p->mean = p->ece = NAN;
    const struct json_object *r = in->hist->prev_report;
    if (r && jget(r, "totals") && jget_int(r, "totals.suggestions", 0) > 0) {
        p->source = "archive";
        p->mean = jget_double(r, "confidence.mean", NAN);
        p->ece = jget_double(r, "confidence.ece", NAN);
        struct json_object *h = jget(r, "confidence.histogram");
        if (h && json_object_is_type(h, json_type_array) && json_object_array_length(h) == AGG_HIST_BINS) {
            p->have_hist = true;
            for (int i = 0; i < AGG_HIST_BINS; i++)
                p->hist[i] = json_object_get_int64(json_object_array_get_idx(h, (size_t)i));
        }
        p->json = jobj();
        add(p->json, "week", jstr(prevweek));
        add(p->json, "source", jstr("archive"));
        add(p->json, "totals", jcopy(jget(r, "totals")));
        add(p->json, "rates", jcopy(jget(r, "rates")));
    } else if (a->prev.suggestions > 0) {
        p->source = "logs";
        p->mean = week_mean(&a->prev);
        p->ece = week_ece(&a->prev);
        p->have_hist = true;
        memcpy(p->hist, a->prev.hist, sizeof p->hist);
        p->json = jobj();
        add(p->json, "week", jstr(prevweek));
        add(p->json, "source", jstr("logs"));
        add(p->json, "totals", totals_json(&a->prev, -1));
        add(p->json, "rates", rates_json(&a->prev));
    } else {
        return;
    }
    add(p->json, "confidence_mean", R6(p->mean));
    add(p->json, "ece", R6(p->ece));
}

/* ---- confidence ---- */

static struct json_object *confidence_json(const figures_input *in, const prev_info *prev)
{
    const agg_week *w = &in->ing->agg->cur;
    struct json_object *o = jobj();
    double mean = week_mean(w);
    add(o, "n", jint(w->with_conf));
    add(o, "mean", R6(mean));
    add(o, "previous_mean", R6(prev->mean));
    add(o, "delta", R6(isnan(mean) || isnan(prev->mean) ? NAN : mean - prev->mean));
    struct json_object *daily = jarr();
    for (int d = 0; d < 7; d++) {
        struct json_object *e = jobj();
        char date[16];
        timeutil_format_date(in->ing->agg->week_start_ms + d * TIMEUTIL_DAY_MS, date, sizeof date);
        add(e, "date", jstr(date));
        add(e, "n", jint(w->day_conf_n[d]));
        add(e, "mean", R6(w->day_conf_n[d] > 0 ? (double)w->day_conf_nano[d] / (double)AGG_NANO / (double)w->day_conf_n[d] : NAN));
        add(e, "suggestions", jint(w->day_suggestions[d]));
        push(daily, e);
    }
    add(o, "daily", daily);
    struct json_object *hist = jarr();
    for (int b = 0; b < AGG_HIST_BINS; b++)
        push(hist, jint(w->hist[b]));
    add(o, "histogram", hist);
    struct json_object *ph = NULL;
    int64_t ptotal = 0;
    if (prev->have_hist) {
        ph = jarr();
        for (int b = 0; b < AGG_HIST_BINS; b++) {
            push(ph, jint(prev->hist[b]));
            ptotal += prev->hist[b];
        }
    }
    add(o, "previous_histogram", ph);
    double psi = NAN, ks = NAN;
    if (ptotal > 0 && w->with_conf > 0) {
        double cp = 0, cq = 0;
        psi = 0;
        ks = 0;
        for (int b = 0; b < AGG_HIST_BINS; b++) {
            double p = (double)w->hist[b] / (double)w->with_conf;
            double q = (double)prev->hist[b] / (double)ptotal;
            cp += p;
            cq += q;
            if (fabs(cp - cq) > ks)
                ks = fabs(cp - cq);
            double pf = p < PSI_FLOOR ? PSI_FLOOR : p, qf = q < PSI_FLOOR ? PSI_FLOOR : q;
            psi += (pf - qf) * log(pf / qf);
        }
    }
    add(o, "psi", R6(psi));
    add(o, "ks", R6(ks));
    struct json_object *cal = jarr();
    for (int b = 0; b < AGG_CAL_BINS; b++) {
        struct json_object *e = jobj();
        add(e, "lower", fig_num(b / 10.0, 1));
        add(e, "upper", fig_num((b + 1) / 10.0, 1));
        add(e, "n", jint(w->cal_n[b]));
        add(e, "mean_confidence", R6(w->cal_n[b] > 0 ? (double)w->cal_conf_nano[b] / (double)AGG_NANO / (double)w->cal_n[b] : NAN));
        add(e, "acceptance", R6(ratio(w->cal_accepted[b], w->cal_n[b])));
        push(cal, e);
    }
    add(o, "calibration", cal);
    add(o, "ece", R6(week_ece(w)));
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

static int cmp_rejections(const void *a, const void *b)
{
    const cluster *x = *(cluster *const *)a, *y = *(cluster *const *)b;
    int64_t rx = x->by_action[ACTION_REJECTED], ry = y->by_action[ACTION_REJECTED];
    if (rx != ry)
        return rx > ry ? -1 : 1;
    return strcmp(x->norm.buf, y->norm.buf);
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
        add(e, "acceptance_rate", R6(ratio(c->by_action[ACTION_ACCEPTED], suggested)));
        add(e, "variants", jint(c->variants));
        add(e, "edits", edits_of(&c->edits));
        push(top, e);
    }
    return top;
}

/* top_rejected: the TOP_N most rejected reply groups (sorts order by
 * rejections). */
static struct json_object *top_rejected_json(const figures_input *in, cluster **order, size_t ncl)
{
    struct json_object *top = jarr();
    qsort(order, ncl, sizeof *order, cmp_rejections);
    for (size_t i = 0; i < ncl && json_object_array_length(top) < TOP_N; i++) {
        cluster *c = order[i];
        if (c->by_action[ACTION_REJECTED] <= 0)
            break;
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
        add(e, "variants", jint(c->variants));
        add(e, "edits", edits_of(&c->edits));
        push(top, e);
    }
    return top;
}

static aid_err groups_json(const figures_input *in, struct json_object *report, coach_texts *used,
                           aid_errbuf *eb)
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

/* ---- trends ---- */

typedef struct trend {
    const char *term;
    int64_t count, base;
    double score;
} trend;

static int cmp_trend_score(const void *a, const void *b)
{
    const trend *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->term, y->term);
}

static int cmp_trend_count(const void *a, const void *b)
{
    const trend *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->term, y->term);
}

static double xlogx_over(double o, double e)
{
    return o > 0 ? o * log(o / e) : 0.0;
}

/* Dunning's log-likelihood ratio over the 2x2 table
 *   [a, n1 - a]
 *   [b, n2 - b]                                         */
static double g2(double a, double n1, double b, double n2)
{
    double n = n1 + n2, c1 = a + b, c2 = n - c1;
    if (n <= 0 || c1 <= 0 || c2 <= 0)
        return 0.0;
    double s = xlogx_over(a, n1 * c1 / n) + xlogx_over(n1 - a, n1 * c2 / n) +
               xlogx_over(b, n2 * c1 / n) + xlogx_over(n2 - b, n2 * c2 / n);
    return 2.0 * s;
}

static aid_err trends_json(const figures_input *in, struct json_object *report, aid_errbuf *eb)
{
    const agg *a = in->ing->agg;
    const history *h = in->hist;
    bool baseline = h->baseline_messages > 0;
    double n1 = (double)a->cur.messages, n2 = (double)h->baseline_messages;
    trend *t = malloc((strmap_count(a->terms) + 1) * sizeof *t);
    if (!t)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < strmap_capacity(a->terms); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(a->terms, i, &k, &kl, &v))
            continue;
        int64_t c = *(int64_t *)v;
        if (c < TRENDS_MIN_COUNT)
            continue;
        trend tr = { k, c, 0, NAN };
        if (baseline) {
            int64_t *b = strmap_get(h->baseline_terms, k, kl);
            tr.base = b ? *b : 0;
            if (!((double)c * n2 > (double)tr.base * n1)) /* rising only */
                continue;
            tr.score = g2((double)c, n1, (double)tr.base, n2);
        }
        t[n++] = tr;
    }
    qsort(t, n, sizeof *t, baseline ? cmp_trend_score : cmp_trend_count);
    struct json_object *arr = jarr();
    for (size_t i = 0; i < n && i < TRENDS_N; i++) {
        struct json_object *e = jobj();
        add(e, "term", jstr(t[i].term));
        add(e, "count", jint(t[i].count));
        struct json_object *pc = NULL;
        if (h->prev_terms) {
            int64_t *p = strmap_get(h->prev_terms, t[i].term, strlen(t[i].term));
            pc = jint(p ? *p : 0);
        }
        add(e, "previous_count", pc);
        add(e, "baseline_count", baseline ? jint(t[i].base) : NULL);
        add(e, "share", R6(ratio(t[i].count, a->cur.messages)));
        add(e, "baseline_share", baseline ? R6((double)t[i].base / n2) : NULL);
        add(e, "score", baseline ? fig_num(t[i].score, 4) : NULL);
        push(arr, e);
    }
    add(report, "trends", arr);
    struct json_object *tb = jobj();
    add(tb, "weeks", jcopy(h->baseline_weeks));
    add(tb, "messages", jint(h->baseline_messages));
    add(tb, "messages_this_week", jint(a->cur.messages));
    add(report, "trend_baseline", tb);
    free(t);
    return AID_OK;
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
    add(o, "use_rate", R6(ratio(used, n)));
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
        double d = ratio(aa, an) - ratio(ba, bn);
        add(imp, "delta", R6(d));
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
        add(e, "use_rate", R6(ratio(p->used[0], p->n[0])));
        double pa = NAN;
        struct json_object *psug = NULL;
        if (prev->source && !strcmp(prev->source, "archive")) {
            struct json_object *pp = jget(in->hist->prev_report, "prompts");
            for (size_t j = 0; pp && j < jget_len(in->hist->prev_report, "prompts"); j++) {
                struct json_object *x = json_object_array_get_idx(pp, j);
                if (!strcmp(jget_str(x, "prompt_id", ""), r[i].id)) {
                    pa = jget_double(x, "acceptance", NAN);
                    psug = jint(jget_int(x, "suggestions", 0));
                }
            }
        } else if (p->n[1] > 0) {
            pa = ratio(p->accepted[1], p->n[1]);
            psug = jint(p->n[1]);
        }
        add(e, "previous_suggestions", psug);
        add(e, "previous_acceptance", R6(pa));
        add(e, "delta", R6(ratio(p->accepted[0], p->n[0]) - pa));
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
    add(r, "schema", jint(2));
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
    prev_build(in, prevweek, &prev);
    add(r, "previous_week", prev.source ? jstr(prevweek) : NULL);
    add(r, "totals", totals_json(&a->cur, a->dq.corrections));
    add(r, "rates", rates_json(&a->cur));
    add(r, "previous", prev.json);
    if ((err = groups_json(in, r, &used, eb)))
        goto fail;
    add(r, "confidence", confidence_json(in, &prev));
    if ((err = trends_json(in, r, eb)) || (err = retraining_json(in, r, eb)) ||
        (err = prompts_json(in, &prev, r, eb)))
        goto fail;
    struct json_object *part = NULL;
    if ((err = edits_json(&a->edits, a->cur.by_action[ACTION_EDITED], &part, eb)))
        goto fail;
    add(r, "edits", part);
    if ((err = coach_json(in, &used, &part, eb)))
        goto fail;
    add(r, "coach", part);
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
    coach_texts_release(&used);
    return AID_OK;
fail:
    coach_texts_release(&used);
    json_object_put(r);
    return err;
}
