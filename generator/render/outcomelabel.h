/*
 * outcomelabel.h - the texts of the report's `outcomes` figures
 * (docs/figures.md, "Outcomes") in one place for the page and the PDF:
 * what a class of conversations is called, its CSAT and resolution with
 * their intervals, a change or difference with its verdict, and the
 * join's counts. Every function reads what the report has; a missing
 * figure is an en dash, never a zero.
 *
 * Leaf helpers: 0, or -1 when out of memory.
 */
#ifndef AID_OUTCOMELABEL_H
#define AID_OUTCOMELABEL_H

#include <json-c/json.h>

#include "common/err.h"
#include "common/strbuf.h"

/* "Sent as is", "Sent after edits", "Not used", "All conversations". */
const char *outcomelabel_class(const char *name);

/* "4.67 (3.23–5.00) of 3": a class's mean CSAT with its interval and the
 * number of ratings; "–" without ratings. */
AID_MUST_CHECK int outcomelabel_csat(strbuf *out, const struct json_object *cls);
/* "66.7% (20.8–93.9%)": the share of ratings of 4 or 5. */
AID_MUST_CHECK int outcomelabel_high(strbuf *out, const struct json_object *cls);
/* "66.7% (20.8–93.9%) of 3": the resolution rate. */
AID_MUST_CHECK int outcomelabel_resolution(strbuf *out, const struct json_object *cls);
/* The same in two parts, for a value with its detail under it: "4.67" and
 * "3.23–5.00 of 3"; "100.0%" and "43.9–100.0%"; "66.7%" and
 * "20.8–93.9% of 3" (a value "–" has no detail). */
AID_MUST_CHECK int outcomelabel_csat_value(strbuf *out, const struct json_object *cls);
AID_MUST_CHECK int outcomelabel_csat_detail(strbuf *out, const struct json_object *cls);
AID_MUST_CHECK int outcomelabel_high_value(strbuf *out, const struct json_object *cls);
AID_MUST_CHECK int outcomelabel_high_detail(strbuf *out, const struct json_object *cls);
AID_MUST_CHECK int outcomelabel_resolution_value(strbuf *out, const struct json_object *cls);
AID_MUST_CHECK int outcomelabel_resolution_detail(strbuf *out, const struct json_object *cls);
/* "CSAT +3.33 (+2.02 to +4.64) up; CSAT 4-5 +100.0 pp (…) up; resolved
 * +41.7 pp (…) steady": the three comparisons of a change or difference
 * object; "–" for each that is not defined. */
AID_MUST_CHECK int outcomelabel_compare(strbuf *out, const struct json_object *cmp);
/* "9 of the week's 10 conversations have an outcome; 1 outcome is for a
 * conversation with no suggestion this week or last (unmatched); 1 was
 * replaced by a later one for its conversation." */
AID_MUST_CHECK int outcomelabel_note(strbuf *out, const struct json_object *outcomes);

#endif
