/*
 * cilabel.h - the texts of intervals, verdicts and drift tests (report
 * schema 2, docs/figures.md "Statistics") in one place for every document
 * (html, pdf, xlsx). Each reads what the report has and writes nothing
 * for a schema-1 report, which has no intervals or verdicts.
 *
 * Leaf helpers: 0, or -1 when out of memory.
 */
#ifndef AID_CILABEL_H
#define AID_CILABEL_H

#include <json-c/json.h>
#include <stdbool.h>

#include "common/err.h"
#include "common/strbuf.h"

/* lo and hi of a report interval ([lo, hi], two numbers); false when o is
 * not one (null, missing, schema 1). */
bool cilabel_get(const struct json_object *o, double *lo, double *hi);

/* "57.7–67.1%": an interval of a rate. Nothing when o is not an interval. */
AID_MUST_CHECK int cilabel_pct(strbuf *out, const struct json_object *o);
/* "−18.8 to −6.1 pp": an interval of a change of a rate. */
AID_MUST_CHECK int cilabel_pp(strbuf *out, const struct json_object *o);
/* "−0.370 to +0.700": an interval of a change of a mean (3 decimals). */
AID_MUST_CHECK int cilabel_signed(strbuf *out, const struct json_object *o);

/* The verdict ("up", "down", "steady") of a change object's member key,
 * or NULL when there is none (schema 1, no previous week). */
const char *cilabel_verdict(const struct json_object *change, const char *key);

/* The drift line: "Drift: small. PSI 0.175 (p = 0.001), KS 0.170
 * (p < 0.001); n = 500 scores this week, m = 500 last week, 20 bins." or
 * "Drift: too few scores to judge (n = 6, m = 4; at least 100 each)."
 * Nothing without confidence.drift. */
AID_MUST_CHECK int cilabel_drift(strbuf *out, const struct json_object *report);

/* "p = 0.012" / "p < 0.001". */
AID_MUST_CHECK int cilabel_p(strbuf *out, double p);

#endif
