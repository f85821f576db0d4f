#include "pipeline.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "html.h"
#include "strbuf.h"
#include "timeutil.h"

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

aid_err pipeline_render(pipeline_opts *o, aid_errbuf *eb)
{
    char week[16];
    pipeline_week(o, week, sizeof week);
    struct json_object *report = NULL;
    aid_err err = pipeline_load_report(o, week, &report, eb);
    if (err)
        return err;
    /* render stages: html, pdf, xlsx (each module plugs in here) */
    if (pipeline_wants(o, "html")) {
        if (!err)
            err = html_write_week(report, pipeline_out(o), &o->cfg, eb);
        if (!err)
            err = html_write_index(pipeline_out(o), &o->cfg, eb);
    }
    json_object_put(report);
    return err;
}

aid_err pipeline_run(pipeline_opts *o, aid_errbuf *eb)
{
    (void)o;
    return aid_errbuf_set(eb, AID_ERR_IO, "run: not implemented yet");
}

aid_err pipeline_check(pipeline_opts *o, aid_errbuf *eb)
{
    (void)o;
    return aid_errbuf_set(eb, AID_ERR_IO, "check: not implemented yet");
}

aid_err pipeline_mail(pipeline_opts *o, aid_errbuf *eb)
{
    (void)o;
    return aid_errbuf_set(eb, AID_ERR_IO, "mail: not implemented yet");
}

aid_err pipeline_retrain(pipeline_opts *o, aid_errbuf *eb)
{
    (void)o;
    return aid_errbuf_set(eb, AID_ERR_IO, "retrain: not implemented yet");
}
