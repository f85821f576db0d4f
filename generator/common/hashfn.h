/*
 * hashfn.h - fast non-cryptographic hashing of byte strings (64-bit),
 * used by the hash tables, the suggestion-id index and MinHash.
 */
#ifndef AID_HASHFN_H
#define AID_HASHFN_H

#include <stddef.h>
#include <stdint.h>

/* A 64-bit hash of len bytes with a seed; different seeds give
 * independent-looking hash functions. */
uint64_t hashfn_bytes(const void *data, size_t len, uint64_t seed);

/* A 64-bit mixer (splitmix64 finaliser): a bijection, good avalanche. */
static inline uint64_t hashfn_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#endif
