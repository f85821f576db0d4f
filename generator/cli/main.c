/*
 * main.c - the aidigest command line. Parses arguments, loads the
 * configuration, calls one pipeline entry point and maps its result to the
 * exit code (0 ok, 1 bad input, 2 usage, 3 output not written/published,
 * 4 alerts with run --fail-on-alert).
 */
#include <curl/curl.h>
#include <git2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/editdist.h"
#include "common/escape.h"
#include "common/err.h"
#include "pipeline/pipeline.h"
#include "publish/publish.h"
#include "render/render.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "cli/tmplcli.h"
#include "common/version.h"

/* The summary of every command (aidigest help, aidigest --help). */
static void usage(FILE *fp)
{
    fputs("usage: aidigest run [--week YYYY-Www | --weeks W1..W2] [--logs PATH]... [--out DIR]\n"
          "                    [--offline]\n"
          "                    [--publish] [--mail] [--jobs N] [--strict] [--allow-damaged]\n"
          "                    [--allow-empty] [--replace] [--fail-on-alert] [--quiet]\n"
          "                    [--db URL] [--config FILE]\n"
          "       aidigest check [--logs PATH]... [--week YYYY-Www] [--jobs N] [--quiet] [--config FILE]\n"
          "       aidigest retrain [--week W] [--logs PATH]... [--out DIR] [--dry-run] [--publish]\n"
          "                        [--submit] [--request] [--quiet] [--config FILE]\n"
          "       aidigest mail --week W [--out DIR] [--quiet] [--config FILE]\n"
          "       aidigest render [--week W] [--out DIR] [--only html,pdf,xlsx] [--quiet] [--config FILE]\n"
          "       aidigest template [--compat] FILE [NAME VALUE | NAME { ... } ...]...\n"
          "       aidigest help [COMMAND] | COMMAND --help | --version | --help\n"
          "'aidigest help COMMAND' shows a command's options, defaults, an example and its\n"
          "exit codes; man aidigest (docs/aidigest.1) and README.md say more.\n",
          fp);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("aidigest: ", stderr);
    esc_fprintf(stderr, fmt, arg);
    fputs(" (try 'aidigest help')\n", stderr);
    return 2;
}

/* The libraries with process-wide state are set up here, once, before any
 * thread starts, and torn down before exit; no module does it. libcurl's
 * curl_global_init is not thread-safe (curl_easy_init would otherwise call
 * it from whichever thread comes first: the LLM client, SMTP, the archive's
 * HTTPS push); libgit2 needs git_libgit2_init before any other call. Unit
 * tests that reach either library do the same (tests/libinit.h). */
static aid_err libs_init(aid_errbuf *eb)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return aid_errbuf_set(eb, AID_ERR_NETWORK, "libcurl could not be initialised");
    if (git_libgit2_init() < 0) {
        const git_error *e = git_error_last();
        curl_global_cleanup();
        /* libgit2 reports a failed allocation as "Out of memory". */
        if (e && e->klass == GIT_ERROR_NOMEMORY)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "libgit2 could not be initialised: out of memory");
        return aid_errbuf_set(eb, AID_ERR_GIT, "libgit2 could not be initialised: %s",
                              e && e->message ? e->message : "unknown error");
    }
    return AID_OK;
}

static void libs_cleanup(void)
{
    git_libgit2_shutdown();
    curl_global_cleanup();
}

enum { OPT_WEEK = 1, OPT_LOGS = 2, OPT_OUT = 4, OPT_RUNFLAGS = 8, OPT_JOBS = 16,
       OPT_STRICT = 32, OPT_RETRAIN = 64, OPT_ONLY = 128, OPT_DB = 256, OPT_ANY = 512,
       OPT_WEEKS = 1024 };

/* Every option: its name, its value's name (NULL: a flag), the commands it
 * goes with (OPT_ANY: all) and its help line (the default in it). */
