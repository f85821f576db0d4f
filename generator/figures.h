/*
 * figures.h - the compute stage: every figure of report.json from the
 * merged aggregates and the archive's history, exactly as the contract
 * defines them (docs/figures.md).
 */
#ifndef AID_FIGURES_H
#define AID_FIGURES_H

#include <json-c/json.h>

#include "err.h"
#include "history.h"
#include "ingest.h"
#include "strbuf.h"

/* Masks personal data in a text that is about to be published (appends the
 * masked text to out; 0 or -1). */
typedef int (*figures_redact_fn)(const char *in, size_t len, strbuf *out, void *ctx);

typedef struct figures_input {
    const char *week;            /* "2026-W47" */
    const ingest_result *ing;
    const history *hist;
    int64_t generated_ms;        /* timeutil_now_ms() */
    figures_redact_fn redact;    /* NULL = texts as they are */
    void *redact_ctx;
} figures_input;

/* Build the report (a new json-c object the caller owns). The narrative
 * member is present with empty texts; the narrate stage fills it. */
aid_err figures_build(const figures_input *in, struct json_object **report, aid_errbuf *eb);

/* Number formatting used in report.json: fixed decimals, NULL for NaN. */
struct json_object *figures_num(double v, int decimals);

#endif
