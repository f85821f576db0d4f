#include "retrain/retrain.h"
#include "common/escape.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/stats.h"
#include "common/jget.h"
#include "common/strmap.h"
#include "common/textnorm.h"
#include "common/timeutil.h"
#include "compute/compute.h"
#include "read/read.h"
#include "retrain/ftset.h"

#define RETRAIN_MAX_LINE READ_DEFAULT_MAX_LINE

/* One wording of a reply of one prompt (value of prompt_stats.replies,
 * keyed by the exact text). */
typedef struct reply_stats {
    int64_t suggested, accepted, used, rejected;
    uint64_t first_pos;
    const char *text; /* the wording: the replies map's own copy (set when the prompt is planned) */
    char *customer;  /* the customer message of its first suggestion (the one it answered);
                        not kept for retrain_state.all, which only counts */
    char *key;       /* merge key (reply_key), set when the prompt is planned */
    size_t group;    /* its group's index, set when planned */
} reply_stats;

/* A group of wordings merged as one reply (the same merge key, or
 * near-duplicates by the digest's rule): its sums and the most used
 * wording, which is the one an example shows. */
typedef struct reply_group {
    int64_t suggested, accepted, used, rejected;
    const reply_stats *best;
    const char *key; /* the best wording's key */
    bool bad;        /* rejected credibly more often than the week's rate */
} reply_group;

typedef struct prompt_stats {
    strmap *replies;          /* normalised reply -> reply_stats */
    int64_t n, accepted;
    char *version;            /* prompt_version of the latest suggestion */
    int64_t version_ts;
    char **corrected;         /* QA-corrected replies, input order */
    char **corrected_customer;
    size_t ncorrected;
    reply_stats **w;          /* the wordings, in input order (when planned) */
    size_t nw;
    reply_group *g;
    size_t ng;
    /* when planned: the distinct keys of the wordings (in the order of
     * their first wording), the group of each, and their shingle sets
     * (neardup_shingles), each made when group_of first needs it */
    strmap *bykey;            /* key -> size_t: its index in keys */
    const char **keys;
    size_t *key_group;
    uint64_t **key_sets;
    size_t *key_nsets, nk;
} prompt_stats;

typedef struct correction {
    char *reply;
    uint64_t pos;
} correction;

/* The latest prompt_update of a prompt: what it removed must not come
 * back as an example. */
typedef struct prompt_update {
    int64_t ts;
    uint64_t pos;
    struct json_object *removed; /* array of strings, or NULL */
} prompt_update;

typedef struct retrain_state {
    const retrain_opts *o;
    int64_t start, end;
    logread_files files;      /* expanded from o->paths (without o->ingested) */
    const logread_files *logs; /* what is read: &files, or o->ingested's */
    idindex *ids;
    strmap *corrections;      /* suggestion id -> correction (the last one) */
    strmap *prompts;          /* prompt id -> prompt_stats */
    prompt_stats all;         /* every suggestion of the week, whatever its prompt */
    ftset *ft;                /* the fine-tuning pairs */
    struct json_object *plan; /* array: per prompt, what changes and why */
    struct json_object *system_msg;
    int64_t week_n, week_rejected; /* the week's suggestions (every prompt): the overall rate */
    strmap *updates;          /* prompt id -> prompt_update (the latest up to the week's end) */
    bool counting;             /* the first pass counts what it skips */
    int64_t bad_lines, unreadable;
} retrain_state;

/* A prompt update up to the week's end: the prompt's latest (by time, the
 * later line of a tie) is kept. 0 or -1. */
static int note_update(retrain_state *st, const char *pid, size_t len, int64_t ts, uint64_t pos,
                       struct json_object *removed)
{
    bool is_new;
    prompt_update *u = strmap_upsert(st->updates, pid, len, &is_new);
    if (!u)
        return -1;
    if (is_new || ts > u->ts || (ts == u->ts && pos > u->pos)) {
        json_object_put(u->removed);
        u->removed = json_object_get(removed);
        u->ts = ts;
        u->pos = pos;
    }
    return 0;
}

/* Pass 1 (the reader records every suggestion id, read_opts.record_ids):
 * the week's corrections, the last one of each suggestion, and the latest
 * prompt update of each prompt up to the week's end. */
