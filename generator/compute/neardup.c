#include "compute/neardup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashfn.h"
#include "common/strbuf.h"
#include "common/textnorm.h"

#define ND_HASHES 100
#define ND_BANDS 20
#define ND_ROWS 5
#define ND_BIG_BUCKET 64

/* Tokens: runs of [a-z0-9#] and bytes >= 0x80, with contractions
 * expanded. Appends token hashes to *v. */
typedef struct tokvec {
    uint64_t *v;
    size_t n, cap;
} tokvec;

static int tok_push(tokvec *t, const char *s, size_t len)
{
    if (t->n == t->cap) {
        size_t n = t->cap ? t->cap * 2 : 32;
        uint64_t *nv = realloc(t->v, n * sizeof *nv);
        if (!nv)
            return -1;
        t->v = nv;
        t->cap = n;
    }
    t->v[t->n++] = hashfn_bytes(s, len, 0x70c);
    return 0;
}

static inline int is_tok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' ||
           c >= 0x80;
}

static int tokenize(const char *s, tokvec *t)
{
    static const struct { const char *suffix, *expansion; } contr[] = {
        { "n't", "not" }, { "'re", "are" }, { "'ll", "will" }, { "'ve", "have" },
        { "'m", "am" },   { "'d", "would" }, { "'s", "is" },
    };
    size_t i = 0, len = strlen(s);
    char word[256];
    while (i < len) {
        while (i < len && !is_tok((unsigned char)s[i]))
            i++;
        size_t st = i;
        while (i < len && (is_tok((unsigned char)s[i]) ||
                           (s[i] == '\'' && i + 1 < len && is_tok((unsigned char)s[i + 1]))))
            i++;
        if (i == st)
            break;
        size_t n = i - st;
        if (n >= sizeof word) {
            if (tok_push(t, s + st, n) < 0)
                return -1;
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            char c = s[st + k];
            word[k] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        word[n] = '\0';
        bool done = false;
        for (size_t c = 0; c < sizeof contr / sizeof contr[0] && !done; c++) {
            size_t sl = strlen(contr[c].suffix);
            if (n > sl && !strcmp(word + n - sl, contr[c].suffix)) {
                size_t stem = n - sl;
                if (c == 0 && stem == 2 && !strncmp(word, "ca", 2)) /* can't */
                    stem = 3, word[2] = 'n';
                if (c == 0 && stem == 2 && !strncmp(word, "wo", 2)) { /* won't */
                    if (tok_push(t, "will", 4) < 0)
                        return -1;
                } else if (tok_push(t, word, stem) < 0) {
                    return -1;
                }
                if (tok_push(t, contr[c].expansion, strlen(contr[c].expansion)) < 0)
                    return -1;
                done = true;
            }
        }
        if (!done) {
            /* drop apostrophes left inside (rock'n'roll -> rocknroll) */
            size_t m = 0;
            for (size_t k = 0; k < n; k++)
                if (word[k] != '\'')
                    word[m++] = word[k];
            if (tok_push(t, word, m) < 0)
                return -1;
        }
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted distinct shingle hashes of a text. */
static int shingles(const char *s, uint64_t **out, size_t *nout)
{
    tokvec t = { 0 };
    if (tokenize(s, &t) < 0) {
        free(t.v);
        return -1;
    }
    size_t n = t.n < 3 ? 1 : t.n - 2;
    uint64_t *sh = malloc(n * sizeof *sh);
    if (!sh) {
        free(t.v);
        return -1;
    }
    if (t.n < 3) {
        uint64_t h = 0x51;
        for (size_t i = 0; i < t.n; i++)
            h = hashfn_mix(h ^ t.v[i]) + i;
        sh[0] = h;
    } else {
        for (size_t i = 0; i + 2 < t.n; i++)
            sh[i] = hashfn_mix(hashfn_mix(hashfn_mix(t.v[i]) ^ t.v[i + 1]) ^ t.v[i + 2]);
    }
    free(t.v);
    qsort(sh, n, sizeof *sh, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || sh[m - 1] != sh[i])
            sh[m++] = sh[i];
    *out = sh;
    *nout = m;
    return 0;
}

int neardup_shingles(const char *text, uint64_t **out, size_t *n)
{
    return shingles(text, out, n);
}

double neardup_similarity(const char *a, const char *b)
{
    uint64_t *sa = NULL, *sb = NULL;
    size_t na = 0, nb = 0;
    double j = 0.0;
    if (shingles(a, &sa, &na) == 0 && shingles(b, &sb, &nb) == 0)
        j = textnorm_jaccard(sa, na, sb, nb);
    free(sa);
    free(sb);
    return j;
}

static size_t uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(size_t *parent, size_t a, size_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a == b)
        return;
    if (a < b)
        parent[b] = a;
    else
        parent[a] = b;
}

typedef struct bucket_entry {
    uint64_t key;
    size_t idx;
} bucket_entry;

static int cmp_bucket(const void *x, const void *y)
{
    const bucket_entry *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

aid_err neardup_cluster(const char *const *texts, size_t n, double threshold, size_t *cluster,
                        aid_errbuf *eb)
{
    aid_err err = AID_OK;
    uint64_t **sets = calloc(n ? n : 1, sizeof *sets);
    size_t *lens = calloc(n ? n : 1, sizeof *lens);
    /* per text only its band keys (the LSH buckets), not its whole MinHash
     * signature: 20 words instead of 100 */
    uint64_t *bands = malloc((n ? n : 1) * ND_BANDS * sizeof *bands);
    bucket_entry *be = malloc((n ? n : 1) * sizeof *be);
    if (!sets || !lens || !bands || !be)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        uint64_t sig[ND_HASHES];
        cluster[i] = i;
        if (shingles(texts[i], &sets[i], &lens[i]) < 0)
            goto nomem;
        for (int k = 0; k < ND_HASHES; k++) {
            uint64_t seed = hashfn_mix(0xabcdef12345ULL + (uint64_t)k);
            uint64_t mn = UINT64_MAX;
            for (size_t s = 0; s < lens[i]; s++) {
                uint64_t h = hashfn_mix(sets[i][s] ^ seed);
                if (h < mn)
                    mn = h;
            }
            sig[k] = mn;
        }
        for (int band = 0; band < ND_BANDS; band++) {
            uint64_t h = (uint64_t)band * 0x9e3779b97f4a7c15ULL;
            for (int r = 0; r < ND_ROWS; r++)
                h = hashfn_mix(h ^ sig[band * ND_ROWS + r]);
            bands[i * ND_BANDS + (size_t)band] = h;
        }
    }
    for (int band = 0; band < ND_BANDS; band++) {
        for (size_t i = 0; i < n; i++) {
            be[i].key = bands[i * ND_BANDS + (size_t)band];
            be[i].idx = i;
        }
        qsort(be, n, sizeof *be, cmp_bucket);
        for (size_t s = 0; s < n;) {
            size_t e = s + 1;
            while (e < n && be[e].key == be[s].key)
                e++;
            /* every pair of a bucket; in a very large bucket, each entry
             * against its next ND_BIG_BUCKET neighbours */
            for (size_t x = s; x < e; x++)
                for (size_t y = x + 1; y < e && y - x <= ND_BIG_BUCKET; y++) {
                    size_t a = be[x].idx, b = be[y].idx;
                    if (uf_find(cluster, a) == uf_find(cluster, b))
                        continue;
                    if (textnorm_jaccard(sets[a], lens[a], sets[b], lens[b]) >= threshold)
                        uf_union(cluster, a, b);
                }
            s = e;
        }
    }
    for (size_t i = 0; i < n; i++)
        cluster[i] = uf_find(cluster, i);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    if (sets)
        for (size_t i = 0; i < n; i++)
            free(sets[i]);
    free(sets);
    free(lens);
    free(bands);
    free(be);
    return err;
}
