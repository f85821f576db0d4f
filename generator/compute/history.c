#include "compute/history.h"
#include "common/escape.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/jget.h"
#include "common/stem.h"
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

/* The week directories of out_dir before week, sorted, into *weeks. 0 or -1. */
static int list_weeks(const char *out_dir, const char *week, char ***weeks, size_t *nweeks)
{
    size_t cap = 0;
    DIR *d = opendir(out_dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        timeutil_week x;
        if (!timeutil_parse_week(de->d_name, &x) || strcmp(de->d_name, week) >= 0)
            continue;
        if (*nweeks == cap) {
            cap = cap ? cap * 2 : 16;
            char **nw = realloc(*weeks, cap * sizeof *nw);
            if (!nw) {
                closedir(d);
                return -1;
            }
            *weeks = nw;
        }
        if (!((*weeks)[*nweeks] = strdup(de->d_name))) {
            closedir(d);
            return -1;
        }
        (*nweeks)++;
    }
    closedir(d);
    if (*nweeks)
        qsort(*weeks, *nweeks, sizeof **weeks, cmp_str);
    return 0;
}

static int64_t count_of(struct json_object *v)
{
    return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
}

/* Add c to m[k1 (\t k2)]. 0 or -1. */
static int sum_into(strmap *m, strbuf *key, const char *k1, size_t l1, const char *k2, size_t l2, int64_t c)
{
    strbuf_reset(key);
    if (strbuf_add(key, k1, l1) < 0 || (k2 && (strbuf_addc(key, '\t') < 0 || strbuf_add(key, k2, l2) < 0)))
        return -1;
    int64_t *slot = strmap_upsert(m, key->buf, key->len, NULL);
    if (!slot)
        return -1;
    *slot += c;
    return 0;
}

/* The topics of one week into h (and into h->prev_terms when it is the
 * week before). Format 2: stems and phrases as they are. The first format
 * (no "format"): each word's stem, counts of words with the same stem
 * summed (an upper bound: a message with "delay" and "delayed" was counted
 * under both), at most the week's messages. 0, or -1 for out of memory. */
static int add_week_terms(history *h, struct json_object *t, bool is_prev, int64_t messages, bool converted,
                          stemmer **st, strbuf *key)
{
    struct json_object *terms = NULL, *phrases = NULL, *surfaces = NULL;
    json_object_object_get_ex(t, "terms", &terms);
    if (!converted) {
        json_object_object_get_ex(t, "phrases", &phrases);
        json_object_object_get_ex(t, "surfaces", &surfaces);
    }
    strmap *week = strmap_new(sizeof(int64_t));
    int rc = -1;
    if (!week)
        return -1;
    struct json_object *maps[2] = { terms, phrases };
    for (int m = 0; m < 2; m++) {
        if (!maps[m] || !json_object_is_type(maps[m], json_type_object))
            continue;
        json_object_object_foreach(maps[m], k, v) {
            int64_t c = count_of(v);
            if (c <= 0) /* a damaged file: nothing to count */
                continue;
            const char *key1 = k;
            size_t l1 = strlen(k);
            if (converted) {
                if (!*st && stem_new(st, NULL))
                    goto cleanup;
                if (stem_word(*st, k, l1, &key1, &l1) < 0 ||
                    sum_into(h->baseline_surfaces, key, key1, l1, k, strlen(k), c) < 0)
                    goto cleanup;
            }
            if (sum_into(week, key, key1, l1, NULL, 0, c) < 0)
                goto cleanup;
        }
    }
    if (surfaces && json_object_is_type(surfaces, json_type_object)) {
        json_object_object_foreach(surfaces, k, forms) {
            if (!json_object_is_type(forms, json_type_object))
                continue;
            json_object_object_foreach(forms, f, v) {
                int64_t c = count_of(v);
                if (c > 0 && sum_into(h->baseline_surfaces, key, k, strlen(k), f, strlen(f), c) < 0)
                    goto cleanup;
            }
        }
    }
    for (size_t i = 0; i < strmap_capacity(week); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(week, i, &k, &kl, &v))
            continue;
        int64_t c = *(int64_t *)v;
        if (converted && c > messages)
            c = messages;
        if (sum_into(h->baseline_terms, key, k, kl, NULL, 0, c) < 0 ||
            (is_prev && sum_into(h->prev_terms, key, k, kl, NULL, 0, c) < 0))
            goto cleanup;
    }
    rc = 0;
cleanup:
    strmap_free(week);
    return rc;
}

/* One week's terms.json into h. 0 (read, or skipped with a warning), or
 * -1 for out of memory. */
