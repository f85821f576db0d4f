/*
 * urlshow.h - a URL as it may appear in a message: without user info
 * ("user:secret@"), so that no credential reaches a log or an error.
 */
#ifndef AID_URLSHOW_H
#define AID_URLSHOW_H

#include <stdbool.h>
#include <stddef.h>

/* Write url to buf (n bytes, always terminated) with the user info of a
 * "scheme://user:pass@host/..." URL removed; anything else as it is. */
void urlshow(const char *url, char *buf, size_t n);

/* Whether url may become a link: an absolute http:// or https:// URL with
 * a host, and no space, control character, quote, angle bracket, backslash
 * or backquote. javascript:, data:, file: and relative URLs are refused. */
bool urlshow_http_ok(const char *url);

#endif
