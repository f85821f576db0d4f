#include "compute/report.h"

#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/jget.h"
#include "common/strbuf.h"

char *report_to_string(struct json_object *report, size_t *len)
{
    const char *s = json_object_to_json_string_ext(
        report, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    strbuf sb = STRBUF_INIT;
    if (!s || strbuf_adds(&sb, s) < 0 || strbuf_addc(&sb, '\n') < 0) {
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