typedef enum opt_id {
    O_WEEK, O_WEEKS, O_LOGS, O_OUT, O_CONFIG, O_JOBS, O_OFFLINE, O_PUBLISH, O_MAIL, O_STRICT, O_ALLOW_DAMAGED,
    O_ALLOW_EMPTY, O_REPLACE, O_FAIL_ON_ALERT, O_SUBMIT, O_REQUEST, O_DRY_RUN, O_ONLY, O_QUIET, O_DB, O__COUNT
} opt_id;

static const struct option {
    const char *name, *value;
    unsigned group;
    const char *help;
} options[O__COUNT] = {
    [O_WEEK] = { "--week", "YYYY-Www", OPT_WEEK, "the ISO week (default: the last complete week,\nUTC)" },
    [O_WEEKS] = { "--weeks", "W1..W2", OPT_WEEKS, "every ISO week from W1 to W2, oldest first, each\nagainst the one before (instead of --week)" },
    [O_LOGS] = { "--logs", "PATH", OPT_LOGS, "a .jsonl[.gz] file or a directory of them, repeatable\n(default: inputs)" },
    [O_OUT] = { "--out", "DIR", OPT_OUT, "the output directory and archive (default: out)" },
    [O_CONFIG] = { "--config", "FILE", OPT_ANY, "settings (default: ./aidigest.conf when present);\nthe environment wins" },
    [O_JOBS] = { "--jobs", "N", OPT_JOBS, "reading threads, 1 to 256 (default: the number of cores)" },
    [O_OFFLINE] = { "--offline", NULL, OPT_RUNFLAGS, "the built-in narrator even when OPENAI_API_KEY\nis set" },
    [O_PUBLISH] = { "--publish", NULL, OPT_RUNFLAGS | OPT_RETRAIN, "commit the week (retrain: the prompts and\ntraining files) to the git archive in OUT and\npush it" },
    [O_MAIL] = { "--mail", NULL, OPT_RUNFLAGS, "e-mail the PDF (AIDIGEST_SMTP_URL, AIDIGEST_MAIL_TO)" },
    [O_STRICT] = { "--strict", NULL, OPT_STRICT, "a bad line or an unreadable file stops the run\n(exit 1)" },
    [O_ALLOW_DAMAGED] = { "--allow-damaged", NULL, OPT_STRICT, "publish the week although input files could not\nbe read" },
    [O_ALLOW_EMPTY] = { "--allow-empty", NULL, OPT_STRICT, "write the week although the logs hold no\nsuggestion in it" },
    [O_REPLACE] = { "--replace", NULL, OPT_STRICT, "replace a published week with one that has under\nhalf its suggestions" },
    [O_FAIL_ON_ALERT] = { "--fail-on-alert", NULL, OPT_STRICT, "exit 4 when the week has alerts (report.json\nalerts[]), after writing, publishing and mailing\neverything" },
    [O_SUBMIT] = { "--submit", NULL, OPT_RETRAIN, "also upload the fine-tuning set and start a\nfine-tuning job" },
    [O_REQUEST] = { "--request", NULL, OPT_RETRAIN, "only tag the archive's HEAD retrain/<week> and\npush the tag" },
    [O_DRY_RUN] = { "--dry-run", NULL, OPT_RETRAIN, "print per prompt the examples retraining would\nadd and remove, and why; write nothing" },
    [O_ONLY] = { "--only", "LIST", OPT_ONLY, "a comma-separated list of html, pdf, xlsx\n(default: all)" },
    [O_DB] = { "--db", "URL", OPT_DB, "also upsert the week into the weekly_ai_reports table:\npostgresql://... or sqlite:PATH (default:\nAIDIGEST_DATABASE_URL)" },
    [O_QUIET] = { "--quiet", NULL, OPT_ANY, "nothing on stderr but errors (no progress line,\nno bad lines, no summary)" },
};

/* The commands that run a pipeline: their options, their entry point and
 * their help (aidigest help CMD). */
