/*
 * urlshow.h - a URL as it may appear in a message: without user info
 * ("user:secret@"), so that no credential reaches a log or an error.
 */
#ifndef AID_URLSHOW_H
#define AID_URLSHOW_H

#include <stddef.h>

/* Write url to buf (n bytes, always terminated) with the user info of a
 * "scheme://user:pass@host/..." URL removed; anything else as it is. */
void urlshow(const char *url, char *buf, size_t n);

#endif
