/*
 * answers.h - which reply groups answered a topic's messages: a bounded,
 * mergeable sample per topic (docs/figures.md "Trends", answered_by).
 *
 * The reader does not know which topics will rise, so every topic of the
 * week (agg_term) keeps a bottom-k sample of its messages: the ANSWERS_K
 * messages whose pick is smallest. A pick is one 64-bit word: the high 32
 * bits of hashfn_mix of the line's position (a random-looking order of
 * the messages), the low 32 bits the hash of the reply group of its
 * suggestion (answers_group_hash of the normalised AI reply). Picks are
 * compared as whole words, so two messages that tie on the first half
 * are still ordered the same way every time, and the smallest picks of a
 * union are the smallest of the parts' smallest: merging workers' samples
 * gives the same sample whatever the number of workers and the order of
 * batches. A topic of at most ANSWERS_K messages keeps all of them (the
 * shares are exact), a larger one a uniform sample of ANSWERS_K.
 *
 * Memory: 8 bytes a message up to ANSWERS_K a topic (grown by doubling).
 */
#ifndef AID_ANSWERS_H
#define AID_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#define ANSWERS_K 64
#define ANSWERS_SEED 0x616e737765727321ULL /* the group hash's seed */

typedef struct answers {
    uint32_t n, cap, max_i; /* max_i: the largest pick */
    uint64_t v[];
} answers;

/* The 32-bit hash of a reply group's key (its normalised reply). */
uint32_t answers_group_hash(const char *norm, size_t len);
/* The group hash of a pick. */
static inline uint32_t answers_group(uint64_t pick)
{
    return (uint32_t)pick;
}

/* The pick of the message at line position pos answered by group. */
static inline uint64_t answers_pick(uint64_t pos, uint32_t group)
{
    /* hashfn_mix (common/hashfn.h), inlined so the caller's test below is cheap */
    uint64_t x = pos;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (x & 0xffffffff00000000ULL) | group;
}

/* The largest pick of a full sample, 0 while it is not full: a pick at
 * or above it cannot enter, so a caller that keeps it next to its count
 * (agg_term.answers_bar) skips the sample for most messages of a
 * frequent topic without touching it. */
uint64_t answers_bar(const answers *s);

/* Add (sign +1) a pick, or take it back (sign -1: removed when in the
 * sample). *s may be NULL (a new sample is allocated). 0, or -1 when out
 * of memory (*s unchanged). */
int answers_add(answers **s, uint64_t pick, int sign);

/* Fold *src into *dst (*src is freed and set to NULL). 0 or -1 (out of
 * memory). */
int answers_merge(answers **dst, answers **src);

void answers_free(answers *s);

#endif
