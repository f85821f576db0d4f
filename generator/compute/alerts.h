/*
 * alerts.h - the week's alerts: thresholds of the configuration
 * (common/config.h, alert_*) checked against the figures of the report,
 * and the rules evaluated (docs/figures.md, "Alerts").
 *
 * The rules, in the order they are checked and listed:
 *   acceptance_drop     changes.acceptance has verdict down and fell by at
 *                       least alert_acceptance_drop points
 *   ece                 confidence.ece above alert_ece
 *   drift               confidence.drift.verdict at least alert_drift
 *   prompt_drop         a prompt of prompts[] with verdict down that fell
 *                       by at least alert_prompt_drop points (one alert
 *                       per prompt, in prompts[] order)
 *   new_rejected_reply  a top_rejected[] reply that is not in the previous
 *                       week's archived top_rejected (same normalised text
 *                       or near-duplicates, compute/neardup.h) with a
 *                       rejection rate above alert_new_rejected (one alert
 *                       per reply, in top_rejected[] order)
 */
#ifndef AID_ALERTS_H
#define AID_ALERTS_H

#include <json-c/json.h>
#include <stddef.h>

#include "common/config.h"
#include "common/err.h"

/* The rule ids, in order (ALERTS_NRULES of them). */
#define ALERTS_NRULES 5
extern const char *const alerts_rules[ALERTS_NRULES];

/* Add "alerts" (what fired: rule, message, figures, subject, value,
 * interval, p, threshold, verdict) and "alerts_checked" (every rule:
 * rule, threshold, status fired / quiet / off / not_evaluated, reason) to
 * report. prev_report is the previous week's report.json from the archive
 * (borrowed, may be NULL: new_rejected_reply is then not evaluated).
 * AID_OK or AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err alerts_add(struct json_object *report, const struct json_object *prev_report,
                                  const aid_config *cfg, aid_errbuf *eb);

/* The number of alerts of a report (0 for a report without "alerts", an
 * archive made before them). */
size_t alerts_count(const struct json_object *report);

#endif