static aid_err pass_ids(void *ctx, const event *ev, uint64_t pos, aid_errbuf *eb)
{
    retrain_state *st = ctx;
    if (ev->type == EVENT_CORRECTION && ev->ts_ms >= st->start && ev->ts_ms < st->end) {
        correction *c = strmap_upsert(st->corrections, ev->suggestion_id.s, ev->suggestion_id.len, NULL);
        if (!c)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        free(c->reply);
        c->reply = strndup(ev->corrected_reply.s, ev->corrected_reply.len);
        c->pos = pos;
        if (!c->reply)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    } else if (ev->type == EVENT_PROMPT_UPDATE && ev->ts_ms < st->end) {
        return note_update(st, ev->prompt_id.s, ev->prompt_id.len, ev->ts_ms, pos, ev->examples_removed) < 0
                   ? aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory")
                   : AID_OK;
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

/* One fine-tuning pair, redacted, into the set. */
static aid_err write_pair(retrain_state *st, event_str user, const char *assistant, size_t alen,
                          aid_errbuf *eb)
{
    strbuf u = STRBUF_INIT, a = STRBUF_INIT;
    aid_err err = AID_OK;
    if (redact(st, user.s, user.len, &u) < 0 || redact(st, assistant, alen, &a) < 0 ||
        ftset_add(st->ft, u.buf, u.len, a.buf, a.len) < 0)
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    strbuf_release(&u);
    strbuf_release(&a);
    return err;
}

static void prompt_stats_release(prompt_stats *ps)
{
    if (ps->replies) {
        for (size_t i = 0; i < strmap_capacity(ps->replies); i++) {
            void *v;
            if (strmap_slot(ps->replies, i, NULL, NULL, &v)) {
                free(((reply_stats *)v)->customer);
                free(((reply_stats *)v)->key);
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
    free(ps->w);
    free(ps->g);
    strmap_free(ps->bykey);
    for (size_t i = 0; ps->key_sets && i < ps->nk; i++)
        free(ps->key_sets[i]);
    free(ps->key_sets);
    free(ps->key_nsets);
    free(ps->key_group);
    free(ps->keys);
}

/* The fine-tuning set: what agents accepted, edited or QA corrected, unless
 * a prompt update removed it as outdated. */
static aid_err week_pair(retrain_state *st, const event *ev, const correction *c, aid_errbuf *eb)
{
    if (!ev->customer_message.len || st->o->plan_only)
        return AID_OK;
    const char *answer = NULL;
    size_t alen = 0;
    if (c)
        answer = c->reply, alen = strlen(c->reply);
    else if (ev->action == ACTION_ACCEPTED)
        answer = ev->ai_reply.s, alen = ev->ai_reply.len;
    else if (ev->action == ACTION_EDITED && ev->final_reply.len)
        answer = ev->final_reply.s, alen = ev->final_reply.len;
    if (!answer)
        return AID_OK;
    int old = outdated(st, ev->prompt_id, answer, alen);
    if (old < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    return old ? AID_OK : write_pair(st, ev->customer_message, answer, alen, eb);
}

/* A copy of an optional string: 0 (*out NULL when absent), or -1. */
static int dup_opt(event_str s, char **out)
{
    *out = s.s ? strndup(s.s, s.len) : NULL;
    return s.s && !*out ? -1 : 0;
}

/* The suggestion counted for its wording (with customers, its customer
 * message: that of the first accepted suggestion, else the first); a QA
 * correction of it kept (the first RETRAIN_MAX_CORRECTED of the prompt).
 * 0 or -1. */
static int week_reply(prompt_stats *ps, const event *ev, const correction *c, uint64_t pos, bool customers)
{
    bool is_new;
    reply_stats *rs = strmap_upsert(ps->replies, ev->ai_reply.s, ev->ai_reply.len, &is_new);
    if (!rs)
        return -1;
    if (is_new) {
        rs->first_pos = pos;
        if (customers && dup_opt(ev->customer_message, &rs->customer) < 0)
            return -1;
    }
    /* the pair shows the message of the first suggestion agents sent as it was */
    if (customers && ev->action == ACTION_ACCEPTED && !rs->accepted && !is_new) {
        free(rs->customer);
        if (dup_opt(ev->customer_message, &rs->customer) < 0)
            return -1;
    }
    rs->suggested++;
    rs->accepted += ev->action == ACTION_ACCEPTED;
    rs->used += ev->action == ACTION_ACCEPTED || ev->action == ACTION_EDITED;
    rs->rejected += ev->action == ACTION_REJECTED;
    if (!c || ps->ncorrected >= RETRAIN_MAX_CORRECTED)
        return 0;
    char **nc = realloc(ps->corrected, (ps->ncorrected + 1) * sizeof *nc);
    if (!nc)
        return -1;
    ps->corrected = nc;
    char **ncc = realloc(ps->corrected_customer, (ps->ncorrected + 1) * sizeof *ncc);
    if (!ncc)
        return -1;
    ps->corrected_customer = ncc;
    ps->corrected[ps->ncorrected] = strdup(c->reply);
    ps->corrected_customer[ps->ncorrected] = NULL;
    ps->ncorrected++; /* counted now, so that prompt_stats_release frees it */
    if (!ps->corrected[ps->ncorrected - 1] || dup_opt(ev->customer_message, &ps->corrected_customer[ps->ncorrected - 1]) < 0)
        return -1;
    return 0;
}

/* Pass 2 (the reader passes each suggestion only at its id's last
 * occurrence, read_opts.last_only): the week's suggestions. */
static aid_err pass_week(void *ctx, const event *ev, uint64_t pos, aid_errbuf *eb)
{
    retrain_state *st = ctx;
    if (ev->type != EVENT_SUGGESTION || ev->ts_ms < st->start || ev->ts_ms >= st->end)
        return AID_OK;
    st->week_n++;
    st->week_rejected += ev->action == ACTION_REJECTED;
    const correction *c = strmap_get(st->corrections, ev->id.s, ev->id.len);
    aid_err err = week_pair(st, ev, c, eb);
    if (err || !ev->prompt_id.len)
        return err;
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
        if (!ps->version)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    if (week_reply(ps, ev, c, pos, true) < 0 || week_reply(&st->all, ev, NULL, pos, false) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
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

/* "v3" -> "v4", "12" -> "13", anything else -> "<it>.1"; none -> "v1".
 * NULL when out of memory. */
static char *next_version(const char *v)
{
    strbuf sb = STRBUF_INIT;
    int rc;
    if (!v || !*v) {
        rc = strbuf_adds(&sb, "v1");
    } else {
        size_t n = strlen(v), d = n;
        while (d > 0 && isdigit((unsigned char)v[d - 1]))
            d--;
        if (d < n && n - d < 9 && (d == 0 || (d == 1 && (v[0] == 'v' || v[0] == 'V'))))
            rc = strbuf_addf(&sb, "%.*s%ld", (int)d, v, strtol(v + d, NULL, 10) + 1);
        else
            rc = strbuf_addf(&sb, "%s.1", v);
    }
    if (rc < 0) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

typedef struct example {
    char *reply, *customer;
    const char *source;
    int64_t uses;
    double acceptance;
    strbuf norm; /* textnorm_reply */
    strbuf key;  /* reply_key */
} example;

/* Updating one prompt: its examples, old and new, and why. */
typedef struct prompt_job {
    retrain_state *st;
    const char *pid;
    prompt_stats *ps;
    struct json_object *old;     /* the prompt file as it was, or NULL */
    struct json_object *added, *removed; /* arrays of strings: the delta */
    struct json_object *why_added, *why_removed, *why_not; /* arrays of {reply, source, reason} */
    example ex[RETRAIN_MAX_EXAMPLES];
    size_t nex, nold_kept;
} prompt_job;

/* Does the UTF-8 sequence at s (n bytes left) only decorate a text: an
 * emoji (4-byte sequences), a symbol or dingbat (U+2600-27BF), a variation
 * selector, a zero-width joiner, a curly quote? Its length, or 0. */
static size_t decoration_len(const unsigned char *s, size_t n)
{
    if (s[0] >= 0xF0 && s[0] <= 0xF4 && n >= 4)
        return 4;
    if (n >= 3 && s[0] == 0xE2 && (s[1] == 0x98 || s[1] == 0x99 || s[1] == 0x9A || s[1] == 0x9B ||
                                   s[1] == 0x9C || s[1] == 0x9D || s[1] == 0x9E))
        return 3;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x8D || (s[2] >= 0x98 && s[2] <= 0x9D)))
        return 3;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xB8 && s[2] >= 0x80 && s[2] <= 0x8F)
        return 3;
    return 0;
}

/* The key replies are merged by: the digest's normalisation
 * (textnorm_reply: case, digits, white space) without punctuation and
 * emoji, white space collapsed again. 0 or -1. */
static int reply_key(const char *text, size_t len, strbuf *out)
{
    strbuf norm = STRBUF_INIT;
    int rc = textnorm_reply(text, len, &norm);
    strbuf_reset(out);
    for (size_t i = 0; rc == 0 && i < norm.len;) {
        const unsigned char *c = (const unsigned char *)norm.buf + i;
        size_t d = decoration_len(c, norm.len - i);
        if (d) {
            i += d;
            continue;
        }
        if (*c < 0x80 && !isalnum(*c) && *c != '#') {
            if (isspace(*c) && out->len && out->buf[out->len - 1] != ' ')
                rc = strbuf_addc(out, ' ');
            i++;
            continue;
        }
        rc = strbuf_addc(out, (char)*c);
        i++;
    }
    while (rc == 0 && out->len && out->buf[out->len - 1] == ' ')
        out->buf[--out->len] = '\0';
    strbuf_release(&norm);
    return rc;
}

static int cmp_wording(const void *x, const void *y)
{
    const reply_stats *a = *(reply_stats *const *)x, *b = *(reply_stats *const *)y;
    return a->first_pos < b->first_pos ? -1 : a->first_pos > b->first_pos;
}

/* Is a the better wording of a group: more used, then more suggested, then earlier? */
static bool better_wording(const reply_stats *a, const reply_stats *b)
{
    if (a->used != b->used)
        return a->used > b->used;
    if (a->suggested != b->suggested)
        return a->suggested > b->suggested;
    return a->first_pos < b->first_pos;
}

/* The prompt's wordings merged into groups: first those with the same key,
 * then near-duplicate keys (neardup_cluster). 0 or -1. */
static int plan_groups(retrain_state *st, prompt_stats *ps)
{
    size_t n = strmap_count(ps->replies), nk = 0;
    int rc = -1;
    const char **keys = NULL;
    size_t *first = NULL, *cl = NULL;
    strbuf key = STRBUF_INIT;
    strmap *bykey = ps->bykey = strmap_new(sizeof(size_t));
    ps->w = malloc((n + 1) * sizeof *ps->w);
    ps->g = calloc(n + 1, sizeof *ps->g);
    keys = ps->keys = malloc((n + 1) * sizeof *keys);
    ps->key_group = malloc((n + 1) * sizeof *ps->key_group);
    ps->key_sets = calloc(n + 1, sizeof *ps->key_sets);
    ps->key_nsets = calloc(n + 1, sizeof *ps->key_nsets);
    first = malloc((n + 1) * sizeof *first);
    cl = malloc((n + 1) * sizeof *cl);
    if (!bykey || !ps->w || !ps->g || !keys || !ps->key_group || !ps->key_sets || !ps->key_nsets || !first || !cl)
        goto cleanup;
    ps->nw = 0;
    for (size_t i = 0; i < strmap_capacity(ps->replies); i++) {
        const char *text;
        void *v;
        if (strmap_slot(ps->replies, i, &text, NULL, &v)) {
            ((reply_stats *)v)->text = text; /* the map's key: one copy of the wording */
            ps->w[ps->nw++] = v;
        }
    }
    qsort(ps->w, ps->nw, sizeof *ps->w, cmp_wording);
    size_t *wk = malloc((ps->nw + 1) * sizeof *wk); /* wording -> its distinct key */
    if (!wk)
        goto cleanup;
    for (size_t i = 0; i < ps->nw; i++) {
        bool is_new;
        if (reply_key(ps->w[i]->text, strlen(ps->w[i]->text), &key) < 0 || !(ps->w[i]->key = strdup(key.buf)))
            goto fail_wk;
        size_t *slot = strmap_upsert(bykey, key.buf, key.len, &is_new);
        if (!slot)
            goto fail_wk;
        if (is_new) {
            *slot = nk;
            keys[nk++] = ps->w[i]->key;
            ps->nk = nk;
        }
        wk[i] = *slot;
    }
    if (neardup_cluster((const char *const *)keys, nk, NEARDUP_THRESHOLD, cl, NULL) != AID_OK)
        goto fail_wk;
    /* groups numbered by their first key */
    for (size_t i = 0; i < nk; i++)
        first[i] = (size_t)-1;
    ps->ng = 0;
    for (size_t i = 0; i < ps->nw; i++) {
        size_t root = cl[wk[i]];
        if (first[root] == (size_t)-1)
            first[root] = ps->ng++;
        reply_stats *w = ps->w[i];
        reply_group *g = &ps->g[first[root]];
        w->group = first[root];
        ps->key_group[wk[i]] = first[root];
        g->suggested += w->suggested;
        g->accepted += w->accepted;
        g->used += w->used;
        g->rejected += w->rejected;
        if (!g->best || better_wording(w, g->best))
            g->best = w, g->key = w->key;
    }
    double overall = st->week_n ? (double)st->week_rejected / (double)st->week_n : NAN;
    for (size_t i = 0; i < ps->ng; i++)
        ps->g[i].bad = figures_rejected_credibly(ps->g[i].rejected, ps->g[i].suggested, overall);
    rc = 0;
fail_wk:
    free(wk);
cleanup:
    strbuf_release(&key);
    free(cl);
    free(first);
    return rc;
}

/* A wording this long (bytes of its key) found whole in a text makes the
 * text that reply with more added. */
#define RETRAIN_MIN_CONTAINED 24

/* Two keys are the same reply: equal, or near-duplicates. */
static bool same_reply(const char *a, const char *b)
{
    return !strcmp(a, b) || neardup_similarity(a, b) >= NEARDUP_THRESHOLD;
}

/* Is the key's text a near-duplicate of keys[k] (ks: the key's shingle
 * set)? Sets of sizes further apart than the threshold cannot be (their
 * Jaccard is at most the smaller over the larger). 1, 0, or -1 when out of
 * memory. */
static int near_key(prompt_stats *ps, size_t k, const uint64_t *ks, size_t nks)
{
    if (!ps->key_sets[k] && neardup_shingles(ps->keys[k], &ps->key_sets[k], &ps->key_nsets[k]) < 0)
        return -1;
    size_t a = ps->key_nsets[k], lo = a < nks ? a : nks, hi = a < nks ? nks : a;
    if ((double)lo / (double)hi < NEARDUP_THRESHOLD)
        return 0;
    return textnorm_jaccard(ps->key_sets[k], a, ks, nks) >= NEARDUP_THRESHOLD;
}

/* The group a text (its key) belongs to (*out; NULL when the week has
 * none): that of the first wording with the same key, else of the first
 * that is a near-duplicate, else of the one it contains (below). 0 or -1
 * (out of memory). */
static int group_of(prompt_stats *ps, const char *key, const reply_group **out)
{
    *out = NULL;
    if (!ps->bykey) /* not planned: no wordings */
        return 0;
    const size_t *k = strmap_get(ps->bykey, key, strlen(key));
    if (k) {
        *out = &ps->g[ps->key_group[*k]];
        return 0;
    }
    uint64_t *ks = NULL;
    size_t nks = 0;
    if (ps->nk && neardup_shingles(key, &ks, &nks) < 0)
        return -1;
    /* the keys in the order of their first wordings: the first near one
     * is that of the first near wording */
    for (size_t i = 0; i < ps->nk; i++) {
        int near = near_key(ps, i, ks, nks);
        if (near) {
            free(ks);
            if (near < 0)
                return -1;
            *out = &ps->g[ps->key_group[i]];
            return 0;
        }
    }
    free(ks);
    /* the reply with more added (a greeting, a sign-off): the longest
     * wording found whole in it, word-aligned */
    const reply_stats *best = NULL;
    for (size_t i = 0; i < ps->nw; i++) {
        size_t n = strlen(ps->w[i]->key);
        if (n < RETRAIN_MIN_CONTAINED || (best && n <= strlen(best->key)))
            continue;
        for (const char *at = strstr(key, ps->w[i]->key); at; at = strstr(at + 1, ps->w[i]->key))
            if ((at == key || at[-1] == ' ') && (at[n] == ' ' || !at[n])) {
                best = ps->w[i];
                break;
            }
    }
    *out = best ? &ps->g[best->group] : NULL;
    return 0;
}

static bool examples_have(const prompt_job *j, const char *key)
{
    for (size_t i = 0; i < j->nex; i++)
        if (same_reply(j->ex[i].key.buf, key))
            return true;
    return false;
}

/* "k of n (p %, 95 % CI lo-hi %)" appended. 0 or -1. */
static int add_rate(strbuf *sb, int64_t k, int64_t n)
{
    stats_interval ci = stats_wilson(k, n, STATS_Z95);
    return strbuf_addf(sb, "%lld of %lld (%.1f%%, 95%% CI %.1f-%.1f%%)", (long long)k, (long long)n,
                       n ? 100.0 * (double)k / (double)n : 0.0, 100.0 * ci.lo, 100.0 * ci.hi);
}

/* Why a text must not be an example (agents rejected its group, an update
 * removed it: 1; it is one already: 2) into why; 0 when nothing stands
 * against it, -1 when out of memory. old: it is
 * an example already, so this week's plain rejection rule applies too. */
static int reason_against(const prompt_job *j, const example *x, bool old, strbuf *why)
{
    retrain_state *st = j->st;
    const reply_group *g, *wg;
    if (group_of(j->ps, x->key.buf, &g) < 0 || group_of(&st->all, x->key.buf, &wg) < 0)
        return -1;
    if (wg && wg->bad) {
        if (strbuf_adds(why, "rejected ") < 0 || add_rate(why, wg->rejected, wg->suggested) < 0 ||
            strbuf_addf(why, ", credibly above the week's %.1f%% (%lld of %lld)",
                        100.0 * (double)st->week_rejected / (double)st->week_n, (long long)st->week_rejected,
                        (long long)st->week_n) < 0)
            return -1;
        return 1;
    }
    if (old && g && g->rejected >= RETRAIN_MIN_REJECTIONS &&
        (double)g->rejected / (double)g->suggested >= RETRAIN_MIN_REJECTION_RATE) {
        if (strbuf_adds(why, "rejected this week: ") < 0 || add_rate(why, g->rejected, g->suggested) < 0)
            return -1;
        return 1;
    }
    if (removed_by_update(st, j->pid, &x->norm))
        return strbuf_adds(why, "removed as outdated by the prompt's latest update") < 0 ? -1 : 1;
    if (examples_have(j, x->key.buf))
        return strbuf_adds(why, "a near-duplicate of an example kept") < 0 ? -1 : 2;
    return 0;
}

static void example_release(example *x)
{
    free(x->reply);
    free(x->customer);
    strbuf_release(&x->norm);
    strbuf_release(&x->key);
    x->reply = x->customer = NULL;
}

static int strdup_opt(const char *s, char **out)
{
    *out = s ? strdup(s) : NULL;
    return s && !*out ? -1 : 0;
}

/* {reply, source, reason} pushed to arr. 0 or -1. */
static int push_why(struct json_object *arr, const char *reply, const char *source, const char *reason)
{
    struct json_object *o = json_object_new_object();
    if (!o || jget_set(o, "reply", json_object_new_string(reply)) < 0 ||
        (source && jget_set(o, "source", json_object_new_string(source)) < 0) ||
        jget_set(o, "reason", json_object_new_string(reason)) < 0) {
        json_object_put(o);
        return -1;
    }
    return jget_push(arr, o);
}

/* 1. keep the old examples nothing stands against (reason_against); those
 * dropped go to j->removed. 0 or -1. */
static int keep_old(prompt_job *j)
{
    struct json_object *exs = jget(j->old, "examples");
    strbuf why = STRBUF_INIT;
    for (size_t i = 0; j->old && i < jget_len(j->old, "examples") && j->nex < RETRAIN_MAX_EXAMPLES; i++) {
        struct json_object *e = json_object_array_get_idx(exs, i);
        const char *reply = jget_str(e, "reply", NULL);
        if (!reply)
            continue;
        example *x = &j->ex[j->nex];
        memset(x, 0, sizeof *x);
        strbuf_init(&x->norm);
        strbuf_init(&x->key);
        strbuf_reset(&why);
        int against;
        if (textnorm_reply(reply, strlen(reply), &x->norm) < 0 || reply_key(reply, strlen(reply), &x->key) < 0 ||
            (against = reason_against(j, x, true, &why)) < 0)
            goto fail;
        if (against) {
            example_release(x);
            if (jget_push(j->removed, json_object_new_string(reply)) < 0 ||
                push_why(j->why_removed, reply, jget_str(e, "source", NULL), why.buf) < 0)
                goto fail;
            continue;
        }
        const reply_group *g;
        if (group_of(j->ps, x->key.buf, &g) < 0)
            goto fail;
        if (strdup_opt(reply, &x->reply) < 0 || strdup_opt(jget_str(e, "customer_message", NULL), &x->customer) < 0)
            goto fail;
        x->source = !strcmp(jget_str(e, "source", "accepted"), "corrected") ? "corrected" : "accepted";
        x->uses = g ? g->used : jget_int(e, "uses", 0);
        x->acceptance = g && g->suggested ? (double)g->accepted / (double)g->suggested : jget_double(e, "acceptance", 0);
        j->nex++;
        j->nold_kept++;
    }
    strbuf_release(&why);
    return 0;
fail:
    example_release(&j->ex[j->nex]);
    strbuf_release(&why);
    return -1;
}

/* A new example (redacted), unless something stands against it
 * (reason_against: then it goes to why_not); added to j->added with
 * its reason. 0 or -1. */
static int add_example(prompt_job *j, const char *text, const char *customer, const char *source,
                       int64_t uses, double acceptance, const char *reason)
{
    example *x = &j->ex[j->nex];
    strbuf red = STRBUF_INIT, cust = STRBUF_INIT, why = STRBUF_INIT;
    int against;
    memset(x, 0, sizeof *x);
    strbuf_init(&x->norm);
    strbuf_init(&x->key);
    if (redact(j->st, text, strlen(text), &red) < 0 || textnorm_reply(red.buf, red.len, &x->norm) < 0 ||
        reply_key(red.buf, red.len, &x->key) < 0 || (against = reason_against(j, x, false, &why)) < 0)
        goto fail;
    if (against) {
        /* one already among the examples is no news: not listed */
        int rc = against == 2 ? 0 : push_why(j->why_not, red.buf, source, why.buf);
        example_release(x);
        strbuf_release(&red);
        strbuf_release(&why);
        return rc;
    }
    if (customer && redact(j->st, customer, strlen(customer), &cust) < 0)
        goto fail;
    if (!(x->reply = strbuf_detach(&red, NULL)) || (customer && !(x->customer = strbuf_detach(&cust, NULL))))
        goto fail;
    x->source = source;
    x->uses = uses;
    x->acceptance = acceptance;
    j->nex++;
    strbuf_release(&why);
    if (jget_push(j->added, json_object_new_string(x->reply)) < 0)
        return -1;
    return push_why(j->why_added, x->reply, source, reason);
fail:
    example_release(x);
    strbuf_release(&red);
    strbuf_release(&cust);
    strbuf_release(&why);
    return -1;
}

static int cmp_group(const void *x, const void *y)
{
    const reply_group *a = *(reply_group *const *)x, *b = *(reply_group *const *)y;
    if (a->accepted != b->accepted)
        return a->accepted > b->accepted ? -1 : 1;
    return a->best->first_pos < b->best->first_pos ? -1 : a->best->first_pos > b->best->first_pos;
}

/* 3. reply groups agents accepted again and again (most accepted first),
 * each as its most used wording with the customer message that wording
 * answered. 0 or -1. */
static int add_accepted(prompt_job *j)
{
    prompt_stats *ps = j->ps;
    size_t nc = 0;
    int rc = 0;
    strbuf why = STRBUF_INIT;
    reply_group **cands = malloc((ps->ng + 1) * sizeof *cands);
    if (!cands)
        return -1;
    for (size_t i = 0; i < ps->ng; i++) {
        reply_group *g = &ps->g[i];
        if (g->used >= RETRAIN_MIN_USES && (double)g->accepted / (double)g->suggested >= RETRAIN_MIN_ACCEPTANCE)
            cands[nc++] = g;
    }
    qsort(cands, nc, sizeof *cands, cmp_group);
    for (size_t i = 0; i < nc && j->nex < RETRAIN_MAX_EXAMPLES && rc == 0; i++) {
        const reply_group *g = cands[i];
        strbuf_reset(&why);
        rc = strbuf_addf(&why, "accepted: %lld uses of %lld suggestions, acceptance ", (long long)g->used,
                         (long long)g->suggested) < 0 || add_rate(&why, g->accepted, g->suggested) < 0 ? -1 : 0;
        if (rc == 0)
            rc = add_example(j, g->best->text, g->best->customer, "accepted", g->used,
                             (double)g->accepted / (double)g->suggested, why.buf);
    }
    free(cands);
    strbuf_release(&why);
    return rc;
}

/* 2. the week's QA corrections (the corrected text, paired with the
 * corrected suggestion's customer message), then 3. 0 or -1. */
static int add_new(prompt_job *j)
{
    prompt_stats *ps = j->ps;
    for (size_t i = 0; i < ps->ncorrected && j->nex < RETRAIN_MAX_EXAMPLES; i++)
        if (add_example(j, ps->corrected[i], ps->corrected_customer[i], "corrected", 0, 0,
                        "QA correction: the corrected text of a suggestion") < 0)
            return -1;
    return add_accepted(j);
}

/* {reply, customer_message, source, uses, acceptance} */
static struct json_object *example_json(const example *x)
{
    struct json_object *e = json_object_new_object(), *cust = NULL;
    if (!e || jget_set(e, "reply", json_object_new_string(x->reply)) < 0)
        goto nomem;
    if (x->customer && !(cust = json_object_new_string(x->customer)))
        goto nomem;
    if (json_object_object_add(e, "customer_message", cust) < 0) {
        json_object_put(cust);
        goto nomem;
    }
    if (jget_set(e, "source", json_object_new_string(x->source)) < 0 ||
        jget_set(e, "uses", json_object_new_int64(x->uses)) < 0 ||
        jget_set(e, "acceptance", jget_new_num(x->acceptance, 6)) < 0)
        goto nomem;
    return e;
nomem:
    json_object_put(e);
    return NULL;
}

/* OUT/prompts/<file>: {prompt_id, version, updated, week, examples}. */
static aid_err write_prompt_file(const prompt_job *j, const char *path, const char *to, const char *ts,
                                 aid_errbuf *eb)
{
    const retrain_opts *o = j->st->o;
    strbuf tmp = STRBUF_INIT;
    aid_err err = AID_OK;
    struct json_object *pf = json_object_new_object(), *arr = json_object_new_array();
    if (!pf || !arr || jget_set(pf, "prompt_id", json_object_new_string(j->pid)) < 0 ||
        jget_set(pf, "version", json_object_new_string(to)) < 0 ||
        jget_set(pf, "updated", json_object_new_string(ts)) < 0 ||
        jget_set(pf, "week", json_object_new_string(o->week)) < 0)
        goto nomem;
    for (size_t i = 0; i < j->nex; i++)
        if (jget_push(arr, example_json(&j->ex[i])) < 0)
            goto nomem;
    struct json_object *examples = arr;
    arr = NULL;
    if (jget_set(pf, "examples", examples) < 0)
        goto nomem;
    if (jget_append(&tmp, pf, true) < 0)
        goto nomem;
    err = fsutil_write_atomic(path, tmp.buf, tmp.len, eb);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    json_object_put(arr);
    json_object_put(pf);
    strbuf_release(&tmp);
    return err;
}

/* "Added N examples (...) and removed M ..." */
static int delta_summary(const prompt_job *j, strbuf *summary)
{
    size_t nadded = json_object_array_length(j->added), nremoved = json_object_array_length(j->removed);
    size_t ncorr = 0;
    for (size_t i = 0; i < j->nex; i++)
        ncorr += !strcmp(j->ex[i].source, "corrected") && i >= j->nold_kept;
    const prompt_stats *ps = j->ps;
    return strbuf_addf(summary, "Added %zu example%s (%zu that agents accepted, %zu that QA corrected) and removed %zu that agents rejected this week; the prompt's acceptance this week was %.1f%% over %lld suggestions.",
                       nadded, nadded == 1 ? "" : "s", nadded - ncorr, ncorr, nremoved,
                       ps->n ? 100.0 * (double)ps->accepted / (double)ps->n : 0.0, (long long)ps->n);
}

/* The delta, as a prompt_update event, appended to deltas. 0 or -1. */
static int add_delta(const prompt_job *j, const char *from, const char *to, const char *ts,
                     struct json_object *deltas)
{
    strbuf theme = STRBUF_INIT, summary = STRBUF_INIT;
    struct json_object *d = json_object_new_object();
    int rc = -1;
    for (const char *p = j->pid; *p; p++)
        if (strbuf_addc(&theme, (*p == '_' || *p == '-') ? ' ' : *p) < 0)
            goto cleanup;
    if (!d || delta_summary(j, &summary) < 0 || jget_set(d, "type", json_object_new_string("prompt_update")) < 0 ||
        jget_set(d, "ts", json_object_new_string(ts)) < 0 ||
        jget_set(d, "prompt_id", json_object_new_string(j->pid)) < 0)
        goto cleanup;
    if (from && *from && jget_set(d, "from_version", json_object_new_string(from)) < 0)
        goto cleanup;
    if (jget_set(d, "to_version", json_object_new_string(to)) < 0 ||
        jget_set(d, "theme", json_object_new_string(theme.buf)) < 0 ||
        jget_set(d, "summary", json_object_new_string(summary.buf)) < 0 ||
        jget_set(d, "examples_added", json_object_get(j->added)) < 0 ||
        jget_set(d, "examples_removed", json_object_get(j->removed)) < 0 ||
        jget_set(d, "source_week", json_object_new_string(j->st->o->week)) < 0)
        goto cleanup;
    rc = jget_push(deltas, d);
    d = NULL;
cleanup:
    json_object_put(d);
    strbuf_release(&theme);
    strbuf_release(&summary);
    return rc;
}

/* The prompt file as it was into *old (NULL when there is none or it is
 * no JSON). 0, or -1 when out of memory. */
static int read_old_prompt(const char *path, struct json_object **old)
{
    char *data = NULL;
    size_t len;
    *old = NULL;
    aid_err err = fsutil_read_file(path, &data, &len, NULL);
    if (err == AID_ERR_NOMEM)
        return -1;
    if (err != AID_OK)
        return 0;
    int rc = jget_parse(data, old);
    free(data);
    return rc < 0 ? -1 : 0;
}

/* The prompt's entry of the plan: {prompt_id, changed, from_version,
 * to_version, added, removed, not_added}. 0 or -1. */
static int plan_entry(const prompt_job *j, const char *from, const char *to, bool changed,
                      struct json_object *plan)
{
    struct json_object *e = json_object_new_object();
    if (!e || jget_set(e, "prompt_id", json_object_new_string(j->pid)) < 0 ||
        jget_set(e, "changed", json_object_new_boolean(changed)) < 0 ||
        (from && *from && jget_set(e, "from_version", json_object_new_string(from)) < 0) ||
        (to && jget_set(e, "to_version", json_object_new_string(to)) < 0) ||
        jget_set(e, "added", json_object_get(j->why_added)) < 0 ||
        jget_set(e, "removed", json_object_get(j->why_removed)) < 0 ||
        jget_set(e, "not_added", json_object_get(j->why_not)) < 0) {
        json_object_put(e);
        return -1;
    }
    return jget_push(plan, e);
}

/* OUT/prompts/<file> as it was, and where the new one goes. 0 or -1. */
static int prompt_paths(const retrain_opts *o, const char *pid, strbuf *old, strbuf *staged)
{
    strbuf name = STRBUF_INIT;
    int rc = retrain_prompt_filename(pid, &name) < 0 || strbuf_addf(old, "%s/prompts/%s", o->out_dir, name.buf) < 0 ||
                     strbuf_addf(staged, "%s/prompts/%s", o->stage_dir ? o->stage_dir : o->out_dir, name.buf) < 0
                 ? -1
                 : 0;
    strbuf_release(&name);
    return rc;
}

/* Plan one prompt: its examples and the reasons (into plan); unless a
 * dry run, its new file (staged) and its delta when its examples changed. */
static aid_err update_prompt(retrain_state *st, const char *pid, prompt_stats *ps, struct json_object *deltas,
                             bool *changed, aid_errbuf *eb)
{
    const retrain_opts *o = st->o;
    aid_err err = AID_OK;
    strbuf path = STRBUF_INIT, staged = STRBUF_INIT;
    prompt_job j = { .st = st, .pid = pid, .ps = ps };
    char *from = NULL, *to = NULL;
    *changed = false;
    j.added = json_object_new_array();
    j.removed = json_object_new_array();
    j.why_added = json_object_new_array();
    j.why_removed = json_object_new_array();
    j.why_not = json_object_new_array();
    if (!j.added || !j.removed || !j.why_added || !j.why_removed || !j.why_not ||
        prompt_paths(o, pid, &path, &staged) < 0 || plan_groups(st, ps) < 0 || (!st->all.g && plan_groups(st, &st->all) < 0))
        goto nomem;
    if (read_old_prompt(path.buf, &j.old) < 0 || keep_old(&j) < 0 || add_new(&j) < 0)
        goto nomem;
    size_t nadded = json_object_array_length(j.added), nremoved = json_object_array_length(j.removed);
    *changed = nadded || nremoved; /* a prompt is a delta only when its examples changed */
    if (*changed && (strdup_opt(j.old ? jget_str(j.old, "version", "") : ps->version, &from) < 0 ||
                     !(to = next_version(from && *from ? from : NULL))))
        goto nomem;
    if (plan_entry(&j, from, to, *changed, st->plan) < 0)
        goto nomem;
    if (!*changed || o->dry_run)
        goto cleanup;
    char ts[32];
    timeutil_format_rfc3339(o->now_ms, ts, sizeof ts);
    if ((err = write_prompt_file(&j, staged.buf, to, ts, eb)))
        goto cleanup;
    if (add_delta(&j, from, to, ts, deltas) < 0)
        goto nomem;
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    for (size_t i = 0; i < j.nex; i++)
        example_release(&j.ex[i]);
    free(from);
    free(to);
    json_object_put(j.old);
    json_object_put(j.added);
    json_object_put(j.removed);
    json_object_put(j.why_added);
    json_object_put(j.why_removed);
    json_object_put(j.why_not);
    strbuf_release(&path);
    strbuf_release(&staged);
    return err;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* OUT/training/deltas.jsonl with the deltas appended, written (atomically)
 * to the stage. */
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
    strbuf_reset(&path);
    if (strbuf_addf(&path, "%s/training/deltas.jsonl", o->stage_dir ? o->stage_dir : o->out_dir) < 0)
        goto nomem;
    if (all.len && all.buf[all.len - 1] != '\n' && strbuf_addc(&all, '\n') < 0)
        goto nomem;
    for (size_t i = 0; i < json_object_array_length(deltas); i++)
        if (jget_append(&all, json_object_array_get_idx(deltas, i), false) < 0)
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

/* {"role": "system", "content": "You are the customer support assistant of the TEAM team. ..."} */
static aid_err system_message(const retrain_opts *o, struct json_object **out, aid_errbuf *eb)
{
    strbuf sys = STRBUF_INIT;
    struct json_object *m = json_object_new_object();
    *out = NULL;
    if (!m || strbuf_addf(&sys, "You are the customer support assistant of the %s team. Reply helpfully, "
                                "concisely and politely; say what happens next and when.",
                          o->cfg && o->cfg->team_name ? o->cfg->team_name : "Support") < 0 ||
        jget_set(m, "role", json_object_new_string("system")) < 0 ||
        jget_set(m, "content", json_object_new_string(sys.buf)) < 0) {
        json_object_put(m);
        strbuf_release(&sys);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    strbuf_release(&sys);
    *out = m;
    return AID_OK;
}

static aid_err state_init(retrain_state *st, const retrain_opts *o, aid_errbuf *eb)
{
    aid_err err;
    memset(st, 0, sizeof *st);
    st->o = o;
    timeutil_week w;
    if (!timeutil_parse_week(o->week, &w))
        return aid_errbuf_set(eb, AID_ERR_USAGE, "bad week '%s'", o->week);
    st->start = timeutil_week_start(w);
    st->end = st->start + TIMEUTIL_WEEK_MS;
    st->logs = o->ingested ? &o->ingested->files : &st->files;
    if ((!o->ingested && (err = logread_files_expand(&st->files, o->paths, o->npaths, eb))) ||
        (err = idindex_new(&st->ids, eb)))
        return err;
    st->corrections = strmap_new(sizeof(correction));
    st->updates = strmap_new(sizeof(prompt_update));
    st->prompts = strmap_new(sizeof(prompt_stats));
    st->plan = json_object_new_array();
    st->all.replies = strmap_new(sizeof(reply_stats));
    if (!st->all.replies || !st->corrections || !st->updates || !st->prompts || !st->plan)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if ((err = ftset_new(&st->ft, eb)))
        return err;
    return system_message(o, &st->system_msg, eb);
}

static void state_release(retrain_state *st)
{
    ftset_free(st->ft);
    prompt_stats_release(&st->all);
    json_object_put(st->plan);
    if (st->prompts) {
        for (size_t i = 0; i < strmap_capacity(st->prompts); i++) {
            void *v;
            if (strmap_slot(st->prompts, i, NULL, NULL, &v))
                prompt_stats_release(v);
        }
        strmap_free(st->prompts);
    }
    if (st->updates) {
        for (size_t i = 0; i < strmap_capacity(st->updates); i++) {
            void *v;
            if (strmap_slot(st->updates, i, NULL, NULL, &v))
                json_object_put(((prompt_update *)v)->removed);
        }
        strmap_free(st->updates);
    }
    if (st->corrections) {
        for (size_t i = 0; i < strmap_capacity(st->corrections); i++) {
            void *v;
            if (strmap_slot(st->corrections, i, NULL, NULL, &v))
                free(((correction *)v)->reply);
        }
        strmap_free(st->corrections);
    }
    idindex_free(st->ids);
    json_object_put(st->system_msg);
    logread_files_release(&st->files);
}

/* STAGE/training and STAGE/prompts (the stage: o->stage_dir, else OUT). */
static aid_err make_dirs(const retrain_opts *o, aid_errbuf *eb)
{
    const char *dir = o->stage_dir ? o->stage_dir : o->out_dir;
    strbuf path = STRBUF_INIT;
    aid_err err = AID_OK;
    if (strbuf_addf(&path, "%s/training", dir) < 0)
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (!err)
        err = fsutil_mkdirs(path.buf, eb);
    strbuf_reset(&path);
    if (!err && strbuf_addf(&path, "%s/prompts", dir) < 0)
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (!err)
        err = fsutil_mkdirs(path.buf, eb);
    strbuf_release(&path);
    return err;
}

/* What the first read finds, from what ingest read (o->ingested): the
 * week's corrections (the last one of each suggestion) and the prompt
 * updates up to the week's end, of the logs (not the deltas file); then
 * the week's suggestions at their last occurrences, the only lines read
 * again. */
static aid_err read_ingested(retrain_state *st, retrain_result *res, aid_errbuf *eb)
{
    const ingest_result *in = st->o->ingested;
    const agg *a = in->agg;
    res->bad_lines = a->dq.bad_lines + in->other_week_bad_lines;
    res->unreadable_files = (int64_t)json_object_array_length(in->file_errors);
    for (size_t i = 0; i < a->ncorrections; i++) {
        const agg_correction *ac = &a->corrections[i];
        if (IDINDEX_POS_FILE(ac->pos) >= in->nlog_files)
            continue;
        bool is_new;
        correction *c = strmap_upsert(st->corrections, ac->suggestion_id, strlen(ac->suggestion_id), &is_new);
        if (!c)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        if (!is_new && c->pos > ac->pos)
            continue;
        free(c->reply);
        c->pos = ac->pos;
        if (!(c->reply = strdup(ac->corrected)))
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < json_object_array_length(a->updates); i++) {
        struct json_object *u = json_object_array_get_idx(a->updates, i);
        int64_t ts = json_object_get_int64(jget(u, "ts_ms"));
        uint64_t pos = (uint64_t)json_object_get_int64(jget(u, "pos"));
        const char *pid = json_object_get_string(jget(u, "prompt_id"));
        if (ts >= st->end || IDINDEX_POS_FILE(pos) >= in->nlog_files || !pid)
            continue;
        if (note_update(st, pid, strlen(pid), ts, pos, jget(u, "examples_removed")) < 0)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    if (!in->nweek_positions)
        return AID_OK;
    read_opts again = { .max_line = RETRAIN_MAX_LINE, .only = in->week_positions, .nonly = in->nweek_positions };
    read_sink week_sink = { .event = pass_week, .ctx = st };
    return read_events(st->logs, &again, &week_sink, NULL, eb);
}

/* The two reads of the logs: the ids, corrections and updates (counting
 * what is skipped), then the week's suggestions into the fine-tuning
 * pairs and the prompts' statistics. */
static aid_err read_logs(retrain_state *st, retrain_result *res, aid_errbuf *eb)
{
    aid_err err;
    read_counts n;
    if (st->o->ingested)
        return read_ingested(st, res, eb);
    read_opts first = { .max_line = RETRAIN_MAX_LINE, .record_ids = st->ids };
    read_sink ids_sink = { .event = pass_ids, .ctx = st };
    err = read_events(st->logs, &first, &ids_sink, &n, eb);
    res->bad_lines = n.bad_lines;
    res->unreadable_files = n.unreadable_files; /* `aidigest check` tells which */
    if (err)
        return err;
    read_opts second = { .max_line = RETRAIN_MAX_LINE, .last_only = st->ids };
    read_sink week_sink = { .event = pass_week, .ctx = st };
    return read_events(st->logs, &second, &week_sink, NULL, eb);
}

/* STAGE/training/finetune-<week>.jsonl and -validation.jsonl. */
static aid_err write_finetune(retrain_state *st, retrain_result *res, aid_errbuf *eb)
{
    const retrain_opts *o = st->o;
    const char *dir = o->stage_dir ? o->stage_dir : o->out_dir;
    strbuf train = STRBUF_INIT, valid = STRBUF_INIT;
    aid_err err;
    if (strbuf_addf(&train, "%s/training/finetune-%s.jsonl", dir, o->week) < 0 ||
        strbuf_addf(&valid, "%s/training/finetune-%s-validation.jsonl", dir, o->week) < 0)
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    else if (o->plan_only)
        err = AID_OK;
    else if (o->dry_run)
        err = ftset_count(st->ft, &res->pairs, &res->validation_pairs) < 0
                  ? aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory")
                  : AID_OK;
    else
        err = ftset_write(st->ft, st->system_msg, train.buf, valid.buf, &res->pairs, &res->validation_pairs, eb);
    strbuf_release(&train);
    strbuf_release(&valid);
    return err;
}

/* Every prompt of the week, in name order. */
static aid_err update_prompts(retrain_state *st, struct json_object *deltas, retrain_result *res, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    size_t n = 0;
    char **ids = malloc((strmap_count(st->prompts) + 1) * sizeof *ids);
    if (!ids)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < strmap_capacity(st->prompts); i++) {
        const char *k;
        if (strmap_slot(st->prompts, i, &k, NULL, NULL))
            ids[n++] = (char *)k;
    }
    qsort(ids, n, sizeof *ids, cmp_strp);
    res->prompts = (int)n;
    for (size_t i = 0; i < n && !err; i++) {
        bool changed;
        prompt_stats *ps = strmap_get(st->prompts, ids[i], strlen(ids[i]));
        err = update_prompt(st, ids[i], ps, deltas, &changed, eb);
        res->prompts_updated += changed;
    }
    free(ids);
    return err;
}

aid_err retrain_run(const retrain_opts *o, retrain_result *res, aid_errbuf *eb)
{
    retrain_state st;
    struct json_object *deltas = NULL;
    memset(res, 0, sizeof *res);
    aid_err err = state_init(&st, o, eb);
    if (err || (!o->dry_run && (err = make_dirs(o, eb))))
        goto cleanup;
    if (!(deltas = json_object_new_array())) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((err = read_logs(&st, res, eb)) || (err = write_finetune(&st, res, eb)) ||
        (err = update_prompts(&st, deltas, res, eb)))
        goto cleanup;
    if (!o->dry_run && (err = append_deltas(o, deltas, eb)))
        goto cleanup;
    res->plan = st.plan;
    st.plan = NULL;
cleanup:
    state_release(&st);
    json_object_put(deltas);
    return err;
}

void retrain_result_release(retrain_result *res)
{
    if (res) {
        json_object_put(res->plan);
        res->plan = NULL;
    }
}

/* s with its control characters escaped (escape.h: a reply can never
 * forge a line or colour the terminal) appended to out. 0 or -1. */
static int add_escaped(strbuf *out, const char *s)
{
    size_t n = 4 * strlen(s) + 1;
    char *e = malloc(n);
    if (!e)
        return -1;
    esc_copy(e, n, s);
    int rc = strbuf_adds(out, e);
    free(e);
    return rc;
}

/* "  + "reply"" and its reason on the next line, for each of a list. 0 or -1. */
static int plan_lines(struct json_object *arr, const char *mark, strbuf *out)
{
    bool not = !strcmp(mark, "x");
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *x = json_object_array_get_idx(arr, i);
        const char *src = not ? jget_str(x, "source", NULL) : NULL;
        if (strbuf_addf(out, "  %s \"", mark) < 0 || add_escaped(out, jget_str(x, "reply", "")) < 0 ||
            strbuf_addf(out, "\"\n      %s",
                        src && !strcmp(src, "corrected") ? "QA correction not added: " : src ? "not added: " : "") < 0 ||
            add_escaped(out, jget_str(x, "reason", "")) < 0 || strbuf_addc(out, '\n') < 0)
            return -1;
    }
    return 0;
}

int retrain_plan_summary(struct json_object *plan, strbuf *out)
{
    for (size_t i = 0; i < json_object_array_length(plan); i++) {
        struct json_object *p = json_object_array_get_idx(plan, i);
        if (!json_object_get_boolean(jget(p, "changed")))
            continue;
        const char *from = jget_str(p, "from_version", "");
        if (strbuf_adds(out, "aidigest: retrain: ") < 0 || add_escaped(out, jget_str(p, "prompt_id", "")) < 0 ||
            strbuf_adds(out, " ") < 0 || add_escaped(out, *from ? from : "(new)") < 0 ||
            strbuf_adds(out, " -> ") < 0 || add_escaped(out, jget_str(p, "to_version", "")) < 0 ||
            strbuf_addf(out, ": +%zu -%zu examples\n", jget_len(p, "added"), jget_len(p, "removed")) < 0)
            return -1;
    }
    return 0;
}

int retrain_plan_text(struct json_object *plan, strbuf *out)
{
    for (size_t i = 0; i < json_object_array_length(plan); i++) {
        struct json_object *p = json_object_array_get_idx(plan, i);
        const char *pid = jget_str(p, "prompt_id", "");
        if (!json_object_get_boolean(jget(p, "changed"))) {
            if (add_escaped(out, pid) < 0 || strbuf_adds(out, ": no change\n") < 0 ||
                plan_lines(jget(p, "not_added"), "x", out) < 0)
                return -1;
            continue;
        }
        if (add_escaped(out, pid) < 0 || strbuf_adds(out, " ") < 0 ||
            add_escaped(out, jget_str(p, "from_version", "(new)")) < 0 || strbuf_adds(out, " -> ") < 0 ||
            add_escaped(out, jget_str(p, "to_version", "")) < 0 ||
            strbuf_addf(out, ": +%zu -%zu examples\n", jget_len(p, "added"), jget_len(p, "removed")) < 0 ||
            plan_lines(jget(p, "added"), "+", out) < 0 || plan_lines(jget(p, "removed"), "-", out) < 0 ||
            plan_lines(jget(p, "not_added"), "x", out) < 0)
            return -1;
    }
    return 0;
}
