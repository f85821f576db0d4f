/*
 * stats.h - the statistics every figure's uncertainty and every verdict
 * rests on: score intervals for proportions and their differences, the
 * Welch interval for a difference of means, tail probabilities of the
 * chi-square, Student t and Kolmogorov distributions, and the
 * Benjamini-Hochberg adjustment.
 *
 * Pure functions of their arguments: no allocation, no state, no errors
 * beyond the documented "not defined" results, thread-safe. Each formula
 * and its reference is in docs/figures.md ("Statistics"); the unit test
 * (tests/unit/test_stats.c) checks them against values computed
 * independently.
 */
#ifndef AID_STATS_H
#define AID_STATS_H

#include <stddef.h>
#include <stdint.h>

/* The two-sided 95 % normal quantile, qnorm(0.975). */
#define STATS_Z95 1.959963984540054

/* A closed interval; both ends NaN when it is not defined. */
typedef struct stats_interval {
    double lo, hi;
} stats_interval;

/* The verdict on a change, from its interval: STATS_STEADY when the
 * interval contains 0 (or is not defined). */
typedef enum stats_verdict {
    STATS_STEADY = 0,
    STATS_UP,
    STATS_DOWN
} stats_verdict;

/* "up", "down" or "steady". */
const char *stats_verdict_name(stats_verdict v);
stats_verdict stats_verdict_of(stats_interval ci);

/* Wilson score interval for k successes in n trials at normal quantile z
 * (Wilson 1927; Newcombe 1998, method 3). n = 0 gives [0, 1]; k = 0 gives
 * lo = 0 and k = n gives hi = 1 exactly. */
stats_interval stats_wilson(int64_t k, int64_t n, double z);

/* Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998, method 10),
 * with p1 = k1/n1, p2 = k2/n2, from the two Wilson intervals at z.
 * Not defined (NaN) when n1 or n2 is 0. */
stats_interval stats_newcombe(int64_t k1, int64_t n1, int64_t k2, int64_t n2, double z);

/* Welch's interval for mean1 - mean2 at confidence level 1 - alpha, from
 * the sample means, the sample variances (denominator n - 1) and the
 * sizes, with the Welch-Satterthwaite degrees of freedom (written to *df
 * when df is not NULL). Not defined when n1 or n2 is below 2. When both
 * variances are 0 the interval is the single point mean1 - mean2. */
stats_interval stats_welch(double mean1, double var1, int64_t n1, double mean2, double var2, int64_t n2,
                           double alpha, double *df);

/* P(B <= k) for B ~ Binomial(n, p), 0 <= p <= 1: I_{1-p}(n - k, k + 1);
 * 0 for k < 0, 1 for k >= n. */
double stats_binom_cdf(int64_t k, int64_t n, double p);

/* The distribution-free interval of a p-quantile from the order statistics
 * of n values (Conover 1999, "Practical nonparametric statistics", 3.2;
 * Hahn and Meeker 1991, 5.2): [x_(lo), x_(hi)], 1-based ranks, with
 * lo the largest rank for which P(B <= lo - 1) <= alpha / 2 and hi the
 * smallest for which P(B <= hi - 1) >= 1 - alpha / 2 (B ~ Binomial(n, p)),
 * so each side misses with probability at most alpha / 2 for a continuous
 * distribution. A side without such a rank (too few values) is 0. */
void stats_quantile_ranks(int64_t n, double p, double alpha, int64_t *lo, int64_t *hi);

/* The regularised incomplete beta function I_x(a, b), a, b > 0. */
double stats_betainc(double a, double b, double x);
/* The regularised upper incomplete gamma function Q(a, x), a > 0. */
double stats_gammaq(double a, double x);

/* P(X > x) for a chi-square variable with df degrees of freedom. */
double stats_chisq_sf(double x, double df);
/* P(T <= t) for Student's t with df degrees of freedom (df > 0). */
double stats_t_cdf(double t, double df);
/* The p-quantile of Student's t with df degrees of freedom, 0 < p < 1. */
double stats_t_quantile(double p, double df);
/* P(Z > z) for a standard normal Z. */
double stats_norm_sf(double z);

/* The asymptotic two-sample Kolmogorov-Smirnov p-value of statistic d for
 * sizes n and m: Q_KS(sqrt(n m / (n + m)) d) with
 * Q_KS(l) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 l^2) (Kolmogorov 1933;
 * R's ks.test(exact = FALSE)). NaN when n or m is 0. */
double stats_ks_pvalue(double d, int64_t n, int64_t m);

/* The p-value of a PSI computed over bins bins from samples of n and m
 * under no drift: PSI / (1/n + 1/m) is approximately chi-square with
 * bins - 1 degrees of freedom (Yurdakul 2018). NaN when n or m is 0 or
 * bins < 2. */
double stats_psi_pvalue(double psi, int64_t n, int64_t m, int bins);

/* Two-sided p-value of the pooled two-proportion z test of k1/n1 against
 * k2/n2 (the same as R's prop.test(correct = FALSE)). 1 when either n is
 * 0 or the pooled proportion is 0 or 1. */
double stats_two_prop_p(int64_t k1, int64_t n1, int64_t k2, int64_t n2);

/* Dunning's log-likelihood ratio G2 of a count a out of n1 against b out
 * of n2 (the 2x2 table [a, n1-a; b, n2-b]); its p-value is
 * stats_chisq_sf(g2, 1). 0 when n1 or n2 is 0. */
double stats_g2(double a, double n1, double b, double n2);

/* Benjamini-Hochberg adjusted p-values (R's p.adjust(p, "BH")): q[i] is
 * min over j with p[j] >= p[i] of min(1, p[j] * n / rank(j)). p and q may
 * be the same array. Returns 0, or -1 when out of memory (q untouched). */
int stats_bh_adjust(const double *p, size_t n, double *q);

/* The Brier score of n probability forecasts c_i of binary outcomes y_i,
 * mean (c_i - y_i)^2, from the sums: sum_c2 = sum c_i^2, sum_c_pos = sum
 * of c_i over the outcomes y_i = 1, k = their number (Brier 1950). NaN
 * when n is 0. */
double stats_brier(double sum_c2, double sum_c_pos, int64_t k, int64_t n);

/* The equal-mass expected calibration error over bins bins (Nixon et al.
 * 2019, "adaptive" ECE): the forecasts, ranked by value, are cut into
 * bins of ranks [floor(b N / bins), floor((b + 1) N / bins)), N = sum of
 * cell_n, and ECE = sum over bins of |sum of outcomes - sum of forecasts|
 * / N. The forecasts come as ncells cells in increasing order of value:
 * cell j holds cell_n[j] forecasts, cell_pos[j] of them with outcome 1,
 * their forecasts summing to cell_sum[j]; forecasts of one cell count as
 * tied, so a cell that straddles a cut gives each bin its share of its
 * outcomes and of its sum, in proportion to the ranks it gives it. When
 * bin_n, bin_pos, bin_sum are not NULL they receive each bin's (possibly
 * fractional) count, outcomes and sum (arrays of bins). NaN when N is 0. */
double stats_ece_equal_mass(const int64_t *cell_n, const int64_t *cell_pos, const double *cell_sum,
                            size_t ncells, int bins, double *bin_n, double *bin_pos, double *bin_sum);

#endif
