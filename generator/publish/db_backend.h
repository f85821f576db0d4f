/*
 * db_backend.h - what publish/db.c hands to a database backend
 * (db_pg.c: PostgreSQL through libpq; db_sqlite.c: SQLite through
 * libsqlite3), and the helpers both use. Internal to publish/.
 */
#ifndef AID_DB_BACKEND_H
#define AID_DB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

/* One row of weekly_ai_reports. Strings are borrowed from the report;
 * a NaN double or has_alerts false is SQL NULL. */
typedef struct db_row {
    const char *week;          /* "2026-W47" */
    const char *period_start;  /* RFC 3339 UTC, "2026-11-16T00:00:00Z" */
    const char *period_end;
    const char *generated_at;
    long long suggestions;
    double acceptance;         /* rates.acceptance */
    double use_rate;           /* rates.use */
    double confidence_mean;    /* confidence.mean */
    double ece;                /* confidence.ece */
    bool has_alerts;
    long long alerts;          /* the length of the report's alerts array */
    const char *report;        /* the whole report, compact JSON */
} db_row;

/* What a backend needs besides the row: the URL as shown in messages and
 * the secrets to mask in any text it copies from the library or server. */
typedef struct db_ctx {
    const char *shown;         /* db_url_shown of the URL */
    const char *secrets[6];    /* NULL-terminated; each masked as "***" */
    bool withhold;             /* a secret could not be kept: show no library text */
} db_ctx;

/* Whether libpq can parse url (PQconninfoParse; nothing is connected):
 * AID_OK, AID_ERR_USAGE or AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err db_pg_check(const char *url, const db_ctx *ctx, aid_errbuf *eb);

/* A backend: one session is one transaction.
 *   open    connect (or open the file), begin, bring the schema to
 *           DB_SCHEMA_VERSION; *out is the session (also on failure, when
 *           not NULL: close it). Failures name the step in eb, which the
 *           session keeps for its later calls.
 *   put     the row: replace = upsert by week; else insert only when the
 *           week is not there yet. *inserted (optional) says whether a row
 *           was written.
 *   commit  commit the transaction.
 *   close   roll back what was not committed, disconnect, free (NULL is
 *           fine). */
typedef struct db_backend {
    AID_MUST_CHECK aid_err (*open)(const char *target, const db_ctx *ctx, aid_errbuf *eb, void **out);
    AID_MUST_CHECK aid_err (*put)(void *session, const db_row *row, bool replace, bool *inserted);
    AID_MUST_CHECK aid_err (*commit)(void *session);
    void (*close)(void *session);
} db_backend;

extern const db_backend db_pg_backend;      /* target: the postgresql:// URL */
extern const db_backend db_sqlite_backend;  /* target: the file */

/* Copy a library's or server's message into dst (n bytes, terminated) as
 * one line: runs of white space become one space, the
 * ends are trimmed, a line break between two texts is "; ", and every
 * occurrence of a secret of ctx is "***" (with ctx->withhold, a fixed
 * text instead of msg). */
void db_clean_msg(char *dst, size_t n, const char *msg, const db_ctx *ctx);

/* A double as SQL text (shortest exact, "%.17g"), or NULL for NaN. */
const char *db_num_text(double v, char *buf, size_t n);

#endif
