#include "render/costlabel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/jget.h"
#include "common/numfmt.h"

const char *const costlabel_titles[COSTLABEL__COUNT] = {
    [COSTLABEL_NAME] = "Group",
    [COSTLABEL_REPLIES] = "Suggestions (used)",
    [COSTLABEL_MEDIAN] = "Median latency",
    [COSTLABEL_MEDIAN_CI] = "Median latency, 95% interval",
    [COSTLABEL_P95] = "p95 latency",
    [COSTLABEL_P95_CI] = "p95 latency, 95% interval",
    [COSTLABEL_P95_CHANGE] = "p95 change",
    [COSTLABEL_TOKENS] = "Mean tokens in / out",
    [COSTLABEL_COST] = "Cost",
    [COSTLABEL_PER_USED] = "Cost per used reply",
    [COSTLABEL_PER_USED_CHANGE] = "Change per used reply",
};

size_t costlabel_count(const struct json_object *report)
{
    if (!jget(report, "cost.overall"))
        return 0;
    return 1 + jget_len(report, "cost.prompts") + jget_len(report, "cost.models");
}

struct json_object *costlabel_row(const struct json_object *report, size_t i, const char **kind,
                                  const char **name)
{
    size_t np = jget_len(report, "cost.prompts"), nm = jget_len(report, "cost.models");
    struct json_object *o = NULL;
    *kind = NULL;
    *name = NULL;
    if (!jget(report, "cost.overall"))
        return NULL;
    if (i == 0) {
        *kind = "all";
        return jget(report, "cost.overall");
    }
    i--;
    if (i < np) {
        o = json_object_array_get_idx(jget(report, "cost.prompts"), i);
        *kind = "prompt";
        *name = jget_str(o, "prompt_id", "");
        return o;
    }
    i -= np;
    if (i < nm) {
        o = json_object_array_get_idx(jget(report, "cost.models"), i);
        *kind = "model";
        *name = jget_str(o, "model", "");
        return o;
    }
    return NULL;
}

const char *costlabel_currency(const struct json_object *report)
{
    return jget_str(report, "cost.currency", "USD");
}

/* A money amount: 4 decimals below 1, else 2 */
static int money(strbuf *out, double v)
{
    return numfmt_dec(out, v, !isnan(v) && fabs(v) < 1 ? 4 : 2);
}

static int ms(strbuf *out, double v)
{
    if (isnan(v))
        return numfmt_dec(out, v, 0);
    if (numfmt_int(out, (int64_t)llround(v)) < 0)
        return -1;
    return strbuf_adds(out, " ms");
}

/* A quantile's 95 % interval: "(250–1,502)", a one-sided "(≥ 800)" when
 * too few latencies bound the other side, "" without one. */
static int ms_ci(strbuf *out, const struct json_object *r, const char *path)
{
    char p[64];
    double v = jget_double(r, path, NAN);
    if (isnan(v))
        return 0;
    snprintf(p, sizeof p, "%s_ci.0", path);
    double lo = jget_double(r, p, NAN);
    snprintf(p, sizeof p, "%s_ci.1", path);
    double hi = jget_double(r, p, NAN);
    if (isnan(lo) && isnan(hi))
        return 0;
    if (strbuf_addc(out, '(') < 0)
        return -1;
    if (isnan(hi)) {
        if (strbuf_adds(out, "\xe2\x89\xa5 ") < 0 || numfmt_int(out, (int64_t)llround(lo)) < 0)
            return -1;
    } else if (isnan(lo)) {
        if (strbuf_adds(out, "\xe2\x89\xa4 ") < 0 || numfmt_int(out, (int64_t)llround(hi)) < 0)
            return -1;
    } else if (numfmt_int(out, (int64_t)llround(lo)) < 0 || strbuf_adds(out, "\xe2\x80\x93") < 0 ||
               numfmt_int(out, (int64_t)llround(hi)) < 0) {
        return -1;
    }
    return strbuf_addc(out, ')');
}

