/*
 * narrator.h - the built-in narrator: deterministic English written from
 * the report alone, used offline, without an API key, and whenever the
 * LLM's answer is unusable.
 *
 * Every number it writes comes from the report through numfmt (counts
 * "4,410", shares "37.0%", changes "+2.4 pp", confidences "0.742"), so its
 * texts always pass factcheck. Texts it quotes (replies, examples) are
 * taken from the report as they are: the report's texts are redacted when
 * it is built.
 *
 * All functions append to out and return 0, or -1 when out of memory.
 */
#ifndef AID_NARRATOR_H
#define AID_NARRATOR_H

#include "common/err.h"

#include <stdbool.h>

#include <json-c/json.h>

#include "common/strbuf.h"

/* Fewer suggestions than this: too little data to judge; the narrative
 * is short and the LLM is not asked. */
#define NARRATOR_MIN_SUGGESTIONS 30
bool narrator_too_little(const struct json_object *report);

/* Five paragraphs separated by "\n\n": what changed (the rates by
 * evidence) and volume; what worked; what was rejected and why;
 * confidence and calibration; trends and what to watch. Direction words
 * follow the verdicts. One short paragraph when narrator_too_little. */
AID_MUST_CHECK int narrator_summary(const struct json_object *report, strbuf *out);

/* The self-summary of training deltas: what the week's prompt updates
 * changed, which messages changed most, and why the change was needed. */
AID_MUST_CHECK int narrator_self_summary(const struct json_object *report, strbuf *out);

/* Three coach notes for human agents (notes[0..2], each appended to):
 * first the habits the evidence backs (coach.tips[] with qualifies), each
 * with its evidence (the two shares with their intervals and n, the test,
 * or the edit counts); then, when fewer than 3 qualify, notes that say
 * the evidence on the next habits is weak and what would settle it
 * (coach.tips[].more_replies). None of those is written as a finding. */
AID_MUST_CHECK int narrator_coach_notes(const struct json_object *report, strbuf notes[3]);

#endif
