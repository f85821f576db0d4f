/*
 * retrain.h - `aidigest retrain`: learn from the week what the assistant's
 * prompts should show it (docs/retrain.md).
 *
 * From the week's logs it
 *   - updates each prompt's examples in OUT/prompts/<prompt_id>.json:
 *     adds replies agents accepted again and again and replies QA corrected,
 *     removes examples agents rejected this week; never an example a reply
 *     rejected credibly above the week's rate (figures_rejected_credibly);
 *     wordings merged (case, white space, emoji, near-duplicates) before
 *     the slots are filled; a prompt whose examples change gets the next
 *     version, the others are not written;
 *   - appends one prompt_update event per changed prompt to
 *     OUT/training/deltas.jsonl (the input format's own event, so next
 *     week's digest reads and explains it);
 *   - writes the fine-tuning set OUT/training/finetune-<week>.jsonl and its
 *     held-out finetune-<week>-validation.jsonl (retrain/ftset.h): one
 *     {"messages": [system, user, assistant]} per accepted, edited or
 *     corrected reply of the week, once each, personal data masked.
 *
 * Every file goes to o->stage_dir when set (the pipeline swaps them in
 * together); with o->dry_run nothing is written. Either way the result's
 * plan says, per prompt, what is (or would be) added, removed or kept out,
 * and why: `retrain --dry-run` prints it (retrain_plan_text), the digest
 * shows it.
 *
 * The logs are read twice by the read stage's reader (read_events in
 * read/read.h, the digest's rules for blank and bad lines): first the
 * suggestion ids, corrections and prompt updates, then the week's
 * suggestions, each at its id's last occurrence. Given what the digest's
 * ingest already read (retrain_opts.ingested), the first read is not
 * needed and the second reads only the week's suggestions again.
 */
#ifndef AID_RETRAIN_H
#define AID_RETRAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/config.h"
#include "common/err.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "compute/compute.h"
#include "read/read.h"
#include "retrain/finetune.h"

#define RETRAIN_MAX_EXAMPLES 8
#define RETRAIN_MIN_USES 3
#define RETRAIN_MIN_ACCEPTANCE 0.5
#define RETRAIN_MIN_REJECTIONS 3
#define RETRAIN_MIN_REJECTION_RATE 0.5
#define RETRAIN_MAX_CORRECTED 3

typedef struct retrain_opts {
    const char *const *paths;  /* log files or directories */
    size_t npaths;
    const char *week;          /* "2026-W47" */
    const char *out_dir;
    const aid_config *cfg;
    int64_t now_ms;            /* the time of the deltas */
    const redact_rules *redact; /* masks personal data; NULL = none */
    const char *stage_dir;     /* where the new files go (prompts/, training/);
                                  NULL = out_dir. The pipeline stages them and
                                  swaps them in together. */
    bool dry_run;              /* plan only: nothing is written */
    bool plan_only;            /* with dry_run: no fine-tuning pairs either (the
                                  digest's preview: memory stays bounded) */
    const ingest_result *ingested; /* NULL, or the same logs (paths) as ingest read
                                  them for this week, with week_positions: its
                                  files, corrections and prompt updates (those of
                                  the deltas file left out) are used, and only the
                                  week's suggestions are read again (the digest's
                                  preview; paths are then not looked at) */
} retrain_opts;

typedef struct retrain_result {
    int prompts;               /* prompts seen in the week */
    int prompts_updated;
    int64_t pairs;             /* fine-tuning examples written (training file) */
    int64_t validation_pairs;  /* held out (the validation file) */
    struct json_object *plan;  /* per prompt in name order: {prompt_id, changed,
                                  from_version, to_version, added, removed,
                                  not_added}, each list of {reply, source, reason};
                                  owned, retrain_result_release frees it */
    int64_t bad_lines;         /* lines skipped as bad (`aidigest check` lists them) */
    int64_t unreadable_files;  /* files that could not be read to the end */
} retrain_result;

AID_MUST_CHECK aid_err retrain_run(const retrain_opts *o, retrain_result *res, aid_errbuf *eb);
void retrain_result_release(retrain_result *res);

/* The plan as `retrain --dry-run` prints it (docs/retrain.md), appended to
 * out. 0, or -1 when out of memory. */
AID_MUST_CHECK int retrain_plan_text(struct json_object *plan, strbuf *out);

/* One line per changed prompt of the plan, "aidigest: retrain: ID FROM ->
 * TO: +N -M examples" (FROM "(new)" for a new prompt; ids and versions
 * escaped), appended to out: what `retrain` says once its files are in
 * place. 0, or -1 when out of memory. */
AID_MUST_CHECK int retrain_plan_summary(struct json_object *plan, strbuf *out);

/* The file name a prompt id is stored under (unsafe bytes -> '_'). */
AID_MUST_CHECK int retrain_prompt_filename(const char *prompt_id, strbuf *out);

#endif
