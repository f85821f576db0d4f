#include "read/idindex.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "common/hashfn.h"

struct idindex_slot {
    uint64_t h1, h2, pos; /* pos 0 = empty (line numbers start at 1) */
};

/* Each index places its ids by their hash mixed with its own salt: a
 * merge reads the source in slot order, which in a table placing by the
 * same hash would be the destination's order too and pile the inserts
 * into long probe runs. Where an id sits never shows in a result. */
struct idindex {
    struct idindex_slot *slots;
    size_t cap, count;
    uint64_t salt;
};

static atomic_uint_fast64_t idindex_tables;

static size_t idindex_home(const idindex *x, uint64_t h1, size_t mask)
{
    return (size_t)hashfn_mix(h1 ^ x->salt) & mask;
}

aid_err idindex_new(idindex **out, aid_errbuf *eb)
{
    idindex *x = calloc(1, sizeof *x);
    *out = NULL;
    if (!x)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    x->cap = 1024;
    x->salt = hashfn_mix(0x1d1dULL + (uint64_t)atomic_fetch_add(&idindex_tables, 1));
    x->slots = calloc(x->cap, sizeof *x->slots);
    if (!x->slots) {
        free(x);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = x;
    return AID_OK;
}

void idindex_free(idindex *x)
{
    if (!x)
        return;
    free(x->slots);
    free(x);
}

void idindex_hash(const char *id, size_t len, uint64_t *h1, uint64_t *h2)
{
    *h1 = hashfn_bytes(id, len, 0x1d1d);
    *h2 = hashfn_bytes(id, len, 0x2e2e);
}

static struct idindex_slot *idindex_find(const idindex *x, uint64_t h1, uint64_t h2)
{
    size_t mask = x->cap - 1, i = idindex_home(x, h1, mask);
    for (;;) {
        struct idindex_slot *s = &x->slots[i];
        if (!s->pos || (s->h1 == h1 && s->h2 == h2))
            return s;
        i = (i + 1) & mask;
    }
}

static int idindex_grow(idindex *x)
{
    size_t ncap = x->cap * 2;
    struct idindex_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < x->cap; i++) {
        struct idindex_slot *s = &x->slots[i];
        if (!s->pos)
            continue;
        size_t j = idindex_home(x, s->h1, ncap - 1);
        while (ns[j].pos)
            j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    free(x->slots);
    x->slots = ns;
    x->cap = ncap;
    return 0;
}

int idindex_put_hash(idindex *x, uint64_t h1, uint64_t h2, uint64_t pos, uint64_t *loser)
{
    struct idindex_slot *s = idindex_find(x, h1, h2);
    if (s->pos) {
        if (pos > s->pos) {
            *loser = s->pos;
            s->pos = pos;
        } else {
            *loser = pos;
        }
        return 1;
    }
    if ((x->count + 1) * 10 > x->cap * 7) {
        if (idindex_grow(x) < 0)
            return -1;
        s = idindex_find(x, h1, h2);
    }
    s->h1 = h1;
    s->h2 = h2;
    s->pos = pos;
    x->count++;
    return 0;
}

int idindex_put(idindex *x, const char *id, size_t len, uint64_t pos, uint64_t *loser)
{
    uint64_t h1, h2;
    idindex_hash(id, len, &h1, &h2);
    return idindex_put_hash(x, h1, h2, pos, loser);
}

bool idindex_get(const idindex *x, const char *id, size_t len, uint64_t *pos)
{
    uint64_t h1, h2;
    idindex_hash(id, len, &h1, &h2);
    struct idindex_slot *s = idindex_find(x, h1, h2);
    if (!s->pos)
        return false;
    *pos = s->pos;
    return true;
}

int idindex_merge(idindex *dst, idindex *src, void (*fn)(uint64_t loser, void *ctx), void *ctx)
{
    for (size_t i = 0; i < src->cap; i++) {
        struct idindex_slot *s = &src->slots[i];
        if (!s->pos)
            continue;
        uint64_t loser;
        int r = idindex_put_hash(dst, s->h1, s->h2, s->pos, &loser);
        if (r < 0)
            return -1;
        if (r == 1 && fn)
            fn(loser, ctx);
        s->pos = 0;
    }
    src->count = 0;
    return 0;
}

size_t idindex_count(const idindex *x)
{
    return x->count;
}
