#include "pipeline/pipeline.h"
#include "common/escape.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "publish/publish.h"
#include "compute/compute.h"
#include "retrain/retrain.h"
#include "pipeline/swap.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "render/render.h"
#include "read/read.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "narrate/narrate.h"
#include "common/redact.h"
#include "common/numfmt.h"
#include "common/progress.h"

/* An informative line on stderr (not an error): none with --quiet; the
 * progress line is erased first. Escaped (esc_fprintf). */
static void pipeline_say(const pipeline_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pipeline_say(const pipeline_opts *o, const char *fmt, ...)
{
    if (o->quiet)
        return;
    progress_clear(o->progress);
    va_list ap;
    va_start(ap, fmt);
    esc_vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* The progress display of a command that reads the logs: on a terminal,
 * without --quiet. A failure to make one is no reason to stop: no display. */
static void pipeline_progress_start(pipeline_opts *o)
{
    o->progress = NULL;
    if (!o->quiet && isatty(STDERR_FILENO) && progress_new(&o->progress, stderr, NULL) != AID_OK)
        o->progress = NULL;
}

static void pipeline_progress_end(pipeline_opts *o)
{
    progress_free(o->progress);
    o->progress = NULL;
}

/* The week to work on: --week, or the last complete one. */
static void pipeline_week(const pipeline_opts *o, char *buf, size_t n)
{
    timeutil_week w;
    if (o->week && timeutil_parse_week(o->week, &w)) {
        timeutil_format_week(w, buf, n);
        return;
    }
    timeutil_format_week(timeutil_last_complete_week(timeutil_now_ms()), buf, n);
}

static const char *pipeline_out(const pipeline_opts *o)
{
    return o->out ? o->out : "out";
}

/* Load OUT/<week>/report.json. A week never run (no report.json) is
 * AID_ERR_NOTFOUND, said in those words. */
static aid_err pipeline_load_report(const pipeline_opts *o, const char *week,
                                    struct json_object **report, aid_errbuf *eb)
{
    strbuf path = STRBUF_INIT;
    char *data = NULL;
    size_t len = 0;
    aid_err err;
    if (strbuf_addf(&path, "%s/%s/report.json", pipeline_out(o), week) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!fsutil_exists(path.buf)) {
        err = aid_errbuf_set(eb, AID_ERR_NOTFOUND, "week %s has not been run (no %s)", week, path.buf);
        goto cleanup;
    }
    if ((err = fsutil_read_file(path.buf, &data, &len, eb)))
        goto cleanup;
    if (jget_parse(data, report) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path.buf);
        goto cleanup;
    }
    if (!*report || !json_object_is_type(*report, json_type_object)) {
        json_object_put(*report);
        *report = NULL;
        err = aid_errbuf_set(eb, AID_ERR_PARSE, "%s: not a report.json", path.buf);
    }
cleanup:
    free(data);
    strbuf_release(&path);
    return err;
}

/* Keep the first error of a stage that goes on after failures; report
 * each on stderr. */
static void pipeline_note_error(progress *o_progress, aid_err err, const aid_errbuf *one, aid_err *first,
                                aid_errbuf *eb)
{
    if (!err)
        return;
    if (!*first) {
        *first = err;
        if (eb)
            *eb = *one;
    } else {
        progress_clear(o_progress);
        esc_fprintf(stderr, "aidigest: %s\n", aid_errbuf_msg(one, err));
    }
}

/* The render stage: the week's documents from its report (render_docs[],
 * those --only names), into root/<week>/. Every document is attempted; the
 * first failure is returned. */
static aid_err pipeline_render_docs(pipeline_opts *o, const char *root, const char *week,
                                    struct json_object *report, aid_errbuf *eb)
{
    aid_err first = AID_OK, err;
    strbuf path = STRBUF_INIT;
    for (size_t i = 0; i < render_ndocs; i++) {
        aid_errbuf one = { { 0 } };
        if (!render_only_wants(o->only, &render_docs[i]))
            continue;
        strbuf_reset(&path);
        if (strbuf_addf(&path, "%s/%s/%s", root, week, render_docs[i].file) < 0)
            err = aid_errbuf_set(&one, AID_ERR_NOMEM, "out of memory");
        else
            err = render_docs[i].write(report, path.buf, &o->cfg, &one);
        pipeline_note_error(o->progress, err, &one, &first, eb);
    }
    strbuf_release(&path);
    return first;
}

/* What spans the weeks (OUT/index.html), over every week in OUT, for the
 * documents --only names. The first failure is returned. */
static aid_err pipeline_render_index(pipeline_opts *o, aid_errbuf *eb)
{
    aid_err first = AID_OK;
    for (size_t i = 0; i < render_ndocs; i++) {
        aid_errbuf one = { { 0 } };
        if (!render_docs[i].index || !render_only_wants(o->only, &render_docs[i]))
            continue;
        pipeline_note_error(o->progress, render_docs[i].index(pipeline_out(o), &o->cfg, &one), &one, &first, eb);
    }
    return first;
}

aid_err pipeline_render(pipeline_opts *o, aid_errbuf *eb)
{
    char week[16];
    pipeline_week(o, week, sizeof week);
    struct json_object *report = NULL;
    aid_err err = pipeline_load_report(o, week, &report, eb);
    if (err)
        return err;
    aid_errbuf one = { { 0 } };
    err = pipeline_render_docs(o, pipeline_out(o), week, report, eb);
    pipeline_note_error(o->progress, pipeline_render_index(o, &one), &one, &err, eb);
    json_object_put(report);
    return err;
}

static int pipeline_jobs(const pipeline_opts *o)
{
    if (o->jobs > 0)
        return o->jobs;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > 64 ? 64 : n) : 1;
}

