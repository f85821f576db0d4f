/*
 * agg.h - the mergeable aggregates the figures are computed from.
 *
 * Each reading worker fills its own agg; agg_merge folds them together at
 * the end. Every part is a sum (or a minimum of positions), so the merged
 * result is the same whatever the number of workers and whatever order the
 * batches were processed in. Confidence sums are kept in fixed point
 * (nano-units) so that they, too, are exact and order-independent.
 *
 * Contributions can be taken back (sign -1): the second pass uses that to
 * remove the occurrences of a duplicated suggestion id that lost to a
 * later one.
 *
 * Memory: fixed-size counters, plus tables that grow with distinct reply
 * groups (with their distinct original texts and replacements), distinct
 * topics, distinct term words (with their stems), distinct prompt ids,
 * channels and agents (agg.seg), models (in the cost part: read/costagg.h) and
 * the distinct AI texts of edits (a cache of their features,
 * agg_edits.ai_cache); a list of the week's corrections and of
 * prompt updates; per topic a sample of at most ANSWERS_K of its
 * messages' reply groups (8 bytes each, read/answers.h); the conversations
 * of the two weeks and their outcomes (read/convlog.h). Nothing else
 * grows with the number of lines.
 */
#ifndef AID_AGG_H
#define AID_AGG_H

#include <json-c/json.h>
#include <stdint.h>

#include "common/coachfeat.h"
#include "common/editdist.h"
#include "common/err.h"
#include "read/answers.h"
#include "read/aggseg.h"
#include "read/costagg.h"
#include "read/convlog.h"
#include "read/event.h"
#include "common/strmap.h"

#define AGG_HIST_BINS 20
#define AGG_CAL_BINS 10
#define AGG_NANO 1000000000LL
#define AGG_FINE_BINS 1000 /* score cells of 0.001, for the equal-mass ECE */
#define AGG_PROMPT_DAYS 14 /* the week and the one before, for before/after impact */

/* Counters for one week's suggestions. */
typedef struct agg_week {
    int64_t suggestions;
    int64_t by_action[ACTION__COUNT];
    int64_t with_conf;
    int64_t conf_nano;
    int64_t hist[AGG_HIST_BINS];
    int64_t cal_n[AGG_CAL_BINS], cal_accepted[AGG_CAL_BINS], cal_conf_nano[AGG_CAL_BINS];
    int64_t day_suggestions[7], day_conf_n[7], day_conf_nano[7];
    int64_t messages; /* suggestions with a customer_message */
    /* For the variance, the Brier score and the equal-mass ECE: the sum of
     * squared confidences in nano-units squared (10^-18; exact: 128 bits),
     * the sum of the accepted suggestions' confidences, and the counts of
     * a fine histogram (cell min(floor(c * 1000), 999)). */
    __int128 conf_sq;
    int64_t acc_conf_nano;
    int64_t fine_n[AGG_FINE_BINS], fine_accepted[AGG_FINE_BINS], fine_conf_nano[AGG_FINE_BINS];
} agg_week;

/* One reply group (value of agg.groups, keyed by the normalised reply). */
typedef struct agg_group {
    int64_t by_action[ACTION__COUNT];
    int64_t conf_n, conf_nano;
    strmap *variants;     /* original text -> int64_t count */
    strmap *replacements; /* final_reply of rejections, as written -> int64_t;
                             NULL until the group's first (most have none) */
    editdist_hist edits;  /* shares changed of its measured edits (agg_edits) */
} agg_group;

/* Per-minute counts of one prompt over one day. */
typedef struct agg_prompt_day {
    int32_t n[1440], accepted[1440], used[1440];
} agg_prompt_day;

/* One prompt id (value of agg.prompts). */
typedef struct agg_prompt {
    int64_t n[2], accepted[2], used[2]; /* [0] this week, [1] the week before */
    agg_prompt_day *days[AGG_PROMPT_DAYS]; /* from week start - 7 days */
    editdist_hist edits; /* shares changed of its measured edits this week */
} agg_prompt;

/* Phrase features of AI replies, by what became of them. */
typedef struct agg_feat {
    int64_t n_win, n_rejected, n_vindicated;
    int64_t win[COACHFEAT__COUNT], rejected[COACHFEAT__COUNT], vindicated[COACHFEAT__COUNT];
    uint64_t example_pos[COACHFEAT__COUNT]; /* 0 = none */
    char *example[COACHFEAT__COUNT];       /* first accepted reply with the feature */
} agg_feat;

/* The week's edited suggestions that can be measured: with a final_reply
 * and an AI text of at least one word (docs/figures.md, "Edits"). */
