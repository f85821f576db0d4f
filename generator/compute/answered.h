/*
 * answered.h - which reply group answered most of a rising topic's
 * messages (docs/figures.md "Trends", trends.rising[].answered_by), from
 * the topic's sample of reply groups (read/answers.h) and the week's
 * merged reply groups. Private to compute/ (figures.c fills the index
 * while it merges the groups, then calls answered_json after the trends).
 */
#ifndef AID_ANSWERED_H
#define AID_ANSWERED_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "compute/figures.h"
#include "read/read.h"

/* "mostly answered by": the 95 % Wilson lower bound of the share is above this */
#define ANSWERED_MOSTLY 0.5

typedef struct answered_index answered_index;

/* An index of ngroups exact reply groups in nclusters merged ones (*out;
 * answered_index_free). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err answered_index_new(answered_index **out, size_t ngroups, size_t nclusters, aid_errbuf *eb);
void answered_index_free(answered_index *x);

/* Exact group i (its key, the normalised reply) is in merged group c. */
void answered_index_group(answered_index *x, size_t i, const char *key, size_t c);
/* Merged group c: its shown text (copied; before redaction) and its
 * counts by action. 0 or -1 (out of memory). */
AID_MUST_CHECK int answered_index_cluster(answered_index *x, size_t c, const char *text, const int64_t *by_action);

/* Add answered_by to every entry of report.trends.rising (report's
 * top_accepted and top_rejected give the group's ranks). AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err answered_json(answered_index *x, const figures_input *in, struct json_object *report,
                                     aid_errbuf *eb);

#endif
