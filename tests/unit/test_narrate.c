/*
 * The narrate stage against a local OpenAI-compatible test server
 * (tests/lib/fake_openai.py on 127.0.0.1, port 0): a normal answer, the
 * cache, 429 + Retry-After, 500, a hang past the timeout, malformed JSON, a
 * refusal, a truncated answer, wrong numbers (retried, then falling back),
 * a 401 echoing the key, and the offline run. Every recorded request is
 * checked: a valid chat-completion request, no unredacted personal data,
 * and the key nowhere but in the Authorization header.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "narrate/narrate.h"
#include "libinit.h"
#include "tap.h"

#define KEY "sk-test-SECRET-4f9a0c1d2e3b"

static const char *root(void)
{
    const char *r = getenv("AIDIGEST_ROOT");
    return r ? r : ".";
}

static char tmpdir[256];
static pid_t server_pid;
static int server_port;
static char record_path[512];

static void server_stop(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
}

static int server_start(const char *scenario)
{
    char scen[512], script[512];
    snprintf(scen, sizeof scen, "%s/scenario.json", tmpdir);
    snprintf(record_path, sizeof record_path, "%s/requests.jsonl", tmpdir);
    snprintf(script, sizeof script, "%s/tests/lib/fake_openai.py", root());
    FILE *fp = fopen(scen, "w");
    fputs(scenario, fp);
    fclose(fp);
    unlink(record_path);
    int pfd[2];
    if (pipe(pfd))
        return -1;
    server_pid = fork();
    if (server_pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execl("/usr/bin/python3", "python3", script, scen, record_path, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    char buf[32] = "";
    ssize_t n = 0, r;
    while (n < (ssize_t)sizeof buf - 1 && (r = read(pfd[0], buf + n, 1)) == 1 && buf[n] != '\n')
        n++;
    buf[n] = '\0';
    close(pfd[0]);
    server_port = atoi(buf);
    return server_port > 0 ? 0 : -1;
}

static json_object *load_report(void)
{
    strbuf p = STRBUF_INIT;
    fsutil_join(&p, root(), "tests/fixtures/report-sample.json");
    json_object *r = json_object_from_file(p.buf);
    strbuf_release(&p);
    /* personal data in texts that reach the prompts */
    json_object *rej = json_object_array_get_idx(jget(r, "top_rejected"), 0);
    json_object_object_add(rej, "top_replacement",
                           json_object_new_string("call me at (977) 625-2661 or cminh730@email.com, order 3348917502"));
    json_object *v = json_object_array_get_idx(jget(r, "coach.vindicated_examples"), 0);
    json_object_object_add(v, "sent_reply", json_object_new_string("card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32"));
    return r;
}

static const char *const pii[] = { "625-2661", "cminh730@email.com", "3348917502", "4111 1111 1111 1111",
                                   "GB82 WEST", NULL };

static long deadline_ms; /* 0: the default */

static void config_for(aid_config *cfg, const char *key)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->llm_deadline_ms = deadline_ms;
    if (key)
        cfg->llm_api_key = strdup(key);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", server_port);
    cfg->llm_base_url = strdup(url);
    cfg->llm_model = strdup("test-model");
    cfg->llm_timeout_ms = 1000;
    cfg->llm_max_attempts = 3;
    strbuf t = STRBUF_INIT;
    fsutil_join(&t, root(), "templates");
    cfg->templates_dir = strbuf_detach(&t, NULL);
}

/* Run narrate_report with stderr captured into errtext. */
static char errtext[8192];
static aid_err run(json_object *report, aid_config *cfg, const char *out, bool offline, double *secs)
{
    char errpath[512];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmpdir);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(errpath, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    dup2(fd, 2);
    close(fd);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    aid_errbuf eb;
    aid_err err = narrate_report(report, cfg, out, offline, &eb);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (secs)
        *secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *fp = fopen(errpath, "r");
    size_t n = fp ? fread(errtext, 1, sizeof errtext - 1, fp) : 0;
    errtext[n] = '\0';
    if (fp)
        fclose(fp);
    return err;
}

