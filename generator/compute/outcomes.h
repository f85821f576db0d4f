/*
 * outcomes.h - the `outcomes` figures of report.json (docs/figures.md,
 * "Outcomes"): CSAT and resolution of the week's conversations by how the
 * AI's reply was used (sent as is, sent after edits, not used), with
 * intervals, differences between the classes and changes against the week
 * before, overall and per prompt. Private to compute/: figures.c calls it.
 *
 * The join is done here, after the read: the read stage (read/convlog.h)
 * only gathered the conversations of the two weeks and the last outcome of
 * each conversation, in any order.
 */
#ifndef AID_OUTCOMES_H
#define AID_OUTCOMES_H

#include <json-c/json.h>

#include "common/err.h"
#include "common/redact.h"
#include "read/read.h"

/* The report's `outcomes` object into *out, or NULL (a JSON null) when no
 * outcome counts for the week (none joined to its conversations, none
 * unmatched in it). The prompt ids pass through redact (NULL: as they
 * are), like every log text of the report. AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err outcomes_json(const agg *a, const redact_rules *redact, struct json_object **out,
                                     aid_errbuf *eb);

#endif
