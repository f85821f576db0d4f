#include "common/urlshow.h"

#include <stdio.h>
#include <string.h>

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
