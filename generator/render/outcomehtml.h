/*
 * outcomehtml.h - the page's variables for the outcomes section
 * (templates/partials/outcomes.html; docs/html.md), from the report's
 * `outcomes` (docs/figures.md, "Outcomes"). Private to render/: html.c
 * calls it while it fills the week page's variables.
 */
#ifndef AID_OUTCOMEHTML_H
#define AID_OUTCOMEHTML_H

#include <json-c/json.h>

#include "common/err.h"
#include "common/tmpl/tmpl.h"

/* has_outcomes ("1" only when the report has outcomes: a week without
 * any, or a report from before they existed, shows no section),
 * outcomes_note, and the loops outcome_classes {class, conversations,
 * with_outcome, csat, csat_ci, high, high_ci, resolution, resolution_ci,
 * change}, outcome_diffs {pair, compare} and outcome_prompts {prompt_id
 * and the same but change}, the texts of outcomelabel.h. 0, or -1 when
 * out of memory. */
AID_MUST_CHECK int outcomehtml_vars(const struct json_object *report, tmpl_vars *v);

#endif
