#include "compute/coach.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jbuild.h"
#include "common/coachfeat.h"
#include "common/jget.h"
#include "common/stats.h"
#include "compute/textout.h"

void coach_texts_release(coach_texts *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static double ratio(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : NAN;
}

double coach_sign_p(int64_t added, int64_t removed)
{
    int64_t n = added + removed, m = added > removed ? added : removed;
    if (n <= 0 || added == removed)
        return 1.0;
    /* P(X >= m), X ~ Binomial(n, 1/2), is I_{1/2}(m, n - m + 1) */
    double p = 2.0 * stats_betainc((double)m, (double)(n - m + 1), 0.5);
    return p < 1.0 ? p : 1.0;
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

int64_t coach_more_replies(const coach_habit *h)
{
    int64_t n0 = h->worked_n + h->rejected_n;
    double w = h->worked_n > 0 && h->rejected_n > 0 ? (double)h->worked_n / (double)n0 : 0.5;
    double p0 = n0 > 0 ? (double)(h->worked_k + h->rejected_k) / (double)n0 : 0.5;
    double d = isnan(h->lift) || fabs(h->lift) < COACH_MIN_LIFT ? COACH_MIN_LIFT : fabs(h->lift);
    /* shares d apart around p0 (weighted so the pooled share stays p0),
     * shifted inside [0, 1] when p0 is too close to an end */
    double pw = p0 + d * (1 - w), pr = p0 - d * w;
    double shift = fmin(pw, pr) < 0 ? -fmin(pw, pr) : fmax(pw, pr) > 1 ? 1 - fmax(pw, pr) : 0;
    double pbar = clamp01(p0 + shift);
    if (d > 1)
        d = 1;
    /* the pooled z test reaches COACH_SETTLE_Z at
     * N = z^2 pbar (1 - pbar) (1/w + 1/(1 - w)) / d^2 */
    double n = COACH_SETTLE_Z * COACH_SETTLE_Z * pbar * (1 - pbar) * (1 / w + 1 / (1 - w)) / (d * d);
    int64_t need = (int64_t)ceil(n - 1e-9);
    return need > n0 ? need - n0 : 0;
}

int coach_test(coach_habit *h, size_t n)
{
    double *p = malloc((n + 1) * sizeof *p), *pe = malloc((n + 1) * sizeof *pe);
    int rc = -1;
    if (!p || !pe)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        h[i].lift = ratio(h[i].worked_k, h[i].worked_n) - ratio(h[i].rejected_k, h[i].rejected_n);
        p[i] = h[i].p = stats_two_prop_p(h[i].worked_k, h[i].worked_n, h[i].rejected_k, h[i].rejected_n);
        pe[i] = h[i].edit_p = coach_sign_p(h[i].added, h[i].removed);
    }
    if (stats_bh_adjust(p, n, p) < 0 || stats_bh_adjust(pe, n, pe) < 0)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        h[i].q = p[i];
        h[i].edit_q = pe[i];
        h[i].by_shares = !isnan(h[i].lift) && fabs(h[i].lift) >= COACH_MIN_LIFT && h[i].q < COACH_Q;
        h[i].by_edits = h[i].added > h[i].removed && h[i].edit_q < COACH_Q;
        h[i].more_replies = h[i].by_shares || h[i].by_edits ? -1 : coach_more_replies(&h[i]);
    }
    rc = 0;
cleanup:
    free(pe);
    free(p);
    return rc;
}

/* ---- the report's coach object ---- */

typedef struct tip {
    int feature;
    coach_habit h;
} tip;

static bool qualifies(const tip *t)
{
    return t->h.by_shares || t->h.by_edits;
}

/* The smallest adjusted p-value by which the tip qualifies (or its q). */
static double strength(const tip *t)
{
    double s = INFINITY;
    if (t->h.by_shares && t->h.q < s)
        s = t->h.q;
    if (t->h.by_edits && t->h.edit_q < s)
        s = t->h.edit_q;
    if (!qualifies(t))
        s = isnan(t->h.q) ? INFINITY : t->h.q;
    return s;
}

/* Qualifying tips first, then by strength, then by |lift|, then by name. */
static int cmp_tip(const void *x, const void *y)
{
    const tip *a = x, *b = y;
    if (qualifies(a) != qualifies(b))
        return qualifies(a) ? -1 : 1;
    double sa = strength(a), sb = strength(b);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    double la = isnan(a->h.lift) ? -1 : fabs(a->h.lift), lb = isnan(b->h.lift) ? -1 : fabs(b->h.lift);
    if (la != lb)
        return la > lb ? -1 : 1;
    return strcmp(coachfeat_name(a->feature), coachfeat_name(b->feature));
}

