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

#endif
