/* test_weeks.c - render/weeks.h: which archive a document belongs to, the
 * archived weeks of a directory (oldest first, unreadable reports kept),
 * the neighbours of a week, and the headline figures of a report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/weeks.h"
#include "tap.h"

static void archive_of(const char *path, const char *want)
{
    strbuf sb = STRBUF_INIT;
    is_int(weeks_archive_of(path, &sb), 0, "archive of %s", path);
    is_str(sb.buf, want, "archive of %s is %s", path, want);
    strbuf_release(&sb);
}

static void put(const char *dir, const char *week, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, week);
    mkdir(p, 0700);
    if (!text)
        return;
    snprintf(p, sizeof p, "%s/%s/report.json", dir, week);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

int main(void)
{
    archive_of("out/2026-W47/digest.xlsx", "out");
    archive_of("/srv/out/2026-W47/index.html", "/srv/out");
    archive_of("out/.stage.tmp.123/2026-W47/digest.xlsx", "out");
    archive_of("/a/b/.stage.tmp.9/2026-W01/index.html", "/a/b");
    archive_of("2026-W47/index.html", ".");
    archive_of(".stage.tmp.5/2026-W47/index.html", ".");
    archive_of("out//2026-W47//index.html", "out");

    char tmpl[] = "/tmp/aidigest-weeks.XXXXXX";
    const char *dir = mkdtemp(tmpl);
    ok(dir != NULL, "temporary directory");
    if (!dir)
        return tap_done();
    put(dir, "2026-W47", "{\"week\":\"2026-W47\",\"rates\":{\"acceptance\":0.4,\"acceptance_ci\":[0.35,0.45]},"
                         "\"totals\":{\"suggestions\":120},\"confidence\":{\"mean\":null}}");
    put(dir, "2026-W44", "{\"week\":\"2026-W44\",\"rates\":{\"acceptance\":0.3}}");
    put(dir, "2026-W45", "{ not json");
    put(dir, "2026-W46", NULL);          /* no report.json: not archived */
    put(dir, "2026-W5", "{}");           /* not a week name */
    put(dir, "not-a-week", "{}");

    weeks_list ws = WEEKS_INIT;
    is_int(weeks_scan(&ws, dir, true, NULL), AID_OK, "scan");
    is_int((int)ws.n, 3, "three archived weeks");
    if (ws.n == 3) {
        is_str(ws.w[0].name, "2026-W44", "oldest first");
        is_str(ws.w[1].name, "2026-W45", "the unreadable week is listed");
        is_str(ws.w[2].name, "2026-W47", "newest last");
        ok(ws.w[0].report && !ws.w[1].report && ws.w[2].report, "reports loaded, the unreadable one NULL");

        char prev[16], next[16];
        weeks_neighbours(&ws, "2026-W45", prev, next);
        ok(!strcmp(prev, "2026-W44") && !strcmp(next, "2026-W47"), "W45: W44 and W47");
        weeks_neighbours(&ws, "2026-W46", prev, next);
        ok(!strcmp(prev, "2026-W45") && !strcmp(next, "2026-W47"), "W46 (not archived): W45 and W47");
        weeks_neighbours(&ws, "2026-W47", prev, next);
        ok(!strcmp(prev, "2026-W45") && !*next, "W47, the newest: no next");
        weeks_neighbours(&ws, "2026-W44", prev, next);
        ok(!*prev && !strcmp(next, "2026-W45"), "W44, the oldest: no previous");

        const weeks_figure *acc = NULL, *conf = NULL, *sug = NULL;
        for (size_t i = 0; i < weeks_nfigures; i++) {
            if (!strcmp(weeks_figures[i].key, "acceptance"))
                acc = &weeks_figures[i];
            if (!strcmp(weeks_figures[i].key, "confidence"))
                conf = &weeks_figures[i];
            if (!strcmp(weeks_figures[i].key, "suggestions"))
                sug = &weeks_figures[i];
        }
        ok(acc && conf && sug, "the headline figures include acceptance, confidence, suggestions");
        if (acc && conf && sug) {
            double lo, hi;
            is_double(weeks_value(ws.w[2].report, acc), 0.4, 1e-12, "value");
            ok(weeks_interval(ws.w[2].report, acc, &lo, &hi) && lo == 0.35 && hi == 0.45, "interval");
            ok(!weeks_interval(ws.w[0].report, acc, &lo, &hi) && isnan(lo) && isnan(hi),
               "schema-1 style: no interval");
            ok(isnan(weeks_value(ws.w[2].report, conf)), "null is NAN");
            ok(isnan(weeks_value(NULL, acc)), "an unreadable week is NAN");
            is_double(weeks_value(ws.w[2].report, sug), 120, 0, "a count");
        }
    }
    weeks_release(&ws);
    is_int((int)ws.n, 0, "released");

    is_int(weeks_scan(&ws, "/nonexistent/aidigest", false, NULL), AID_ERR_IO, "a missing directory is IO");
    is_int((int)ws.n, 0, "... and nothing listed");

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ok(system(cmd) == 0, "clean up");
    return tap_done();
}
