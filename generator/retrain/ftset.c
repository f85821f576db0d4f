#include "retrain/ftset.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/hashfn.h"
#include "common/jget.h"
#include "common/strbuf.h"
#include "common/textnorm.h"
#include "compute/compute.h"

typedef struct ftpair {
    char *user, *assistant;
    size_t ulen, alen;
    char *key;    /* normalised user, " || ", normalised assistant */
    uint64_t hash;
    bool kept, valid;
} ftpair;

struct ftset {
    ftpair *p;
    size_t n, cap;
    bool planned;
};

aid_err ftset_new(ftset **out, aid_errbuf *eb)
{
    *out = calloc(1, sizeof **out);
    return *out ? AID_OK : aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
}

void ftset_free(ftset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->p[i].user);
        free(s->p[i].assistant);
        free(s->p[i].key);
    }
    free(s->p);
    free(s);
}

bool ftset_placeholder_only(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '[') {
            size_t k = i + 1;
            while (k < len && (isalnum((unsigned char)s[k]) || s[k] == '_' || s[k] == '-'))
                k++;
            if (k < len && s[k] == ']' && k > i + 1) {
                i = k;
                continue;
            }
            return false;
        }
        if (isalnum(c) || c >= 0x80)
            return false;
    }
    return true;
}

int ftset_add(ftset *s, const char *user, size_t ulen, const char *assistant, size_t alen)
{
    if (ftset_placeholder_only(user, ulen) || ftset_placeholder_only(assistant, alen))
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        ftpair *np = realloc(s->p, cap * sizeof *np);
        if (!np)
            return -1;
        s->p = np;
        s->cap = cap;
    }
    ftpair *p = &s->p[s->n];
    memset(p, 0, sizeof *p);
    strbuf key = STRBUF_INIT;
    p->user = strndup(user, ulen);
    p->assistant = strndup(assistant, alen);
    p->ulen = ulen;
    p->alen = alen;
    s->n++; /* counted now, so that ftset_free frees it */
    s->planned = false;
    if (!p->user || !p->assistant || textnorm_reply(user, ulen, &key) < 0 || strbuf_adds(&key, " || ") < 0 ||
        textnorm_reply(assistant, alen, &key) < 0 || !(p->key = strbuf_detach(&key, NULL))) {
        strbuf_release(&key);
        return -1;
    }
    p->hash = hashfn_bytes(p->key, strlen(p->key), 0x66747365ULL);
    return 0;
}

static int cmp_hash(const void *a, const void *b)
{
    const ftpair *x = *(ftpair *const *)a, *y = *(ftpair *const *)b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Which pairs are kept (once each) and which are held out. 0 or -1. */
static int plan(ftset *s)
{
    if (s->planned)
        return 0;
    int rc = -1;
    const char **texts = malloc((s->n + 1) * sizeof *texts);
    size_t *cl = malloc((s->n + 1) * sizeof *cl);
    ftpair **kept = malloc((s->n + 1) * sizeof *kept);
    if (!texts || !cl || !kept)
        goto cleanup;
    for (size_t i = 0; i < s->n; i++)
        texts[i] = s->p[i].key;
    if (neardup_cluster((const char *const *)texts, s->n, NEARDUP_THRESHOLD, cl, NULL) != AID_OK)
        goto cleanup;
    size_t nk = 0;
    for (size_t i = 0; i < s->n; i++) {
        s->p[i].kept = cl[i] == i; /* the first of its group, identical texts included */
        s->p[i].valid = false;
        if (s->p[i].kept)
            kept[nk++] = &s->p[i];
    }
    size_t nvalid = nk >= FTSET_VALIDATION_MIN_PAIRS ? nk / FTSET_VALIDATION_DIVISOR : 0;
    qsort(kept, nk, sizeof *kept, cmp_hash);
    for (size_t i = 0; i < nvalid; i++)
        kept[i]->valid = true;
    s->planned = true;
    rc = 0;
cleanup:
    free(kept);
    free(cl);
    free(texts);
    return rc;
}

int ftset_count(ftset *s, int64_t *ntrain, int64_t *nvalid)
{
    if (plan(s) < 0)
        return -1;
    int64_t t = 0, v = 0;
    for (size_t i = 0; i < s->n; i++) {
        t += s->p[i].kept && !s->p[i].valid;
        v += s->p[i].kept && s->p[i].valid;
    }
    if (ntrain)
        *ntrain = t;
    if (nvalid)
        *nvalid = v;
    return 0;
}

/* {role, content} */
static struct json_object *message_json(const char *role, const char *content, size_t len)
{
    struct json_object *m = json_object_new_object();
    if (!m || jget_set(m, "role", json_object_new_string(role)) < 0 ||
        jget_set(m, "content", json_object_new_string_len(content, (int)len)) < 0) {
        json_object_put(m);
        return NULL;
    }
    return m;
}

/* One line {"messages": [system, user, assistant]} appended to out. 0 or -1. */
static int pair_line(const ftpair *p, struct json_object *system_msg, strbuf *out)
{
    struct json_object *o = json_object_new_object(), *msgs = json_object_new_array();
    int rc = -1;
    if (!o || !msgs || jget_push(msgs, json_object_get(system_msg)) < 0 ||
        jget_push(msgs, message_json("user", p->user, p->ulen)) < 0 ||
        jget_push(msgs, message_json("assistant", p->assistant, p->alen)) < 0)
        goto cleanup;
    struct json_object *m = msgs;
    msgs = NULL;
    if (jget_set(o, "messages", m) < 0)
        goto cleanup;
    rc = jget_append(out, o, false);
cleanup:
    json_object_put(msgs);
    json_object_put(o);
    return rc;
}

aid_err ftset_write(ftset *s, struct json_object *system_msg, const char *train_path, const char *valid_path,
                    int64_t *ntrain, int64_t *nvalid, aid_errbuf *eb)
{
    strbuf train = STRBUF_INIT, valid = STRBUF_INIT;
    aid_err err = AID_OK;
    int64_t t = 0, v = 0;
    if (plan(s) < 0)
        goto nomem;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->p[i].kept)
            continue;
        if (pair_line(&s->p[i], system_msg, s->p[i].valid ? &valid : &train) < 0)
            goto nomem;
        t += !s->p[i].valid;
        v += s->p[i].valid;
    }
    if ((err = fsutil_write_atomic(train_path, train.buf, train.len, eb)) ||
        (err = fsutil_write_atomic(valid_path, valid.buf, valid.len, eb)))
        goto cleanup;
    if (ntrain)
        *ntrain = t;
    if (nvalid)
        *nvalid = v;
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    strbuf_release(&train);
    strbuf_release(&valid);
    return err;
}
