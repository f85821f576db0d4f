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
    strmap_free(NULL);
    return tap_done();
}