/* Check the recorded requests; returns how many there were. */
static int check_requests(const char *what)
{
    char *data = NULL;
    size_t len = 0;
    if (fsutil_read_file(record_path, &data, &len, NULL)) {
        return 0;
    }
    int n = 0, valid = 0, leaks = 0, keyleaks = 0, auth_ok = 0;
    for (char *p = data; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        json_object *rec = json_tokener_parse(p);
        n++;
        json_object *body = jget(rec, "body");
        const char *raw = jget_str(rec, "raw", "");
        size_t nm = jget_len(body, "messages");
        bool v = !strcmp(jget_str(rec, "path", ""), "/v1/chat/completions") &&
                 !strcmp(jget_str(body, "model", ""), "test-model") && nm >= 2 &&
                 !strcmp(jget_str(body, "messages.0.role", ""), "system") &&
                 !strcmp(jget_str(body, "messages.1.role", ""), "user") &&
                 !strcmp(jget_str(body, "response_format.type", ""), "json_schema") &&
                 jget_has(body, "response_format.json_schema.schema");
        for (size_t k = 0; k < nm; k++) {
            char path[64];
            snprintf(path, sizeof path, "messages.%zu.content", k);
            v = v && jget_str(body, path, NULL) != NULL;
        }
        valid += v;
        for (int k = 0; pii[k]; k++)
            if (strstr(raw, pii[k]))
                leaks++;
        if (strstr(raw, KEY))
            keyleaks++;
        if (!strcmp(jget_str(rec, "headers.Authorization", ""), "Bearer " KEY))
            auth_ok++;
        json_object_put(rec);
        p = nl ? nl + 1 : NULL;
    }
    free(data);
    is_int(valid, n, "%s: all %d requests are valid chat-completion requests", what, n);
    is_int(leaks, 0, "%s: no unredacted personal data in any request", what);
    is_int(keyleaks, 0, "%s: the key is in no request body", what);
    is_int(auth_ok, n, "%s: the key is sent as a bearer token", what);
    return n;
}

static void check_no_key(json_object *report, const char *what)
{
    const char *s = json_object_to_json_string(report);
    ok(!strstr(s, KEY) && !strstr(s, "SECRET"), "%s: the key is not in the report", what);
    ok(!strstr(errtext, KEY) && !strstr(errtext, "SECRET"), "%s: the key is not in stderr", what);
    int leaks = 0;
    for (int k = 0; pii[k]; k++)
        if (strstr(s + 0, pii[k]) && strstr(jget_str(report, "narrative.summary", ""), pii[k]))
            leaks++;
    is_int(leaks, 0, "%s: no personal data in the narrative", what);
}

#define GOOD_SUMMARY                                                                                   \
    "{\"paragraphs\": [\"In week 2026-W47 the assistant made 4,410 suggestions, up 9.7% from 4,020; 37.0% were accepted as is.\"," \
    "\"The top reply was used 212 times out of 240.\","                                                \
    "\"The most rejected reply was turned down 77 times.\","                                           \
    "\"Mean confidence fell by 0.029 to 0.742; PSI 0.041.\","                                          \
    "\"Refund questions rose to 410 messages from 180.\"]}"
#define GOOD_SELF "{\"text\": \"Refund acceptance rose from 28.6% to 51.6% after the v4 update.\"}"
#define GOOD_NOTES "{\"notes\": [\"Give a time frame (42.0% of AI wins).\", \"Open with empathy.\", \"Say what happens next.\"]}"

static char scen[8192];

static const char *scenario(const char *summary_responses)
{
    snprintf(scen, sizeof scen,
             "{\"routes\": ["
             "{\"match\": \"\\\"name\\\":\\\"weekly_summary\\\"\", \"responses\": [%s]},"
             "{\"match\": \"\\\"name\\\":\\\"self_summary\\\"\", \"responses\": [{\"content\": %s}]},"
             "{\"match\": \"\\\"name\\\":\\\"coach_notes\\\"\", \"responses\": [{\"content\": %s}]}]}",
             summary_responses, GOOD_SELF, GOOD_NOTES);
    return scen;
}

