/* Word edit distance and the share histogram (common/editdist.h). The
 * distances are worked by hand; "k i t t e n" -> "s i t t i n g" is the
 * textbook Levenshtein example (3: two substitutions and an insertion). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/editdist.h"
#include "tap.h"

static int64_t d(const char *a, const char *b)
{
    int64_t dist = -1;
    if (editdist_words(a, strlen(a), b, strlen(b), &dist, NULL, NULL) < 0)
        return -2;
    return dist;
}

int main(void)
{
    is_int(d("k i t t e n", "s i t t i n g"), 3, "kitten -> sitting over words: 3");
    is_int(d("", ""), 0, "two empty texts");
    is_int(d("", "one two three"), 3, "from nothing: every word inserted");
    is_int(d("one two three", ""), 3, "to nothing: every word deleted");
    is_int(d("Your parcel arrives within 2 days.", "Your parcel arrives within 2 days."), 0, "same text");
    is_int(d("Your  parcel\n arrives\ttoday", "Your parcel arrives today"), 0, "white space is no word");
    is_int(d("Sorry, late.", "sorry, late."), 1, "words compare byte for byte: case counts");
    is_int(d("a b c d", "b c d a"), 2, "a moved word: one deletion and one insertion");
    is_int(d("I will send it today", "I will send it tomorrow morning"), 2, "one substitution, one insertion");

    int64_t dist = 0, aw = 0, bw = 0;
    ok(editdist_words("a b c", 5, "a x c d", 7, &dist, &aw, &bw) == 0, "counts");
    is_int(aw, 3, "AI words");
    is_int(bw, 4, "final words");
    is_int(dist, 2, "substitution + insertion");

    /* past the cap: the first EDITDIST_CAP_WORDS words compared, the rest
     * bounded by the larger remainder */
    size_t n = EDITDIST_CAP_WORDS + 10;
    char *a = malloc(2 * n + 1), *b = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        memcpy(a + 2 * i, "x ", 2);
        memcpy(b + 2 * i, "y ", 2);
    }
    a[2 * n] = b[2 * n] = '\0';
    is_int(d(a, b), (int64_t)n, "over the cap: cap words substituted + 10 more");
    a[0] = 'q';
    b[0] = 'q'; /* a common first word is set aside first */
    is_int(d(a, b), (int64_t)n - 1, "common leading words are not compared");
    free(a);
    free(b);

    is_int(editdist_bin(0, 10), 0, "no change: bin 0");
    is_int(editdist_bin(1, 5), 200, "1 of 5 words = 20 %%: bin 200, not light");
    is_int(editdist_bin(1, 6), 166, "1 of 6 words: bin 166 (floored), light");
    is_int(editdist_bin(7, 5), EDITDIST_BINS, "more changes than words: share 1");

    editdist_hist h = { 0 }, h2 = { 0 };
    ok(isnan(editdist_hist_median(&h)), "empty: no median");
    ok(editdist_hist_add(&h, 500, 1) == 0 && editdist_hist_add(&h, 100, 2) == 0 &&
           editdist_hist_add(&h, 900, 1) == 0,
       "adds");
    is_int(editdist_hist_total(&h), 4, "four shares");
    is_double(editdist_hist_median(&h), 0.3, 1e-12, "median of 0.1 0.1 0.5 0.9 = (0.1 + 0.5) / 2");
    is_int(editdist_hist_below(&h, EDITDIST_LIGHT_BIN), 2, "two light edits");
    ok(editdist_hist_add(&h2, 900, 1) == 0 && editdist_hist_add(&h2, 100, -1) == 0, "a share taken back");
    ok(editdist_hist_merge(&h, &h2) == 0, "merge");
    is_int(editdist_hist_total(&h), 4, "still four after +1 -1");
    is_double(editdist_hist_median(&h), 0.7, 1e-12, "median of 0.1 0.5 0.9 0.9 = 0.7");
    editdist_hist_release(&h);
    editdist_hist_release(&h2);
    editdist_hist_release(NULL);
    return tap_done();
}
