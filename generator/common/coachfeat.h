/*
 * coachfeat.h - the phrase features of a reply that coach notes are built
 * from (docs/figures.md, "Coach"):
 *
 *   empathy_opener    the first sentence acknowledges the customer
 *                     ("I'm sorry to hear", "I understand", "thank you for
 *                     reaching out", ...)
 *   restates_issue    the reply repeats the customer's issue: it shares at
 *                     least 3 distinct trend terms with the customer message
 *   time_commitment   a concrete time frame ("within 24 hours", "in 3-5
 *                     business days", "by tomorrow", "today")
 *   apology           "sorry", "apologise/apologize", "apologies"
 *   next_steps        says what happens next ("I will", "we'll", "you will
 *                     receive", "next step", "I've escalated", ...)
 */
#ifndef AID_COACHFEAT_H
#define AID_COACHFEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef enum coachfeat {
    COACHFEAT_EMPATHY_OPENER = 0,
    COACHFEAT_RESTATES_ISSUE,
    COACHFEAT_TIME_COMMITMENT,
    COACHFEAT_APOLOGY,
    COACHFEAT_NEXT_STEPS,
    COACHFEAT__COUNT
} coachfeat;

/* The feature's name in report.json, and a short label for people. */
const char *coachfeat_name(coachfeat f);
const char *coachfeat_label(coachfeat f);

/* The features present in reply (answering customer, which may be NULL),
 * as a bit mask (1 << coachfeat); -1 when out of memory (a leaf helper). */
AID_MUST_CHECK int coachfeat_detect(const char *reply, size_t reply_len, const char *customer,
                                    size_t customer_len);

/* The two parts of coachfeat_detect, for a caller that has the term sets
 * already: the features found in the reply's own text (every one but
 * restates_issue; -1 when out of memory), and restates_issue from the
 * sorted term sets (textnorm_term_set) of the reply and the customer's
 * message (at least 3 terms in common). */
AID_MUST_CHECK int coachfeat_phrases(const char *reply, size_t reply_len);
bool coachfeat_restates_terms(const uint64_t *reply_terms, size_t nr, const uint64_t *customer_terms, size_t nc);

#endif
