/*
 * drift.h - the confidence part of report.json (private to compute/): mean,
 * variance and its Welch change, histogram, PSI and KS with their p-values
 * and drift verdicts, calibration (fixed bins with Wilson intervals, ECE,
 * equal-mass ECE, Brier). Definitions in docs/figures.md ("Confidence",
 * "Statistics").
 */
#ifndef AID_DRIFT_H
#define AID_DRIFT_H

#include <json-c/json.h>
#include <stdbool.h>

#include "common/err.h"
#include "read/read.h"

#define DRIFT_MIN_SCORES 100 /* below this in either week: too_few */
#define DRIFT_ALPHA 0.01
#define DRIFT_ECE_BINS 15

/* What is known of the previous week's confidences. */
typedef struct drift_prev {
    double mean, var, ece; /* NaN when unknown */
    int64_t n;             /* scores; -1 when unknown */
    int64_t hist[AGG_HIST_BINS];
    bool have_hist;
    bool no_var_schema1;   /* the archived report is schema 1: no variance */
} drift_prev;

/* A previous week with nothing known (every figure NaN, n -1). */
void drift_prev_none(drift_prev *p);
/* Fill p from a week's aggregates (the logs). */
void drift_prev_from_week(drift_prev *p, const agg_week *w);
/* Fill p from an archived report.json (schema 1 or 2). */
void drift_prev_from_report(drift_prev *p, const struct json_object *report);

/* Mean, sample variance (n - 1) and fixed-bin ECE of a week; NaN when
 * not defined. */
double drift_week_mean(const agg_week *w);
double drift_week_var(const agg_week *w);
double drift_week_ece(const agg_week *w);

/* The "confidence" member (*out, caller owns it). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err drift_confidence_json(const agg *a, const drift_prev *prev, struct json_object **out,
                                             aid_errbuf *eb);

/* [lo, hi] of the 95 % Wilson interval of k / n (6 decimals); a JSON null
 * (NULL, *oom untouched) when n is 0; NULL with *oom set when out of
 * memory. */
struct json_object *drift_wilson_json(int64_t k, int64_t n, bool *oom);
/* [lo, hi] of an interval (6 decimals); NULL (JSON null) when not defined. */
struct json_object *drift_interval_json(double lo, double hi, bool *oom);

#endif
