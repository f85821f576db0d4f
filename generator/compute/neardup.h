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

#include "common/err.h"

#define NEARDUP_THRESHOLD 0.8

/* texts[0..n): normalised reply texts. On success cluster[i] is the
 * smallest index of the texts in i's cluster. */
AID_MUST_CHECK aid_err neardup_cluster(const char *const *texts, size_t n, double threshold, size_t *cluster,
                        aid_errbuf *eb);

/* Jaccard similarity of two texts under the rule above (for tests). */
double neardup_similarity(const char *a, const char *b);

#endif
