/*
 * ingest.h - the read stage: every log line read, validated and folded
 * into the aggregates, on all cores, in bounded memory.
 *
 * Pass 1: the calling thread reads the files (decompressing gzip) and
 * hands batches of lines to `jobs` worker threads; each worker parses with
 * its own json-c tokener into its own aggregates and suggestion-id index;
 * at the end they are merged. Bad lines are quarantined in input order.
 *
 * Every line is classified by the reader (read/read.h): an event, a blank
 * line or a bad line.
 *
 * Pass 2 (only when needed): the lines that must be looked at again are
 * read once more by the reader (read_opts.only), without parsing anything
 * else: occurrences of a
 * suggestion id that lost to a later one (their contribution is taken
 * back) and the suggestions that the week's corrections refer to (to tell
 * which corrections vindicate the AI).
 *
 * The result is the same for any number of jobs.
 */
#ifndef AID_INGEST_H
#define AID_INGEST_H

#include <json-c/json.h>
#include <stdio.h>

#include "read/agg.h"
#include "read/event.h"
#include "common/err.h"
#include "common/progress.h"
#include "common/redact.h"
#include "read/idindex.h"
#include "read/logread.h"

#define INGEST_DEFAULT_MAX_LINE (1024 * 1024) /* READ_DEFAULT_MAX_LINE */
#define INGEST_DEFAULT_DIAG_CAP 20
#define INGEST_EXCERPT_MAX 500 /* bytes of a bad line's excerpt in the published quarantine */

typedef struct ingest_opts {
    const char *const *paths;   /* files or directories */
    size_t npaths;
    const char *deltas_path;    /* a file of prompt_update events (the archive's
                                   training/deltas.jsonl), read after the paths,
                                   like them, when it exists (a missing file is no
                                   error); it counts in the figures as one more
                                   input file; NULL = none */
    int jobs;                   /* worker threads (>= 1) */
    size_t max_line;            /* 0 = INGEST_DEFAULT_MAX_LINE */
    int64_t week_start_ms;
    const char *rejected_path;  /* the published quarantine: for each bad line,
                                   in input order, {file, line, reason, detail,
                                   excerpt, [truncated, length]}, detail and
                                   excerpt masked by redact, the excerpt at most
                                   INGEST_EXCERPT_MAX bytes (cut on a UTF-8
                                   boundary); written atomically, only when
                                   there are some; an old file is removed when
                                   there are none; NULL = nowhere. Until
                                   then each worker keeps them in a scratch file
                                   in $TMPDIR (or /tmp); a failed write there is
                                   AID_ERR_IO naming that file */
    const char *raw_rejected_path; /* the raw quarantine: the bad lines as read,
                                   customer text and all, written like
                                   rejected_path; for local use only (never
                                   published); NULL = nowhere */
    const redact_rules *redact; /* the run's redaction rules, read-only and
                                   shared by the workers: they mask the excerpt
                                   and detail of the published quarantine
                                   (rejected_path), and the terms are counted
                                   from the customer messages they redact
                                   (masked spans left out); NULL: no excerpt,
                                   terms from the raw text */
    bool own_week_only;         /* only the bad lines of the week (week_start_ms)
                                   are counted, quarantined and shown: a bad
                                   line whose "ts" can be read (a textual look,
                                   so a line that is not JSON has one too)
                                   belongs to that time's week; one without
                                   belongs to its file's week (the week most of
                                   the file's readable times fall in, the
                                   earliest of a tie), or, in a file without
                                   any, to this week. Each bad line is then reported by
                                   the run of one week only. false: every bad
                                   line (aidigest check) */
    FILE *diag;                 /* one line per bad line, up to diag_cap; NULL = silent */
    int diag_cap;               /* 0 = INGEST_DEFAULT_DIAG_CAP */
    bool week_positions;        /* keep res->week_positions (the digest's retraining
                                   preview reads just those lines again) */
    progress *progress;         /* the run's progress display: the bytes
                                   (on disk) and lines read, against the
                                   files' total size; NULL = none */
} ingest_opts;

typedef struct ingest_result {
    agg *agg;                         /* everything, merged */
    logread_files files;
    struct json_object *file_errors;  /* [{file, error}] files that could not be read whole */
    int64_t vindicated;
    struct json_object *vindicated_examples; /* [{suggestion_id, ai_reply, sent_reply, corrected_reply, reason}] first 5 */
    int64_t corrected_suggestions;    /* distinct suggestions the week's corrections refer to */
    int64_t *suggestion_weeks;        /* the Monday 00:00 UTC (ms) of every week that has a
                                         suggestion in the logs, ascending */
    size_t nsuggestion_weeks;
    int64_t other_week_bad_lines;     /* with own_week_only: bad lines left to other weeks */
    size_t nlog_files;                /* files.n without the deltas file (which comes last) */
    uint64_t *week_positions;         /* with ingest_opts.week_positions: the position
                                         (IDINDEX_POS) of every suggestion of the week at
                                         its id's last occurrence, in the logs (not the
                                         deltas file), ascending; NULL otherwise */
    size_t nweek_positions;
} ingest_result;

/* Run both passes. On success res owns everything; release it with
 * ingest_result_release. A file that cannot be read whole is not an
 * error here: it is listed in res->file_errors (and on diag). */
AID_MUST_CHECK aid_err ingest_run(const ingest_opts *o, ingest_result *res, aid_errbuf *eb);
void ingest_result_release(ingest_result *res);

/* The time of a bad line, when one can be read in its text: the value of
 * its first "ts" key (not inside a string) as RFC 3339. */
bool ingest_bad_line_time(const char *text, size_t len, int64_t *ms);

/* How many correction-pairs are "vindicated" (docs/figures.md): word-set
 * Jaccard thresholds. */
#define INGEST_VINDICATED_SIMILAR 0.6

#endif
