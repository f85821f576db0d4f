/* test_db.c - publish/db: the URL as shown (password masked), the URL
 * check, a server's text made one masked line, and the SQLite backend on
 * a real file (NULLs, the alerts count, the schema version check). The
 * PostgreSQL backend and the run are tested end to end against a real
 * server in tests/func/75-database.t. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/jget.h"
#include "common/version.h"
#include "publish/db.h"
#include "publish/db_backend.h"
#include "tap.h"

static const char *shown(const char *url)
{
    static char buf[512];
    db_url_shown(url, buf, sizeof buf);
    return buf;
}

static const char *cleaned(const char *msg, const char *secret)
{
    static char buf[256];
    db_ctx ctx = { "x", { secret, NULL }, false };
    db_clean_msg(buf, sizeof buf, msg, &ctx);
    return buf;
}

static struct json_object *sample(void)
{
    const char *root = getenv("AIDIGEST_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/report-sample.json", root ? root : ".");
    return json_object_from_file(path);
}

/* One value of the first row of sql on the file path, as text ("NULL"). */
static const char *query(const char *path, const char *sql)
{
    static char buf[256];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    snprintf(buf, sizeof buf, "(error)");
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(buf, sizeof buf, "%s", t ? (const char *)t : "NULL");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return buf;
}

static void test_urls(void)
{
    is_str(shown("postgresql://aid:s3cret@db.example:5432/aid"), "postgresql://aid:***@db.example:5432/aid",
           "user info password masked");
    is_str(shown("postgres://aid@db/aid?sslmode=require&password=s3cret"),
           "postgres://aid@db/aid?sslmode=require&password=***", "password= parameter masked");
    is_str(shown("postgresql://a:p@h/d?password=q#x"), "postgresql://a:***@h/d?password=***#x", "both masked");
    is_str(shown("postgresql://a:p%40ss@h/d"), "postgresql://a:***@h/d", "an encoded @ in the password");
    is_str(shown("postgresql:///aid?host=/run/pg"), "postgresql:///aid?host=/run/pg", "no password: as is");
    is_str(shown("mysql://u:topsecret@h/x"), "mysql://u:***@h/x", "another scheme masked too");
    is_str(shown("sqlite:/var/lib/aidigest/reports.db"), "sqlite:/var/lib/aidigest/reports.db", "sqlite as is");
    char small[12];
    db_url_shown("postgresql://a:secret@h/d", small, sizeof small);
    is_str(small, "postgresql:", "cut to the buffer, terminated");

    aid_errbuf eb = { { 0 } };
    is_int(db_url_check("postgresql://aid:pw@127.0.0.1:5432/aid", &eb), AID_OK, "a postgresql URL");
    is_int(db_url_check("postgres:///aid", &eb), AID_OK, "postgres:// with a socket default");
    is_int(db_url_check("sqlite:reports.db", &eb), AID_OK, "sqlite:relative");
    is_int(db_url_check("sqlite:///tmp/r.db", &eb), AID_OK, "sqlite:///absolute");
    is_int(db_url_check("sqlite:", &eb), AID_ERR_USAGE, "sqlite: without a path");
    is_int(db_url_check("mysql://u:topsecret@h/x", &eb), AID_ERR_USAGE, "another scheme refused");
    ok(!strstr(eb.msg, "topsecret") && strstr(eb.msg, "u:***@h"), "... its password masked: %s", eb.msg);
    is_int(db_url_check("postgresql://aid:Sec%zzret@h/aid", &eb), AID_ERR_USAGE, "a URL libpq cannot parse");
    ok(!strstr(eb.msg, "Sec%zzret") && strstr(eb.msg, "percent"), "... libpq's reason, masked: %s", eb.msg);
}

static void test_clean(void)
{
    is_str(cleaned("FATAL:  password authentication failed\n", NULL), "FATAL: password authentication failed",
           "spaces squeezed, end trimmed");
    is_str(cleaned("failed: Connection refused\n\tIs the server running?\n", NULL),
           "failed: Connection refused; Is the server running?", "a line break is '; '");
    is_str(cleaned("invalid token: \"pa55w0rd\" in \"u:pa55w0rd@h\"", "pa55w0rd"),
           "invalid token: \"***\" in \"u:***@h\"", "every occurrence of the secret masked");
    is_str(cleaned("", "x"), "", "empty message");

    /* a password too long to keep: the library's text is withheld */
    char url[1200] = "postgresql://u:";
    size_t n = strlen(url);
    memset(url + n, 'p', 1100);
    strcpy(url + n + 1100, "@127.0.0.1:1/d?bad=1");
    aid_errbuf eb = { { 0 } };
    is_int(db_url_check(url, &eb), AID_ERR_USAGE, "a long password and a bad parameter");
    ok(!strstr(eb.msg, "pppp") && strstr(eb.msg, "not shown"), "... the text withheld: %s", eb.msg);
}

