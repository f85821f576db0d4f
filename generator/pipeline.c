#include "pipeline.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "figures.h"
#include "finetune.h"
#include "fsutil.h"
#include "history.h"
#include "html.h"
#include "ingest.h"
#include "mail.h"
#include "pdf.h"
#include "report.h"
#include "retrain.h"
#include "strbuf.h"
#include "timeutil.h"
#include "xlsx.h"
#include "narrate.h"
#include "redact.h"

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
    *report = json_tokener_parse(data);
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

static bool pipeline_wants(const pipeline_opts *o, const char *what)
{
    if (!o->only)
        return true;
    size_t n = strlen(what);
    for (const char *p = o->only; *p;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == n && !strncmp(p, what, n))
            return true;
        p += l + (c ? 1 : 0);
    }
    return false;
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
        fprintf(stderr, "aidigest: %s\n", aid_errbuf_msg(one, err));
    }
}

/* The documents rendered from a report into OUT/<week>/. */
typedef aid_err (*pipeline_doc_fn)(struct json_object *report, const char *path,
                                   const aid_config *cfg, aid_errbuf *eb);
static const struct {
    const char *what, *file;
    pipeline_doc_fn write;
} pipeline_docs[] = {
    { "pdf", "digest.pdf", pdf_write },
    { "xlsx", "digest.xlsx", xlsx_write },
};

/* The render stage: the week's documents from its report. Every document
 * is attempted; the first failure is returned. */
