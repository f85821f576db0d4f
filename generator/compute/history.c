#include "compute/history.h"
#include "common/escape.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/jget.h"
#include "common/strbuf.h"
#include "common/timeutil.h"

/* A JSON object file into *out (NULL when it is missing or no JSON
 * object: a warning on diag). 0, or -1 when out of memory. */
static int read_json(const char *path, FILE *diag, struct json_object **out)
{
    char *data = NULL;
    size_t len = 0;
    struct json_object *o = NULL;
    *out = NULL;
    aid_err err = fsutil_read_file(path, &data, &len, NULL);
    if (err == AID_ERR_NOMEM)
        return -1;
    if (err != AID_OK)
        return 0;
    int rc = jget_parse(data, &o);
    free(data);
    if (rc < 0)
        return -1;
    if (!o || !json_object_is_type(o, json_type_object)) {
        if (diag)
            esc_fprintf(diag, "aidigest: warning: %s: not valid JSON, ignored\n", path);
        json_object_put(o);
        return 0;
    }
    *out = o;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

aid_err history_load(history *h, const char *out_dir, const char *week, FILE *diag, aid_errbuf *eb)
{
    memset(h, 0, sizeof *h);
    strbuf path = STRBUF_INIT;
    aid_err err = AID_OK;
    char **weeks = NULL;
    size_t nweeks = 0, cap = 0;
    timeutil_week w, prev;
    h->baseline_terms = strmap_new(sizeof(int64_t));
    h->baseline_weeks = json_object_new_array();
    if (!h->baseline_terms || !h->baseline_weeks || !timeutil_parse_week(week, &w))
        goto nomem;
    prev = timeutil_week_add(w, -1);
    char prevname[16];
    timeutil_format_week(prev, prevname, sizeof prevname);
    if (strbuf_addf(&path, "%s/%s/report.json", out_dir, prevname) < 0)
        goto nomem;
    if (read_json(path.buf, diag, &h->prev_report) < 0)
        goto nomem;

    DIR *d = opendir(out_dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            timeutil_week x;
            if (!timeutil_parse_week(de->d_name, &x) || strcmp(de->d_name, week) >= 0)
                continue;
            if (nweeks == cap) {
                cap = cap ? cap * 2 : 16;
                char **nw = realloc(weeks, cap * sizeof *nw);
                if (!nw) {
                    closedir(d);
                    goto nomem;
                }
                weeks = nw;
            }
            if (!(weeks[nweeks] = strdup(de->d_name))) {
                closedir(d);
                goto nomem;
            }
            nweeks++;
        }
        closedir(d);
    }
    if (nweeks)
        qsort(weeks, nweeks, sizeof *weeks, cmp_str);
    size_t used = 0;
    /* newest first, up to HISTORY_MAX_WEEKS that have terms */
    for (size_t i = nweeks; i-- > 0 && used < HISTORY_MAX_WEEKS;) {
        strbuf_reset(&path);
        if (strbuf_addf(&path, "%s/%s/terms.json", out_dir, weeks[i]) < 0)
            goto nomem;
        struct json_object *t, *terms, *msgs;
        if (read_json(path.buf, diag, &t) < 0)
            goto nomem;
        if (!t)
            continue;
        if (!json_object_object_get_ex(t, "terms", &terms) || !json_object_is_type(terms, json_type_object) ||
            !json_object_object_get_ex(t, "messages", &msgs)) {
            if (diag)
                esc_fprintf(diag, "aidigest: warning: %s: not a terms file, ignored\n", path.buf);
            json_object_put(t);
            continue;
        }
        bool is_prev = !strcmp(weeks[i], prevname);
        if (is_prev && !(h->prev_terms = strmap_new(sizeof(int64_t)))) {
            json_object_put(t);
            goto nomem;
        }
        json_object_object_foreach(terms, k, v) {
            int64_t c = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
            if (c <= 0) /* a damaged file: nothing to count */
                continue;
            int64_t *slot = strmap_upsert(h->baseline_terms, k, strlen(k), NULL);
            if (!slot) {
                json_object_put(t);
                goto nomem;
            }
            *slot += c;
            if (is_prev) {
                int64_t *ps = strmap_upsert(h->prev_terms, k, strlen(k), NULL);
                if (!ps) {
                    json_object_put(t);
                    goto nomem;
                }
                *ps += c;
            }
        }
        if (json_object_is_type(msgs, json_type_int) && json_object_get_int64(msgs) > 0)
            h->baseline_messages += json_object_get_int64(msgs);
        json_object_put(t);
        if (jget_push(h->baseline_weeks, json_object_new_string(weeks[i])) < 0)
            goto nomem;
        used++;
    }
    /* oldest first */
    size_t nb = json_object_array_length(h->baseline_weeks);
    for (size_t i = 0; i < nb / 2; i++) {
        struct json_object *a = json_object_get(json_object_array_get_idx(h->baseline_weeks, i));
        struct json_object *b = json_object_get(json_object_array_get_idx(h->baseline_weeks, nb - 1 - i));
        json_object_array_put_idx(h->baseline_weeks, i, b);
        json_object_array_put_idx(h->baseline_weeks, nb - 1 - i, a);
    }
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    history_release(h);
cleanup:
    for (size_t i = 0; i < nweeks; i++)
        free(weeks[i]);
    free(weeks);
    strbuf_release(&path);
    return err;
}

void history_release(history *h)
{
    json_object_put(h->prev_report);
    strmap_free(h->baseline_terms);
    strmap_free(h->prev_terms);
    json_object_put(h->baseline_weeks);
    memset(h, 0, sizeof *h);
}

typedef struct term_row {
    const char *term;
    int64_t count;
} term_row;

static int cmp_term_row(const void *a, const void *b)
{
    return strcmp(((const term_row *)a)->term, ((const term_row *)b)->term);
}

aid_err history_write_terms(const char *path, const char *week, int64_t messages,
                            const strmap *terms, aid_errbuf *eb)
{
    size_t n = 0;
    term_row *rows = malloc((strmap_count(terms) + 1) * sizeof *rows);
    strbuf out = STRBUF_INIT;
    aid_err err = AID_OK;
    if (!rows)
        goto nomem;
    for (size_t i = 0; i < strmap_capacity(terms); i++) {
        const char *k;
        void *v;
        if (strmap_slot(terms, i, &k, NULL, &v) && *(int64_t *)v > 0)
            rows[n++] = (term_row){ k, *(int64_t *)v };
    }
    qsort(rows, n, sizeof *rows, cmp_term_row);
    struct json_object *o = json_object_new_object();
    struct json_object *t = json_object_new_object();
    if (!o || !t) {
        json_object_put(o);
        json_object_put(t);
        goto nomem;
    }
    bool built = jget_set(o, "week", json_object_new_string(week)) == 0 &&
                 jget_set(o, "messages", json_object_new_int64(messages)) == 0;
    for (size_t i = 0; built && i < n; i++)
        built = jget_set(t, rows[i].term, json_object_new_int64(rows[i].count)) == 0;
    if (!built)
        json_object_put(t);
    else
        built = jget_set(o, "terms", t) == 0;
    const char *s = built ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
    if (!s || strbuf_adds(&out, s) < 0 || strbuf_addc(&out, '\n') < 0) {
        json_object_put(o);
        goto nomem;
    }
    json_object_put(o);
    err = fsutil_write_atomic(path, out.buf, out.len, eb);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    strbuf_release(&out);
    free(rows);
    return err;
}
