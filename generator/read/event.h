/*
 * event.h - one input line: parsed with json-c (strict), validated
 * against the input format (docs/input-format.md), or classified as bad
 * with one of the contract's reasons.
 *
 *   event_parser *p;
 *   if (event_parser_new(&p, 1 << 20, eb)) ... out of memory ...
 *   event ev; char why[256];
 *   event_bad r = event_parse(p, line, len, &ev, why, sizeof why);
 *   if (r == EVENT_OK) ... use ev (valid until the next event_parse) ...
 *   event_parser_free(p);
 *
 * One parser per thread. Strings in an event are borrowed from the parser
 * and stay valid until the next call; lengths are in bytes.
 */
#ifndef AID_EVENT_H
#define AID_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct json_object;

typedef enum event_bad {
    EVENT_NOMEM = -2, /* out of memory: neither an event nor a bad line */
    EVENT_OK = -1,
    EVENT_BAD_INVALID_JSON = 0,
    EVENT_BAD_INVALID_UTF8,
    EVENT_BAD_LINE_TOO_LONG,
    EVENT_BAD_TOO_DEEP,
    EVENT_BAD_NOT_OBJECT,
    EVENT_BAD_MISSING_FIELD,
    EVENT_BAD_WRONG_TYPE,
    EVENT_BAD_CONFIDENCE_RANGE,
    EVENT_BAD_UNKNOWN_ACTION,
    EVENT_BAD_BAD_TIME,
    EVENT_BAD_VALUE_RANGE, /* latency_ms, tokens_in/out or cost out of range */
    EVENT_BAD_CSAT_RANGE, /* an outcome's csat outside 1..5 */
    EVENT_BAD__COUNT
} event_bad;

/* The reason's name in report.json (data_quality.bad_by_reason). */
const char *event_bad_name(event_bad r);

typedef enum event_type {
    EVENT_SUGGESTION,
    EVENT_CORRECTION,
    EVENT_PROMPT_UPDATE,
    EVENT_OUTCOME,
    EVENT_UNKNOWN_TYPE
} event_type;

typedef enum event_action {
    ACTION_ACCEPTED = 0,
    ACTION_EDITED,
    ACTION_REJECTED,
    ACTION_IGNORED,
    ACTION__COUNT
} event_action;

const char *event_action_name(event_action a);

/* A borrowed string: NULL/0 when absent (or JSON null). */
typedef struct event_str {
    const char *s;
    size_t len;
} event_str;

typedef struct event {
    event_type type;
    int64_t ts_ms;
    /* suggestion */
    event_str id, ai_reply, customer_message, final_reply;
    event_str conversation_id, agent_id, channel, locale, prompt_id, prompt_version;
    event_action action;
    bool has_confidence;
    double confidence;
    /* cost and latency (docs/input-format.md): each optional; has_* false
     * when absent or null */
    event_str model;
    bool has_latency, has_tokens_in, has_tokens_out, has_cost;
    double latency_ms;           /* in [0, EVENT_MAX_LATENCY_MS] */
    int64_t tokens_in, tokens_out; /* in [0, EVENT_MAX_TOKENS] */
    int64_t cost_nano;           /* cost in 10^-9 of the currency, in [0, EVENT_MAX_COST * 10^9] */
    /* correction */
    event_str suggestion_id, corrected_reply, by, reason;
    /* prompt_update (prompt_id above) */
    event_str from_version, to_version, theme, summary;
    struct json_object *examples_added;   /* array of strings or NULL */
    struct json_object *examples_removed; /* array of strings or NULL */
    /* outcome (conversation_id above, required) */
    int csat;      /* 1..5, or 0 when absent (or null) */
    int resolved;  /* 1 true, 0 false, -1 absent (or null) */
} event;

/* The largest values the cost and latency fields may take (larger ones,
 * like negative ones, are EVENT_BAD_VALUE_RANGE): a latency of about 11.6
 * days, a billion tokens, a billion units of the currency for one reply.
 * They keep every sum of a week exact in 64 bits (tokens) or 128 bits
 * (cost in nano-units). */
#define EVENT_MAX_LATENCY_MS 1e9
#define EVENT_MAX_TOKENS 1000000000LL
#define EVENT_MAX_COST 1e9

typedef struct event_parser event_parser;

/* A parser (*out; free it with event_parser_free). max_line: lines longer
 * than this are EVENT_BAD_LINE_TOO_LONG. AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err event_parser_new(event_parser **out, size_t max_line, aid_errbuf *eb);
void event_parser_free(event_parser *p);

/* Parse and validate one line (without its line end): EVENT_OK, the
 * reason of a bad line, or EVENT_NOMEM. On a bad line, detail gets a short
 * human-readable reason (e.g. "suggestion: missing required field
 * 'ai_reply'"). */
event_bad event_parse(event_parser *p, const char *line, size_t len, event *ev, char *detail,
                      size_t detail_len);

#endif
