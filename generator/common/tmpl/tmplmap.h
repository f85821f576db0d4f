/*
 * tmplmap.h - internal to the template engine (common/tmpl/): a small
 * open-addressing hash map from copied string keys to pointers, for
 * variables, loops and the engine's template cache. Not for other modules.
 */
#ifndef AID_TMPLMAP_H
#define AID_TMPLMAP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct tmplmap_ent {
    char *key;      /* NULL: an empty slot */
    uint32_t h;
    void *val;
} tmplmap_ent;

/* Zero-initialised is an empty map. */
typedef struct tmplmap {
    tmplmap_ent *tab;
    size_t cap, n;
} tmplmap;

/* FNV-1a of s, the hash every lookup passes in. */
uint32_t tmplmap_hash(const char *s);
/* The entry for key (h its hash), or NULL. */
tmplmap_ent *tmplmap_find(const tmplmap *m, const char *key, uint32_t h);
/* The slot for key: an existing entry, or a new one with key copied and
 * val NULL. NULL only on allocation failure. */
AID_MUST_CHECK tmplmap_ent *tmplmap_slot(tmplmap *m, const char *key, uint32_t h);
/* Free the keys (and the values with free_val, when not NULL); the map is
 * empty again. */
void tmplmap_release(tmplmap *m, void (*free_val)(void *));

#endif
