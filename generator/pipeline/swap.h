/*
 * swap.h - put retrain's staged files in place together (pipeline's own
 * module; docs/retrain.md, "All or nothing").
 *
 * retrain_run writes every file it changes into a stage directory
 * (OUT/.stage.tmp.<pid>/prompts/, .../training/); swap_in moves them into
 * OUT/prompts/ and OUT/training/, prompts first. Each file it replaces is
 * first linked into the stage (STAGE/.old/...), so when a move fails the
 * ones already made are undone: the new files are removed or the old ones
 * put back, and OUT is as it was. Each move is a rename(2), atomic per
 * file.
 *
 * Fault hook (tests): AIDIGEST_RETRAIN_FAULT=after-prompts fails the swap
 * after the prompt files were moved and before the training files
 * (deltas.jsonl, the fine-tuning set), as a crash or a full disk there
 * would; the rollback must then leave the previous prompts and deltas.
 */
#ifndef AID_SWAP_H
#define AID_SWAP_H

#include "common/err.h"

/* Move STAGE/prompts/ and STAGE/training/ files into OUT. */
AID_MUST_CHECK aid_err swap_in(const char *stage, const char *out, aid_errbuf *eb);

#endif
