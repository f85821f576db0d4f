/*
 * stem.h - Snowball English stems of words (the topics of the trends
 * figure, docs/figures.md "Trends"), through Debian's libstemmer
 * (libstemmer-dev, the Snowball project's C library; nothing hand-written).
 *
 *   stemmer *s;
 *   if (stem_new(&s, &eb)) ...
 *   const char *st; size_t n;
 *   if (stem_word(s, "delayed", 7, &st, &n) < 0) ...   st = "delay", n = 5
 *   stem_free(s);
 *
 * A stemmer is not thread-safe: every thread uses its own (the reading
 * workers each have one in their agg). Words are lower-case UTF-8; the
 * result points into the stemmer and is valid until its next call.
 */
#ifndef AID_STEM_H
#define AID_STEM_H

#include <stddef.h>

#include "common/err.h"

typedef struct stemmer stemmer;

/* A new English stemmer in *out (free it with stem_free). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err stem_new(stemmer **out, aid_errbuf *eb);
void stem_free(stemmer *s);

/* The stem of word[0..len) in *stem / *stem_len (not NUL-terminated
 * necessarily: use the length). A leaf helper: 0, or -1 for out of
 * memory. */
AID_MUST_CHECK int stem_word(stemmer *s, const char *word, size_t len, const char **stem, size_t *stem_len);

#endif
