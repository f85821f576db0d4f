/* test_costagg.c - the cost and latency aggregates: the latency cells and
 * their stated precision, nearest-rank quantiles in exact arithmetic,
 * merging in any order and taking back, and the exact money text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/costfig.h"
#include "read/costagg.h"
#include "tap.h"

static event sugg(const char *prompt, const char *model, event_action a, double lat, int64_t cost_nano)
{
    event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = EVENT_SUGGESTION;
    ev.action = a;
    if (prompt) {
        ev.prompt_id.s = prompt;
        ev.prompt_id.len = strlen(prompt);
    }
    if (model) {
        ev.model.s = model;
        ev.model.len = strlen(model);
    }
    if (lat >= 0) {
        ev.has_latency = true;
        ev.latency_ms = lat;
    }
    if (cost_nano >= 0) {
        ev.has_cost = true;
        ev.cost_nano = cost_nano;
    }
    return ev;
}

int main(void)
{
    /* cells: exact whole milliseconds below 1024, then 512 per doubling */
    is_int(costagg_cell(0), 0, "0 ms: cell 0");
    is_int(costagg_cell(250.7), 250, "250.7 ms: the 250 ms cell");
    is_int(costagg_cell(1023.99), 1023, "1023.99: the last exact cell");
    is_int(costagg_cell(1024), 1024, "1024: the first log cell");
    ok(costagg_cell_lo(costagg_cell(2101.7)) == 2100 && costagg_cell_width(costagg_cell(2101.7)) == 4,
       "2101.7 in [2100, 2104)");
    ok(costagg_cell(EVENT_MAX_LATENCY_MS) < COSTAGG_CELLS &&
       costagg_cell_lo(costagg_cell(EVENT_MAX_LATENCY_MS)) + costagg_cell_width(costagg_cell(EVENT_MAX_LATENCY_MS)) >
           EVENT_MAX_LATENCY_MS,
       "the largest latency has its own cell within COSTAGG_CELLS");
    int bad = 0, last = -1;
    srand(15);
    for (int i = 0; i < 200000; i++) {
        double v = i < 100000 ? (double)i * 10.0 + (double)(rand() % 1000) / 100.0
                              : exp((double)rand() / RAND_MAX * log(EVENT_MAX_LATENCY_MS));
        int c = costagg_cell(v);
        double lo = costagg_cell_lo(c), w = costagg_cell_width(c);
        if (!(lo <= floor(v) && v < lo + w) || (lo >= 1024 && w / lo > 1.0 / 512 + 1e-15) || (lo < 1024 && w != 1))
            bad++;
        if (i < 100000) {
            if (c < last)
                bad++;
            last = c;
        }
    }
    is_int(bad, 0, "every value lies in its cell; cells of 1 ms, or at most 1/512 of their lower edge; monotone");
    for (int c = 1; c < COSTAGG_CELLS; c++)
        if (costagg_cell_lo(c) != costagg_cell_lo(c - 1) + costagg_cell_width(c - 1))
            bad++;
    is_int(bad, 0, "the cells tile [0, 2^30) without gaps");

    /* quantiles: nearest rank with exact integer rank arithmetic */
    costagg *a = NULL, *b = NULL, *all = NULL;
    ok(!costagg_new(&a, NULL) && !costagg_new(&b, NULL) && !costagg_new(&all, NULL), "new");
    double lats[] = { 120, 250.7, 300, 300, 410, 512, 640, 800, 1500, 2101.7 };
    int rc = 0;
    for (int i = 0; i < 10; i++) {
        event ev = sugg("billing", "m-large", i < 5 ? ACTION_ACCEPTED : ACTION_REJECTED, lats[i], 12500000);
        rc |= costagg_add(i % 2 ? a : b, &ev, 0, +1);
        rc |= costagg_add(all, &ev, 0, +1);
    }
    is_int(rc, 0, "adds");
    const costagg_hist *h = &all->all.w[0].latency;
    ok(costagg_quantile(h, 1, 2) == 410, "median: rank 5 of 10 -> 410");
    ok(costagg_quantile(h, 95, 100) == 2100, "p95: rank ceil(9.5) = 10 -> the 2100 cell");
    ok(costagg_quantile(h, 9, 10) == 1500, "p90: rank 9 of 10 in integers -> 1500");
    ok(isnan(costagg_quantile(&all->all.w[1].latency, 1, 2)), "an empty week has no quantile");

    /* merging a into b (two halves) gives the same as all at once */
    rc = costagg_merge(b, a);
    const costagg_stats *m = &b->all.w[0], *x = &all->all.w[0];
    ok(!rc && m->n == x->n && m->used == x->used && m->cost_nano == x->cost_nano && m->cost_used == x->cost_used,
       "merge: counts and fixed-point sums");
    ok(costagg_quantile(&m->latency, 1, 2) == 410 && costagg_quantile(&m->latency, 95, 100) == 2100,
       "merge: the same quantiles");
    const costagg_entry *pe = strmap_get(b->prompts, "billing", 7), *me = strmap_get(b->models, "m-large", 7);
    ok(pe && me && pe->w[0].n == 10 && me->w[0].cost_nano == 125000000, "merge: per prompt and model");

    /* taking back: the 2101.7 loses to a later duplicate */
    event ev = sugg("billing", "m-large", ACTION_REJECTED, 2101.7, 12500000);
    rc = costagg_add(all, &ev, 0, -1);
    ok(!rc && all->all.w[0].latency.n == 9 && costagg_quantile(&all->all.w[0].latency, 95, 100) == 1500,
       "take back: 9 latencies, p95 now 1500");
    ok(all->all.w[0].cost_nano == 112500000, "take back: the cost too");

    /* money text */
    char t[64];
    costfig_nano_text(134000000, t, sizeof t);
    is_str(t, "0.134", "0.134");
    costfig_nano_text(17857143, t, sizeof t);
    is_str(t, "0.017857143", "nine decimals");
    costfig_nano_text((__int128)1000000000 * 1000000000 * 3, t, sizeof t);
    is_str(t, "3000000000.0", "beyond 64 bits of nano-units");
    costfig_nano_text(0, t, sizeof t);
    is_str(t, "0.0", "zero");
    costagg_free(a);
    costagg_free(b);
    costagg_free(all);
    costagg_free(NULL);
    return tap_done();
}
