/* The habit tests of the coach (compute/coach.h). Reference values,
 * computed independently in Python 3 (no R on this machine): sign-test
 * p-values as the exact sum 2 * sum_{i >= max} C(n, i) / 2^n with
 * fractions.Fraction (what R's binom.test(x, n, 0.5) computes);
 * two-proportion p-values as erfc(|z| / sqrt 2) of the pooled z (R's
 * prop.test(correct = FALSE)); BH by its definition (R's p.adjust "BH"). */
#include <math.h>

#include "common/stats.h"
#include "compute/coach.h"
#include "tap.h"

int main(void)
{
    is_double(coach_sign_p(6, 0), 0.03125, 1e-12, "binom.test(6, 6): 0.03125");
    is_double(coach_sign_p(9, 1), 0.021484375, 1e-12, "binom.test(9, 10): 0.02148438");
    is_double(coach_sign_p(3, 7), 0.34375, 1e-12, "binom.test(3, 10): 0.34375 (two-sided, either way)");
    is_double(coach_sign_p(15, 5), 0.04138947, 1e-8, "binom.test(15, 20): 0.04138947");
    is_double(coach_sign_p(41, 14), 0.0003552811, 1e-10, "binom.test(41, 55): 0.0003552811");
    is_double(coach_sign_p(0, 0), 1.0, 0, "no edit touched the habit: p = 1");
    is_double(coach_sign_p(4, 4), 1.0, 0, "as often added as removed: p = 1");

    coach_habit h[5] = {
        /* 30 % vs 20 % of 1,000 each: p = 2.417564e-07, a 10-point lift */
        { .worked_k = 300, .worked_n = 1000, .rejected_k = 200, .rejected_n = 1000 },
        /* 43 % vs 40 %: p = 0.173369, a 3-point difference: weak */
        { .worked_k = 430, .worked_n = 1000, .rejected_k = 400, .rejected_n = 1000 },
        /* added in 12 edits, removed in none: p = 0.00048828 */
        { .worked_k = 100, .worked_n = 1000, .rejected_k = 100, .rejected_n = 1000, .added = 12 },
        /* removed in 12 edits: significant, but removing is no tip */
        { .worked_k = 100, .worked_n = 1000, .rejected_k = 100, .rejected_n = 1000, .removed = 12 },
        /* significant but below 5 points: 52 % vs 48 % of 5,000 each (p = 6.33e-05) */
        { .worked_k = 2600, .worked_n = 5000, .rejected_k = 2400, .rejected_n = 5000 },
    };
    ok(coach_test(h, 5) == 0, "tests run");
    is_double(h[0].p, 2.417564e-07, 1e-12, "prop.test: 2.417564e-07");
    is_double(h[1].p, 0.173369, 1e-6, "prop.test: 0.173369");
    /* p.adjust(c(2.417564e-07, 0.173369, 1, 1, 6.334248e-05), "BH") */
    is_double(h[0].q, 1.208782e-06, 1e-12, "BH: 1.208782e-06");
    is_double(h[1].q, 0.2889483, 1e-6, "BH: 0.2889483");
    is_double(h[4].q, 0.0001583562, 1e-9, "BH: 0.0001583562");
    /* p.adjust(c(1, 1, 0.00048828125, 0.00048828125, 1), "BH") */
    is_double(h[2].edit_q, 0.001220703, 1e-9, "BH over the sign tests: 0.001220703");
    ok(h[0].by_shares && !h[0].by_edits, "a 10-point lift that survives BH qualifies by its shares");
    ok(!h[1].by_shares && !h[1].by_edits, "a 3-point difference is weak evidence, no tip");
    ok(h[2].by_edits && !h[2].by_shares, "added significantly often when editing: a tip from edits");
    ok(!h[3].by_edits, "removed significantly often is no tip");
    ok(!h[4].by_shares, "significant but under 5 points: no tip");
    is_int(h[0].more_replies, -1, "a tip needs no more replies");
    is_int(h[4].more_replies, 0, "under 5 points on 10,000 replies: a 5-point difference would show already");
    /* N = z^2 pbar (1 - pbar) (1/w + 1/(1 - w)) / d^2 with z = qnorm(0.995)
     * = 2.575829: pbar = 0.415, w = 1/2, d = 0.05 (3 points is under the
     * bar) gives N = 2577.26, so 2578 - 2000 = 578 more */
    is_int(h[1].more_replies, 578, "the weak habit: about 578 more replies");
    coach_habit none = { 0 };
    ok(coach_test(&none, 1) == 0 && isnan(none.lift) && !none.by_shares && none.more_replies > 0,
       "no replies at all: nothing to test, and a count that would settle it");
    return tap_done();
}
