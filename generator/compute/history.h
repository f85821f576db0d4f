/*
 * history.h - what earlier weeks in the archive (OUT) tell this week:
 * the previous week's report.json (drift, week-on-week changes) and the
 * per-term counts of up to HISTORY_MAX_WEEKS earlier weeks (the trends
 * baseline), read from OUT/<week>/terms.json.
 */
#ifndef AID_HISTORY_H
#define AID_HISTORY_H

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "common/strmap.h"

#define HISTORY_MAX_WEEKS 8

typedef struct history {
    struct json_object *prev_report; /* OUT/<week-1>/report.json, or NULL */
    strmap *baseline_terms;          /* term -> int64_t, summed over baseline weeks */
    int64_t baseline_messages;
    strmap *prev_terms;              /* term -> int64_t of the week before, or NULL */
    struct json_object *baseline_weeks; /* array of "YYYY-Www", oldest first */
} history;

/* Load what OUT holds before `week`. A missing archive is no error. A
 * corrupt file is skipped with a one-line warning on diag (may be NULL). */
AID_MUST_CHECK aid_err history_load(history *h, const char *out_dir, const char *week, FILE *diag, aid_errbuf *eb);
void history_release(history *h);

/* Write OUT/<week>/terms.json: {"week", "messages", "terms": {term: count}}
 * (terms with count > 0, sorted). */
AID_MUST_CHECK aid_err history_write_terms(const char *path, const char *week, int64_t messages,
                            const strmap *terms, aid_errbuf *eb);

#endif
