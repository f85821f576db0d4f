#include "compute/segments.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jbuild.h"
#include "common/jget.h"
#include "common/stats.h"
#include "compute/drift.h"
#include "compute/textout.h"

static struct json_object *masked(jbuild *b, const redact_rules *redact, const char *s, size_t len)
{
    struct json_object *o = NULL;
    if (textout_json(redact, s, len, &o) < 0)
        b->oom = true;
    return o;
}

static double ratio(int64_t k, int64_t n)
{
    return n > 0 ? (double)k / (double)n : NAN;
}

static double nano(int64_t v)
{
    return (double)v / (double)AGG_NANO;
}

/* ---- one week of one segment ---- */

static void week_sum(aggseg_week *d, const aggseg_week *s, int sign)
{
    d->n += sign * s->n;
    for (int i = 0; i < ACTION__COUNT; i++)
        d->by_action[i] += sign * s->by_action[i];
    d->with_conf += sign * s->with_conf;
    d->conf_nano += sign * s->conf_nano;
    d->conf_sq += (__int128)sign * s->conf_sq;
    for (int i = 0; i < AGGSEG_CAL_BINS; i++) {
        d->cal_n[i] += sign * s->cal_n[i];
        d->cal_accepted[i] += sign * s->cal_accepted[i];
        d->cal_conf_nano[i] += sign * s->cal_conf_nano[i];
    }
    d->measured += sign * s->measured;
    d->light += sign * s->light;
}

/* The rates of a segment: count of a week and its denominator. */
typedef struct rate_def {
    const char *name;
    int64_t (*k)(const aggseg_week *w);
    int64_t (*n)(const aggseg_week *w);
} rate_def;

static int64_t k_accepted(const aggseg_week *w) { return w->by_action[ACTION_ACCEPTED]; }
static int64_t k_used(const aggseg_week *w) { return w->by_action[ACTION_ACCEPTED] + w->by_action[ACTION_EDITED]; }
static int64_t k_rejected(const aggseg_week *w) { return w->by_action[ACTION_REJECTED]; }
static int64_t k_light(const aggseg_week *w) { return w->light; }
static int64_t n_all(const aggseg_week *w) { return w->n; }
static int64_t n_measured(const aggseg_week *w) { return w->measured; }

static const rate_def rates[] = {
    { "acceptance", k_accepted, n_all },
    { "use", k_used, n_all },
    { "rejection", k_rejected, n_all },
    { "light_edit_share", k_light, n_measured },
};
#define NRATES (sizeof rates / sizeof rates[0])

static double week_mean(const aggseg_week *w)
{
    return w->with_conf > 0 ? nano(w->conf_nano) / (double)w->with_conf : NAN;
}

/* The sample variance (n - 1), exact in 128 bits as drift_week_var. */
static double week_var(const aggseg_week *w)
{
    int64_t n = w->with_conf;
    if (n < 2)
        return NAN;
    __int128 v = (__int128)n * w->conf_sq - (__int128)w->conf_nano * w->conf_nano;
    if (v < 0)
        v = 0;
    return (double)v / ((double)n * (double)(n - 1)) / 1e18;
}

/* The fixed-bin ECE (as confidence.ece), and its range when each bin's
 * acceptance moves within its Wilson interval (*lo, *hi). */
static double week_ece(const aggseg_week *w, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (w->with_conf <= 0)
        return NAN;
    double ece = 0, elo = 0, ehi = 0;
    for (int b = 0; b < AGGSEG_CAL_BINS; b++) {
        int64_t n = w->cal_n[b];
        if (n <= 0)
            continue;
        double share = (double)n / (double)w->with_conf;
        double acc = (double)w->cal_accepted[b] / (double)n, conf = nano(w->cal_conf_nano[b]) / (double)n;
        stats_interval ci = stats_wilson(w->cal_accepted[b], n, STATS_Z95);
        double dl = fabs(ci.lo - conf), dh = fabs(ci.hi - conf);
        ece += share * fabs(acc - conf);
        elo += share * (conf >= ci.lo && conf <= ci.hi ? 0.0 : fmin(dl, dh));
        ehi += share * fmax(dl, dh);
    }
    *lo = elo;
    *hi = ehi;
    return ece;
}

