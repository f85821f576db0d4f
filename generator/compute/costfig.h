/*
 * costfig.h - the cost and latency figures of report.json (`cost`;
 * docs/figures.md "Cost and latency") from the read stage's costagg.
 */
#ifndef AID_COSTFIG_H
#define AID_COSTFIG_H

#include <json-c/json.h>

#include "common/err.h"
#include "common/redact.h"
#include "read/read.h"

/* The quantiles reported, as fractions num/den. */
#define COSTFIG_MEDIAN_NUM 1
#define COSTFIG_MEDIAN_DEN 2
#define COSTFIG_P95_NUM 95
#define COSTFIG_P95_DEN 100

typedef struct costfig_input {
    const costagg *agg;
    const char *currency;                  /* config `currency`; NULL = "USD" */
    const struct json_object *prev_report; /* the archive's week before, or NULL (borrowed) */
    const redact_rules *redact;            /* for prompt ids and model names; NULL = as they are */
} costfig_input;

/* *out: the `cost` member (a new object the caller owns), or NULL when no
 * suggestion of the week has a latency, token count or cost (the member is
 * then left out). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err costfig_json(const costfig_input *in, struct json_object **out, aid_errbuf *eb);

/* The exact decimal text of a sum of nano-units ("12.3405", at least one
 * decimal) into buf (at least 48 bytes). */
void costfig_nano_text(__int128 nano, char *buf, size_t n);

#endif
