#include "read/costagg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

aid_err costagg_new(costagg **out, aid_errbuf *eb)
{
    costagg *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    c->prompts = strmap_new(sizeof(costagg_entry));
    c->models = strmap_new(sizeof(costagg_entry));
    if (!c->prompts || !c->models) {
        costagg_free(c);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = c;
    return AID_OK;
}

static void entry_release(costagg_entry *e)
{
    for (int w = 0; w < 2; w++)
        for (int p = 0; p < COSTAGG_PAGES; p++) {
            free(e->w[w].latency.page[p]);
            e->w[w].latency.page[p] = NULL;
        }
}

static void table_free(strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < strmap_capacity(m); i++) {
        void *v;
        if (strmap_slot(m, i, NULL, NULL, &v))
            entry_release(v);
    }
    strmap_free(m);
}

void costagg_free(costagg *c)
{
    if (!c)
        return;
    entry_release(&c->all);
    table_free(c->prompts);
    table_free(c->models);
    free(c);
}

int costagg_cell(double latency_ms)
{
    if (!(latency_ms >= 0))
        latency_ms = 0;
    uint64_t u = (uint64_t)floor(latency_ms);
    if (u < COSTAGG_EXACT_MS)
        return (int)u;
    int e = 63 - __builtin_clzll(u); /* 2^e <= u < 2^(e+1), e >= 10 */
    int oct = e - 10;
    if (oct >= COSTAGG_OCTAVES)
        return COSTAGG_CELLS - 1;
    int sub = (int)((u >> (e - 9)) - COSTAGG_SUB); /* 0 .. 511 */
    return COSTAGG_EXACT_MS + oct * COSTAGG_SUB + sub;
}

double costagg_cell_lo(int cell)
{
    if (cell < COSTAGG_EXACT_MS)
        return (double)cell;
    int oct = (cell - COSTAGG_EXACT_MS) / COSTAGG_SUB, sub = (cell - COSTAGG_EXACT_MS) % COSTAGG_SUB;
    return ldexp((double)(COSTAGG_SUB + sub), oct + 1);
}

double costagg_cell_width(int cell)
{
    if (cell < COSTAGG_EXACT_MS)
        return 1.0;
    return ldexp(1.0, (cell - COSTAGG_EXACT_MS) / COSTAGG_SUB + 1);
}

static int hist_add(costagg_hist *h, int cell, int64_t delta)
{
    int p = cell / COSTAGG_SUB;
    if (!h->page[p]) {
        h->page[p] = calloc(COSTAGG_SUB, sizeof *h->page[p]);
        if (!h->page[p])
            return -1;
    }
    h->page[p][cell % COSTAGG_SUB] += delta;
    h->n += delta;
    return 0;
}

int costagg_rank_cell(const costagg_hist *h, int64_t rank)
{
    if (rank < 1 || rank > h->n)
        return -1;
    int64_t seen = 0;
    for (int pg = 0; pg < COSTAGG_PAGES; pg++) {
        if (!h->page[pg])
            continue;
        for (int i = 0; i < COSTAGG_SUB; i++) {
            seen += h->page[pg][i];
            if (seen >= rank)
                return pg * COSTAGG_SUB + i;
        }
    }
    return -1;
}

double costagg_quantile(const costagg_hist *h, int64_t num, int64_t den)
{
    if (h->n <= 0 || num <= 0 || den <= 0)
        return NAN;
    int64_t rank = (int64_t)(((__int128)num * h->n + den - 1) / den);
    if (rank < 1)
        rank = 1;
    int cell = costagg_rank_cell(h, rank);
    return cell < 0 ? NAN : costagg_cell_lo(cell);
}

static int stats_add(costagg_stats *s, const event *ev, int sign)
{
    int used = ev->action == ACTION_ACCEPTED || ev->action == ACTION_EDITED;
    s->n += sign;
    s->used += sign * used;
    if (ev->has_latency && hist_add(&s->latency, costagg_cell(ev->latency_ms), sign) < 0)
        return -1;
    if (ev->has_tokens_in) {
        s->tin_n += sign;
        s->tin_sum += (__int128)sign * ev->tokens_in;
    }
    if (ev->has_tokens_out) {
        s->tout_n += sign;
        s->tout_sum += (__int128)sign * ev->tokens_out;
    }
    if (ev->has_cost) {
        s->cost_n += sign;
        s->cost_used += sign * used;
        s->cost_nano += (__int128)sign * ev->cost_nano;
    }
    return 0;
}

int costagg_add(costagg *c, const event *ev, int wk, int sign)
{
    if (wk < 0 || wk > 1)
        return 0;
    if (stats_add(&c->all.w[wk], ev, sign) < 0)
        return -1;
    if (ev->prompt_id.len) {
        costagg_entry *e = strmap_upsert(c->prompts, ev->prompt_id.s, ev->prompt_id.len, NULL);
        if (!e || stats_add(&e->w[wk], ev, sign) < 0)
            return -1;
    }
    if (ev->model.len) {
        costagg_entry *e = strmap_upsert(c->models, ev->model.s, ev->model.len, NULL);
        if (!e || stats_add(&e->w[wk], ev, sign) < 0)
            return -1;
    }
    return 0;
}

static int stats_merge(costagg_stats *d, costagg_stats *s)
{
    d->n += s->n;
    d->used += s->used;
    d->tin_n += s->tin_n;
    d->tin_sum += s->tin_sum;
    d->tout_n += s->tout_n;
    d->tout_sum += s->tout_sum;
    d->cost_n += s->cost_n;
    d->cost_used += s->cost_used;
    d->cost_nano += s->cost_nano;
    d->latency.n += s->latency.n;
    for (int p = 0; p < COSTAGG_PAGES; p++) {
        if (!s->latency.page[p])
            continue;
        if (!d->latency.page[p]) {
            d->latency.page[p] = s->latency.page[p];
            s->latency.page[p] = NULL;
            continue;
        }
        for (int i = 0; i < COSTAGG_SUB; i++)
            d->latency.page[p][i] += s->latency.page[p][i];
    }
    return 0;
}

static int entry_merge(costagg_entry *d, costagg_entry *s)
{
    for (int w = 0; w < 2; w++)
        if (stats_merge(&d->w[w], &s->w[w]) < 0)
            return -1;
    return 0;
}

/* A prompt's or model's entry (strmap_merge). */
static int entry_fold(void *dv, bool is_new, void *sv)
{
    (void)is_new;
    return entry_merge(dv, sv);
}

int costagg_merge(costagg *dst, costagg *src)
{
    if (entry_merge(&dst->all, &src->all) < 0 || strmap_merge(dst->prompts, src->prompts, entry_fold) < 0 ||
        strmap_merge(dst->models, src->models, entry_fold) < 0)
        return -1;
    return 0;
}
