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
#include "common/fsutil.h"
#include "common/jget.h"
#include "render/render.h"
#include "read/read.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "narrate/narrate.h"
#include "common/redact.h"

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

/* Load OUT/<week>/report.json. */
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
static void pipeline_note_error(aid_err err, const aid_errbuf *one, aid_err *first, aid_errbuf *eb)
{
    if (!err)
        return;
    if (!*first) {
        *first = err;
        if (eb)
            *eb = *one;
    } else {
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
        pipeline_note_error(err, &one, &first, eb);
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
        pipeline_note_error(render_docs[i].index(pipeline_out(o), &o->cfg, &one), &one, &first, eb);
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
    pipeline_note_error(pipeline_render_index(o, &one), &one, &err, eb);
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

/* Read the logs for the week (both passes). rejected: where bad lines go.
 * deltas: the retraining deltas kept in the archive (ingest_opts.deltas_path:
 * read after the logs when the file exists), or NULL. rules: the terms are
 * counted from the customer messages redacted by these (NULL: raw). */
static aid_err pipeline_ingest(pipeline_opts *o, const char *week, const char *rejected,
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
        .diag = stderr,
        .progress = isatty(2) != 0,
    };
    return ingest_run(&io, res, eb);
}

static void pipeline_dq_summary(FILE *fp, const char *week, const ingest_result *res)
{
    const agg_dq *dq = &res->agg->dq;
    fprintf(fp, "files: %zu\n", res->files.n);
    fprintf(fp, "lines: %lld\n", (long long)dq->lines);
    fprintf(fp, "events: %lld\n", (long long)dq->events);
    fprintf(fp, "bad lines: %lld\n", (long long)dq->bad_lines);
    for (int i = 0; i < EVENT_BAD__COUNT; i++)
        if (dq->bad_by_reason[i])
            fprintf(fp, "  %s: %lld\n", event_bad_name((event_bad)i), (long long)dq->bad_by_reason[i]);
    fprintf(fp, "blank lines: %lld\n", (long long)dq->blank_lines);
    fprintf(fp, "duplicates: %lld\n", (long long)dq->duplicates);
    fprintf(fp, "suggestions in %s: %lld\n", week, (long long)res->agg->cur.suggestions);
    fprintf(fp, "out of week: %lld\n", (long long)dq->out_of_week);
    fprintf(fp, "unknown types: %lld\n", (long long)dq->unknown_types);
    fprintf(fp, "orphan corrections: %lld\n", (long long)dq->orphan_corrections);
    size_t nfe = json_object_array_length(res->file_errors);
    fprintf(fp, "unreadable files: %zu\n", nfe);
}

aid_err pipeline_check(pipeline_opts *o, aid_errbuf *eb)
{
    char week[16];
    pipeline_week(o, week, sizeof week);
    ingest_result res;
    aid_err err = pipeline_ingest(o, week, NULL, NULL, NULL, NULL, &res, eb);
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
    err = pipeline_ingest(r->o, r->week, rejected.buf, raw.buf, r->rules, deltas.buf, &r->res, eb);
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
    if (bad)
        esc_fprintf(stderr, "aidigest: %lld bad line%s, %zu unreadable file%s; quarantined in %s/.raw/%s/rejected.jsonl\n",
                    (long long)bad, bad == 1 ? "" : "s", unreadable, unreadable == 1 ? "" : "s", r->out, r->week);
    else if (unreadable)
        esc_fprintf(stderr, "aidigest: 0 bad lines, %zu unreadable file%s\n", unreadable, unreadable == 1 ? "" : "s");
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

/* decide: whether what was read may replace the week. Input with file
 * errors, or without a suggestion for the week, is not a digest to
 * publish (unless --allow-damaged); a week that has lost more than half
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
    } else if (n == 0 && !r->o->allow_damaged) {
        err = aid_errbuf_set(eb, AID_ERR_BADINPUT,
                             "%s not replaced: the logs have no suggestion in that week; nothing written or "
                             "published (--allow-damaged to publish an empty week)",
                             r->week);
    } else if (!r->o->replace) {
        int64_t old = run_published_suggestions(r);
        if (old > 0 && n * 2 < old)
            err = aid_errbuf_set(eb, AID_ERR_BADINPUT,
                                 "%s not replaced: %lld suggestion%s against %lld in the published %s/%s/; "
                                 "nothing written or published (--replace to replace it)",
                                 r->week, (long long)n, n == 1 ? "" : "s", (long long)old, r->out, r->week);
    }
    if (err)
        r->refused = true;
    return err;
}

/* compute: every figure, against the archive's earlier weeks */
static aid_err run_compute(run *r, aid_errbuf *eb)
{
    aid_err err = history_load(&r->hist, r->out, r->week, stderr, eb);
    if (err)
        return err;
    r->have_hist = true;
    figures_input fin = {
        .week = r->week,
        .ing = &r->res,
        .hist = &r->hist,
        .generated_ms = timeutil_now_ms(),
        .redact = r->rules,
    };
    return figures_build(&fin, &r->report, eb);
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
        fprintf(stderr, "aidigest: %s/weekly_ai_reports.jsonl: put in %d week%s found on disk but "
                        "missing or different in the table\n",
                r->out, fixed, fixed == 1 ? "" : "s");
    if ((err = pipeline_render_index(r->o, eb)))
        goto cleanup;
    esc_fprintf(stderr, "aidigest: %s: %lld suggestion%s; wrote %s/%s/\n", r->week,
            (long long)r->res.agg->cur.suggestions, r->res.agg->cur.suggestions == 1 ? "" : "s",
            r->out, r->week);
cleanup:
    strbuf_release(&path);
    return err;
}

/* publish: the archive first, then the mail. A failure of either is
 * reported and ends the run with exit code 3, but does not stop the other
 * (an expired token must not stop the weekly mail), and leaves the digest
 * as it is. */
static aid_err run_publish(run *r, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    if (r->o->publish) {
        aid_errbuf one = { { 0 } };
        pipeline_note_error(archive_publish(r->out, r->week, &r->o->cfg, &one), &one, &err, eb);
    }
    if (r->o->mail) {
        aid_errbuf one = { { 0 } };
        pipeline_note_error(mail_send_week(r->out, r->week, r->report, &r->o->cfg, &one), &one, &err, eb);
    }
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
static aid_err run_sweep_stages(const char *out, aid_errbuf *eb)
{
    static const char prefix[] = ".stage.tmp.";
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
            fprintf(stderr, "aidigest: removed %s, left by run %ld (no longer running)\n", path.buf, pid);
        else
            fprintf(stderr, "aidigest: warning: %s\n", one.msg);
    }
    closedir(d);
    strbuf_release(&path);
    return err;
}

aid_err pipeline_run(pipeline_opts *o, aid_errbuf *eb)
{
    run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.out = pipeline_out(o);
    pipeline_week(o, r.week, sizeof r.week);
    strbuf_init(&r.stage);
    strbuf_init(&r.sweek);
    aid_err err;
    if ((err = redact_rules_new(&r.rules, o->cfg.redact_rules, eb)))
        return err;
    if ((err = run_sweep_stages(r.out, eb)) ||
        (err = run_path(&r.stage, eb, "%s/.stage.tmp.%ld", r.out, (long)getpid())) ||
        (err = run_path(&r.sweek, eb, "%s/%s", r.stage.buf, r.week)) ||
        (err = fsutil_remove_tree(r.stage.buf, eb)) ||
        (err = fsutil_mkdirs(r.sweek.buf, eb)))
        goto cleanup;
    if ((err = run_read(&r, eb)) ||
        (err = run_decide(&r, eb)) ||
        (err = run_compute(&r, eb)) ||
        /* narrate: the LLM with a key (and not --offline), else the built-in narrator */
        (err = narrate_report(r.report, &o->cfg, r.out, o->offline, eb)) ||
        (err = run_write(&r, eb)) ||
        (err = run_commit(&r, eb)))
        goto cleanup;
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
    json_object_put(r.report);
    redact_rules_free(r.rules);
    if (r.have_hist)
        history_release(&r.hist);
    if (r.have_res)
        ingest_result_release(&r.res);
    strbuf_release(&r.stage);
    strbuf_release(&r.sweek);
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
    if (err == AID_ERR_NOTFOUND)
        return aid_errbuf_set(eb, AID_ERR_NOTFOUND, "mail: %s/%s/report.json not found (run the week first)",
                              pipeline_out(o), week);
    if (err)
        return err;
    err = mail_send_week(pipeline_out(o), week, report, &o->cfg, eb);
    json_object_put(report);
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
            esc_fprintf(stderr, "aidigest: tagged the archive's HEAD retrain/%s%s\n", week,
                    o->cfg.archive_remote ? " and pushed the tag" : "");
        return err;
    }
    static const char *const default_logs[] = { "inputs" };
    redact_rules *rules;
    aid_err rerr = redact_rules_new(&rules, o->cfg.redact_rules, eb);
    if (rerr)
        return rerr;
    retrain_opts ro = {
        .paths = o->nlogs ? o->logs : default_logs,
        .npaths = o->nlogs ? o->nlogs : 1,
        .week = week,
        .out_dir = out,
        .cfg = &o->cfg,
        .now_ms = timeutil_now_ms(),
        .redact = rules,
        .diag = stderr,
    };
    retrain_result res;
    aid_err err = retrain_run(&ro, &res, eb);
    if (res.bad_lines || res.unreadable_files)
        esc_fprintf(stderr, "aidigest: retrain: skipped %lld bad line%s and %lld unreadable file%s "
                        "('aidigest check' lists them)\n",
                (long long)res.bad_lines, res.bad_lines == 1 ? "" : "s",
                (long long)res.unreadable_files, res.unreadable_files == 1 ? "" : "s");
    if (!err)
        esc_fprintf(stderr,
                "aidigest: retrain %s: %d of %d prompts updated (%s/prompts/, deltas in "
                "%s/training/deltas.jsonl); %lld fine-tuning examples in %s/training/finetune-%s.jsonl\n",
                week, res.prompts_updated, res.prompts, out, out, (long long)res.pairs, out, week);
    redact_rules_free(rules);
    if (!err && o->submit) {
        /* the last step: the prompts and the set are written whatever happens here */
        char set[4096];
        finetune_submission sub;
        snprintf(set, sizeof set, "%s/training/finetune-%s.jsonl", out, week);
        if (!(err = finetune_submit(&o->cfg, set, week, out, &sub, eb)))
            esc_fprintf(stderr, "aidigest: submitted %s (%lld examples) as file %s, fine-tuning job %s (%s)\n",
                    set, (long long)sub.examples, sub.file_id, sub.job_id, sub.status);
        finetune_submission_release(&sub);
    }
    return err;
}
