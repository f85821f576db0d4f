/*
 * db_sqlite.c - the SQLite backend of publish/db (libsqlite3): open (or
 * make) the file, make or check the schema, upsert the week's row, all in
 * one IMMEDIATE transaction (a second writer waits up to 10 s).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/version.h"
#include "publish/db.h"
#include "publish/db_backend.h"

/* The migrations, in order: migration i brings the schema to version
 * i + 1 (the same columns as PostgreSQL's, in SQLite's types: times are
 * RFC 3339 UTC text, the report JSON text). */
static const char *const sqlite_migrations[] = {
    "CREATE TABLE weekly_ai_reports ("
    " week TEXT PRIMARY KEY CHECK (week GLOB '[0-9][0-9][0-9][0-9]-W[0-9][0-9]'),"
    " period_start TEXT NOT NULL,"
    " period_end TEXT NOT NULL,"
    " generated_at TEXT NOT NULL,"
    " suggestions INTEGER NOT NULL,"
    " acceptance REAL,"
    " use_rate REAL,"
    " confidence_mean REAL,"
    " ece REAL,"
    " alerts INTEGER,"
    " report TEXT NOT NULL CHECK (json_valid(report)),"
    " stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));"
    "CREATE INDEX weekly_ai_reports_period_start ON weekly_ai_reports (period_start)",
};

static const char sqlite_schema_table[] =
    "CREATE TABLE IF NOT EXISTS aidigest_schema ("
    " version INTEGER PRIMARY KEY,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
    " generator TEXT NOT NULL)";

static const char sqlite_upsert[] =
    "INSERT INTO weekly_ai_reports (week, period_start, period_end, generated_at, suggestions,"
    " acceptance, use_rate, confidence_mean, ece, alerts, report, stored_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
    " ON CONFLICT (week) DO UPDATE SET period_start = excluded.period_start,"
    " period_end = excluded.period_end, generated_at = excluded.generated_at,"
    " suggestions = excluded.suggestions, acceptance = excluded.acceptance,"
    " use_rate = excluded.use_rate, confidence_mean = excluded.confidence_mean,"
    " ece = excluded.ece, alerts = excluded.alerts, report = excluded.report,"
    " stored_at = excluded.stored_at";

/* An earlier week from the JSON Lines table, when the database lacks it. */
static const char sqlite_insert_missing[] =
    "INSERT INTO weekly_ai_reports (week, period_start, period_end, generated_at, suggestions,"
    " acceptance, use_rate, confidence_mean, ece, alerts, report, stored_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
    " ON CONFLICT (week) DO NOTHING";

struct lite {
    sqlite3 *db;
    const db_ctx *ctx;
    aid_errbuf *eb;
};

static aid_err lite_fail(struct lite *l, int rc, const char *step)
{
    if (rc == SQLITE_NOMEM || (l->db && sqlite3_errcode(l->db) == SQLITE_NOMEM))
        return aid_errbuf_set(l->eb, AID_ERR_NOMEM, "database %s: %s: out of memory", l->ctx->shown, step);
    char clean[700];
    db_clean_msg(clean, sizeof clean, l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc), l->ctx);
    return aid_errbuf_set(l->eb, AID_ERR_IO, "database %s: %s: %s", l->ctx->shown, step, clean);
}

