#include "compute/drift.h"

#include <math.h>
#include <string.h>

#include "common/jbuild.h"
#include "common/jget.h"
#include "common/stats.h"
#include "common/timeutil.h"

#define PSI_FLOOR 1e-4
#define PSI_SMALL 0.1
#define PSI_LARGE 0.25
#define KS_SMALL 0.1
#define KS_LARGE 0.2

struct json_object *drift_interval_json(double lo, double hi, bool *oom)
{
    if (isnan(lo) || isnan(hi))
        return NULL;
    jbuild b = { false };
    struct json_object *a = jbuild_made(&b, json_object_new_array());
    jbuild_push(&b, a, jbuild_num(&b, lo, 6));
    jbuild_push(&b, a, jbuild_num(&b, hi, 6));
    if (b.oom) {
        json_object_put(a);
        *oom = true;
        return NULL;
    }
    return a;
}

struct json_object *drift_wilson_json(int64_t k, int64_t n, bool *oom)
{
    if (n <= 0)
        return NULL;
    stats_interval ci = stats_wilson(k, n, STATS_Z95);
    return drift_interval_json(ci.lo, ci.hi, oom);
}

static struct json_object *wilson(jbuild *b, int64_t k, int64_t n)
{
    return drift_wilson_json(k, n, &b->oom);
}

static double nano(int64_t v)
{
    return (double)v / (double)AGG_NANO;
}

double drift_week_mean(const agg_week *w)
{
    return w->with_conf > 0 ? nano(w->conf_nano) / (double)w->with_conf : NAN;
}

double drift_week_var(const agg_week *w)
{
    int64_t n = w->with_conf;
    if (n < 2)
        return NAN;
    /* (n S2 - S1^2) / (n (n - 1)), in nano-units squared: exact in 128 bits */
    __int128 num128 = (__int128)n * w->conf_sq - (__int128)w->conf_nano * w->conf_nano;
    if (num128 < 0)
        num128 = 0;
    return (double)num128 / ((double)n * (double)(n - 1)) / 1e18;
}

double drift_week_ece(const agg_week *w)
{
    if (w->with_conf <= 0)
        return NAN;
    double ece = 0.0;
    for (int b = 0; b < AGG_CAL_BINS; b++) {
        if (w->cal_n[b] <= 0)
            continue;
        double acc = (double)w->cal_accepted[b] / (double)w->cal_n[b];
        double conf = nano(w->cal_conf_nano[b]) / (double)w->cal_n[b];
        ece += (double)w->cal_n[b] / (double)w->with_conf * fabs(acc - conf);
    }
    return ece;
}

void drift_prev_none(drift_prev *p)
{
    memset(p, 0, sizeof *p);
    p->mean = p->var = p->ece = NAN;
    p->n = -1;
}

void drift_prev_from_week(drift_prev *p, const agg_week *w)
{
    drift_prev_none(p);
    p->mean = drift_week_mean(w);
    p->var = drift_week_var(w);
    p->ece = drift_week_ece(w);
    p->n = w->with_conf;
    p->have_hist = true;
    memcpy(p->hist, w->hist, sizeof p->hist);
}

void drift_prev_from_report(drift_prev *p, const struct json_object *r)
{
    drift_prev_none(p);
    p->mean = jget_double(r, "confidence.mean", NAN);
    p->ece = jget_double(r, "confidence.ece", NAN);
    p->n = jget_int(r, "confidence.n", -1);
    if (jget_int(r, "schema", 1) >= 2)
        p->var = jget_double(r, "confidence.variance", NAN);
    else
        p->no_var_schema1 = true;
    struct json_object *h = jget(r, "confidence.histogram");
    if (h && json_object_is_type(h, json_type_array) && json_object_array_length(h) == AGG_HIST_BINS) {
        p->have_hist = true;
        for (int i = 0; i < AGG_HIST_BINS; i++)
            p->hist[i] = json_object_get_int64(json_object_array_get_idx(h, (size_t)i));
    }
}

/* ---- the change of the mean: Welch ---- */

