/*
 * db.c - the front of the database module: which backend a URL names, the
 * URL as shown in messages (password masked), the secrets to mask in a
 * server's text, and the row taken from the report.
 */
#include "publish/db.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/jget.h"
#include "common/timeutil.h"
#include "publish/db_backend.h"

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* The length of a postgresql:// or postgres:// prefix of url, else 0. */
static size_t pg_scheme_len(const char *url)
{
    if (has_prefix(url, "postgresql://"))
        return strlen("postgresql://");
    if (has_prefix(url, "postgres://"))
        return strlen("postgres://");
    return 0;
}

/* The file of a sqlite: URL ("sqlite:///abs" is "/abs"), else NULL. */
static const char *sqlite_path(const char *url)
{
    if (!has_prefix(url, "sqlite:"))
        return NULL;
    const char *p = url + strlen("sqlite:");
    if (has_prefix(p, "//"))
        p += 2;
    return *p ? p : NULL;
}

/* The length of a "scheme://" prefix of url (any scheme, for showing a
 * URL that is not ours), else 0. */
static size_t any_scheme_len(const char *url)
{
    size_t n = 0;
    while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
        n++;
    return n && !strncmp(url + n, "://", 3) ? n + 3 : 0;
}

/* ---- the password of a URL ---- */

/* Where the parts of a postgresql:// URL are (offsets into url). */
struct pg_parts {
    size_t pass, pass_end;     /* the password of the user info; pass == pass_end: none */
    size_t query, query_end;   /* after '?' up to '#' or the end; query == query_end: none */
};

static void pg_split(const char *url, struct pg_parts *p)
{
    memset(p, 0, sizeof *p);
    size_t start = any_scheme_len(url);
    size_t auth_end = start + strcspn(url + start, "/?#");
    size_t at = 0;
    for (size_t i = start; i < auth_end; i++)
        if (url[i] == '@')
            at = i;
    if (at) {
        const char *colon = memchr(url + start, ':', at - start);
        if (colon) {
            p->pass = (size_t)(colon - url) + 1;
            p->pass_end = at;
        }
    }
    const char *q = strchr(url + auth_end, '?');
    if (q) {
        p->query = (size_t)(q - url) + 1;
        p->query_end = p->query + strcspn(url + p->query, "#");
    }
}

/* The value of the password= parameter of the query: *len bytes at the
 * returned offset, or 0 with *len 0. */
static size_t pg_query_password(const char *url, const struct pg_parts *p, size_t *len)
{
    *len = 0;
    for (size_t i = p->query; i < p->query_end;) {
        size_t end = i;
        while (end < p->query_end && url[end] != '&')
            end++;
        if (end - i >= 9 && !strncmp(url + i, "password=", 9)) {
            *len = end - i - 9;
            return i + 9;
        }
        i = end + 1;
    }
    return 0;
}

struct outbuf {
    char *buf;
    size_t n, len;
};

static void out_add(struct outbuf *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len && o->len + 1 < o->n; i++)
        o->buf[o->len++] = s[i];
    o->buf[o->len] = '\0';
}

void db_url_shown(const char *url, char *buf, size_t n)
{
    if (!n)
        return;
    struct outbuf o = { buf, n, 0 };
    buf[0] = '\0';
    if (!any_scheme_len(url)) {
        out_add(&o, url, strlen(url));
        return;
    }
    /* the user info's password comes before the query's, if both */
    struct pg_parts p;
    pg_split(url, &p);
    size_t qlen, qpass = pg_query_password(url, &p, &qlen);
    size_t at = 0;
    if (p.pass < p.pass_end) {
        out_add(&o, url, p.pass);
        out_add(&o, "***", 3);
        at = p.pass_end;
    }
    if (qlen) {
        out_add(&o, url + at, qpass - at);
        out_add(&o, "***", 3);
        at = qpass + qlen;
    }
    out_add(&o, url + at, strlen(url + at));
}

/* Percent-decode s[0..len) into dst (n bytes, terminated; cut when too
 * long). */
static void pct_decode(char *dst, size_t n, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < n; i++) {
        if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = { s[i + 1], s[i + 2], 0 };
            dst[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            dst[o++] = s[i];
        }
    }
    dst[o] = '\0';
}

