/*
 * main.c - the aidigest command line. Parses arguments, loads the
 * configuration, calls one pipeline entry point and maps its result to the
 * exit code (0 ok, 1 bad input, 2 usage, 3 output not written/published).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/err.h"
#include "pipeline/pipeline.h"
#include "common/timeutil.h"
#include "cli/tmplcli.h"
#include "common/version.h"

static void usage(FILE *fp)
{
    fputs("usage: aidigest run [--week YYYY-Www] [--logs PATH]... [--out DIR] [--offline]\n"
          "                    [--publish] [--mail] [--jobs N] [--strict] [--config FILE]\n"
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
    fprintf(stderr, fmt, arg);
    fputs(" (try 'aidigest --help')\n", stderr);
    return 2;
}

/* --only: a non-empty comma-separated list of html, pdf, xlsx. */
static bool only_valid(const char *s)
{
    static const char *const docs[] = { "html", "pdf", "xlsx" };
    if (!*s)
        return false;
    for (const char *p = s;;) {
        size_t l = strcspn(p, ",");
        bool known = false;
        for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
            known = known || (l == strlen(docs[i]) && !strncmp(p, docs[i], l));
        if (!known)
            return false;
        if (!p[l])
            return true;
        p += l + 1;
    }
}

enum { OPT_WEEK = 1, OPT_LOGS = 2, OPT_OUT = 4, OPT_RUNFLAGS = 8, OPT_JOBS = 16,
       OPT_STRICT = 32, OPT_RETRAIN = 64, OPT_ONLY = 128 };

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("aidigest %s\n", AIDIGEST_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "template"))
        return tmplcli_main(argc - 1, argv + 1);

    unsigned allowed;
    if (!strcmp(cmd, "run"))
        allowed = OPT_WEEK | OPT_LOGS | OPT_OUT | OPT_RUNFLAGS | OPT_JOBS | OPT_STRICT;
    else if (!strcmp(cmd, "check"))
        allowed = OPT_WEEK | OPT_LOGS | OPT_JOBS;
    else if (!strcmp(cmd, "retrain"))
        allowed = OPT_WEEK | OPT_LOGS | OPT_OUT | OPT_RETRAIN;
    else if (!strcmp(cmd, "mail"))
        allowed = OPT_WEEK | OPT_OUT;
    else if (!strcmp(cmd, "render"))
        allowed = OPT_WEEK | OPT_OUT | OPT_ONLY;
    else
        return usage_error("unknown command '%s'", cmd);

    pipeline_opts o;
    memset(&o, 0, sizeof o);
    const char *config_path = NULL;
    const char **logs = calloc((size_t)argc, sizeof *logs);
    if (!logs) {
        fputs("aidigest: out of memory\n", stderr);
        return 3;
    }
    int rc = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS(flag) do { if (!(allowed & (flag))) { rc = usage_error("option '%s' does not go with this command", a); goto done; } } while (0)
#define VALUE() do { if (!next) { rc = usage_error("option '%s' needs a value", a); goto done; } i++; } while (0)
        if (!strcmp(a, "--week")) {
            NEEDS(OPT_WEEK); VALUE();
            timeutil_week w;
            if (!timeutil_parse_week(next, &w)) {
                rc = usage_error("--week: '%s' is not an ISO week like 2026-W47", next);
                goto done;
            }
            o.week = next;
        } else if (!strcmp(a, "--logs")) {
            NEEDS(OPT_LOGS); VALUE();
            logs[o.nlogs++] = next;
        } else if (!strcmp(a, "--out")) {
            NEEDS(OPT_OUT); VALUE();
            o.out = next;
        } else if (!strcmp(a, "--config")) {
            VALUE();
            config_path = next;
        } else if (!strcmp(a, "--jobs")) {
            NEEDS(OPT_JOBS); VALUE();
            char *end;
            long j = strtol(next, &end, 10);
            if (*end || end == next || j < 1 || j > 256) {
                rc = usage_error("--jobs: '%s' is not a number from 1 to 256", next);
                goto done;
            }
            o.jobs = (int)j;
        } else if (!strcmp(a, "--offline")) {
            NEEDS(OPT_RUNFLAGS);
            o.offline = true;
        } else if (!strcmp(a, "--publish")) {
            NEEDS(OPT_RUNFLAGS);
            o.publish = true;
        } else if (!strcmp(a, "--mail")) {
            NEEDS(OPT_RUNFLAGS);
            o.mail = true;
        } else if (!strcmp(a, "--strict")) {
            NEEDS(OPT_STRICT);
            o.strict = true;
        } else if (!strcmp(a, "--submit")) {
            NEEDS(OPT_RETRAIN);
            o.submit = true;
        } else if (!strcmp(a, "--request")) {
            NEEDS(OPT_RETRAIN);
            o.request = true;
        } else if (!strcmp(a, "--only")) {
            NEEDS(OPT_ONLY); VALUE();
            if (!only_valid(next)) {
                rc = usage_error("--only: '%s' is not a comma-separated list of html, pdf, xlsx", next);
                goto done;
            }
            o.only = next;
        } else {
            rc = usage_error("unknown option '%s'", a);
            goto done;
        }
#undef NEEDS
#undef VALUE
    }
    if (!strcmp(cmd, "mail") && !o.week) {
        rc = usage_error("%s needs --week", "mail");
        goto done;
    }
    o.logs = logs;
    if (!timeutil_source_date_ok()) {
        rc = usage_error("SOURCE_DATE_EPOCH='%s' is not a whole number of seconds since 1970",
                         getenv("SOURCE_DATE_EPOCH"));
        goto done;
    }

    aid_errbuf eb = { { 0 } };
    aid_err err = config_load(&o.cfg, config_path, &eb);
    if (err) {
        fprintf(stderr, "aidigest: %s\n", aid_errbuf_msg(&eb, err));
        rc = aid_err_exit_code(err);
        goto done;
    }
    if (!strcmp(cmd, "run"))
        err = pipeline_run(&o, &eb);
    else if (!strcmp(cmd, "check"))
        err = pipeline_check(&o, &eb);
    else if (!strcmp(cmd, "retrain"))
        err = pipeline_retrain(&o, &eb);
    else if (!strcmp(cmd, "mail"))
        err = pipeline_mail(&o, &eb);
    else
        err = pipeline_render(&o, &eb);
    if (err)
        fprintf(stderr, "aidigest: %s\n", aid_errbuf_msg(&eb, err));
    rc = aid_err_exit_code(err);
    config_release(&o.cfg);
done:
    free(logs);
    return rc;
}
