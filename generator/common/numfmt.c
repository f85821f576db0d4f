#include "common/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NUMFMT_NONE "\xe2\x80\x93"   /* en dash */
#define NUMFMT_MINUS "\xe2\x88\x92"  /* minus sign */

int numfmt_int(strbuf *out, int64_t v)
{
    char digits[32];
    uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    if (v < 0 && strbuf_adds(out, NUMFMT_MINUS) < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0 && strbuf_addc(out, ',') < 0)
            return -1;
        if (strbuf_addc(out, digits[i]) < 0)
            return -1;
    }
    return 0;
}

static int numfmt_signed_core(strbuf *out, double v, int decimals, const char *suffix)
{
    if (isnan(v))
        return strbuf_adds(out, NUMFMT_NONE);
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, fabs(v));
    /* A value that rounds to zero has no sign. */
    double shown = atof(buf);
    const char *sign = shown == 0.0 ? "\xc2\xb1" : v < 0 ? NUMFMT_MINUS : "+";
    return strbuf_addf(out, "%s%s%s", sign, buf, suffix);
}

int numfmt_pct(strbuf *out, double share, int decimals)
{
    if (isnan(share))
        return strbuf_adds(out, NUMFMT_NONE);
    return strbuf_addf(out, "%.*f%%", decimals, share * 100.0);
}

int numfmt_pp(strbuf *out, double delta, int decimals)
{
    return numfmt_signed_core(out, isnan(delta) ? delta : delta * 100.0, decimals, " pp");
}

int numfmt_dec(strbuf *out, double v, int decimals)
{
    if (isnan(v))
        return strbuf_adds(out, NUMFMT_NONE);
    return strbuf_addf(out, "%.*f", decimals, v);
}

int numfmt_signed(strbuf *out, double v, int decimals)
{
    return numfmt_signed_core(out, v, decimals, "");
}

char *numfmt_group(char *buf, size_t n, int64_t v)
{
    char digits[32];
    uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    size_t k = 0;
    if (!n)
        return buf;
    if (v < 0 && k + 1 < n)
        buf[k++] = '-';
    for (int i = 0; i < nd && k + 1 < n; i++) {
        if (i && (nd - i) % 3 == 0) {
            buf[k++] = ',';
            if (k + 1 >= n)
                break;
        }
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
    return buf;
}
