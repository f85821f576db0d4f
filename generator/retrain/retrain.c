#include "retrain/retrain.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "read/read.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "compute/compute.h"
#include "common/strmap.h"
#include "common/textnorm.h"
#include "common/timeutil.h"

#define RETRAIN_BATCH (1024 * 1024)
#define RETRAIN_MAX_LINE (1024 * 1024)

/* One reply of one prompt (value of prompt_stats.replies). */
typedef struct reply_stats {
    int64_t suggested, accepted, used, rejected;
    uint64_t first_pos;
    char *text;      /* first original text, in input order */
    char *customer;  /* the customer message it first answered */
} reply_stats;

typedef struct prompt_stats {
    strmap *replies;          /* normalised reply -> reply_stats */
    int64_t n, accepted;
    char *version;            /* prompt_version of the latest suggestion */
    int64_t version_ts;
    char **corrected;         /* QA-corrected replies, input order */
    char **corrected_customer;
    size_t ncorrected;
} prompt_stats;

typedef struct correction {
    char *reply;
    uint64_t pos;
} correction;

/* The latest prompt_update of a prompt: what it removed must not come
 * back as an example. */
typedef struct prompt_update {
    int64_t ts;
    struct json_object *removed; /* array of strings, or NULL */
} prompt_update;

typedef struct retrain_state {
    const retrain_opts *o;
    int64_t start, end;
    logread_files files;
    idindex *ids;
    strmap *corrections;      /* suggestion id -> correction (the last one) */
    strmap *prompts;          /* prompt id -> prompt_stats */
    strmap *pairs_seen;       /* hash of a fine-tuning pair -> int */
    fsutil_afile ft;
    struct json_object *system_msg;
    int64_t pairs;
    strmap *updates;          /* prompt id -> prompt_update (the latest up to the week's end) */
    bool counting;             /* the first pass counts what it skips */
    int64_t bad_lines, unreadable;
} retrain_state;

