/*
 * idindex.h - which occurrence of each suggestion id is the last one.
 *
 * Maps a 128-bit hash of the id to the position of its latest occurrence
 * (file index and line number packed by IDINDEX_POS). Inserting an id seen
 * before keeps the later position and reports the earlier one as the loser
 * (a duplicate). This is the one table that grows with the number of
 * distinct suggestions: 24 bytes each (a million suggestions: ~48 MB with
 * the table's slack).
 */
#ifndef AID_IDINDEX_H
#define AID_IDINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define IDINDEX_POS(file, line) (((uint64_t)(file) << 40) | (uint64_t)(line))
#define IDINDEX_POS_FILE(pos) ((uint32_t)((pos) >> 40))
#define IDINDEX_POS_LINE(pos) ((pos) & ((1ULL << 40) - 1))

typedef struct idindex idindex;

/* An empty index (*out; free it with idindex_free). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err idindex_new(idindex **out, aid_errbuf *eb);
void idindex_free(idindex *x);

/* Record an occurrence at pos. Returns 0 when the id is new, 1 when it was
 * seen before (then *loser is the position that lost: the earlier one),
 * -1 when out of memory. */
AID_MUST_CHECK int idindex_put(idindex *x, const char *id, size_t len, uint64_t pos, uint64_t *loser);
AID_MUST_CHECK int idindex_put_hash(idindex *x, uint64_t h1, uint64_t h2, uint64_t pos, uint64_t *loser);
/* The winning position of an id. */
bool idindex_get(const idindex *x, const char *id, size_t len, uint64_t *pos);
/* Move every entry of src into dst; each loser position found is passed
 * to fn. src is left empty. 0 or -1. */
AID_MUST_CHECK int idindex_merge(idindex *dst, idindex *src, void (*fn)(uint64_t loser, void *ctx), void *ctx);
size_t idindex_count(const idindex *x);
void idindex_hash(const char *id, size_t len, uint64_t *h1, uint64_t *h2);

#endif
