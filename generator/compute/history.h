/*
 * history.h - what earlier weeks in the archive (OUT) tell this week:
 * the previous week's report.json (drift, week-on-week changes) and the
 * per-term counts of up to HISTORY_MAX_WEEKS earlier weeks (the trends
 * baseline), read from OUT/<week>/terms.json.
 */
#ifndef AID_HISTORY_H
#define AID_HISTORY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "common/strmap.h"
#include "read/read.h"

#define HISTORY_MAX_WEEKS 8

/* terms.json's format: 2 holds stems, phrases and surface forms. A file
 * without "format" is the first format (words as they were written),
 * converted when read: its words are stemmed and their counts summed. */
#define HISTORY_TERMS_FORMAT 2

typedef struct history {
    struct json_object *prev_report; /* OUT/<week-1>/report.json, or NULL */
    strmap *baseline_terms;          /* topic (stem or "stem1 stem2") -> int64_t, summed over baseline weeks */
    strmap *baseline_surfaces;       /* "topic\tsurface" -> int64_t, summed likewise */
    int64_t baseline_messages;       /* messages of the baseline weeks */
    int64_t baseline_phrase_messages; /* of those weeks that count phrases (format 2) */
    strmap *prev_terms;              /* topic -> int64_t of the week before, or NULL */
    bool prev_has_phrases;           /* the week before counts phrases */
    struct json_object *baseline_weeks; /* array of "YYYY-Www", oldest first */
    struct json_object *converted_weeks; /* of them, those read from the first format, oldest first */
} history;

/* Load what OUT holds before `week`. A missing archive is no error. A
 * corrupt file is skipped with a one-line warning on diag (may be NULL);
 * a terms.json of the first format is converted with a one-line note on
 * diag and listed in converted_weeks. */
AID_MUST_CHECK aid_err history_load(history *h, const char *out_dir, const char *week, FILE *diag, aid_errbuf *eb);
void history_release(history *h);

/* Write OUT/<week>/terms.json: {"week", "format": 2, "messages",
 * "terms": {stem: count}, "phrases": {"stem1 stem2": count},
 * "surfaces": {stem: {word: count}}} from the agg's terms (agg_term) and
 * words (agg_word) tables (entries with count > 0, sorted by bytes). */
AID_MUST_CHECK aid_err history_write_terms(const char *path, const char *week, int64_t messages,
                            const strmap *terms, const strmap *words, aid_errbuf *eb);

#endif
