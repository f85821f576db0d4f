/*
 * stopwords.h - the shipped English stop-word list (lower-case words
 * that never count as trend terms).
 */
#ifndef AID_STOPWORDS_H
#define AID_STOPWORDS_H

#include <stdbool.h>
#include <stddef.h>

/* True when word[0..len) (lower-case) is a stop word. */
bool stopwords_contains(const char *word, size_t len);
size_t stopwords_count(void);
const char *stopwords_at(size_t i);

#endif
