#include "read/ingest.h"
#include "common/escape.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "common/numfmt.h"
#include "common/strbuf.h"
#include "common/textnorm.h"
#include "common/timeutil.h"
#include "read/read.h"

/* ---- the batch queue between the reader and the workers ---- */

typedef struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    logread_batch **items;
    size_t cap, head, count;
} queue;

static int queue_init(queue *q, size_t cap)
{
    q->items = calloc(cap, sizeof *q->items);
    if (!q->items)
        return -1;
    q->cap = cap;
    q->head = q->count = 0;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    return 0;
}

static void queue_release(queue *q)
{
    free(q->items);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
}

/* The queues never hold more than the number of batches, so push never
 * waits. */
static void queue_push(queue *q, logread_batch *b)
{
    pthread_mutex_lock(&q->mu);
    q->items[(q->head + q->count) % q->cap] = b;
    q->count++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static logread_batch *queue_pop(queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (!q->count)
        pthread_cond_wait(&q->cv, &q->mu);
    logread_batch *b = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    pthread_mutex_unlock(&q->mu);
    return b;
}

/* ---- workers ---- */

/* A file's times in one week: how many. */
typedef struct fweek_count {
    uint32_t file;
    int64_t week, n;
} fweek_count;

typedef struct worker {
    pthread_t thread;
    const ingest_opts *opts;
    const logread_files *files;
    queue *full, *free_q;
    agg *agg;
    idindex *ids;
    uint64_t *losers;
    size_t nlosers, losers_cap;
    FILE *bad;      /* "<pos hex>\t<json>\n" records, in position order */
    char *bad_path; /* its name (the file itself is unlinked at once) */
    aid_err err;
    aid_errbuf eb;
    int64_t nbad;
    fweek_count *fweeks;     /* how many times of each file fall in each week */
    size_t nfweeks, fweeks_cap, fweeks_last;
    int64_t *weeks;        /* the weeks (Monday 00:00 UTC, ms) with a suggestion, unsorted */
    size_t nweeks, weeks_cap;
    int64_t other[EVENT_BAD__COUNT], nother; /* own_week_only: bad lines of other weeks */
    uint64_t *wpos;          /* opts->week_positions: the week's suggestions, winners or not */
    size_t nwpos, wpos_cap;
    size_t nlog_files;       /* positions in later files (the deltas) are not kept */
} worker;

/* Monday 00:00 UTC of the week of ms (1970-01-01 was a Thursday). */
static int64_t week_start_of(int64_t ms)
{
    int64_t x = ms + 3 * TIMEUTIL_DAY_MS;
    int64_t k = x / TIMEUTIL_WEEK_MS;
    if (x % TIMEUTIL_WEEK_MS < 0)
        k--;
    return k * TIMEUTIL_WEEK_MS - 3 * TIMEUTIL_DAY_MS;
}

static bool in_own_week(const ingest_opts *o, int64_t ms)
{
    return ms >= o->week_start_ms && ms - o->week_start_ms < TIMEUTIL_WEEK_MS;
}

/* One more time of file in the week of ms (the last one counted is
 * checked first: a file's lines come mostly in time order). -1 when out
 * of memory. */
static int worker_saw_time(worker *w, uint32_t file, int64_t ms)
{
    int64_t ws = week_start_of(ms);
    fweek_count *l = w->nfweeks ? &w->fweeks[w->fweeks_last] : NULL;
    if (l && l->file == file && l->week == ws) {
        l->n++;
        return 0;
    }
    for (size_t i = w->nfweeks; i-- > 0;)
        if (w->fweeks[i].file == file && w->fweeks[i].week == ws) {
            w->fweeks[i].n++;
            w->fweeks_last = i;
            return 0;
        }
    if (w->nfweeks == w->fweeks_cap) {
        size_t n = w->fweeks_cap ? w->fweeks_cap * 2 : 16;
        fweek_count *nv = realloc(w->fweeks, n * sizeof *nv);
        if (!nv)
            return -1;
        w->fweeks = nv;
        w->fweeks_cap = n;
    }
    w->fweeks[w->nfweeks] = (fweek_count){ file, ws, 1 };
    w->fweeks_last = w->nfweeks++;
    return 0;
}

/* Note the week of a suggestion (the last one found is checked first: logs
 * come mostly in time order). -1 when out of memory. */
static int worker_saw_week(worker *w, int64_t ms)
{
    int64_t ws = week_start_of(ms);
    for (size_t i = w->nweeks; i-- > 0;)
        if (w->weeks[i] == ws)
            return 0;
    if (w->nweeks == w->weeks_cap) {
        size_t n = w->weeks_cap ? w->weeks_cap * 2 : 16;
        int64_t *nv = realloc(w->weeks, n * sizeof *nv);
        if (!nv)
            return -1;
        w->weeks = nv;
        w->weeks_cap = n;
    }
    w->weeks[w->nweeks++] = ws;
    return 0;
}

bool ingest_bad_line_time(const char *text, size_t len, int64_t *ms)
{
    const char *end = text + len;
    for (const char *p = text; p + 4 <= end; p++) {
        p = memchr(p, '"', (size_t)(end - p));
        if (!p || end - p < 4)
            return false;
        if (memcmp(p, "\"ts\"", 4) || (p > text && p[-1] == '\\'))
            continue;
        const char *q = p + 4;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q == end || *q != ':')
            continue;
        q++;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q == end || *q != '"')
            return false;
        const char *v = ++q;
        while (q < end && *q != '"' && q - v < 64)
            q++;
        return q < end && *q == '"' && timeutil_parse_rfc3339(v, (size_t)(q - v), ms);
    }
    return false;
}