static bool retrain_blank(const char *s, size_t len)
{
    size_t i = len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3) ? 3 : 0;
    for (; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Read every line of every file, calling fn with parsed events. */
typedef aid_err (*line_fn)(retrain_state *st, const event *ev, uint64_t pos, aid_errbuf *eb);

static aid_err each_event(retrain_state *st, line_fn fn, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    event_parser *p = event_parser_new(RETRAIN_MAX_LINE);
    logread_batch b;
    logread_batch_init(&b);
    if (!p)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    for (uint32_t f = 0; f < st->files.n && !err; f++) {
        logread_file *r = NULL;
        if (logread_open(&r, &st->files, f, RETRAIN_MAX_LINE, NULL) != AID_OK) {
            st->unreadable += st->counting; /* `aidigest check` tells which */
            continue;
        }
        for (;;) {
            aid_err rerr = logread_next(r, &b, RETRAIN_BATCH, NULL);
            for (size_t i = 0; i < b.nlines && !err; i++) {
                const logread_line *ln = &b.lines[i];
                event ev;
                char detail[256];
                if (ln->full_len > ln->len ||
                    event_parse(p, b.data + ln->off, ln->len, &ev, detail, sizeof detail) != EVENT_OK) {
                    if (st->counting && !retrain_blank(b.data + ln->off, ln->len))
                        st->bad_lines++;
                    continue;
                }
                err = fn(st, &ev, IDINDEX_POS(f, ln->lineno), eb);
            }
            if (rerr != AID_OK && !err)
                st->unreadable += st->counting;
            if (err || rerr != AID_OK || !b.nlines)
                break;
        }
        logread_close(r);
    }
    logread_batch_release(&b);
    event_parser_free(p);
    return err;
}

static aid_err pass_ids(retrain_state *st, const event *ev, uint64_t pos, aid_errbuf *eb)
{
    if (ev->type == EVENT_SUGGESTION) {
        uint64_t loser;
        if (idindex_put(st->ids, ev->id.s, ev->id.len, pos, &loser) < 0)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    } else if (ev->type == EVENT_CORRECTION && ev->ts_ms >= st->start && ev->ts_ms < st->end) {
        correction *c = strmap_upsert(st->corrections, ev->suggestion_id.s, ev->suggestion_id.len, NULL);
        if (!c)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        free(c->reply);
        c->reply = strndup(ev->corrected_reply.s, ev->corrected_reply.len);
        c->pos = pos;
        if (!c->reply)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    } else if (ev->type == EVENT_PROMPT_UPDATE && ev->ts_ms < st->end) {
        bool is_new;
        prompt_update *u = strmap_upsert(st->updates, ev->prompt_id.s, ev->prompt_id.len, &is_new);
        if (!u)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        if (is_new || ev->ts_ms >= u->ts) {
            json_object_put(u->removed);
            u->removed = json_object_get(ev->examples_removed);
            u->ts = ev->ts_ms;
        }
    }
    return AID_OK;
}

static int redact(const retrain_state *st, const char *s, size_t len, strbuf *out)
{
    strbuf clean = STRBUF_INIT;
    int rc = textnorm_utf8_sanitize(s, len, &clean);
    if (rc == 0) {
        if (st->o->redact)
            rc = redact_text(st->o->redact, clean.buf, clean.len, out) < 0 ? -1 : 0;
        else
            rc = strbuf_add(out, clean.buf, clean.len);
    }
    strbuf_release(&clean);
    return rc;
}

/* Did the prompt's latest update remove this (normalised) reply? The same
 * text, a near-duplicate of it (docs/figures.md), or it with more added
 * (a sign-off) all count. */
static bool removed_by_update(const retrain_state *st, const char *pid, const strbuf *norm)
{
    const prompt_update *u = strmap_get(st->updates, pid, strlen(pid));
    bool found = false;
    for (size_t i = 0; u && u->removed && i < json_object_array_length(u->removed) && !found; i++) {
        const char *r = json_object_get_string(json_object_array_get_idx(u->removed, i));
        strbuf red = STRBUF_INIT, rn = STRBUF_INIT;
        if (redact(st, r, strlen(r), &red) == 0 && textnorm_reply(red.buf, red.len, &rn) == 0)
            found = rn.len && (!strncmp(rn.buf, norm->buf, rn.len) ||
                               neardup_similarity(rn.buf, norm->buf) >= NEARDUP_THRESHOLD);
        strbuf_release(&red);
        strbuf_release(&rn);
    }
    return found;
}

/* 1 when the prompt's latest update removed this text, 0 when not, -1 on
 * no memory. */
static int outdated(const retrain_state *st, event_str prompt_id, const char *text, size_t len)
{
    if (!prompt_id.len)
        return 0;
    char *pid = strndup(prompt_id.s, prompt_id.len);
    strbuf red = STRBUF_INIT, norm = STRBUF_INIT;
    int rc = -1;
    if (pid && redact(st, text, len, &red) == 0 && textnorm_reply(red.buf, red.len, &norm) == 0)
        rc = removed_by_update(st, pid, &norm) ? 1 : 0;
    free(pid);
    strbuf_release(&red);
    strbuf_release(&norm);
    return rc;
}

/* One fine-tuning example, once per distinct pair. */
static aid_err write_pair(retrain_state *st, event_str user, const char *assistant, size_t alen,
                          aid_errbuf *eb)
{
    strbuf u = STRBUF_INIT, a = STRBUF_INIT, key = STRBUF_INIT;
    aid_err err = AID_OK;
    if (redact(st, user.s, user.len, &u) < 0 || redact(st, assistant, alen, &a) < 0 ||
        strbuf_add(&key, u.buf, u.len) < 0 || strbuf_addc(&key, '\0') < 0 ||
        strbuf_add(&key, a.buf, a.len) < 0)
        goto nomem;
    bool is_new;
    if (!strmap_upsert(st->pairs_seen, key.buf, key.len, &is_new))
        goto nomem;
    if (is_new) {
        struct json_object *o = json_object_new_object(), *msgs = json_object_new_array();
        struct json_object *um = json_object_new_object(), *am = json_object_new_object();
        json_object_array_add(msgs, json_object_get(st->system_msg));
        json_object_object_add(um, "role", json_object_new_string("user"));
        json_object_object_add(um, "content", json_object_new_string_len(u.buf, (int)u.len));
        json_object_object_add(am, "role", json_object_new_string("assistant"));
        json_object_object_add(am, "content", json_object_new_string_len(a.buf, (int)a.len));
        json_object_array_add(msgs, um);
        json_object_array_add(msgs, am);
        json_object_object_add(o, "messages", msgs);
        fprintf(st->ft.fp, "%s\n",
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        st->pairs++;
    }
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    strbuf_release(&u);
    strbuf_release(&a);
    strbuf_release(&key);
    return err;
}

static void prompt_stats_release(prompt_stats *ps)
{
    if (ps->replies) {
        for (size_t i = 0; i < strmap_capacity(ps->replies); i++) {
            void *v;
            if (strmap_slot(ps->replies, i, NULL, NULL, &v)) {
                free(((reply_stats *)v)->text);
                free(((reply_stats *)v)->customer);
            }
        }
        strmap_free(ps->replies);
    }
    for (size_t i = 0; i < ps->ncorrected; i++) {
        free(ps->corrected[i]);
        free(ps->corrected_customer[i]);
    }
    free(ps->corrected);
    free(ps->corrected_customer);
    free(ps->version);
}

static aid_err pass_week(retrain_state *st, const event *ev, uint64_t pos, aid_errbuf *eb)
{
    uint64_t win;
    if (ev->type != EVENT_SUGGESTION || ev->ts_ms < st->start || ev->ts_ms >= st->end ||
        !idindex_get(st->ids, ev->id.s, ev->id.len, &win) || win != pos)
        return AID_OK;
    correction *c = strmap_get(st->corrections, ev->id.s, ev->id.len);
    /* the fine-tuning set: what agents accepted, edited or QA corrected,
     * unless a prompt update removed it as outdated */
    if (ev->customer_message.len) {
        const char *answer = NULL;
        size_t alen = 0;
        if (c)
            answer = c->reply, alen = strlen(c->reply);
        else if (ev->action == ACTION_ACCEPTED)
            answer = ev->ai_reply.s, alen = ev->ai_reply.len;
        else if (ev->action == ACTION_EDITED && ev->final_reply.len)
            answer = ev->final_reply.s, alen = ev->final_reply.len;
        int old = answer ? outdated(st, ev->prompt_id, answer, alen) : 0;
        if (old < 0)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        aid_err err = answer && !old ? write_pair(st, ev->customer_message, answer, alen, eb) : AID_OK;
        if (err)
            return err;
    }
    if (!ev->prompt_id.len)
        return AID_OK;
    bool is_new;
    prompt_stats *ps = strmap_upsert(st->prompts, ev->prompt_id.s, ev->prompt_id.len, &is_new);
    if (!ps || (is_new && !(ps->replies = strmap_new(sizeof(reply_stats)))))
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    ps->n++;
    ps->accepted += ev->action == ACTION_ACCEPTED;
    if (ev->prompt_version.len && (!ps->version || ev->ts_ms >= ps->version_ts)) {
        free(ps->version);
        ps->version = strndup(ev->prompt_version.s, ev->prompt_version.len);
        ps->version_ts = ev->ts_ms;
    }
    strbuf norm = STRBUF_INIT;
    if (textnorm_reply(ev->ai_reply.s, ev->ai_reply.len, &norm) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    reply_stats *rs = strmap_upsert(ps->replies, norm.buf, norm.len, &is_new);
    strbuf_release(&norm);
    if (!rs)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (is_new) {
        rs->first_pos = pos;
        rs->text = strndup(ev->ai_reply.s, ev->ai_reply.len);
        rs->customer = ev->customer_message.s ? strndup(ev->customer_message.s, ev->customer_message.len) : NULL;
    }
    rs->suggested++;
    rs->accepted += ev->action == ACTION_ACCEPTED;
    rs->used += ev->action == ACTION_ACCEPTED || ev->action == ACTION_EDITED;
    rs->rejected += ev->action == ACTION_REJECTED;
    if (c && ps->ncorrected < RETRAIN_MAX_CORRECTED) {
        char **nc = realloc(ps->corrected, (ps->ncorrected + 1) * sizeof *nc);
        char **ncc = nc ? realloc(ps->corrected_customer, (ps->ncorrected + 1) * sizeof *ncc) : NULL;
        if (nc)
            ps->corrected = nc;
        if (!nc || !ncc)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        ps->corrected_customer = ncc;
        ps->corrected[ps->ncorrected] = strdup(c->reply);
        ps->corrected_customer[ps->ncorrected] =
            ev->customer_message.s ? strndup(ev->customer_message.s, ev->customer_message.len) : NULL;
        ps->ncorrected++;
    }
    return AID_OK;
}

int retrain_prompt_filename(const char *prompt_id, strbuf *out)
{
    strbuf_reset(out);
    for (const char *p = prompt_id; *p; p++) {
        char c = *p;
        if (!(isalnum((unsigned char)c) || c == '-' || c == '_' || (c == '.' && p != prompt_id)))
            c = '_';
        if (strbuf_addc(out, c) < 0)
            return -1;
    }
    return strbuf_adds(out, ".json");
}

/* "v3" -> "v4", "12" -> "13", anything else -> "<it>.1"; none -> "v1". */
static char *next_version(const char *v)
{
    strbuf sb = STRBUF_INIT;
    if (!v || !*v) {
        strbuf_adds(&sb, "v1");
        return strbuf_detach(&sb, NULL);
    }
    size_t n = strlen(v), d = n;
    while (d > 0 && isdigit((unsigned char)v[d - 1]))
        d--;
    if (d < n && n - d < 9 && (d == 0 || (d == 1 && (v[0] == 'v' || v[0] == 'V'))))
        strbuf_addf(&sb, "%.*s%ld", (int)d, v, strtol(v + d, NULL, 10) + 1);
    else
        strbuf_addf(&sb, "%s.1", v);
    return strbuf_detach(&sb, NULL);
}

typedef struct example {
    char *reply, *customer;
    const char *source;
    int64_t uses;
    double acceptance;
    strbuf norm;
} example;

static int cmp_reply(const void *x, const void *y)
{
    const reply_stats *a = *(reply_stats *const *)x, *b = *(reply_stats *const *)y;
    if (a->accepted != b->accepted)
        return a->accepted > b->accepted ? -1 : 1;
    return a->first_pos < b->first_pos ? -1 : a->first_pos > b->first_pos;
}

static bool examples_have(const example *ex, size_t n, const char *norm)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ex[i].norm.buf, norm))
            return true;
    return false;
}

