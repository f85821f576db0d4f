/*
 * edits.h - the `edits` figures of report.json (docs/figures.md, "Edits"):
 * how much agents changed the suggestions they edited, overall, per reply
 * group and per prompt, and which habits (common/coachfeat) they added or
 * removed. Private to compute/: figures.c calls it, coach.c reads the
 * habit counts. The counting is done while reading (read/agg.c,
 * agg_edits); this only turns the counts into figures.
 */
#ifndef AID_EDITS_H
#define AID_EDITS_H

#include <json-c/json.h>

#include "common/editdist.h"
#include "common/err.h"
#include "read/read.h"

/* {"measured", "median_share", "light", "light_share"} of one histogram
 * (a reply group's, a prompt's) into *out. AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err edits_shares_json(const editdist_hist *h, struct json_object **out, aid_errbuf *eb);

/* The report's `edits` object for the week (edited: totals.edited) into
 * *out. AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err edits_json(const agg_edits *e, int64_t edited, struct json_object **out, aid_errbuf *eb);

#endif
