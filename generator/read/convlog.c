#include "read/convlog.h"

#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"

static const char *const class_names[CONVLOG__CLASSES] = { "as_is", "edited", "not_used" };

const char *convlog_class_name(convlog_class c)
{
    return (int)c >= 0 && c < CONVLOG__CLASSES ? class_names[c] : "?";
}

int convlog_class_of(const int64_t n[CONVLOG__CLASSES])
{
    for (int k = 0; k < CONVLOG__CLASSES; k++)
        if (n[k] > 0)
            return k;
    return -1;
}

aid_err convlog_new(convlog **out, int64_t week_start_ms, aid_errbuf *eb)
{
    convlog *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    c->week_start_ms = week_start_ms;
    c->convs = strmap_new(sizeof(convlog_conv));
    c->prompts = strmap_new(sizeof(convlog_conv));
    c->outcomes = strmap_new(sizeof(convlog_outcome));
    if (!c->convs || !c->prompts || !c->outcomes) {
        convlog_free(c);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = c;
    return AID_OK;
}

void convlog_free(convlog *c)
{
    if (!c)
        return;
    strmap_free(c->outcomes);
    strmap_free(c->prompts);
    strmap_free(c->convs);
    free(c);
}

static convlog_class class_of_action(event_action a)
{
    return a == ACTION_ACCEPTED ? CONVLOG_AS_IS : a == ACTION_EDITED ? CONVLOG_EDITED : CONVLOG_NOT_USED;
}

int convlog_add_suggestion(convlog *c, const event *ev, int wk, int sign)
{
    if (!ev->conversation_id.len || wk < 0 || wk > 1)
        return 0;
    convlog_class k = class_of_action(ev->action);
    convlog_conv *v = strmap_upsert(c->convs, ev->conversation_id.s, ev->conversation_id.len, NULL);
    if (!v)
        return -1;
    v->n[wk][k] += sign;
    if (!ev->prompt_id.len)
        return 0;
    /* the key: conversation id, NUL, prompt id (event strings hold no NUL) */
    size_t kl = ev->conversation_id.len + 1 + ev->prompt_id.len;
    char small[256]; /* most keys: no allocation per suggestion */
    char *key = kl <= sizeof small ? small : malloc(kl);
    if (!key)
        return -1;
    memcpy(key, ev->conversation_id.s, ev->conversation_id.len);
    key[ev->conversation_id.len] = '\0';
    memcpy(key + ev->conversation_id.len + 1, ev->prompt_id.s, ev->prompt_id.len);
    v = strmap_upsert(c->prompts, key, kl, NULL);
    if (key != small)
        free(key);
    if (!v)
        return -1;
    v->n[wk][k] += sign;
    return 0;
}

static void outcome_fold(convlog_outcome *d, bool is_new, const convlog_outcome *s)
{
    int64_t events = (is_new ? 0 : d->events) + s->events;
    if (is_new || s->pos > d->pos)
        *d = *s;
    d->events = events;
}

int convlog_add_outcome(convlog *c, const event *ev, uint64_t pos)
{
    if (ev->ts_ms < c->week_start_ms - TIMEUTIL_WEEK_MS || ev->ts_ms >= c->week_start_ms + 2 * TIMEUTIL_WEEK_MS) {
        c->outside++;
        return 0;
    }
    bool is_new;
    convlog_outcome *d = strmap_upsert(c->outcomes, ev->conversation_id.s, ev->conversation_id.len, &is_new);
    if (!d)
        return -1;
    convlog_outcome s = { pos, ev->ts_ms, ev->csat, ev->resolved, 1 };
    outcome_fold(d, is_new, &s);
    return 0;
}

/* A conversation's (or prompt's) counts (strmap_merge). */
static int conv_fold(void *dv, bool is_new, void *sv)
{
    (void)is_new;
    convlog_conv *d = dv;
    const convlog_conv *s = sv;
    for (int w = 0; w < 2; w++)
        for (int j = 0; j < CONVLOG__CLASSES; j++)
            d->n[w][j] += s->n[w][j];
    return 0;
}

/* A conversation's outcome (strmap_merge). */
static int outcome_merge_fold(void *dv, bool is_new, void *sv)
{
    outcome_fold(dv, is_new, sv);
    return 0;
}

int convlog_merge(convlog *dst, const convlog *src)
{
    if (strmap_merge(dst->convs, src->convs, conv_fold) < 0 || strmap_merge(dst->prompts, src->prompts, conv_fold) < 0 ||
        strmap_merge(dst->outcomes, src->outcomes, outcome_merge_fold) < 0)
        return -1;
    dst->outside += src->outside;
    return 0;
}
