/*
 * db_pg.c - the PostgreSQL backend of publish/db (libpq): connect, make or
 * check the schema, upsert the week's row, all in one transaction.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/version.h"
#include "publish/db.h"
#include "publish/db_backend.h"

/* The migrations, in order: migration i brings the schema to version
 * i + 1. A new version appends one; none is ever changed once released
 * (docs/database.md). */
static const char *const pg_migrations[] = {
    "CREATE TABLE weekly_ai_reports ("
    " week text PRIMARY KEY CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),"
    " period_start timestamptz NOT NULL,"
    " period_end timestamptz NOT NULL,"
    " generated_at timestamptz NOT NULL,"
    " suggestions bigint NOT NULL,"
    " acceptance double precision,"
    " use_rate double precision,"
    " confidence_mean double precision,"
    " ece double precision,"
    " alerts integer,"
    " report jsonb NOT NULL,"
    " stored_at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX weekly_ai_reports_period_start ON weekly_ai_reports (period_start)",
};

static const char pg_schema_table[] =
    "CREATE TABLE IF NOT EXISTS aidigest_schema ("
    " version integer PRIMARY KEY,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " generator text NOT NULL)";

static const char pg_upsert[] =
    "INSERT INTO weekly_ai_reports (week, period_start, period_end, generated_at, suggestions,"
    " acceptance, use_rate, confidence_mean, ece, alerts, report, stored_at)"
    " VALUES ($1::text, $2::timestamptz, $3::timestamptz, $4::timestamptz, $5::bigint,"
    " $6::float8, $7::float8, $8::float8, $9::float8, $10::integer, $11::jsonb, now())"
    " ON CONFLICT (week) DO UPDATE SET period_start = EXCLUDED.period_start,"
    " period_end = EXCLUDED.period_end, generated_at = EXCLUDED.generated_at,"
    " suggestions = EXCLUDED.suggestions, acceptance = EXCLUDED.acceptance,"
    " use_rate = EXCLUDED.use_rate, confidence_mean = EXCLUDED.confidence_mean,"
    " ece = EXCLUDED.ece, alerts = EXCLUDED.alerts, report = EXCLUDED.report,"
    " stored_at = now()";

/* An earlier week from the JSON Lines table, when the database lacks it. */
static const char pg_insert_missing[] =
    "INSERT INTO weekly_ai_reports (week, period_start, period_end, generated_at, suggestions,"
    " acceptance, use_rate, confidence_mean, ece, alerts, report, stored_at)"
    " VALUES ($1::text, $2::timestamptz, $3::timestamptz, $4::timestamptz, $5::bigint,"
    " $6::float8, $7::float8, $8::float8, $9::float8, $10::integer, $11::jsonb, now())"
    " ON CONFLICT (week) DO NOTHING";

/* Any key for the advisory lock that makes two runs' first uses wait for
 * each other instead of both creating the table ("aidg"). */
#define PG_LOCK_KEY "1634296935"

struct pg {
    PGconn *conn;
    const db_ctx *ctx;
    aid_errbuf *eb;
};

/* libpq prints a server's NOTICE on stderr by default (CREATE TABLE IF
 * NOT EXISTS sends one); the module prints nothing. */
static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static aid_err pg_fail(struct pg *p, aid_err err, const char *step, const char *msg)
{
    char clean[700];
    db_clean_msg(clean, sizeof clean, msg, p->ctx);
    if (!strncmp(clean, "out of memory", 13))
        return aid_errbuf_set(p->eb, AID_ERR_NOMEM, "database %s: %s: out of memory", p->ctx->shown, step);
    return aid_errbuf_set(p->eb, err, "database %s: %s: %s", p->ctx->shown, step,
                          *clean ? clean : "failed");
}

/* Run sql with nparams text parameters (NULL = SQL NULL); *out gets the
 * result when wanted (the caller clears it), else it is cleared here. */
static aid_err pg_exec(struct pg *p, const char *step, const char *sql, int nparams,
                       const char *const *vals, PGresult **out)
{
    PGresult *res = nparams ? PQexecParams(p->conn, sql, nparams, NULL, vals, NULL, NULL, 0)
                            : PQexec(p->conn, sql);
    if (!res) {
        if (PQstatus(p->conn) == CONNECTION_BAD)
            return pg_fail(p, AID_ERR_NETWORK, step, PQerrorMessage(p->conn));
        return aid_errbuf_set(p->eb, AID_ERR_NOMEM, "database %s: %s: out of memory", p->ctx->shown, step);
    }
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        aid_err err = PQstatus(p->conn) == CONNECTION_BAD ? AID_ERR_NETWORK : AID_ERR_IO;
        err = pg_fail(p, err, step, PQresultErrorMessage(res));
        PQclear(res);
        return err;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return AID_OK;
}