static const struct command {
    const char *name;
    unsigned allowed;
    aid_err (*fn)(pipeline_opts *o, aid_errbuf *eb);
    const char *what, *example, *exits;
} commands[] = {
    { "run", OPT_WEEK | OPT_WEEKS | OPT_LOGS | OPT_OUT | OPT_RUNFLAGS | OPT_JOBS | OPT_STRICT | OPT_DB, pipeline_run,
      "The weekly job: read the logs, compute the figures, narrate them, write the week's\n"
      "HTML page, PDF and XLSX into OUT/<week>/ (all or nothing), then publish and mail.\n"
      "On a terminal a progress line shows each stage. A week without a suggestion in\n"
      "the logs is refused with the weeks they hold (unless --allow-empty).",
      "aidigest run --week 2026-W47 --logs inputs --out out --offline",
      "0 the week was written\n1 bad input: the week was not replaced (unreadable files, no suggestion\n"
      "  in the week, under half the published suggestions), bad lines with --strict\n"
      "2 usage error\n3 an output could not be written, published, mailed or stored in the\n  database (--db)\n"
      "4 --fail-on-alert: alerts fired; everything was written, published and mailed" },
    { "check", OPT_WEEK | OPT_LOGS | OPT_JOBS, pipeline_check,
      "Read the logs and print the data-quality summary of the week on stdout (every bad\n"
      "line, whatever its week, is listed on stderr); nothing is written.",
      "aidigest check --logs inputs --week 2026-W47",
      "0 no bad line and no unreadable file\n1 some\n2 usage error" },
    { "retrain", OPT_WEEK | OPT_LOGS | OPT_OUT | OPT_RETRAIN, pipeline_retrain,
      "Update the assistant's prompt examples in OUT/prompts/ from what agents accepted and\n"
      "QA corrected, log the deltas in OUT/training/deltas.jsonl and export a fine-tuning\n"
      "set OUT/training/finetune-<week>.jsonl.",
      "aidigest retrain --week 2026-W47 --logs inputs --out out",
      "0 done\n1 bad input\n2 usage error\n3 an output could not be written or submitted" },
    { "mail", OPT_WEEK | OPT_OUT, pipeline_mail,
      "E-mail the PDF of a week already run (OUT/<week>/digest.pdf); --week is required.",
      "aidigest mail --week 2026-W47 --out out",
      "0 sent\n2 usage error\n3 the week has not been run, or the mail could not be sent" },
    { "render", OPT_WEEK | OPT_OUT | OPT_ONLY, pipeline_render,
      "Render the documents of a week already run again from OUT/<week>/report.json\n"
      "(after a template change, say), and the archive index OUT/index.html.",
      "aidigest render --week 2026-W47 --out out --only html,pdf",
      "0 rendered\n2 usage error\n3 the week has not been run, or a document could not be written" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* text on fp, each line after the first indented by indent spaces. */
static void put_indented(FILE *fp, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, fp);
        if (*p == '\n')
            fprintf(fp, "%*s", indent, "");
    }
    fputc('\n', fp);
}

/* text on fp, its words in lines of at most 78 columns (a newline in it is
 * a space). */
static void put_wrapped(FILE *fp, const char *text)
{
    int col = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == '\n')
            p++;
        size_t w = strcspn(p, " \n");
        if (!w)
            break;
        if (col && col + 1 + (int)w > 78) {
            fputc('\n', fp);
            col = 0;
        } else if (col) {
            fputc(' ', fp);
            col++;
        }
        fwrite(p, 1, w, fp);
        col += (int)w;
        p += w;
    }
    fputc('\n', fp);
}

/* The help of one command on fp: usage, what it does, options with their
 * defaults, an example, the exit codes. */
