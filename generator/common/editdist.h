/*
 * editdist.h - how much an agent changed a suggested reply: the word-level
 * edit distance between the AI's text and the text sent, and a mergeable
 * histogram of that distance as a share of the AI's words
 * (docs/figures.md, "Edits").
 *
 * Words are maximal runs of bytes other than ASCII white space (space, \t,
 * \n, \v, \f, \r), compared byte for byte ("Sorry," and "sorry" differ).
 * The distance is Levenshtein's over those words: the fewest insertions,
 * deletions and substitutions of one word that turn one text into the
 * other. Exact for texts of up to EDITDIST_CAP_WORDS words each (after the
 * common leading and trailing words are set aside, which does not change
 * it). Beyond that the rest is not compared word by word: the distance is
 * that of the first EDITDIST_CAP_WORDS words of each plus the larger of
 * the two remainders, an upper bound (a text that long is some 8 pages).
 */
#ifndef AID_EDITDIST_H
#define AID_EDITDIST_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define EDITDIST_CAP_WORDS 2000
/* Shares are kept in bins of 1/EDITDIST_BINS: bin = floor(BINS d / w),
 * with every share of 1 or more in bin EDITDIST_BINS. */
#define EDITDIST_BINS 1000
/* A light edit changes less than 20 % of the AI's words: bin < 200. */
#define EDITDIST_LIGHT_BIN 200

/* The word edit distance of a and b (*dist), and their word counts
 * (*awords, *bwords; any may be NULL). 0, or -1 when out of memory (a leaf
 * helper). */
AID_MUST_CHECK int editdist_words(const char *a, size_t alen, const char *b, size_t blen, int64_t *dist,
                                  int64_t *awords, int64_t *bwords);

/* The edit distance of two NUL-terminated strings byte by byte (the same
 * Levenshtein as editdist_words, one byte a token): for short names, such
 * as a mistyped option. -1 when out of memory. */
int64_t editdist_chars(const char *a, const char *b);

/* The share bin of distance dist over words words (words > 0). */
int editdist_bin(int64_t dist, int64_t words);

/* A sparse histogram of share bins: counts by bin, bins ascending. Counts
 * may be taken back (a negative delta); a bin whose count falls to 0 stays
 * and counts for nothing. Zero-initialised is empty. */
typedef struct editdist_hist {
    uint16_t *bin;
    int64_t *count;
    size_t n, cap;
} editdist_hist;

/* Add delta to bin's count. 0, or -1 when out of memory. */
AID_MUST_CHECK int editdist_hist_add(editdist_hist *h, int bin, int64_t delta);
/* Add every count of src to dst. 0, or -1 when out of memory. */
AID_MUST_CHECK int editdist_hist_merge(editdist_hist *dst, const editdist_hist *src);
void editdist_hist_release(editdist_hist *h);
/* The number of shares counted. */
int64_t editdist_hist_total(const editdist_hist *h);
/* How many shares lie in bins below bin. */
int64_t editdist_hist_below(const editdist_hist *h, int bin);
/* The median share (bin / EDITDIST_BINS of the middle share in order; the
 * mean of the two middle ones when the count is even); NaN when empty. */
double editdist_hist_median(const editdist_hist *h);

#endif
