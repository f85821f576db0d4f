/*
 * tmplmap.c - the engine's string-keyed hash map (internal; tmplmap.h).
 */
#include "common/tmpl/tmplmap.h"

#include <stdlib.h>
#include <string.h>

uint32_t tmplmap_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

tmplmap_ent *tmplmap_find(const tmplmap *m, const char *key, uint32_t h)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        tmplmap_ent *e = &m->tab[i];
        if (!e->key)
            return NULL;
        if (e->h == h && !strcmp(e->key, key))
            return e;
    }
}

static int map_grow(tmplmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 8;
    tmplmap_ent *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        tmplmap_ent *e = &m->tab[i];
        if (!e->key)
            continue;
        size_t j = e->h & (ncap - 1);
        while (nt[j].key)
            j = (j + 1) & (ncap - 1);
        nt[j] = *e;
    }
    free(m->tab);
    m->tab = nt;
    m->cap = ncap;
    return 0;
}

/* The slot for key: an existing entry, or a new one with key copied and
 * val NULL. NULL on allocation failure. */
tmplmap_ent *tmplmap_slot(tmplmap *m, const char *key, uint32_t h)
{
    tmplmap_ent *e = tmplmap_find(m, key, h);
    if (e)
        return e;
    if ((m->n + 1) * 4 > m->cap * 3 && map_grow(m) < 0)
        return NULL;
    char *k = strdup(key);
    if (!k)
        return NULL;
    size_t mask = m->cap - 1, i = h & mask;
    while (m->tab[i].key)
        i = (i + 1) & mask;
    m->tab[i].key = k;
    m->tab[i].h = h;
    m->tab[i].val = NULL;
    m->n++;
    return &m->tab[i];
}

void tmplmap_release(tmplmap *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->tab[i].key)
            continue;
        free(m->tab[i].key);
        if (free_val)
            free_val(m->tab[i].val);
    }
    free(m->tab);
    m->tab = NULL;
    m->cap = m->n = 0;
}