static void command_help(const struct command *cmd, FILE *fp)
{
    fprintf(fp, "usage: aidigest %s [OPTION]...\n\n", cmd->name);
    put_wrapped(fp, cmd->what);
    fputs("\noptions:\n", fp);
    for (int i = 0; i < O__COUNT; i++) {
        if (!(options[i].group & (cmd->allowed | OPT_ANY)))
            continue;
        char left[40];
        snprintf(left, sizeof left, "%s%s%s", options[i].name, options[i].value ? " " : "",
                 options[i].value ? options[i].value : "");
        fprintf(fp, "  %-20s ", left);
        put_indented(fp, options[i].help, 23);
    }
    fprintf(fp, "  %-20s %s\n", "-h, --help", "this help");
    fprintf(fp, "\nexample:\n  %s\n\nexit codes:\n  ", cmd->example);
    put_indented(fp, cmd->exits, 2);
}

static const struct command *command_find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(name, commands[i].name))
            return &commands[i];
    return NULL;
}

/* The nearest of names (n of them, NULL entries skipped) to word, when it
 * is near enough to be a typing slip (at most 2 edits, fewer than a third
 * of its length plus one); else NULL. */
static const char *did_you_mean(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t bd = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        int64_t e = editdist_chars(word, names[i]);
        size_t d = e < 0 ? SIZE_MAX : (size_t)e;
        if (d < bd) {
            bd = d;
            best = names[i];
        }
    }
    size_t len = strlen(word);
    return best && bd <= 2 && bd <= len / 3 + 1 ? best : NULL;
}

/* "unknown option '--wek' (did you mean '--week'?)": among the options of
 * cmd first, then all. Exit code 2. */
static int unknown_option(const struct command *cmd, const char *arg)
{
    const char *names[O__COUNT + 1];
    for (int i = 0; i < O__COUNT; i++)
        names[i] = options[i].group & (cmd->allowed | OPT_ANY) ? options[i].name : NULL;
    names[O__COUNT] = "--help";
    const char *m = did_you_mean(arg, names, O__COUNT + 1);
    if (!m) {
        for (int i = 0; i < O__COUNT; i++)
            names[i] = options[i].name;
        m = did_you_mean(arg, names, O__COUNT);
    }
    fputs("aidigest: ", stderr);
    esc_fprintf(stderr, "%s: unknown option '%s'", cmd->name, arg);
    if (m)
        fprintf(stderr, " (did you mean '%s'?)", m);
    fprintf(stderr, " (try 'aidigest help %s')\n", cmd->name);
    return 2;
}

static int unknown_command(const char *name)
{
    const char *names[NCOMMANDS + 2];
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    names[NCOMMANDS] = "template";
    names[NCOMMANDS + 1] = "help";
    const char *m = did_you_mean(name, names, NCOMMANDS + 2);
    fputs("aidigest: ", stderr);
    esc_fprintf(stderr, "unknown command '%s'", name);
    if (m)
        fprintf(stderr, " (did you mean '%s'?)", m);
    fputs(" (try 'aidigest help')\n", stderr);
    return 2;
}

