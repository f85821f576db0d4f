#include "common/urlshow.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void urlshow(const char *url, char *buf, size_t n)
{
    const char *scheme = strstr(url, "://");
    if (!scheme) {
        snprintf(buf, n, "%s", url);
        return;
    }
    const char *host = scheme + 3;
    const char *slash = strchr(host, '/');
    const char *at = strchr(host, '@');
    if (at && (!slash || at < slash))
        snprintf(buf, n, "%.*s%s", (int)(host - url), url, at + 1);
    else
        snprintf(buf, n, "%s", url);
}

bool urlshow_http_ok(const char *url)
{
    const char *rest;
    if (!url)
        return false;
    if (!strncasecmp(url, "https://", 8))
        rest = url + 8;
    else if (!strncasecmp(url, "http://", 7))
        rest = url + 7;
    else
        return false;
    if (!*rest || *rest == '/' || *rest == '?' || *rest == '#')
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p <= 0x20 || *p == 0x7f || strchr("\"'<>\\`", *p))
            return false;
    }
    return true;
}