static aid_err worker_loser(void *ctx, uint64_t pos, aid_errbuf *eb)
{
    worker *w = ctx;
    if (w->nlosers == w->losers_cap) {
        size_t n = w->losers_cap ? w->losers_cap * 2 : 64;
        uint64_t *nl = realloc(w->losers, n * sizeof *nl);
        if (!nl)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        w->losers = nl;
        w->losers_cap = n;
    }
    w->losers[w->nlosers++] = pos;
    return AID_OK;
}

/* A suggestion of the week at pos, for ingest_result.week_positions. -1
 * when out of memory. */
static int worker_week_position(worker *w, int64_t ms, uint64_t pos)
{
    if (!w->opts->week_positions || !in_own_week(w->opts, ms) || IDINDEX_POS_FILE(pos) >= w->nlog_files)
        return 0;
    if (w->nwpos == w->wpos_cap) {
        size_t n = w->wpos_cap ? w->wpos_cap * 2 : 1024;
        uint64_t *nv = realloc(w->wpos, n * sizeof *nv);
        if (!nv)
            return -1;
        w->wpos = nv;
        w->wpos_cap = n;
    }
    w->wpos[w->nwpos++] = pos;
    return 0;
}

static int json_put_text(struct json_object *o, const char *key, const char *s, size_t len)
{
    strbuf sb = STRBUF_INIT;
    int rc = textnorm_utf8_sanitize(s, len, &sb) == 0 ? jget_set(o, key, json_object_new_string_len(sb.buf, (int)sb.len)) : -1;
    strbuf_release(&sb);
    return rc;
}

/* The quarantine record of a bad line: {file, line, reason, detail, text,
 * [truncated, length], [raw_base64]}; NULL when out of memory. */
static struct json_object *bad_record(const char *file, const read_bad_line *bl)
{
    struct json_object *o = json_object_new_object();
    if (!o || jget_set(o, "file", json_object_new_string(file)) < 0 ||
        jget_set(o, "line", json_object_new_int64((int64_t)bl->lineno)) < 0 ||
        jget_set(o, "reason", json_object_new_string(event_bad_name(bl->reason))) < 0 ||
        jget_set(o, "detail", json_object_new_string(bl->detail)) < 0 ||
        json_put_text(o, "text", bl->text, bl->len) < 0)
        goto nomem;
    if (bl->len < bl->full_len && (jget_set(o, "truncated", json_object_new_boolean(1)) < 0 ||
                                   jget_set(o, "length", json_object_new_int64((int64_t)bl->full_len)) < 0))
        goto nomem;
    if (!textnorm_utf8_valid(bl->text, bl->len)) {
        strbuf b64 = STRBUF_INIT;
        int rc = base64_encode(&b64, bl->text, bl->len) == 0
                     ? jget_set(o, "raw_base64", json_object_new_string_len(b64.buf, (int)b64.len))
                     : -1;
        strbuf_release(&b64);
        if (rc < 0)
            goto nomem;
    }
    return o;
nomem:
    json_object_put(o);
    return NULL;
}

/* A bad line into the worker's scratch file: "<pos hex>\t<mark>\t<json>",
 * the mark '-' for a line that is the week's, or 'A' + its reason for one
 * without a time (own_week_only), which belongs to its file's week (known
 * only when every worker is done). With own_week_only a line of another
 * week is only counted. */
