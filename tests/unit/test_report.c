/* test_report.c - the weekly table: one line per week, ordered, replaced on re-run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "compute/report.h"
#include "tap.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static aid_err put(const char *path, const char *week, int v)
{
    struct json_object *r = json_object_new_object();
    json_object_object_add(r, "schema", json_object_new_int(1));
    json_object_object_add(r, "week", json_object_new_string(week));
    json_object_object_add(r, "v", json_object_new_int(v));
    json_object_object_add(r, "text", json_object_new_string("a\nb \"q\" / é"));
    aid_err e = report_update_table(r, path, NULL);
    json_object_put(r);
    return e;
}

int main(void)
{
    char dir[] = "/tmp/aidigest-test-report.XXXXXX";
    ok(mkdtemp(dir) != NULL, "temp dir");
    char path[256];
    snprintf(path, sizeof path, "%s/weekly_ai_reports.jsonl", dir);
    ok(put(path, "2026-W47", 1) == AID_OK, "first week into a missing table");
    ok(put(path, "2026-W45", 2) == AID_OK, "an earlier week");
    ok(put(path, "2027-W01", 3) == AID_OK, "a later year");
    ok(put(path, "2026-W46", 4) == AID_OK, "a week in between");
    ok(put(path, "2026-W45", 5) == AID_OK, "re-run of W45");
    const char *t = slurp(path);
    ok(t != NULL, "table readable");
    const char *want[] = { "2026-W45", "2026-W46", "2026-W47", "2027-W01" };
    int wantv[] = { 5, 4, 1, 3 };
    int n = 0, good = 1;
    const char *p = t;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        if (!nl) {
            good = 0;
            break;
        }
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
        struct json_object *o = json_tokener_parse(line);
        struct json_object *w, *v;
        if (!o || n >= 4 || !json_object_object_get_ex(o, "week", &w) || strcmp(json_object_get_string(w), want[n]) ||
            !json_object_object_get_ex(o, "v", &v) || json_object_get_int(v) != wantv[n])
            good = 0;
        json_object_put(o);
        n++;
        p = nl + 1;
    }
    is_int(n, 4, "four lines, one per week");
    ok(good, "ordered by week, W45 replaced by the re-run, every line ends in a newline");
    ok(strstr(t, "\\n") != NULL && strchr(t, '\n') == t + strcspn(t, "\n"), "compact lines (newlines escaped)");
    char *s = NULL;
    size_t len = 0;
    struct json_object *r = json_tokener_parse("{\"b\":1,\"a\":[1,2]}");
    s = report_to_string(r, &len);
    ok(s && len > 0 && s[len - 1] == '\n' && strchr(s, '\n') != s + len - 1, "report_to_string: pretty, ends in a newline");
    free(s);
    json_object_put(r);
    snprintf(path, sizeof path, "%s/no-such-dir/t.jsonl", dir);
    ok(put(path, "2026-W47", 1) != AID_OK, "an unwritable table is an error");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ok(system(cmd) == 0, "cleanup");
    return tap_done();
}
