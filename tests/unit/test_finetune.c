/*
 * finetune_check: what makes a fine-tuning set submittable (the network
 * part of finetune_submit is tested in tests/func/81-retrain-submit.t).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "retrain/finetune.h"
#include "libinit.h"
#include "tap.h"

static char tmpdir[256];

#define GOOD "{\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"u\"}," \
             "{\"role\":\"assistant\",\"content\":\"a\"}]}"

/* Write n good lines, with `bad` (if not NULL) as line bad_at (1-based). */
static const char *set_file(const char *name, int n, const char *bad, int bad_at, const char *eol)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    for (int i = 1; i <= n; i++)
        fprintf(fp, "%s%s", bad && i == bad_at ? bad : GOOD, eol);
    fclose(fp);
    return path;
}

static aid_err check(const char *path, int64_t *n, aid_errbuf *eb)
{
    memset(eb, 0, sizeof *eb);
    return finetune_check(path, n, eb);
}

int main(void)
{
    test_libs_init();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aidigest-finetune-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    aid_errbuf eb;
    int64_t n = -1;
    char want[1024];

    is_int(check(set_file("ten.jsonl", 10, NULL, 0, "\n"), &n, &eb), AID_OK, "10 good examples: ok");
    is_int(n, 10, "10 counted");
    is_int(check(set_file("crlf.jsonl", 12, NULL, 0, "\r\n"), &n, &eb), AID_OK, "CRLF line ends: ok");
    is_int(n, 12, "12 counted");

    const char *p = set_file("nine.jsonl", 9, NULL, 0, "\n");
    is_int(check(p, &n, &eb), AID_ERR_LIMIT, "9 examples: too few");
    snprintf(want, sizeof want, "%s: 9 examples, but OpenAI fine-tuning needs at least 10: nothing submitted", p);
    is_str(eb.msg, want, "the message says how many and how many are needed");
    is_int(n, 0, "no count on failure");

    p = set_file("empty.jsonl", 0, NULL, 0, "\n");
    is_int(check(p, NULL, &eb), AID_ERR_LIMIT, "an empty set is refused");
    ok(strstr(eb.msg, "is empty") != NULL, "and says so: %s", eb.msg);

    snprintf(want, sizeof want, "%s/missing.jsonl", tmpdir);
    is_int(check(want, NULL, &eb), AID_ERR_NOTFOUND, "a missing set: not found");
    ok(strstr(eb.msg, "run aidigest retrain") != NULL, "and says what to do: %s", eb.msg);

    static const struct { const char *line, *why; } bad[] = {
        { "{\"messages\":[{\"role\":\"user\",\"content\":\"u\"}", "truncated JSON" },
        { GOOD " {}", "trailing data after the object" },
        { "[]", "not an object" },
        { "{\"prompt\":\"p\",\"completion\":\"c\"}", "no messages (legacy format)" },
        { "{\"messages\":[]}", "an empty messages array" },
        { "{\"messages\":\"hi\"}", "messages not an array" },
        { "{\"messages\":[{\"content\":\"no role\"}]}", "a message without a role" },
        { "", "an empty line" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = set_file("bad.jsonl", 12, bad[i].line, 7, "\n");
        is_int(check(p, &n, &eb), AID_ERR_PARSE, "line 7 with %s: refused", bad[i].why);
        snprintf(want, sizeof want, "%s:7: ", p);
        ok(!strncmp(eb.msg, want, strlen(want)), "the message names the line: %s", eb.msg);
    }

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ok(system(cmd) == 0, "temporary files removed");
    return tap_done();
}