enum { SECRET_MAX = 1024 };

/* The secrets a message must not show: the URL's password as written and
 * decoded, the password= parameter likewise, and PGPASSWORD. */
struct secrets {
    char raw[SECRET_MAX], dec[SECRET_MAX], qraw[SECRET_MAX], qdec[SECRET_MAX];
};

enum { NSECRETS = sizeof ((db_ctx *)0)->secrets / sizeof ((db_ctx *)0)->secrets[0] };

static void add_secret(db_ctx *ctx, size_t *k, const char *secret)
{
    if (!*secret)
        return;
    for (size_t i = 0; i < *k; i++)
        if (!strcmp(ctx->secrets[i], secret))
            return;
    if (*k + 1 < NSECRETS)
        ctx->secrets[(*k)++] = secret;
    else
        ctx->withhold = true;
}

/* Copy and decode s[0..len) as a secret; one too long to keep makes every
 * message of the server withheld. */
static void keep_secret(db_ctx *ctx, size_t *k, char *raw, char *dec, const char *s, size_t len)
{
    if (!len)
        return;
    if (len >= SECRET_MAX) {
        ctx->withhold = true;
        return;
    }
    memcpy(raw, s, len);
    raw[len] = '\0';
    pct_decode(dec, SECRET_MAX, s, len);
    add_secret(ctx, k, raw);
    add_secret(ctx, k, dec);
}

static void collect_secrets(const char *url, struct secrets *s, db_ctx *ctx)
{
    memset(s, 0, sizeof *s);
    size_t k = 0;
    if (any_scheme_len(url)) {
        struct pg_parts p;
        pg_split(url, &p);
        keep_secret(ctx, &k, s->raw, s->dec, url + p.pass, p.pass_end - p.pass);
        size_t qlen, q = pg_query_password(url, &p, &qlen);
        keep_secret(ctx, &k, s->qraw, s->qdec, url + q, qlen);
    }
    const char *env = getenv("PGPASSWORD");
    if (env)
        add_secret(ctx, &k, env);
    ctx->secrets[k] = NULL;
}

void db_clean_msg(char *dst, size_t n, const char *msg, const db_ctx *ctx)
{
    if (!n)
        return;
    struct outbuf o = { dst, n, 0 };
    dst[0] = '\0';
    if (ctx && ctx->withhold && msg && *msg) {
        static const char withheld[] = "(the library's text is not shown: the password is too long to mask in it)";
        out_add(&o, withheld, sizeof withheld - 1);
        return;
    }
    /* what separates the text before from the next: nothing, a space, or
     * (a line break) "; " */
    const char *sep = "";
    while (msg && *msg) {
        size_t hit = 0;
        for (size_t k = 0; ctx && ctx->secrets[k] && !hit; k++) {
            size_t len = strlen(ctx->secrets[k]);
            if (len && !strncmp(msg, ctx->secrets[k], len))
                hit = len;
        }
        if (!hit && isspace((unsigned char)*msg)) {
            if (*msg == '\n' || *msg == '\r')
                sep = "; ";
            else if (!*sep)
                sep = " ";
            msg++;
            continue;
        }
        if (o.len)
            out_add(&o, sep, strlen(sep));
        sep = "";
        out_add(&o, hit ? "***" : msg, hit ? 3 : 1);
        msg += hit ? hit : 1;
    }
}

const char *db_num_text(double v, char *buf, size_t n)
{
    if (isnan(v) || isinf(v))
        return NULL;
    snprintf(buf, n, "%.17g", v);
    return buf;
}

/* ---- the row ---- */

