#include "common/textnorm.h"

#include <stdlib.h>
#include <string.h>

#include "common/hashfn.h"
#include "common/stopwords.h"

static inline bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

int textnorm_reply(const char *s, size_t len, strbuf *out)
{
    if (strbuf_grow(out, len) < 0)
        return -1;
    size_t start = out->len;
    bool pending_space = false;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c)) {
            pending_space = out->len > start;
            while (i < len && is_space((unsigned char)s[i]))
                i++;
            continue;
        }
        if (pending_space) {
            out->buf[out->len++] = ' ';
            pending_space = false;
        }
        if (c >= '0' && c <= '9') {
            out->buf[out->len++] = '#';
            while (i < len && s[i] >= '0' && s[i] <= '9')
                i++;
            continue;
        }
        out->buf[out->len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
        i++;
    }
    out->buf[out->len] = '\0';
    return 0;
}

int textnorm_words(const char *s, size_t len, textnorm_word_fn fn, void *ctx)
{
    char small[256];
    char *buf = small;
    size_t cap = sizeof small;
    int rc = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && !is_word_byte((unsigned char)s[i]))
            i++;
        size_t st = i;
        while (i < len && is_word_byte((unsigned char)s[i]))
            i++;
        size_t n = i - st;
        if (!n)
            break;
        if (n + 1 > cap) {
            char *nb = malloc(n + 1);
            if (!nb) {
                rc = -1;
                break;
            }
            if (buf != small)
                free(buf);
            buf = nb;
            cap = n + 1;
        }
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)s[st + k];
            buf[k] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
        }
        buf[n] = '\0';
        if ((rc = fn(buf, n, ctx)) != 0)
            break;
    }
    if (buf != small)
        free(buf);
    return rc;
}

bool textnorm_is_term(const char *word, size_t len)
{
    if (len < 3)
        return false;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++)
        digits += word[i] >= '0' && word[i] <= '9';
    /* All digits: a number. 5 digits or more: an order, account or
     * tracking number ("order0987654321", "1z123abc456def789"), personal
     * data that must not reach the published term counts. */
    return digits < len && digits < TEXTNORM_TERM_MAX_DIGITS && !stopwords_contains(word, len);
}

struct word_set_ctx {
    uint64_t *v;
    size_t n, cap;
    bool terms_only;
};

static int word_set_add(const char *w, size_t len, void *vctx)
{
    struct word_set_ctx *c = vctx;
    if (c->terms_only && !textnorm_is_term(w, len))
        return 0;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 32;
        uint64_t *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        c->v = nv;
        c->cap = ncap;
    }
    c->v[c->n++] = hashfn_bytes(w, len, 0x5eed);
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int word_set(const char *s, size_t len, bool terms_only, uint64_t **out, size_t *n)
{
    struct word_set_ctx c = { NULL, 0, 0, terms_only };
    if (textnorm_words(s, len, word_set_add, &c) < 0) {
        free(c.v);
        return -1;
    }
    if (c.n)
        qsort(c.v, c.n, sizeof *c.v, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < c.n; i++)
        if (!m || c.v[m - 1] != c.v[i])
            c.v[m++] = c.v[i];
    *out = c.v;
    *n = m;
    return 0;
}

int textnorm_word_set(const char *s, size_t len, uint64_t **out, size_t *n)
{
    return word_set(s, len, false, out, n);
}

int textnorm_term_set(const char *s, size_t len, uint64_t **out, size_t *n)
{
    return word_set(s, len, true, out, n);
}

size_t textnorm_common(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, inter = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            inter++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return inter;
}

double textnorm_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t inter = textnorm_common(a, na, b, nb);
    size_t uni = na + nb - inter;
    return uni ? (double)inter / (double)uni : 0.0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

bool textnorm_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_seq(p + i, len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

int textnorm_utf8_sanitize(const char *s, size_t len, strbuf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < len) {
        size_t n = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i);
        if (n) {
            i += n;
            continue;
        }
        if (strbuf_add(out, s + run, i - run) < 0 || strbuf_adds(out, "\xef\xbf\xbd") < 0)
            return -1;
        i++;
        run = i;
    }
    return strbuf_add(out, s + run, len - run);
}
