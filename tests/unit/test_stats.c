/*
 * test_stats.c - common/stats against values computed independently:
 * R 4.2.2 (prop.test, p.adjust), SciPy 1.10 (/usr/bin/python3: scipy.stats,
 * scipy.special), Newcombe (1998) Table II, and numpy over the raw
 * forecasts for Brier and the equal-mass ECE. The call that gave each value
 * is in the comment beside it.
 */
#include <math.h>

#include "common/stats.h"
#include "tap.h"

#define EPS 1e-9

static void wilson(int64_t k, int64_t n, double lo, double hi, const char *what)
{
    stats_interval ci = stats_wilson(k, n, STATS_Z95);
    is_double(ci.lo, lo, EPS, "wilson %lld/%lld lo (%s)", (long long)k, (long long)n, what);
    is_double(ci.hi, hi, EPS, "wilson %lld/%lld hi (%s)", (long long)k, (long long)n, what);
}

int main(void)
{
    /* Wilson: R prop.test(k, n, correct = FALSE)$conf.int */
    stats_interval ci = stats_wilson(0, 0, STATS_Z95);
    ok(ci.lo == 0.0 && ci.hi == 1.0, "wilson n = 0 is [0, 1] (no information)");
    wilson(0, 1, 0.0, 0.793450685623, "n = 1");              /* prop.test(0, 1, correct=FALSE) */
    wilson(1, 1, 0.206549314377, 1.0, "n = 1");              /* prop.test(1, 1, correct=FALSE) */
    wilson(0, 10, 0.0, 0.277532799863, "k = 0");             /* prop.test(0, 10, ...) */
    wilson(10, 10, 0.722467200137, 1.0, "k = n");            /* prop.test(10, 10, ...) */
    wilson(3, 10, 0.107791267406, 0.603221852539, "small");  /* prop.test(3, 10, ...) */
    wilson(1, 29, 0.006113214293, 0.171755218793, "small");  /* prop.test(1, 29, ...) */
    wilson(81, 263, 0.255288519878, 0.366209576983, "Newcombe Table I example"); /* prop.test(81, 263, ...) */
    wilson(2600, 3300, 0.773600127081, 0.801488000991, "large"); /* prop.test(2600, 3300, ...) */

    /* Newcombe hybrid score (method 10): Newcombe 1998, Stat Med 17:873,
     * Table II, published to 4 decimals */
    ci = stats_newcombe(56, 70, 48, 80, STATS_Z95);
    is_double(ci.lo, 0.0524, 5e-5, "newcombe 56/70 - 48/80 lo (Table II, a)");
    is_double(ci.hi, 0.3339, 5e-5, "newcombe 56/70 - 48/80 hi (Table II, a)");
    ci = stats_newcombe(9, 10, 3, 10, STATS_Z95);
    is_double(ci.lo, 0.1705, 5e-5, "newcombe 9/10 - 3/10 lo (Table II, c)");
    is_double(ci.hi, 0.8090, 5e-5, "newcombe 9/10 - 3/10 hi (Table II, c)");
    ci = stats_newcombe(5, 56, 0, 29, STATS_Z95);
    is_double(ci.lo, -0.0381, 5e-5, "newcombe 5/56 - 0/29 lo (Table II, e)");
    is_double(ci.hi, 0.1926, 5e-5, "newcombe 5/56 - 0/29 hi (Table II, e)");
    ci = stats_newcombe(0, 10, 0, 20, STATS_Z95);
    is_double(ci.lo, -0.1611, 5e-5, "newcombe 0/10 - 0/20 lo (Table II, g)");
    is_double(ci.hi, 0.2775, 5e-5, "newcombe 0/10 - 0/20 hi (Table II, g)");
    ci = stats_newcombe(1, 1, 0, 0, STATS_Z95);
    ok(isnan(ci.lo) && isnan(ci.hi), "newcombe with an empty week is not defined");
    is_str(stats_verdict_name(stats_verdict_of(stats_newcombe(56, 70, 48, 80, STATS_Z95))), "up", "interval above 0 is up");
    is_str(stats_verdict_name(stats_verdict_of(stats_newcombe(48, 80, 56, 70, STATS_Z95))), "down", "below 0 is down");
    is_str(stats_verdict_name(stats_verdict_of(stats_newcombe(5, 56, 0, 29, STATS_Z95))), "steady", "containing 0 is steady");

    /* Welch: SciPy, m1 - m2 -+ t.ppf(0.975, df) * sqrt(v1/n1 + v2/n2), df
     * Welch-Satterthwaite */
    double df;
    ci = stats_welch(0.78, 0.012, 3300, 0.80, 0.011, 3200, 0.05, &df);
    is_double(ci.lo, -0.0252138357796, 1e-9, "welch large lo");
    is_double(ci.hi, -0.0147861642204, 1e-9, "welch large hi");
    is_double(df, 6496.94804275, 1e-4, "welch large df");
    ci = stats_welch(0.7, 0.04, 5, 0.6, 0.09, 8, 0.05, &df);
    is_double(ci.lo, -0.205809350769, 1e-8, "welch small lo");
    is_double(ci.hi, 0.405809350769, 1e-8, "welch small hi");
    is_double(df, 10.8731988473, 1e-8, "welch small df");
    ci = stats_welch(0.7, 0.04, 1, 0.6, 0.09, 8, 0.05, NULL);
    ok(isnan(ci.lo), "welch with n = 1 is not defined");

    /* Distributions: scipy.stats / scipy.special */
    is_double(stats_chisq_sf(3.84, 1), 0.0500435212487, 1e-10, "chi2.sf(3.84, 1)");
    is_double(stats_chisq_sf(30, 19), 0.051798458893, 1e-10, "chi2.sf(30, 19)");
    is_double(stats_t_cdf(-2.1, 7.5), 0.035618535729, 1e-10, "t.cdf(-2.1, 7.5)");
    is_double(stats_t_cdf(1.3, 30), 0.898249520731, 1e-10, "t.cdf(1.3, 30)");
    is_double(stats_t_quantile(0.975, 10), 2.22813885196, 1e-9, "t.ppf(0.975, 10)");
    is_double(stats_t_quantile(0.975, 123.4), 1.97937494629, 1e-9, "t.ppf(0.975, 123.4)");
    is_double(stats_norm_sf(2.5), 0.00620966532578, 1e-12, "norm.sf(2.5)");
    is_double(stats_betainc(2.5, 3.5, 0.4), 0.486904191526, 1e-10, "special.betainc(2.5, 3.5, 0.4)");
    is_double(stats_gammaq(3.0, 2.5), 0.543813115883, 1e-10, "special.gammaincc(3, 2.5)");
    /* R: chisq.test(matrix(c(30,45,70,55),2), correct=FALSE)$p.value;
     * scipy chi2_contingency(correction=False) */
    is_double(stats_two_prop_p(30, 100, 45, 100), 0.0284597369163, 1e-10, "two-proportion p 30/100 vs 45/100");

    /* KS: scipy.stats.kstwobign.sf(sqrt(n m / (n + m)) * d) */
    is_double(stats_ks_pvalue(0.111, 3300, 3200), 8.21454650567e-18, 1e-20, "KS 0.111 on 3300/3200: far beyond chance");
    is_double(stats_ks_pvalue(0.05, 500, 400), 0.634989480523, 1e-10, "KS 0.05 on 500/400");
    is_double(stats_ks_pvalue(0.02, 1000, 1000), 0.988261077644, 1e-10, "KS 0.02 on 1000/1000");
    is_double(stats_ks_pvalue(0.3, 20, 30), 0.230296475488, 1e-10, "KS 0.3 on 20/30");
    ok(isnan(stats_ks_pvalue(0.3, 0, 30)), "KS with an empty sample is not defined");

    /* PSI: scipy.stats.chi2.sf(psi / (1/n + 1/m), bins - 1) */
    is_double(stats_psi_pvalue(0.01, 3300, 3200, 20), 0.640796399824, 1e-10, "PSI 0.01 on 3300/3200, 20 bins");
    is_double(stats_psi_pvalue(0.1, 150, 120, 20), 0.995790013473, 1e-10, "PSI 0.1 on 150/120: not significant");
    is_double(stats_psi_pvalue(0.003, 1000, 1000, 20), 0.999999970826, 1e-12, "PSI 0.003 on 1000/1000");
    is_double(stats_psi_pvalue(0.05, 500, 500, 10), 0.186565974858, 1e-10, "PSI 0.05 on 500/500, 10 bins");

    /* BH with ties: R p.adjust(c(0.01,0.04,0.04,0.03,0.2,0.001,0.04), "BH") */
    double p[7] = { 0.01, 0.04, 0.04, 0.03, 0.2, 0.001, 0.04 }, q[7];
    double want[7] = { 0.035, 0.046666666667, 0.046666666667, 0.046666666667, 0.2, 0.007, 0.046666666667 };
    ok(stats_bh_adjust(p, 7, q) == 0, "bh runs");
    for (int i = 0; i < 7; i++)
        is_double(q[i], want[i], 1e-11, "bh q[%d]", i);

    /* Brier and equal-mass ECE over 40 distinct forecasts: numpy,
     * mean((c - y)**2) and, cutting the sorted forecasts at b*N//B,
     * sum(abs(y[lo:hi].sum() - c[lo:hi].sum())) / N */
    static const double c[40] = { 0.312, 0.313, 0.317, 0.319, 0.323, 0.324, 0.338, 0.343, 0.362, 0.365,
        0.389, 0.412, 0.421, 0.433, 0.437, 0.441, 0.452, 0.505, 0.516, 0.521, 0.522, 0.538, 0.542, 0.622,
        0.626, 0.628, 0.645, 0.712, 0.719, 0.784, 0.788, 0.809, 0.817, 0.864, 0.887, 0.892, 0.897, 0.927,
        0.934, 0.998 };
    static const int y[40] = { 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1,
        0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1 };
    int64_t cn[40], cp[40], k = 0;
    double cs[40], s2 = 0, spos = 0;
    for (int i = 0; i < 40; i++) {
        cn[i] = 1;
        cp[i] = y[i];
        cs[i] = c[i];
        s2 += c[i] * c[i];
        spos += y[i] ? c[i] : 0;
        k += y[i];
    }
    is_double(stats_brier(s2, spos, k, 40), 0.2522716, 1e-12, "brier of 40 forecasts");
    ok(isnan(stats_brier(0, 0, 0, 0)), "brier of nothing is not defined");
    is_double(stats_ece_equal_mass(cn, cp, cs, 40, 15, NULL, NULL, NULL), 0.25995, 1e-12, "equal-mass ECE, 15 bins");
    is_double(stats_ece_equal_mass(cn, cp, cs, 40, 4, NULL, NULL, NULL), 0.15905, 1e-12, "equal-mass ECE, 4 bins");
    /* ties, worked by hand: cells {0.2 x1, 0 accepted}, {0.8 x3, 3
     * accepted}, 2 bins of 2 ranks: bin 0 = the 0.2 and a third of the
     * 0.8 cell (1 outcome, sum 1.0), bin 1 = two thirds (2, 1.6):
     * (|1 - 1.0| + |2 - 1.6|) / 4 = 0.1 */
    int64_t tn[2] = { 1, 3 }, tp[2] = { 0, 3 };
    double ts[2] = { 0.2, 2.4 }, bn[2], bp[2], bs[2];
    is_double(stats_ece_equal_mass(tn, tp, ts, 2, 2, bn, bp, bs), 0.1, 1e-12, "equal-mass ECE splits a tied cell");
    ok(bn[0] == 2 && bn[1] == 2 && fabs(bp[0] - 1) < 1e-12 && fabs(bs[1] - 1.6) < 1e-12, "bins of the tied case");
    ok(isnan(stats_ece_equal_mass(tn, tp, ts, 0, 15, NULL, NULL, NULL)), "equal-mass ECE of nothing is not defined");
    /* binomial CDF (R: pbinom) and the order-statistic ranks of a quantile's
     * interval (exact sums of the binomial terms in Python's integers) */
    is_double(stats_binom_cdf(2, 10, 0.5), 0.0546875, 1e-12, "pbinom(2, 10, 0.5)");
    is_double(stats_binom_cdf(7, 10, 0.95), 0.0115035573792969, 1e-12, "pbinom(7, 10, 0.95)");
    ok(stats_binom_cdf(-1, 10, 0.5) == 0 && stats_binom_cdf(10, 10, 0.5) == 1, "binomial CDF ends");
    static const struct {
        int64_t n;
        double p;
        int64_t lo, hi;
    } qr[] = { { 10, 0.5, 2, 9 }, { 11, 0.5, 2, 10 }, { 10, 0.95, 8, 0 }, { 11, 0.95, 9, 0 },
               { 100, 0.95, 90, 100 }, { 1000, 0.5, 469, 532 }, { 4, 0.5, 0, 0 }, { 1, 0.5, 0, 0 } };
    for (size_t i = 0; i < sizeof qr / sizeof qr[0]; i++) {
        int64_t lo, hi;
        stats_quantile_ranks(qr[i].n, qr[i].p, 0.05, &lo, &hi);
        ok(lo == qr[i].lo && hi == qr[i].hi, "quantile ranks n=%lld p=%.2f: (%lld, %lld), want (%lld, %lld)",
           (long long)qr[i].n, qr[i].p, (long long)lo, (long long)hi, (long long)qr[i].lo, (long long)qr[i].hi);
    }
    return tap_done();
}
