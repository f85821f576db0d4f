#include "read/ingest.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/base64.h"
#include "read/event.h"
#include "common/fsutil.h"
#include "common/strbuf.h"
#include "common/textnorm.h"

#define INGEST_BATCH_BYTES (1024 * 1024)

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
    aid_err err;
    int64_t nbad;
} worker;

static int push_loser(worker *w, uint64_t pos)
{
    if (w->nlosers == w->losers_cap) {
        size_t n = w->losers_cap ? w->losers_cap * 2 : 64;
        uint64_t *nl = realloc(w->losers, n * sizeof *nl);
        if (!nl)
            return -1;
        w->losers = nl;
        w->losers_cap = n;
    }
    w->losers[w->nlosers++] = pos;
    return 0;
}

static void json_add_text(struct json_object *o, const char *key, const char *s, size_t len)
{
    strbuf sb = STRBUF_INIT;
    if (textnorm_utf8_sanitize(s, len, &sb) == 0)
        json_object_object_add(o, key, json_object_new_string_len(sb.buf, (int)sb.len));
    strbuf_release(&sb);
}

static int worker_bad(worker *w, const logread_batch *b, const logread_line *ln, event_bad reason,
                      const char *detail)
{
    agg_dq *dq = &w->agg->dq;
    dq->bad_lines++;
    dq->bad_by_reason[reason]++;
    w->nbad++;
    const char *line = b->data + ln->off;
    struct json_object *o = json_object_new_object();
    if (!o)
        return -1;
    json_object_object_add(o, "file", json_object_new_string(w->files->paths[b->file]));
    json_object_object_add(o, "line", json_object_new_int64((int64_t)ln->lineno));
    json_object_object_add(o, "reason", json_object_new_string(event_bad_name(reason)));
    json_object_object_add(o, "detail", json_object_new_string(detail));
    json_add_text(o, "text", line, ln->len);
    if (ln->len < ln->full_len) {
        json_object_object_add(o, "truncated", json_object_new_boolean(1));
        json_object_object_add(o, "length", json_object_new_int64((int64_t)ln->full_len));
    }
    if (!textnorm_utf8_valid(line, ln->len)) {
        strbuf b64 = STRBUF_INIT;
        if (base64_encode(&b64, line, ln->len) == 0)
            json_object_object_add(o, "raw_base64", json_object_new_string_len(b64.buf, (int)b64.len));
        strbuf_release(&b64);
    }
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    int rc = fprintf(w->bad, "%016llx\t%s\n",
                     (unsigned long long)IDINDEX_POS(b->file, ln->lineno), s) < 0 ? -1 : 0;
    json_object_put(o);
    return rc;
}

