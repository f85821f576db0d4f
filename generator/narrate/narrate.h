/*
 * narrate.h - the narrate stage: writes report.narrative.
 *
 *   narrate_report(report, &cfg, out_dir, offline, &eb);
 *
 * sets report.narrative = {
 *   summary:      five paragraphs separated by "\n\n" (one short paragraph
 *                 for a week of fewer than NARRATOR_MIN_SUGGESTIONS, 30),
 *   self_summary: one paragraph on the week's training deltas,
 *   coach_notes:  [three strings] (one for a week of too little data),
 *   claims:       [every number and direction claim of the texts above:
 *                 {part, text, offset, kind, figure, value, verdict,
 *                 interval?, said?, agrees?}] (docs/narrative.md),
 *   source:       { summary, self_summary, coach_notes }, each one of
 *       "builtin"                       the built-in narrator (offline, no key)
 *       "llm:<model>"                   the LLM's text, every number checked
 *       "builtin (too little data: N suggestions)"  a key, but fewer than 30
 *                                       suggestions: the LLM is not asked
 *       "builtin (fallback: <reason>)"  the LLM was asked, its text was not
 *                                       usable (reason: HTTP error, timeout,
 *                                       refusal, truncation, malformed answer,
 *                                       wrong numbers, claims against the
 *                                       verdicts), so the built-in
 *                                       narrator wrote this part
 * }
 *
 * The LLM is used when cfg->llm_api_key is set and offline is false. Its
 * prompts are rendered from templates/prompts/{system,summary,self_summary,
 * coach_notes}.txt with the facts of the week as JSON in which every text
 * has been redacted (redact.h, cfg->redact_rules). Each answer is fact
 * checked (factcheck.h); on wrong numbers or direction claims that disagree
 * with the verdicts the LLM is asked once more, told which ones; if the
 * second answer is wrong too, the part
 * falls back. A network or authentication failure stops asking the LLM for
 * the remaining parts of the run. Answers are cached in
 * <out_dir>/.cache/llm (out_dir may be NULL: no cache).
 *
 * Never fails because of the LLM: a fallback is reported on stderr as one
 * line per part ("aidigest: narrative: <part>: built-in narrator used: <reason>").
 * Errors returned: AID_ERR_NOMEM, AID_ERR_CONFIG (a bad redaction rules
 * file).
 */
#ifndef AID_NARRATE_H
#define AID_NARRATE_H

#include <json-c/json.h>
#include <stdbool.h>

#include "common/config.h"
#include "common/err.h"

AID_MUST_CHECK aid_err narrate_report(struct json_object *report, const aid_config *cfg, const char *out_dir,
                       bool offline, aid_errbuf *eb);

/* The facts given to the LLM: a redacted copy of the parts of the report
 * the narrative is about (a new object the caller puts). NULL when out of
 * memory. Exposed for tests. */
struct redact_rules;
AID_MUST_CHECK struct json_object *narrate_facts(const struct json_object *report, const struct redact_rules *rules);

#endif
