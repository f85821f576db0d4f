#include "common/strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char strbuf_empty[1];

void strbuf_init(strbuf *sb)
{
    sb->buf = strbuf_empty;
    sb->len = 0;
    sb->alloc = 0;
}

void strbuf_release(strbuf *sb)
{
    if (sb->alloc)
        free(sb->buf);
    strbuf_init(sb);
}

int strbuf_grow(strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->alloc)
        return 0;
    if (extra > ((size_t)-1) / 2 - sb->len)
        return -1;
    size_t want = sb->len + extra + 1;
    size_t n = sb->alloc ? sb->alloc : 64;
    while (n < want)
        n *= 2;
    char *p = realloc(sb->alloc ? sb->buf : NULL, n);
    if (!p)
        return -1;
    if (!sb->alloc)
        p[0] = '\0';
    sb->buf = p;
    sb->alloc = n;
    return 0;
}

int strbuf_add(strbuf *sb, const void *data, size_t len)
{
    if (strbuf_grow(sb, len) < 0)
        return -1;
    if (len)
        memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
    return 0;
}

int strbuf_adds(strbuf *sb, const char *s)
{
    return strbuf_add(sb, s, strlen(s));
}

int strbuf_addc(strbuf *sb, char c)
{
    return strbuf_add(sb, &c, 1);
}

int strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || strbuf_grow(sb, (size_t)n) < 0)
        return -1;
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int strbuf_addf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
    return r;
}

void strbuf_reset(strbuf *sb)
{
    strbuf_setlen(sb, 0);
}

void strbuf_setlen(strbuf *sb, size_t len)
{
    if (!sb->alloc)
        return;
    if (len > sb->len)
        len = sb->len;
    sb->len = len;
    sb->buf[len] = '\0';
}

char *strbuf_detach(strbuf *sb, size_t *len)
{
    char *p;
    if (len)
        *len = sb->len;
    if (!sb->alloc) {
        p = calloc(1, 1);
    } else {
        p = sb->buf;
    }
    strbuf_init(sb);
    return p;
}

void strbuf_trim(strbuf *sb)
{
    if (!sb->alloc)
        return;
    size_t start = 0, end = sb->len;
    while (start < end && isspace((unsigned char)sb->buf[start]))
        start++;
    while (end > start && isspace((unsigned char)sb->buf[end - 1]))
        end--;
    memmove(sb->buf, sb->buf + start, end - start);
    sb->len = end - start;
    sb->buf[sb->len] = '\0';
}