static bool is_blank(const char *s, size_t len)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) /* a byte order mark is ignored */
        i = 3;
    for (; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static int worker_line(worker *w, event_parser *p, const logread_batch *b, const logread_line *ln)
{
    agg *a = w->agg;
    a->dq.lines++;
    const char *line = b->data + ln->off;
    char detail[256];
    event ev;
    event_bad r;
    if (ln->full_len > w->opts->max_line) {
        snprintf(detail, sizeof detail, "line of %zu bytes is longer than the limit of %zu bytes",
                 ln->full_len, w->opts->max_line);
        return worker_bad(w, b, ln, EVENT_BAD_LINE_TOO_LONG, detail);
    }
    if (is_blank(line, ln->len)) {
        a->dq.blank_lines++;
        return 0;
    }
    r = event_parse(p, line, ln->len, &ev, detail, sizeof detail);
    if (r != EVENT_OK)
        return worker_bad(w, b, ln, r, detail);
    a->dq.events++;
    uint64_t pos = IDINDEX_POS(b->file, ln->lineno);
    switch (ev.type) {
    case EVENT_SUGGESTION: {
        uint64_t loser;
        int dup = idindex_put(w->ids, ev.id.s, ev.id.len, pos, &loser);
        if (dup < 0 || (dup == 1 && push_loser(w, loser) < 0))
            return -1;
        return agg_add_suggestion(a, &ev, +1, pos);
    }
    case EVENT_CORRECTION:
        return agg_add_correction(a, &ev, pos);
    case EVENT_PROMPT_UPDATE:
        return agg_add_prompt_update(a, &ev, pos);
    case EVENT_UNKNOWN_TYPE:
        a->dq.unknown_types++;
        return 0;
    }
    return 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    event_parser *p = event_parser_new(w->opts->max_line);
    if (!p)
        w->err = AID_ERR_NOMEM;
    for (;;) {
        logread_batch *b = queue_pop(w->full);
        if (!b)
            break;
        for (size_t i = 0; i < b->nlines && !w->err; i++)
            if (worker_line(w, p, b, &b->lines[i]) < 0)
                w->err = AID_ERR_NOMEM;
        queue_push(w->free_q, b);
    }
    event_parser_free(p);
    return NULL;
}

/* ---- the quarantine: merging the workers' records in input order ---- */

static aid_err quarantine_write(const ingest_opts *o, worker *ws, int n, aid_errbuf *eb)
{
    fsutil_afile af = { 0 };
    aid_err err = AID_OK;
    int64_t total = 0;
    char **cur = calloc((size_t)n, sizeof *cur);
    size_t *caps = calloc((size_t)n, sizeof *caps);
    if (!cur || !caps) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (int i = 0; i < n; i++) {
        total += ws[i].nbad;
        rewind(ws[i].bad);
        if (getline(&cur[i], &caps[i], ws[i].bad) < 0) {
            free(cur[i]);
            cur[i] = NULL;
        }
    }
    if (o->rejected_path) {
        if (total == 0) {
            if (unlink(o->rejected_path) < 0 && errno != ENOENT)
                err = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot remove: %s", o->rejected_path,
                                     strerror(errno));
            goto cleanup;
        }
        if ((err = fsutil_afile_open(&af, o->rejected_path, eb)))
            goto cleanup;
    }
    int cap = o->diag_cap > 0 ? o->diag_cap : INGEST_DEFAULT_DIAG_CAP;
    int64_t shown = 0;
    for (;;) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if (cur[i] && (best < 0 || strncmp(cur[i], cur[best], 16) < 0))
                best = i;
        if (best < 0)
            break;
        char *rec = cur[best] + 17;
        if (af.fp)
            fputs(rec, af.fp);
        if (o->diag && shown < cap) {
            struct json_object *j = json_tokener_parse(rec);
            fprintf(o->diag, "aidigest: %s:%lld: %s: %s\n",
                    json_object_get_string(json_object_object_get(j, "file")),
                    (long long)json_object_get_int64(json_object_object_get(j, "line")),
                    json_object_get_string(json_object_object_get(j, "reason")),
                    json_object_get_string(json_object_object_get(j, "detail")));
            json_object_put(j);
        }
        shown++;
        if (getline(&cur[best], &caps[best], ws[best].bad) < 0) {
            free(cur[best]);
            cur[best] = NULL;
        }
    }
    if (o->diag && total > cap)
        fprintf(o->diag, "aidigest: ... and %lld more bad lines\n", (long long)(total - cap));
    if (af.fp)
        err = fsutil_afile_commit(&af, eb);
cleanup:
    fsutil_afile_abort(&af);
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

static int pass2_event(const event *ev, uint64_t pos, void *vctx)
{
    pass2_ctx *c = vctx;
    while (c->next < c->nt && c->t[c->next].pos < pos)
        c->next++;
    if (c->next >= c->nt || c->t[c->next].pos != pos || ev->type != EVENT_SUGGESTION)
        return 0;
    if (c->t[c->next].kind == TARGET_LOSER)
        return agg_add_suggestion(c->a, ev, -1, pos);
    bool is_new;
    joined *jn = strmap_upsert(c->join, ev->id.s, ev->id.len, &is_new);
    if (!jn)
        return -1;
    if (is_new) {
        jn->action = ev->action;
        jn->ai_reply = strndup(ev->ai_reply.s, ev->ai_reply.len);
        jn->final_reply = ev->final_reply.s ? strndup(ev->final_reply.s, ev->final_reply.len) : NULL;
        jn->customer = ev->customer_message.s ? strndup(ev->customer_message.s, ev->customer_message.len) : NULL;
    }
    return 0;
}