typedef struct agg_edits {
    int64_t measured;
    editdist_hist shares;            /* word edit distance / AI words */
    int64_t added[COACHFEAT__COUNT];   /* feature absent in the AI text, present in the final */
    int64_t removed[COACHFEAT__COUNT]; /* present in the AI text, absent in the final */
    strmap *ai_cache; /* AI text -> agg_ai_feat: its features and terms, found once per
                         worker (AI texts repeat; the habits of edits and of accepted
                         and rejected replies, the reply group's key), at most
                         AGG_AI_CACHE_MAX texts; not
                         merged, only a cache */
} agg_edits;

/* At most this many AI texts in a worker's cache (each costs its text
 * twice, as written and normalised, its terms and about 100 bytes: some
 * 2 KiB for a typical reply, so at most ~32 MiB a worker); texts beyond it
 * are looked at every time. */
#define AGG_AI_CACHE_MAX 16384

/* What agg_edits caches of one AI text. */
typedef struct agg_ai_feat {
    int phrases;     /* coachfeat_phrases */
    uint64_t *terms; /* textnorm_term_set */
    size_t nterms;
    char *norm;      /* textnorm_reply: the key of its reply group */
    size_t norm_len;
} agg_ai_feat;

/* A correction in the week. */
typedef struct agg_correction {
    char *suggestion_id, *corrected, *by, *reason;
    int64_t ts_ms;
    uint64_t pos;
} agg_correction;

typedef struct agg_dq {
    int64_t lines, blank_lines, events, bad_lines, bad_by_reason[EVENT_BAD__COUNT];
    int64_t duplicates, out_of_week, unknown_types, orphan_corrections;
    int64_t corrections, prompt_updates;
} agg_dq;

/* A topic's count (value of agg.terms). count comes
 * first, so the tables read as int64_t counts too; seen is the last
 * message (agg.msg_seq) that counted it, so a message counts it once. */
typedef struct agg_term {
    int64_t count;
    uint64_t seen;
    answers *answers;    /* a sample of its messages' reply groups (read/answers.h; owned) */
    uint64_t answers_bar; /* answers_bar(answers), kept here so a full sample is rarely touched */
} agg_term;

/* A term word (value of agg.words): the messages containing it (count
 * and seen as in agg_term) and its stem (owned; NULL until stemmed). */
typedef struct agg_word {
    int64_t count;
    uint64_t seen;
    char *stem;
    size_t stem_len;
} agg_word;

typedef struct agg {
    int64_t week_start_ms, week_end_ms;
    agg_week cur, prev;
    strmap *groups;  /* normalised reply -> agg_group */
    strmap *terms;   /* topic -> agg_term: messages containing it (this week); a
                        word's Snowball stem, or "stem1 stem2" for a phrase */
    strmap *words;   /* term word as written (lower-cased) -> agg_word */
    uint64_t msg_seq; /* numbers the messages for agg_term.seen */
    uint64_t msg_pick; /* the message being counted: answers_pick of its line's position
                          and its reply group's hash (for agg_term.answers) */
    strmap *prompts; /* prompt id -> agg_prompt */
    aggseg seg;      /* by prompt_id, channel, agent_id (read/aggseg.h) */
    costagg *cost;   /* cost and latency, overall, per prompt and per model */
    agg_feat feat;
    agg_edits edits;
    agg_correction *corrections;
    size_t ncorrections, corrections_cap;
    struct json_object *updates; /* array: every prompt_update read, any week */
    agg_dq dq;
    convlog *convlog; /* conversations and outcomes, for the outcomes figures */
    struct stemmer *stem; /* this aggregate's own (a stemmer is not thread-safe) */
    const struct redact_rules *redact; /* terms are counted from the redacted message,
                                          masked spans left out; NULL = raw (not owned) */
} agg;

/* An empty aggregate for the week starting at week_start_ms (*out; the
 * caller frees it with agg_free). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err agg_new(agg **out, int64_t week_start_ms, aid_errbuf *eb);
void agg_free(agg *a);

/* Add (sign +1) or take back (sign -1) one valid suggestion at pos.
 * 0 or -1 (no memory). */
AID_MUST_CHECK int agg_add_suggestion(agg *a, const event *ev, int sign, uint64_t pos);
/* Record a correction (only those in the week are kept). 0 or -1. */
AID_MUST_CHECK int agg_add_correction(agg *a, const event *ev, uint64_t pos);
/* Record a prompt update (all are kept, for the before/after windows). 0 or -1. */
AID_MUST_CHECK int agg_add_prompt_update(agg *a, const event *ev, uint64_t pos);
/* Features of a vindicated AI reply. 0 or -1 (out of memory). */
AID_MUST_CHECK int agg_add_vindicated(agg *a, const char *ai_reply, size_t len, const char *customer, size_t clen);

/* Fold src into dst; src is emptied (free it after). 0 or -1. */
AID_MUST_CHECK int agg_merge(agg *dst, agg *src);

/* True when ts is in the week / the week before. */
int agg_week_of(const agg *a, int64_t ts_ms); /* 0 this week, 1 previous, -1 other */

#endif