/* aidigest help [CMD]: the summary, or one command's help, on stdout. */
static int help_main(int argc, char **argv)
{
    if (argc < 3) {
        usage(stdout);
        return 0;
    }
    if (argc > 3)
        return usage_error("help takes one command, not '%s' too", argv[3]);
    const char *name = argv[2];
    const struct command *cmd = command_find(name);
    if (cmd) {
        command_help(cmd, stdout);
        return 0;
    }
    if (!strcmp(name, "template")) {
        char *targv[] = { "template", "--help", NULL };
        return aid_err_exit_code(tmplcli_main(2, targv));
    }
    if (!strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    return unknown_command(name);
}

/* --only's value is not a list of the registry's documents: say which are. */
static int only_error(const char *value)
{
    strbuf names = STRBUF_INIT;
    int rc;
    if (render_doc_names(&names) < 0) {
        fputs("aidigest: out of memory\n", stderr);
        rc = 3;
    } else {
        esc_fprintf(stderr, "aidigest: --only: '%s' is not a comma-separated list of %s"
                        " (try 'aidigest help render')\n", value, names.buf);
        rc = 2;
    }
    strbuf_release(&names);
    return rc;
}

/* An option's value into o: 0, or the exit code of a usage error
 * (printed). */
static int set_value(opt_id id, const char *a, const char *v, pipeline_opts *o, const char **logs,
                     const char **config_path)
{
    switch (id) {
    case O_WEEK: {
        timeutil_week w;
        if (!timeutil_parse_week(v, &w))
            return usage_error("--week: '%s' is not an ISO week like 2026-W47", v);
        if (o->week_last)
            return usage_error("--week '%s': --week and --weeks do not go together", v);
        o->week = v;
        return 0;
    }
    case O_WEEKS: {
        timeutil_week w1, w2;
        const char *dots = strstr(v, "..");
        char first[16];
        if (!dots || (size_t)(dots - v) >= sizeof first)
            return usage_error("--weeks: '%s' is not a range of ISO weeks like 2026-W44..2026-W47", v);
        memcpy(first, v, (size_t)(dots - v));
        first[dots - v] = '\0';
        if (!timeutil_parse_week(first, &w1) || !timeutil_parse_week(dots + 2, &w2))
            return usage_error("--weeks: '%s' is not a range of ISO weeks like 2026-W44..2026-W47", v);
        if (timeutil_week_start(w2) < timeutil_week_start(w1))
            return usage_error("--weeks: '%s' ends before it starts", v);
        if ((timeutil_week_start(w2) - timeutil_week_start(w1)) / TIMEUTIL_WEEK_MS >= PIPELINE_MAX_WEEKS)
            return usage_error("--weeks: '%s' spans too many weeks", v);
        if (o->week)
            return usage_error("--weeks '%s': --week and --weeks do not go together", v);
        timeutil_format_week(w1, o->weeks_first, sizeof o->weeks_first);
        o->week = o->weeks_first;
        o->week_last = dots + 2;
        return 0;
    }
    case O_LOGS:
        logs[o->nlogs++] = v;
        return 0;
    case O_OUT:
        o->out = v;
        return 0;
    case O_CONFIG:
        *config_path = v;
        return 0;
    case O_JOBS: {
        char *end;
        long j = strtol(v, &end, 10);
        if (*end || end == v || j < 1 || j > 256)
            return usage_error("--jobs: '%s' is not a number from 1 to 256", v);
        o->jobs = (int)j;
        return 0;
    }
    case O_DB:
        o->db_url = v;
        return 0;
    case O_ONLY:
        if (!render_only_valid(v))
            return only_error(v);
        o->only = v;
        return 0;
    default:
        return usage_error("option '%s' takes no value", a);
    }
}

static void set_flag(opt_id id, pipeline_opts *o)
{
    bool *flags[O__COUNT] = {
        [O_OFFLINE] = &o->offline, [O_PUBLISH] = &o->publish, [O_MAIL] = &o->mail,
        [O_STRICT] = &o->strict, [O_ALLOW_DAMAGED] = &o->allow_damaged, [O_ALLOW_EMPTY] = &o->allow_empty,
        [O_REPLACE] = &o->replace, [O_FAIL_ON_ALERT] = &o->fail_on_alert, [O_SUBMIT] = &o->submit, [O_REQUEST] = &o->request, [O_QUIET] = &o->quiet,
        [O_DRY_RUN] = &o->dry_run,
    };
    if (flags[id])
        *flags[id] = true;
}

static int db_usage_error(const char *what, const char *msg)
{
    esc_fprintf(stderr, "aidigest: %s: %s (try 'aidigest --help')\n", what, msg);
    return 2;
}

/* --db URL, else AIDIGEST_DATABASE_URL; an empty value is none. Returns 0,
 * or the exit code when it is not a database URL (said with the password
 * masked), before any work is done. */
static int db_option(pipeline_opts *o)
{
    const char *what = "--db";
    if (!o->db_url) {
        o->db_url = getenv("AIDIGEST_DATABASE_URL");
        what = "AIDIGEST_DATABASE_URL";
    }
    if (o->db_url && !*o->db_url)
        o->db_url = NULL;
    aid_errbuf eb = { { 0 } };
    aid_err err = o->db_url ? db_url_check(o->db_url, &eb) : AID_OK;
    if (err == AID_ERR_USAGE)
        return db_usage_error(what, eb.msg);
    if (err)
        esc_fprintf(stderr, "aidigest: %s\n", aid_errbuf_msg(&eb, err));
    return aid_err_exit_code(err);
}

/* Parse argv[2..] for cmd into o (o->logs must have room for argc paths)
 * and *config_path. Returns 0, -1 when the help was asked for (and
 * printed), or the exit code of a usage error (already printed). */
static int parse_options(const struct command *cmd, int argc, char **argv, pipeline_opts *o,
                         const char **logs, const char **config_path)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            command_help(cmd, stdout);
            return -1;
        }
        int id = 0;
        while (id < O__COUNT && strcmp(a, options[id].name))
            id++;
        if (id == O__COUNT)
            return unknown_option(cmd, a);
        if (!(options[id].group & (cmd->allowed | OPT_ANY)))
            return usage_error("option '%s' does not go with this command", a);
        int rc;
        if (!options[id].value)
            set_flag((opt_id)id, o);
        else if (i + 1 >= argc)
            return usage_error("option '%s' needs a value", a);
        else if ((rc = set_value((opt_id)id, a, argv[++i], o, logs, config_path)))
            return rc;
    }
    if (cmd->allowed & OPT_DB) {
        int rc = db_option(o);
        if (rc)
            return rc;
    }
    if (!strcmp(cmd->name, "mail") && !o->week)
        return usage_error("%s needs --week", "mail");
    if (!timeutil_source_date_ok())
        return usage_error("SOURCE_DATE_EPOCH='%s' is not a whole number of seconds since 1970",
                           getenv("SOURCE_DATE_EPOCH"));
    return 0;
}