static void mean_change(jbuild *b, struct json_object *o, const agg_week *w, const drift_prev *prev)
{
    double mean = drift_week_mean(w), var = drift_week_var(w);
    double delta = isnan(mean) || isnan(prev->mean) ? NAN : mean - prev->mean;
    jbuild_add(b, o, "previous_mean", jbuild_num(b, prev->mean, 6));
    jbuild_add(b, o, "delta", jbuild_num(b, delta, 6));
    const char *note = NULL;
    stats_interval ci = { NAN, NAN };
    double df = NAN;
    if (isnan(prev->mean))
        note = NULL; /* no previous week: the whole change is null */
    else if (prev->no_var_schema1)
        note = "not defined: the previous week's report is schema 1, without the variance";
    else if (w->with_conf < 2 || prev->n < 2 || isnan(prev->var))
        note = "not defined: fewer than 2 scores in a week";
    else
        ci = stats_welch(mean, var, w->with_conf, prev->mean, prev->var, prev->n, 0.05, &df);
    jbuild_add(b, o, "delta_ci", drift_interval_json(ci.lo, ci.hi, &b->oom));
    jbuild_add(b, o, "delta_df", jbuild_num(b, df, 2));
    jbuild_add(b, o, "delta_verdict", isnan(delta) ? NULL : jbuild_str(b, stats_verdict_name(stats_verdict_of(ci))));
    jbuild_add(b, o, "delta_note", jbuild_str(b, note));
}

/* ---- drift: PSI and KS, their p-values and verdicts ---- */

static int verdict_rank(const char *v)
{
    return !strcmp(v, "large") ? 2 : !strcmp(v, "small") ? 1 : 0;
}

static const char *effect_verdict(double p, double value, double small, double large)
{
    if (isnan(p) || !(p < DRIFT_ALPHA) || !(value >= small))
        return "none";
    return value >= large ? "large" : "small";
}

static void drift_json(jbuild *b, struct json_object *o, const agg_week *w, const drift_prev *prev)
{
    struct json_object *ph = NULL;
    int64_t m = 0;
    if (prev->have_hist) {
        ph = jbuild_made(b, json_object_new_array());
        for (int i = 0; i < AGG_HIST_BINS; i++) {
            jbuild_push(b, ph, jbuild_int(b, prev->hist[i]));
            m += prev->hist[i];
        }
    }
    jbuild_add(b, o, "previous_histogram", ph);
    int64_t n = w->with_conf;
    double psi = NAN, ks = NAN;
    if (m > 0 && n > 0) {
        double cp = 0, cq = 0;
        psi = ks = 0;
        for (int i = 0; i < AGG_HIST_BINS; i++) {
            double p = (double)w->hist[i] / (double)n, q = (double)prev->hist[i] / (double)m;
            cp += p;
            cq += q;
            if (fabs(cp - cq) > ks)
                ks = fabs(cp - cq);
            double pf = p < PSI_FLOOR ? PSI_FLOOR : p, qf = q < PSI_FLOOR ? PSI_FLOOR : q;
            psi += (pf - qf) * log(pf / qf);
        }
    }
    jbuild_add(b, o, "psi", jbuild_num(b, psi, 6));
    jbuild_add(b, o, "ks", jbuild_num(b, ks, 6));
    if (isnan(psi)) {
        jbuild_add(b, o, "drift", NULL);
        return;
    }
    /* the verdicts read the figures as written (6 decimals), so what the
     * report shows and what it concludes agree */
    double psi6 = round(psi * 1e6) / 1e6, ks6 = round(ks * 1e6) / 1e6;
    double psi_p = stats_psi_pvalue(psi6, n, m, AGG_HIST_BINS), ks_p = stats_ks_pvalue(ks6, n, m);
    const char *pv, *kv, *v;
    if (n < DRIFT_MIN_SCORES || m < DRIFT_MIN_SCORES) {
        pv = kv = v = "too_few";
    } else {
        pv = effect_verdict(psi_p, psi6, PSI_SMALL, PSI_LARGE);
        kv = effect_verdict(ks_p, ks6, KS_SMALL, KS_LARGE);
        v = verdict_rank(pv) >= verdict_rank(kv) ? pv : kv;
    }
    struct json_object *d = jbuild_made(b, json_object_new_object());
    jbuild_add(b, d, "n", jbuild_int(b, n));
    jbuild_add(b, d, "m", jbuild_int(b, m));
    jbuild_add(b, d, "bins", jbuild_int(b, AGG_HIST_BINS));
    jbuild_add(b, d, "min_scores", jbuild_int(b, DRIFT_MIN_SCORES));
    jbuild_add(b, d, "alpha", jbuild_num(b, DRIFT_ALPHA, 2));
    jbuild_add(b, d, "psi_p", jbuild_num(b, psi_p, 6));
    jbuild_add(b, d, "psi_verdict", jbuild_str(b, pv));
    jbuild_add(b, d, "ks_p", jbuild_num(b, ks_p, 6));
    jbuild_add(b, d, "ks_verdict", jbuild_str(b, kv));
    jbuild_add(b, d, "verdict", jbuild_str(b, v));
    jbuild_add(b, o, "drift", d);
}