int costlabel_cell(strbuf *out, const struct json_object *report, size_t i, costlabel_col col)
{
    const char *kind, *name;
    struct json_object *r = costlabel_row(report, i, &kind, &name);
    if (!r)
        return numfmt_dec(out, NAN, 0);
    switch (col) {
    case COSTLABEL_NAME:
        if (!strcmp(kind, "all"))
            return strbuf_adds(out, "All suggestions");
        if (strbuf_adds(out, !strcmp(kind, "prompt") ? "Prompt " : "Model ") < 0)
            return -1;
        return strbuf_adds(out, name);
    case COSTLABEL_REPLIES:
        if (numfmt_int(out, jget_int(r, "suggestions", 0)) < 0 || strbuf_adds(out, " (") < 0 ||
            numfmt_int(out, jget_int(r, "used", 0)) < 0)
            return -1;
        return strbuf_adds(out, " used)");
    case COSTLABEL_MEDIAN:
        return ms(out, jget_double(r, "latency_ms.median", NAN));
    case COSTLABEL_MEDIAN_CI:
        return ms_ci(out, r, "latency_ms.median");
    case COSTLABEL_P95:
        return ms(out, jget_double(r, "latency_ms.p95", NAN));
    case COSTLABEL_P95_CI:
        return ms_ci(out, r, "latency_ms.p95");
    case COSTLABEL_P95_CHANGE: {
        double d = jget_double(r, "change.latency_p95_ms", NAN);
        if (isnan(d) || d == 0)
            return isnan(d) ? numfmt_dec(out, d, 0) : strbuf_adds(out, "0 ms");
        if (strbuf_adds(out, d > 0 ? "+" : "\xe2\x88\x92") < 0)
            return -1;
        return ms(out, fabs(d));
    }
    case COSTLABEL_TOKENS: {
        double a = jget_double(r, "tokens_in.mean", NAN), b = jget_double(r, "tokens_out.mean", NAN);
        if (isnan(a) && isnan(b))
            return numfmt_dec(out, NAN, 0);
        if (numfmt_dec(out, a, 1) < 0 || strbuf_adds(out, " / ") < 0)
            return -1;
        return numfmt_dec(out, b, 1);
    }
    case COSTLABEL_COST:
        return money(out, jget_double(r, "cost.total", NAN));
    case COSTLABEL_PER_USED:
        return money(out, jget_double(r, "cost.per_used_reply", NAN));
    case COSTLABEL_PER_USED_CHANGE: {
        double d = jget_double(r, "change.cost_per_used_reply", NAN);
        double q = jget_double(r, "change.cost_per_used_reply_ratio", NAN);
        if (isnan(d))
            return numfmt_dec(out, d, 0);
        if (numfmt_signed(out, d, 4) < 0)
            return -1;
        if (isnan(q))
            return 0;
        if (strbuf_adds(out, " (\xc3\x97") < 0 || numfmt_dec(out, q, 2) < 0)
            return -1;
        return strbuf_addc(out, ')');
    }
    default:
        return 0;
    }
}

int costlabel_note(strbuf *out, const struct json_object *report)
{
    return strbuf_addf(out,
                       "Costs in %s; a used reply was accepted or edited. Latencies are nearest-rank "
                       "percentiles from a histogram: exact to the millisecond below %lld ms, "
                       "within %.2f%% above; in brackets their 95%% distribution-free intervals. "
                       "Changes are against the week before; no test is made of them "
                       "(docs/figures.md).",
                       costlabel_currency(report), (long long)jget_int(report, "cost.latency_precision.exact_below_ms", 1024),
                       100.0 * jget_double(report, "cost.latency_precision.max_relative_error", 1.0 / 512));
}

aid_err costlabel_rows_json(const struct json_object *report, struct json_object **out, aid_errbuf *eb)
{
    *out = NULL;
    struct json_object *arr = json_object_new_array();
    if (!arr)
        goto nomem;
    for (size_t i = 0, n = costlabel_count(report); i < n; i++) {
        const char *kind, *name;
        struct json_object *r = costlabel_row(report, i, &kind, &name), *copy = NULL;
        if (!json_object_is_type(r, json_type_object)) {
            /* a damaged report: a row without figures */
            if (!(copy = json_object_new_object()))
                goto nomem;
        } else if (json_object_deep_copy(r, &copy, NULL) != 0) {
            json_object_put(copy);
            goto nomem;
        }
        if (jget_set(copy, "kind", json_object_new_string(kind)) < 0 ||
            (name && jget_set(copy, "name", json_object_new_string(name)) < 0)) {
            json_object_put(copy);
            goto nomem;
        }
        if (jget_push(arr, copy) < 0) /* consumes copy */
            goto nomem;
    }
    *out = arr;
    return AID_OK;
nomem:
    json_object_put(arr);
    return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
}
