/*
 * convlog.h - the conversations of the week and of the week before, and
 * the outcome events that can be joined to them (docs/figures.md,
 * "Outcomes"). Part of the aggregates (agg.convlog): each reading worker
 * fills its own, convlog_merge folds them together; every part is a sum or
 * a maximum of positions, so the result does not depend on the order of
 * the lines, the files or the workers. The join itself is done after the
 * read (compute/outcomes.c), when every suggestion and outcome is known.
 *
 * Memory: one entry per distinct conversation_id of the two weeks' suggestions,
 * one per (conversation, prompt_id) pair, and one per conversation with an
 * outcome in the window [week start - 7 days, week end + 7 days).
 */
#ifndef AID_CONVLOG_H
#define AID_CONVLOG_H

#include <stdint.h>

#include "common/err.h"
#include "common/strmap.h"
#include "read/event.h"

/* How a suggestion's reply was used (from its action). */
typedef enum convlog_class {
    CONVLOG_AS_IS = 0, /* accepted: sent as is */
    CONVLOG_EDITED,    /* edited: sent after edits */
    CONVLOG_NOT_USED,  /* rejected or ignored */
    CONVLOG__CLASSES
} convlog_class;

/* "as_is", "edited", "not_used". */
const char *convlog_class_name(convlog_class c);
/* The class of a conversation from its suggestions' counts by class: as
 * is when any reply was sent as is, else edited when any was sent after
 * edits, else not used when it has any suggestion; -1 when it has none. */
int convlog_class_of(const int64_t n[CONVLOG__CLASSES]);

/* A conversation's (or a conversation's prompt's) suggestions by week
 * (0 this week, 1 the week before) and class. */
typedef struct convlog_conv {
    int64_t n[2][CONVLOG__CLASSES];
} convlog_conv;

/* The last outcome of a conversation in the window. */
typedef struct convlog_outcome {
    uint64_t pos;  /* its position (IDINDEX_POS): the largest wins */
    int64_t ts_ms;
    int csat;      /* 1..5, 0 = none */
    int resolved;  /* 1, 0, -1 = none */
    int64_t events; /* outcome events for the conversation in the window */
} convlog_outcome;

typedef struct convlog {
    int64_t week_start_ms;
    strmap *convs;    /* conversation_id -> convlog_conv */
    strmap *prompts;  /* conversation_id NUL prompt_id -> convlog_conv */
    strmap *outcomes; /* conversation_id -> convlog_outcome */
    int64_t outside;  /* outcome events outside the window */
} convlog;

/* An empty log for the week starting at week_start_ms (*out; free it with
 * convlog_free). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err convlog_new(convlog **out, int64_t week_start_ms, aid_errbuf *eb);
void convlog_free(convlog *c);

/* Add (sign +1) or take back (-1) a suggestion of week wk (0 this week,
 * 1 the week before); one without a conversation_id is not counted.
 * 0 or -1 (out of memory). */
AID_MUST_CHECK int convlog_add_suggestion(convlog *c, const event *ev, int wk, int sign);
/* Record an outcome event at pos. 0 or -1 (out of memory). */
AID_MUST_CHECK int convlog_add_outcome(convlog *c, const event *ev, uint64_t pos);
/* Fold src into dst. 0 or -1. */
AID_MUST_CHECK int convlog_merge(convlog *dst, const convlog *src);

#endif
