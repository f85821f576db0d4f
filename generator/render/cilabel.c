#include "render/cilabel.h"

#include <math.h>
#include <string.h>

#include "common/jget.h"
#include "common/numfmt.h"

#define EN_DASH "\xe2\x80\x93"

bool cilabel_get(const struct json_object *o, double *lo, double *hi)
{
    if (!o || !json_object_is_type(o, json_type_array) || json_object_array_length(o) != 2)
        return false;
    struct json_object *a = json_object_array_get_idx(o, 0), *b = json_object_array_get_idx(o, 1);
    if (!a || !b || !(json_object_is_type(a, json_type_double) || json_object_is_type(a, json_type_int)) ||
        !(json_object_is_type(b, json_type_double) || json_object_is_type(b, json_type_int)))
        return false;
    *lo = json_object_get_double(a);
    *hi = json_object_get_double(b);
    return isfinite(*lo) && isfinite(*hi);
}

int cilabel_pct(strbuf *out, const struct json_object *o)
{
    double lo, hi;
    if (!cilabel_get(o, &lo, &hi))
        return 0;
    strbuf t = STRBUF_INIT;
    int rc = numfmt_pct(&t, lo, 1);
    /* "57.7%" -> "57.7" before the dash */
    if (rc == 0 && t.len && t.buf[t.len - 1] == '%')
        t.buf[--t.len] = '\0';
    rc = rc < 0 || strbuf_adds(out, t.buf) < 0 || strbuf_adds(out, EN_DASH) < 0 || numfmt_pct(out, hi, 1) < 0 ? -1 : 0;
    strbuf_release(&t);
    return rc;
}

int cilabel_pp(strbuf *out, const struct json_object *o)
{
    double lo, hi;
    if (!cilabel_get(o, &lo, &hi))
        return 0;
    strbuf t = STRBUF_INIT;
    int rc = numfmt_pp(&t, lo, 1);
    /* "−18.8 pp" -> "−18.8" */
    if (rc == 0 && t.len > 3 && !strcmp(t.buf + t.len - 3, " pp"))
        t.buf[t.len -= 3] = '\0';
    rc = rc < 0 || strbuf_adds(out, t.buf) < 0 || strbuf_adds(out, " to ") < 0 || numfmt_pp(out, hi, 1) < 0 ? -1 : 0;
    strbuf_release(&t);
    return rc;
}

int cilabel_signed(strbuf *out, const struct json_object *o)
{
    double lo, hi;
    if (!cilabel_get(o, &lo, &hi))
        return 0;
    return numfmt_signed(out, lo, 3) < 0 || strbuf_adds(out, " to ") < 0 || numfmt_signed(out, hi, 3) < 0 ? -1 : 0;
}

const char *cilabel_verdict(const struct json_object *change, const char *key)
{
    const char *v = jget_str(change, key, NULL);
    if (!v || (strcmp(v, "up") && strcmp(v, "down") && strcmp(v, "steady")))
        return NULL;
    return v;
}

int cilabel_p(strbuf *out, double p)
{
    if (isnan(p))
        return strbuf_adds(out, "p not defined");
    if (p < 0.001)
        return strbuf_adds(out, "p < 0.001");
    return strbuf_adds(out, "p = ") < 0 || numfmt_dec(out, p, 3) < 0 ? -1 : 0;
}

int cilabel_drift(strbuf *out, const struct json_object *report)
{
    struct json_object *d = jget(report, "confidence.drift");
    if (!d || !json_object_is_type(d, json_type_object))
        return 0;
    const char *v = jget_str(d, "verdict", "");
    int64_t n = jget_int(d, "n", 0), m = jget_int(d, "m", 0), bins = jget_int(d, "bins", 0);
    int bad = 0;
    if (!strcmp(v, "too_few")) {
        bad |= strbuf_adds(out, "Drift: too few scores to judge (n = ") | numfmt_int(out, n) |
               strbuf_adds(out, " this week, m = ") | numfmt_int(out, m) |
               strbuf_adds(out, " last week; at least 100 each are needed).");
        return bad ? -1 : 0;
    }
    bad |= strbuf_adds(out, "Drift: ") |
           strbuf_adds(out, !strcmp(v, "large") ? "large" : !strcmp(v, "small") ? "small" : "none");
    bad |= strbuf_adds(out, ". PSI ") | numfmt_dec(out, jget_double(report, "confidence.psi", NAN), 3) |
           strbuf_adds(out, " (") | cilabel_p(out, jget_double(d, "psi_p", NAN)) | strbuf_adds(out, "), KS ") |
           numfmt_dec(out, jget_double(report, "confidence.ks", NAN), 3) | strbuf_adds(out, " (") |
           cilabel_p(out, jget_double(d, "ks_p", NAN)) | strbuf_adds(out, "); n = ") | numfmt_int(out, n) |
           strbuf_adds(out, " scores this week, m = ") | numfmt_int(out, m) | strbuf_adds(out, " last week, ") |
           numfmt_int(out, bins) | strbuf_adds(out, " bins.");
    return bad ? -1 : 0;
}
