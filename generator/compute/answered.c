#include "compute/answered.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/jget.h"
#include "common/stats.h"
#include "common/strmap.h"
#include "compute/textout.h"

typedef struct group_hash {
    uint32_t hash;
    size_t cluster;
} group_hash;

typedef struct cluster_info {
    char *text;
    int64_t by_action[ACTION__COUNT];
} cluster_info;

struct answered_index {
    group_hash *g;
    size_t ng;
    cluster_info *c;
    size_t nc;
    bool sorted;
};

aid_err answered_index_new(answered_index **out, size_t ngroups, size_t nclusters, aid_errbuf *eb)
{
    answered_index *x = calloc(1, sizeof *x);
    *out = NULL;
    if (!x || !(x->g = calloc(ngroups + 1, sizeof *x->g)) || !(x->c = calloc(nclusters + 1, sizeof *x->c))) {
        answered_index_free(x);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    x->ng = ngroups;
    x->nc = nclusters;
    *out = x;
    return AID_OK;
}

void answered_index_free(answered_index *x)
{
    if (!x)
        return;
    if (x->c)
        for (size_t i = 0; i < x->nc; i++)
            free(x->c[i].text);
    free(x->c);
    free(x->g);
    free(x);
}

void answered_index_group(answered_index *x, size_t i, const char *key, size_t c)
{
    if (i < x->ng)
        x->g[i] = (group_hash){ answers_group_hash(key, strlen(key)), c };
    x->sorted = false;
}

int answered_index_cluster(answered_index *x, size_t c, const char *text, const int64_t *by_action)
{
    if (c >= x->nc)
        return 0;
    free(x->c[c].text);
    if (!(x->c[c].text = strdup(text ? text : "")))
        return -1;
    memcpy(x->c[c].by_action, by_action, sizeof x->c[c].by_action);
    return 0;
}

static int cmp_hash(const void *a, const void *b)
{
    const group_hash *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->cluster < y->cluster ? -1 : x->cluster > y->cluster;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The merged group of a sampled hash, or (size_t)-1 (all its uses taken back). */
static size_t cluster_of(const answered_index *x, uint32_t h)
{
    size_t lo = 0, hi = x->ng;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->g[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->ng && x->g[lo].hash == h ? x->g[lo].cluster : (size_t)-1;
}

static struct json_object *r6(double v)
{
    return jget_new_num(v, 6);
}

static struct json_object *wilson(int64_t k, int64_t n)
{
    if (n <= 0)
        return NULL;
    stats_interval ci = stats_wilson(k, n, STATS_Z95);
    struct json_object *a = json_object_new_array();
    if (!a || jget_push(a, r6(ci.lo)) < 0 || jget_push(a, r6(ci.hi)) < 0) {
        json_object_put(a);
        return NULL;
    }
    return a;
}

/* k: v, or a JSON null when absent (present false). 0 or -1. */
static int set_or_null(struct json_object *o, const char *k, bool present, struct json_object *v)
{
    if (!present) {
        json_object_put(v);
        return json_object_object_add(o, k, NULL) != 0 ? -1 : 0;
    }
    return jget_set(o, k, v);
}

/* The 1-based rank of the entry of list whose reply is text, or 0. */
static size_t rank_in(const struct json_object *report, const char *list, const char *text)
{
    size_t n = jget_len(report, list);
    for (size_t i = 0; i < n && text; i++) {
        const struct json_object *e = json_object_array_get_idx(jget(report, list), i);
        const char *r = jget_str(e, "reply", NULL);
        if (r && !strcmp(r, text))
            return i + 1;
    }
    return 0;
}

/* answered_by of one topic (*out: NULL when none of its sampled messages
 * has a group, or when two groups tie for the most). 0 or -1. */
static int topic_answered(const answered_index *x, const figures_input *in, const struct json_object *report,
                          const answers *s, struct json_object **out)
{
    *out = NULL;
    if (!s || !s->n)
        return 0;
    size_t *cl = malloc(s->n * sizeof *cl), n = 0;
    if (!cl)
        return -1;
    for (uint32_t i = 0; i < s->n; i++) {
        size_t c = cluster_of(x, answers_group(s->v[i]));
        if (c != (size_t)-1)
            cl[n++] = c;
    }
    if (!n) {
        free(cl);
        return 0;
    }
    qsort(cl, n, sizeof *cl, cmp_size);
    size_t best = cl[0], best_k = 0;
    bool tied = false;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && cl[j] == cl[i])
            j++;
        size_t k = j - i;
        if (k > best_k) {
            best = cl[i];
            best_k = k;
            tied = false;
        } else if (k == best_k) {
            tied = true;
        }
        i = j;
    }
    free(cl);
    if (tied) /* no one group answered more of them than every other */
        return 0;
    const cluster_info *c = &x->c[best];
    int64_t sug = 0;
    for (int j = 0; j < ACTION__COUNT; j++)
        sug += c->by_action[j];
    int64_t uses = c->by_action[ACTION_ACCEPTED] + c->by_action[ACTION_EDITED], rej = c->by_action[ACTION_REJECTED];
    stats_interval share = stats_wilson((int64_t)best_k, (int64_t)n, STATS_Z95);
    struct json_object *o = json_object_new_object(), *reply = NULL;
    if (!o || textout_json(in->redact, c->text, strlen(c->text), &reply) < 0 || jget_set(o, "reply", reply) < 0)
        goto fail;
    const char *shown = json_object_get_string(reply);
    size_t ra = rank_in(report, "top_accepted", shown), rr = rank_in(report, "top_rejected", shown);
    if (jget_set(o, "messages", json_object_new_int64((int64_t)best_k)) < 0 ||
        jget_set(o, "sampled", json_object_new_int64((int64_t)n)) < 0 ||
        jget_set(o, "share", r6((double)best_k / (double)n)) < 0 ||
        jget_set(o, "share_ci", wilson((int64_t)best_k, (int64_t)n)) < 0 ||
        jget_set(o, "mostly", json_object_new_boolean(share.lo > ANSWERED_MOSTLY)) < 0 ||
        jget_set(o, "suggested", json_object_new_int64(sug)) < 0 ||
        set_or_null(o, "use_rate", sug > 0, r6(sug > 0 ? (double)uses / (double)sug : 0)) < 0 ||
        set_or_null(o, "use_rate_ci", sug > 0, wilson(uses, sug)) < 0 ||
        set_or_null(o, "rejection_rate", sug > 0, r6(sug > 0 ? (double)rej / (double)sug : 0)) < 0 ||
        set_or_null(o, "rejection_rate_ci", sug > 0, wilson(rej, sug)) < 0 ||
        set_or_null(o, "top_accepted_rank", ra > 0, json_object_new_int64((int64_t)ra)) < 0 ||
        set_or_null(o, "top_rejected_rank", rr > 0, json_object_new_int64((int64_t)rr)) < 0)
        goto fail;
    *out = o;
    return 0;
fail:
    json_object_put(o);
    return -1;
}

aid_err answered_json(answered_index *x, const figures_input *in, struct json_object *report, aid_errbuf *eb)
{
    if (!x->sorted) {
        qsort(x->g, x->ng, sizeof *x->g, cmp_hash);
        x->sorted = true;
    }
    const agg *a = in->ing->agg;
    struct json_object *rising = jget(report, "trends.rising");
    size_t nr = jget_len(report, "trends.rising");
    for (size_t i = 0; i < nr; i++) {
        struct json_object *e = json_object_array_get_idx(rising, i), *ab = NULL;
        const char *stem = jget_str(e, "stem", NULL);
        const agg_term *t = stem ? strmap_get(a->terms, stem, strlen(stem)) : NULL;
        if (topic_answered(x, in, report, t ? t->answers : NULL, &ab) < 0 ||
            json_object_object_add(e, "answered_by", ab) != 0) {
            json_object_put(ab);
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
    }
    return AID_OK;
}
