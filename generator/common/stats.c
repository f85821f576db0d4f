/*
 * stats.c - see stats.h. The special functions follow the classic
 * series / continued-fraction evaluations (Abramowitz & Stegun 6.5.29,
 * 6.5.31 and 26.5.8, evaluated with the modified Lentz method).
 */
#include "common/stats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define STATS_EPS 1e-15
#define STATS_TINY 1e-300
#define STATS_MAXIT 1000

const char *stats_verdict_name(stats_verdict v)
{
    switch (v) {
    case STATS_UP:
        return "up";
    case STATS_DOWN:
        return "down";
    case STATS_STEADY:
        break;
    }
    return "steady";
}

stats_verdict stats_verdict_of(stats_interval ci)
{
    if (isnan(ci.lo) || isnan(ci.hi))
        return STATS_STEADY;
    if (ci.lo > 0)
        return STATS_UP;
    if (ci.hi < 0)
        return STATS_DOWN;
    return STATS_STEADY;
}

static stats_interval undefined_interval(void)
{
    stats_interval ci = {NAN, NAN};
    return ci;
}

stats_interval stats_wilson(int64_t k, int64_t n, double z)
{
    stats_interval ci = {0.0, 1.0};
    if (n <= 0 || k < 0 || k > n)
        return ci;
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double centre = (p + z2 / (2.0 * nn)) / denom;
    double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
    ci.lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
    ci.hi = k == n ? 1.0 : fmin(1.0, centre + half);
    return ci;
}

stats_interval stats_newcombe(int64_t k1, int64_t n1, int64_t k2, int64_t n2, double z)
{
    if (n1 <= 0 || n2 <= 0)
        return undefined_interval();
    double p1 = (double)k1 / (double)n1, p2 = (double)k2 / (double)n2, d = p1 - p2;
    stats_interval w1 = stats_wilson(k1, n1, z), w2 = stats_wilson(k2, n2, z);
    stats_interval ci;
    ci.lo = d - sqrt((p1 - w1.lo) * (p1 - w1.lo) + (w2.hi - p2) * (w2.hi - p2));
    ci.hi = d + sqrt((w1.hi - p1) * (w1.hi - p1) + (p2 - w2.lo) * (p2 - w2.lo));
    return ci;
}

stats_interval stats_welch(double mean1, double var1, int64_t n1, double mean2, double var2, int64_t n2,
                           double alpha, double *df)
{
    if (df)
        *df = NAN;
    if (n1 < 2 || n2 < 2 || isnan(mean1) || isnan(mean2) || isnan(var1) || isnan(var2))
        return undefined_interval();
    double a = var1 / (double)n1, b = var2 / (double)n2, se2 = a + b, d = mean1 - mean2;
    if (se2 <= 0) {
        stats_interval point = {d, d};
        return point;
    }
    double nu = se2 * se2 / (a * a / (double)(n1 - 1) + b * b / (double)(n2 - 1));
    if (df)
        *df = nu;
    double t = stats_t_quantile(1.0 - alpha / 2.0, nu), half = t * sqrt(se2);
    stats_interval ci = {d - half, d + half};
    return ci;
}

/* One step of the modified Lentz method for a continued fraction with
 * partial numerator aa and denominator 1: updates *c and *d and returns
 * the factor the value is multiplied by. */
static double lentz_step(double aa, double *c, double *d)
{
    *d = 1.0 + aa * *d;
    if (fabs(*d) < STATS_TINY)
        *d = STATS_TINY;
    *c = 1.0 + aa / *c;
    if (fabs(*c) < STATS_TINY)
        *c = STATS_TINY;
    *d = 1.0 / *d;
    return *d * *c;
}

/* The continued fraction of I_x(a, b) (A&S 26.5.8), modified Lentz. */
static double betacf(double a, double b, double x)
{
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < STATS_TINY)
        d = STATS_TINY;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= STATS_MAXIT; m++) {
        int m2 = 2 * m;
        h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &c, &d);
        double del = lentz_step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), &c, &d);
        h *= del;
        if (fabs(del - 1.0) < STATS_EPS)
            break;
    }
    return h;
}

double stats_binom_cdf(int64_t k, int64_t n, double p)
{
    if (k < 0)
        return 0.0;
    if (k >= n)
        return 1.0;
    if (p <= 0.0)
        return 1.0;
    if (p >= 1.0)
        return 0.0;
    return stats_betainc((double)(n - k), (double)(k + 1), 1.0 - p);
}