static aid_err row_from_report(struct json_object *report, db_row *row, aid_errbuf *eb)
{
    memset(row, 0, sizeof *row);
    row->week = jget_str(report, "week", NULL);
    row->period_start = jget_str(report, "period.start", NULL);
    row->period_end = jget_str(report, "period.end", NULL);
    row->generated_at = jget_str(report, "generated_at", NULL);
    timeutil_week w;
    if (!row->week || !timeutil_parse_week(row->week, &w) || !row->period_start || !row->period_end ||
        !row->generated_at || !jget_has(report, "totals.suggestions"))
        return aid_errbuf_set(eb, AID_ERR_PARSE,
                              "database: the report lacks week, period, generated_at or totals.suggestions");
    row->suggestions = (long long)jget_int(report, "totals.suggestions", 0);
    row->acceptance = jget_double(report, "rates.acceptance", NAN);
    row->use_rate = jget_double(report, "rates.use", NAN);
    row->confidence_mean = jget_double(report, "confidence.mean", NAN);
    row->ece = jget_double(report, "confidence.ece", NAN);
    struct json_object *alerts = jget(report, "alerts");
    if (alerts && json_object_is_type(alerts, json_type_array)) {
        row->has_alerts = true;
        row->alerts = (long long)json_object_array_length(alerts);
    } else if (alerts && json_object_is_type(alerts, json_type_int)) {
        row->has_alerts = true;
        row->alerts = (long long)json_object_get_int64(alerts);
    }
    row->report = json_object_to_json_string_ext(report, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!row->report)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "database: out of memory");
    return AID_OK;
}

aid_err db_url_check(const char *url, aid_errbuf *eb)
{
    char shown[512];
    struct secrets s;
    db_ctx ctx = { shown, { NULL }, false };
    db_url_shown(url, shown, sizeof shown);
    collect_secrets(url, &s, &ctx);
    if (pg_scheme_len(url))
        return db_pg_check(url, &ctx, eb);
    if (sqlite_path(url))
        return AID_OK;
    return aid_errbuf_set(eb, AID_ERR_USAGE, "'%s' is not a postgresql://... or sqlite:PATH URL", shown);
}

/* Insert every week of the JSON Lines table the database lacks (the
 * current week excepted: it is upserted from the report). A line that is
 * not a report with a week is skipped: the table is aidigest's own, and
 * report_sync_table repairs it. */
static aid_err put_earlier(const db_backend *b, void *session, const char *table, const char *week,
                           int *added, aid_errbuf *eb)
{
    char *data = NULL;
    size_t len = 0;
    aid_err err = fsutil_read_file(table, &data, &len, eb);
    if (err == AID_ERR_NOTFOUND)
        return AID_OK;
    for (const char *p = data; !err && p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p, n);
        p += n + (nl ? 1 : 0);
        struct json_object *rep = NULL;
        int rc = line ? jget_parse(line, &rep) : -1;
        free(line);
        db_row row;
        bool inserted = false;
        aid_err rerr = rc == 0 && rep ? row_from_report(rep, &row, NULL) : AID_ERR_PARSE;
        if (rc < 0 || rerr == AID_ERR_NOMEM)
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "database: out of memory");
        else if (!rerr && strcmp(row.week, week) && !(err = b->put(session, &row, false, &inserted)) && inserted &&
                 added)
            (*added)++;
        json_object_put(rep);
    }
    free(data);
    return err;
}

aid_err db_store_week(const char *url, struct json_object *report, const char *table, int *added,
                      aid_errbuf *eb)
{
    char shown[512];
    struct secrets s;
    db_ctx ctx = { shown, { NULL }, false };
    db_url_shown(url, shown, sizeof shown);
    collect_secrets(url, &s, &ctx);
    if (added)
        *added = 0;
    const db_backend *b = pg_scheme_len(url) ? &db_pg_backend : sqlite_path(url) ? &db_sqlite_backend : NULL;
    if (!b)
        return aid_errbuf_set(eb, AID_ERR_USAGE, "database: '%s' is not a postgresql://... or sqlite:PATH URL",
                              shown);
    db_row row;
    void *session = NULL;
    aid_err err = row_from_report(report, &row, eb);
    if (err)
        return err;
    if ((err = b->open(b == &db_pg_backend ? url : sqlite_path(url), &ctx, eb, &session)) ||
        (err = b->put(session, &row, true, NULL)) ||
        (table && (err = put_earlier(b, session, table, row.week, added, eb))) ||
        (err = b->commit(session)))
        goto cleanup;
cleanup:
    b->close(session);
    if (err && added)
        *added = 0;
    return err;
}