/* ---- a table ---- */

typedef enum row_kind { ROW_VALUE, ROW_NONE, ROW_OTHER } row_kind;

typedef struct row {
    row_kind kind;
    const char *key; /* ROW_VALUE: the value as written */
    size_t key_len;
    const aggseg_entry *e; /* ROW_VALUE, ROW_NONE */
    aggseg_week w[2];
    int64_t members;
    double change_p, team_p, change_q, team_q;
} row;

static int cmp_row(const void *x, const void *y)
{
    const row *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->w[0].n != b->w[0].n)
        return a->w[0].n > b->w[0].n ? -1 : 1;
    size_t m = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = m ? memcmp(a->key, b->key, m) : 0;
    if (c)
        return c;
    return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

typedef struct version_ref {
    const char *v;
    size_t len;
    int64_t n;
} version_ref;

static int cmp_version(const void *x, const void *y)
{
    const version_ref *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    size_t m = a->len < b->len ? a->len : b->len;
    int c = m ? memcmp(a->v, b->v, m) : 0;
    return c ? c : a->len < b->len ? -1 : a->len > b->len;
}

/* The prompt versions of this week, most used first (ties: bytes), and
 * the suggestions without one as version null, last. */
static struct json_object *versions_json(jbuild *b, const redact_rules *redact, const aggseg_entry *e)
{
    struct json_object *arr = jbuild_made(b, json_object_new_array());
    size_t n = 0, cap = e->versions ? strmap_count(e->versions) : 0;
    version_ref *v = malloc((cap + 1) * sizeof *v);
    if (!v) {
        b->oom = true;
        return arr;
    }
    for (size_t i = 0; e->versions && i < strmap_capacity(e->versions); i++) {
        const char *k;
        size_t kl;
        void *c;
        if (strmap_slot(e->versions, i, &k, &kl, &c) && *(int64_t *)c > 0)
            v[n++] = (version_ref){ k, kl, *(int64_t *)c };
    }
    qsort(v, n, sizeof *v, cmp_version);
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = jbuild_made(b, json_object_new_object());
        jbuild_add(b, o, "version", masked(b, redact, v[i].v, v[i].len));
        jbuild_add(b, o, "suggestions", jbuild_int(b, v[i].n));
        jbuild_push(b, arr, o);
    }
    if (e->no_version > 0) {
        struct json_object *o = jbuild_made(b, json_object_new_object());
        jbuild_add(b, o, "version", NULL);
        jbuild_add(b, o, "suggestions", jbuild_int(b, e->no_version));
        jbuild_push(b, arr, o);
    }
    free(v);
    return arr;
}

/* A proportion's change k1/n1 - k0/n0: delta, Newcombe interval, verdict
 * (all null when either n is 0). */
static struct json_object *change_json(jbuild *b, int64_t k1, int64_t n1, int64_t k0, int64_t n0)
{
    struct json_object *o = jbuild_made(b, json_object_new_object());
    bool def = n1 > 0 && n0 > 0;
    stats_interval ci = def ? stats_newcombe(k1, n1, k0, n0, STATS_Z95) : (stats_interval){ NAN, NAN };
    jbuild_add(b, o, "delta", def ? jbuild_num(b, ratio(k1, n1) - ratio(k0, n0), 6) : NULL);
    jbuild_add(b, o, "delta_ci", drift_interval_json(ci.lo, ci.hi, &b->oom));
    jbuild_add(b, o, "verdict", def ? jbuild_str(b, stats_verdict_name(stats_verdict_of(ci))) : NULL);
    return o;
}

