/*
 * finetune.h - `aidigest retrain --submit`: hand the week's fine-tuning set
 * (OUT/training/finetune-<week>.jsonl, written by retrain_run) to OpenAI
 * and start a fine-tuning job (docs/retrain.md, "Submitting a fine-tuning
 * job").
 *
 *   finetune_submission sub;
 *   if (finetune_submit(cfg, path, "2026-W47", "out", &sub, &eb) == AID_OK)
 *       printf("%s %s\n", sub.file_id, sub.job_id);
 *   finetune_submission_release(&sub);
 *
 * The set is checked first (nothing is sent when it is unusable), then
 * uploaded (llm_upload_file, purpose "fine-tune"), and so is the held-out
 * validation file valid_path (finetune-<week>-validation.jsonl) when it has
 * lines (checked the same way, without the minimum), then the job is created
 * with it as validation_file
 * (llm_create_finetune_job, model cfg->finetune_model, suffix
 * "aidigest-<week>"), then the submission is appended to
 * OUT/training/submissions.jsonl. Nothing is printed.
 */
#ifndef AID_FINETUNE_H
#define AID_FINETUNE_H

#include <stdint.h>

#include "common/config.h"
#include "common/err.h"

/* OpenAI rejects a training file with fewer examples. */
#define FINETUNE_MIN_EXAMPLES 10

/* What was submitted; every string malloc'd and owned by the struct. */
typedef struct finetune_submission {
    char *file_id;     /* "file-..." */
    char *validation_file_id; /* the held-out set's, NULL when it was empty */
    char *job_id;      /* "ftjob-..." */
    char *status;      /* the job's status as the server said it */
    int64_t examples;  /* lines in the set */
    int64_t validation_examples; /* lines in the validation file */
} finetune_submission;

/* Check a fine-tuning set: it exists, is not empty, every line is a JSON
 * object whose "messages" is a non-empty array of objects with a string
 * "role", and it has at least FINETUNE_MIN_EXAMPLES lines. *examples (may
 * be NULL) gets the count of lines. Errors: AID_ERR_NOTFOUND,
 * AID_ERR_IO, AID_ERR_PARSE (names the line), AID_ERR_LIMIT (too few). */
AID_MUST_CHECK aid_err finetune_check(const char *path, int64_t *examples, aid_errbuf *eb);

/* Check, upload, create the job, record it. sub (may be NULL) is filled on
 * AID_OK and zeroed otherwise. Errors: those of finetune_check;
 * AID_ERR_CONFIG without OPENAI_API_KEY (nothing is sent); those of
 * llm_upload_file / llm_create_finetune_job (AID_ERR_NETWORK,
 * AID_ERR_HTTP, AID_ERR_AUTH); AID_ERR_IO when the log cannot be written.
 * The messages are one line and never hold the key. */
AID_MUST_CHECK aid_err finetune_submit(const aid_config *cfg, const char *path, const char *valid_path,
                        const char *week, const char *out_dir, finetune_submission *sub, aid_errbuf *eb);

/* Free the strings and zero sub; NULL and zeroed structs are fine. */
void finetune_submission_release(finetune_submission *sub);

#endif