static aid_err pg_connect(struct pg *p, const char *url)
{
    /* earlier keywords are defaults the URL's own parameters override */
    static const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
    const char *const vals[] = { "10", "aidigest", url, NULL };
    p->conn = PQconnectdbParams(keys, vals, 1);
    if (!p->conn)
        return aid_errbuf_set(p->eb, AID_ERR_NOMEM, "database %s: connect: out of memory", p->ctx->shown);
    if (PQstatus(p->conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(p->conn, pg_quiet, NULL);
        return AID_OK;
    }
    const char *msg = PQerrorMessage(p->conn);
    if (PQconnectionNeedsPassword(p->conn))
        return pg_fail(p, AID_ERR_AUTH, "login refused (no password given: put it in the URL or PGPASSWORD)", msg);
    if (strstr(msg, "authentication failed") || strstr(msg, "no pg_hba.conf entry"))
        return pg_fail(p, AID_ERR_AUTH, "login refused", msg);
    return pg_fail(p, AID_ERR_NETWORK, "cannot connect", msg);
}

/* Bring the schema to DB_SCHEMA_VERSION (inside the transaction). */
static aid_err pg_schema(struct pg *p)
{
    PGresult *res = NULL;
    aid_err err;
    if ((err = pg_exec(p, "lock", "SELECT pg_advisory_xact_lock(" PG_LOCK_KEY ")", 0, NULL, NULL)) ||
        (err = pg_exec(p, "create aidigest_schema", pg_schema_table, 0, NULL, NULL)) ||
        (err = pg_exec(p, "read aidigest_schema", "SELECT coalesce(max(version), 0) FROM aidigest_schema",
                       0, NULL, &res)))
        return err;
    int version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (version > DB_SCHEMA_VERSION)
        return aid_errbuf_set(p->eb, AID_ERR_IO,
                              "database %s: schema version %d is newer than this aidigest's (%d); "
                              "upgrade aidigest", p->ctx->shown, version, DB_SCHEMA_VERSION);
    for (int v = version + 1; v <= DB_SCHEMA_VERSION; v++) {
        char vtext[16];
        snprintf(vtext, sizeof vtext, "%d", v);
        const char *const vals[] = { vtext, "aidigest " AIDIGEST_VERSION };
        if ((err = pg_exec(p, "create the schema", pg_migrations[v - 1], 0, NULL, NULL)) ||
            (err = pg_exec(p, "record the schema version",
                           "INSERT INTO aidigest_schema (version, generator) VALUES ($1::integer, $2::text)",
                           2, vals, NULL)))
            return err;
    }
    return AID_OK;
}

static aid_err pg_put(void *session, const db_row *row, bool replace, bool *inserted)
{
    struct pg *p = session;
    char sugg[32], alerts[32], acc[32], use[32], mean[32], ece[32];
    snprintf(sugg, sizeof sugg, "%lld", row->suggestions);
    snprintf(alerts, sizeof alerts, "%lld", row->alerts);
    const char *const vals[] = {
        row->week, row->period_start, row->period_end, row->generated_at, sugg,
        db_num_text(row->acceptance, acc, sizeof acc),
        db_num_text(row->use_rate, use, sizeof use),
        db_num_text(row->confidence_mean, mean, sizeof mean),
        db_num_text(row->ece, ece, sizeof ece),
        row->has_alerts ? alerts : NULL,
        row->report,
    };
    PGresult *res = NULL;
    aid_err err = pg_exec(p, replace ? "upsert the week" : "insert an earlier week",
                          replace ? pg_upsert : pg_insert_missing, 11, vals, &res);
    if (!err && inserted)
        *inserted = !strcmp(PQcmdTuples(res), "1");
    PQclear(res);
    return err;
}

static void pg_close(void *session)
{
    struct pg *p = session;
    if (!p)
        return;
    PQfinish(p->conn); /* what is not committed is rolled back */
    free(p);
}

static aid_err pg_open(const char *url, const db_ctx *ctx, aid_errbuf *eb, void **out)
{
    struct pg *p = calloc(1, sizeof *p);
    *out = p;
    if (!p)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "database %s: out of memory", ctx->shown);
    p->ctx = ctx;
    p->eb = eb;
    aid_err err;
    /* a lock held elsewhere or a stuck server must not hold the run: the
     * transaction's own limits (SET LOCAL; libpq's options= parameter would
     * not pass a connection pooler such as PgBouncer) */
    if ((err = pg_connect(p, url)) || (err = pg_exec(p, "begin", "BEGIN", 0, NULL, NULL)) ||
        (err = pg_exec(p, "set the time limits",
                       "SET LOCAL statement_timeout = '60s'; SET LOCAL lock_timeout = '30s'", 0, NULL, NULL)))
        return err;
    return pg_schema(p);
}

static aid_err pg_commit(void *session)
{
    return pg_exec(session, "commit", "COMMIT", 0, NULL, NULL);
}

aid_err db_pg_check(const char *url, const db_ctx *ctx, aid_errbuf *eb)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &msg);
    if (opts) {
        PQconninfoFree(opts);
        return AID_OK;
    }
    if (!msg)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "database %s: out of memory", ctx->shown);
    char clean[700];
    db_clean_msg(clean, sizeof clean, msg, ctx);
    PQfreemem(msg);
    return aid_errbuf_set(eb, AID_ERR_USAGE, "'%s' is not a URL libpq accepts: %s", ctx->shown, clean);
}

const db_backend db_pg_backend = { pg_open, pg_put, pg_commit, pg_close };
