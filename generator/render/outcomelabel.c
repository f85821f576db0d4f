#include "render/outcomelabel.h"

#include <math.h>
#include <string.h>

#include "common/jget.h"
#include "common/numfmt.h"
#include "render/cilabel.h"

#define DASH "\xe2\x80\x93"

const char *outcomelabel_class(const char *name)
{
    if (!name)
        return "";
    if (!strcmp(name, "as_is"))
        return "Sent as is";
    if (!strcmp(name, "edited"))
        return "Sent after edits";
    if (!strcmp(name, "not_used"))
        return "Not used";
    if (!strcmp(name, "all"))
        return "All conversations";
    return name;
}

/* "lo–hi" of an interval with 2 decimals; nothing without one. */
static int mean_ci(strbuf *out, const struct json_object *ci)
{
    double lo, hi;
    if (!cilabel_get(ci, &lo, &hi))
        return 0;
    if (numfmt_dec(out, lo, 2) < 0 || strbuf_adds(out, DASH) < 0 || numfmt_dec(out, hi, 2) < 0)
        return -1;
    return 0;
}

static int of_n(strbuf *out, int64_t n)
{
    return strbuf_adds(out, "of ") < 0 || numfmt_int(out, n) < 0 ? -1 : 0;
}

int outcomelabel_csat_value(strbuf *out, const struct json_object *cls)
{
    double m = jget_double(cls, "csat.mean", NAN);
    return isnan(m) ? strbuf_adds(out, DASH) : numfmt_dec(out, m, 2);
}

int outcomelabel_csat_detail(strbuf *out, const struct json_object *cls)
{
    if (isnan(jget_double(cls, "csat.mean", NAN)))
        return 0;
    size_t at = out->len;
    if (mean_ci(out, jget(cls, "csat.mean_ci")) < 0)
        return -1;
    if (out->len > at && strbuf_adds(out, " ") < 0)
        return -1;
    return of_n(out, jget_int(cls, "csat.n", 0));
}

int outcomelabel_high_value(strbuf *out, const struct json_object *cls)
{
    double v = jget_double(cls, "csat.high_share", NAN);
    return isnan(v) ? strbuf_adds(out, DASH) : numfmt_pct(out, v, 1);
}

int outcomelabel_high_detail(strbuf *out, const struct json_object *cls)
{
    return isnan(jget_double(cls, "csat.high_share", NAN)) ? 0 : cilabel_pct(out, jget(cls, "csat.high_share_ci"));
}

int outcomelabel_resolution_value(strbuf *out, const struct json_object *cls)
{
    double v = jget_double(cls, "resolution.rate", NAN);
    return isnan(v) ? strbuf_adds(out, DASH) : numfmt_pct(out, v, 1);
}

int outcomelabel_resolution_detail(strbuf *out, const struct json_object *cls)
{
    if (isnan(jget_double(cls, "resolution.rate", NAN)))
        return 0;
    size_t at = out->len;
    if (cilabel_pct(out, jget(cls, "resolution.rate_ci")) < 0)
        return -1;
    if (out->len > at && strbuf_adds(out, " ") < 0)
        return -1;
    return of_n(out, jget_int(cls, "resolution.n", 0));
}

/* The combined texts: the detail in parentheses, "of n" after them. */
static int in_parens(strbuf *out, const struct json_object *cls, int (*v)(strbuf *, const struct json_object *),
                     int (*ci)(strbuf *, const struct json_object *), const char *n_path)
{
    size_t at = out->len;
    if (v(out, cls) < 0)
        return -1;
    if (!strcmp(out->buf + at, DASH))
        return 0;
    size_t mark = out->len;
    if (strbuf_adds(out, " (") < 0 || ci(out, cls) < 0)
        return -1;
    if (out->len == mark + 2)
        strbuf_setlen(out, mark);
    else if (strbuf_adds(out, ")") < 0)
        return -1;
    if (n_path && (strbuf_adds(out, " ") < 0 || of_n(out, jget_int(cls, n_path, 0)) < 0))
        return -1;
    return 0;
}

