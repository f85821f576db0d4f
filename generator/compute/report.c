#include "compute/report.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/jget.h"
#include "common/strbuf.h"
#include "common/timeutil.h"

char *report_to_string(struct json_object *report, size_t *len)
{
    strbuf sb = STRBUF_INIT;
    if (jget_append(&sb, report, true) < 0) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, len);
}

aid_err report_write(struct json_object *report, const char *path, aid_errbuf *eb)
{
    size_t len;
    char *s = report_to_string(report, &len);
    if (!s)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    aid_err err = fsutil_write_atomic(path, s, len, eb);
    free(s);
    return err;
}

aid_err report_update_table(struct json_object *report, const char *path, aid_errbuf *eb)
{
    const char *week = jget_str(report, "week", "");
    char *old = NULL;
    size_t oldlen = 0;
    strbuf out = STRBUF_INIT;
    aid_err err = fsutil_read_file(path, &old, &oldlen, eb);
    if (err == AID_ERR_NOTFOUND) {
        err = AID_OK;
        old = NULL;
    } else if (err) {
        return err;
    }
    const char *mine = json_object_to_json_string_ext(report, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
    bool placed = false;
    for (char *p = old; p && *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p, n);
        p += n + (nl ? 1 : 0);
        if (!line)
            goto nomem;
        struct json_object *row = n ? json_tokener_parse(line) : NULL;
        const char *rw = row ? jget_str(row, "week", NULL) : NULL;
        if (!rw) { /* keep what we do not understand, as it was */
            if (n && (strbuf_add(&out, line, n) < 0 || strbuf_addc(&out, '\n') < 0)) {
                free(line);
                json_object_put(row);
                goto nomem;
            }
        } else {
            int c = strcmp(rw, week);
            if (c >= 0 && !placed) {
                if (strbuf_adds(&out, mine) < 0 || strbuf_addc(&out, '\n') < 0) {
                    free(line);
                    json_object_put(row);
                    goto nomem;
                }
                placed = true;
            }
            if (c != 0 && (strbuf_add(&out, line, n) < 0 || strbuf_addc(&out, '\n') < 0)) {
                free(line);
                json_object_put(row);
                goto nomem;
            }
        }
        free(line);
        json_object_put(row);
    }
    if (!placed && (strbuf_adds(&out, mine) < 0 || strbuf_addc(&out, '\n') < 0))
        goto nomem;
    err = fsutil_write_atomic(path, out.buf, out.len, eb);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    free(old);
    strbuf_release(&out);
    return err;
}

/* A directory name that is a week as the pipeline writes it (2026-W10). */
static bool report_is_week(const char *name)
{
    timeutil_week w;
    char buf[16];
    if (strlen(name) != 8 || !timeutil_parse_week(name, &w))
        return false;
    timeutil_format_week(w, buf, sizeof buf);
    return !strcmp(buf, name);
}

/* The table's row for week, parsed (a new reference), or NULL. */
static struct json_object *report_table_row(const char *table, const char *week)
{
    for (const char *p = table; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = n ? strndup(p, n) : NULL;
        p += n + (nl ? 1 : 0);
        struct json_object *row = line ? json_tokener_parse(line) : NULL;
        free(line);
        const char *rw = row ? jget_str(row, "week", NULL) : NULL;
        if (rw && !strcmp(rw, week))
            return row;
        json_object_put(row);
    }
    return NULL;
}

/* Put out/<week>/report.json's row in the table when it is missing or
 * differs. A week whose report.json cannot be read or parsed is left as
 * it is (the archive index skips it too). */
static aid_err report_sync_week(const char *out, const char *week, const char *path, char **table,
                                int *fixed, aid_errbuf *eb)
{
    strbuf rp = STRBUF_INIT;
    char *data = NULL;
    size_t len = 0;
    struct json_object *report = NULL, *row = NULL;
    aid_err err = AID_OK;
    if (strbuf_addf(&rp, "%s/%s/report.json", out, week) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!fsutil_exists(rp.buf) || fsutil_read_file(rp.buf, &data, &len, NULL) != AID_OK)
        goto cleanup;
    report = json_tokener_parse(data);
    const char *rw = report ? jget_str(report, "week", NULL) : NULL;
    if (!rw || strcmp(rw, week))
        goto cleanup;
    row = report_table_row(*table, week);
    if (row && json_object_equal(row, report))
        goto cleanup;
    if ((err = report_update_table(report, path, eb)))
        goto cleanup;
    if (fixed)
        (*fixed)++;
    free(*table);
    *table = NULL;
    size_t tlen;
    err = fsutil_read_file(path, table, &tlen, eb);
cleanup:
    json_object_put(row);
    json_object_put(report);
    free(data);
    strbuf_release(&rp);
    return err;
}

aid_err report_sync_table(const char *out, const char *path, int *fixed, aid_errbuf *eb)
{
    char *table = NULL;
    size_t len = 0;
    if (fixed)
        *fixed = 0;
    aid_err err = fsutil_read_file(path, &table, &len, eb);
    if (err == AID_ERR_NOTFOUND)
        err = AID_OK;
    if (err)
        return err;
    DIR *d = opendir(out);
    if (!d) {
        free(table);
        return aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot open the output directory", out);
    }
    for (struct dirent *de; !err && (de = readdir(d));)
        if (report_is_week(de->d_name))
            err = report_sync_week(out, de->d_name, path, &table, fixed, eb);
    closedir(d);
    free(table);
    return err;
}
