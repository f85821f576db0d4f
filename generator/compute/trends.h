/*
 * trends.h - the topics figure (docs/figures.md "Trends"): which Snowball
 * stems and two-word phrases of the customer messages rose or fell
 * against the archive's baseline, by a G2 test that survives
 * Benjamini-Hochberg over every candidate and a smoothed ratio of at
 * least 2 either way. Private to compute/ (figures.c calls it).
 */
#ifndef AID_TRENDS_H
#define AID_TRENDS_H

#include <json-c/json.h>

#include "common/err.h"
#include "common/strbuf.h"
#include "compute/history.h"
#include "read/read.h"

#define TRENDS_N 10          /* at most this many rising, falling and frequent topics */
#define TRENDS_MIN_COUNT 10  /* messages on the larger side (this week's, or the baseline's expected) */
#define TRENDS_Q 0.05        /* Benjamini-Hochberg level */
#define TRENDS_MIN_LOG2 1.0  /* |log2 smoothed ratio|: at least doubled or halved */
#define TRENDS_SMOOTH 0.5    /* added to both counts of the ratio */

/* Add "trends" ({rising, falling, frequent, candidates}) and
 * "trend_baseline" to report from the week's aggregate and the history.
 * AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err trends_json(const agg *a, const history *h, struct json_object *report, aid_errbuf *eb);

/* The change as the page writes it: "x4.3 (11 from 2)": the smoothed ratio
 * with 2 significant digits (whole above 10), this week's count and the
 * baseline's expected count, rounded. Appends to out; 0 or -1. */
AID_MUST_CHECK int trends_change_text(strbuf *out, double ratio, int64_t count, double expected);
/* The decimals the ratio is written with (the same as in report.json). */
int trends_ratio_decimals(double ratio);

#endif
