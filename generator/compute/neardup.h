/*
 * neardup.h - which reply groups are near-duplicates of each other.
 *
 * The rule (docs/figures.md): a normalised reply is turned into tokens
 * (runs of letters, digits, '#' and bytes >= 0x80; English contractions
 * expanded: "you're" -> "you are", "don't" -> "do not", ...); two groups
 * are near-duplicates when the Jaccard similarity of their sets of token
 * 3-shingles (the whole token list when shorter than 3) is at least the
 * threshold (0.8). Candidates are found with MinHash (100 hashes) and LSH
 * (20 bands of 5 rows), so the work grows with the number of groups, not
 * its square; every candidate pair is then checked exactly. Groups are
 * merged transitively (connected components).
 */
#ifndef AID_NEARDUP_H
#define AID_NEARDUP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define NEARDUP_THRESHOLD 0.8

/* texts[0..n): normalised reply texts. On success cluster[i] is the
 * smallest index of the texts in i's cluster. */
AID_MUST_CHECK aid_err neardup_cluster(const char *const *texts, size_t n, double threshold, size_t *cluster,
                        aid_errbuf *eb);

/* Jaccard similarity of two texts under the rule above. */
double neardup_similarity(const char *a, const char *b);

/* The set the rule compares: the sorted distinct shingle hashes of a
 * text (*out malloc'ed, the caller frees it; *n >= 1). Comparing a text
 * with many: neardup_similarity(a, b) is textnorm_jaccard of the two
 * sets. 0, or -1 when out of memory. */
AID_MUST_CHECK int neardup_shingles(const char *text, uint64_t **out, size_t *n);

#endif
