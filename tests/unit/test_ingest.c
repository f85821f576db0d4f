/* ingest: the deltas file as an explicit input (ingest_opts.deltas_path),
 * the same result for any number of jobs, and the reader's rules in pass
 * 1 (blank lines, BOM, last occurrence wins, the quarantine). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/timeutil.h"
#include "read/read.h"
#include "tap.h"

static char dir[] = "/tmp/aidigest-ingest.XXXXXX";

static char *path(const char *name)
{
    static char p[4][256];
    static int k;
    char *s = p[k++ % 4];
    snprintf(s, 256, "%s/%s", dir, name);
    return s;
}

static void put(const char *name, const char *data)
{
    FILE *f = fopen(path(name), "wb");
    fputs(data, f);
    fclose(f);
}

#define SUG(id, day, action) "{\"type\":\"suggestion\",\"id\":\"" id "\",\"ts\":\"2026-11-" day "T09:30:00Z\",\"ai_reply\":\"Hi\",\"action\":\"" action "\"}\n"
#define UPD "{\"type\":\"prompt_update\",\"ts\":\"2026-11-18T08:00:00Z\",\"prompt_id\":\"p\",\"to_version\":\"v2\"}\n"

static int64_t week_start(void)
{
    timeutil_week w;
    timeutil_parse_week("2026-W47", &w);
    return timeutil_week_start(w);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    put("a.jsonl", "\xef\xbb\xbf" SUG("s1", "16", "accepted") "\n  \r\n" SUG("s2", "17", "rejected") "{oops\n"
                   SUG("s1", "18", "rejected"));
    put("deltas.jsonl", UPD);
    const char *logs[] = { path("a.jsonl") };
    char *deltas = strdup(path("deltas.jsonl")), *rejected = strdup(path("rejected.jsonl"));

    ingest_result r1, r2;
    ingest_opts o = { .paths = logs, .npaths = 1, .jobs = 1, .week_start_ms = week_start(),
                      .deltas_path = deltas, .rejected_path = rejected };
    is_int(ingest_run(&o, &r1, NULL), AID_OK, "ingest with a deltas file");
    is_int(r1.files.n, 2, "the deltas file is one more input file");
    is_str(r1.files.paths[1], deltas, "read after the logs");
    is_int(r1.agg->dq.prompt_updates, 1, "its prompt_update is read");
    is_int(r1.agg->dq.lines, 7, "its line counts like the others");
    is_int(r1.agg->dq.blank_lines, 2, "two blank lines (empty, and spaces with a CR)");
    is_int(r1.agg->dq.bad_lines, 1, "one bad line");
    is_int(r1.agg->dq.duplicates, 1, "s1 twice: one duplicate");
    is_int(r1.agg->cur.suggestions, 2, "two suggestions: the last s1 wins");
    is_int(r1.agg->cur.by_action[ACTION_REJECTED], 2, "both rejected (s1's last occurrence is)");
    char *q = NULL;
    size_t qlen = 0;
    ok(fsutil_read_file(rejected, &q, &qlen, NULL) == AID_OK && q && strstr(q, "\"line\":5") &&
           strstr(q, "\"reason\":\"invalid_json\""),
       "the bad line quarantined with its line and reason");
    free(q);

    o.jobs = 3;
    is_int(ingest_run(&o, &r2, NULL), AID_OK, "three jobs");
    ok(!memcmp(&r1.agg->dq, &r2.agg->dq, sizeof r1.agg->dq) && !memcmp(&r1.agg->cur, &r2.agg->cur, sizeof r1.agg->cur),
       "the same figures for any number of jobs");
    ingest_result_release(&r2);
    ingest_result_release(&r1);

    unlink(deltas);
    o.jobs = 1;
    is_int(ingest_run(&o, &r1, NULL), AID_OK, "a deltas file that does not exist is no error");
    is_int(r1.files.n, 1, "and no input");
    is_int(r1.agg->dq.prompt_updates, 0, "no prompt update");
    ingest_result_release(&r1);

    o.deltas_path = NULL;
    is_int(ingest_run(&o, &r1, NULL), AID_OK, "no deltas file");
    is_int(r1.files.n, 1, "the logs only");
    ingest_result_release(&r1);

    free(deltas);
    free(rejected);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return tap_done();
}
