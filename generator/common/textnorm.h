/*
 * textnorm.h - the text rules of the figures (docs/figures.md):
 * reply normalisation, term and word splitting, word-set Jaccard.
 *
 * Lower-casing is ASCII only; bytes >= 0x80 (UTF-8 sequences) are kept as
 * they are and count as letters when splitting words.
 */
#ifndef AID_TEXTNORM_H
#define AID_TEXTNORM_H

#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* Reply normalisation: lower-case, every run of digits -> '#', every run
 * of white space -> one space, trimmed. Appends to out. 0 or -1. */
AID_MUST_CHECK int textnorm_reply(const char *s, size_t len, strbuf *out);

/* Call fn for every word: a maximal run of ASCII letters, digits or bytes
 * >= 0x80, lower-cased into a scratch buffer. Stops early when fn returns
 * non-zero and returns that value; 0 otherwise (-1 on no memory). */
typedef int (*textnorm_word_fn)(const char *word, size_t len, void *ctx);
AID_MUST_CHECK int textnorm_words(const char *s, size_t len, textnorm_word_fn fn, void *ctx);

/* True when a word counts as a trend term: 3 or more bytes, not all
 * digits, fewer than TEXTNORM_TERM_MAX_DIGITS digits (identifiers such as
 * order or tracking numbers are personal data), not a stop word. */
#define TEXTNORM_TERM_MAX_DIGITS 5
bool textnorm_is_term(const char *word, size_t len);

/* The set of distinct words of a text as sorted 64-bit hashes.
 * *out is malloc'd (free it); *n its length. 0 or -1. */
AID_MUST_CHECK int textnorm_word_set(const char *s, size_t len, uint64_t **out, size_t *n);

/* The same for the words that count as trend terms (textnorm_is_term). */
AID_MUST_CHECK int textnorm_term_set(const char *s, size_t len, uint64_t **out, size_t *n);

/* How many hashes two sorted hash sets share. */
size_t textnorm_common(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* Jaccard similarity |A n B| / |A u B| of two sorted hash sets
 * (0 when both are empty). */
double textnorm_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
bool textnorm_utf8_valid(const char *s, size_t len);

/* Append s with every invalid UTF-8 sequence replaced by U+FFFD. */
AID_MUST_CHECK int textnorm_utf8_sanitize(const char *s, size_t len, strbuf *out);

#endif