void stats_quantile_ranks(int64_t n, double p, double alpha, int64_t *lo, int64_t *hi)
{
    *lo = *hi = 0;
    if (n <= 0)
        return;
    /* the CDF grows with k: binary searches */
    int64_t a = 1, b = n; /* largest l in [1, n] with F(l - 1) <= alpha / 2 */
    if (stats_binom_cdf(0, n, p) <= alpha / 2) {
        while (a < b) {
            int64_t m = a + (b - a + 1) / 2;
            if (stats_binom_cdf(m - 1, n, p) <= alpha / 2)
                a = m;
            else
                b = m - 1;
        }
        *lo = a;
    }
    a = 1, b = n; /* smallest u in [1, n] with F(u - 1) >= 1 - alpha / 2 */
    if (stats_binom_cdf(n - 1, n, p) >= 1 - alpha / 2) {
        while (a < b) {
            int64_t m = a + (b - a) / 2;
            if (stats_binom_cdf(m - 1, n, p) >= 1 - alpha / 2)
                b = m;
            else
                a = m + 1;
        }
        *hi = a;
    }
}

double stats_betainc(double a, double b, double x)
{
    if (!(a > 0) || !(b > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 0.0;
    if (x >= 1)
        return 1.0;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    double bt = exp(lbt);
    if (x < (a + 1.0) / (a + b + 2.0))
        return bt * betacf(a, b, x) / a;
    return 1.0 - bt * betacf(b, a, 1.0 - x) / b;
}

double stats_gammaq(double a, double x)
{
    if (!(a > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 1.0;
    double lpre = -x + a * log(x) - lgamma(a);
    if (x < a + 1.0) {
        /* the series of P(a, x) (A&S 6.5.29) */
        double ap = a, sum = 1.0 / a, del = sum;
        for (int n = 1; n <= STATS_MAXIT; n++) {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * STATS_EPS)
                break;
        }
        return 1.0 - sum * exp(lpre);
    }
    /* the continued fraction of Q(a, x) (A&S 6.5.31), modified Lentz */
    double b = x + 1.0 - a, c = 1.0 / STATS_TINY, d = 1.0 / b, h = d;
    for (int i = 1; i <= STATS_MAXIT; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < STATS_TINY)
            d = STATS_TINY;
        c = b + an / c;
        if (fabs(c) < STATS_TINY)
            c = STATS_TINY;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < STATS_EPS)
            break;
    }
    return exp(lpre) * h;
}

double stats_chisq_sf(double x, double df)
{
    if (!(df > 0) || isnan(x))
        return NAN;
    return stats_gammaq(df / 2.0, x / 2.0);
}

double stats_t_cdf(double t, double df)
{
    if (!(df > 0) || isnan(t))
        return NAN;
    if (isinf(t))
        return t > 0 ? 1.0 : 0.0;
    double tail = 0.5 * stats_betainc(df / 2.0, 0.5, df / (df + t * t));
    return t > 0 ? 1.0 - tail : tail;
}

double stats_t_quantile(double p, double df)
{
    if (!(p > 0 && p < 1) || !(df > 0))
        return NAN;
    if (p < 0.5)
        return -stats_t_quantile(1.0 - p, df);
    if (p == 0.5)
        return 0.0;
    double lo = 0.0, hi = 1.0;
    while (stats_t_cdf(hi, df) < p && hi < 1e300)
        hi *= 2.0;
    for (int i = 0; i < 200 && hi - lo > 1e-14 * fmax(1.0, hi); i++) {
        double mid = 0.5 * (lo + hi);
        if (stats_t_cdf(mid, df) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

double stats_norm_sf(double z)
{
    return 0.5 * erfc(z / M_SQRT2);
}

double stats_ks_pvalue(double d, int64_t n, int64_t m)
{
    if (n <= 0 || m <= 0 || isnan(d))
        return NAN;
    double lambda = sqrt((double)n * (double)m / (double)(n + m)) * d;
    if (lambda <= 0)
        return 1.0;
    if (lambda < 1.18) {
        /* P(K <= l) = sqrt(2 pi)/l sum exp(-(2k-1)^2 pi^2 / (8 l^2)), which
         * converges fast for small l */
        double s = 0.0, f = -M_PI * M_PI / (8.0 * lambda * lambda);
        for (int k = 1; k <= 50; k++) {
            double t = exp(f * (2 * k - 1) * (2 * k - 1));
            s += t;
            if (t < 1e-17 * s)
                break;
        }
        double p = 1.0 - sqrt(2.0 * M_PI) / lambda * s;
        return fmin(1.0, fmax(0.0, p));
    }
    double s = 0.0;
    for (int k = 1; k <= 100; k++) {
        double t = exp(-2.0 * k * k * lambda * lambda);
        s += (k % 2 ? t : -t);
        if (t < 1e-17)
            break;
    }
    return fmin(1.0, fmax(0.0, 2.0 * s));
}

double stats_psi_pvalue(double psi, int64_t n, int64_t m, int bins)
{
    if (n <= 0 || m <= 0 || bins < 2 || isnan(psi))
        return NAN;
    double scale = 1.0 / (double)n + 1.0 / (double)m;
    return stats_chisq_sf(psi / scale, bins - 1);
}

double stats_two_prop_p(int64_t k1, int64_t n1, int64_t k2, int64_t n2)
{
    if (n1 <= 0 || n2 <= 0)
        return 1.0;
    double p = (double)(k1 + k2) / (double)(n1 + n2);
    if (p <= 0 || p >= 1)
        return 1.0;
    double se = sqrt(p * (1.0 - p) * (1.0 / (double)n1 + 1.0 / (double)n2));
    double z = ((double)k1 / (double)n1 - (double)k2 / (double)n2) / se;
    return fmin(1.0, 2.0 * stats_norm_sf(fabs(z)));
}

static double g2_cell(double o, double e)
{
    return o > 0 && e > 0 ? o * log(o / e) : 0.0;
}

double stats_g2(double a, double n1, double b, double n2)
{
    if (!(n1 > 0) || !(n2 > 0))
        return 0.0;
    double n = n1 + n2, c1 = a + b, c2 = n - c1;
    double g = g2_cell(a, n1 * c1 / n) + g2_cell(n1 - a, n1 * c2 / n) + g2_cell(b, n2 * c1 / n) +
               g2_cell(n2 - b, n2 * c2 / n);
    return g > 0 ? 2.0 * g : 0.0;
}

typedef struct bh_item {
    double p;
    size_t i;
} bh_item;

/* descending p; equal p keep their input order (qsort is not stable) */
static int bh_cmp(const void *x, const void *y)
{
    const bh_item *a = x, *b = y;
    if (a->p != b->p)
        return a->p < b->p ? 1 : -1;
    return a->i < b->i ? -1 : a->i > b->i;
}

int stats_bh_adjust(const double *p, size_t n, double *q)
{
    if (n == 0)
        return 0;
    bh_item *it = malloc(n * sizeof *it);
    if (!it)
        return -1;
    for (size_t i = 0; i < n; i++) {
        it[i].p = p[i];
        it[i].i = i;
    }
    qsort(it, n, sizeof *it, bh_cmp);
    double run = 1.0;
    for (size_t r = 0; r < n; r++) {
        double v = it[r].p * (double)n / (double)(n - r);
        if (v < run)
            run = v;
        it[r].p = run;
    }
    for (size_t r = 0; r < n; r++)
        q[it[r].i] = it[r].p;
    free(it);
    return 0;
}

double stats_brier(double sum_c2, double sum_c_pos, int64_t k, int64_t n)
{
    if (n <= 0)
        return NAN;
    return (sum_c2 - 2.0 * sum_c_pos + (double)k) / (double)n;
}

double stats_ece_equal_mass(const int64_t *cell_n, const int64_t *cell_pos, const double *cell_sum,
                            size_t ncells, int bins, double *bin_n, double *bin_pos, double *bin_sum)
{
    int64_t total = 0;
    for (size_t j = 0; j < ncells; j++)
        total += cell_n[j] > 0 ? cell_n[j] : 0;
    for (int b = 0; bin_n && b < bins; b++)
        bin_n[b] = bin_pos[b] = bin_sum[b] = 0.0;
    if (total <= 0 || bins < 1)
        return NAN;
    double ece = 0.0;
    size_t j = 0;
    int64_t rank = 0; /* first rank of cell j */
    for (int b = 0; b < bins; b++) {
        int64_t lo = (int64_t)((__int128)b * total / bins), hi = (int64_t)((__int128)(b + 1) * total / bins);
        double n = 0, pos = 0, sum = 0;
        /* walk the cells overlapping [lo, hi) */
        while (j < ncells && rank < hi) {
            int64_t cn = cell_n[j] > 0 ? cell_n[j] : 0;
            int64_t a = rank > lo ? rank : lo, e = rank + cn < hi ? rank + cn : hi;
            if (e > a) {
                double share = (double)(e - a) / (double)cn;
                n += (double)(e - a);
                pos += share * (double)cell_pos[j];
                sum += share * cell_sum[j];
            }
            if (rank + cn <= hi) {
                rank += cn;
                j++;
            } else {
                break; /* the cell goes on into the next bin */
            }
        }
        if (bin_n) {
            bin_n[b] = n;
            bin_pos[b] = pos;
            bin_sum[b] = sum;
        }
        ece += fabs(pos - sum);
    }
    return ece / (double)total;
}
