/*
 * answers.h - which reply groups answered a topic's messages: a bounded,
 * mergeable sample per topic (docs/figures.md "Trends", answered_by).
 *
 * The reader does not know which topics will rise, so every topic of the
 * week (agg_term) keeps a bottom-k sample of its messages: the
 * ANSWERS_K messages whose key (hashfn_mix of the line's position, a
 * bijection, so keys never tie) is smallest, each with the 64-bit hash of
 * the reply group of its suggestion (answers_group_hash of the normalised
 * AI reply). The smallest keys of a union are the smallest of the parts'
 * smallest, so merging workers' samples gives the same sample whatever
 * the number of workers and the order of batches; a topic of at most
 * ANSWERS_K messages keeps all of them (the shares are exact), a larger
 * one a uniform sample of ANSWERS_K.
 *
 * Memory: 16 bytes a message up to ANSWERS_K a topic (grown by doubling),
 * nothing more.
 */
#ifndef AID_ANSWERS_H
#define AID_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#define ANSWERS_K 128
#define ANSWERS_SEED 0x616e737765727321ULL /* the group hash's seed */

typedef struct answers_pick {
    uint64_t key;   /* hashfn_mix(position) */
    uint64_t group; /* answers_group_hash of the reply group's key */
} answers_pick;

typedef struct answers {
    uint32_t n, cap, max_i; /* max_i: the pick with the largest key */
    answers_pick v[];
} answers;

/* The hash of a reply group's key (its normalised reply). */
uint64_t answers_group_hash(const char *norm, size_t len);

/* Add (sign +1) the message at position pos answered by group, or take it
 * back (sign -1: removed when in the sample). *s may be NULL (a new
 * sample is allocated). 0, or -1 when out of memory (*s unchanged). */
int answers_add(answers **s, uint64_t pos, uint64_t group, int sign);

/* Fold *src into *dst (*src is freed and set to NULL). 0 or -1 (out of
 * memory). */
int answers_merge(answers **dst, answers **src);

void answers_free(answers *s);

#endif
