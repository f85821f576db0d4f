/*
 * coach.h - the `coach` figures of report.json (docs/figures.md, "Coach"):
 * which habits (common/coachfeat) the evidence of the week backs as tips,
 * with that evidence. Private to compute/.
 *
 * A habit qualifies as a tip when
 *   - its share in the replies that worked (accepted as is, or vindicated)
 *     and in the rejected replies differ by at least COACH_MIN_LIFT and the
 *     two-proportion test of that difference (stats_two_prop_p) survives
 *     Benjamini-Hochberg over the habits at COACH_Q (q < COACH_Q), or
 *   - agents who edited a suggestion added it more often than they removed
 *     it, and the sign test of added against removed (two-sided exact
 *     binomial at 1/2) survives Benjamini-Hochberg over the habits at
 *     COACH_Q.
 */
#ifndef AID_COACH_H
#define AID_COACH_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "compute/figures.h"

#define COACH_Q 0.05
#define COACH_MIN_LIFT 0.05
/* The p-value below which a difference survives BH whatever the other
 * habits' (COACH_Q over the number of habits): what "would settle it". */
#define COACH_SETTLE_P 0.01
#define COACH_SETTLE_Z 2.575829303548901 /* qnorm(1 - COACH_SETTLE_P / 2) */
#define COACH_EXAMPLE_CANDIDATES 50

/* The most used replies' texts, most used first (example candidates). */
typedef struct coach_texts {
    char **v;
    size_t n;
} coach_texts;

void coach_texts_release(coach_texts *l);

/* One habit's counts and tests. */
typedef struct coach_habit {
    int64_t worked_k, worked_n;     /* replies that worked: with the habit, all */
    int64_t rejected_k, rejected_n; /* rejected replies */
    int64_t added, removed;         /* measured edits */
    double lift;                    /* worked share - rejected share (NaN when a side is empty) */
    double p, q;                    /* two-proportion test, BH-adjusted */
    double edit_p, edit_q;          /* sign test, BH-adjusted */
    bool by_shares, by_edits;       /* why it qualifies */
    int64_t more_replies;           /* -1: none needed (qualifies), else about how many more replies */
} coach_habit;

/* The two-sided exact sign test of added against removed: P of a split at
 * least as uneven under Binomial(added + removed, 1/2); 1 when both are 0. */
double coach_sign_p(int64_t added, int64_t removed);

/* About how many more replies would settle a habit: with shares
 * max(|lift|, COACH_MIN_LIFT) apart around this week's pooled share pbar
 * (shifted inside [0, 1] when needed), the worked replies a fraction w of
 * them as this week (1/2 when a side is empty), the pooled z test reaches
 * COACH_SETTLE_Z (p = COACH_SETTLE_P) at
 *   N = z^2 pbar (1 - pbar) (1/w + 1/(1 - w)) / d^2
 * replies; the result is ceil(N) minus this week's, 0 when that is
 * enough already. */
int64_t coach_more_replies(const coach_habit *h);

/* Fill the tests of h[0..n-1] from their counts. 0, or -1 when out of
 * memory (a leaf helper). */
AID_MUST_CHECK int coach_test(coach_habit *h, size_t n);

/* The report's `coach` object into *out. AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err coach_json(const figures_input *in, const coach_texts *used, struct json_object **out,
                                  aid_errbuf *eb);

#endif
