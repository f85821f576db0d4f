#include "read/answers.h"

#include <stdlib.h>

#include "common/hashfn.h"

uint32_t answers_group_hash(const char *norm, size_t len)
{
    return (uint32_t)hashfn_bytes(norm, len, ANSWERS_SEED);
}

static void find_max(answers *s)
{
    s->max_i = 0;
    for (uint32_t i = 1; i < s->n; i++)
        if (s->v[i] > s->v[s->max_i])
            s->max_i = i;
}

static int insert(answers **sp, uint64_t p)
{
    answers *s = *sp;
    if (s && s->n >= ANSWERS_K) {
        if (p >= s->v[s->max_i])
            return 0;
        s->v[s->max_i] = p;
        find_max(s);
        return 0;
    }
    if (!s || s->n == s->cap) {
        uint32_t cap = s ? s->cap * 2 : 1;
        if (cap > ANSWERS_K)
            cap = ANSWERS_K;
        answers *t = realloc(s, sizeof *t + cap * sizeof t->v[0]);
        if (!t)
            return -1;
        if (!s)
            t->n = t->max_i = 0;
        t->cap = cap;
        *sp = s = t;
    }
    s->v[s->n++] = p;
    if (s->v[s->n - 1] > s->v[s->max_i])
        s->max_i = s->n - 1;
    return 0;
}

uint64_t answers_bar(const answers *s)
{
    return s && s->n >= ANSWERS_K ? s->v[s->max_i] : 0;
}

int answers_add(answers **s, uint64_t p, int sign)
{
    if (sign > 0)
        return insert(s, p);
    answers *a = *s;
    for (uint32_t i = 0; a && i < a->n; i++)
        if (a->v[i] == p) {
            a->v[i] = a->v[--a->n];
            find_max(a);
            break;
        }
    return 0;
}

int answers_merge(answers **dst, answers **src)
{
    if (!*src)
        return 0;
    if (!*dst) {
        *dst = *src;
        *src = NULL;
        return 0;
    }
    for (uint32_t i = 0; i < (*src)->n; i++)
        if (insert(dst, (*src)->v[i]) < 0)
            return -1;
    answers_free(*src);
    *src = NULL;
    return 0;
}

void answers_free(answers *s)
{
    free(s);
}