/* Read the logs for the week (both passes). own: run's read: only the
 * week's own bad lines (ingest_opts.own_week_only), and the week's
 * suggestion positions kept for the retraining preview
 * (ingest_opts.week_positions, run_retrain_preview). rejected: where bad lines go.
 * deltas: the retraining deltas kept in the archive (ingest_opts.deltas_path:
 * read after the logs when the file exists), or NULL. rules: the terms are
 * counted from the customer messages redacted by these (NULL: raw). */
static aid_err pipeline_ingest(pipeline_opts *o, const char *week, bool own, const char *rejected,
                               const char *raw_rejected, const redact_rules *rules,
                               const char *deltas, ingest_result *res, aid_errbuf *eb)
{
    static const char *const default_logs[] = { "inputs" };
    timeutil_week w;
    timeutil_parse_week(week, &w);
    ingest_opts io = {
        .paths = o->nlogs ? o->logs : default_logs,
        .npaths = o->nlogs ? o->nlogs : 1,
        .deltas_path = deltas,
        .jobs = pipeline_jobs(o),
        .week_start_ms = timeutil_week_start(w),
        .rejected_path = rejected,
        .raw_rejected_path = raw_rejected,
        .redact = rules,
        .own_week_only = own,
        .week_positions = own,
        .diag = o->quiet ? NULL : stderr,
        .progress = o->progress,
    };
    return ingest_run(&io, res, eb);
}

/* The summary of aidigest check, the counts with thousands separators. */
static void pipeline_dq_summary(FILE *fp, const char *week, const ingest_result *res)
{
    const agg_dq *dq = &res->agg->dq;
    char b[32];
#define N(v) numfmt_group(b, sizeof b, (int64_t)(v))
    fprintf(fp, "files: %s\n", N(res->files.n));
    fprintf(fp, "lines: %s\n", N(dq->lines));
    fprintf(fp, "events: %s\n", N(dq->events));
    fprintf(fp, "bad lines: %s\n", N(dq->bad_lines));
    for (int i = 0; i < EVENT_BAD__COUNT; i++)
        if (dq->bad_by_reason[i])
            fprintf(fp, "  %s: %s\n", event_bad_name((event_bad)i), N(dq->bad_by_reason[i]));
    fprintf(fp, "blank lines: %s\n", N(dq->blank_lines));
    fprintf(fp, "duplicates: %s\n", N(dq->duplicates));
    fprintf(fp, "suggestions in %s: %s\n", week, N(res->agg->cur.suggestions));
    fprintf(fp, "out of week: %s\n", N(dq->out_of_week));
    fprintf(fp, "unknown types: %s\n", N(dq->unknown_types));
    fprintf(fp, "orphan corrections: %s\n", N(dq->orphan_corrections));
    fprintf(fp, "unreadable files: %s\n", N(json_object_array_length(res->file_errors)));
#undef N
}

aid_err pipeline_check(pipeline_opts *o, aid_errbuf *eb)
{
    char week[16];
    pipeline_week(o, week, sizeof week);
    ingest_result res;
    pipeline_progress_start(o);
    aid_err err = pipeline_ingest(o, week, false, NULL, NULL, NULL, NULL, &res, eb);
    pipeline_progress_end(o);
    if (err)
        return err;
    pipeline_dq_summary(stdout, week, &res);
    bool bad = res.agg->dq.bad_lines > 0 || json_object_array_length(res.file_errors) > 0;
    ingest_result_release(&res);
    return bad ? AID_ERR_BADINPUT : AID_OK;
}


/* One run of the weekly job. The week is built in a staging directory,
 * OUT/.stage.tmp.<pid>/<week>/, and put in the place of OUT/<week>/ only when
 * every file of it is written: a run that fails leaves the week as it was
 * (its bad lines excepted: they are kept in OUT/<week>/rejected.jsonl). */
