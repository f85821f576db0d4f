/*
 * report.h - writing the report: OUT/<week>/report.json (pretty, stable
 * key order, byte-identical across re-runs) and its row in
 * OUT/weekly_ai_reports.jsonl (one compact report per line, ordered by
 * week; the week's row replaced on a re-run).
 */
#ifndef AID_REPORT_H
#define AID_REPORT_H

#include <json-c/json.h>

#include "common/err.h"

/* The report as written to report.json (pretty, ending in a newline).
 * Returns a malloc'd string or NULL. */
char *report_to_string(struct json_object *report, size_t *len);

AID_MUST_CHECK aid_err report_write(struct json_object *report, const char *path, aid_errbuf *eb);

/* Insert or replace the report's week in the JSON Lines table at path. */
AID_MUST_CHECK aid_err report_update_table(struct json_object *report, const char *path, aid_errbuf *eb);

/* Bring the table at path in line with the weeks on disk: every directory
 * of out named like a week (YYYY-Www) that holds a readable report.json
 * whose row is missing from the table, or differs from it (compared as
 * JSON values), gets its row put in as report_update_table does. Rows of
 * weeks no longer on disk and lines that are not rows are kept. This
 * repairs a run killed between the rename of its week and the table
 * update. *fixed (optional) receives the number of rows put in. */
AID_MUST_CHECK aid_err report_sync_table(const char *out, const char *path, int *fixed, aid_errbuf *eb);

#endif