/* ---- calibration ---- */

static void calibration_json(jbuild *b, struct json_object *o, const agg_week *w)
{
    struct json_object *cal = jbuild_made(b, json_object_new_array());
    for (int i = 0; i < AGG_CAL_BINS; i++) {
        struct json_object *e = jbuild_made(b, json_object_new_object());
        int64_t n = w->cal_n[i];
        jbuild_add(b, e, "lower", jbuild_num(b, i / 10.0, 1));
        jbuild_add(b, e, "upper", jbuild_num(b, (i + 1) / 10.0, 1));
        jbuild_add(b, e, "n", jbuild_int(b, n));
        jbuild_add(b, e, "mean_confidence", jbuild_num(b, n > 0 ? nano(w->cal_conf_nano[i]) / (double)n : NAN, 6));
        jbuild_add(b, e, "acceptance", jbuild_num(b, n > 0 ? (double)w->cal_accepted[i] / (double)n : NAN, 6));
        jbuild_add(b, e, "acceptance_ci", wilson(b, w->cal_accepted[i], n));
        jbuild_push(b, cal, e);
    }
    jbuild_add(b, o, "calibration", cal);
    jbuild_add(b, o, "ece", jbuild_num(b, drift_week_ece(w), 6));
    double sum[AGG_FINE_BINS];
    for (int i = 0; i < AGG_FINE_BINS; i++)
        sum[i] = nano(w->fine_conf_nano[i]);
    double emece = stats_ece_equal_mass(w->fine_n, w->fine_accepted, sum, AGG_FINE_BINS, DRIFT_ECE_BINS,
                                        NULL, NULL, NULL);
    jbuild_add(b, o, "ece_equal_mass", jbuild_num(b, emece, 6));
    jbuild_add(b, o, "ece_equal_mass_bins", jbuild_int(b, DRIFT_ECE_BINS));
    int64_t accepted = 0; /* accepted among the scored suggestions */
    for (int i = 0; i < AGG_CAL_BINS; i++)
        accepted += w->cal_accepted[i];
    jbuild_add(b, o, "brier", jbuild_num(b, stats_brier((double)w->conf_sq / 1e18, nano(w->acc_conf_nano), accepted, w->with_conf), 6));
}

aid_err drift_confidence_json(const agg *a, const drift_prev *prev, struct json_object **out, aid_errbuf *eb)
{
    jbuild b = { false };
    const agg_week *w = &a->cur;
    struct json_object *o = jbuild_made(&b, json_object_new_object());
    jbuild_add(&b, o, "n", jbuild_int(&b, w->with_conf));
    jbuild_add(&b, o, "mean", jbuild_num(&b, drift_week_mean(w), 6));
    jbuild_add(&b, o, "variance", jbuild_num(&b, drift_week_var(w), 9));
    mean_change(&b, o, w, prev);
    struct json_object *daily = jbuild_made(&b, json_object_new_array());
    for (int d = 0; d < 7; d++) {
        struct json_object *e = jbuild_made(&b, json_object_new_object());
        char date[16];
        timeutil_format_date(a->week_start_ms + d * TIMEUTIL_DAY_MS, date, sizeof date);
        jbuild_add(&b, e, "date", jbuild_str(&b, date));
        jbuild_add(&b, e, "n", jbuild_int(&b, w->day_conf_n[d]));
        jbuild_add(&b, e, "mean", jbuild_num(&b, w->day_conf_n[d] > 0 ? nano(w->day_conf_nano[d]) / (double)w->day_conf_n[d] : NAN, 6));
        jbuild_add(&b, e, "suggestions", jbuild_int(&b, w->day_suggestions[d]));
        jbuild_push(&b, daily, e);
    }
    jbuild_add(&b, o, "daily", daily);
    struct json_object *hist = jbuild_made(&b, json_object_new_array());
    for (int i = 0; i < AGG_HIST_BINS; i++)
        jbuild_push(&b, hist, jbuild_int(&b, w->hist[i]));
    jbuild_add(&b, o, "histogram", hist);
    drift_json(&b, o, w, prev);
    calibration_json(&b, o, w);
    if (b.oom) {
        json_object_put(o);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return AID_OK;
}
