/*
 * ftset.h - the week's fine-tuning set (retrain's own module): the pairs
 * of a customer message and the reply that answered it, gathered while
 * the logs are read, then written once each, split into a training and a
 * held-out validation file (docs/retrain.md, "The fine-tuning set").
 *
 *   - a pair whose user or assistant message is nothing but placeholders
 *     ("[email]", "[order] [card]") and punctuation is not kept;
 *   - identical pairs, and pairs near-duplicates of an earlier one (the
 *     digest's rule, compute/neardup.h, over the normalised user and
 *     assistant texts together), are written once, the first in input order;
 *   - the validation file holds floor(10 %) of the pairs (so at least one
 *     when there are 10 or more, none below 10): those with the smallest
 *     hash of their normalised text, so the split depends on the pairs
 *     only, not on their order or the machine. Both files keep input order.
 */
#ifndef AID_FTSET_H
#define AID_FTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/err.h"

#define FTSET_VALIDATION_DIVISOR 10 /* 1 in 10 held out */
#define FTSET_VALIDATION_MIN_PAIRS 10

typedef struct ftset ftset;

AID_MUST_CHECK aid_err ftset_new(ftset **out, aid_errbuf *eb);
void ftset_free(ftset *s);

/* One pair, already redacted. 0, or -1 when out of memory. */
AID_MUST_CHECK int ftset_add(ftset *s, const char *user, size_t ulen, const char *assistant, size_t alen);

/* True when the text holds nothing but placeholders ("[word]"), white
 * space and punctuation. */
bool ftset_placeholder_only(const char *s, size_t len);

/* Write the set: {"messages": [system, user, assistant]} per line, to
 * train_path and valid_path (both written atomically, the validation file
 * even when empty). ntrain/nvalid (may be NULL) get the counts. */
AID_MUST_CHECK aid_err ftset_write(ftset *s, struct json_object *system_msg, const char *train_path,
                                   const char *valid_path, int64_t *ntrain, int64_t *nvalid, aid_errbuf *eb);

/* How many pairs would be written (after merging), and of them held out.
 * 0, or -1 when out of memory. */
AID_MUST_CHECK int ftset_count(ftset *s, int64_t *ntrain, int64_t *nvalid);

#endif