static struct json_object *mean_change_json(jbuild *b, const aggseg_week *w1, const aggseg_week *w0)
{
    struct json_object *o = jbuild_made(b, json_object_new_object());
    double m1 = week_mean(w1), m0 = week_mean(w0);
    double delta = isnan(m1) || isnan(m0) ? NAN : m1 - m0, df = NAN;
    stats_interval ci = { NAN, NAN };
    if (w1->with_conf >= 2 && w0->with_conf >= 2)
        ci = stats_welch(m1, week_var(w1), w1->with_conf, m0, week_var(w0), w0->with_conf, 0.05, &df);
    jbuild_add(b, o, "delta", jbuild_num(b, delta, 6));
    jbuild_add(b, o, "delta_ci", drift_interval_json(ci.lo, ci.hi, &b->oom));
    jbuild_add(b, o, "delta_df", jbuild_num(b, df, 2));
    jbuild_add(b, o, "verdict", isnan(delta) ? NULL : jbuild_str(b, stats_verdict_name(stats_verdict_of(ci))));
    return o;
}

/* The t interval of a week's mean confidence (mean -+ t(0.975, n - 1)
 * sqrt(var / n)); null below 2 scores. */
static struct json_object *mean_ci_json(jbuild *b, const aggseg_week *w)
{
    if (w->with_conf < 2)
        return NULL;
    double m = week_mean(w), half = stats_t_quantile(0.975, (double)(w->with_conf - 1)) *
                                    sqrt(week_var(w) / (double)w->with_conf);
    return drift_interval_json(fmax(0.0, m - half), fmin(1.0, m + half), &b->oom);
}

static void week_json(jbuild *b, struct json_object *o, const aggseg_week *w, bool with_ci)
{
    jbuild_add(b, o, "suggestions", jbuild_int(b, w->n));
    if (with_ci) {
        jbuild_add(b, o, "accepted", jbuild_int(b, w->by_action[ACTION_ACCEPTED]));
        jbuild_add(b, o, "edited", jbuild_int(b, w->by_action[ACTION_EDITED]));
        jbuild_add(b, o, "rejected", jbuild_int(b, w->by_action[ACTION_REJECTED]));
        jbuild_add(b, o, "ignored", jbuild_int(b, w->by_action[ACTION_IGNORED]));
    }
    for (size_t i = 0; i < NRATES; i++) {
        int64_t k = rates[i].k(w), n = rates[i].n(w);
        jbuild_add(b, o, rates[i].name, jbuild_num(b, ratio(k, n), 6));
        if (with_ci) {
            char name[40];
            snprintf(name, sizeof name, "%s_ci", rates[i].name);
            jbuild_add(b, o, name, drift_wilson_json(k, n, &b->oom));
        }
    }
    jbuild_add(b, o, "edits_measured", jbuild_int(b, w->measured));
    jbuild_add(b, o, "light_edits", jbuild_int(b, w->light));
    jbuild_add(b, o, "with_confidence", jbuild_int(b, w->with_conf));
    jbuild_add(b, o, "mean_confidence", jbuild_num(b, week_mean(w), 6));
    if (with_ci)
        jbuild_add(b, o, "mean_confidence_ci", mean_ci_json(b, w));
    double lo, hi, ece = week_ece(w, &lo, &hi);
    jbuild_add(b, o, "ece", jbuild_num(b, ece, 6));
    if (with_ci)
        jbuild_add(b, o, "ece_range", drift_interval_json(lo, hi, &b->oom));
}

static const char *row_name(row_kind k)
{
    return k == ROW_VALUE ? "value" : k == ROW_NONE ? "none" : "other";
}