/* One scenario: start the server, narrate, return the report (caller puts). */
static json_object *scenario_run(const char *name, const char *summary_responses, const char *out,
                                 int *nreq, double *secs)
{
    ok(server_start(scenario(summary_responses)) == 0, "%s: test server on 127.0.0.1:%d", name, server_port);
    aid_config cfg;
    config_for(&cfg, KEY);
    json_object *report = load_report();
    is_int(run(report, &cfg, out, false, secs), AID_OK, "%s: narrate_report succeeds", name);
    server_stop();
    *nreq = check_requests(name);
    check_no_key(report, name);
    config_release(&cfg);
    return report;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static const char *src(json_object *r, const char *part)
{
    static char buf[1024];
    char path[64];
    snprintf(path, sizeof path, "narrative.source.%s", part);
    snprintf(buf, sizeof buf, "%s", jget_str(r, path, "(none)"));
    return buf;
}

int main(void)
{
    test_libs_init();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aidigest-narrate-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    setenv("AIDIGEST_LLM_BACKOFF_MS", "20", 1);
    int n;
    double secs;
    json_object *r;

    /* normal answers, then the same week again from the cache */
    char cache[512];
    snprintf(cache, sizeof cache, "%s/out", tmpdir);
    r = scenario_run("normal", "{\"content\": " GOOD_SUMMARY "}", cache, &n, &secs);
    is_int(n, 3, "normal: three requests");
    is_str(src(r, "summary"), "llm:test-model", "normal: summary by the LLM");
    is_str(src(r, "self_summary"), "llm:test-model", "normal: self-summary by the LLM");
    is_str(src(r, "coach_notes"), "llm:test-model", "normal: coach notes by the LLM");
    ok(!strncmp(jget_str(r, "narrative.summary", ""), "In week 2026-W47 the assistant made 4,410", 40) &&
           strstr(jget_str(r, "narrative.summary", ""), "\n\nThe top reply"), "normal: the paragraphs joined by blank lines");
    is_int(jget_len(r, "narrative.coach_notes"), 3, "normal: three coach notes");
    is_str(errtext, "", "normal: nothing on stderr");
    char *first = strdup(json_object_to_json_string(jget(r, "narrative")));
    json_object_put(r);
    r = scenario_run("cached", "{\"status\": 500, \"error\": \"must not be asked\"}", cache, &n, &secs);
    is_int(n, 0, "cached: a re-run of the same week sends no request");
    is_str(json_object_to_json_string(jget(r, "narrative")), first, "cached: and gives the same text");
    free(first);
    json_object_put(r);

    r = scenario_run("429", "{\"status\": 429, \"error\": \"slow down\", \"headers\": {\"Retry-After\": \"1\"}}, {\"content\": " GOOD_SUMMARY "}",
                     NULL, &n, &secs);
    is_int(n, 4, "429: the summary was asked twice");
    ok(secs >= 0.95, "429: Retry-After honoured (%.2f s)", secs);
    is_str(src(r, "summary"), "llm:test-model", "429: then the LLM's summary");
    json_object_put(r);

    /* a Retry-After far past the run's LLM deadline ends the attempts at
     * once (it held a run for 18 minutes: 3 parts x 3 capped waits) */
    deadline_ms = 3000;
    r = scenario_run("deadline", "{\"status\": 429, \"error\": \"slow down\", \"headers\": {\"Retry-After\": \"100000\"}}, "
                     "{\"status\": 429, \"error\": \"slow down\", \"headers\": {\"Retry-After\": \"100000\"}}, "
                     "{\"status\": 429, \"error\": \"slow down\", \"headers\": {\"Retry-After\": \"100000\"}}",
                     NULL, &n, &secs);
    deadline_ms = 0;
    ok(secs < 3.5, "deadline: a Retry-After past the deadline is not waited for (%.2f s)", secs);
    ok(strstr(src(r, "summary"), "builtin (fallback: ") && strstr(src(r, "summary"), "deadline"),
       "deadline: the built-in summary, saying why (%s)", src(r, "summary"));
    json_object_put(r);

    r = scenario_run("500", "{\"status\": 500, \"error\": \"oops\"}, {\"content\": " GOOD_SUMMARY "}", NULL, &n, &secs);
    is_int(n, 4, "500: retried once");
    is_str(src(r, "summary"), "llm:test-model", "500: then the LLM's summary");
    json_object_put(r);

    r = scenario_run("all 503", "{\"status\": 503, \"error\": \"down\"}", NULL, &n, &secs);
    is_int(n, 3 + 2, "all 503: three attempts for the summary (bounded)");
    ok(strstr(src(r, "summary"), "builtin (fallback: ") && strstr(src(r, "summary"), "HTTP 503") &&
           strstr(src(r, "summary"), "after 3 attempts"), "all 503: falls back and says why: %s", src(r, "summary"));
    ok(strstr(errtext, "narrative: summary: built-in narrator used") != NULL, "all 503: one line on stderr");
    json_object_put(r);

    r = scenario_run("hang", "{\"delay\": 2.5, \"content\": " GOOD_SUMMARY "}", NULL, &n, &secs);
    ok(strstr(src(r, "summary"), "timed out") != NULL, "hang: the timeout is the reason: %s", src(r, "summary"));
    ok(strstr(src(r, "coach_notes"), "builtin (fallback: ") != NULL, "hang: the other parts do not wait again");
    is_int(n, 3, "hang: three attempts, then no more requests");
    ok(secs < 6, "hang: bounded time (%.2f s)", secs);
    is_int(count_lines(errtext), 3, "hang: one stderr line per part");
    json_object_put(r);

    r = scenario_run("malformed", "{\"raw\": \"{\\\"choices\\\": [ {\\\"mess\"}", NULL, &n, &secs);
    ok(strstr(src(r, "summary"), "malformed") != NULL, "malformed: falls back: %s", src(r, "summary"));
    is_str(src(r, "self_summary"), "llm:test-model", "malformed: the other parts still by the LLM");
    json_object_put(r);

    r = scenario_run("refusal", "{\"refusal\": \"I can't help with that.\"}", NULL, &n, &secs);
    ok(strstr(src(r, "summary"), "refused") != NULL, "refusal: falls back: %s", src(r, "summary"));
    is_int(n, 3, "refusal: not retried");
    json_object_put(r);

    r = scenario_run("truncated", "{\"content\": \"{\\\"paragraphs\\\": [\\\"In week\", \"finish_reason\": \"length\"}", NULL, &n, &secs);
    ok(strstr(src(r, "summary"), "truncated") != NULL, "truncated: falls back: %s", src(r, "summary"));
    json_object_put(r);

    const char *wrong = "{\"content\": {\"paragraphs\": [\"Acceptance was 41.7% this week.\", \"b\", \"c\", \"d\", \"e\"]}}";
    r = scenario_run("wrong number", wrong, NULL, &n, &secs);
    ok(strstr(src(r, "summary"), "builtin (fallback: fact check failed twice: 1 number is not a figure of the week)") != NULL,
       "wrong number: retried once, then the built-in narrator: %s", src(r, "summary"));
    ok(strstr(src(r, "summary"), "41.7") == NULL, "wrong number: the reason does not quote it (a phone or card number)");
    is_int(n, 4, "wrong number: one retry");
    ok(strstr(jget_str(r, "narrative.summary", ""), "41.7%") == NULL, "wrong number: the wrong text is not published");
    {
        char *data = NULL;
        size_t len;
        fsutil_read_file(record_path, &data, &len, NULL);
        ok(data && strstr(data, "not figures of the week: 41.7%") && strstr(data, "assistant"),
           "wrong number: the retry names the wrong numbers and carries the first answer");
        free(data);
    }
    json_object_put(r);

    char wrong_then_right[4096];
    snprintf(wrong_then_right, sizeof wrong_then_right, "%s, {\"content\": %s}", wrong, GOOD_SUMMARY);
    r = scenario_run("corrected", wrong_then_right, NULL, &n, &secs);
    is_str(src(r, "summary"), "llm:test-model", "corrected: the corrected answer is used");
    json_object_put(r);

    r = scenario_run("plain text", "{\"content\": \"```\\nOne.\\n\\nTwo.\\n\\nThree.\\n\\nFour.\\n\\nFive.\\n```\"}", NULL, &n, &secs);
    is_str(src(r, "summary"), "llm:test-model", "plain text: five paragraphs without JSON are accepted");
    json_object_put(r);

    r = scenario_run("401", "{\"status\": 401, \"error\": \"Incorrect API key provided: " KEY ". Find your key elsewhere.\"}", NULL, &n, &secs);
    ok(strstr(src(r, "summary"), "HTTP 401") && !strstr(src(r, "summary"), "SECRET"), "401: reason without the key: %s", src(r, "summary"));
    is_int(n, 1, "401: not retried, and no more requests");
    json_object_put(r);

    /* no key: offline, deterministic, complete */
    aid_config cfg;
    config_for(&cfg, NULL);
    json_object *a = load_report(), *b = load_report();
    is_int(run(a, &cfg, NULL, false, NULL), AID_OK, "no key: narrate_report succeeds");
    run(b, &cfg, NULL, false, NULL);
    is_str(src(a, "summary"), "builtin", "no key: built-in summary");
    is_str(src(a, "coach_notes"), "builtin", "no key: built-in coach notes");
    is_str(json_object_to_json_string(jget(a, "narrative")), json_object_to_json_string(jget(b, "narrative")),
           "no key: deterministic");
    is_str(errtext, "", "no key: quiet");
    ok(!strstr(jget_str(a, "narrative.coach_notes.2", ""), "4111"), "no key: personal data masked in published notes");
    json_object_put(a);
    json_object_put(b);
    config_release(&cfg);
    config_for(&cfg, KEY);
    a = load_report();
    is_int(run(a, &cfg, NULL, true, NULL), AID_OK, "--offline with a key: succeeds");
    is_str(src(a, "self_summary"), "builtin", "--offline with a key: built-in");
    json_object_put(a);
    config_release(&cfg);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (getenv("NARRATE_KEEP"))
        printf("# kept %s\n", tmpdir);
    else
        ok(system(cmd) == 0, "temporary files removed");
    return tap_done();
}
