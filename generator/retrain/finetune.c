#include "retrain/finetune.h"

#include <errno.h>
#include <stdbool.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/jget.h"
#include "common/llm.h"
#include "common/strbuf.h"
#include "common/timeutil.h"

/* True when line (len bytes, no newline) is one JSON object with a
 * non-empty "messages" array of objects that each have a string "role". */
static bool finetune_line_ok(json_tokener *tok, const char *line, size_t len)
{
    json_tokener_reset(tok);
    struct json_object *o = json_tokener_parse_ex(tok, line, (int)len), *msgs;
    bool ok = o && json_tokener_get_error(tok) == json_tokener_success &&
              json_tokener_get_parse_end(tok) == len && json_object_is_type(o, json_type_object) &&
              json_object_object_get_ex(o, "messages", &msgs) && json_object_is_type(msgs, json_type_array) &&
              json_object_array_length(msgs) > 0;
    for (size_t i = 0; ok && i < json_object_array_length(msgs); i++) {
        struct json_object *m = json_object_array_get_idx(msgs, i), *role;
        ok = json_object_is_type(m, json_type_object) && json_object_object_get_ex(m, "role", &role) &&
             json_object_is_type(role, json_type_string);
    }
    json_object_put(o);
    return ok;
}

static aid_err check_set(const char *path, int64_t min, int64_t *examples, aid_errbuf *eb);

aid_err finetune_check(const char *path, int64_t *examples, aid_errbuf *eb)
{
    return check_set(path, FINETUNE_MIN_EXAMPLES, examples, eb);
}

/* The validation file: every line as in finetune_check, any number of
 * them (a missing file is none). */
static aid_err finetune_check_lines(const char *path, int64_t *examples, aid_errbuf *eb)
{
    *examples = 0;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return AID_OK;
    return check_set(path, 0, examples, eb);
}