/* Agents rejected this reply this week (it must not be an example). */
static bool rejected_this_week(const prompt_stats *ps, const strbuf *norm)
{
    const reply_stats *rs = strmap_get(ps->replies, norm->buf, norm->len);
    return rs && rs->rejected >= RETRAIN_MIN_REJECTIONS &&
           (double)rs->rejected / (double)rs->suggested >= RETRAIN_MIN_REJECTION_RATE;
}

static aid_err update_prompt(retrain_state *st, const char *pid, prompt_stats *ps, struct json_object *deltas,
                             bool *changed, aid_errbuf *eb)
{
    const retrain_opts *o = st->o;
    aid_err err = AID_OK;
    strbuf path = STRBUF_INIT, name = STRBUF_INIT, tmp = STRBUF_INIT;
    struct json_object *old = NULL, *added = json_object_new_array(), *removed = json_object_new_array();
    example ex[RETRAIN_MAX_EXAMPLES * 3];
    size_t nex = 0, nold_kept = 0;
    char *from = NULL, *to = NULL;
    reply_stats **cands = NULL;
    *changed = false;
    if (retrain_prompt_filename(pid, &name) < 0 || strbuf_addf(&path, "%s/prompts/", o->out_dir) < 0 ||
        strbuf_adds(&path, name.buf) < 0)
        goto nomem;
    char *data = NULL;
    size_t len;
    if (fsutil_read_file(path.buf, &data, &len, NULL) == AID_OK) {
        old = json_tokener_parse(data);
        free(data);
    }
    /* 1. keep the old examples agents did not reject this week */
    for (size_t i = 0; old && i < jget_len(old, "examples") && nex < RETRAIN_MAX_EXAMPLES; i++) {
        struct json_object *e = json_object_array_get_idx(jget(old, "examples"), i);
        const char *reply = jget_str(e, "reply", NULL);
        if (!reply)
            continue;
        example *x = &ex[nex];
        strbuf_init(&x->norm);
        if (textnorm_reply(reply, strlen(reply), &x->norm) < 0)
            goto nomem;
        reply_stats *rs = strmap_get(ps->replies, x->norm.buf, x->norm.len);
        if (rejected_this_week(ps, &x->norm) || removed_by_update(st, pid, &x->norm)) {
            json_object_array_add(removed, json_object_new_string(reply));
            strbuf_release(&x->norm);
            continue;
        }
        x->reply = strdup(reply);
        x->customer = jget_str(e, "customer_message", NULL) ? strdup(jget_str(e, "customer_message", "")) : NULL;
        x->source = jget_str(e, "source", "accepted");
        x->source = !strcmp(x->source, "corrected") ? "corrected" : "accepted";
        x->uses = rs ? rs->used : jget_int(e, "uses", 0);
        x->acceptance = rs && rs->suggested ? (double)rs->accepted / (double)rs->suggested : jget_double(e, "acceptance", 0);
        nex++;
        nold_kept++;
    }
    /* 2. the week's QA corrections, then 3. replies agents accepted again and again */
    for (size_t i = 0; i < ps->ncorrected && nex < RETRAIN_MAX_EXAMPLES; i++) {
        strbuf red = STRBUF_INIT;
        if (redact(st, ps->corrected[i], strlen(ps->corrected[i]), &red) < 0)
            goto nomem;
        example *x = &ex[nex];
        strbuf_init(&x->norm);
        if (textnorm_reply(red.buf, red.len, &x->norm) < 0 || examples_have(ex, nex, x->norm.buf) ||
            rejected_this_week(ps, &x->norm) || removed_by_update(st, pid, &x->norm)) {
            strbuf_release(&x->norm);
            strbuf_release(&red);
            continue;
        }
        x->reply = strbuf_detach(&red, NULL);
        x->customer = NULL;
        if (ps->corrected_customer[i]) {
            strbuf c = STRBUF_INIT;
            redact(st, ps->corrected_customer[i], strlen(ps->corrected_customer[i]), &c);
            x->customer = strbuf_detach(&c, NULL);
        }
        x->source = "corrected";
        x->uses = 0;
        x->acceptance = 0;
        json_object_array_add(added, json_object_new_string(x->reply));
        nex++;
    }
    size_t nc = 0;
    cands = malloc((strmap_count(ps->replies) + 1) * sizeof *cands);
    if (!cands)
        goto nomem;
    for (size_t i = 0; i < strmap_capacity(ps->replies); i++) {
        void *v;
        if (!strmap_slot(ps->replies, i, NULL, NULL, &v))
            continue;
        reply_stats *rs = v;
        if (rs->used >= RETRAIN_MIN_USES && (double)rs->accepted / (double)rs->suggested >= RETRAIN_MIN_ACCEPTANCE)
            cands[nc++] = rs;
    }
    qsort(cands, nc, sizeof *cands, cmp_reply);
    for (size_t i = 0; i < nc && nex < RETRAIN_MAX_EXAMPLES; i++) {
        strbuf red = STRBUF_INIT;
        if (redact(st, cands[i]->text, strlen(cands[i]->text), &red) < 0)
            goto nomem;
        example *x = &ex[nex];
        strbuf_init(&x->norm);
        if (textnorm_reply(red.buf, red.len, &x->norm) < 0 || examples_have(ex, nex, x->norm.buf) ||
            removed_by_update(st, pid, &x->norm)) {
            strbuf_release(&x->norm);
            strbuf_release(&red);
            continue;
        }
        x->reply = strbuf_detach(&red, NULL);
        x->customer = NULL;
        if (cands[i]->customer) {
            strbuf c = STRBUF_INIT;
            redact(st, cands[i]->customer, strlen(cands[i]->customer), &c);
            x->customer = strbuf_detach(&c, NULL);
        }
        x->source = "accepted";
        x->uses = cands[i]->used;
        x->acceptance = (double)cands[i]->accepted / (double)cands[i]->suggested;
        json_object_array_add(added, json_object_new_string(x->reply));
        nex++;
    }
    size_t nadded = json_object_array_length(added), nremoved = json_object_array_length(removed);
    if (!nadded && !nremoved && old)
        goto cleanup;
    *changed = true;
    from = old ? strdup(jget_str(old, "version", "")) : (ps->version ? strdup(ps->version) : NULL);
    to = next_version(from && *from ? from : NULL);
    /* the prompt file */
    struct json_object *pf = json_object_new_object(), *arr = json_object_new_array();
    char ts[32];
    timeutil_format_rfc3339(o->now_ms, ts, sizeof ts);
    json_object_object_add(pf, "prompt_id", json_object_new_string(pid));
    json_object_object_add(pf, "version", json_object_new_string(to));
    json_object_object_add(pf, "updated", json_object_new_string(ts));
    json_object_object_add(pf, "week", json_object_new_string(o->week));
    for (size_t i = 0; i < nex; i++) {
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "reply", json_object_new_string(ex[i].reply));
        json_object_object_add(e, "customer_message", ex[i].customer ? json_object_new_string(ex[i].customer) : NULL);
        json_object_object_add(e, "source", json_object_new_string(ex[i].source));
        json_object_object_add(e, "uses", json_object_new_int64(ex[i].uses));
        json_object_object_add(e, "acceptance", figures_num(ex[i].acceptance, 6));
        json_object_array_add(arr, e);
    }
    json_object_object_add(pf, "examples", arr);
    const char *s = json_object_to_json_string_ext(pf, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE);
    if (strbuf_adds(&tmp, s) < 0 || strbuf_addc(&tmp, '\n') < 0) {
        json_object_put(pf);
        goto nomem;
    }
    json_object_put(pf);
    if ((err = fsutil_write_atomic(path.buf, tmp.buf, tmp.len, eb)))
        goto cleanup;
    /* the delta, as a prompt_update event */
    struct json_object *d = json_object_new_object();
    strbuf theme = STRBUF_INIT, summary = STRBUF_INIT;
    for (const char *p = pid; *p; p++)
        strbuf_addc(&theme, (*p == '_' || *p == '-') ? ' ' : *p);
    size_t ncorr = 0;
    for (size_t i = 0; i < nex; i++)
        ncorr += !strcmp(ex[i].source, "corrected") && i >= nold_kept;
    strbuf_addf(&summary, "Added %zu example%s (%zu that agents accepted, %zu that QA corrected) and removed %zu that agents rejected this week; the prompt's acceptance this week was %.1f%% over %lld suggestions.",
                nadded, nadded == 1 ? "" : "s", nadded - ncorr, ncorr, nremoved,
                ps->n ? 100.0 * (double)ps->accepted / (double)ps->n : 0.0, (long long)ps->n);
    json_object_object_add(d, "type", json_object_new_string("prompt_update"));
    json_object_object_add(d, "ts", json_object_new_string(ts));
    json_object_object_add(d, "prompt_id", json_object_new_string(pid));
    if (from && *from)
        json_object_object_add(d, "from_version", json_object_new_string(from));
    json_object_object_add(d, "to_version", json_object_new_string(to));
    json_object_object_add(d, "theme", json_object_new_string(theme.buf));
    json_object_object_add(d, "summary", json_object_new_string(summary.buf));
    json_object_object_add(d, "examples_added", json_object_get(added));
    json_object_object_add(d, "examples_removed", json_object_get(removed));
    json_object_object_add(d, "source_week", json_object_new_string(o->week));
    json_object_array_add(deltas, d);
    strbuf_release(&theme);
    strbuf_release(&summary);
    if (o->diag)
        fprintf(o->diag, "aidigest: retrain: %s %s -> %s: +%zu -%zu examples\n", pid,
                from && *from ? from : "(new)", to, nadded, nremoved);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    for (size_t i = 0; i < nex; i++) {
        free(ex[i].reply);
        free(ex[i].customer);
        strbuf_release(&ex[i].norm);
    }
    free(cands);
    free(from);
    free(to);
    json_object_put(old);
    json_object_put(added);
    json_object_put(removed);
    strbuf_release(&path);
    strbuf_release(&name);
    strbuf_release(&tmp);
    return err;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the deltas to OUT/training/deltas.jsonl (rewritten atomically). */
