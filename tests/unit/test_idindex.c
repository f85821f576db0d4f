/* test_idindex.c - the last occurrence of each id wins; merging reports losers. */
#include <stdio.h>
#include <string.h>

#include "read/idindex.h"
#include "tap.h"

static uint64_t losers[64];
static size_t nlosers;

static void on_loser(uint64_t pos, void *ctx)
{
    (void)ctx;
    if (nlosers < 64)
        losers[nlosers] = pos;
    nlosers++;
}

int main(void)
{
    idindex *x, *a, *b, *c, *d;
    ok(idindex_new(&x, NULL) == AID_OK && x, "idindex_new");
    uint64_t loser = 0, pos = 0;
    is_int(idindex_put(x, "s1", 2, IDINDEX_POS(0, 1), &loser), 0, "new id");
    is_int(idindex_put(x, "s2", 2, IDINDEX_POS(0, 2), &loser), 0, "another");
    is_int(idindex_put(x, "s1", 2, IDINDEX_POS(0, 5), &loser), 1, "s1 again");
    ok(loser == IDINDEX_POS(0, 1), "the earlier occurrence loses");
    ok(idindex_get(x, "s1", 2, &pos) && pos == IDINDEX_POS(0, 5), "the later one wins");
    is_int(idindex_put(x, "s1", 2, IDINDEX_POS(0, 3), &loser), 1, "an earlier position put late");
    ok(loser == IDINDEX_POS(0, 3), "still the earlier position loses");
    ok(idindex_get(x, "s1", 2, &pos) && pos == IDINDEX_POS(0, 5), "the later position stays");
    ok(!idindex_get(x, "s3", 2, &pos), "unknown id");
    is_int(idindex_count(x), 2, "two distinct ids");
    ok(IDINDEX_POS_FILE(IDINDEX_POS(7, 123456789)) == 7 && IDINDEX_POS_LINE(IDINDEX_POS(7, 123456789)) == 123456789,
       "position packing");

    /* Two workers read different files; merging finds the cross-file duplicates. */
    ok(!idindex_new(&a, NULL) && !idindex_new(&b, NULL), "two more");
    char id[16];
    int okp = 1;
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(id, sizeof id, "id%d", i);
        okp &= idindex_put(a, id, (size_t)n, IDINDEX_POS(1, (uint64_t)i + 1), &loser) >= 0;
    }
    for (int i = 990; i < 1010; i++) {
        int n = snprintf(id, sizeof id, "id%d", i);
        okp &= idindex_put(b, id, (size_t)n, IDINDEX_POS(2, (uint64_t)i + 1), &loser) >= 0;
    }
    ok(okp, "puts");
    nlosers = 0;
    is_int(idindex_merge(b, a, on_loser, NULL), 0, "merge an earlier file into a later one");
    is_int(nlosers, 10, "ten losers (id990..id999)");
    int okl = 1;
    for (size_t i = 0; i < nlosers && i < 64; i++)
        okl &= IDINDEX_POS_FILE(losers[i]) == 1 && IDINDEX_POS_LINE(losers[i]) >= 991 && IDINDEX_POS_LINE(losers[i]) <= 1000;
    ok(okl, "the losers are file 1's occurrences");
    is_int(idindex_count(b), 1010, "1010 distinct ids after merge");
    is_int(idindex_count(a), 0, "src left empty");
    ok(idindex_get(b, "id995", 5, &pos) && pos == IDINDEX_POS(2, 996), "id995 from file 2 wins");
    ok(idindex_get(b, "id5", 3, &pos) && pos == IDINDEX_POS(1, 6), "id5 from file 1");
    /* merging the other way round: the later file's entries still win */
    ok(!idindex_new(&c, NULL) && !idindex_new(&d, NULL), "and two more");
    is_int(idindex_put(c, "k", 1, IDINDEX_POS(3, 1), &loser), 0, "k in c");
    is_int(idindex_put(d, "k", 1, IDINDEX_POS(0, 9), &loser), 0, "k in d");
    nlosers = 0;
    is_int(idindex_merge(d, c, on_loser, NULL), 0, "merge c into d");
    ok(nlosers == 1 && losers[0] == IDINDEX_POS(0, 9), "merge into an earlier index: the earlier position loses");
    ok(idindex_get(d, "k", 1, &pos) && pos == IDINDEX_POS(3, 1), "the later file wins");
    /* two large indexes (each placing by its own salt) sharing half their
     * ids: every id once, at its later position, one loser per shared id */
    idindex *e = NULL, *f = NULL;
    ok(!idindex_new(&e, NULL) && !idindex_new(&f, NULL), "two large indexes");
    int filled = 1;
    for (int i = 0; i < 60000; i++) {
        char bid[16];
        int n = snprintf(bid, sizeof bid, "big%d", i);
        if (i < 40000)
            filled &= idindex_put(e, bid, (size_t)n, IDINDEX_POS(0, (uint64_t)i + 1), &loser) == 0;
        if (i >= 20000)
            filled &= idindex_put(f, bid, (size_t)n, IDINDEX_POS(1, (uint64_t)i + 1), &loser) == 0;
    }
    ok(filled, "40,000 ids each, 20,000 of them in both");
    nlosers = 0;
    is_int(idindex_merge(e, f, on_loser, NULL), 0, "merged");
    is_int((int64_t)idindex_count(e), 60000, "60,000 distinct ids");
    int right = 1;
    for (int i = 0; i < 60000; i++) {
        char bid[16];
        int n = snprintf(bid, sizeof bid, "big%d", i);
        right &= idindex_get(e, bid, (size_t)n, &pos) && pos == IDINDEX_POS(i < 20000 ? 0 : 1, (uint64_t)i + 1);
    }
    ok(right, "each at its later position");
    is_int((int64_t)nlosers, 20000, "one loser per shared id");
    idindex_free(e);
    idindex_free(f);
    idindex_free(a);
    idindex_free(b);
    idindex_free(c);
    idindex_free(d);
    idindex_free(x);
    idindex_free(NULL);
    return tap_done();
}