static aid_err pipeline_render_docs(pipeline_opts *o, const char *week, struct json_object *report,
                                    aid_errbuf *eb)
{
    aid_err first = AID_OK, err;
    strbuf path = STRBUF_INIT;
    for (size_t i = 0; i < sizeof pipeline_docs / sizeof pipeline_docs[0]; i++) {
        aid_errbuf one = { { 0 } };
        if (!pipeline_wants(o, pipeline_docs[i].what))
            continue;
        strbuf_reset(&path);
        if (strbuf_addf(&path, "%s/%s/%s", pipeline_out(o), week, pipeline_docs[i].file) < 0)
            err = aid_errbuf_set(&one, AID_ERR_NOMEM, "out of memory");
        else
            err = pipeline_docs[i].write(report, path.buf, &o->cfg, &one);
        pipeline_note_error(err, &one, &first, eb);
    }
    /* HTML: OUT/<week>/index.html, then OUT/index.html over all weeks */
    if (pipeline_wants(o, "html")) {
        aid_errbuf one = { { 0 } };
        pipeline_note_error(html_write_week(report, pipeline_out(o), &o->cfg, &one), &one,
                            &first, eb);
        one.msg[0] = '\0';
        pipeline_note_error(html_write_index(pipeline_out(o), &o->cfg, &one), &one, &first, eb);
    }
    strbuf_release(&path);
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
    err = pipeline_render_docs(o, week, report, eb);
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
 * deltas: a file of prompt_update events read after the logs when it
 * exists (the retraining deltas kept in the archive), or NULL. */
static aid_err pipeline_ingest(pipeline_opts *o, const char *week, const char *rejected,
                               const char *deltas, ingest_result *res, aid_errbuf *eb)
{
    const char *paths[o->nlogs + 2];
    size_t n = 0;
    for (size_t i = 0; i < o->nlogs; i++)
        paths[n++] = o->logs[i];
    if (!n)
        paths[n++] = "inputs";
    if (deltas && fsutil_exists(deltas))
        paths[n++] = deltas;
    timeutil_week w;
    timeutil_parse_week(week, &w);
    ingest_opts io = {
        .paths = paths,
        .npaths = n,
        .jobs = pipeline_jobs(o),
        .week_start_ms = timeutil_week_start(w),
        .rejected_path = rejected,
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
    aid_err err = pipeline_ingest(o, week, NULL, NULL, &res, eb);
    if (err)
        return err;
    pipeline_dq_summary(stdout, week, &res);
    bool bad = res.agg->dq.bad_lines > 0 || json_object_array_length(res.file_errors) > 0;
    ingest_result_release(&res);
    return bad ? AID_ERR_BADINPUT : AID_OK;
}

/* figures_redact_fn over redact_text (the rules are read-only: thread-safe). */
static int pipeline_redact(const char *in, size_t len, strbuf *out, void *ctx)
{
    return redact_text(ctx, in, len, out) < 0 ? -1 : 0;
}

aid_err pipeline_run(pipeline_opts *o, aid_errbuf *eb)
{
    char week[16];
    pipeline_week(o, week, sizeof week);
    const char *out = pipeline_out(o);
    strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
    ingest_result res;
    bool have_res = false;
    history hist;
    bool have_hist = false;
    struct json_object *report = NULL;
    redact_rules *rules = NULL;
    bool made_dir = false;
    aid_err err;

    if (!(rules = redact_rules_new(o->cfg.redact_rules, eb)))
        return o->cfg.redact_rules ? AID_ERR_CONFIG : AID_ERR_NOMEM;
    if (strbuf_addf(&dir, "%s/%s", out, week) < 0)
        goto nomem;
    /* a run that fails before writing anything (a wrong --logs) must not
     * leave an empty week directory behind */
    made_dir = !fsutil_exists(dir.buf);
    if ((err = fsutil_mkdirs(dir.buf, eb)))
        goto cleanup;
    /* read */
    if (fsutil_join(&path, dir.buf, "rejected.jsonl") < 0)
        goto nomem;
    strbuf deltas = STRBUF_INIT;
    if (strbuf_addf(&deltas, "%s/training/deltas.jsonl", out) < 0)
        goto nomem;
    err = pipeline_ingest(o, week, path.buf, deltas.buf, &res, eb);
    strbuf_release(&deltas);
    if (err)
        goto cleanup;
    have_res = true;
    int64_t bad = res.agg->dq.bad_lines;
    size_t unreadable = json_object_array_length(res.file_errors);
    if (bad || unreadable)
        fprintf(stderr, "aidigest: %lld bad line%s, %zu unreadable file%s%s%s\n", (long long)bad,
                bad == 1 ? "" : "s", unreadable, unreadable == 1 ? "" : "s",
                bad ? "; quarantined in " : "", bad ? path.buf : "");
    if (o->strict && (bad || unreadable)) {
        err = aid_errbuf_set(eb, AID_ERR_BADINPUT, "--strict: stopping: the logs have bad lines");
        goto cleanup;
    }
    /* compute */
    if ((err = history_load(&hist, out, week, stderr, eb)))
        goto cleanup;
    have_hist = true;
    figures_input fin = {
        .week = week,
        .ing = &res,
        .hist = &hist,
        .generated_ms = timeutil_now_ms(),
        .redact = pipeline_redact,
        .redact_ctx = rules,
    };
    if ((err = figures_build(&fin, &report, eb)))
        goto cleanup;
    /* narrate: the LLM with a key (and not --offline), else the built-in narrator */
    if ((err = narrate_report(report, &o->cfg, out, o->offline, eb)))
        goto cleanup;
    /* write the figures */
    if (fsutil_join(&path, dir.buf, "terms.json") < 0)
        goto nomem;
    if ((err = history_write_terms(path.buf, week, res.agg->cur.messages, res.agg->terms, eb)))
        goto cleanup;
    if (fsutil_join(&path, dir.buf, "report.json") < 0)
        goto nomem;
    if ((err = report_write(report, path.buf, eb)))
        goto cleanup;
    if (fsutil_join(&path, out, "weekly_ai_reports.jsonl") < 0)
        goto nomem;
    if ((err = report_update_table(report, path.buf, eb)))
        goto cleanup;
    /* render */
    if ((err = pipeline_render_docs(o, week, report, eb)))
        goto cleanup;
    fprintf(stderr, "aidigest: %s: %lld suggestion%s; wrote %s/\n", week,
            (long long)res.agg->cur.suggestions, res.agg->cur.suggestions == 1 ? "" : "s", dir.buf);
    /* publish: the archive first, then the mail. A failure of either is
     * reported and ends the run with exit code 3, but does not stop the
     * other (an expired token must not stop the weekly mail), and leaves
     * the digest as it is. */
    err = AID_OK;
    if (o->publish) {
        aid_errbuf one = { { 0 } };
        pipeline_note_error(archive_publish(out, week, &o->cfg, &one), &one, &err, eb);
    }
    if (o->mail) {
        aid_errbuf one = { { 0 } };
        pipeline_note_error(mail_send_week(out, week, report, &o->cfg, &one), &one, &err, eb);
    }
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    if (err && made_dir)
        rmdir(dir.buf); /* only when still empty */
    json_object_put(report);
    redact_rules_free(rules);
    if (have_hist)
        history_release(&hist);
    if (have_res)
        ingest_result_release(&res);
    strbuf_release(&path);
    strbuf_release(&dir);
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
            fprintf(stderr, "aidigest: tagged the archive's HEAD retrain/%s%s\n", week,
                    o->cfg.archive_remote ? " and pushed the tag" : "");
        return err;
    }
    static const char *const default_logs[] = { "inputs" };
    redact_rules *rules = redact_rules_new(o->cfg.redact_rules, eb);
    if (!rules)
        return o->cfg.redact_rules ? AID_ERR_CONFIG : AID_ERR_NOMEM;
    retrain_opts ro = {
        .paths = o->nlogs ? o->logs : default_logs,
        .npaths = o->nlogs ? o->nlogs : 1,
        .week = week,
        .out_dir = out,
        .cfg = &o->cfg,
        .now_ms = timeutil_now_ms(),
        .redact = pipeline_redact,
        .redact_ctx = rules,
        .diag = stderr,
    };
    retrain_result res;
    aid_err err = retrain_run(&ro, &res, eb);
    if (res.bad_lines || res.unreadable_files)
        fprintf(stderr, "aidigest: retrain: skipped %lld bad line%s and %lld unreadable file%s "
                        "('aidigest check' lists them)\n",
                (long long)res.bad_lines, res.bad_lines == 1 ? "" : "s",
                (long long)res.unreadable_files, res.unreadable_files == 1 ? "" : "s");
    if (!err)
        fprintf(stderr,
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
            fprintf(stderr, "aidigest: submitted %s (%lld examples) as file %s, fine-tuning job %s (%s)\n",
                    set, (long long)sub.examples, sub.file_id, sub.job_id, sub.status);
        finetune_submission_release(&sub);
    }
    return err;
}
