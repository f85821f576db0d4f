/*
 * factcheck.h - every number in a narrative must be a figure of the week.
 *
 *   factcheck *fc;
 *   err = factcheck_new(&fc, report, &eb);
 *   strbuf bad = STRBUF_INIT;
 *   int n = factcheck_text(fc, text, &bad);    n wrong numbers ("4,999, 12.5%")
 *   factcheck_free(fc);
 *
 * The figures: every number in the report (numeric values anywhere except
 * under "narrative", and numbers written inside its strings, e.g. "30 days"
 * in a reply), plus a few derived ones a writer naturally uses: the change
 * and relative change of each totals/rates figure against previous.*, of
 * confidence.mean against previous_mean, of the ECE against previous.ece,
 * trend count vs previous_count (trends.rising/falling, schema 1's trends;
 * difference, relative change and ratio),
 * each totals.X as a share of totals.suggestions, and 100 - a percentage
 * (the complement of a share); the ends of every interval ("..._ci") also
 * as points (100 times: "-18.8 to -6.1 pp"), 0.95 in a schema-2 report
 * (its intervals' level: "95% interval"), and 0.001 when a drift p-value
 * is below it ("p < 0.001").
 *
 * Reading a number in the text:
 *   - "4,410", "0.742", "36.9%", "36.9 percent", "+2.4 pp", "−2.9 percentage
 *     points", "$49.99": thousands separators, decimals, a sign (+ - − ±), a
 *     percent or percentage-point suffix. "x4.3" (an x not glued to a letter
 *     or digit before it) is the ratio 4.3 of a topic's change, checked. The sign is ignored when
 *     comparing ("fell by 2.9 pp" matches a delta of -0.029).
 *   - A plain number matches a figure f when it equals f rounded to the
 *     decimals shown (half a unit of the last shown digit either way). An
 *     integer of 3+ digits ending in zeros with 2+ significant digits
 *     ("4,400") may be rounded to its last non-zero digit.
 *   - A percentage p matches f when p = 100 f ("12.5%" vs 0.125) or p = f
 *     (a figure that already is a percentage); percentage points p match
 *     100 f.
 * Allowed by rule (never checked): whole numbers 0..10 without a percent
 * sign ("three", "top 3", "5-7 days"), years 1900..2100, the number after
 * "week"/"W" ("week 47", "2026-W47"), dates (2026-11-17, 17/11/2026), times
 * (09:30), and digits glued to letters before them (identifiers: v4,
 * gpt-4o, s-1042).
 */
#ifndef AID_FACTCHECK_H
#define AID_FACTCHECK_H

#include <json-c/json.h>

#include "common/err.h"
#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"

typedef enum factcheck_kind {
    FACTCHECK_PLAIN = 0,
    FACTCHECK_PERCENT,
    FACTCHECK_PP
} factcheck_kind;

typedef struct factcheck_num {
    size_t off, len;      /* where in the text, sign and suffix included */
    double value;         /* the absolute value as written (36.9 for "36.9%") */
    int decimals;         /* digits shown after the point */
    factcheck_kind kind;
    bool negative;
} factcheck_num;

/* The numbers of text that need checking (those allowed by rule are left
 * out). Stores at most max of them in out (out may be NULL when max is 0)
 * and returns how many there are. */
size_t factcheck_extract(const char *text, factcheck_num *out, size_t max);

typedef struct factcheck factcheck;

/* Collect the figures of report (borrowed, only read, and kept for the
 * verdicts of the direction claims: it must outlive fc) into *out.
 * AID_ERR_NOMEM when out of memory. */
AID_MUST_CHECK aid_err factcheck_new(factcheck **out, const struct json_object *report, aid_errbuf *eb);
void factcheck_free(factcheck *fc);
/* Add one more figure. 0 or -1. */
AID_MUST_CHECK int factcheck_add(factcheck *fc, double figure);
/* Does one number match a figure? */
bool factcheck_matches(const factcheck *fc, const factcheck_num *num);
/* A claim of a text: a number matched to a figure of the report, or a
 * direction or judgement word ("rose", "fell", "improved", "steady", ...)
 * about a figure whose verdict it must agree with (docs/narrative.md). */
typedef struct factcheck_claim {
    size_t off, len;     /* the span in the text (the number, or the word) */
    bool direction;      /* a direction claim; else a number */
    const char *figure;  /* the report.json path (or expression) matched; NULL: none */
    double value;        /* the figure (signed); for a direction the change */
    const char *verdict; /* "up", "down", "steady" (or the figure's verdict); NULL: none */
    const char *said;    /* a direction claim: what the text says, "up"/"down"/"steady" */
    bool ok;             /* matched / agrees with the verdict */
} factcheck_claim;

/* Called for each claim of a text, in order (numbers first, then
 * directions); the claim's strings are borrowed for the call. 0 or -1 to
 * stop (out of memory). */
typedef int (*factcheck_claim_fn)(void *ctx, const char *text, const factcheck_claim *c);

/* Every claim of text (fn may be NULL). Returns how many are wrong
 * (unmatched numbers, directions that disagree with their verdict or
 * claim a change of a figure without one), -1 when out of memory or when
 * fn failed. */
AID_MUST_CHECK int factcheck_claims(const factcheck *fc, const char *text, factcheck_claim_fn fn, void *ctx);

/* The direction claims of text that disagree with their verdict; each
 * one's reason ("\"fell\" about changes.acceptance.delta, whose verdict is
 * up") is appended to bad (when not NULL), separated by "; ". Returns how
 * many, -1 when out of memory. */
AID_MUST_CHECK int factcheck_directions(const factcheck *fc, const char *text, strbuf *bad);

/* The verdict that goes with a figure's path ("changes.acceptance.delta"
 * -> changes.acceptance.verdict, confidence.delta ->
 * confidence.delta_verdict, retraining.N.impact.* ->
 * retraining.N.impact.verdict), its path written to buf; NULL when none. */
const char *factcheck_figure_verdict(const struct json_object *report, const char *path, char *buf, size_t size);

/* Check every number of text; the wrong ones are appended to bad (when not
 * NULL) as written, separated by ", ". Returns how many are wrong, -1 when
 * out of memory. */
AID_MUST_CHECK int factcheck_text(const factcheck *fc, const char *text, strbuf *bad);

#endif