static void test_sqlite(void)
{
    char dir[] = "/tmp/test_db.XXXXXX";
    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    char path[256], url[300];
    snprintf(path, sizeof path, "%s/r.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", path);
    struct json_object *r = sample();
    ok(r != NULL, "the sample report");
    aid_errbuf eb = { { 0 } };
    aid_err err = db_store_week(url, r, NULL, NULL, &eb);
    is_int(err, AID_OK, "stored in a new file (%s)", err ? eb.msg : "ok");
    is_str(query(path, "SELECT group_concat(version || ' ' || generator) FROM aidigest_schema"),
           "1 aidigest " AIDIGEST_VERSION, "schema version 1 recorded");
    is_str(query(path, "SELECT week || ' ' || period_start || ' ' || period_end || ' ' || generated_at || ' ' ||"
                       " suggestions || ' ' || acceptance || ' ' || use_rate || ' ' || confidence_mean || ' ' || ece"
                       " FROM weekly_ai_reports"),
           "2026-W47 2026-11-16T00:00:00Z 2026-11-23T00:00:00Z 2026-11-23T00:00:00Z 4410 0.369615 0.599093 0.7421 0.0734",
           "typed columns");
    is_str(query(path, "SELECT coalesce(alerts, 'NULL') FROM weekly_ai_reports"), "NULL",
           "no alerts in the report: NULL");
    is_str(query(path, "SELECT json_extract(report, '$.totals.accepted') FROM weekly_ai_reports"), "1630",
           "the whole report as JSON");

    /* again, with alerts and a null rate: still one row, updated */
    struct json_object *alerts = json_object_new_array();
    ok(alerts && jget_push(alerts, json_object_new_string("a")) == 0 &&
       jget_push(alerts, json_object_new_string("b")) == 0 && jget_set(r, "alerts", alerts) == 0, "add two alerts");
    ok(json_object_object_add(jget(r, "rates"), "acceptance", NULL) == 0, "acceptance null");
    err = db_store_week(url, r, NULL, NULL, &eb);
    is_int(err, AID_OK, "stored again (%s)", err ? eb.msg : "ok");
    is_str(query(path, "SELECT count(*) || ' ' || alerts || ' ' || coalesce(acceptance, 'NULL') FROM weekly_ai_reports"),
           "1 2 NULL", "upserted: one row, alerts 2, acceptance NULL");

    /* a schema newer than this aidigest: refused, the row left as it was */
    sqlite3 *db = NULL;
    ok(sqlite3_open(path, &db) == SQLITE_OK &&
       sqlite3_exec(db, "INSERT INTO aidigest_schema (version, generator) VALUES (2, 'aidigest 9')",
                    NULL, NULL, NULL) == SQLITE_OK, "schema version 2 put in");
    sqlite3_close(db);
    err = db_store_week(url, r, NULL, NULL, &eb);
    is_int(err, AID_ERR_IO, "a newer schema is refused");
    ok(strstr(eb.msg, "schema version 2 is newer") != NULL, "... and said: %s", eb.msg);

    /* a file that cannot be made */
    snprintf(url, sizeof url, "sqlite:%s/no/such/dir/r.db", dir);
    err = db_store_week(url, r, NULL, NULL, &eb);
    is_int(err, AID_ERR_IO, "a file in a missing directory");
    ok(strstr(eb.msg, "cannot open") != NULL, "... and said: %s", eb.msg);

    /* the JSON Lines table: the weeks the database lacks come in, a week it
     * has is left as it is, a line that is not a report is skipped */
    char table[300];
    snprintf(table, sizeof table, "%s/weekly_ai_reports.jsonl", dir);
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    struct json_object *w46 = sample();
    ok(w46 && jget_set(w46, "week", json_object_new_string("2026-W46")) == 0 &&
       jget_set(w46, "totals", json_object_new_object()) == 0 &&
       jget_set(jget(w46, "totals"), "suggestions", json_object_new_int(7)) == 0, "a W46 report");
    FILE *f = fopen(table, "w");
    ok(f != NULL, "write the table");
    if (f) {
        fprintf(f, "%s\nnot json\n{\"week\":\"2026-W45\"}\n%s\n",
                json_object_to_json_string_ext(w46, JSON_C_TO_STRING_PLAIN),
                json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
        fclose(f);
    }
    int added = -1;
    err = db_store_week(url, r, table, &added, &eb);
    is_int(err, AID_OK, "stored with the table (%s)", err ? eb.msg : "ok");
    is_int(added, 1, "one earlier week added");
    unlink(path); /* r.db */
    snprintf(path, sizeof path, "%s/t.db", dir);
    is_str(query(path, "SELECT group_concat(week || ':' || suggestions, ' ') FROM"
                       " (SELECT * FROM weekly_ai_reports ORDER BY week)"), "2026-W46:7 2026-W47:4410",
           "W46 from the table, W47 from the report");
    ok(jget_set(jget(w46, "totals"), "suggestions", json_object_new_int(8)) == 0, "W46 changed in the table");
    f = fopen(table, "w");
    if (f) {
        fprintf(f, "%s\n", json_object_to_json_string_ext(w46, JSON_C_TO_STRING_PLAIN));
        fclose(f);
    }
    err = db_store_week(url, r, table, &added, &eb);
    is_int(err + added, 0, "again: nothing added");
    is_str(query(path, "SELECT suggestions FROM weekly_ai_reports WHERE week = '2026-W46'"), "7",
           "a week the database has is left as it is");
    err = db_store_week(url, r, "/nonexistent/weekly_ai_reports.jsonl", &added, &eb);
    is_int(err, AID_OK, "no table yet: fine");
    json_object_put(w46);
    unlink(table);
    unlink(path);

    /* a report without a week */
    struct json_object *empty = json_object_new_object();
    is_int(db_store_week("sqlite:/nonexistent", empty, NULL, NULL, &eb), AID_ERR_PARSE, "a report without a week");
    json_object_put(empty);
    json_object_put(r);
    rmdir(dir);
}

int main(void)
{
    test_urls();
    test_clean();
    test_sqlite();
    return tap_done();
}
