#include "common/hashfn.h"

#include <string.h>

static inline uint64_t hashfn_read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

uint64_t hashfn_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = hashfn_mix(seed ^ 0x9e3779b97f4a7c15ULL) ^ (len * 0xff51afd7ed558ccdULL);
    while (len >= 8) {
        h = hashfn_mix(h ^ hashfn_read64(p)) * 0x9e3779b97f4a7c15ULL;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < len; i++)
        tail |= (uint64_t)p[i] << (8 * i);
    h = hashfn_mix(h ^ tail ^ ((uint64_t)len << 59));
    return hashfn_mix(h);
}
