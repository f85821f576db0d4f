/*
 * segments.h - the `segments` member of report.json (docs/figures.md,
 * "Segments"): the week's acceptance, use, rejection, light-edit share,
 * mean confidence and ECE by prompt_id (with the prompt versions seen), by
 * channel and by agent_id, each with its interval, its change from the
 * week before (from the same read of the logs: agg.seg keeps both weeks)
 * and whether the segment differs from the rest of the team
 * (Benjamini-Hochberg across the segments of one table). Private to
 * compute/: figures.c calls it. The counting is done while reading
 * (read/aggseg.c); this only turns the counts into figures.
 */
#ifndef AID_SEGMENTS_H
#define AID_SEGMENTS_H

#include <json-c/json.h>

#include "common/err.h"
#include "common/redact.h"
#include "read/read.h"

/* Segments with fewer suggestions this week are pooled as "other". */
#define SEGMENTS_MIN_SUGGESTIONS 30
/* The false discovery rate of the Benjamini-Hochberg adjustment. */
#define SEGMENTS_FDR 0.05

/* The `segments` object of the week from a->seg into *out (the caller
 * owns it); segment values and prompt versions are masked by redact
 * (NULL: as written). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err segments_json(const agg *a, const redact_rules *redact, struct json_object **out,
                                     aid_errbuf *eb);

#endif
