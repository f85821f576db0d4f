/*
 * strmap.h - an open-addressing hash table from byte strings to a
 * fixed-size value stored inline (a counter, a small struct).
 *
 *   strmap *m = strmap_new(sizeof(int64_t));
 *   int64_t *count = strmap_upsert(m, "refund", 6, NULL);   (zeroed when new)
 *   (*count)++;
 *   for (size_t i = 0; i < strmap_capacity(m); i++) {
 *       const char *k; size_t kl; void *v;
 *       if (strmap_slot(m, i, &k, &kl, &v)) ...
 *   }
 *   strmap_free(m);
 *
 * The map owns copies of the keys (NUL-terminated) and the values. Value
 * pointers stay valid only until the next insertion. Not thread-safe.
 */
#ifndef AID_STRMAP_H
#define AID_STRMAP_H

#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct strmap strmap;

AID_MUST_CHECK strmap *strmap_new(size_t value_size);
/* The same with room for `slots` slots at first (rounded up to a power of
 * two, at least 2): small for the many maps that hold one or two keys
 * (strmap_new starts at 16 slots; a map grows at 3/4 full either way). */
AID_MUST_CHECK strmap *strmap_new_cap(size_t value_size, size_t slots);
void strmap_free(strmap *m);
/* Find the value of key, or NULL. */
void *strmap_get(const strmap *m, const char *key, size_t len);
/* Find or insert (value zeroed); *is_new tells which (may be NULL).
 * NULL when out of memory. */
AID_MUST_CHECK void *strmap_upsert(strmap *m, const char *key, size_t len, bool *is_new);
/* Both 0 for NULL: a map not made yet reads as empty. */
size_t strmap_count(const strmap *m);
size_t strmap_capacity(const strmap *m);
/* Slot i (0 <= i < capacity): false when empty. */
bool strmap_slot(const strmap *m, size_t i, const char **key, size_t *len, void **value);

/* Folds one value of a merge's source into its key's value in the
 * destination (zeroed when is_new); it may take over what the source
 * value owns (and clear it there). 0, or -1 to stop (out of memory). */
typedef int (*strmap_fold_fn)(void *dst_value, bool is_new, void *src_value);
/* Every key of src (slot order) into dst, found or inserted (reusing the
 * hash src stored), with fold applied: how the readers' per-worker tables
 * are merged. src may be NULL (empty); dst must exist when src has keys.
 * 0, or -1 when out of memory or fold failed. */
AID_MUST_CHECK int strmap_merge(strmap *dst, strmap *src, strmap_fold_fn fold);
/* strmap_merge of int64_t counters: dst[k] += src[k]. 0 or -1. */
AID_MUST_CHECK int strmap_add_counts(strmap *dst, strmap *src);

#endif
