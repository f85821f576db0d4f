#include "compute/drift.h"

#include <math.h>
#include <string.h>

#include "common/jget.h"
#include "common/stats.h"
#include "common/timeutil.h"

#define PSI_FLOOR 1e-4
#define PSI_SMALL 0.1
#define PSI_LARGE 0.25
#define KS_SMALL 0.1
#define KS_LARGE 0.2

/* Building: a failed constructor sets b->oom; a NULL container swallows
 * what is added to it; a NULL value on purpose is a JSON null. */
typedef struct jb {
    bool oom;
} jb;

static struct json_object *made(jb *b, struct json_object *o)
{
    if (!o)
        b->oom = true;
    return o;
}

static struct json_object *num(jb *b, double v, int decimals)
{
    if (isnan(v) || isinf(v))
        return NULL;
    return made(b, jget_new_num(v, decimals));
}

static struct json_object *jint(jb *b, int64_t v)
{
    return made(b, json_object_new_int64(v));
}

static struct json_object *jstr(jb *b, const char *s)
{
    return s ? made(b, json_object_new_string(s)) : NULL;
}

static void add(jb *b, struct json_object *o, const char *k, struct json_object *v)
{
    if (!o || json_object_object_add(o, k, v) != 0) {
        b->oom = true;
        json_object_put(v);
    }
}

static void push(jb *b, struct json_object *arr, struct json_object *v)
{
    if (!arr || json_object_array_add(arr, v) != 0) {
        b->oom = true;
        json_object_put(v);
    }
}

struct json_object *drift_interval_json(double lo, double hi, bool *oom)
{
    if (isnan(lo) || isnan(hi))
        return NULL;
    jb b = { false };
    struct json_object *a = made(&b, json_object_new_array());
    push(&b, a, num(&b, lo, 6));
    push(&b, a, num(&b, hi, 6));
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

static struct json_object *wilson(jb *b, int64_t k, int64_t n)
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

static void mean_change(jb *b, struct json_object *o, const agg_week *w, const drift_prev *prev)
{
    double mean = drift_week_mean(w), var = drift_week_var(w);
    double delta = isnan(mean) || isnan(prev->mean) ? NAN : mean - prev->mean;
    add(b, o, "previous_mean", num(b, prev->mean, 6));
    add(b, o, "delta", num(b, delta, 6));
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
    add(b, o, "delta_ci", drift_interval_json(ci.lo, ci.hi, &b->oom));
    add(b, o, "delta_df", num(b, df, 2));
    add(b, o, "delta_verdict", isnan(delta) ? NULL : jstr(b, stats_verdict_name(stats_verdict_of(ci))));
    add(b, o, "delta_note", jstr(b, note));
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

static void drift_json(jb *b, struct json_object *o, const agg_week *w, const drift_prev *prev)
{
    struct json_object *ph = NULL;
    int64_t m = 0;
    if (prev->have_hist) {
        ph = made(b, json_object_new_array());
        for (int i = 0; i < AGG_HIST_BINS; i++) {
            push(b, ph, jint(b, prev->hist[i]));
            m += prev->hist[i];
        }
    }
    add(b, o, "previous_histogram", ph);
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
    add(b, o, "psi", num(b, psi, 6));
    add(b, o, "ks", num(b, ks, 6));
    if (isnan(psi)) {
        add(b, o, "drift", NULL);
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
    struct json_object *d = made(b, json_object_new_object());
    add(b, d, "n", jint(b, n));
    add(b, d, "m", jint(b, m));
    add(b, d, "bins", jint(b, AGG_HIST_BINS));
    add(b, d, "min_scores", jint(b, DRIFT_MIN_SCORES));
    add(b, d, "alpha", num(b, DRIFT_ALPHA, 2));
    add(b, d, "psi_p", num(b, psi_p, 6));
    add(b, d, "psi_verdict", jstr(b, pv));
    add(b, d, "ks_p", num(b, ks_p, 6));
    add(b, d, "ks_verdict", jstr(b, kv));
    add(b, d, "verdict", jstr(b, v));
    add(b, o, "drift", d);
}

/* ---- calibration ---- */

static void calibration_json(jb *b, struct json_object *o, const agg_week *w)
{
    struct json_object *cal = made(b, json_object_new_array());
    for (int i = 0; i < AGG_CAL_BINS; i++) {
        struct json_object *e = made(b, json_object_new_object());
        int64_t n = w->cal_n[i];
        add(b, e, "lower", num(b, i / 10.0, 1));
        add(b, e, "upper", num(b, (i + 1) / 10.0, 1));
        add(b, e, "n", jint(b, n));
        add(b, e, "mean_confidence", num(b, n > 0 ? nano(w->cal_conf_nano[i]) / (double)n : NAN, 6));
        add(b, e, "acceptance", num(b, n > 0 ? (double)w->cal_accepted[i] / (double)n : NAN, 6));
        add(b, e, "acceptance_ci", wilson(b, w->cal_accepted[i], n));
        push(b, cal, e);
    }
    add(b, o, "calibration", cal);
    add(b, o, "ece", num(b, drift_week_ece(w), 6));
    double sum[AGG_FINE_BINS];
    for (int i = 0; i < AGG_FINE_BINS; i++)
        sum[i] = nano(w->fine_conf_nano[i]);
    double emece = stats_ece_equal_mass(w->fine_n, w->fine_accepted, sum, AGG_FINE_BINS, DRIFT_ECE_BINS,
                                        NULL, NULL, NULL);
    add(b, o, "ece_equal_mass", num(b, emece, 6));
    add(b, o, "ece_equal_mass_bins", jint(b, DRIFT_ECE_BINS));
    int64_t accepted = 0; /* accepted among the scored suggestions */
    for (int i = 0; i < AGG_CAL_BINS; i++)
        accepted += w->cal_accepted[i];
    add(b, o, "brier", num(b, stats_brier((double)w->conf_sq / 1e18, nano(w->acc_conf_nano), accepted, w->with_conf), 6));
}

aid_err drift_confidence_json(const agg *a, const drift_prev *prev, struct json_object **out, aid_errbuf *eb)
{
    jb b = { false };
    const agg_week *w = &a->cur;
    struct json_object *o = made(&b, json_object_new_object());
    add(&b, o, "n", jint(&b, w->with_conf));
    add(&b, o, "mean", num(&b, drift_week_mean(w), 6));
    add(&b, o, "variance", num(&b, drift_week_var(w), 9));
    mean_change(&b, o, w, prev);
    struct json_object *daily = made(&b, json_object_new_array());
    for (int d = 0; d < 7; d++) {
        struct json_object *e = made(&b, json_object_new_object());
        char date[16];
        timeutil_format_date(a->week_start_ms + d * TIMEUTIL_DAY_MS, date, sizeof date);
        add(&b, e, "date", jstr(&b, date));
        add(&b, e, "n", jint(&b, w->day_conf_n[d]));
        add(&b, e, "mean", num(&b, w->day_conf_n[d] > 0 ? nano(w->day_conf_nano[d]) / (double)w->day_conf_n[d] : NAN, 6));
        add(&b, e, "suggestions", jint(&b, w->day_suggestions[d]));
        push(&b, daily, e);
    }
    add(&b, o, "daily", daily);
    struct json_object *hist = made(&b, json_object_new_array());
    for (int i = 0; i < AGG_HIST_BINS; i++)
        push(&b, hist, jint(&b, w->hist[i]));
    add(&b, o, "histogram", hist);
    drift_json(&b, o, w, prev);
    calibration_json(&b, o, w);
    if (b.oom) {
        json_object_put(o);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return AID_OK;
}
