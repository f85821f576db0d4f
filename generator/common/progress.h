/*
 * progress.h - the one-line progress display of a run on a terminal.
 *
 * One handle per run, shared by the stages: the pipeline starts each stage
 * (progress_stage), the read stage reports the bytes and lines it has read
 * (progress_add, from any thread: atomics only), and the line is redrawn
 * at the stage's first counts and then at most PROGRESS_REDRAW_MS apart,
 * in place ("\r", erase to the end of the line, the text, and "\r": the
 * cursor stays at the start of the line, so that a message a module prints
 * without clearing first is not glued to it), on the stream given to
 * progress_new. progress_clear
 * erases it (before any other message is printed, and at the end).
 *
 * Whether to show it at all (stderr a terminal, no --quiet) is the
 * caller's decision: without a handle (NULL) every function does nothing,
 * so a stage calls them unconditionally.
 *
 *   progress *p = NULL;
 *   if (isatty(2) && (err = progress_new(&p, stderr, eb))) return err;
 *   progress_stage(p, "read", total_bytes);
 *   progress_add(p, batch_bytes, batch_lines);
 *   progress_stage(p, "compute", 0);
 *   progress_free(p);                  (clears the line)
 */
#ifndef AID_PROGRESS_H
#define AID_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

#define PROGRESS_REDRAW_MS 250

typedef struct progress progress;

/* A display on fp (a terminal). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err progress_new(progress **out, FILE *fp, aid_errbuf *eb);
/* Clear the line and free the handle (NULL: nothing). */
void progress_free(progress *p);

/* A new stage named name ("read", "compute", ...): the counts start at
 * zero; total_bytes is what the stage will have done at its end (0 when
 * unknown: no ETA). Drawn at once. Call from one thread at a time. */
void progress_stage(progress *p, const char *name, uint64_t total_bytes);
/* bytes and lines more done; redraws when the last draw is
 * PROGRESS_REDRAW_MS old. Thread-safe; cheap when no redraw is due. */
void progress_add(progress *p, uint64_t bytes, uint64_t lines);
/* Erase the line (until the next draw). */
void progress_clear(progress *p);

/* The text of a progress line, for tests and for the display itself:
 * "read: 12.3 of 45.6 MB, 179,147 lines, 8.1 MB/s, ETA 4 s" (the rate and
 * ETA only once some time has passed; no "of" without a total). */
void progress_format(char *buf, size_t n, const char *stage, uint64_t done_bytes, uint64_t total_bytes,
                     uint64_t lines, int64_t elapsed_ms);

#endif