static struct json_object *row_json(jbuild *b, const redact_rules *redact, aggseg_dim d, const row *r,
                                    const aggseg_week team[2])
{
    struct json_object *o = jbuild_made(b, json_object_new_object());
    const aggseg_week *w1 = &r->w[0], *w0 = &r->w[1];
    if (r->kind == ROW_VALUE)
        jbuild_add(b, o, "segment", masked(b, redact, r->key, r->key_len));
    else
        jbuild_add(b, o, "segment", jbuild_str(b, r->kind == ROW_NONE ? "(none)" : "other"));
    jbuild_add(b, o, "kind", jbuild_str(b, row_name(r->kind)));
    jbuild_add(b, o, "members", jbuild_int(b, r->members));
    if (d == AGGSEG_PROMPT)
        jbuild_add(b, o, "versions", r->kind == ROW_VALUE ? versions_json(b, redact, r->e) : NULL);
    week_json(b, o, w1, true);
    struct json_object *prev = NULL, *ch = NULL;
    if (w0->n > 0) {
        prev = jbuild_made(b, json_object_new_object());
        week_json(b, prev, w0, false);
        ch = jbuild_made(b, json_object_new_object());
        for (size_t i = 0; i < NRATES; i++)
            jbuild_add(b, ch, rates[i].name, change_json(b, rates[i].k(w1), rates[i].n(w1), rates[i].k(w0), rates[i].n(w0)));
        jbuild_add(b, ch, "mean_confidence", mean_change_json(b, w1, w0));
        double l1, h1, l0, h0, e1 = week_ece(w1, &l1, &h1), e0 = week_ece(w0, &l0, &h0);
        struct json_object *ec = jbuild_made(b, json_object_new_object());
        jbuild_add(b, ec, "delta", jbuild_num(b, isnan(e1) || isnan(e0) ? NAN : e1 - e0, 6));
        jbuild_add(b, ch, "ece", ec);
    }
    jbuild_add(b, o, "previous", prev);
    jbuild_add(b, o, "changes", ch);
    /* the acceptance's change and its difference from the rest of the team,
     * tested and adjusted across the table */
    bool ch_sig = !isnan(r->change_q) && r->change_q < SEGMENTS_FDR;
    jbuild_add(b, o, "change_p", jbuild_num(b, r->change_p, 6));
    jbuild_add(b, o, "change_q", jbuild_num(b, r->change_q, 6));
    jbuild_add(b, o, "change_significant", isnan(r->change_q) ? NULL : jbuild_bool(b, ch_sig));
    aggseg_week rest = team[0];
    week_sum(&rest, w1, -1);
    struct json_object *vt = jbuild_made(b, json_object_new_object());
    bool team_sig = !isnan(r->team_q) && r->team_q < SEGMENTS_FDR;
    jbuild_add(b, vt, "rest_suggestions", jbuild_int(b, rest.n));
    jbuild_add(b, vt, "rest_acceptance", jbuild_num(b, ratio(k_accepted(&rest), rest.n), 6));
    jbuild_add(b, vt, "delta", rest.n > 0 && w1->n > 0 ? jbuild_num(b, ratio(k_accepted(w1), w1->n) - ratio(k_accepted(&rest), rest.n), 6) : NULL);
    stats_interval ci = rest.n > 0 && w1->n > 0
                            ? stats_newcombe(k_accepted(w1), w1->n, k_accepted(&rest), rest.n, STATS_Z95)
                            : (stats_interval){ NAN, NAN };
    jbuild_add(b, vt, "delta_ci", drift_interval_json(ci.lo, ci.hi, &b->oom));
    jbuild_add(b, vt, "p", jbuild_num(b, r->team_p, 6));
    jbuild_add(b, vt, "q", jbuild_num(b, r->team_q, 6));
    jbuild_add(b, vt, "significant", isnan(r->team_q) ? NULL : jbuild_bool(b, team_sig));
    jbuild_add(b, o, "vs_team", vt);
    jbuild_add(b, o, "highlight", jbuild_bool(b, ch_sig || team_sig));
    return o;
}

/* BH across the defined p-values of the rows (NaN stays NaN). -1 when
 * out of memory. */