aid_err ingest_fetch(const logread_files *files, const uint64_t *pos, size_t n, size_t max_line,
                     ingest_fetch_fn fn, void *ctx, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    if (!max_line)
        max_line = INGEST_DEFAULT_MAX_LINE;
    event_parser *p = event_parser_new(max_line);
    logread_batch b;
    logread_batch_init(&b);
    if (!p)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    size_t ti = 0;
    while (ti < n && !err) {
        uint32_t file = IDINDEX_POS_FILE(pos[ti]);
        logread_file *r = NULL;
        if (file < files->n && logread_open(&r, files, file, max_line, NULL) == AID_OK) {
            for (;;) {
                aid_err rerr = logread_next(r, &b, INGEST_BATCH_BYTES, NULL);
                for (size_t i = 0; i < b.nlines && ti < n && IDINDEX_POS_FILE(pos[ti]) == file; i++) {
                    const logread_line *ln = &b.lines[i];
                    if (ln->lineno != IDINDEX_POS_LINE(pos[ti]))
                        continue;
                    event ev;
                    char detail[256];
                    if (ln->full_len == ln->len &&
                        event_parse(p, b.data + ln->off, ln->len, &ev, detail, sizeof detail) == EVENT_OK &&
                        fn(&ev, pos[ti], ctx) < 0) {
                        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
                        break;
                    }
                    while (ti < n && pos[ti] == IDINDEX_POS(file, ln->lineno))
                        ti++;
                }
                if (err || rerr != AID_OK || b.nlines == 0 || ti >= n || IDINDEX_POS_FILE(pos[ti]) != file)
                    break;
            }
            logread_close(r);
        }
        while (ti < n && IDINDEX_POS_FILE(pos[ti]) == file)
            ti++;
    }
    logread_batch_release(&b);
    event_parser_free(p);
    return err;
}