static aid_err lite_exec(struct lite *l, const char *step, const char *sql)
{
    int rc = sqlite3_exec(l->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? AID_OK : lite_fail(l, rc, step);
}

static aid_err lite_schema_version(struct lite *l, int *version)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(l->db, "SELECT coalesce(max(version), 0) FROM aidigest_schema", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *version = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    aid_err err = rc == SQLITE_OK ? AID_OK : lite_fail(l, rc, "read aidigest_schema");
    sqlite3_finalize(st);
    return err;
}

/* Bring the schema to DB_SCHEMA_VERSION (inside the transaction). */
static aid_err lite_schema(struct lite *l)
{
    int version = 0;
    aid_err err;
    if ((err = lite_exec(l, "create aidigest_schema", sqlite_schema_table)) ||
        (err = lite_schema_version(l, &version)))
        return err;
    if (version > DB_SCHEMA_VERSION)
        return aid_errbuf_set(l->eb, AID_ERR_IO,
                              "database %s: schema version %d is newer than this aidigest's (%d); "
                              "upgrade aidigest", l->ctx->shown, version, DB_SCHEMA_VERSION);
    for (int v = version + 1; v <= DB_SCHEMA_VERSION; v++) {
        if ((err = lite_exec(l, "create the schema", sqlite_migrations[v - 1])))
            return err;
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(l->db, "INSERT INTO aidigest_schema (version, generator) VALUES (?1, ?2)",
                                    -1, &st, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_bind_int(st, 1, v)) == SQLITE_OK &&
            (rc = sqlite3_bind_text(st, 2, "aidigest " AIDIGEST_VERSION, -1, SQLITE_STATIC)) == SQLITE_OK)
            rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(l->db);
        err = rc == SQLITE_OK ? AID_OK : lite_fail(l, rc, "record the schema version");
        sqlite3_finalize(st);
        if (err)
            return err;
    }
    return AID_OK;
}

static int bind_num(sqlite3_stmt *st, int i, double v)
{
    char buf[32];
    return db_num_text(v, buf, sizeof buf) ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
}

static aid_err lite_put(void *session, const db_row *row, bool replace, bool *inserted)
{
    struct lite *l = session;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(l->db, replace ? sqlite_upsert : sqlite_insert_missing, -1, &st, NULL);
    if (rc == SQLITE_OK &&
        (rc = sqlite3_bind_text(st, 1, row->week, -1, SQLITE_STATIC)) == SQLITE_OK &&
        (rc = sqlite3_bind_text(st, 2, row->period_start, -1, SQLITE_STATIC)) == SQLITE_OK &&
        (rc = sqlite3_bind_text(st, 3, row->period_end, -1, SQLITE_STATIC)) == SQLITE_OK &&
        (rc = sqlite3_bind_text(st, 4, row->generated_at, -1, SQLITE_STATIC)) == SQLITE_OK &&
        (rc = sqlite3_bind_int64(st, 5, row->suggestions)) == SQLITE_OK &&
        (rc = bind_num(st, 6, row->acceptance)) == SQLITE_OK &&
        (rc = bind_num(st, 7, row->use_rate)) == SQLITE_OK &&
        (rc = bind_num(st, 8, row->confidence_mean)) == SQLITE_OK &&
        (rc = bind_num(st, 9, row->ece)) == SQLITE_OK &&
        (rc = row->has_alerts ? sqlite3_bind_int64(st, 10, row->alerts) : sqlite3_bind_null(st, 10)) == SQLITE_OK &&
        (rc = sqlite3_bind_text(st, 11, row->report, -1, SQLITE_STATIC)) == SQLITE_OK)
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(l->db);
    aid_err err = rc == SQLITE_OK ? AID_OK : lite_fail(l, rc, replace ? "upsert the week" : "insert an earlier week");
    if (!err && inserted)
        *inserted = sqlite3_changes(l->db) == 1;
    sqlite3_finalize(st);
    return err;
}

static void lite_close(void *session)
{
    struct lite *l = session;
    if (!l)
        return;
    sqlite3_close(l->db); /* what is not committed is rolled back */
    free(l);
}

static aid_err lite_open(const char *path, const db_ctx *ctx, aid_errbuf *eb, void **out)
{
    struct lite *l = calloc(1, sizeof *l);
    *out = l;
    if (!l)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "database %s: out of memory", ctx->shown);
    l->ctx = ctx;
    l->eb = eb;
    int rc = sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK)
        return lite_fail(l, rc, "cannot open");
    sqlite3_busy_timeout(l->db, 10000);
    aid_err err = lite_exec(l, "begin", "BEGIN IMMEDIATE");
    return err ? err : lite_schema(l);
}

static aid_err lite_commit(void *session)
{
    return lite_exec(session, "commit", "COMMIT");
}

const db_backend db_sqlite_backend = { lite_open, lite_put, lite_commit, lite_close };
