/*
 * costagg.h - the mergeable aggregates of cost and latency (the optional
 * suggestion fields latency_ms, model, tokens_in, tokens_out and cost;
 * docs/figures.md "Cost and latency").
 *
 * For the whole team, each prompt id and each model, this week and the
 * week before: how many suggestions and how many were used (accepted or
 * edited); of those with a latency, a latency histogram; of those with
 * token counts, their exact sums; of those with a cost, the exact sum in
 * nano-units (10^-9 of the currency, 128 bits) and how many were used.
 * Every part is a sum of integers, so merging workers in any order gives
 * the same aggregate; contributions can be taken back (sign -1).
 *
 * The latency histogram (costagg_hist): one cell per whole millisecond
 * below COSTAGG_EXACT_MS (a latency is floored to whole milliseconds), and
 * above it COSTAGG_SUB cells per doubling (each [lo, lo * (1 + 1/512)) at
 * most), up to EVENT_MAX_LATENCY_MS: COSTAGG_CELLS cells in all, allocated
 * in pages of COSTAGG_SUB as values arrive. Memory: a few pages per
 * histogram, two histograms per prompt id and per model.
 */
#ifndef AID_COSTAGG_H
#define AID_COSTAGG_H

#include <stdint.h>

#include "common/err.h"
#include "common/strmap.h"
#include "read/event.h"

#define COSTAGG_EXACT_MS 1024 /* 1 ms cells below this */
#define COSTAGG_SUB 512       /* cells per doubling above it */
#define COSTAGG_OCTAVES 20    /* 2^10 .. 2^30 ms (EVENT_MAX_LATENCY_MS < 2^30) */
#define COSTAGG_CELLS (COSTAGG_EXACT_MS + COSTAGG_OCTAVES * COSTAGG_SUB)
#define COSTAGG_PAGES (COSTAGG_CELLS / COSTAGG_SUB)

typedef struct costagg_hist {
    int64_t n;
    int64_t *page[COSTAGG_PAGES]; /* COSTAGG_SUB counts each, NULL = all 0 */
} costagg_hist;

/* One group's figures over one week. */
typedef struct costagg_stats {
    int64_t n, used;          /* suggestions, of them accepted or edited */
    costagg_hist latency;     /* of those with latency_ms */
    int64_t tin_n, tout_n;    /* with tokens_in / tokens_out */
    __int128 tin_sum, tout_sum;
    int64_t cost_n, cost_used; /* with a cost, of them used */
    __int128 cost_nano;       /* their costs' sum, 10^-9 of the currency */
} costagg_stats;

typedef struct costagg_entry {
    costagg_stats w[2]; /* [0] this week, [1] the week before */
} costagg_entry;

typedef struct costagg {
    costagg_entry all;
    strmap *prompts; /* prompt id -> costagg_entry */
    strmap *models;  /* model -> costagg_entry */
} costagg;

/* An empty aggregate (*out; free with costagg_free). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err costagg_new(costagg **out, aid_errbuf *eb);
void costagg_free(costagg *c);

/* Add (sign +1) or take back (-1) one valid suggestion of week wk (0 this
 * week, 1 the week before). 0 or -1 (out of memory). */
AID_MUST_CHECK int costagg_add(costagg *c, const event *ev, int wk, int sign);

/* Fold src into dst (src's pages may be taken over; free src after). 0 or -1. */
AID_MUST_CHECK int costagg_merge(costagg *dst, costagg *src);

/* The cell of a latency in [0, EVENT_MAX_LATENCY_MS], and a cell's lower
 * edge and width in ms. */
int costagg_cell(double latency_ms);
double costagg_cell_lo(int cell);
double costagg_cell_width(int cell);

/* The nearest-rank quantile p = num/den (0 < p <= 1) of a histogram: the
 * lower edge of the cell holding its ceil(p * n)-th smallest latency
 * (rank in exact integer arithmetic); NaN when empty. */
double costagg_quantile(const costagg_hist *h, int64_t num, int64_t den);

/* The cell holding the rank-th smallest latency (1 <= rank <= n), or -1. */
int costagg_rank_cell(const costagg_hist *h, int64_t rank);

#endif