static aid_err append_deltas(const retrain_opts *o, struct json_object *deltas, aid_errbuf *eb)
{
    if (!json_object_array_length(deltas))
        return AID_OK;
    strbuf path = STRBUF_INIT, all = STRBUF_INIT;
    char *old = NULL;
    size_t len = 0;
    aid_err err = AID_OK;
    if (strbuf_addf(&path, "%s/training/deltas.jsonl", o->out_dir) < 0)
        goto nomem;
    if (fsutil_read_file(path.buf, &old, &len, NULL) == AID_OK && strbuf_add(&all, old, len) < 0)
        goto nomem;
    if (all.len && all.buf[all.len - 1] != '\n' && strbuf_addc(&all, '\n') < 0)
        goto nomem;
    for (size_t i = 0; i < json_object_array_length(deltas); i++)
        if (strbuf_addf(&all, "%s\n", json_object_to_json_string_ext(json_object_array_get_idx(deltas, i),
                                                                       JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
            goto nomem;
    err = fsutil_write_atomic(path.buf, all.buf, all.len, eb);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    free(old);
    strbuf_release(&path);
    strbuf_release(&all);
    return err;
}

aid_err retrain_run(const retrain_opts *o, retrain_result *res, aid_errbuf *eb)
{
    retrain_state st;
    memset(&st, 0, sizeof st);
    memset(res, 0, sizeof *res);
    st.o = o;
    timeutil_week w;
    if (!timeutil_parse_week(o->week, &w))
        return aid_errbuf_set(eb, AID_ERR_USAGE, "bad week '%s'", o->week);
    st.start = timeutil_week_start(w);
    st.end = st.start + TIMEUTIL_WEEK_MS;
    aid_err err;
    strbuf path = STRBUF_INIT, sys = STRBUF_INIT;
    char **ids = NULL;
    struct json_object *deltas = json_object_new_array();
    if ((err = logread_files_expand(&st.files, o->paths, o->npaths, eb))) {
        json_object_put(deltas);
        return err;
    }
    st.ids = idindex_new();
    st.corrections = strmap_new(sizeof(correction));
    st.updates = strmap_new(sizeof(prompt_update));
    st.prompts = strmap_new(sizeof(prompt_stats));
    st.pairs_seen = strmap_new(0);
    st.system_msg = json_object_new_object();
    if (!st.ids || !st.corrections || !st.updates || !st.prompts || !st.pairs_seen || !st.system_msg || !deltas)
        goto nomem;
    strbuf_addf(&sys, "You are the customer support assistant of the %s team. Reply helpfully, "
                      "concisely and politely; say what happens next and when.",
                o->cfg && o->cfg->team_name ? o->cfg->team_name : "Support");
    json_object_object_add(st.system_msg, "role", json_object_new_string("system"));
    json_object_object_add(st.system_msg, "content", json_object_new_string(sys.buf));
    if (strbuf_addf(&path, "%s/training", o->out_dir) < 0)
        goto nomem;
    if ((err = fsutil_mkdirs(path.buf, eb)))
        goto cleanup;
    strbuf_reset(&path);
    if (strbuf_addf(&path, "%s/prompts", o->out_dir) < 0)
        goto nomem;
    if ((err = fsutil_mkdirs(path.buf, eb)))
        goto cleanup;
    strbuf_reset(&path);
    if (strbuf_addf(&path, "%s/training/finetune-%s.jsonl", o->out_dir, o->week) < 0)
        goto nomem;
    st.counting = true;
    err = each_event(&st, pass_ids, eb);
    st.counting = false;
    res->bad_lines = st.bad_lines;
    res->unreadable_files = st.unreadable;
    if (err)
        goto cleanup;
    if ((err = fsutil_afile_open(&st.ft, path.buf, eb)))
        goto cleanup;
    if ((err = each_event(&st, pass_week, eb)))
        goto cleanup;
    if ((err = fsutil_afile_commit(&st.ft, eb)))
        goto cleanup;
    res->pairs = st.pairs;
    /* prompts in name order */
    size_t n = 0;
    ids = malloc((strmap_count(st.prompts) + 1) * sizeof *ids);
    if (!ids)
        goto nomem;
    for (size_t i = 0; i < strmap_capacity(st.prompts); i++) {
        const char *k;
        if (strmap_slot(st.prompts, i, &k, NULL, NULL))
            ids[n++] = (char *)k;
    }
    qsort(ids, n, sizeof *ids, cmp_strp);
    res->prompts = (int)n;
    for (size_t i = 0; i < n; i++) {
        bool changed;
        prompt_stats *ps = strmap_get(st.prompts, ids[i], strlen(ids[i]));
        if ((err = update_prompt(&st, ids[i], ps, deltas, &changed, eb)))
            goto cleanup;
        res->prompts_updated += changed;
    }
    err = append_deltas(o, deltas, eb);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    fsutil_afile_abort(&st.ft);
    free(ids);
    if (st.prompts) {
        for (size_t i = 0; i < strmap_capacity(st.prompts); i++) {
            void *v;
            if (strmap_slot(st.prompts, i, NULL, NULL, &v))
                prompt_stats_release(v);
        }
        strmap_free(st.prompts);
    }
    if (st.updates) {
        for (size_t i = 0; i < strmap_capacity(st.updates); i++) {
            void *v;
            if (strmap_slot(st.updates, i, NULL, NULL, &v))
                json_object_put(((prompt_update *)v)->removed);
        }
        strmap_free(st.updates);
    }
    if (st.corrections) {
        for (size_t i = 0; i < strmap_capacity(st.corrections); i++) {
            void *v;
            if (strmap_slot(st.corrections, i, NULL, NULL, &v))
                free(((correction *)v)->reply);
        }
        strmap_free(st.corrections);
    }
    strmap_free(st.pairs_seen);
    idindex_free(st.ids);
    json_object_put(st.system_msg);
    json_object_put(deltas);
    logread_files_release(&st.files);
    strbuf_release(&path);
    strbuf_release(&sys);
    return err;
}