/* A number (6 decimals), null for NaN or infinity. */
static struct json_object *jb_num(jbuild *b, double v)
{
    return jbuild_num(b, v, 6);
}

static struct json_object *jb_text(jbuild *b, const figures_input *in, const char *s)
{
    struct json_object *o = NULL;
    if (s && textout_json(in->redact, s, strlen(s), &o) < 0)
        b->oom = true;
    return o;
}

static struct json_object *jb_ci(jbuild *b, int64_t k, int64_t n)
{
    if (n <= 0)
        return NULL;
    stats_interval ci = stats_wilson(k, n, STATS_Z95);
    struct json_object *a = jbuild_made(b, json_object_new_array());
    if (a && (jget_push(a, jget_new_num(ci.lo, 6)) < 0 || jget_push(a, jget_new_num(ci.hi, 6)) < 0))
        b->oom = true;
    return a;
}

/* An example for each feature: the most used reply that shows it and is
 * not already another feature's example; else the first accepted reply in
 * input order that shows it. (restates_issue depends on the customer's
 * message, so it always takes the latter.) */
static const char *coach_example(jbuild *b, const figures_input *in, const coach_texts *used, int feature,
                                 const char **taken, int ntaken)
{
    for (size_t i = 0; feature != COACHFEAT_RESTATES_ISSUE && i < used->n; i++) {
        const char *t = used->v[i];
        int mask = coachfeat_detect(t, strlen(t), NULL, 0);
        if (mask < 0)
            b->oom = true;
        if (mask < 0 || !(mask & (1 << feature)))
            continue;
        bool dup = false;
        for (int k = 0; k < ntaken; k++)
            dup = dup || (taken[k] && !strcmp(taken[k], t));
        if (!dup)
            return t;
    }
    return in->ing->agg->feat.example[feature];
}

static const char *basis_of(const coach_habit *h)
{
    return h->by_shares && h->by_edits ? "shares+edits" : h->by_shares ? "shares" : h->by_edits ? "edits" : NULL;
}

static struct json_object *tip_json(jbuild *b, const figures_input *in, const tip *t, const char *example)
{
    const agg_feat *f = &in->ing->agg->feat;
    const coach_habit *h = &t->h;
    int k = t->feature;
    struct json_object *e = jbuild_made(b, json_object_new_object());
    jbuild_add(b, e, "feature", jbuild_str(b, coachfeat_name(k)));
    jbuild_add(b, e, "label", jbuild_str(b, coachfeat_label(k)));
    jbuild_add(b, e, "qualifies", jbuild_made(b, json_object_new_boolean(qualifies(t))));
    jbuild_add(b, e, "verdict", jbuild_str(b, qualifies(t) ? "tip" : "weak"));
    const char *basis = basis_of(h);
    jbuild_add(b, e, "basis", basis ? jbuild_str(b, basis) : NULL);
    jbuild_add(b, e, "ai_win_share", jb_num(b, ratio(h->worked_k, h->worked_n)));
    jbuild_add(b, e, "ai_win_share_ci", jb_ci(b, h->worked_k, h->worked_n));
    jbuild_add(b, e, "worked_n", jbuild_int(b, h->worked_n));
    jbuild_add(b, e, "rejected_share", jb_num(b, ratio(h->rejected_k, h->rejected_n)));
    jbuild_add(b, e, "rejected_share_ci", jb_ci(b, h->rejected_k, h->rejected_n));
    jbuild_add(b, e, "rejected_n", jbuild_int(b, h->rejected_n));
    jbuild_add(b, e, "lift", jb_num(b, h->lift));
    jbuild_add(b, e, "p", jb_num(b, h->p));
    jbuild_add(b, e, "q", jb_num(b, h->q));
    jbuild_add(b, e, "edits_added", jbuild_int(b, h->added));
    jbuild_add(b, e, "edits_removed", jbuild_int(b, h->removed));
    jbuild_add(b, e, "edits_p", jb_num(b, h->edit_p));
    jbuild_add(b, e, "edits_q", jb_num(b, h->edit_q));
    jbuild_add(b, e, "more_replies", h->more_replies >= 0 ? jbuild_int(b, h->more_replies) : NULL);
    jbuild_add(b, e, "wins", jbuild_int(b, f->win[k]));
    jbuild_add(b, e, "vindicated", jbuild_int(b, f->vindicated[k]));
    jbuild_add(b, e, "rejected", jbuild_int(b, f->rejected[k]));
    jbuild_add(b, e, "example", jb_text(b, in, example));
    return e;
}

