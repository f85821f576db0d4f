/*
 * main.c - the aidigest command line. Parses arguments, loads the
 * configuration, calls one pipeline entry point and maps its result to the
 * exit code (0 ok, 1 bad input, 2 usage, 3 output not written/published).
 */
#include <curl/curl.h>
#include <git2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/escape.h"
#include "common/err.h"
#include "pipeline/pipeline.h"
#include "publish/publish.h"
#include "render/render.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "cli/tmplcli.h"
#include "common/version.h"

static void usage(FILE *fp)
{
    fputs("usage: aidigest run [--week YYYY-Www] [--logs PATH]... [--out DIR] [--offline]\n"
          "                    [--publish] [--mail] [--jobs N] [--strict] [--allow-damaged]\n"
          "                    [--replace] [--db URL] [--config FILE]\n"
          "       aidigest check [--logs PATH]... [--week YYYY-Www] [--jobs N] [--config FILE]\n"
          "       aidigest retrain [--week W] [--logs PATH]... [--out DIR] [--submit] [--request]\n"
          "                        [--config FILE]\n"
          "       aidigest mail --week W [--out DIR] [--config FILE]\n"
          "       aidigest render [--week W] [--out DIR] [--only html,pdf,xlsx] [--config FILE]\n"
          "       aidigest template [--compat] FILE [NAME VALUE | NAME { ... } ...]...\n"
          "       aidigest --version | --help\n"
          "See README.md and docs/ for details.\n",
          fp);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("aidigest: ", stderr);
    esc_fprintf(stderr, fmt, arg);
    fputs(" (try 'aidigest --help')\n", stderr);
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
       OPT_STRICT = 32, OPT_RETRAIN = 64, OPT_ONLY = 128, OPT_DB = 256 };

/* The commands that run a pipeline: their options and their entry point. */
static const struct command {
    const char *name;
    unsigned allowed;
    aid_err (*fn)(pipeline_opts *o, aid_errbuf *eb);
} commands[] = {
    { "run", OPT_WEEK | OPT_LOGS | OPT_OUT | OPT_RUNFLAGS | OPT_JOBS | OPT_STRICT | OPT_DB, pipeline_run },
    { "check", OPT_WEEK | OPT_LOGS | OPT_JOBS, pipeline_check },
    { "retrain", OPT_WEEK | OPT_LOGS | OPT_OUT | OPT_RETRAIN, pipeline_retrain },
    { "mail", OPT_WEEK | OPT_OUT, pipeline_mail },
    { "render", OPT_WEEK | OPT_OUT | OPT_ONLY, pipeline_render },
};

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
                        " (try 'aidigest --help')\n", value, names.buf);
        rc = 2;
    }
    strbuf_release(&names);
    return rc;
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
 * and *config_path. Returns 0, or the exit code of a usage error (already
 * printed). */
static int parse_options(const struct command *cmd, int argc, char **argv, pipeline_opts *o,
                         const char **logs, const char **config_path)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS(flag) do { if (!(cmd->allowed & (flag))) return usage_error("option '%s' does not go with this command", a); } while (0)
#define VALUE() do { if (!next) return usage_error("option '%s' needs a value", a); i++; } while (0)
        if (!strcmp(a, "--week")) {
            NEEDS(OPT_WEEK); VALUE();
            timeutil_week w;
            if (!timeutil_parse_week(next, &w))
                return usage_error("--week: '%s' is not an ISO week like 2026-W47", next);
            o->week = next;
        } else if (!strcmp(a, "--logs")) {
            NEEDS(OPT_LOGS); VALUE();
            logs[o->nlogs++] = next;
        } else if (!strcmp(a, "--out")) {
            NEEDS(OPT_OUT); VALUE();
            o->out = next;
        } else if (!strcmp(a, "--config")) {
            VALUE();
            *config_path = next;
        } else if (!strcmp(a, "--jobs")) {
            NEEDS(OPT_JOBS); VALUE();
            char *end;
            long j = strtol(next, &end, 10);
            if (*end || end == next || j < 1 || j > 256)
                return usage_error("--jobs: '%s' is not a number from 1 to 256", next);
            o->jobs = (int)j;
        } else if (!strcmp(a, "--offline")) {
            NEEDS(OPT_RUNFLAGS);
            o->offline = true;
        } else if (!strcmp(a, "--publish")) {
            NEEDS(OPT_RUNFLAGS);
            o->publish = true;
        } else if (!strcmp(a, "--mail")) {
            NEEDS(OPT_RUNFLAGS);
            o->mail = true;
        } else if (!strcmp(a, "--strict")) {
            NEEDS(OPT_STRICT);
            o->strict = true;
        } else if (!strcmp(a, "--allow-damaged")) {
            NEEDS(OPT_STRICT);
            o->allow_damaged = true;
        } else if (!strcmp(a, "--replace")) {
            NEEDS(OPT_STRICT);
            o->replace = true;
        } else if (!strcmp(a, "--submit")) {
            NEEDS(OPT_RETRAIN);
            o->submit = true;
        } else if (!strcmp(a, "--request")) {
            NEEDS(OPT_RETRAIN);
            o->request = true;
        } else if (!strcmp(a, "--db")) {
            NEEDS(OPT_DB); VALUE();
            o->db_url = next;
        } else if (!strcmp(a, "--only")) {
            NEEDS(OPT_ONLY); VALUE();
            if (!render_only_valid(next))
                return only_error(next);
            o->only = next;
        } else {
            return usage_error("unknown option '%s'", a);
        }
#undef NEEDS
#undef VALUE
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
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) {
        printf("aidigest %s\n", AIDIGEST_VERSION);
        return 0;
    }
    if (!strcmp(name, "template"))
        return aid_err_exit_code(tmplcli_main(argc - 1, argv + 1));

    const struct command *cmd = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            cmd = &commands[i];
    if (!cmd)
        return usage_error("unknown command '%s'", name);

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
    if (!rc)
        rc = run_command(cmd, &o, config_path);
    free(logs);
    return rc;
}
