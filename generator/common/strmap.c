#include "common/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "common/hashfn.h"

struct strmap_entry {
    char *key; /* NULL = empty slot */
    size_t len;
    uint64_t hash;
};

struct strmap {
    size_t value_size;
    size_t cap; /* power of two */
    size_t count;
    struct strmap_entry *entries;
    unsigned char *values;
};

strmap *strmap_new(size_t value_size)
{
    return strmap_new_cap(value_size, 16);
}

strmap *strmap_new_cap(size_t value_size, size_t slots)
{
    strmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->value_size = value_size;
    m->cap = 2;
    while (m->cap < slots && m->cap < ((size_t)1 << 40))
        m->cap *= 2;
    m->entries = calloc(m->cap, sizeof *m->entries);
    m->values = calloc(m->cap, value_size ? value_size : 1);
    if (!m->entries || !m->values) {
        strmap_free(m);
        return NULL;
    }
    return m;
}

void strmap_free(strmap *m)
{
    if (!m)
        return;
    if (m->entries)
        for (size_t i = 0; i < m->cap; i++)
            free(m->entries[i].key);
    free(m->entries);
    free(m->values);
    free(m);
}

static size_t strmap_find(const strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)h & mask;
    for (;;) {
        const struct strmap_entry *e = &m->entries[i];
        if (!e->key || (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0))
            return i;
        i = (i + 1) & mask;
    }
}

static int strmap_grow(strmap *m)
{
    size_t ncap = m->cap * 2;
    struct strmap_entry *ne = calloc(ncap, sizeof *ne);
    unsigned char *nv = calloc(ncap, m->value_size ? m->value_size : 1);
    if (!ne || !nv) {
        free(ne);
        free(nv);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        struct strmap_entry *e = &m->entries[i];
        if (!e->key)
            continue;
        size_t j = (size_t)e->hash & (ncap - 1);
        while (ne[j].key)
            j = (j + 1) & (ncap - 1);
        ne[j] = *e;
        memcpy(nv + j * m->value_size, m->values + i * m->value_size, m->value_size);
    }
    free(m->entries);
    free(m->values);
    m->entries = ne;
    m->values = nv;
    m->cap = ncap;
    return 0;
}

void *strmap_get(const strmap *m, const char *key, size_t len)
{
    uint64_t h = hashfn_bytes(key, len, 0);
    size_t i = strmap_find(m, key, len, h);
    return m->entries[i].key ? m->values + i * m->value_size : NULL;
}

/* strmap_upsert with the key's hash already known (a merge has it). */
static void *strmap_upsert_hashed(strmap *m, const char *key, size_t len, uint64_t h, bool *is_new)
{
    size_t i = strmap_find(m, key, len, h);
    if (m->entries[i].key) {
        if (is_new)
            *is_new = false;
        return m->values + i * m->value_size;
    }
    if ((m->count + 1) * 4 > m->cap * 3) {
        if (strmap_grow(m) < 0)
            return NULL;
        i = strmap_find(m, key, len, h);
    }
    char *k = malloc(len + 1);
    if (!k)
        return NULL;
    memcpy(k, key, len);
    k[len] = '\0';
    m->entries[i].key = k;
    m->entries[i].len = len;
    m->entries[i].hash = h;
    m->count++;
    if (is_new)
        *is_new = true;
    return m->values + i * m->value_size;
}

void *strmap_upsert(strmap *m, const char *key, size_t len, bool *is_new)
{
    return strmap_upsert_hashed(m, key, len, hashfn_bytes(key, len, 0), is_new);
}

int strmap_merge(strmap *dst, strmap *src, strmap_fold_fn fold)
{
    for (size_t i = 0; i < strmap_capacity(src); i++) {
        const struct strmap_entry *e = &src->entries[i];
        if (!e->key)
            continue;
        bool is_new;
        void *d = strmap_upsert_hashed(dst, e->key, e->len, e->hash, &is_new);
        if (!d || fold(d, is_new, src->values + i * src->value_size) < 0)
            return -1;
    }
    return 0;
}

static int strmap_fold_count(void *dst_value, bool is_new, void *src_value)
{
    (void)is_new;
    *(int64_t *)dst_value += *(const int64_t *)src_value;
    return 0;
}

int strmap_add_counts(strmap *dst, strmap *src)
{
    return strmap_merge(dst, src, strmap_fold_count);
}

size_t strmap_count(const strmap *m)
{
    return m ? m->count : 0;
}

size_t strmap_capacity(const strmap *m)
{
    return m ? m->cap : 0;
}

bool strmap_slot(const strmap *m, size_t i, const char **key, size_t *len, void **value)
{
    if (i >= m->cap || !m->entries[i].key)
        return false;
    if (key)
        *key = m->entries[i].key;
    if (len)
        *len = m->entries[i].len;
    if (value)
        *value = m->values + i * m->value_size;
    return true;
}
