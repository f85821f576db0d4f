/*
 * tmplesc.c - escaping for html, url, js and json, and C Template's entity
 * and url encoders (tmplesc.h).
 */
#include "common/tmpl/tmplesc.h"

#include "common/tmpl/tmpl.h"

#include <stdio.h>

static int esc_html(strbuf *out, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        if (strbuf_add(out, s + start, i - start) < 0 || strbuf_adds(out, rep) < 0)
            return -1;
        start = i + 1;
    }
    return strbuf_add(out, s + start, n - start);
}

static int esc_url(strbuf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '.' || c == '_' || c == '~';
        if (keep) {
            if (strbuf_addc(out, (char)c) < 0)
                return -1;
        } else {
            char b[3] = { '%', hex[c >> 4], hex[c & 15] };
            if (strbuf_add(out, b, 3) < 0)
                return -1;
        }
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
    else return 0;
    if (len > n)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* js and json: the contents of a quoted string literal, safe inside a
 * <script> element (< > & and the line separators are \u escapes). json
 * uses only JSON's escapes and replaces invalid UTF-8 by U+FFFD. */
static int esc_jsjson(strbuf *out, const char *s, size_t n, int json)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned c = u[i];
        const char *rep = NULL;
        char b[8];
        switch (c) {
        case '"': rep = "\\\""; break;
        case '\\': rep = "\\\\"; break;
        case '\n': rep = "\\n"; break;
        case '\r': rep = "\\r"; break;
        case '\t': rep = "\\t"; break;
        case '\b': rep = "\\b"; break;
        case '\f': rep = "\\f"; break;
        case '\'': rep = json ? NULL : "\\u0027"; break;
        case '<': case '>': case '&':
            snprintf(b, sizeof b, "\\u%04x", c);
            rep = b;
            break;
        default:
            if (c < 0x20 || c == 0x7F) {
                snprintf(b, sizeof b, "\\u%04x", c);
                rep = b;
            }
            break;
        }
        if (rep) {
            if (strbuf_adds(out, rep) < 0)
                return -1;
            i++;
            continue;
        }
        if (c < 0x80) {
            if (strbuf_addc(out, (char)c) < 0)
                return -1;
            i++;
            continue;
        }
        size_t l = utf8_len(u + i, n - i);
        if (l == 3 && c == 0xE2 && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
            if (strbuf_adds(out, u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029") < 0)
                return -1;
        } else if (l) {
            if (strbuf_add(out, s + i, l) < 0)
                return -1;
        } else {
            if (json ? strbuf_adds(out, "\\ufffd") : strbuf_addc(out, (char)c) < 0)
                return -1;
            l = 1;
        }
        i += l;
    }
    return 0;
}

int tmplesc_to(strbuf *out, int esc, const char *s, size_t n)
{
    switch (esc) {
    case ESC_HTML: return esc_html(out, s, n);
    case ESC_URL: return esc_url(out, s, n);
    case ESC_JS: return esc_jsjson(out, s, n, 0);
    case ESC_JSON: return esc_jsjson(out, s, n, 1);
    default: return strbuf_add(out, s, n);
    }
}

/* C Template's TMPL_encode_entity and TMPL_encode_url, as compat mode's
 * fmt="entity" and fmt="url". */
int tmplesc_fmt_entity(const char *value, strbuf *out, void *ctx)
{
    for (const char *p = value; *p; p++) {
        int rc;
        switch (*p) {
        case '&': rc = strbuf_adds(out, "&amp;"); break;
        case '<': rc = strbuf_adds(out, "&lt;"); break;
        case '>': rc = strbuf_adds(out, "&gt;"); break;
        case '"': rc = strbuf_adds(out, "&quot;"); break;
        case '\'': rc = strbuf_adds(out, "&#39;"); break;
        case '\n': rc = strbuf_adds(out, "&#10;"); break;
        case '\r': rc = strbuf_adds(out, "&#13;"); break;
        default: rc = strbuf_addc(out, *p); break;
        }
        if (rc < 0)
            return TMPL_FMT_NOMEM;
    }
    return 0;
}

int tmplesc_fmt_url(const char *value, strbuf *out, void *ctx)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        unsigned c = *p;
        int rc;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '_')
            rc = strbuf_addc(out, (char)c);
        else if (c == ' ')
            rc = strbuf_addc(out, '+');
        else {
            char b[3] = { '%', hex[c >> 4], hex[c & 15] };
            rc = strbuf_add(out, b, 3);
        }
        if (rc < 0)
            return TMPL_FMT_NOMEM;
    }
    return 0;
}
