#include "common/escape.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when s does not
 * start one; *cp gets its code point. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
    unsigned c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* The escape for the character at s into e (at least 8 bytes); returns the
 * number of input bytes it stands for, and leaves e empty when the
 * character is copied as it is. */
static size_t escape_one(const unsigned char *s, char e[8])
{
    uint32_t cp;
    size_t len = utf8_seq(s, &cp);
    e[0] = '\0';
    if (len == 0) {
        snprintf(e, 8, "\\x%02x", s[0]);
        return 1;
    }
    if (cp == '\n')
        strcpy(e, "\\n");
    else if (cp == '\r')
        strcpy(e, "\\r");
    else if (cp == '\t')
        strcpy(e, "\\t");
    else if (cp < 0x20 || cp == 0x7f)
        snprintf(e, 8, "\\x%02x", (unsigned)cp);
    else if (cp >= 0x80 && cp <= 0x9f)
        snprintf(e, 8, "\\u%04x", (unsigned)cp);
    return len;
}

size_t esc_copy(char *dst, size_t n, const char *src)
{
    size_t o = 0;
    if (n == 0)
        return 0;
    const unsigned char *s = (const unsigned char *)src;
    while (*s) {
        char e[8];
        size_t in = escape_one(s, e);
        const char *piece = e[0] ? e : (const char *)s;
        size_t plen = e[0] ? strlen(e) : in;
        if (o + plen >= n)
            break;
        memcpy(dst + o, piece, plen);
        o += plen;
        s += in;
    }
    dst[o] = '\0';
    return o;
}

void esc_inplace(char *buf, size_t n)
{
    char tmp[4096];
    if (n == 0)
        return;
    /* Nothing to do for the usual, clean text. */
    const unsigned char *s = (const unsigned char *)buf;
    int clean = 1;
    for (; *s; s++)
        if (*s < 0x20 || *s >= 0x7f) {
            clean = 0;
            break;
        }
    if (clean)
        return;
    if (n <= sizeof tmp) {
        esc_copy(tmp, n, buf);
        memcpy(buf, tmp, strlen(tmp) + 1);
    } else {
        /* Longer buffers than any errbuf: escape a prefix. */
        esc_copy(tmp, sizeof tmp, buf);
        memcpy(buf, tmp, strlen(tmp) + 1);
    }
}

void esc_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    char raw[4096], out[4096 * 4];
    vsnprintf(raw, sizeof raw, fmt, ap);
    size_t len = strlen(raw);
    int nl = len > 0 && raw[len - 1] == '\n';
    if (nl)
        raw[len - 1] = '\0';
    esc_copy(out, sizeof out, raw);
    fputs(out, f);
    if (nl)
        fputc('\n', f);
}

void esc_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    esc_vfprintf(f, fmt, ap);
    va_end(ap);
}