typedef struct run {
    pipeline_opts *o;
    char week[16];
    const char *out;
    strbuf stage;      /* OUT/.stage.tmp.<pid> */
    strbuf sweek;      /* OUT/.stage.tmp.<pid>/<week> */
    redact_rules *rules;
    ingest_result res;
    bool have_res;
    history hist;
    bool have_hist;
    struct json_object *report;
    bool refused;      /* run_decide said no: nothing goes into OUT */
    size_t alerts;     /* the week's alerts, once everything is written */
} run;

static aid_err run_path(strbuf *sb, aid_errbuf *eb, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static aid_err run_path(strbuf *sb, aid_errbuf *eb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_reset(sb);
    int rc = strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
    return rc < 0 ? aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory") : AID_OK;
}

/* read: the logs (and the archive's retraining deltas) into aggregates;
 * bad lines into the staged rejected.jsonl (redacted: it is published) and,
 * as read, into OUT/.raw/<week>/rejected.jsonl (local: never archived nor
 * deployed; an empty .raw/<week>/ is removed again) */
static aid_err run_read(run *r, aid_errbuf *eb)
{
    strbuf rejected = STRBUF_INIT, deltas = STRBUF_INIT, rawdir = STRBUF_INIT, raw = STRBUF_INIT;
    aid_err err;
    if ((err = run_path(&rejected, eb, "%s/rejected.jsonl", r->sweek.buf)) ||
        (err = run_path(&deltas, eb, "%s/training/deltas.jsonl", r->out)) ||
        (err = run_path(&rawdir, eb, "%s/.raw/%s", r->out, r->week)) ||
        (err = run_path(&raw, eb, "%s/rejected.jsonl", rawdir.buf)) ||
        (err = fsutil_mkdirs(rawdir.buf, eb)))
        goto cleanup;
    err = pipeline_ingest(r->o, r->week, true, rejected.buf, raw.buf, r->rules, deltas.buf, &r->res, eb);
    if (rmdir(rawdir.buf) == 0) { /* empty: no bad lines */
        strbuf_setlen(&rawdir, rawdir.len - strlen(r->week) - 1);
        (void)rmdir(rawdir.buf);
    }
    if (err)
        goto cleanup;
    r->have_res = true;
    int64_t bad = r->res.agg->dq.bad_lines;
    size_t unreadable = json_object_array_length(r->res.file_errors);
    /* "2 bad lines, 1 unreadable file; quarantined in OUT/.raw/WEEK/rejected.jsonl":
     * the quarantine is named only when there are bad lines in it; the raw
     * one is named, since it is kept whatever becomes of the run. */
    char nb[32], nu[32];
    numfmt_group(nb, sizeof nb, bad);
    numfmt_group(nu, sizeof nu, (int64_t)unreadable);
    if (bad)
        pipeline_say(r->o, "aidigest: %s bad line%s, %s unreadable file%s; quarantined in %s/.raw/%s/rejected.jsonl\n",
                     nb, bad == 1 ? "" : "s", nu, unreadable == 1 ? "" : "s", r->out, r->week);
    else if (unreadable)
        pipeline_say(r->o, "aidigest: 0 bad lines, %s unreadable file%s\n", nu, unreadable == 1 ? "" : "s");
    if (r->o->strict && (bad || unreadable))
        err = aid_errbuf_set(eb, AID_ERR_BADINPUT, "--strict: stopping: the logs have bad lines");
cleanup:
    strbuf_release(&rejected);
    strbuf_release(&deltas);
    strbuf_release(&rawdir);
    strbuf_release(&raw);
    return err;
}

/* The suggestions of the published OUT/<week>/report.json, or -1 when
 * there is none (or it cannot be read: the run will replace it). */
static int64_t run_published_suggestions(const run *r)
{
    struct json_object *old = NULL;
    if (pipeline_load_report(r->o, r->week, &old, NULL) != AID_OK)
        return -1;
    struct json_object *t, *n;
    int64_t v = -1;
    if (json_object_object_get_ex(old, "totals", &t) && json_object_object_get_ex(t, "suggestions", &n) &&
        json_object_is_type(n, json_type_int))
        v = json_object_get_int64(n);
    json_object_put(old);
    return v;
}

/* The weeks the logs hold suggestions in, for a message: "2026-W44 to
 * 2026-W47, 2026-W50" (runs of consecutive weeks; after 6 runs ", ..."),
 * or "no week at all". -1 when out of memory. */
static int run_weeks_text(const ingest_result *res, strbuf *sb)
{
    if (!res->nsuggestion_weeks)
        return strbuf_adds(sb, "no week at all");
    int runs = 0;
    for (size_t i = 0; i < res->nsuggestion_weeks;) {
        size_t j = i;
        while (j + 1 < res->nsuggestion_weeks &&
               res->suggestion_weeks[j + 1] - res->suggestion_weeks[j] == TIMEUTIL_WEEK_MS)
            j++;
        if (runs == 6)
            return strbuf_adds(sb, ", ...");
        char a[16], b[16];
        timeutil_format_week(timeutil_week_of(res->suggestion_weeks[i]), a, sizeof a);
        timeutil_format_week(timeutil_week_of(res->suggestion_weeks[j]), b, sizeof b);
        if (strbuf_addf(sb, "%s%s", runs ? ", " : "", a) < 0 ||
            (j > i && strbuf_addf(sb, "%s%s", j == i + 1 ? ", " : " to ", b) < 0))
            return -1;
        runs++;
        i = j + 1;
    }
    return 0;
}

/* An empty week is refused unless --allow-empty: one line that names the
 * weeks the logs do hold. */
static aid_err run_refuse_empty(run *r, aid_errbuf *eb)
{
    strbuf weeks = STRBUF_INIT;
    if (run_weeks_text(&r->res, &weeks) < 0) {
        strbuf_release(&weeks);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    aid_err err = aid_errbuf_set(eb, AID_ERR_BADINPUT,
                                 "%s: no suggestion in the logs for that week (they hold %s); nothing written "
                                 "or published (--allow-empty to write an empty week)",
                                 r->week, weeks.buf);
    strbuf_release(&weeks);
    return err;
}

/* decide: whether what was read may replace the week. Input with file
 * errors is not a digest to publish (unless --allow-damaged), nor is one
 * without a suggestion for the week (unless --allow-empty); a week that has lost more than half
 * of its published suggestions needs --replace. A refusal is exit 1
 * before anything is written into OUT. */
static aid_err run_decide(run *r, aid_errbuf *eb)
{
    size_t nfe = json_object_array_length(r->res.file_errors);
    int64_t n = r->res.agg->cur.suggestions;
    aid_err err = AID_OK;
    if (nfe && !r->o->allow_damaged) {
        struct json_object *e0 = json_object_array_get_idx(r->res.file_errors, 0);
        struct json_object *f = NULL;
        json_object_object_get_ex(e0, "file", &f);
        err = aid_errbuf_set(eb, AID_ERR_BADINPUT,
                             "%s not replaced: %zu input file%s could not be read (%s%s); nothing written "
                             "or published (--allow-damaged to publish it anyway)",
                             r->week, nfe, nfe == 1 ? "" : "s", f ? json_object_get_string(f) : "?",
                             nfe > 1 ? ", ..." : "");
    } else if (n == 0 && !r->o->allow_empty) {
        err = run_refuse_empty(r, eb);
    } else if (!r->o->replace) {
        int64_t old = run_published_suggestions(r);
        char a[32], b[32];
        if (old > 0 && n * 2 < old)
            err = aid_errbuf_set(eb, AID_ERR_BADINPUT,
                                 "%s not replaced: %s suggestion%s against %s in the published %s/%s/; "
                                 "nothing written or published (--replace to replace it)",
                                 r->week, numfmt_group(a, sizeof a, n), n == 1 ? "" : "s",
                                 numfmt_group(b, sizeof b, old), r->out, r->week);
    }
    if (err)
        r->refused = true;
    return err;
}

/* The digest's "What retraining would change": retrain_run's plan for the
 * week (a dry run: the same code as `retrain --dry-run` and the Retrain
 * Now button), as report.retrain_preview. */
static aid_err run_retrain_preview(run *r, aid_errbuf *eb)
{
    static const char *const default_logs[] = { "inputs" };
    const pipeline_opts *o = r->o;
    retrain_opts ro = {
        .paths = o->nlogs ? o->logs : default_logs,
        .npaths = o->nlogs ? o->nlogs : 1,
        .week = r->week,
        .out_dir = r->out,
        .cfg = &o->cfg,
        .now_ms = timeutil_now_ms(),
        .redact = r->rules,
        .dry_run = true,
        .plan_only = true,
        .ingested = &r->res, /* the logs as ingest read them: only the week's suggestions again */
    };
    retrain_result res = { 0 };
    aid_err err = retrain_run(&ro, &res, eb);
    struct json_object *plan = res.plan;
    res.plan = NULL;
    retrain_result_release(&res);
    if (err)
        json_object_put(plan);
    else if (jget_set(r->report, "retrain_preview", plan) < 0) /* the report owns it now */
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    return err;
}

/* compute: every figure, against the archive's earlier weeks */
static aid_err run_compute(run *r, aid_errbuf *eb)
{
    aid_err err = history_load(&r->hist, r->out, r->week, r->o->quiet ? NULL : stderr, eb);
    if (err)
        return err;
    r->have_hist = true;
    progress_stage(r->o->progress, "compute", 0);
    figures_input fin = {
        .week = r->week,
        .ing = &r->res,
        .hist = &r->hist,
        .generated_ms = timeutil_now_ms(),
        .redact = r->rules,
        .currency = r->o->cfg.currency,
    };
    if ((err = figures_build(&fin, &r->report, eb)) || (err = run_retrain_preview(r, eb)))
        return err;
    return alerts_add(r->report, r->hist.prev_report, &r->o->cfg, eb);
}

/* narrate: the LLM with a key (and not --offline), else the built-in narrator */
static aid_err run_narrate(run *r, aid_errbuf *eb)
{
    progress_stage(r->o->progress, "narrate", 0);
    return narrate_report(r->report, &r->o->cfg, r->out, r->o->offline, eb);
}

/* write: terms.json and report.json, then the documents, all staged */
static aid_err run_write(run *r, aid_errbuf *eb)
{
    strbuf path = STRBUF_INIT;
    aid_err err;
    if ((err = run_path(&path, eb, "%s/terms.json", r->sweek.buf)) ||
        (err = history_write_terms(path.buf, r->week, r->res.agg->cur.messages, r->res.agg->terms,
                                     r->res.agg->words, eb)) ||
        (err = run_path(&path, eb, "%s/report.json", r->sweek.buf)) ||
        (err = report_write(r->report, path.buf, eb)))
        goto cleanup;
    progress_stage(r->o->progress, "render", 0);
    err = pipeline_render_docs(r->o, r->stage.buf, r->week, r->report, eb);
cleanup:
    strbuf_release(&path);
    return err;
}

/* commit: the staged week in place of OUT/<week>, then what spans weeks
 * (the weekly table, the archive index) */
static aid_err run_commit(run *r, aid_errbuf *eb)
{
    strbuf path = STRBUF_INIT;
    aid_err err;
    if ((err = run_path(&path, eb, "%s/%s", r->out, r->week)) ||
        (err = fsutil_replace_dir(r->sweek.buf, path.buf, eb)) ||
        (err = run_path(&path, eb, "%s/weekly_ai_reports.jsonl", r->out)) ||
        (err = report_update_table(r->report, path.buf, eb)))
        goto cleanup;
    int fixed = 0;
    if ((err = report_sync_table(r->out, path.buf, &fixed, eb)))
        goto cleanup;
    if (fixed)
        pipeline_say(r->o, "aidigest: %s/weekly_ai_reports.jsonl: put in %d week%s found on disk but "
                           "missing or different in the table\n",
                     r->out, fixed, fixed == 1 ? "" : "s");
    if ((err = pipeline_render_index(r->o, eb)))
        goto cleanup;
    char n[32];
    pipeline_say(r->o, "aidigest: %s: %s suggestion%s; wrote %s/%s/\n", r->week,
                 numfmt_group(n, sizeof n, r->res.agg->cur.suggestions),
                 r->res.agg->cur.suggestions == 1 ? "" : "s", r->out, r->week);
cleanup:
    strbuf_release(&path);
    return err;
}

/* The week's row in the database (--db), with the weeks of the JSON Lines
 * table it lacks; those are said on stderr. A failure says that the week's
 * files are written (the next run stores the row, since the table has
 * it). */
static aid_err run_store_db(run *r, aid_errbuf *eb)
{
    strbuf table = STRBUF_INIT;
    aid_errbuf one = { { 0 } };
    int added = 0;
    aid_err err = run_path(&table, eb, "%s/weekly_ai_reports.jsonl", r->out);
    if (err)
        return err;
    err = db_store_week(r->o->db_url, r->report, table.buf, &added, &one);
    if (err == AID_ERR_NOMEM)
        *eb = one;
    else if (err)
        (void)aid_errbuf_set(eb, err, "%s (%s/%s/ is written; the next run with --db stores its row)", one.msg,
                             r->out, r->week);
    else if (added)
        fprintf(stderr, "aidigest: database: stored %d earlier week%s of %s missing from it\n", added,
                added == 1 ? "" : "s", table.buf);
    strbuf_release(&table);
    return err;
}

/* publish: the archive first, then the mail, then the database row. A
 * failure of one is reported and ends the run with exit code 3, but does
 * not stop the others (an expired token must not stop the weekly mail, a
 * database that is down neither), and leaves the digest as it is. */
static aid_err run_publish(run *r, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    aid_errbuf one_db = { { 0 } };
    if (r->o->publish || r->o->mail || r->o->db_url)
        progress_stage(r->o->progress, "publish", 0);
    if (r->o->publish) {
        aid_errbuf one = { { 0 } };
        pipeline_note_error(r->o->progress, archive_publish(r->out, r->week, &r->o->cfg, &one), &one, &err, eb);
    }
    if (r->o->mail) {
        aid_errbuf one = { { 0 } };
        pipeline_note_error(r->o->progress, mail_send_week(r->out, r->week, r->report, &r->o->cfg, &one), &one, &err, eb);
    }
    if (r->o->db_url)
        pipeline_note_error(r->o->progress, run_store_db(r, &one_db), &one_db, &err, eb);
    return err;
}

/* A failed run keeps only the quarantine: OUT/<week>/rejected.jsonl. */
static void run_keep_rejected(run *r)
{
    strbuf from = STRBUF_INIT, to = STRBUF_INIT;
    if (run_path(&from, NULL, "%s/rejected.jsonl", r->sweek.buf) == AID_OK && fsutil_exists(from.buf) &&
        run_path(&to, NULL, "%s/%s", r->out, r->week) == AID_OK && fsutil_mkdirs(to.buf, NULL) == AID_OK &&
        strbuf_adds(&to, "/rejected.jsonl") == 0 && fsutil_commit_tmp(from.buf, to.buf, NULL) != AID_OK) {
        /* best effort: the run's own error is the one reported */
    }
    strbuf_release(&from);
    strbuf_release(&to);
}

/* A stage directory OUT/.stage.tmp.<pid> of another run is left over when
 * that run was killed: it is removed when no process <pid> exists
 * (kill(pid, 0) fails with ESRCH), or when it was last changed more than
 * STAGE_STALE_SECONDS ago (the pid was reused by another process; no run
 * lasts a day). A directory of a live run younger than that is kept. */
enum { STAGE_STALE_SECONDS = 24 * 3600 };

static bool run_stage_dead(const char *path, long pid)
{
    if (pid <= 0 || pid == (long)getpid())
        return false;
    if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        return true;
    struct stat st;
    return lstat(path, &st) == 0 && time(NULL) - st.st_mtime > STAGE_STALE_SECONDS;
}

/* Remove the stage directories of runs no longer alive; a failure is a
 * warning (the week is still built). AID_ERR_NOMEM or AID_OK. */
static aid_err run_sweep_stages(const pipeline_opts *o, const char *out, aid_errbuf *eb)
{
    static const char prefix[] = RENDER_STAGE_PREFIX;
    strbuf path = STRBUF_INIT;
    aid_err err = AID_OK;
    DIR *d = opendir(out);
    if (!d)
        return AID_OK; /* a first run: OUT is made later */
    for (struct dirent *de; (de = readdir(d));) {
        if (strncmp(de->d_name, prefix, sizeof prefix - 1))
            continue;
        char *end;
        errno = 0;
        long pid = strtol(de->d_name + sizeof prefix - 1, &end, 10);
        if (errno || *end || end == de->d_name + sizeof prefix - 1)
            continue;
        if ((err = run_path(&path, eb, "%s/%s", out, de->d_name)))
            break;
        if (!run_stage_dead(path.buf, pid))
            continue;
        aid_errbuf one = { { 0 } };
        if (fsutil_remove_tree(path.buf, &one) == AID_OK)
            pipeline_say(o, "aidigest: removed %s, left by run %ld (no longer running)\n", path.buf, pid);
        else
            esc_fprintf(stderr, "aidigest: warning: %s\n", one.msg);
    }
    closedir(d);
    strbuf_release(&path);
    return err;
}

static aid_err pipeline_run_week(pipeline_opts *o, aid_errbuf *eb)
{
    run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.out = pipeline_out(o);
    pipeline_week(o, r.week, sizeof r.week);
    strbuf_init(&r.stage);
    strbuf_init(&r.sweek);
    aid_err err;
    /* a refused run leaves no OUT it made itself */
    bool out_existed = fsutil_exists(r.out);
    if ((err = redact_rules_new(&r.rules, o->cfg.redact_rules, eb)))
        return err;
    pipeline_progress_start(o);
    if ((err = run_sweep_stages(o, r.out, eb)) ||
        (err = run_path(&r.stage, eb, "%s/" RENDER_STAGE_PREFIX "%ld", r.out, (long)getpid())) ||
        (err = run_path(&r.sweek, eb, "%s/%s", r.stage.buf, r.week)) ||
        (err = fsutil_remove_tree(r.stage.buf, eb)) ||
        (err = fsutil_mkdirs(r.sweek.buf, eb)))
        goto cleanup;
    if ((err = run_read(&r, eb)) ||
        (err = run_decide(&r, eb)) ||
        (err = run_compute(&r, eb)) ||
        (err = run_narrate(&r, eb)) ||
        (err = run_write(&r, eb)) ||
        (err = run_commit(&r, eb)))
        goto cleanup;
    r.alerts = alerts_count(r.report);
    err = run_publish(&r, eb);
cleanup:
    if (r.stage.len) {
        if (err && err != AID_ERR_NOMEM && !r.refused)
            run_keep_rejected(&r);
        /* a staging directory left in OUT is an error of its own when the run went well */
        aid_err rm = fsutil_remove_tree(r.stage.buf, err ? NULL : eb);
        if (!err)
            err = rm;
    }
    if (r.refused && !out_existed)
        (void)rmdir(r.out);
    pipeline_progress_end(o);
    json_object_put(r.report);
    redact_rules_free(r.rules);
    if (r.have_hist)
        history_release(&r.hist);
    if (r.have_res)
        ingest_result_release(&r.res);
    strbuf_release(&r.stage);
    strbuf_release(&r.sweek);
    /* without --fail-on-alert the alerts are the documents' (banner, mail
     * subject), not stderr's: the run's summary stays one line */
    if (!err && r.alerts && o->fail_on_alert)
        err = aid_errbuf_set(eb, AID_ERR_ALERT, "%s: %zu alert%s fired (--fail-on-alert); every file is written",
                             r.week, r.alerts, r.alerts == 1 ? "" : "s");
    return err;
}

aid_err pipeline_run(pipeline_opts *o, aid_errbuf *eb)
{
    if (!o->week_last)
        return pipeline_run_week(o, eb);
    timeutil_week w, last;
    if (!o->week || !timeutil_parse_week(o->week, &w) || !timeutil_parse_week(o->week_last, &last))
        return aid_errbuf_set(eb, AID_ERR_USAGE, "--weeks needs a range of ISO weeks");
    pipeline_opts one = *o;
    one.week_last = NULL;
    aid_err err = AID_OK;
    /* --fail-on-alert: a week with alerts does not stop the range; the
     * first such week's message is the one reported at the end */
    aid_errbuf alerted = { { 0 } };
    bool any_alert = false;
    for (int i = 0; i < PIPELINE_MAX_WEEKS && timeutil_week_start(w) <= timeutil_week_start(last); i++) {
        char name[16];
        timeutil_format_week(w, name, sizeof name);
        one.week = name;
        aid_errbuf week_eb = { { 0 } };
        err = pipeline_run_week(&one, &week_eb);
        if (err == AID_ERR_ALERT) {
            if (!any_alert)
                alerted = week_eb;
            any_alert = true;
            err = AID_OK;
        } else if (err) {
            if (eb)
                *eb = week_eb;
            break;
        }
        w = timeutil_week_add(w, 1);
    }
    if (!err && any_alert) {
        if (eb)
            *eb = alerted;
        err = AID_ERR_ALERT;
    }
    return err;
}

/* aidigest mail --week W: the week must be rendered (report.json and
 * digest.pdf in OUT/<week>/); nothing in OUT is changed. */
aid_err pipeline_mail(pipeline_opts *o, aid_errbuf *eb)
{
    char week[16];
    pipeline_week(o, week, sizeof week);
    struct json_object *report = NULL;
    aid_err err = pipeline_load_report(o, week, &report, eb);
    if (err)
        return err;
    err = mail_send_week(pipeline_out(o), week, report, &o->cfg, eb);
    json_object_put(report);
    return err;
}

/* The retrain summary lines on stderr. */
static void retrain_say(const pipeline_opts *o, const char *week, const char *out, const retrain_result *res,
                        bool ok)
{
    char n1[32], n2[32];
    if (res->bad_lines || res->unreadable_files)
        pipeline_say(o, "aidigest: retrain: skipped %s bad line%s and %s unreadable file%s "
                        "('aidigest check' lists them)\n",
                     numfmt_group(n1, sizeof n1, res->bad_lines), res->bad_lines == 1 ? "" : "s",
                     numfmt_group(n2, sizeof n2, res->unreadable_files), res->unreadable_files == 1 ? "" : "s");
    if (ok && o->dry_run)
        pipeline_say(o, "aidigest: retrain %s --dry-run: %d of %d prompts would change; %s fine-tuning examples "
                        "and %s held out; nothing written\n",
                     week, res->prompts_updated, res->prompts, numfmt_group(n1, sizeof n1, res->pairs),
                     numfmt_group(n2, sizeof n2, res->validation_pairs));
    else if (ok)
        pipeline_say(o,
                "aidigest: retrain %s: %d of %d prompts updated (%s/prompts/, deltas in "
                "%s/training/deltas.jsonl); %s fine-tuning examples in %s/training/finetune-%s.jsonl, "
                "%s held out in finetune-%s-validation.jsonl\n",
                week, res->prompts_updated, res->prompts, out, out, numfmt_group(n1, sizeof n1, res->pairs), out,
                week, numfmt_group(n2, sizeof n2, res->validation_pairs), week);
}

/* retrain_run into the stage OUT/.stage.tmp.<pid> (none for a dry run,
 * which prints the plan on stdout), then the staged files swapped in. */
static aid_err retrain_staged(pipeline_opts *o, const char *week, const char *out, retrain_result *res,
                              aid_errbuf *eb)
{
    static const char *const default_logs[] = { "inputs" };
    redact_rules *rules = NULL;
    strbuf stage = STRBUF_INIT, plan = STRBUF_INIT;
    aid_err err = redact_rules_new(&rules, o->cfg.redact_rules, eb);
    if (err)
        return err;
    if (!o->dry_run && ((err = run_sweep_stages(o, out, eb)) ||
                        (err = run_path(&stage, eb, "%s/" RENDER_STAGE_PREFIX "%ld", out, (long)getpid())) ||
                        (err = fsutil_remove_tree(stage.buf, eb))))
        goto cleanup;
    retrain_opts ro = {
        .paths = o->nlogs ? o->logs : default_logs,
        .npaths = o->nlogs ? o->nlogs : 1,
        .week = week,
        .out_dir = out,
        .cfg = &o->cfg,
        .now_ms = timeutil_now_ms(),
        .redact = rules,
        .stage_dir = o->dry_run ? NULL : stage.buf,
        .dry_run = o->dry_run,
    };
    err = retrain_run(&ro, res, eb);
    if (!err && o->dry_run) {
        if (retrain_plan_text(res->plan, &plan) < 0)
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        else if (fwrite(plan.buf, 1, plan.len, stdout) != plan.len || fflush(stdout) != 0)
            err = aid_errbuf_set(eb, AID_ERR_IO, "stdout: %s", strerror(errno));
    }
    /* The per-prompt lines are made before the files are swapped in and
     * said only once they are: a run that fails says nothing but why. */
    if (!err && !o->dry_run && !o->quiet && retrain_plan_summary(res->plan, &plan) < 0)
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (!err && !o->dry_run)
        err = swap_in(stage.buf, out, eb);
    if (!err && plan.len && !o->dry_run) {
        progress_clear(o->progress);
        fputs(plan.buf, stderr);
    }
    if (stage.len) {
        aid_err rm = fsutil_remove_tree(stage.buf, err ? NULL : eb);
        if (!err)
            err = rm;
    }
cleanup:
    redact_rules_free(rules);
    strbuf_release(&stage);
    strbuf_release(&plan);
    return err;
}

/* --submit: the set and its validation file to OpenAI. */
static aid_err retrain_submit(pipeline_opts *o, const char *week, const char *out, aid_errbuf *eb)
{
    char set[4096], valid[4096], n1[32];
    finetune_submission sub;
    snprintf(set, sizeof set, "%s/training/finetune-%s.jsonl", out, week);
    snprintf(valid, sizeof valid, "%s/training/finetune-%s-validation.jsonl", out, week);
    aid_err err = finetune_submit(&o->cfg, set, valid, week, out, &sub, eb);
    if (!err)
        pipeline_say(o, "aidigest: submitted %s (%s examples) as file %s%s%s, fine-tuning job %s (%s)\n", set,
                     numfmt_group(n1, sizeof n1, sub.examples), sub.file_id,
                     sub.validation_file_id ? ", validation file " : "",
                     sub.validation_file_id ? sub.validation_file_id : "", sub.job_id, sub.status);
    finetune_submission_release(&sub);
    return err;
}

aid_err pipeline_retrain(pipeline_opts *o, aid_errbuf *eb)
{
    char week[16];
    pipeline_week(o, week, sizeof week);
    const char *out = pipeline_out(o);
    if (o->request) {
        aid_err err = archive_tag_retrain(out, week, &o->cfg, eb);
        if (!err)
            pipeline_say(o, "aidigest: tagged the archive's HEAD retrain/%s%s\n", week,
                    o->cfg.archive_remote ? " and pushed the tag" : "");
        return err;
    }
    retrain_result res = { 0 }; /* also when retrain_staged fails before retrain_run */
    aid_err err = retrain_staged(o, week, out, &res, eb);
    retrain_say(o, week, out, &res, !err);
    retrain_result_release(&res);
    if (o->dry_run || err)
        return err;
    /* the prompts are committed before a submission, so a failed one never loses them */
    if (o->publish && (err = archive_publish_as(out, "retrain", week, &o->cfg, eb)))
        return err;
    if (o->submit && !(err = retrain_submit(o, week, out, eb)) && o->publish)
        err = archive_publish_as(out, "retrain", week, &o->cfg, eb); /* its record, submissions.jsonl */
    return err;
}