static int load_week(history *h, const char *path, const char *week, bool is_prev, FILE *diag, stemmer **st,
                     strbuf *key, bool *used)
{
    struct json_object *t, *terms, *msgs, *fmt = NULL;
    *used = false;
    if (read_json(path, diag, &t) < 0)
        return -1;
    if (!t)
        return 0;
    int rc = 0;
    bool has_fmt = json_object_object_get_ex(t, "format", &fmt);
    if (!json_object_object_get_ex(t, "terms", &terms) || !json_object_is_type(terms, json_type_object) ||
        !json_object_object_get_ex(t, "messages", &msgs)) {
        if (diag)
            esc_fprintf(diag, "aidigest: warning: %s: not a terms file, ignored\n", path);
        goto cleanup;
    }
    if (has_fmt && count_of(fmt) != HISTORY_TERMS_FORMAT) {
        if (diag)
            esc_fprintf(diag, "aidigest: warning: %s: unknown terms format, ignored\n", path);
        goto cleanup;
    }
    int64_t messages = count_of(msgs) > 0 ? count_of(msgs) : 0;
    if (is_prev) {
        if (!(h->prev_terms = strmap_new(sizeof(int64_t)))) {
            rc = -1;
            goto cleanup;
        }
        h->prev_has_phrases = has_fmt;
    }
    if (add_week_terms(h, t, is_prev, messages, !has_fmt, st, key) < 0) {
        rc = -1;
        goto cleanup;
    }
    h->baseline_messages += messages;
    if (has_fmt)
        h->baseline_phrase_messages += messages;
    else {
        if (diag)
            esc_fprintf(diag, "aidigest: note: %s: words of an earlier format, converted to stems\n", path);
        if (jget_push(h->converted_weeks, json_object_new_string(week)) < 0) {
            rc = -1;
            goto cleanup;
        }
    }
    *used = true;
cleanup:
    json_object_put(t);
    return rc;
}

static void reverse(struct json_object *arr)
{
    size_t nb = json_object_array_length(arr);
    for (size_t i = 0; i < nb / 2; i++) {
        struct json_object *a = json_object_get(json_object_array_get_idx(arr, i));
        struct json_object *b = json_object_get(json_object_array_get_idx(arr, nb - 1 - i));
        json_object_array_put_idx(arr, i, b);
        json_object_array_put_idx(arr, nb - 1 - i, a);
    }
}

aid_err history_load(history *h, const char *out_dir, const char *week, FILE *diag, aid_errbuf *eb)
{
    memset(h, 0, sizeof *h);
    strbuf path = STRBUF_INIT, key = STRBUF_INIT;
    aid_err err = AID_OK;
    char **weeks = NULL;
    size_t nweeks = 0;
    stemmer *st = NULL;
    timeutil_week w, prev;
    h->baseline_terms = strmap_new(sizeof(int64_t));
    h->baseline_surfaces = strmap_new(sizeof(int64_t));
    h->baseline_weeks = json_object_new_array();
    h->converted_weeks = json_object_new_array();
    if (!h->baseline_terms || !h->baseline_surfaces || !h->baseline_weeks || !h->converted_weeks ||
        !timeutil_parse_week(week, &w))
        goto nomem;
    prev = timeutil_week_add(w, -1);
    char prevname[16];
    timeutil_format_week(prev, prevname, sizeof prevname);
    if (strbuf_addf(&path, "%s/%s/report.json", out_dir, prevname) < 0)
        goto nomem;
    if (read_json(path.buf, diag, &h->prev_report) < 0)
        goto nomem;
    if (list_weeks(out_dir, week, &weeks, &nweeks) < 0)
        goto nomem;
    size_t used = 0;
    /* newest first, up to HISTORY_MAX_WEEKS that have terms */
    for (size_t i = nweeks; i-- > 0 && used < HISTORY_MAX_WEEKS;) {
        strbuf_reset(&path);
        bool ok;
        if (strbuf_addf(&path, "%s/%s/terms.json", out_dir, weeks[i]) < 0 ||
            load_week(h, path.buf, weeks[i], !strcmp(weeks[i], prevname), diag, &st, &key, &ok) < 0)
            goto nomem;
        if (!ok)
            continue;
        if (jget_push(h->baseline_weeks, json_object_new_string(weeks[i])) < 0)
            goto nomem;
        used++;
    }
    /* oldest first */
    reverse(h->baseline_weeks);
    reverse(h->converted_weeks);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    history_release(h);
cleanup:
    stem_free(st);
    for (size_t i = 0; i < nweeks; i++)
        free(weeks[i]);
    free(weeks);
    strbuf_release(&key);
    strbuf_release(&path);
    return err;
}