/* Load the configuration, set up the libraries, run the command. Returns
 * the exit code; the one place where an aid_err becomes one. */
static int run_command(const struct command *cmd, pipeline_opts *o, const char *config_path)
{
    aid_errbuf eb = { { 0 } };
    aid_err err = config_load(&o->cfg, config_path, &eb);
    if (err) {
        esc_fprintf(stderr, "aidigest: %s\n", aid_errbuf_msg(&eb, err));
        return aid_err_exit_code(err);
    }
    if ((err = libs_init(&eb))) {
        esc_fprintf(stderr, "aidigest: %s\n", aid_errbuf_msg(&eb, err));
        config_release(&o->cfg);
        return aid_err_exit_code(err);
    }
    err = cmd->fn(o, &eb);
    if (err)
        esc_fprintf(stderr, "aidigest: %s\n", aid_errbuf_msg(&eb, err));
    libs_cleanup();
    config_release(&o->cfg);
    return aid_err_exit_code(err);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "help"))
        return help_main(argc, argv);
    if (!strcmp(name, "--version")) {
        printf("aidigest %s\n", AIDIGEST_VERSION);
        return 0;
    }
    if (!strcmp(name, "template"))
        return aid_err_exit_code(tmplcli_main(argc - 1, argv + 1));

    const struct command *cmd = command_find(name);
    if (!cmd)
        return unknown_command(name);

    pipeline_opts o;
    memset(&o, 0, sizeof o);
    const char *config_path = NULL;
    const char **logs = calloc((size_t)argc, sizeof *logs);
    if (!logs) {
        fputs("aidigest: out of memory\n", stderr);
        return 3;
    }
    o.logs = logs;
    int rc = parse_options(cmd, argc, argv, &o, logs, &config_path);
    if (rc < 0)
        rc = 0; /* the help was asked for */
    else if (!rc)
        rc = run_command(cmd, &o, config_path);
    free(logs);
    return rc;
}
