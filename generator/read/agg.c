#include "read/agg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jget.h"
#include "common/redact.h"
#include "common/stem.h"
#include "common/strbuf.h"
#include "common/textnorm.h"
#include "common/timeutil.h"

aid_err agg_new(agg **out, int64_t week_start_ms, aid_errbuf *eb)
{
    agg *a = calloc(1, sizeof *a);
    *out = NULL;
    if (!a)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    a->week_start_ms = week_start_ms;
    a->week_end_ms = week_start_ms + TIMEUTIL_WEEK_MS;
    a->groups = strmap_new(sizeof(agg_group));
    a->terms = strmap_new(sizeof(agg_term));
    a->words = strmap_new(sizeof(agg_word));
    a->prompts = strmap_new(sizeof(agg_prompt));
    a->updates = json_object_new_array();
    a->edits.ai_cache = strmap_new(sizeof(agg_ai_feat));
    if (!a->groups || !a->terms || !a->words || !a->prompts || !a->updates || !a->edits.ai_cache ||
        aggseg_init(&a->seg) < 0) {
        agg_free(a);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    aid_err err = costagg_new(&a->cost, eb);
    if (!err)
        err = convlog_new(&a->convlog, week_start_ms, eb);
    if (!err)
        err = stem_new(&a->stem, eb);
    if (err) {
        agg_free(a);
        return err;
    }
    *out = a;
    return AID_OK;
}

static void agg_group_release(agg_group *g)
{
    strmap_free(g->variants);
    strmap_free(g->replacements);
    g->variants = g->replacements = NULL;
    editdist_hist_release(&g->edits);
}

static void agg_prompt_release(agg_prompt *p)
{
    for (int d = 0; d < AGG_PROMPT_DAYS; d++) {
        free(p->days[d]);
        p->days[d] = NULL;
    }
    editdist_hist_release(&p->edits);
}

void agg_free(agg *a)
{
    if (!a)
        return;
    if (a->groups) {
        for (size_t i = 0; i < strmap_capacity(a->groups); i++) {
            void *v;
            if (strmap_slot(a->groups, i, NULL, NULL, &v))
                agg_group_release(v);
        }
        strmap_free(a->groups);
    }
    if (a->prompts) {
        for (size_t i = 0; i < strmap_capacity(a->prompts); i++) {
            void *v;
            if (strmap_slot(a->prompts, i, NULL, NULL, &v))
                agg_prompt_release(v);
        }
        strmap_free(a->prompts);
    }
    aggseg_release(&a->seg);
    costagg_free(a->cost);
    if (a->terms) {
        for (size_t i = 0; i < strmap_capacity(a->terms); i++) {
            void *v;
            if (strmap_slot(a->terms, i, NULL, NULL, &v))
                answers_free(((agg_term *)v)->answers);
        }
        strmap_free(a->terms);
    }
    if (a->words) {
        for (size_t i = 0; i < strmap_capacity(a->words); i++) {
            void *v;
            if (strmap_slot(a->words, i, NULL, NULL, &v))
                free(((agg_word *)v)->stem);
        }
        strmap_free(a->words);
    }
    stem_free(a->stem);
    convlog_free(a->convlog);
    editdist_hist_release(&a->edits.shares);
    if (a->edits.ai_cache) {
        for (size_t i = 0; i < strmap_capacity(a->edits.ai_cache); i++) {
            void *v;
            if (strmap_slot(a->edits.ai_cache, i, NULL, NULL, &v)) {
                free(((agg_ai_feat *)v)->terms);
                free(((agg_ai_feat *)v)->norm);
            }
        }
        strmap_free(a->edits.ai_cache);
    }
    for (int f = 0; f < COACHFEAT__COUNT; f++)
        free(a->feat.example[f]);
    for (size_t i = 0; i < a->ncorrections; i++) {
        agg_correction *c = &a->corrections[i];
        free(c->suggestion_id);
        free(c->corrected);
        free(c->by);
        free(c->reason);
    }
    free(a->corrections);
    json_object_put(a->updates);
    free(a);
}

int agg_week_of(const agg *a, int64_t ts)
{
    if (ts >= a->week_start_ms && ts < a->week_end_ms)
        return 0;
    if (ts >= a->week_start_ms - TIMEUTIL_WEEK_MS && ts < a->week_start_ms)
        return 1;
    return -1;
}

static int64_t conf_nano(double c)
{
    return (int64_t)llround(c * (double)AGG_NANO);
}

static void agg_week_add(agg_week *w, const event *ev, int day, int sign)
{
    w->suggestions += sign;
    w->by_action[ev->action] += sign;
    w->day_suggestions[day] += sign;
    if (ev->customer_message.len)
        w->messages += sign;
    if (!ev->has_confidence)
        return;
    double c = ev->confidence;
    int64_t cn = conf_nano(c);
    int hb = (int)floor(c * 20.0);
    if (hb > AGG_HIST_BINS - 1)
        hb = AGG_HIST_BINS - 1;
    int cb = (int)floor(c * 10.0);
    if (cb > AGG_CAL_BINS - 1)
        cb = AGG_CAL_BINS - 1;
    w->with_conf += sign;
    w->conf_nano += sign * cn;
    w->hist[hb] += sign;
    w->cal_n[cb] += sign;
    w->cal_conf_nano[cb] += sign * cn;
    if (ev->action == ACTION_ACCEPTED)
        w->cal_accepted[cb] += sign;
    w->day_conf_n[day] += sign;
    w->day_conf_nano[day] += sign * cn;
    int fb = (int)floor(c * (double)AGG_FINE_BINS);
    if (fb > AGG_FINE_BINS - 1)
        fb = AGG_FINE_BINS - 1;
    if (fb < 0)
        fb = 0;
    w->conf_sq += (__int128)sign * cn * cn;
    w->fine_n[fb] += sign;
    w->fine_conf_nano[fb] += sign * cn;
    if (ev->action == ACTION_ACCEPTED) {
        w->acc_conf_nano += sign * cn;
        w->fine_accepted[fb] += sign;
    }
}

static int count_add(strmap *m, const char *key, size_t len, int64_t delta)
{
    int64_t *c = strmap_upsert(m, key, len, NULL);
    if (!c)
        return -1;
    *c += delta;
    return 0;
}

/* edit_bin: the share bin of a measured edit, -1 when there is none;
 * af: what ai_feat found of the AI text (its group's key). */
static int agg_group_add(agg *a, const event *ev, const agg_ai_feat *af, int sign, int edit_bin)
{
    strbuf norm = STRBUF_INIT;
    int rc = -1;
    bool is_new;
    agg_group *g = strmap_upsert(a->groups, af->norm, af->norm_len, &is_new);
    if (!g)
        goto cleanup;
    if (is_new) {
        /* most groups have one or two texts, and no replacement (made
         * when the first comes) */
        if (!(g->variants = strmap_new_cap(sizeof(int64_t), 2)))
            goto cleanup;
    }
    g->by_action[ev->action] += sign;
    if (ev->has_confidence) {
        g->conf_n += sign;
        g->conf_nano += sign * conf_nano(ev->confidence);
    }
    if (count_add(g->variants, ev->ai_reply.s, ev->ai_reply.len, sign) < 0)
        goto cleanup;
    if (edit_bin >= 0 && editdist_hist_add(&g->edits, edit_bin, sign) < 0)
        goto cleanup;
    if (ev->action == ACTION_REJECTED && ev->final_reply.len) {
        /* counted as written (figures groups them by normalised text and
         * shows the most frequent wording); blank replies do not count */
        strbuf_reset(&norm);
        if (textnorm_reply(ev->final_reply.s, ev->final_reply.len, &norm) < 0)
            goto cleanup;
        if (norm.len && ((!g->replacements && !(g->replacements = strmap_new_cap(sizeof(int64_t), 2))) ||
                         count_add(g->replacements, ev->final_reply.s, ev->final_reply.len, sign) < 0))
            goto cleanup;
    }
    rc = 0;
cleanup:
    strbuf_release(&norm);
    return rc;
}

/* The topics of one message (docs/figures.md "Trends"): the Snowball stem
 * of every term word, and every two adjacent term words with different
 * stems as a phrase "stem1 stem2"; each counted once per message (the
 * entry's `seen` is the message's number), and every word as written
 * (lower-cased) in a->words, once per message too. A word is stemmed the
 * first time the aggregate sees it (its entry keeps the stem), so a
 * message costs two or three table updates per word and no sorting. */
struct terms_ctx {
    agg *a;
    int sign;
    strbuf key;       /* scratch: "stem1 stem2" */
    const char *prev; /* the stem of the word before, when it was a term word */
    size_t prev_len;  /* (points into a->words: stable for the message) */
};

static int term_once(agg *a, strmap *m, const char *k, size_t kl, int sign)
{
    agg_term *t = strmap_upsert(m, k, kl, NULL);
    if (!t)
        return -1;
    if (t->seen != a->msg_seq) {
        t->seen = a->msg_seq;
        t->count += sign;
        if ((sign < 0 || !t->answers_bar || a->msg_pick < t->answers_bar)) {
            if (answers_add(&t->answers, a->msg_pick, sign) < 0)
                return -1;
            t->answers_bar = answers_bar(t->answers);
        }
    }
    return 0;
}

static int terms_collect(const char *w, size_t len, void *vctx)
{
    struct terms_ctx *c = vctx;
    agg *a = c->a;
    if (!textnorm_is_term(w, len)) {
        c->prev = NULL;
        return 0;
    }
    agg_word *wd = strmap_upsert(a->words, w, len, NULL);
    if (!wd)
        return -1;
    if (!wd->stem) {
        const char *st;
        size_t sl;
        if (stem_word(a->stem, w, len, &st, &sl) < 0 || !(wd->stem = strndup(st, sl)))
            return -1;
        wd->stem_len = sl;
    }
    if (wd->seen != a->msg_seq) {
        wd->seen = a->msg_seq;
        wd->count += c->sign;
    }
    if (term_once(a, a->terms, wd->stem, wd->stem_len, c->sign) < 0)
        return -1;
    /* a phrase joins two different stems ("refund refund" says no more than "refund") */
    if (c->prev && !(c->prev_len == wd->stem_len && !memcmp(c->prev, wd->stem, c->prev_len))) {
        strbuf_reset(&c->key);
        if (strbuf_add(&c->key, c->prev, c->prev_len) < 0 || strbuf_addc(&c->key, ' ') < 0 ||
            strbuf_add(&c->key, wd->stem, wd->stem_len) < 0 ||
            term_once(a, a->terms, c->key.buf, c->key.len, c->sign) < 0)
            return -1;
    }
    c->prev = wd->stem;
    c->prev_len = wd->stem_len;
    return 0;
}

static int agg_terms_add(agg *a, const char *msg, size_t len, int sign)
{
    struct terms_ctx c = { a, sign, STRBUF_INIT, NULL, 0 };
    strbuf clean = STRBUF_INIT;
    int rc = -1;
    if (a->redact) {
        /* personal data never becomes a term, nor do the mask words */
        if (redact_strip(a->redact, msg, len, &clean) < 0 || strbuf_grow(&clean, 0) < 0)
            goto cleanup;
        msg = clean.buf;
        len = clean.len;
    }
    a->msg_seq++;
    if (textnorm_words(msg, len, terms_collect, &c) < 0)
        goto cleanup;
    rc = 0;
cleanup:
    strbuf_release(&c.key);
    strbuf_release(&clean);
    return rc;
}

static int agg_prompt_add(agg *a, const event *ev, int wk, int sign)
{
    agg_prompt *p = strmap_upsert(a->prompts, ev->prompt_id.s, ev->prompt_id.len, NULL);
    if (!p)
        return -1;
    int accepted = ev->action == ACTION_ACCEPTED;
    int used = accepted || ev->action == ACTION_EDITED;
    p->n[wk] += sign;
    p->accepted[wk] += sign * accepted;
    p->used[wk] += sign * used;
    int64_t off = ev->ts_ms - (a->week_start_ms - TIMEUTIL_WEEK_MS);
    int day = (int)(off / TIMEUTIL_DAY_MS);
    int minute = (int)((off % TIMEUTIL_DAY_MS) / 60000);
    if (!p->days[day]) {
        p->days[day] = calloc(1, sizeof *p->days[day]);
        if (!p->days[day])
            return -1;
    }
    p->days[day]->n[minute] += sign;
    p->days[day]->accepted[minute] += sign * accepted;
    p->days[day]->used[minute] += sign * used;
    return 0;
}

static int reply_habits(const event *ev, const agg_ai_feat *af);

/* 0 or -1 (no memory for an example). */
static int agg_feat_add(agg *a, const event *ev, const agg_ai_feat *af, int sign, uint64_t pos)
{
    if (ev->action != ACTION_ACCEPTED && ev->action != ACTION_REJECTED)
        return 0;
    int m = reply_habits(ev, af);
    if (m < 0)
        return -1;
    unsigned mask = (unsigned)m;
    agg_feat *f = &a->feat;
    if (ev->action == ACTION_ACCEPTED)
        f->n_win += sign;
    else
        f->n_rejected += sign;
    for (int k = 0; k < COACHFEAT__COUNT; k++) {
        if (!(mask & (1u << k)))
            continue;
        if (ev->action == ACTION_REJECTED) {
            f->rejected[k] += sign;
            continue;
        }
        f->win[k] += sign;
        if (sign > 0 && (!f->example_pos[k] || pos < f->example_pos[k])) {
            char *copy = strndup(ev->ai_reply.s, ev->ai_reply.len);
            if (!copy)
                return -1;
            free(f->example[k]);
            f->example[k] = copy;
            f->example_pos[k] = pos;
        }
    }
    return 0;
}

/* The AI text's features and terms, from the per-worker cache or found
 * now: into the cache while it holds fewer than AGG_AI_CACHE_MAX texts,
 * else into *scratch (zeroed by the caller, who frees its terms), so that
 * a week of distinct replies does not keep each one's copy. NULL when out
 * of memory. */
static const agg_ai_feat *ai_feat(agg *a, const event *ev, agg_ai_feat *scratch)
{
    agg_ai_feat *f = strmap_get(a->edits.ai_cache, ev->ai_reply.s, ev->ai_reply.len);
    if (f && f->phrases >= 0)
        return f;
    if (!f && strmap_count(a->edits.ai_cache) < AGG_AI_CACHE_MAX) {
        f = strmap_upsert(a->edits.ai_cache, ev->ai_reply.s, ev->ai_reply.len, NULL);
        if (!f)
            return NULL;
    } else if (!f) {
        f = scratch;
    }
    free(f->terms);
    free(f->norm);
    f->terms = NULL;
    f->nterms = 0;
    f->norm = NULL;
    f->norm_len = 0;
    strbuf norm = STRBUF_INIT;
    f->phrases = coachfeat_phrases(ev->ai_reply.s, ev->ai_reply.len);
    if (f->phrases < 0 || textnorm_term_set(ev->ai_reply.s, ev->ai_reply.len, &f->terms, &f->nterms) < 0 ||
        textnorm_reply(ev->ai_reply.s, ev->ai_reply.len, &norm) < 0 || strbuf_grow(&norm, 0) < 0 ||
        !(f->norm = strbuf_detach(&norm, &f->norm_len))) {
        strbuf_release(&norm);
        f->phrases = -1; /* found again next time */
        return NULL;
    }
    return f;
}

/* coachfeat_detect of the AI text against its customer message, the AI
 * text's part from the cache: its phrases and terms are found once per
 * distinct text, the customer's terms every time. -1 when out of memory. */
static int reply_habits(const event *ev, const agg_ai_feat *af)
{
    uint64_t *cust = NULL;
    size_t nc = 0;
    int m = af->phrases;
    if (!ev->customer_message.len)
        return m;
    if (textnorm_term_set(ev->customer_message.s, ev->customer_message.len, &cust, &nc) < 0) {
        free(cust);
        return -1;
    }
    if (coachfeat_restates_terms(af->terms, af->nterms, cust, nc))
        m |= 1 << COACHFEAT_RESTATES_ISSUE;
    free(cust);
    return m;
}

/* The habits (coachfeat masks) of an edit's AI text (*ma) and final text
 * (*mf), as coachfeat_detect finds them against its customer message. 0
 * or -1 (no memory). */
static int edit_habits(const event *ev, const agg_ai_feat *af, int *ma, int *mf)
{
    uint64_t *cust = NULL, *fin = NULL;
    size_t nc = 0, nf = 0;
    int rc = -1;
    *ma = af->phrases;
    *mf = coachfeat_phrases(ev->final_reply.s, ev->final_reply.len);
    if (*mf < 0)
        goto cleanup;
    rc = 0;
    if (!ev->customer_message.len)
        goto cleanup;
    rc = -1;
    if (textnorm_term_set(ev->customer_message.s, ev->customer_message.len, &cust, &nc) < 0)
        goto cleanup;
    /* fewer than 3 customer terms: neither text can restate it */
    if (nc >= 3 && textnorm_term_set(ev->final_reply.s, ev->final_reply.len, &fin, &nf) < 0)
        goto cleanup;
    if (coachfeat_restates_terms(af->terms, af->nterms, cust, nc))
        *ma |= 1 << COACHFEAT_RESTATES_ISSUE;
    if (coachfeat_restates_terms(fin, nf, cust, nc))
        *mf |= 1 << COACHFEAT_RESTATES_ISSUE;
    rc = 0;
cleanup:
    free(fin);
    free(cust);
    return rc;
}

/* How much an edited suggestion of the week was changed (*bin, -1 when it
 * cannot be measured: no final_reply, or an AI text without words), and
 * the habits the agent added or removed, into a->edits and the prompt's
 * histogram. 0 or -1 (no memory). */
static int agg_edit_add(agg *a, const event *ev, const agg_ai_feat *af, int sign, int *bin)
{
    *bin = -1;
    if (ev->action != ACTION_EDITED || !ev->final_reply.len)
        return 0;
    int64_t dist = 0, words = 0;
    if (editdist_words(ev->ai_reply.s, ev->ai_reply.len, ev->final_reply.s, ev->final_reply.len, &dist,
                       &words, NULL) < 0)
        return -1;
    if (words == 0)
        return 0;
    int ma, mf;
    if (edit_habits(ev, af, &ma, &mf) < 0)
        return -1;
    *bin = editdist_bin(dist, words);
    agg_edits *e = &a->edits;
    e->measured += sign;
    if (editdist_hist_add(&e->shares, *bin, sign) < 0)
        return -1;
    for (int k = 0; k < COACHFEAT__COUNT; k++) {
        unsigned in_ai = ((unsigned)ma >> k) & 1u, in_final = ((unsigned)mf >> k) & 1u;
        e->added[k] += sign * (int64_t)(!in_ai && in_final);
        e->removed[k] += sign * (int64_t)(in_ai && !in_final);
    }
    agg_prompt *p = ev->prompt_id.len ? strmap_get(a->prompts, ev->prompt_id.s, ev->prompt_id.len) : NULL;
    return p ? editdist_hist_add(&p->edits, *bin, sign) : 0;
}

int agg_add_suggestion(agg *a, const event *ev, int sign, uint64_t pos)
{
    int wk = agg_week_of(a, ev->ts_ms);
    if (wk != 0)
        a->dq.out_of_week += sign;
    if (wk < 0)
        return 0;
    int day = (int)((ev->ts_ms - (wk == 0 ? a->week_start_ms : a->week_start_ms - TIMEUTIL_WEEK_MS)) /
                    TIMEUTIL_DAY_MS);
    agg_week_add(wk == 0 ? &a->cur : &a->prev, ev, day, sign);
    if (convlog_add_suggestion(a->convlog, ev, wk, sign) < 0)
        return -1;
    if (ev->prompt_id.len && agg_prompt_add(a, ev, wk, sign) < 0)
        return -1;
    if (costagg_add(a->cost, ev, wk, sign) < 0)
        return -1;
    if (wk != 0)
        return aggseg_add(&a->seg, ev, wk, sign, AGGSEG_EDIT_UNKNOWN);
    /* the AI text's part of the work once per distinct text (the cache) */
    agg_ai_feat scratch = { 0 };
    const agg_ai_feat *af = ai_feat(a, ev, &scratch);
    int edit_bin, rc = -1;
    if (!af || agg_edit_add(a, ev, af, sign, &edit_bin) < 0 || agg_group_add(a, ev, af, sign, edit_bin) < 0 ||
        aggseg_add(&a->seg, ev, 0, sign, edit_bin) < 0)
        goto cleanup;
    if (ev->customer_message.len) {
        a->msg_pick = answers_pick(pos, answers_group_hash(af->norm, af->norm_len));
        if (agg_terms_add(a, ev->customer_message.s, ev->customer_message.len, sign) < 0)
            goto cleanup;
    }
    rc = agg_feat_add(a, ev, af, sign, pos);
cleanup:
    free(scratch.terms);
    free(scratch.norm);
    return rc;
}

int agg_add_vindicated(agg *a, const char *ai_reply, size_t len, const char *customer, size_t clen)
{
    int m = coachfeat_detect(ai_reply, len, customer, clen);
    if (m < 0)
        return -1;
    a->feat.n_vindicated++;
    for (int k = 0; k < COACHFEAT__COUNT; k++)
        if ((unsigned)m & (1u << k))
            a->feat.vindicated[k]++;
    return 0;
}

static char *dup_str(event_str s)
{
    return s.s ? strndup(s.s, s.len) : NULL;
}

int agg_add_correction(agg *a, const event *ev, uint64_t pos)
{
    if (agg_week_of(a, ev->ts_ms) != 0) {
        a->dq.out_of_week++;
        return 0;
    }
    a->dq.corrections++;
    if (a->ncorrections == a->corrections_cap) {
        size_t n = a->corrections_cap ? a->corrections_cap * 2 : 64;
        agg_correction *nc = realloc(a->corrections, n * sizeof *nc);
        if (!nc)
            return -1;
        a->corrections = nc;
        a->corrections_cap = n;
    }
    agg_correction *c = &a->corrections[a->ncorrections];
    c->suggestion_id = dup_str(ev->suggestion_id);
    c->corrected = dup_str(ev->corrected_reply);
    c->by = dup_str(ev->by);
    c->reason = dup_str(ev->reason);
    c->ts_ms = ev->ts_ms;
    c->pos = pos;
    if (!c->suggestion_id || !c->corrected || (ev->by.s && !c->by) || (ev->reason.s && !c->reason)) {
        free(c->suggestion_id);
        free(c->corrected);
        free(c->by);
        free(c->reason);
        return -1;
    }
    a->ncorrections++;
    return 0;
}

/* o[k] = s when s is present. 0 or -1. */
static int put_str(struct json_object *o, const char *k, event_str s)
{
    return s.s ? jget_set(o, k, json_object_new_string_len(s.s, (int)s.len)) : 0;
}

int agg_add_prompt_update(agg *a, const event *ev, uint64_t pos)
{
    if (agg_week_of(a, ev->ts_ms) != 0)
        a->dq.out_of_week++;
    else
        a->dq.prompt_updates++;
    struct json_object *o = json_object_new_object();
    if (!o || jget_set(o, "ts_ms", json_object_new_int64(ev->ts_ms)) < 0 ||
        jget_set(o, "pos", json_object_new_int64((int64_t)pos)) < 0 || put_str(o, "prompt_id", ev->prompt_id) < 0 ||
        put_str(o, "from_version", ev->from_version) < 0 || put_str(o, "to_version", ev->to_version) < 0 ||
        put_str(o, "theme", ev->theme) < 0 || put_str(o, "summary", ev->summary) < 0 ||
        (ev->examples_added && jget_set(o, "examples_added", json_object_get(ev->examples_added)) < 0) ||
        (ev->examples_removed && jget_set(o, "examples_removed", json_object_get(ev->examples_removed)) < 0)) {
        json_object_put(o);
        return -1;
    }
    return jget_push(a->updates, o);
}

static void agg_week_merge(agg_week *d, const agg_week *s)
{
    d->suggestions += s->suggestions;
    for (int i = 0; i < ACTION__COUNT; i++)
        d->by_action[i] += s->by_action[i];
    d->with_conf += s->with_conf;
    d->conf_nano += s->conf_nano;
    for (int i = 0; i < AGG_HIST_BINS; i++)
        d->hist[i] += s->hist[i];
    for (int i = 0; i < AGG_CAL_BINS; i++) {
        d->cal_n[i] += s->cal_n[i];
        d->cal_accepted[i] += s->cal_accepted[i];
        d->cal_conf_nano[i] += s->cal_conf_nano[i];
    }
    for (int i = 0; i < 7; i++) {
        d->day_suggestions[i] += s->day_suggestions[i];
        d->day_conf_n[i] += s->day_conf_n[i];
        d->day_conf_nano[i] += s->day_conf_nano[i];
    }
    d->messages += s->messages;
    d->conf_sq += s->conf_sq;
    d->acc_conf_nano += s->acc_conf_nano;
    for (int i = 0; i < AGG_FINE_BINS; i++) {
        d->fine_n[i] += s->fine_n[i];
        d->fine_accepted[i] += s->fine_accepted[i];
        d->fine_conf_nano[i] += s->fine_conf_nano[i];
    }
}

/* The folds of agg_merge's tables (strmap_merge). */

/* A topic: counts summed, samples merged. */
static int term_fold(void *dv, bool is_new, void *sv)
{
    (void)is_new;
    agg_term *dt = dv, *st = sv;
    dt->count += st->count;
    if (answers_merge(&dt->answers, &st->answers) < 0)
        return -1;
    dt->answers_bar = answers_bar(dt->answers);
    return 0;
}

/* A word: counts summed; a word new to dst takes src's stem over. */
static int word_fold(void *dv, bool is_new, void *sv)
{
    (void)is_new;
    agg_word *dw = dv, *sw = sv;
    dw->count += sw->count;
    if (!dw->stem) {
        dw->stem = sw->stem;
        dw->stem_len = sw->stem_len;
        sw->stem = NULL;
    }
    return 0;
}

/* A reply group: a new one takes src's tables over. */
static int group_fold(void *dv, bool is_new, void *sv)
{
    agg_group *dg = dv, *sg = sv;
    if (is_new) {
        *dg = *sg; /* take over the tables */
        sg->variants = sg->replacements = NULL;
        sg->edits = (editdist_hist){ 0 };
        return 0;
    }
    for (int j = 0; j < ACTION__COUNT; j++)
        dg->by_action[j] += sg->by_action[j];
    dg->conf_n += sg->conf_n;
    dg->conf_nano += sg->conf_nano;
    if (!dg->replacements) { /* none yet: src's, if any, taken over */
        dg->replacements = sg->replacements;
        sg->replacements = NULL;
    }
    if (strmap_add_counts(dg->variants, sg->variants) < 0 ||
        strmap_add_counts(dg->replacements, sg->replacements) < 0 || editdist_hist_merge(&dg->edits, &sg->edits) < 0)
        return -1;
    return 0;
}

/* A prompt: counts summed; a day dst has not seen yet is taken over. */
static int prompt_fold(void *dv, bool is_new, void *sv)
{
    (void)is_new;
    agg_prompt *dp = dv, *sp = sv;
    for (int w = 0; w < 2; w++) {
        dp->n[w] += sp->n[w];
        dp->accepted[w] += sp->accepted[w];
        dp->used[w] += sp->used[w];
    }
    if (editdist_hist_merge(&dp->edits, &sp->edits) < 0)
        return -1;
    for (int d = 0; d < AGG_PROMPT_DAYS; d++) {
        if (!sp->days[d])
            continue;
        if (!dp->days[d]) {
            dp->days[d] = sp->days[d];
            sp->days[d] = NULL;
            continue;
        }
        for (int m = 0; m < 1440; m++) {
            dp->days[d]->n[m] += sp->days[d]->n[m];
            dp->days[d]->accepted[m] += sp->days[d]->accepted[m];
            dp->days[d]->used[m] += sp->days[d]->used[m];
        }
    }
    return 0;
}

int agg_merge(agg *dst, agg *src)
{
    agg_week_merge(&dst->cur, &src->cur);
    if (convlog_merge(dst->convlog, src->convlog) < 0)
        return -1;
    agg_week_merge(&dst->prev, &src->prev);
    if (strmap_merge(dst->groups, src->groups, group_fold) < 0 ||
        strmap_merge(dst->terms, src->terms, term_fold) < 0 || strmap_merge(dst->words, src->words, word_fold) < 0 ||
        aggseg_merge(&dst->seg, &src->seg) < 0 || costagg_merge(dst->cost, src->cost) < 0 ||
        strmap_merge(dst->prompts, src->prompts, prompt_fold) < 0)
        return -1;
    agg_feat *df = &dst->feat, *sf = &src->feat;
    df->n_win += sf->n_win;
    df->n_rejected += sf->n_rejected;
    df->n_vindicated += sf->n_vindicated;
    for (int k = 0; k < COACHFEAT__COUNT; k++) {
        df->win[k] += sf->win[k];
        df->rejected[k] += sf->rejected[k];
        df->vindicated[k] += sf->vindicated[k];
        if (sf->example_pos[k] && (!df->example_pos[k] || sf->example_pos[k] < df->example_pos[k])) {
            free(df->example[k]);
            df->example[k] = sf->example[k];
            df->example_pos[k] = sf->example_pos[k];
            sf->example[k] = NULL;
            sf->example_pos[k] = 0;
        }
    }
    agg_edits *de = &dst->edits, *se = &src->edits;
    de->measured += se->measured;
    if (editdist_hist_merge(&de->shares, &se->shares) < 0)
        return -1;
    for (int k = 0; k < COACHFEAT__COUNT; k++) {
        de->added[k] += se->added[k];
        de->removed[k] += se->removed[k];
    }
    for (size_t i = 0; i < src->ncorrections; i++) {
        if (dst->ncorrections == dst->corrections_cap) {
            size_t n = dst->corrections_cap ? dst->corrections_cap * 2 : 64;
            agg_correction *nc = realloc(dst->corrections, n * sizeof *nc);
            if (!nc)
                return -1;
            dst->corrections = nc;
            dst->corrections_cap = n;
        }
        dst->corrections[dst->ncorrections++] = src->corrections[i];
    }
    src->ncorrections = 0;
    for (size_t i = 0, n = json_object_array_length(src->updates); i < n; i++)
        if (jget_push(dst->updates, json_object_get(json_object_array_get_idx(src->updates, i))) < 0)
            return -1;
    agg_dq *dd = &dst->dq, *sd = &src->dq;
    dd->lines += sd->lines;
    dd->blank_lines += sd->blank_lines;
    dd->events += sd->events;
    dd->bad_lines += sd->bad_lines;
    for (int r = 0; r < EVENT_BAD__COUNT; r++)
        dd->bad_by_reason[r] += sd->bad_by_reason[r];
    dd->duplicates += sd->duplicates;
    dd->out_of_week += sd->out_of_week;
    dd->unknown_types += sd->unknown_types;
    dd->orphan_corrections += sd->orphan_corrections;
    dd->corrections += sd->corrections;
    dd->prompt_updates += sd->prompt_updates;
    return 0;
}
