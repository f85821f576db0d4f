/*
 * figures.h - the compute stage: every figure of report.json from the
 * merged aggregates and the archive's history, exactly as the contract
 * defines them (docs/figures.md).
 */
#ifndef AID_FIGURES_H
#define AID_FIGURES_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/redact.h"
#include "compute/history.h"
#include "read/read.h"
#include "common/strbuf.h"

/* The version of report.json's layout (docs/figures.md, "Header"):
 * 2 adds intervals, verdicts, drift tests and calibration scores. Readers
 * accept 1 and 2. */
#define FIGURES_SCHEMA 2

typedef struct figures_input {
    const char *week;            /* "2026-W47" */
    const ingest_result *ing;
    const history *hist;
    int64_t generated_ms;        /* timeutil_now_ms() */
    const redact_rules *redact;  /* masks personal data in published texts; NULL = texts as they are */
    const char *currency;        /* config `currency`, the unit of `cost` figures; NULL = "USD" */
} figures_input;

/* Build the report (a new json-c object the caller owns). The narrative
 * member is present with empty texts; the narrate stage fills it. */
AID_MUST_CHECK aid_err figures_build(const figures_input *in, struct json_object **report, aid_errbuf *eb);

/* The rule of top_rejected (docs/figures.md): a reply group suggested n
 * times and rejected k times is rejected credibly more often than the
 * week's overall rejection rate when n >= FIGURES_REJECTED_MIN_SUGGESTED
 * and the Wilson 95 % lower bound of k/n is above overall. Retraining
 * uses the same rule for what must never be an example. */
#define FIGURES_REJECTED_MIN_SUGGESTED 5
bool figures_rejected_credibly(int64_t k, int64_t n, double overall);

#endif