static int csat_ci(strbuf *out, const struct json_object *cls)
{
    return mean_ci(out, jget(cls, "csat.mean_ci"));
}

static int res_ci(strbuf *out, const struct json_object *cls)
{
    return cilabel_pct(out, jget(cls, "resolution.rate_ci"));
}

int outcomelabel_csat(strbuf *out, const struct json_object *cls)
{
    return in_parens(out, cls, outcomelabel_csat_value, csat_ci, "csat.n");
}

int outcomelabel_high(strbuf *out, const struct json_object *cls)
{
    return in_parens(out, cls, outcomelabel_high_value, outcomelabel_high_detail, NULL);
}

int outcomelabel_resolution(strbuf *out, const struct json_object *cls)
{
    return in_parens(out, cls, outcomelabel_resolution_value, res_ci, "resolution.n");
}

static int one(strbuf *out, const char *what, const struct json_object *c, bool mean)
{
    if (strbuf_adds(out, what) < 0 || strbuf_adds(out, " ") < 0)
        return -1;
    double d = jget_double(c, "delta", NAN);
    if (isnan(d))
        return strbuf_adds(out, DASH);
    if ((mean ? numfmt_signed(out, d, 2) : numfmt_pp(out, d, 1)) < 0)
        return -1;
    double lo, hi;
    const struct json_object *ci = jget(c, "delta_ci");
    if (cilabel_get(ci, &lo, &hi)) {
        if (strbuf_adds(out, " (") < 0 || (mean ? cilabel_signed(out, ci) : cilabel_pp(out, ci)) < 0 ||
            strbuf_adds(out, ")") < 0)
            return -1;
    }
    const char *v = jget_str(c, "verdict", NULL);
    if (v && (strbuf_adds(out, " ") < 0 || strbuf_adds(out, v) < 0))
        return -1;
    return 0;
}

int outcomelabel_compare(strbuf *out, const struct json_object *cmp)
{
    if (!cmp)
        return strbuf_adds(out, DASH);
    if (one(out, "CSAT", jget(cmp, "csat_mean"), true) < 0 || strbuf_adds(out, "; ") < 0 ||
        one(out, "CSAT 4" DASH "5", jget(cmp, "csat_high_share"), false) < 0 || strbuf_adds(out, "; ") < 0 ||
        one(out, "resolved", jget(cmp, "resolution_rate"), false) < 0)
        return -1;
    return 0;
}

int outcomelabel_note(strbuf *out, const struct json_object *o)
{
    int64_t un = jget_int(o, "unmatched", 0), dup = jget_int(o, "duplicates", 0);
    if (numfmt_int(out, jget_int(o, "joined", 0)) < 0 || strbuf_adds(out, " of the week's ") < 0 ||
        numfmt_int(out, jget_int(o, "conversations", 0)) < 0 ||
        strbuf_adds(out, " conversations with a suggestion have an outcome (CSAT, resolution or both)") < 0)
        return -1;
    if (strbuf_adds(out, "; ") < 0 || numfmt_int(out, un) < 0 ||
        strbuf_adds(out, un == 1 ? " outcome of the week is" : " outcomes of the week are") < 0 ||
        strbuf_adds(out, " for a conversation with no suggestion this week or last (unmatched, not in the "
                         "figures)") < 0)
        return -1;
    if (dup > 0 && (strbuf_adds(out, "; ") < 0 || numfmt_int(out, dup) < 0 ||
                    strbuf_adds(out, dup == 1 ? " was replaced" : " were replaced") < 0 ||
                    strbuf_adds(out, " by a later outcome for the same conversation") < 0))
        return -1;
    if (!jget_str(o, "previous", NULL) && strbuf_adds(out, "; no outcomes of last week's conversations in the "
                                                           "logs, so no change against last week") < 0)
        return -1;
    return strbuf_adds(out, ".");
}