static aid_err worker_bad(void *ctx, const read_bad_line *bl, aid_errbuf *eb)
{
    worker *w = ctx;
    int64_t ts;
    bool timed = ingest_bad_line_time(bl->text, bl->len, &ts);
    if (timed && worker_saw_time(w, bl->file, ts) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (w->opts->own_week_only && timed && !in_own_week(w->opts, ts)) {
        w->other[bl->reason]++;
        w->nother++;
        return AID_OK;
    }
    char mark = w->opts->own_week_only && !timed ? (char)('A' + bl->reason) : '-';
    w->nbad++;
    struct json_object *o = bad_record(w->files->paths[bl->file], bl);
    if (!o)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    aid_err err = AID_OK;
    if (!s)
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    else if (fprintf(w->bad, "%016llx\t%c\t%s\n", (unsigned long long)IDINDEX_POS(bl->file, bl->lineno), mark,
                     s) < 0)
        err = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot write the bad lines: %s", w->bad_path, strerror(errno));
    json_object_put(o);
    return err;
}

static aid_err worker_event(void *ctx, const event *ev, uint64_t pos, aid_errbuf *eb)
{
    worker *w = ctx;
    agg *a = w->agg;
    int rc = 0;
    if (ev->type != EVENT_UNKNOWN_TYPE && worker_saw_time(w, IDINDEX_POS_FILE(pos), ev->ts_ms) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    switch (ev->type) {
    case EVENT_SUGGESTION:
        rc = agg_add_suggestion(a, ev, +1, pos);
        if (rc == 0)
            rc = worker_saw_week(w, ev->ts_ms);
        if (rc == 0)
            rc = worker_week_position(w, ev->ts_ms, pos);
        break;
    case EVENT_CORRECTION:
        rc = agg_add_correction(a, ev, pos);
        break;
    case EVENT_PROMPT_UPDATE:
        rc = agg_add_prompt_update(a, ev, pos);
        break;
    case EVENT_OUTCOME:
        rc = convlog_add_outcome(a->convlog, ev, pos);
        break;
    case EVENT_UNKNOWN_TYPE:
        a->dq.unknown_types++;
        break;
    }
    return rc < 0 ? aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory") : AID_OK;
}

/* What the reader counted goes into the worker's data quality figures. */
static void worker_counts(worker *w, const read_counts *n)
{
    agg_dq *dq = &w->agg->dq;
    dq->lines += n->lines;
    dq->blank_lines += n->blank_lines;
    dq->events += n->events;
    dq->bad_lines += n->bad_lines;
    for (int i = 0; i < EVENT_BAD__COUNT; i++)
        dq->bad_by_reason[i] += n->bad_by_reason[i];
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    read_walker *rw = NULL;
    read_opts ro = { .max_line = w->opts->max_line, .record_ids = w->ids };
    read_sink sink = { .event = worker_event, .bad = worker_bad, .loser = worker_loser, .ctx = w };
    w->err = read_walker_new(&rw, &ro, &sink, &w->eb);
    for (;;) {
        logread_batch *b = queue_pop(w->full);
        if (!b)
            break;
        if (!w->err)
            w->err = read_walker_batch(rw, b, &w->eb);
        queue_push(w->free_q, b);
    }
    if (rw)
        worker_counts(w, read_walker_counts(rw));
    read_walker_free(rw);
    return NULL;
}

/* The worker's scratch file for bad lines, in $TMPDIR (or /tmp), unlinked
 * at once. */
static aid_err worker_scratch(worker *w, aid_errbuf *eb)
{
    const char *dir = getenv("TMPDIR");
    strbuf sb = STRBUF_INIT;
    if (strbuf_addf(&sb, "%s/aidigest-bad-XXXXXX", dir && *dir ? dir : "/tmp") < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    w->bad_path = strbuf_detach(&sb, NULL);
    if (!w->bad_path)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    int fd = mkstemp(w->bad_path);
    if (fd < 0)
        return aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot create: %s", w->bad_path, strerror(errno));
    unlink(w->bad_path);
    w->bad = fdopen(fd, "w+");
    if (!w->bad) {
        close(fd);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    return AID_OK;
}

/* ---- the quarantine: merging the workers' records in input order ---- */

/* The next record of worker i's scratch file into cur[i] (NULL at the end). */
static aid_err quarantine_next(worker *w, char **cur, size_t *cap, aid_errbuf *eb)
{
    if (getline(cur, cap, w->bad) >= 0)
        return AID_OK;
    free(*cur);
    *cur = NULL;
    if (ferror(w->bad))
        return aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot read the bad lines back: %s", w->bad_path,
                              strerror(errno));
    return AID_OK;
}

/* One line on diag for a record: "aidigest: FILE:LINE: REASON: DETAIL". */
static aid_err quarantine_show(FILE *diag, const char *rec, aid_errbuf *eb)
{
    struct json_object *j = json_tokener_parse(rec);
    if (!j)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    esc_fprintf(diag, "aidigest: %s:%lld: %s: %s\n", jget_str(j, "file", ""), (long long)jget_int(j, "line", 0),
            jget_str(j, "reason", ""), jget_str(j, "detail", ""));
    json_object_put(j);
    return AID_OK;
}

/* Every worker's scratch file written whole and rewound, its first record
 * read; total: the number of bad lines. */
static aid_err quarantine_start(worker *ws, int n, char **cur, size_t *caps, int64_t *total, aid_errbuf *eb)
{
    aid_err err;
    *total = 0;
    for (int i = 0; i < n; i++) {
        *total += ws[i].nbad;
        if (fflush(ws[i].bad) != 0 || ferror(ws[i].bad))
            return aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot write the bad lines: %s", ws[i].bad_path,
                                  strerror(errno));
        rewind(ws[i].bad);
        if ((err = quarantine_next(&ws[i], &cur[i], &caps[i], eb)))
            return err;
    }
    return AID_OK;
}

/* Append the published record of a bad line to out: its raw record rec
 * with the text replaced by a masked excerpt of at most INGEST_EXCERPT_MAX
 * bytes (ending on a UTF-8 boundary) and the detail masked too. Without
 * rules there is no excerpt. */
static aid_err quarantine_redacted(const redact_rules *rules, const char *rec, strbuf *out, aid_errbuf *eb)
{
    struct json_object *raw = json_tokener_parse(rec), *pub = json_object_new_object(), *v;
    strbuf ex = STRBUF_INIT, det = STRBUF_INIT;
    aid_err err = AID_OK;
    if (!raw || !pub)
        goto nomem;
    const char *text = "", *detail = jget_str(raw, "detail", "");
    size_t tlen = 0;
    if (json_object_object_get_ex(raw, "text", &v) && json_object_is_type(v, json_type_string)) {
        text = json_object_get_string(v);
        tlen = (size_t)json_object_get_string_len(v);
    }
    bool cut = json_object_object_get_ex(raw, "truncated", NULL);
    int64_t length = cut ? jget_int(raw, "length", (int64_t)tlen) : (int64_t)tlen;
    if (rules && (redact_text(rules, text, tlen, &ex) < 0 || redact_text(rules, detail, strlen(detail), &det) < 0))
        goto nomem;
    if (rules && ex.len > INGEST_EXCERPT_MAX) {
        size_t k = INGEST_EXCERPT_MAX;
        while (k > 0 && ((unsigned char)ex.buf[k] & 0xC0) == 0x80)
            k--;
        strbuf_setlen(&ex, k);
        cut = true;
    }
    if (jget_set(pub, "file", json_object_new_string(jget_str(raw, "file", ""))) < 0 ||
        jget_set(pub, "line", json_object_new_int64(jget_int(raw, "line", 0))) < 0 ||
        jget_set(pub, "reason", json_object_new_string(jget_str(raw, "reason", ""))) < 0 ||
        jget_set(pub, "detail", json_object_new_string(rules ? (det.buf ? det.buf : "") : detail)) < 0 ||
        (rules && jget_set(pub, "excerpt", json_object_new_string_len(ex.buf ? ex.buf : "", (int)ex.len)) < 0))
        goto nomem;
    if (cut && (jget_set(pub, "truncated", json_object_new_boolean(1)) < 0 ||
                jget_set(pub, "length", json_object_new_int64(length)) < 0))
        goto nomem;
    if (jget_append(out, pub, false) < 0)
        goto nomem;
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    json_object_put(raw);
    json_object_put(pub);
    strbuf_release(&ex);
    strbuf_release(&det);
    return err;
}

/* Open the quarantine at path (or remove an old one when there are no bad
 * lines). A NULL path: nothing. */
static aid_err quarantine_open(const char *path, int64_t total, fsutil_afile *af, aid_errbuf *eb)
{
    if (!path)
        return AID_OK;
    if (total == 0) {
        if (unlink(path) < 0 && errno != ENOENT)
            return aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot remove: %s", path, strerror(errno));
        return AID_OK;
    }
    return fsutil_afile_open(af, path, eb);
}

/* One record: raw to the raw quarantine, redacted to the published one. */
static aid_err quarantine_put(const ingest_opts *o, const char *rec, fsutil_afile *pub, fsutil_afile *raw,
                              strbuf *line, aid_errbuf *eb)
{
    if (raw->fp)
        fputs(rec, raw->fp); /* an error shows in fsutil_afile_commit */
    if (!pub->fp)
        return AID_OK;
    strbuf_reset(line);
    aid_err err = quarantine_redacted(o->redact, rec, line, eb);
    if (!err)
        fwrite(line->buf, 1, line->len, pub->fp);
    return err;
}

/* Whether a record of the scratch files is the week's: a line without a
 * time (mark 'A' + reason) is when its file's earliest time is in the week,
 * or the file has none; a line that is not is taken out of the counts. */
static bool quarantine_keeps(const ingest_opts *o, const char *line, const int64_t *file_week,
                             ingest_result *res)
{
    if (line[17] == '-')
        return true;
    uint64_t pos = strtoull(line, NULL, 16);
    int64_t week = file_week[IDINDEX_POS_FILE(pos)];
    if (week == INT64_MIN || week == o->week_start_ms)
        return true;
    int reason = line[17] - 'A';
    res->agg->dq.bad_lines--;
    if (reason >= 0 && reason < EVENT_BAD__COUNT)
        res->agg->dq.bad_by_reason[reason]--;
    res->other_week_bad_lines++;
    return false;
}

/* The workers' bad lines, merged in input order, into the quarantines and
 * (up to diag_cap) onto diag; the quarantine files are opened at the first
 * line kept, and old ones removed when none is. */
static aid_err quarantine_write(const ingest_opts *o, worker *ws, int n, const int64_t *file_week,
                                ingest_result *res, aid_errbuf *eb)
{
    fsutil_afile af = { 0 }, raw = { 0 };
    strbuf line = STRBUF_INIT;
    aid_err err = AID_OK;
    int64_t total = 0, kept = 0;
    char **cur = calloc((size_t)n, sizeof *cur);
    size_t *caps = calloc((size_t)n, sizeof *caps);
    if (!cur || !caps) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((err = quarantine_start(ws, n, cur, caps, &total, eb)))
        goto cleanup;
    int cap = o->diag_cap > 0 ? o->diag_cap : INGEST_DEFAULT_DIAG_CAP;
    for (;;) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if (cur[i] && (best < 0 || strncmp(cur[i], cur[best], 16) < 0))
                best = i;
        if (best < 0)
            break;
        if (quarantine_keeps(o, cur[best], file_week, res)) {
            char *rec = cur[best] + 19;
            if (!kept++) {
                progress_clear(o->progress);
                if ((err = quarantine_open(o->rejected_path, 1, &af, eb)) ||
                    (err = quarantine_open(o->raw_rejected_path, 1, &raw, eb)))
                    goto cleanup;
            }
            if ((err = quarantine_put(o, rec, &af, &raw, &line, eb)))
                goto cleanup;
            if (o->diag && kept <= cap && (err = quarantine_show(o->diag, rec, eb)))
                goto cleanup;
        }
        if ((err = quarantine_next(&ws[best], &cur[best], &caps[best], eb)))
            goto cleanup;
    }
    if (!kept) {
        if ((err = quarantine_open(o->rejected_path, 0, &af, eb)) ||
            (err = quarantine_open(o->raw_rejected_path, 0, &raw, eb)))
            goto cleanup;
        goto cleanup;
    }
    if (o->diag && kept > cap)
    {
        char more[32];
        esc_fprintf(o->diag, "aidigest: ... and %s more bad lines\n", numfmt_group(more, sizeof more, kept - cap));
    }
    if (raw.fp && (err = fsutil_afile_commit(&raw, eb)))
        goto cleanup;
    if (af.fp)
        err = fsutil_afile_commit(&af, eb);
cleanup:
    fsutil_afile_abort(&af);
    fsutil_afile_abort(&raw);
    strbuf_release(&line);
    if (cur)
        for (int i = 0; i < n; i++)
            free(cur[i]);
    free(cur);
    free(caps);
    return err;
}

/* ---- pass 2 ---- */

enum { TARGET_LOSER = 1, TARGET_JOIN = 2 };

typedef struct target {
    uint64_t pos;
    int kind;
} target;

static int cmp_target(const void *x, const void *y)
{
    const target *a = x, *b = y;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

typedef struct joined {
    event_action action;
    char *ai_reply, *final_reply, *customer;
} joined;

static int cmp_correction(const void *x, const void *y)
{
    const agg_correction *a = x, *b = y;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static double jaccard_text(const char *a, const char *b)
{
    uint64_t *sa = NULL, *sb = NULL;
    size_t na = 0, nb = 0;
    double j = 0.0;
    if (textnorm_word_set(a, strlen(a), &sa, &na) == 0 && textnorm_word_set(b, strlen(b), &sb, &nb) == 0)
        j = textnorm_jaccard(sa, na, sb, nb);
    free(sa);
    free(sb);
    return j;
}

/* Reading the lines of pass 2. */
typedef struct pass2_ctx {
    agg *a;
    strmap *join;
    const target *t;
    size_t nt, next;
} pass2_ctx;

static aid_err pass2_event(void *vctx, const event *ev, uint64_t pos, aid_errbuf *eb)
{
    pass2_ctx *c = vctx;
    while (c->next < c->nt && c->t[c->next].pos < pos)
        c->next++;
    if (c->next >= c->nt || c->t[c->next].pos != pos || ev->type != EVENT_SUGGESTION)
        return AID_OK;
    if (c->t[c->next].kind == TARGET_LOSER)
        return agg_add_suggestion(c->a, ev, -1, pos) < 0 ? aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory")
                                                          : AID_OK;
    bool is_new;
    joined *jn = strmap_upsert(c->join, ev->id.s, ev->id.len, &is_new);
    if (!jn)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (is_new) {
        jn->action = ev->action;
        jn->ai_reply = strndup(ev->ai_reply.s, ev->ai_reply.len);
        jn->final_reply = ev->final_reply.s ? strndup(ev->final_reply.s, ev->final_reply.len) : NULL;
        jn->customer = ev->customer_message.s ? strndup(ev->customer_message.s, ev->customer_message.len) : NULL;
        if (!jn->ai_reply || (ev->final_reply.s && !jn->final_reply) || (ev->customer_message.s && !jn->customer))
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    return AID_OK;
}

/* What pass 2 must read again, sorted by position, without repeats: the
 * losers, and the suggestions the week's corrections refer to. */
static aid_err pass2_targets(agg *a, const idindex *ids, const uint64_t *losers, size_t nlosers, target **out,
                             size_t *nout, aid_errbuf *eb)
{
    size_t nt = 0;
    target *t = malloc((nlosers + a->ncorrections + 1) * sizeof *t);
    *out = t;
    *nout = 0;
    if (!t)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (a->ncorrections > 1)
        qsort(a->corrections, a->ncorrections, sizeof *a->corrections, cmp_correction);
    for (size_t i = 0; i < nlosers; i++)
        t[nt++] = (target){ losers[i], TARGET_LOSER };
    for (size_t i = 0; i < a->ncorrections; i++) {
        uint64_t pos;
        const char *id = a->corrections[i].suggestion_id;
        if (idindex_get(ids, id, strlen(id), &pos))
            t[nt++] = (target){ pos, TARGET_JOIN };
        else
            a->dq.orphan_corrections++;
    }
    a->dq.duplicates = (int64_t)nlosers;
    if (nt) {
        qsort(t, nt, sizeof *t, cmp_target);
        size_t m = 0;
        for (size_t i = 0; i < nt; i++)
            if (!m || t[m - 1].pos != t[i].pos)
                t[m++] = t[i];
        nt = m;
    }
    *nout = nt;
    return AID_OK;
}

/* {suggestion_id, action, ai_reply, sent_reply, corrected_reply, reason} */
static int vindicated_example(struct json_object *arr, const agg_correction *c, const joined *jn)
{
    struct json_object *ex = json_object_new_object(), *reason = NULL;
    if (!ex || jget_set(ex, "suggestion_id", json_object_new_string(c->suggestion_id)) < 0 ||
        jget_set(ex, "action", json_object_new_string(event_action_name(jn->action))) < 0 ||
        jget_set(ex, "ai_reply", json_object_new_string(jn->ai_reply)) < 0 ||
        jget_set(ex, "sent_reply", json_object_new_string(jn->final_reply)) < 0 ||
        jget_set(ex, "corrected_reply", json_object_new_string(c->corrected)) < 0)
        goto nomem;
    if (c->reason && !(reason = json_object_new_string(c->reason)))
        goto nomem;
    if (json_object_object_add(ex, "reason", reason) < 0) {
        json_object_put(reason);
        goto nomem;
    }
    if (json_object_array_add(arr, ex) < 0)
        goto nomem;
    return 0;
nomem:
    json_object_put(ex);
    return -1;
}

/* The week's corrections against what they corrected. */
static aid_err pass2_vindicated(ingest_result *res, strmap *join, aid_errbuf *eb)
{
    agg *a = res->agg;
    res->vindicated_examples = json_object_new_array();
    if (!res->vindicated_examples)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < a->ncorrections; i++) {
        agg_correction *c = &a->corrections[i];
        joined *jn = strmap_get(join, c->suggestion_id, strlen(c->suggestion_id));
        if (!jn || !jn->ai_reply)
            continue;
        if ((jn->action != ACTION_EDITED && jn->action != ACTION_REJECTED) || !jn->final_reply)
            continue;
        if (jaccard_text(c->corrected, jn->ai_reply) >= INGEST_VINDICATED_SIMILAR &&
            jaccard_text(c->corrected, jn->final_reply) < INGEST_VINDICATED_SIMILAR) {
            res->vindicated++;
            if (agg_add_vindicated(a, jn->ai_reply, strlen(jn->ai_reply), jn->customer,
                                   jn->customer ? strlen(jn->customer) : 0) < 0)
                return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            if (json_object_array_length(res->vindicated_examples) < 5 &&
                vindicated_example(res->vindicated_examples, c, jn) < 0)
                return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
    }
    res->corrected_suggestions = (int64_t)strmap_count(join);
    return AID_OK;
}

static void join_free(strmap *join)
{
    if (!join)
        return;
    for (size_t i = 0; i < strmap_capacity(join); i++) {
        void *v;
        if (strmap_slot(join, i, NULL, NULL, &v)) {
            joined *jn = v;
            free(jn->ai_reply);
            free(jn->final_reply);
            free(jn->customer);
        }
    }
    strmap_free(join);
}

static aid_err pass2(const ingest_opts *o, ingest_result *res, const idindex *ids, const uint64_t *losers,
                     size_t nlosers, aid_errbuf *eb)
{
    aid_err err;
    target *t = NULL;
    size_t nt = 0;
    uint64_t *positions = NULL;
    strmap *join = strmap_new(sizeof(joined));
    if (!join) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((err = pass2_targets(res->agg, ids, losers, nlosers, &t, &nt, eb)))
        goto cleanup;
    positions = malloc((nt + 1) * sizeof *positions);
    if (!positions) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < nt; i++)
        positions[i] = t[i].pos;
    /* only those lines; one that cannot be read again is skipped */
    pass2_ctx pc = { res->agg, join, t, nt, 0 };
    read_opts ro = { .max_line = o->max_line, .only = positions, .nonly = nt };
    read_sink sink = { .event = pass2_event, .ctx = &pc };
    if (nt && (err = read_events(&res->files, &ro, &sink, NULL, eb)))
        goto cleanup;
    err = pass2_vindicated(res, join, eb);
cleanup:
    free(positions);
    free(t);
    join_free(join);
    return err;
}

/* ---- pass 1 ---- */

typedef struct loser_list {
    uint64_t *v;
    size_t n, cap;
    int failed;
} loser_list;

static void loser_collect(uint64_t pos, void *ctx)
{
    loser_list *l = ctx;
    if (l->n == l->cap) {
        size_t n = l->cap ? l->cap * 2 : 64;
        uint64_t *nv = realloc(l->v, n * sizeof *nv);
        if (!nv) {
            l->failed = 1;
            return;
        }
        l->v = nv;
        l->cap = n;
    }
    l->v[l->n++] = pos;
}

static aid_err file_error(ingest_result *res, const ingest_opts *o, const char *file, const char *msg,
                          aid_errbuf *eb)
{
    struct json_object *e = json_object_new_object();
    if (!e || jget_set(e, "file", json_object_new_string(file)) < 0 ||
        jget_set(e, "error", json_object_new_string(msg)) < 0 || json_object_array_add(res->file_errors, e) < 0) {
        json_object_put(e);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    if (o->diag) {
        progress_clear(o->progress);
        esc_fprintf(o->diag, "aidigest: %s\n", msg);
    }
    return AID_OK;
}

/* The reading side of pass 1 (this thread): every file, batch by batch,
 * to the workers. A file that cannot be read whole goes to file_errors. */
static aid_err pass1_read(const ingest_opts *o, ingest_result *res, queue *full, queue *free_q, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    uint64_t seq = 0;
    for (uint32_t f = 0; f < res->files.n && !err; f++) {
        logread_file *r = NULL;
        aid_errbuf rb = { { 0 } };
        uint64_t done = 0;
        aid_err oerr = logread_open(&r, &res->files, f, o->max_line, &rb);
        if (oerr == AID_ERR_NOMEM) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            break;
        }
        if (oerr != AID_OK) {
            err = file_error(res, o, res->files.paths[f], rb.msg, eb);
            continue;
        }
        for (;;) {
            logread_batch *b = queue_pop(free_q);
            aid_err rerr = logread_next(r, b, READ_BATCH_BYTES, &rb);
            uint64_t now = logread_raw_bytes(r);
            progress_add(o->progress, now - done, b->nlines);
            done = now;
            b->seq = seq++;
            if (b->nlines)
                queue_push(full, b);
            else
                queue_push(free_q, b);
            if (rerr == AID_ERR_NOMEM) {
                err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
                break;
            }
            if (rerr != AID_OK) {
                err = file_error(res, o, res->files.paths[f], rb.msg, eb);
                break;
            }
            if (!b->nlines)
                break;
        }
        logread_close(r);
    }
    return err;
}

/* Fold the workers' aggregates and id indexes into res->agg and *ids; the
 * losers of every worker, and of the merge, into losers. */
static aid_err pass1_merge(worker *ws, int nw, ingest_result *res, idindex **ids, loser_list *losers,
                           aid_errbuf *eb)
{
    for (int i = 0; i < nw; i++)
        if (ws[i].err)
            return aid_errbuf_set(eb, ws[i].err, "%s", aid_errbuf_msg(&ws[i].eb, ws[i].err));
    res->agg = ws[0].agg;
    ws[0].agg = NULL;
    *ids = ws[0].ids;
    ws[0].ids = NULL;
    for (size_t k = 0; k < ws[0].nlosers; k++)
        loser_collect(ws[0].losers[k], losers);
    for (int i = 1; i < nw; i++) {
        if (agg_merge(res->agg, ws[i].agg) < 0 || idindex_merge(*ids, ws[i].ids, loser_collect, losers) < 0)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < ws[i].nlosers; k++)
            loser_collect(ws[i].losers[k], losers);
    }
    return losers->failed ? aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory") : AID_OK;
}

static aid_err worker_setup(worker *w, const ingest_opts *o, const ingest_result *res, queue *full, queue *free_q,
                            aid_errbuf *eb)
{
    aid_err err;
    w->opts = o;
    w->files = &res->files;
    w->full = full;
    w->free_q = free_q;
    w->nlog_files = res->nlog_files;
    if ((err = agg_new(&w->agg, o->week_start_ms, eb)) || (err = idindex_new(&w->ids, eb)))
        return err;
    w->agg->redact = o->redact;
    return worker_scratch(w, eb);
}

static void worker_release(worker *w)
{
    agg_free(w->agg);
    idindex_free(w->ids);
    free(w->losers);
    free(w->wpos);
    free(w->fweeks);
    free(w->weeks);
    if (w->bad)
        fclose(w->bad);
    free(w->bad_path);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int cmp_file_week(const void *x, const void *y)
{
    const fweek_count *a = x, *b = y;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->week > b->week) - (a->week < b->week);
}

/* The weeks with a suggestion, from every worker, into res (sorted, once
 * each). -1 when out of memory. */
static int pass1_suggestion_weeks(worker *ws, int nw, ingest_result *res)
{
    size_t n = 0;
    for (int i = 0; i < nw; i++)
        n += ws[i].nweeks;
    res->suggestion_weeks = malloc((n ? n : 1) * sizeof *res->suggestion_weeks);
    if (!res->suggestion_weeks)
        return -1;
    size_t k = 0;
    for (int i = 0; i < nw; i++) {
        if (ws[i].nweeks)
            memcpy(res->suggestion_weeks + k, ws[i].weeks, ws[i].nweeks * sizeof *ws[i].weeks);
        k += ws[i].nweeks;
    }
    qsort(res->suggestion_weeks, k, sizeof *res->suggestion_weeks, cmp_i64);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (!u || res->suggestion_weeks[u - 1] != res->suggestion_weeks[i])
            res->suggestion_weeks[u++] = res->suggestion_weeks[i];
    res->nsuggestion_weeks = u;
    return 0;
}

/* Each file's week (file_week, room for every file): the week most of its
 * readable times fall in (the earliest of a tie; INT64_MIN: none), the
 * week of its bad lines without a time. The same for any number of jobs.
 * -1 when out of memory. */
static int pass1_file_weeks(worker *ws, int nw, size_t nfiles, int64_t *file_week)
{
    size_t n = 0;
    for (int i = 0; i < nw; i++)
        n += ws[i].nfweeks;
    fweek_count *all = malloc((n ? n : 1) * sizeof *all);
    if (!all)
        return -1;
    size_t k = 0;
    for (int i = 0; i < nw; i++) {
        if (ws[i].nfweeks)
            memcpy(all + k, ws[i].fweeks, ws[i].nfweeks * sizeof *all);
        k += ws[i].nfweeks;
    }
    qsort(all, k, sizeof *all, cmp_file_week);
    for (size_t f = 0; f < nfiles; f++)
        file_week[f] = INT64_MIN;
    int64_t *best = calloc(nfiles ? nfiles : 1, sizeof *best);
    if (!best) {
        free(all);
        return -1;
    }
    for (size_t i = 0; i < k;) {
        size_t j = i;
        int64_t cnt = 0;
        while (j < k && all[j].file == all[i].file && all[j].week == all[i].week)
            cnt += all[j++].n;
        uint32_t f = all[i].file;
        if (f < nfiles && cnt > best[f]) { /* ascending weeks: a tie keeps the earlier */
            best[f] = cnt;
            file_week[f] = all[i].week;
        }
        i = j;
    }
    free(best);
    free(all);
    return 0;
}

/* What the workers found about weeks into res and file_week; the bad
 * lines of other weeks taken out of the counts. -1 when out of memory. */
static int pass1_weeks(worker *ws, int nw, ingest_result *res, int64_t *file_week)
{
    if (pass1_suggestion_weeks(ws, nw, res) < 0 || pass1_file_weeks(ws, nw, res->files.n, file_week) < 0)
        return -1;
    for (int i = 0; i < nw; i++) {
        res->agg->dq.bad_lines -= ws[i].nother;
        res->other_week_bad_lines += ws[i].nother;
        for (int r = 0; r < EVENT_BAD__COUNT; r++)
            res->agg->dq.bad_by_reason[r] -= ws[i].other[r];
    }
    return 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* res->week_positions: every worker's suggestions of the week, ascending,
 * without the losers (losers is sorted here). -1 when out of memory. */
static int pass1_week_positions(worker *ws, int nw, loser_list *losers, ingest_result *res)
{
    size_t n = 0;
    for (int i = 0; i < nw; i++)
        n += ws[i].nwpos;
    uint64_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t k = 0;
    for (int i = 0; i < nw; i++) {
        if (ws[i].nwpos)
            memcpy(v + k, ws[i].wpos, ws[i].nwpos * sizeof *v);
        k += ws[i].nwpos;
    }
    qsort(v, k, sizeof *v, cmp_u64);
    if (losers->n > 1)
        qsort(losers->v, losers->n, sizeof *losers->v, cmp_u64);
    size_t u = 0, l = 0;
    for (size_t i = 0; i < k; i++) {
        while (l < losers->n && losers->v[l] < v[i])
            l++;
        if (l < losers->n && losers->v[l] == v[i])
            continue;
        v[u++] = v[i];
    }
    res->week_positions = v;
    res->nweek_positions = u;
    return 0;
}

/* The bytes on disk of every file, for the progress display. */
static uint64_t files_size(const logread_files *files)
{
    uint64_t total = 0;
    struct stat st;
    for (size_t i = 0; i < files->n; i++)
        if (stat(files->paths[i], &st) == 0 && S_ISREG(st.st_mode))
            total += (uint64_t)st.st_size;
    return total;
}

/* The files to read: the paths, then the deltas file when it exists
 * (*nlogs: how many are not it). */
static aid_err ingest_files(const ingest_opts *o, logread_files *files, size_t *nlogs, aid_errbuf *eb)
{
    bool deltas = o->deltas_path && fsutil_exists(o->deltas_path);
    const char **paths = malloc((o->npaths + 1) * sizeof *paths);
    if (!paths)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < o->npaths; i++)
        paths[n++] = o->paths[i];
    if (deltas)
        paths[n++] = o->deltas_path;
    aid_err err = logread_files_expand(files, paths, n, eb);
    *nlogs = files->n - (!err && deltas);
    free(paths);
    return err;
}

aid_err ingest_run(const ingest_opts *opts, ingest_result *res, aid_errbuf *eb)
{
    ingest_opts o = *opts;
    if (!o.max_line)
        o.max_line = INGEST_DEFAULT_MAX_LINE;
    int nw = o.jobs > 0 ? o.jobs : 1;
    memset(res, 0, sizeof *res);
    aid_err err = AID_OK;
    worker *ws = NULL;
    logread_batch *batches = NULL;
    queue full, free_q;
    bool queues = false;
    int started = 0;
    loser_list losers = { 0 };
    idindex *ids = NULL;
    int64_t *file_week = NULL;
    size_t nbatches = (size_t)nw * 2 + 2;

    if ((err = ingest_files(&o, &res->files, &res->nlog_files, eb)))
        return err;
    progress_stage(o.progress, "read", files_size(&res->files));
    res->file_errors = json_object_new_array();
    ws = calloc((size_t)nw, sizeof *ws);
    batches = calloc(nbatches, sizeof *batches);
    file_week = malloc((res->files.n ? res->files.n : 1) * sizeof *file_week);
    if (!res->file_errors || !ws || !batches || !file_week)
        goto nomem;
    if (queue_init(&full, nbatches + (size_t)nw) < 0)
        goto nomem;
    if (queue_init(&free_q, nbatches) < 0) {
        queue_release(&full);
        goto nomem;
    }
    queues = true;
    for (size_t i = 0; i < nbatches; i++) {
        logread_batch_init(&batches[i]);
        queue_push(&free_q, &batches[i]);
    }
    for (int i = 0; i < nw; i++)
        if ((err = worker_setup(&ws[i], &o, res, &full, &free_q, eb)))
            goto cleanup;
    for (int i = 0; i < nw; i++) {
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "cannot start a reading thread");
            break;
        }
        started++;
    }
    if (!err)
        err = pass1_read(&o, res, &full, &free_q, eb);
    for (int i = 0; i < started; i++)
        queue_push(&full, NULL);
    for (int i = 0; i < started; i++)
        pthread_join(ws[i].thread, NULL);
    if (err || (err = pass1_merge(ws, nw, res, &ids, &losers, eb)))
        goto cleanup;
    if (pass1_weeks(ws, nw, res, file_week) < 0 ||
        (o.week_positions && pass1_week_positions(ws, nw, &losers, res) < 0))
        goto nomem;
    if ((err = quarantine_write(&o, ws, nw, file_week, res, eb)))
        goto cleanup;
    err = pass2(&o, res, ids, losers.v, losers.n, eb);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    free(file_week);
    free(losers.v);
    idindex_free(ids);
    if (ws)
        for (int i = 0; i < nw; i++)
            worker_release(&ws[i]);
    free(ws);
    if (batches)
        for (size_t i = 0; i < nbatches; i++)
            logread_batch_release(&batches[i]);
    free(batches);
    if (queues) {
        queue_release(&full);
        queue_release(&free_q);
    }
    if (err)
        ingest_result_release(res);
    return err;
}

void ingest_result_release(ingest_result *res)
{
    agg_free(res->agg);
    res->agg = NULL;
    logread_files_release(&res->files);
    json_object_put(res->file_errors);
    json_object_put(res->vindicated_examples);
    res->file_errors = res->vindicated_examples = NULL;
    free(res->suggestion_weeks);
    res->suggestion_weeks = NULL;
    res->nsuggestion_weeks = 0;
    free(res->week_positions);
    res->week_positions = NULL;
    res->nweek_positions = 0;
}