static aid_err pass2(const ingest_opts *o, ingest_result *res, idindex *ids, const uint64_t *losers,
                     size_t nlosers, aid_errbuf *eb)
{
    agg *a = res->agg;
    aid_err err = AID_OK;
    target *t = NULL;
    size_t nt = 0;
    strmap *join = NULL;

    if (a->ncorrections > 1)
        qsort(a->corrections, a->ncorrections, sizeof *a->corrections, cmp_correction);
    t = malloc((nlosers + a->ncorrections + 1) * sizeof *t);
    join = strmap_new(sizeof(joined));
    if (!t || !join)
        goto nomem;
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
    uint64_t *positions = malloc((nt + 1) * sizeof *positions);
    if (!positions)
        goto nomem;
    for (size_t i = 0; i < nt; i++)
        positions[i] = t[i].pos;
    pass2_ctx pc = { a, join, t, nt, 0 };
    err = ingest_fetch(&res->files, positions, nt, o->max_line, pass2_event, &pc, eb);
    free(positions);
    if (err)
        goto cleanup;
    /* the week's corrections against what they corrected */
    res->vindicated_examples = json_object_new_array();
    if (!res->vindicated_examples)
        goto nomem;
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
            agg_add_vindicated(a, jn->ai_reply, strlen(jn->ai_reply), jn->customer,
                               jn->customer ? strlen(jn->customer) : 0);
            if (json_object_array_length(res->vindicated_examples) < 5) {
                struct json_object *ex = json_object_new_object();
                json_object_object_add(ex, "suggestion_id", json_object_new_string(c->suggestion_id));
                json_object_object_add(ex, "action", json_object_new_string(event_action_name(jn->action)));
                json_object_object_add(ex, "ai_reply", json_object_new_string(jn->ai_reply));
                json_object_object_add(ex, "sent_reply", json_object_new_string(jn->final_reply));
                json_object_object_add(ex, "corrected_reply", json_object_new_string(c->corrected));
                json_object_object_add(ex, "reason", c->reason ? json_object_new_string(c->reason) : NULL);
                json_object_array_add(res->vindicated_examples, ex);
            }
        }
    }
    res->corrected_suggestions = (int64_t)strmap_count(join);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    if (join) {
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
    free(t);
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

static void file_error(ingest_result *res, const ingest_opts *o, const char *file, const char *msg)
{
    struct json_object *e = json_object_new_object();
    json_object_object_add(e, "file", json_object_new_string(file));
    json_object_object_add(e, "error", json_object_new_string(msg));
    json_object_array_add(res->file_errors, e);
    if (o->diag)
        fprintf(o->diag, "aidigest: %s\n", msg);
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
    size_t nbatches = (size_t)nw * 2 + 2;

    if ((err = logread_files_expand(&res->files, o.paths, o.npaths, eb)))
        return err;
    res->file_errors = json_object_new_array();
    ws = calloc((size_t)nw, sizeof *ws);
    batches = calloc(nbatches, sizeof *batches);
    if (!res->file_errors || !ws || !batches)
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
    for (int i = 0; i < nw; i++) {
        worker *w = &ws[i];
        w->opts = &o;
        w->files = &res->files;
        w->full = &full;
        w->free_q = &free_q;
        w->agg = agg_new(o.week_start_ms);
        w->ids = idindex_new();
        w->bad = tmpfile();
        if (!w->agg || !w->ids || !w->bad)
            goto nomem_workers;
    }
    for (int i = 0; i < nw; i++) {
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "cannot start a reading thread");
            break;
        }
        started++;
    }
    /* the reader: this thread */
    uint64_t seq = 0;
    for (uint32_t f = 0; f < res->files.n && !err; f++) {
        logread_file *r = NULL;
        aid_errbuf rb = { { 0 } };
        if (o.progress && o.diag)
            fprintf(o.diag, "aidigest: reading %s (%u/%zu)\n", res->files.paths[f], f + 1, res->files.n);
        if (logread_open(&r, &res->files, f, o.max_line, &rb) != AID_OK) {
            file_error(res, &o, res->files.paths[f], rb.msg);
            continue;
        }
        for (;;) {
            logread_batch *b = queue_pop(&free_q);
            aid_err rerr = logread_next(r, b, INGEST_BATCH_BYTES, &rb);
            b->seq = seq++;
            if (b->nlines)
                queue_push(&full, b);
            else
                queue_push(&free_q, b);
            if (rerr == AID_ERR_NOMEM) {
                err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
                break;
            }
            if (rerr != AID_OK) {
                file_error(res, &o, res->files.paths[f], rb.msg);
                break;
            }
            if (!b->nlines)
                break;
        }
        logread_close(r);
    }
    for (int i = 0; i < started; i++)
        queue_push(&full, NULL);
    for (int i = 0; i < started; i++)
        pthread_join(ws[i].thread, NULL);
    if (err)
        goto cleanup;
    for (int i = 0; i < nw; i++)
        if (ws[i].err) {
            err = aid_errbuf_set(eb, ws[i].err, "reading: %s", aid_strerror(ws[i].err));
            goto cleanup;
        }
    /* merge */
    res->agg = ws[0].agg;
    ws[0].agg = NULL;
    ids = ws[0].ids;
    ws[0].ids = NULL;
    for (size_t k = 0; k < ws[0].nlosers; k++)
        loser_collect(ws[0].losers[k], &losers);
    for (int i = 1; i < nw; i++) {
        if (agg_merge(res->agg, ws[i].agg) < 0 || idindex_merge(ids, ws[i].ids, loser_collect, &losers) < 0)
            goto nomem;
        for (size_t k = 0; k < ws[i].nlosers; k++)
            loser_collect(ws[i].losers[k], &losers);
    }
    if (losers.failed)
        goto nomem;
    if ((err = quarantine_write(&o, ws, nw, eb)))
        goto cleanup;
    err = pass2(&o, res, ids, losers.v, losers.n, eb);
    goto cleanup;
nomem_workers:
    for (int i = 0; i < started; i++)
        queue_push(&full, NULL);
    for (int i = 0; i < started; i++)
        pthread_join(ws[i].thread, NULL);
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    free(losers.v);
    idindex_free(ids);
    if (ws)
        for (int i = 0; i < nw; i++) {
            agg_free(ws[i].agg);
            idindex_free(ws[i].ids);
            free(ws[i].losers);
            if (ws[i].bad)
                fclose(ws[i].bad);
        }
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
}