static struct json_object *vindicated_json(jbuild *b, const figures_input *in)
{
    struct json_object *ex = jbuild_made(b, json_object_new_array());
    struct json_object *src = in->ing->vindicated_examples;
    for (size_t i = 0; src && i < json_object_array_length(src); i++) {
        struct json_object *s = json_object_array_get_idx(src, i);
        struct json_object *e = jbuild_made(b, json_object_new_object());
        jbuild_add(b, e, "suggestion_id", jb_text(b, in, jget_str(s, "suggestion_id", NULL)));
        jbuild_add(b, e, "action", jbuild_str(b, jget_str(s, "action", "")));
        jbuild_add(b, e, "ai_reply", jb_text(b, in, jget_str(s, "ai_reply", NULL)));
        jbuild_add(b, e, "sent_reply", jb_text(b, in, jget_str(s, "sent_reply", NULL)));
        jbuild_add(b, e, "corrected_reply", jb_text(b, in, jget_str(s, "corrected_reply", NULL)));
        jbuild_add(b, e, "reason", jb_text(b, in, jget_str(s, "reason", NULL)));
        if (!ex || json_object_array_add(ex, e) != 0) {
            b->oom = true;
            json_object_put(e);
        }
    }
    return ex;
}

aid_err coach_json(const figures_input *in, const coach_texts *used, struct json_object **out, aid_errbuf *eb)
{
    const agg *a = in->ing->agg;
    const agg_feat *f = &a->feat;
    jbuild b = { false };
    tip t[COACHFEAT__COUNT];
    coach_habit h[COACHFEAT__COUNT];
    *out = NULL;
    for (int k = 0; k < COACHFEAT__COUNT; k++)
        h[k] = (coach_habit){ .worked_k = f->win[k] + f->vindicated[k], .worked_n = f->n_win + f->n_vindicated,
                              .rejected_k = f->rejected[k], .rejected_n = f->n_rejected,
                              .added = a->edits.added[k], .removed = a->edits.removed[k] };
    if (coach_test(h, COACHFEAT__COUNT) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    int nq = 0;
    for (int k = 0; k < COACHFEAT__COUNT; k++) {
        t[k] = (tip){ k, h[k] };
        nq += h[k].by_shares || h[k].by_edits;
    }
    qsort(t, COACHFEAT__COUNT, sizeof t[0], cmp_tip);
    struct json_object *o = jbuild_made(&b, json_object_new_object());
    jbuild_add(&b, o, "ai_wins", jbuild_int(&b, a->cur.by_action[ACTION_ACCEPTED]));
    jbuild_add(&b, o, "vindicated", jbuild_int(&b, in->ing->vindicated));
    jbuild_add(&b, o, "corrections", jbuild_int(&b, a->dq.corrections));
    jbuild_add(&b, o, "qualifying", jbuild_int(&b, nq));
    jbuild_add(&b, o, "weak", jbuild_made(&b, json_object_new_boolean(nq < 3)));
    jbuild_add(&b, o, "q_level", jb_num(&b, COACH_Q));
    jbuild_add(&b, o, "min_lift", jb_num(&b, COACH_MIN_LIFT));
    jbuild_add(&b, o, "settle_p", jb_num(&b, COACH_SETTLE_P));
    jbuild_add(&b, o, "ci_level", jb_num(&b, 0.95));
    jbuild_add(&b, o, "replies_tested", jbuild_int(&b, h[0].worked_n + h[0].rejected_n));
    struct json_object *tips = jbuild_made(&b, json_object_new_array());
    const char *taken[COACHFEAT__COUNT] = { 0 };
    for (int i = 0; i < COACHFEAT__COUNT; i++) {
        taken[i] = coach_example(&b, in, used, t[i].feature, taken, i);
        struct json_object *e = tip_json(&b, in, &t[i], taken[i]);
        if (!tips || json_object_array_add(tips, e) != 0) {
            b.oom = true;
            json_object_put(e);
        }
    }
    jbuild_add(&b, o, "tips", tips);
    jbuild_add(&b, o, "vindicated_examples", vindicated_json(&b, in));
    if (b.oom) {
        json_object_put(o);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return AID_OK;
}