static aid_err check_set(const char *path, int64_t min, int64_t *examples, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    FILE *fp = NULL;
    json_tokener *tok = NULL;
    char *line = NULL;
    size_t cap = 0;
    int64_t n = 0;
    if (examples)
        *examples = 0;
    if (!(fp = fopen(path, "rb")))
        return aid_errbuf_set(eb, errno == ENOENT ? AID_ERR_NOTFOUND : AID_ERR_IO, "%s: %s", path,
                              errno == ENOENT ? "no fine-tuning set (run aidigest retrain for the week first)"
                                              : strerror(errno));
    if (!(tok = json_tokener_new())) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    ssize_t got;
    while ((got = getline(&line, &cap, fp)) >= 0) {
        size_t len = (size_t)got;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        n++;
        if (!finetune_line_ok(tok, line, len)) {
            err = aid_errbuf_set(eb, AID_ERR_PARSE,
                                 "%s:%lld: not a JSON object with a \"messages\" array of {role, content}",
                                 path, (long long)n);
            goto cleanup;
        }
    }
    if (ferror(fp)) {
        err = aid_errbuf_set(eb, AID_ERR_IO, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    if (n == 0 && min > 0) {
        err = aid_errbuf_set(eb, AID_ERR_LIMIT, "%s: the fine-tuning set is empty: nothing submitted", path);
        goto cleanup;
    }
    if (n < min) {
        err = aid_errbuf_set(eb, AID_ERR_LIMIT,
                             "%s: %lld example%s, but OpenAI fine-tuning needs at least %d: nothing submitted",
                             path, (long long)n, n == 1 ? "" : "s", FINETUNE_MIN_EXAMPLES);
        goto cleanup;
    }
    if (examples)
        *examples = n;
cleanup:
    free(line);
    json_tokener_free(tok);
    fclose(fp);
    return err;
}

/* Append one line to OUT/training/submissions.jsonl (by rewriting it
 * atomically). */
static aid_err finetune_record(const aid_config *cfg, const char *path, const char *week,
                               const char *out_dir, const finetune_submission *sub, aid_errbuf *eb)
{
    strbuf log = STRBUF_INIT, all = STRBUF_INIT;
    char *old = NULL, when[32];
    size_t len = 0;
    aid_err err = AID_OK;
    struct json_object *o = json_object_new_object();
    const char *base = strrchr(path, '/');
    timeutil_format_rfc3339(timeutil_now_ms(), when, sizeof when);
    if (!o || jget_set(o, "week", json_object_new_string(week)) < 0 ||
        jget_set(o, "file", json_object_new_string(base ? base + 1 : path)) < 0 ||
        jget_set(o, "examples", json_object_new_int64(sub->examples)) < 0 ||
        jget_set(o, "file_id", json_object_new_string(sub->file_id)) < 0 ||
        (sub->validation_file_id &&
         (jget_set(o, "validation_file_id", json_object_new_string(sub->validation_file_id)) < 0 ||
          jget_set(o, "validation_examples", json_object_new_int64(sub->validation_examples)) < 0)) ||
        jget_set(o, "job_id", json_object_new_string(sub->job_id)) < 0 ||
        jget_set(o, "model", json_object_new_string(cfg->finetune_model)) < 0 ||
        jget_set(o, "status", json_object_new_string(sub->status)) < 0 ||
        jget_set(o, "submitted_at", json_object_new_string(when)) < 0)
        goto nomem;
    if (strbuf_addf(&log, "%s/training", out_dir) < 0)
        goto nomem;
    if ((err = fsutil_mkdirs(log.buf, eb)))
        goto cleanup;
    if (strbuf_adds(&log, "/submissions.jsonl") < 0)
        goto nomem;
    err = fsutil_read_file(log.buf, &old, &len, eb);
    if (err && err != AID_ERR_NOTFOUND)
        goto cleanup;
    if ((len && strbuf_add(&all, old, len) < 0) ||
        (all.len && all.buf[all.len - 1] != '\n' && strbuf_addc(&all, '\n') < 0) ||
        jget_append(&all, o, false) < 0)
        goto nomem;
    err = fsutil_write_atomic(log.buf, all.buf, all.len, eb);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    json_object_put(o);
    free(old);
    strbuf_release(&all);
    strbuf_release(&log);
    return err;
}

aid_err finetune_submit(const aid_config *cfg, const char *path, const char *valid_path, const char *week,
                        const char *out_dir, finetune_submission *sub, aid_errbuf *eb)
{
    finetune_submission s = { 0 };
    llm_client *client = NULL;
    char suffix[64];
    aid_err err;
    if (sub)
        memset(sub, 0, sizeof *sub);
    if ((err = finetune_check(path, &s.examples, eb)))
        return err;
    if (valid_path && (err = finetune_check_lines(valid_path, &s.validation_examples, eb)))
        return err;
    if (!cfg->llm_api_key || !*cfg->llm_api_key)
        return aid_errbuf_set(eb, AID_ERR_CONFIG,
                              "retrain --submit: no OPENAI_API_KEY set: %s was written but not submitted", path);
    const char *model = cfg->finetune_model && *cfg->finetune_model ? cfg->finetune_model : NULL;
    if (!model)
        return aid_errbuf_set(eb, AID_ERR_CONFIG, "retrain --submit: finetune_model is empty");
    if ((err = llm_client_new(&client, cfg, NULL, eb)))
        return err;
    snprintf(suffix, sizeof suffix, "aidigest-%s", week);
    if ((err = llm_upload_file(client, path, "fine-tune", &s.file_id, eb)))
        goto cleanup;
    if (s.validation_examples &&
        (err = llm_upload_file(client, valid_path, "fine-tune", &s.validation_file_id, eb)))
        goto cleanup;
    if ((err = llm_create_finetune_job(client, s.file_id, s.validation_file_id, model, suffix, &s.job_id,
                                       &s.status, eb))) {
        char last[sizeof eb->msg];
        snprintf(last, sizeof last, "%s", aid_errbuf_msg(eb, err));
        aid_errbuf_set(eb, err, "%s (the set was uploaded as %s)", last, s.file_id);
        goto cleanup;
    }
    if ((err = finetune_record(cfg, path, week, out_dir, &s, eb))) {
        char last[sizeof eb->msg];
        snprintf(last, sizeof last, "%s", aid_errbuf_msg(eb, err));
        aid_errbuf_set(eb, err, "fine-tuning job %s was created but not recorded: %s", s.job_id, last);
        goto cleanup;
    }
cleanup:
    llm_client_free(client);
    if (err || !sub)
        finetune_submission_release(&s);
    else
        *sub = s;
    return err;
}

void finetune_submission_release(finetune_submission *sub)
{
    if (!sub)
        return;
    free(sub->file_id);
    free(sub->validation_file_id);
    free(sub->job_id);
    free(sub->status);
    memset(sub, 0, sizeof *sub);
}
