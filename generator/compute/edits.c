#include "compute/edits.h"

#include <math.h>

#include "common/coachfeat.h"
#include "common/jget.h"
#include "common/stats.h"

static double ratio(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : NAN;
}

/* o[k] = v rounded to 6 decimals, a JSON null for NaN. 0 or -1. */
static int set_num(struct json_object *o, const char *k, double v)
{
    if (isnan(v))
        return json_object_object_add(o, k, NULL) ? -1 : 0;
    return jget_set(o, k, jget_new_num(v, 6));
}

static int set_shares(struct json_object *o, const editdist_hist *h)
{
    int64_t n = editdist_hist_total(h), light = editdist_hist_below(h, EDITDIST_LIGHT_BIN);
    if (jget_set(o, "measured", json_object_new_int64(n)) < 0 ||
        set_num(o, "median_share", editdist_hist_median(h)) < 0 ||
        jget_set(o, "light", json_object_new_int64(light)) < 0 || set_num(o, "light_share", ratio(light, n)) < 0)
        return -1;
    return 0;
}

aid_err edits_shares_json(const editdist_hist *h, struct json_object **out, aid_errbuf *eb)
{
    struct json_object *o = json_object_new_object();
    *out = NULL;
    if (!o || set_shares(o, h) < 0) {
        json_object_put(o);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return AID_OK;
}

static int set_ci(struct json_object *o, const char *k, int64_t x, int64_t n)
{
    if (n <= 0)
        return json_object_object_add(o, k, NULL) ? -1 : 0;
    stats_interval ci = stats_wilson(x, n, STATS_Z95);
    struct json_object *a = json_object_new_array();
    if (jget_push(a, jget_new_num(ci.lo, 6)) < 0 || jget_push(a, jget_new_num(ci.hi, 6)) < 0) {
        json_object_put(a);
        return -1;
    }
    return jget_set(o, k, a);
}

static int habits_json(const agg_edits *e, struct json_object *o)
{
    struct json_object *arr = json_object_new_array();
    if (jget_set(o, "habits", arr) < 0)
        return -1;
    for (int k = 0; k < COACHFEAT__COUNT; k++) {
        struct json_object *h = json_object_new_object();
        if (jget_push(arr, h) < 0 || jget_set(h, "feature", json_object_new_string(coachfeat_name(k))) < 0 ||
            jget_set(h, "label", json_object_new_string(coachfeat_label(k))) < 0 ||
            jget_set(h, "added", json_object_new_int64(e->added[k])) < 0 ||
            jget_set(h, "removed", json_object_new_int64(e->removed[k])) < 0)
            return -1;
    }
    return 0;
}

aid_err edits_json(const agg_edits *e, int64_t edited, struct json_object **out, aid_errbuf *eb)
{
    struct json_object *o = json_object_new_object();
    *out = NULL;
    if (!o || jget_set(o, "edited", json_object_new_int64(edited)) < 0 || set_shares(o, &e->shares) < 0 ||
        set_ci(o, "light_share_ci", editdist_hist_below(&e->shares, EDITDIST_LIGHT_BIN),
               editdist_hist_total(&e->shares)) < 0 ||
        jget_set(o, "unmeasured", json_object_new_int64(edited - e->measured)) < 0 || habits_json(e, o) < 0) {
        json_object_put(o);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return AID_OK;
}
