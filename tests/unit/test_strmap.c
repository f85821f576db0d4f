/* test_strmap.c - the open-addressing string map. */
#include <stdio.h>
#include <string.h>

#include "common/strmap.h"
#include "tap.h"

int main(void)
{
    strmap *m = strmap_new(sizeof(int64_t));
    ok(m && strmap_count(m) == 0, "new map is empty");
    ok(strmap_get(m, "x", 1) == NULL, "get on empty");
    bool is_new = false;
    int64_t *v = strmap_upsert(m, "refund", 6, &is_new);
    ok(v && is_new && *v == 0, "insert: zeroed, new");
    *v = 5;
    v = strmap_upsert(m, "refund", 6, &is_new);
    ok(v && !is_new && *v == 5, "upsert finds it");
    v = strmap_upsert(m, "a\0b", 3, NULL);
    *v = 7;
    ok(strmap_get(m, "a", 1) == NULL && *(int64_t *)strmap_get(m, "a\0b", 3) == 7, "keys with NUL bytes");
    v = strmap_upsert(m, "", 0, NULL);
    *v = 9;
    ok(*(int64_t *)strmap_get(m, "", 0) == 9, "empty key");
    char k[32];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(k, sizeof k, "key%d", i);
        *(int64_t *)strmap_upsert(m, k, (size_t)n, NULL) += i;
    }
    is_int(strmap_count(m), 20003, "count after 20000 more");
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(k, sizeof k, "key%d", i);
        int64_t *g = strmap_get(m, k, (size_t)n);
        bad += !g || *g != i;
    }
    is_int(bad, 0, "every value found");
    int64_t sum = 0;
    size_t seen = 0;
    for (size_t i = 0; i < strmap_capacity(m); i++) {
        const char *key;
        size_t len;
        void *val;
        if (strmap_slot(m, i, &key, &len, &val)) {
            seen++;
            sum += *(int64_t *)val;
            if (len && key[len] != '\0')
                bad++;
        }
    }
    is_int(seen, 20003, "iteration sees every entry");
    is_int(sum, 5 + 7 + 9 + (int64_t)19999 * 20000 / 2, "values sum");
    is_int(bad, 0, "keys are NUL-terminated");
    strmap_free(m);

    /* right-sized: a map for one or two keys starts with 2 slots */
    strmap *small = strmap_new_cap(sizeof(int64_t), 2);
    ok(small != NULL, "strmap_new_cap");
    is_int((int64_t)strmap_capacity(small), 2, "2 slots");
    int64_t *one = strmap_upsert(small, "a", 1, NULL);
    ok(one != NULL, "one key");
    *one = 1;
    is_int((int64_t)strmap_capacity(small), 2, "one key fits in 2 slots");
    int fine = 1;
    for (int i = 0; i < 100; i++) {
        char key2[16];
        snprintf(key2, sizeof key2, "k%d", i);
        int64_t *val2 = strmap_upsert(small, key2, strlen(key2), NULL);
        fine &= val2 != NULL;
        if (val2)
            *val2 = i;
    }
    ok(fine && strmap_count(small) == 101, "it grows like any other");
    int64_t *g = strmap_get(small, "k77", 3), *a1 = strmap_get(small, "a", 1);
    ok(g && *g == 77 && a1 && *a1 == 1, "and keeps every value");
    strmap_free(small);
    small = strmap_new_cap(0, 1000);
    ok(small && strmap_capacity(small) == 1024, "1000 slots asked: 1024");
    strmap_free(small);
    strmap_free(NULL);
    ok(strmap_count(NULL) == 0 && strmap_capacity(NULL) == 0, "a map not made yet reads as empty");

    /* merging: every key of the source folded into the destination */
    strmap *dst = strmap_new(sizeof(int64_t)), *src = strmap_new(sizeof(int64_t));
    fine = dst && src;
    for (int i = 0; fine && i < 300; i++) {
        char key3[16];
        snprintf(key3, sizeof key3, "m%d", i);
        if (i % 2) {
            int64_t *d = strmap_upsert(dst, key3, strlen(key3), NULL);
            fine &= d != NULL;
            if (d)
                *d = 1000;
        }
        if (i % 3) {
            int64_t *s2 = strmap_upsert(src, key3, strlen(key3), NULL);
            fine &= s2 != NULL;
            if (s2)
                *s2 = i;
        }
    }
    ok(fine && strmap_add_counts(dst, src) == 0, "strmap_add_counts: the counts of one map into another");
    fine = 1;
    for (int i = 0; i < 300; i++) {
        char key3[16];
        snprintf(key3, sizeof key3, "m%d", i);
        int64_t *got = strmap_get(dst, key3, strlen(key3));
        int64_t want = (i % 2 ? 1000 : 0) + (i % 3 ? i : 0);
        fine &= want ? got && *got == want : got == NULL;
    }
    ok(fine, "... every key summed, the new ones inserted, the absent ones left out");
    ok(strmap_add_counts(dst, NULL) == 0, "... and a map not made yet merges as empty");
    strmap_free(src);
    strmap_free(dst);
    return tap_done();
}
