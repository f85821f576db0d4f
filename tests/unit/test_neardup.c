/* test_neardup.c - shingle similarity values, transitive clustering, scale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/neardup.h"
#include "tap.h"

int main(void)
{
    is_double(neardup_similarity("a b c d", "a b c d"), 1.0, 1e-12, "identical");
    is_double(neardup_similarity("your order has shipped and the tracking number will arrive by email",
                                 "your order has shipped and the tracking number will arrive by sms"),
              9.0 / 11, 1e-12, "10 shingles, last one differs: 9/11");
    is_double(neardup_similarity("please restart the router and wait two minutes then try again",
                                 "please restart the router and wait two minutes then try later"),
              0.8, 1e-12, "9 shingles: 8/10 = 0.8");
    is_double(neardup_similarity("we are unable to change the delivery address for orders",
                                 "we are unable to change the delivery address for parcels"),
              7.0 / 9, 1e-12, "8 shingles: 7/9");
    is_double(neardup_similarity("you're welcome. is there anything else i can help you with?",
                                 "you are welcome! is there anything else i can help you with today?"),
              10.0 / 11, 1e-12, "contraction you're -> you are, punctuation ignored");
    is_double(neardup_similarity("i don't know it", "i do not know it"), 1.0, 1e-12, "don't -> do not");
    is_double(neardup_similarity("we can't and won't", "we can not and will not"), 1.0, 1e-12, "can't, won't");
    is_double(neardup_similarity("i'll say it's done and we've seen i'm sure you'd", "i will say it is done and we have seen i am sure you would"),
              1.0, 1e-12, "'ll 's 've 'm 'd");
    is_double(neardup_similarity("hi there", "hi there"), 1.0, 1e-12, "fewer than 3 tokens: one shingle");
    is_double(neardup_similarity("hi there", "hi you"), 0.0, 1e-12, "short texts differ");
    is_double(neardup_similarity("order # is late", "order # is late!"), 1.0, 1e-12, "# is a token, punctuation is not");

    /* Transitivity: A ~ B and B ~ C but not A ~ C: one cluster. */
    const char *A = "t01 t02 t03 t04 t05 t06 t07 t08 t09 t10 t11 t12 t13 t14 t15 t16 t17 t18 t19 t20";
    const char *B = "t01 t02 t03 t04 t05 t06 t07 t08 t09 t10 t11 t12 t13 t14 t15 t16 t17 t18 t19 zzz";
    const char *C = "yy1 yy2 t03 t04 t05 t06 t07 t08 t09 t10 t11 t12 t13 t14 t15 t16 t17 t18 t19 zzz";
    const char *D = "completely different words in this one here for sure";
    ok(neardup_similarity(A, B) >= 0.8 && neardup_similarity(B, C) >= 0.8 && neardup_similarity(A, C) < 0.8,
       "A~B (%.3f), B~C (%.3f), A!~C (%.3f)", neardup_similarity(A, B), neardup_similarity(B, C), neardup_similarity(A, C));
    const char *texts[] = { D, C, A, B };
    size_t cl[4];
    ok(neardup_cluster(texts, 4, NEARDUP_THRESHOLD, cl, NULL) == AID_OK, "cluster");
    ok(cl[0] == 0 && cl[1] == 1 && cl[2] == 1 && cl[3] == 1, "C, A, B in one cluster (smallest index 1), D alone: %zu %zu %zu %zu",
       cl[0], cl[1], cl[2], cl[3]);

    /* 2000 random groups plus 200 near copies: finishes, near copies found. */
    enum { N = 2000, M = 200 };
    char **buf = calloc(N + M, sizeof *buf);
    unsigned long long x = 88172645463325252ULL;
    for (size_t i = 0; i < N; i++) {
        buf[i] = malloc(200);
        size_t off = 0;
        for (int k = 0; k < 12; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            off += (size_t)snprintf(buf[i] + off, 200 - off, "%sw%llu", k ? " " : "", x % 5000);
        }
    }
    for (size_t i = 0; i < M; i++) {
        buf[N + i] = malloc(210);
        snprintf(buf[N + i], 210, "%s extra", buf[i * 7]);
    }
    size_t *c = calloc(N + M, sizeof *c);
    ok(neardup_cluster((const char *const *)buf, N + M, NEARDUP_THRESHOLD, c, NULL) == AID_OK, "2200 groups cluster");
    size_t found = 0, wrong = 0;
    for (size_t i = 0; i < M; i++)
        found += c[N + i] == c[i * 7];
    for (size_t i = 0; i < N + M; i++)
        wrong += c[i] > i || c[c[i]] != c[i];
    ok(found == M, "every near copy (J = 10/11) joins its original (%zu of %d)", found, M);
    ok(wrong == 0, "cluster ids are the smallest member index");
    for (size_t i = 0; i < N + M; i++)
        free(buf[i]);
    free(buf);
    free(c);
    return tap_done();
}