static int bh_rows(row *r, size_t n, bool team)
{
    double *p = calloc(n + 1, sizeof *p);
    size_t *at = calloc(n + 1, sizeof *at);
    size_t m = 0;
    if (!p || !at) {
        free(p);
        free(at);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        double v = team ? r[i].team_p : r[i].change_p;
        if (!isnan(v)) {
            at[m] = i;
            p[m++] = v;
        }
    }
    int rc = stats_bh_adjust(p, m, p);
    for (size_t j = 0; rc == 0 && j < m; j++) {
        if (team)
            r[at[j]].team_q = p[j];
        else
            r[at[j]].change_q = p[j];
    }
    free(p);
    free(at);
    return rc;
}

static aid_err table_json(jbuild *b, const aggseg *s, aggseg_dim d, const redact_rules *redact,
                          struct json_object **out, aid_errbuf *eb)
{
    const strmap *m = s->tab[d];
    row *r = malloc((strmap_count(m) + 3) * sizeof *r);
    if (!r)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    size_t n = 0;
    row other = { .kind = ROW_OTHER, .change_p = NAN, .team_p = NAN, .change_q = NAN, .team_q = NAN };
    aggseg_week team[2] = { { 0 }, { 0 } };
    for (size_t i = 0; i <= strmap_capacity(m); i++) {
        row x = { .kind = ROW_VALUE, .members = 1, .change_p = NAN, .team_p = NAN, .change_q = NAN, .team_q = NAN };
        if (i == strmap_capacity(m)) {
            x.kind = ROW_NONE;
            x.e = &s->none[d];
        } else {
            void *v;
            if (!strmap_slot(m, i, &x.key, &x.key_len, &v))
                continue;
            x.e = v;
        }
        x.w[0] = x.e->w[0];
        x.w[1] = x.e->w[1];
        week_sum(&team[0], &x.w[0], 1);
        week_sum(&team[1], &x.w[1], 1);
        if (x.w[0].n <= 0)
            continue; /* not seen this week: not listed */
        if (x.w[0].n < SEGMENTS_MIN_SUGGESTIONS) {
            week_sum(&other.w[0], &x.w[0], 1);
            week_sum(&other.w[1], &x.w[1], 1);
            other.members++;
            continue;
        }
        r[n++] = x;
    }
    if (other.members)
        r[n++] = other;
    qsort(r, n, sizeof *r, cmp_row);
    for (size_t i = 0; i < n; i++) {
        const aggseg_week *w1 = &r[i].w[0], *w0 = &r[i].w[1];
        int64_t rest_n = team[0].n - w1->n, rest_k = k_accepted(&team[0]) - k_accepted(w1);
        if (rest_n > 0)
            r[i].team_p = stats_two_prop_p(k_accepted(w1), w1->n, rest_k, rest_n);
        if (w0->n > 0)
            r[i].change_p = stats_two_prop_p(k_accepted(w1), w1->n, k_accepted(w0), w0->n);
    }
    if (bh_rows(r, n, true) < 0 || bh_rows(r, n, false) < 0) {
        free(r);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    struct json_object *arr = jbuild_made(b, json_object_new_array());
    for (size_t i = 0; i < n; i++)
        jbuild_push(b, arr, row_json(b, redact, d, &r[i], team));
    free(r);
    *out = arr;
    return AID_OK;
}

aid_err segments_json(const agg *a, const redact_rules *redact, struct json_object **out, aid_errbuf *eb)
{
    jbuild b = { false };
    aid_err err = AID_OK;
    struct json_object *o = jbuild_made(&b, json_object_new_object());
    jbuild_add(&b, o, "min_suggestions", jbuild_int(&b, SEGMENTS_MIN_SUGGESTIONS));
    jbuild_add(&b, o, "fdr", jbuild_num(&b, SEGMENTS_FDR, 2));
    for (int d = 0; d < AGGSEG__DIMS; d++) {
        struct json_object *t = NULL;
        if ((err = table_json(&b, &a->seg, (aggseg_dim)d, redact, &t, eb))) {
            json_object_put(o);
            return err;
        }
        jbuild_add(&b, o, aggseg_dim_name((aggseg_dim)d), t);
    }
    if (b.oom) {
        json_object_put(o);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return AID_OK;
}
