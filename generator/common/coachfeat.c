#include "common/coachfeat.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/textnorm.h"

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

/* 1 when the terms of reply share at least 3 with cust's (a sorted term
 * set), 0 when not, -1 when out of memory. */
static int restates_set(const char *reply, size_t rl, const uint64_t *cust, size_t nc)
{
    uint64_t *a = NULL;
    size_t na = 0;
    if (textnorm_term_set(reply, rl, &a, &na) < 0)
        return -1;
    int res = coachfeat_restates_terms(a, na, cust, nc);
    free(a);
    return res;
}

/* The phrase features of reply (every feature but restates_issue), or -1
 * when out of memory. */
static int phrase_mask(const char *reply, size_t reply_len)
{
    strbuf low = STRBUF_INIT;
    int mask = 0;
    if (strbuf_grow(&low, reply_len) < 0)
        return -1;
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
        mask |= 1 << COACHFEAT_EMPATHY_OPENER;
    low.buf[first_end] = saved;
    if (contains_any(low.buf, apology))
        mask |= 1 << COACHFEAT_APOLOGY;
    if (has_time_commitment(low.buf))
        mask |= 1 << COACHFEAT_TIME_COMMITMENT;
    if (contains_any(low.buf, next_steps))
        mask |= 1 << COACHFEAT_NEXT_STEPS;
    strbuf_release(&low);
    return mask;
}

int coachfeat_phrases(const char *reply, size_t reply_len)
{
    return phrase_mask(reply, reply_len);
}

bool coachfeat_restates_terms(const uint64_t *reply_terms, size_t nr, const uint64_t *customer_terms, size_t nc)
{
    return textnorm_common(reply_terms, nr, customer_terms, nc) >= 3;
}

int coachfeat_detect(const char *reply, size_t reply_len, const char *customer, size_t customer_len)
{
    uint64_t *cust = NULL;
    size_t nc = 0;
    int m = phrase_mask(reply, reply_len);
    if (m < 0 || !customer || !customer_len)
        return m;
    if (textnorm_term_set(customer, customer_len, &cust, &nc) < 0)
        return -1;
    int r = restates_set(reply, reply_len, cust, nc);
    free(cust);
    return r < 0 ? -1 : r ? m | 1 << COACHFEAT_RESTATES_ISSUE : m;
}
