#include "coachfeat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashfn.h"
#include "strbuf.h"
#include "textnorm.h"

static const char *const coachfeat_names[COACHFEAT__COUNT] = {
    "empathy_opener", "restates_issue", "time_commitment", "apology", "next_steps",
};
static const char *const coachfeat_labels[COACHFEAT__COUNT] = {
    "Open with empathy",
    "Restate the customer's issue",
    "Commit to a time frame",
    "Apologise when something went wrong",
    "Say what happens next",
};

const char *coachfeat_name(coachfeat f)
{
    return (int)f >= 0 && f < COACHFEAT__COUNT ? coachfeat_names[f] : "?";
}

const char *coachfeat_label(coachfeat f)
{
    return (int)f >= 0 && f < COACHFEAT__COUNT ? coachfeat_labels[f] : "?";
}

static bool contains_any(const char *s, const char *const *needles)
{
    for (; *needles; needles++)
        if (strstr(s, *needles))
            return true;
    return false;
}

static const char *const empathy[] = {
    "sorry to hear", "i understand", "i completely understand", "i can understand",
    "i can imagine", "i can see how", "understandably", "i know how", "frustrat", "that must be",
    "thank you for reaching out", "thanks for reaching out", "thank you for contacting",
    "thanks for contacting", "i appreciate", "thank you for your patience",
    "thanks for your patience", "i hear you", NULL,
};
static const char *const apology[] = { "sorry", "apologi", "apologize", "apologise", NULL };
static const char *const next_steps[] = {
    "i will ", "i'll ", "we will ", "we'll ", "i am going to", "i'm going to", "next step",
    "you will receive", "you'll receive", "you will get", "you'll get", "you will see",
    "you'll see", "follow up", "follow-up", "i have escalated", "i've escalated",
    "i have initiated", "i've initiated", "i have arranged", "i've arranged", "i have issued",
    "i've issued", "i have sent", "i've sent", "once ", "as soon as", NULL,
};

static bool is_unit(const char *w, size_t n)
{
    static const char *const units[] = { "minute", "minutes", "hour", "hours", "hrs", "day",
                                         "days", "week", "weeks", "business", "working", NULL };
    for (const char *const *u = units; *u; u++)
        if (strlen(*u) == n && !memcmp(*u, w, n))
            return true;
    return false;
}

/* "within ...", "<number> hours/days/...", "by tomorrow", "today",
 * "end of day". Works on the lower-cased text. */
static bool has_time_commitment(const char *s)
{
    if (strstr(s, "by tomorrow") || strstr(s, "by end of day") || strstr(s, "end of the day") ||
        strstr(s, "by the end of") || strstr(s, "later today") || strstr(s, "within the next") ||
        strstr(s, "by monday") || strstr(s, "by friday"))
        return true;
    const char *p = s;
    while ((p = strstr(p, "within "))) {
        p += 7;
        if ((*p >= '0' && *p <= '9') || !strncmp(p, "a ", 2) || !strncmp(p, "an ", 3) ||
            !strncmp(p, "one ", 4) || !strncmp(p, "two ", 4) || !strncmp(p, "24", 2))
            return true;
    }
    /* a number (or range like 3-5) followed by a time unit */
    for (p = s; *p; p++) {
        if (*p < '0' || *p > '9' || (p > s && p[-1] >= '0' && p[-1] <= '9'))
            continue;
        const char *q = p;
        while ((*q >= '0' && *q <= '9') || *q == '-' || *q == ' ')
            q++;
        const char *w = q;
        while (*q >= 'a' && *q <= 'z')
            q++;
        if (q > w && is_unit(w, (size_t)(q - w)))
            return true;
    }
    return false;
}

struct term_ctx {
    uint64_t *v;
    size_t n, cap;
};

static int collect_term(const char *w, size_t len, void *vctx)
{
    struct term_ctx *c = vctx;
    if (!textnorm_is_term(w, len))
        return 0;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 32;
        uint64_t *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        c->v = nv;
        c->cap = ncap;
    }
    c->v[c->n++] = hashfn_bytes(w, len, 7);
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t uniq(uint64_t *v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_u64);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[m - 1])
            v[m++] = v[i];
    return m;
}

static bool restates(const char *reply, size_t rl, const char *cust, size_t cl)
{
    struct term_ctx a = { 0 }, b = { 0 };
    bool res = false;
    if (textnorm_words(reply, rl, collect_term, &a) < 0 || textnorm_words(cust, cl, collect_term, &b) < 0)
        goto cleanup;
    size_t na = uniq(a.v, a.n), nb = uniq(b.v, b.n), i = 0, j = 0, shared = 0;
    while (i < na && j < nb) {
        if (a.v[i] == b.v[j]) {
            shared++;
            i++;
            j++;
        } else if (a.v[i] < b.v[j]) {
            i++;
        } else {
            j++;
        }
    }
    res = shared >= 3;
cleanup:
    free(a.v);
    free(b.v);
    return res;
}

unsigned coachfeat_detect(const char *reply, size_t reply_len, const char *customer,
                          size_t customer_len)
{
    strbuf low = STRBUF_INIT;
    unsigned mask = 0;
    if (strbuf_grow(&low, reply_len) < 0)
        return 0;
    for (size_t i = 0; i < reply_len; i++) {
        char c = reply[i];
        low.buf[low.len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (c == '\0' ? ' ' : c);
    }
    low.buf[low.len] = '\0';
    /* Normalise typographic apostrophes so "I’ll" matches "i'll". */
    for (char *p = low.buf; (p = strstr(p, "\xe2\x80\x99"));) {
        memmove(p + 1, p + 3, strlen(p + 3) + 1);
        *p = '\'';
    }
    /* first sentence */
    size_t first_end = strcspn(low.buf, ".!?\n");
    char saved = low.buf[first_end];
    low.buf[first_end] = '\0';
    if (contains_any(low.buf, empathy))
        mask |= 1u << COACHFEAT_EMPATHY_OPENER;
    low.buf[first_end] = saved;
    if (contains_any(low.buf, apology))
        mask |= 1u << COACHFEAT_APOLOGY;
    if (has_time_commitment(low.buf))
        mask |= 1u << COACHFEAT_TIME_COMMITMENT;
    if (contains_any(low.buf, next_steps))
        mask |= 1u << COACHFEAT_NEXT_STEPS;
    if (customer && customer_len && restates(reply, reply_len, customer, customer_len))
        mask |= 1u << COACHFEAT_RESTATES_ISSUE;
    strbuf_release(&low);
    return mask;
}
