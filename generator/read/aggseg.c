#include "read/aggseg.h"

#include <math.h>
#include <string.h>

#include "common/editdist.h"
#include "read/agg.h"

_Static_assert(AGGSEG_CAL_BINS == AGG_CAL_BINS, "segments use the calibration bins of confidence");

static const char *const dim_names[AGGSEG__DIMS] = { "prompt", "channel", "agent" };

const char *aggseg_dim_name(aggseg_dim d)
{
    return d >= 0 && d < AGGSEG__DIMS ? dim_names[d] : "?";
}

int aggseg_init(aggseg *s)
{
    memset(s, 0, sizeof *s);
    for (int d = 0; d < AGGSEG__DIMS; d++)
        if (!(s->tab[d] = strmap_new(sizeof(aggseg_entry))))
            return -1;
    return 0;
}

static void entry_release(aggseg_entry *e)
{
    strmap_free(e->versions);
    e->versions = NULL;
}

void aggseg_release(aggseg *s)
{
    for (int d = 0; d < AGGSEG__DIMS; d++) {
        if (!s->tab[d])
            continue;
        for (size_t i = 0; i < strmap_capacity(s->tab[d]); i++) {
            void *v;
            if (strmap_slot(s->tab[d], i, NULL, NULL, &v))
                entry_release(v);
        }
        strmap_free(s->tab[d]);
        s->tab[d] = NULL;
    }
}

static void week_add(aggseg_week *w, const event *ev, int sign, int edit_bin)
{
    w->n += sign;
    w->by_action[ev->action] += sign;
    if (edit_bin >= 0) {
        w->measured += sign;
        w->light += sign * (int64_t)(edit_bin < EDITDIST_LIGHT_BIN);
    }
    if (!ev->has_confidence)
        return;
    /* the same fixed point and bins as agg_week (read/agg.c) */
    int64_t cn = (int64_t)llround(ev->confidence * (double)AGG_NANO);
    int cb = (int)floor(ev->confidence * 10.0);
    if (cb > AGGSEG_CAL_BINS - 1)
        cb = AGGSEG_CAL_BINS - 1;
    if (cb < 0)
        cb = 0;
    w->with_conf += sign;
    w->conf_nano += sign * cn;
    w->conf_sq += (__int128)sign * cn * cn;
    w->cal_n[cb] += sign;
    w->cal_conf_nano[cb] += sign * cn;
    if (ev->action == ACTION_ACCEPTED)
        w->cal_accepted[cb] += sign;
}

/* The share bin of an edited suggestion (docs/figures.md "Edits"), -1
 * when it cannot be measured. -2 when out of memory. */
static int measure(const event *ev)
{
    if (ev->action != ACTION_EDITED || !ev->final_reply.len)
        return -1;
    int64_t dist = 0, words = 0;
    if (editdist_words(ev->ai_reply.s, ev->ai_reply.len, ev->final_reply.s, ev->final_reply.len, &dist, &words,
                       NULL) < 0)
        return -2;
    return words > 0 ? editdist_bin(dist, words) : -1;
}

static event_str field_of(const event *ev, int d)
{
    return d == AGGSEG_PROMPT ? ev->prompt_id : d == AGGSEG_CHANNEL ? ev->channel : ev->agent_id;
}

int aggseg_add(aggseg *s, const event *ev, int wk, int sign, int edit_bin)
{
    if (wk != 0 && wk != 1)
        return 0;
    if (edit_bin == AGGSEG_EDIT_UNKNOWN && (edit_bin = measure(ev)) == -2)
        return -1;
    for (int d = 0; d < AGGSEG__DIMS; d++) {
        event_str f = field_of(ev, d);
        aggseg_entry *e;
        if (!f.s || !f.len) {
            e = &s->none[d];
        } else if (!(e = strmap_upsert(s->tab[d], f.s, f.len, NULL))) {
            return -1;
        }
        week_add(&e->w[wk], ev, sign, edit_bin);
        if (d != AGGSEG_PROMPT || wk != 0 || e == &s->none[d])
            continue;
        if (!ev->prompt_version.s || !ev->prompt_version.len) {
            e->no_version += sign;
            continue;
        }
        if (!e->versions && !(e->versions = strmap_new_cap(sizeof(int64_t), 2)))
            return -1;
        int64_t *c = strmap_upsert(e->versions, ev->prompt_version.s, ev->prompt_version.len, NULL);
        if (!c)
            return -1;
        *c += sign;
    }
    return 0;
}

static void week_merge(aggseg_week *d, const aggseg_week *s)
{
    d->n += s->n;
    for (int i = 0; i < ACTION__COUNT; i++)
        d->by_action[i] += s->by_action[i];
    d->with_conf += s->with_conf;
    d->conf_nano += s->conf_nano;
    d->conf_sq += s->conf_sq;
    for (int i = 0; i < AGGSEG_CAL_BINS; i++) {
        d->cal_n[i] += s->cal_n[i];
        d->cal_accepted[i] += s->cal_accepted[i];
        d->cal_conf_nano[i] += s->cal_conf_nano[i];
    }
    d->measured += s->measured;
    d->light += s->light;
}

static int entry_merge(aggseg_entry *d, const aggseg_entry *s)
{
    week_merge(&d->w[0], &s->w[0]);
    week_merge(&d->w[1], &s->w[1]);
    d->no_version += s->no_version;
    if (!s->versions)
        return 0;
    if (!d->versions && !(d->versions = strmap_new_cap(sizeof(int64_t), 2)))
        return -1;
    return strmap_add_counts(d->versions, s->versions);
}

/* A segment's entry (strmap_merge). */
static int entry_fold(void *dv, bool is_new, void *sv)
{
    (void)is_new;
    return entry_merge(dv, sv);
}

int aggseg_merge(aggseg *dst, const aggseg *src)
{
    for (int d = 0; d < AGGSEG__DIMS; d++) {
        if (entry_merge(&dst->none[d], &src->none[d]) < 0)
            return -1;
        if (strmap_merge(dst->tab[d], src->tab[d], entry_fold) < 0)
            return -1;
    }
    return 0;
}