void history_release(history *h)
{
    json_object_put(h->prev_report);
    strmap_free(h->baseline_terms);
    strmap_free(h->baseline_surfaces);
    strmap_free(h->prev_terms);
    json_object_put(h->baseline_weeks);
    json_object_put(h->converted_weeks);
    memset(h, 0, sizeof *h);
}

typedef struct term_row {
    const char *term;
    size_t len;
    int64_t count;
    const char *word; /* surfaces: the word of the stem term[0..len) */
} term_row;

static int cmp_term_row(const void *a, const void *b)
{
    const term_row *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->term, y->term, n);
    if (c || x->len != y->len)
        return c ? c : (x->len < y->len ? -1 : 1);
    return x->word && y->word ? strcmp(x->word, y->word) : 0;
}

/* The entries of terms (or, with words, of the words table by stem and
 * word) with count > 0, sorted, in *rows (free it). 0 or -1. */
static int sorted_rows(const strmap *m, bool words, term_row **rows, size_t *n)
{
    *n = 0;
    *rows = malloc((strmap_count(m) + 1) * sizeof **rows);
    if (!*rows)
        return -1;
    for (size_t i = 0; i < strmap_capacity(m); i++) {
        const char *k;
        size_t kl;
        void *v;
        if (!strmap_slot(m, i, &k, &kl, &v) || *(int64_t *)v <= 0)
            continue;
        if (!words)
            (*rows)[(*n)++] = (term_row){ k, kl, *(int64_t *)v, NULL };
        else if (((agg_word *)v)->stem)
            (*rows)[(*n)++] = (term_row){ ((agg_word *)v)->stem, ((agg_word *)v)->stem_len, *(int64_t *)v, k };
    }
    qsort(*rows, *n, sizeof **rows, cmp_term_row);
    return 0;
}

/* {"stem": {"word": count}} from the sorted rows of the words table. 0 or -1. */
static int surfaces_json(struct json_object *o, const term_row *rows, size_t n)
{
    struct json_object *forms = NULL;
    char *name = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!i || cmp_term_row(&(term_row){ rows[i].term, rows[i].len, 0, NULL },
                               &(term_row){ rows[i - 1].term, rows[i - 1].len, 0, NULL })) {
            free(name);
            if (!(name = strndup(rows[i].term, rows[i].len)) || jget_set(o, name, forms = json_object_new_object()) < 0)
                goto fail;
        }
        if (jget_set(forms, rows[i].word, json_object_new_int64(rows[i].count)) < 0)
            goto fail;
    }
    free(name);
    return 0;
fail:
    free(name);
    return -1;
}

static int terms_json(struct json_object *o, const char *week, int64_t messages, const term_row *rows, size_t n,
                      const term_row *srows, size_t ns)
{
    struct json_object *t = json_object_new_object(), *p = json_object_new_object(), *s = json_object_new_object();
    if (jget_set(o, "week", json_object_new_string(week)) < 0 ||
        jget_set(o, "format", json_object_new_int(HISTORY_TERMS_FORMAT)) < 0 ||
        jget_set(o, "messages", json_object_new_int64(messages)) < 0) {
        json_object_put(t);
        json_object_put(p);
        json_object_put(s);
        return -1;
    }
    /* added first, so that a failure below leaves them to o */
    if (jget_set(o, "terms", t) < 0) {
        json_object_put(p);
        json_object_put(s);
        return -1;
    }
    if (jget_set(o, "phrases", p) < 0) {
        json_object_put(s);
        return -1;
    }
    if (jget_set(o, "surfaces", s) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) /* the table's keys are NUL-terminated */
        if (jget_set(memchr(rows[i].term, ' ', rows[i].len) ? p : t, rows[i].term,
                     json_object_new_int64(rows[i].count)) < 0)
            return -1;
    return surfaces_json(s, srows, ns);
}

aid_err history_write_terms(const char *path, const char *week, int64_t messages,
                            const strmap *terms, const strmap *words, aid_errbuf *eb)
{
    size_t n = 0, ns = 0;
    term_row *rows = NULL, *srows = NULL;
    strbuf out = STRBUF_INIT;
    struct json_object *o = NULL;
    aid_err err = AID_OK;
    if (sorted_rows(terms, false, &rows, &n) < 0 || sorted_rows(words, true, &srows, &ns) < 0 ||
        !(o = json_object_new_object()) || terms_json(o, week, messages, rows, n, srows, ns) < 0 ||
        jget_append(&out, o, false) < 0)
        goto nomem;
    err = fsutil_write_atomic(path, out.buf, out.len, eb);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    json_object_put(o);
    strbuf_release(&out);
    free(srows);
    free(rows);
    return err;
}
