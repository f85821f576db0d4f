/*
 * db.h - the weekly_ai_reports table in a real database (`run --db URL`).
 *
 * URL is one of
 *   postgresql://[user[:password]@]host[:port]/dbname[?param=value&...]
 *   postgres://...           (the same, libpq's URI syntax)
 *   sqlite:PATH              (a file, made on first use; sqlite:///abs/path
 *                             is the same as sqlite:/abs/path)
 *
 * db_store_week upserts one row per week (the key is the ISO week): the
 * headline figures of the report as typed columns and the whole report
 * (jsonb in PostgreSQL, JSON text in SQLite). The schema is made on first
 * use and versioned in an aidigest_schema table; docs/database.md has the
 * columns and the SQL a dashboard runs. Everything happens in one
 * transaction: a failure leaves the table as it was.
 *
 * The password comes from the URL or from libpq's own sources
 * (PGPASSWORD, ~/.pgpass); it appears in no message: the URL is shown with
 * it as "***" (db_url_shown) and a server's or libpq's text is searched for
 * it and masked too.
 *
 * Failures: AID_ERR_NETWORK (cannot connect: nothing listening, unknown
 * host, timeout), AID_ERR_AUTH (the server refused the login),
 * AID_ERR_IO (a statement failed, the file cannot be opened, the schema
 * is newer than this aidigest), AID_ERR_USAGE (not a database URL),
 * AID_ERR_NOMEM. One line in eb names the URL (masked), the step and the
 * reason. Nothing is printed, nothing in OUT is written.
 */
#ifndef AID_DB_H
#define AID_DB_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

/* The version of the schema this aidigest writes (aidigest_schema.version). */
#define DB_SCHEMA_VERSION 1

/* Upsert the week of report (a report.json object, borrowed) into the
 * database at url, and, when table names the JSON Lines table
 * (OUT/weekly_ai_reports.jsonl), insert every other week of it the
 * database does not have yet (a week missed while the database was down,
 * or the archive's weeks when a database is added later): *added (may be
 * NULL) is how many; 0 on failure, when nothing is stored. A week the
 * database has is not changed by the table. */
AID_MUST_CHECK aid_err db_store_week(const char *url, struct json_object *report, const char *table, int *added,
                                     aid_errbuf *eb);

/* Whether url names a database this build can write: a postgresql:// or
 * postgres:// URL that libpq can parse, or sqlite: with a path. Nothing is
 * connected. AID_OK, AID_ERR_USAGE (eb: the URL, masked, and why) or
 * AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err db_url_check(const char *url, aid_errbuf *eb);

/* url as it may appear in a message: the password of its user info
 * (any scheme://user:password@) and the value of a password= parameter
 * become "***". buf has n bytes and is
 * always terminated. */
void db_url_shown(const char *url, char *buf, size_t n);

#endif
