/*
 * pipeline.h - the stages of the weekly job, in order:
 *
 *     read -> compute -> narrate -> render -> publish
 *
 * main() parses the command line into a pipeline_opts and calls one of the
 * pipeline_* entry points; each returns an aid_err that main() maps to the
 * exit code. The report that flows between the stages is a json-c object
 * with the names of report.json (docs/figures.md).
 */
#ifndef AID_PIPELINE_H
#define AID_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "common/err.h"
#include "common/progress.h"

/* The most weeks one run --weeks builds (ten years). */
#define PIPELINE_MAX_WEEKS 530

typedef struct pipeline_opts {
    const char *week;          /* "2026-W47"; NULL = last complete ISO week */
    const char *week_last;     /* run --weeks: the last week of the range (week its
                                  first, weeks_first holding it); NULL = one week */
    char weeks_first[16];
    const char **logs;         /* files or directories; none = "inputs" */
    size_t nlogs;
    const char *out;           /* default "out" */
    bool offline;              /* built-in narrator even with an API key */
    bool publish;              /* commit (and push) the archive (run: "digest: <week>",
                                  retrain: "retrain: <week>") */
    bool mail;                 /* e-mail the PDF */
    const char *db_url;        /* run: upsert the week's row there (publish/db.h); NULL = none */
    bool strict;               /* a bad line fails the run (exit 1) */
    bool allow_damaged;        /* run: replace the week despite input files that cannot be read */
    bool allow_empty;          /* run: write a week that has no suggestion in the logs */
    bool quiet;                /* only errors on stderr: no progress, no bad lines, no summary */
    bool replace;              /* run: replace a published week with one under half its suggestions */
    bool fail_on_alert;        /* run: AID_ERR_ALERT (exit 4) when the week has alerts, after
                                  writing, publishing and mailing everything */
    bool submit;               /* retrain: upload the fine-tuning set */
    bool request;              /* retrain: only tag HEAD retrain/<week> and push */
    bool dry_run;              /* retrain: print what would change, write nothing */
    int jobs;                  /* worker threads; 0 = number of cores */
    const char *only;          /* render: comma list of render_docs[] names; NULL = all */
    aid_config cfg;            /* loaded by main() */
    progress *progress;        /* the pipeline's own: the run's progress display (a
                                  terminal, no --quiet), NULL otherwise */
} pipeline_opts;

/* aidigest run: the weekly job. A week without a suggestion in the logs
 * is refused (AID_ERR_BADINPUT, the message naming the weeks the logs
 * hold, nothing written) unless allow_empty. With week_last, every week
 * from week to week_last, oldest first, each computed against the weeks
 * written before it (as many runs one after the other would); the first
 * week that fails stops the range (the weeks before it stay written).
 * With fail_on_alert, a week (of the range: any week) with alerts
 * (report.json alerts[]) ends in AID_ERR_ALERT once it is written,
 * published, mailed and stored, and only when nothing else failed. */
AID_MUST_CHECK aid_err pipeline_run(pipeline_opts *o, aid_errbuf *eb);

/* aidigest check: validate logs, print the data-quality summary. Returns
 * AID_ERR_BADINPUT when any line is bad. */
AID_MUST_CHECK aid_err pipeline_check(pipeline_opts *o, aid_errbuf *eb);

/* aidigest render: render the documents of an already computed week again
 * from OUT/<week>/report.json (after a template change, say). A week never
 * run is AID_ERR_NOTFOUND: "week W has not been run (no OUT/W/report.json)";
 * so is it for mail. */
AID_MUST_CHECK aid_err pipeline_render(pipeline_opts *o, aid_errbuf *eb);

/* aidigest mail: e-mail an already rendered week. */
AID_MUST_CHECK aid_err pipeline_mail(pipeline_opts *o, aid_errbuf *eb);

/* aidigest retrain. */
AID_MUST_CHECK aid_err pipeline_retrain(pipeline_opts *o, aid_errbuf *eb);

#endif
