/* test_answers.c - a topic's bounded sample of reply groups: the same
 * sample whatever the split into workers and the order, all messages up
 * to ANSWERS_K, take-backs. */
#include <stdlib.h>
#include <string.h>

#include "common/hashfn.h"
#include "read/answers.h"
#include "tap.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The sample's keys, sorted, into out (n of them). */
static uint32_t keys(const answers *s, uint64_t *out)
{
    uint32_t n = s ? s->n : 0;
    for (uint32_t i = 0; i < n; i++)
        out[i] = s->v[i];
    qsort(out, n, sizeof *out, cmp_u64);
    return n;
}

int main(void)
{
    enum { N = 1000 };
    static uint64_t all[N], got[ANSWERS_K], want[ANSWERS_K];

    /* up to ANSWERS_K messages: every one is kept, with its group */
    answers *s = NULL;
    int rc = 0;
    for (uint64_t p = 0; p < ANSWERS_K; p++)
        rc |= answers_add(&s, answers_pick(p * 7 + 1, (uint32_t)(p % 3)), +1);
    ok(!rc && s && s->n == ANSWERS_K, "%d messages: all kept", ANSWERS_K);
    int64_t g0 = 0;
    for (uint32_t i = 0; s && i < s->n; i++)
        g0 += answers_group(s->v[i]) == 0;
    is_int(g0, (ANSWERS_K + 2) / 3, "their groups kept with them");
    answers_free(s);

    /* N messages: the ANSWERS_K smallest picks, whatever the order and the split */
    for (uint64_t p = 0; p < N; p++)
        all[p] = (hashfn_mix(p * 13 + 5) & 0xffffffff00000000ULL) | (p & 1);
    qsort(all, N, sizeof *all, cmp_u64);
    memcpy(want, all, sizeof want);
    answers *one = NULL;
    for (uint64_t p = 0; p < N; p++)
        rc |= answers_add(&one, answers_pick((N - 1 - p) * 13 + 5, (uint32_t)((N - 1 - p) & 1)), +1);
    ok(!rc && keys(one, got) == ANSWERS_K && !memcmp(got, want, sizeof want),
       "one worker, reverse order: the %d smallest picks", ANSWERS_K);
    answers *part[4] = { NULL, NULL, NULL, NULL };
    for (uint64_t p = 0; p < N; p++)
        rc |= answers_add(&part[(p * 2654435761u) % 4], answers_pick(p * 13 + 5, (uint32_t)(p & 1)), +1);
    for (int w = 1; w < 4; w++)
        rc |= answers_merge(&part[0], &part[w]);
    ok(!rc && !part[1] && !part[2] && !part[3], "merged parts are taken over");
    ok(keys(part[0], got) == ANSWERS_K && !memcmp(got, want, sizeof want), "four workers merged: the same sample");

    /* a take-back removes its message; one not in the sample changes nothing */
    uint64_t pos_in = 0;
    for (uint64_t p = 0; p < N; p++)
        if (((hashfn_mix(p * 13 + 5) & 0xffffffff00000000ULL) | (p & 1)) == want[0])
            pos_in = p;
    rc |= answers_add(&part[0], answers_pick(pos_in * 13 + 5, (uint32_t)(pos_in & 1)), -1);
    ok(!rc && part[0]->n == ANSWERS_K - 1 && keys(part[0], got) == ANSWERS_K - 1 &&
           !memcmp(got, want + 1, (ANSWERS_K - 1) * sizeof *want),
       "a take-back removes that message");
    uint64_t pos_out = 0;
    for (uint64_t p = 0; p < N; p++)
        if (((hashfn_mix(p * 13 + 5) & 0xffffffff00000000ULL) | (p & 1)) == all[N - 1])
            pos_out = p;
    rc |= answers_add(&part[0], answers_pick(pos_out * 13 + 5, (uint32_t)(pos_out & 1)), -1);
    ok(!rc && part[0]->n == ANSWERS_K - 1, "a take-back of a message outside the sample changes nothing");
    answers *none = NULL;
    ok(answers_add(&none, answers_pick(1, 0), -1) == 0 && !none, "a take-back on no sample allocates nothing");
    ok(answers_merge(&none, &none) == 0 && !none, "merging nothing into nothing");
    ok(answers_pick(12345, 7) == ((hashfn_mix(12345) & 0xffffffff00000000ULL) | 7),
       "a pick is the position's mix above, the group below");
    ok(answers_bar(part[0]) == 0 && answers_bar(one) == one->v[one->max_i] && answers_bar(NULL) == 0,
       "the bar: the largest pick of a full sample, 0 otherwise");
    ok(answers_group_hash("abc", 3) == answers_group_hash("abc", 3) &&
           answers_group_hash("abc", 3) != answers_group_hash("abd", 3),
       "the group hash is a function of the key");
    answers_free(part[0]);
    answers_free(one);
    answers_free(NULL);
    return tap_done();
}
