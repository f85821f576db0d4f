/*
 * test_archive.c - archive_publish / archive_tag_retrain against real git:
 * the repositories are checked with the git CLI (log, ls-files, fsck, clone).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "publish/archive.h"
#include "common/fsutil.h"
#include "common/strbuf.h"
#include "libinit.h"
#include "tap.h"

static char tmp[256];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Output of a shell command, trailing white space removed (static buffer). */
static const char *out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *out(const char *fmt, ...)
{
    static char buf[8192];
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    buf[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (!p)
        return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    pclose(p);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return buf;
}

static void put(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    fsutil_mkdirs(path, NULL);
    *slash = '/';
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static void week_files(const char *week, const char *index_text)
{
    char rel[128], body[256];
    snprintf(rel, sizeof rel, "out/%s/report.json", week);
    snprintf(body, sizeof body, "{\"week\":\"%s\"}\n", week);
    put(rel, body);
    snprintf(rel, sizeof rel, "out/%s/digest.pdf", week);
    put(rel, "%PDF-1.4 fake\n");
    put("out/index.html", index_text);
    put("out/style.css", "body{}\n");
    snprintf(rel, sizeof rel, "out/.cache/narrative-%s.json", week);
    put(rel, "{}\n");
    put("out/weekly_ai_reports.jsonl", body);
}

/* A child process with its stdout on a pipe; returns pid, first line in line. */
static pid_t spawn_line(char *const argv[], char *line, size_t n)
{
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *fp = fdopen(fds[0], "r");
    line[0] = '\0';
    if (fp) {
        if (!fgets(line, (int)n, fp))
            line[0] = '\0';
        fclose(fp);
    }
    line[strcspn(line, "\n")] = '\0';
    return pid;
}

int main(void)
{
    test_libs_init();
    setenv("SOURCE_DATE_EPOCH", "1764547200", 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    snprintf(tmp, sizeof tmp, "/tmp/aidigest-archive.XXXXXX");
    if (!mkdtemp(tmp)) {
        ok(0, "mkdtemp");
        return tap_done();
    }
    char outd[300], bare[300], ex[400];
    snprintf(outd, sizeof outd, "%s/out", tmp);
    snprintf(bare, sizeof bare, "%s/remote.git", tmp);
    snprintf(ex, sizeof ex, "%s/outer", tmp);
    const char *git = "git -c user.name=t -c user.email=t@t -c init.defaultBranch=main";

    aid_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.git_name = "Digest Bot";
    cfg.git_email = "bot@example.com";
    cfg.git_branch = "main";
    aid_errbuf eb = { { 0 } };

    /* 1. a fresh archive; the temporary files of fsutil stay out */
    /* OUT lies inside another repository: the archive must be OUT itself */
    sh("%s init -q %s && mkdir -p %s", git, tmp, outd);
    week_files("2026-W47", "<p>W47</p>\n");
    put("out/.index.html.tmp.4242", "half-written");
    aid_err err = archive_publish(outd, "2026-W47", &cfg, &eb);
    is_int(err, AID_OK, "fresh archive published (%s)", eb.msg);
    is_str(out("git -C %s log --format='%%s|%%an|%%ae|%%cn|%%at|%%ct'", outd),
           "digest: 2026-W47|Digest Bot|bot@example.com|Digest Bot|1764547200|1764547200",
           "one commit, message, author, committer, SOURCE_DATE_EPOCH time");
    is_str(out("git -C %s rev-parse --abbrev-ref HEAD", outd), "main", "on branch main");
    is_str(out("git -C %s ls-files | tr '\\n' ' '", outd),
           ".cache/narrative-2026-W47.json 2026-W47/digest.pdf 2026-W47/report.json index.html style.css "
           "weekly_ai_reports.jsonl",
           "week dir, index, style, table and narrative cache archived; temp file not");
    is_str(out("git -C %s rev-list --all --count 2>/dev/null", tmp), "0",
           "the enclosing repository got no commit");
    is_str(out("git -C %s status --porcelain --untracked-files=no", outd), "", "index matches the commit");
    put("out/.index.html.tmp.4242", "");
    snprintf(ex, sizeof ex, "%s/.index.html.tmp.4242", outd);
    unlink(ex);
    const char *first = strdup(out("git -C %s rev-parse HEAD", outd));

    /* 2. re-run with no change: no commit */
    err = archive_publish(outd, "2026-W47", &cfg, &eb);
    is_int(err, AID_OK, "re-run ok");
    is_str(out("git -C %s rev-parse HEAD", outd), first, "re-run without change makes no commit");

    /* 3. a second week */
    week_files("2026-W48", "<p>W47 W48</p>\n");
    err = archive_publish(outd, "2026-W48", &cfg, &eb);
    is_int(err, AID_OK, "second week published (%s)", eb.msg);
    is_str(out("git -C %s log --format=%%s | tr '\\n' ,", outd), "digest: 2026-W48,digest: 2026-W47,",
           "two commits, newest first");
    is_str(out("git -C %s show --format= --name-only HEAD | sort | tr '\\n' ' '", outd),
           ".cache/narrative-2026-W48.json 2026-W48/digest.pdf 2026-W48/report.json index.html "
           "weekly_ai_reports.jsonl",
           "second commit holds exactly what changed");
    /* a removed file is removed from the archive too */
    char p[400];
    snprintf(p, sizeof p, "%s/style.css", outd);
    unlink(p);
    put("out/index.html", "<p>W47 W48 again</p>\n");
    err = archive_publish(outd, "2026-W48", &cfg, &eb);
    is_int(err, AID_OK, "re-run of week 48 with changes");
    is_str(out("git -C %s show --format=%%s --name-status HEAD | tr '\\t\\n' ' ' ", outd),
           "digest: 2026-W48  M index.html D style.css", "changed file committed, removed file removed");

    /* 4. push into a bare repository */
    sh("git init -q --bare -b main %s", bare);
    cfg.archive_remote = bare;
    err = archive_publish(outd, "2026-W48", &cfg, &eb);
    is_int(err, AID_OK, "pushed to a bare repository (%s)", eb.msg);
    is_str(out("git --git-dir=%s rev-parse main", bare), out("git -C %s rev-parse HEAD", outd),
           "remote main is the local HEAD");
    {
        char log[200];
        snprintf(log, sizeof log, "%s", out("git --git-dir=%s log --format=%%s main | tr '\\n' ,", bare));
        is_str(log, "digest: 2026-W48,digest: 2026-W48,digest: 2026-W47,", "git log of the remote");
    }
    is_int(sh("git --git-dir=%s fsck --full --strict >/dev/null 2>&1", bare), 0, "git fsck of the remote is clean");
    is_int(sh("git clone -q %s %s/clone1 2>/dev/null", bare, tmp), 0, "fresh clone works");
    is_int(sh("diff -r -x .git %s/clone1 %s >/dev/null", tmp, outd), 0, "the clone has the archive's files");
    ok(!strstr(out("cat %s/.git/config", outd), bare), "remote not written into .git/config");

    /* 5. a competing commit in the remote */
    sh("%s clone -q %s %s/other 2>/dev/null", git, bare, tmp);
    put("other/2026-W49/report.json", "{\"week\":\"2026-W49\",\"by\":\"other\"}\n");
    put("other/index.html", "<p>theirs</p>\n");
    put("other/notes.txt", "theirs only\n");
    sh("cd %s/other && %s add -A && %s commit -q -m 'digest: 2026-W49 (elsewhere)' && git push -q origin main",
       tmp, git, git);
    const char *theirs = strdup(out("git --git-dir=%s rev-parse main", bare));
    week_files("2026-W49", "<p>ours</p>\n");
    err = archive_publish(outd, "2026-W49", &cfg, &eb);
    is_int(err, AID_OK, "push after a competing commit succeeds (%s)", eb.msg);
    is_str(out("git --git-dir=%s rev-parse main^", bare), theirs, "our commit sits on top of the other one");
    is_str(out("git --git-dir=%s log -1 --format=%%s main", bare), "digest: 2026-W49", "with our message");
    is_str(out("git --git-dir=%s show main:index.html", bare), "<p>ours</p>", "our file wins where we changed it");
    is_str(out("git --git-dir=%s show main:2026-W49/report.json", bare), "{\"week\":\"2026-W49\"}",
           "our week's files win");
    is_str(out("git --git-dir=%s show main:notes.txt", bare), "theirs only", "their other file is kept");
    is_str(out("git --git-dir=%s show main:2026-W47/report.json", bare), "{\"week\":\"2026-W47\"}",
           "history kept");
    is_str(out("git -C %s rev-parse HEAD", outd), out("git --git-dir=%s rev-parse main", bare),
           "local branch moved to the pushed commit");
    is_str(out("git -C %s status --porcelain", outd), "", "local working tree matches it");
    is_str(out("cat %s/notes.txt", outd), "theirs only", "local working tree got their file");
    is_int(sh("git --git-dir=%s fsck --full --strict >/dev/null 2>&1 && git -C %s fsck --full >/dev/null 2>&1",
              bare, outd), 0, "both repositories pass fsck");
    free((void *)theirs);

    /* 6. a fresh OUT (as on a CI runner) publishing into a remote with history */
    char fresh[300];
    snprintf(fresh, sizeof fresh, "%s/fresh", tmp);
    put("fresh/2026-W50/report.json", "{\"week\":\"2026-W50\"}\n");
    put("fresh/index.html", "<p>fresh</p>\n");
    err = archive_publish(fresh, "2026-W50", &cfg, &eb);
    is_int(err, AID_OK, "unrelated fresh archive rebuilt onto the remote (%s)", eb.msg);
    is_str(out("git --git-dir=%s log --format=%%s -2 main | tr '\\n' ,", bare), "digest: 2026-W50,digest: 2026-W49,",
           "remote history continues");
    is_str(out("git --git-dir=%s show main:2026-W49/report.json", bare), "{\"week\":\"2026-W49\"}",
           "earlier weeks kept");

    /* 7. a tag for a retraining request */
    err = archive_tag_retrain(outd, "2026-W49", &cfg, &eb);
    is_int(err, AID_OK, "retrain tag pushed (%s)", eb.msg);
    is_str(out("git --git-dir=%s cat-file -t retrain/2026-W49", bare), "tag", "annotated tag in the remote");
    is_str(out("git --git-dir=%s rev-parse retrain/2026-W49^{commit}", bare), out("git -C %s rev-parse HEAD", outd),
           "tag points at the archive's HEAD");
    snprintf(p, sizeof p, "%s/none", tmp);
    err = archive_tag_retrain(p, "2026-W49", &cfg, &eb);
    is_int(err, AID_ERR_NOTFOUND, "tag without an archive: not found");

    /* 8. a push that cannot be done leaves the local archive intact */
    snprintf(p, sizeof p, "%s/no-such-remote.git", tmp);
    cfg.archive_remote = p;
    week_files("2026-W51", "<p>51</p>\n");
    err = archive_publish(outd, "2026-W51", &cfg, &eb);
    ok(err != AID_OK, "push to a missing remote fails: %s", eb.msg);
    is_str(out("git -C %s log -1 --format=%%s", outd), "digest: 2026-W51", "local commit kept");
    is_int(sh("git -C %s fsck --full >/dev/null 2>&1", outd), 0, "local archive passes fsck");

    /* 9. a remote refusing authentication */
    char logf[400], port[32], url[128];
    snprintf(logf, sizeof logf, "%s/http.log", tmp);
    const char *root = getenv("AIDIGEST_ROOT");
    char script[600];
    snprintf(script, sizeof script, "%s/tests/lib/http401.py", root ? root : ".");
    char *argv[] = { "/usr/bin/python3", script, logf, NULL };
    pid_t srv = spawn_line(argv, port, sizeof port);
    ok(srv > 0 && atoi(port) > 0, "401 server on 127.0.0.1:%s", port);
    snprintf(url, sizeof url, "http://127.0.0.1:%s/archive.git", port);
    cfg.archive_remote = url;
    cfg.git_token = "tok-SECRET-123456";
    memset(&eb, 0, sizeof eb);
    err = archive_publish(outd, "2026-W51", &cfg, &eb);
    is_int(err, AID_ERR_AUTH, "refused login: AID_ERR_AUTH");
    ok(strstr(eb.msg, "authentication refused") && strstr(eb.msg, "127.0.0.1"), "clear message: %s", eb.msg);
    ok(!strstr(eb.msg, "SECRET"), "token not in the message");
    int requests = atoi(out("wc -l < %s", logf));
    ok(requests >= 1 && requests <= 4, "no retry loop (%d requests)", requests);
    ok(atoi(out("grep -cx auth %s", logf)) == 1, "the token was offered exactly once");
    ok(sh("grep -rq SECRET %s/.git", outd) != 0, "token not stored anywhere in .git");
    cfg.git_token = NULL;
    err = archive_publish(outd, "2026-W51", &cfg, &eb);
    is_int(err, AID_ERR_AUTH, "login asked, no token: AID_ERR_AUTH");
    ok(strstr(eb.msg, "AIDIGEST_GIT_TOKEN is not set") != NULL, "says the token is missing: %s", eb.msg);
    /* a token in the URL is not shown either */
    snprintf(url, sizeof url, "http://x-access-token:SECRETINURL@127.0.0.1:%s/archive.git", port);
    err = archive_publish(outd, "2026-W51", &cfg, &eb);
    ok(err != AID_OK && !strstr(eb.msg, "SECRETINURL"), "URL user info hidden: %s", eb.msg);
    /* plain http to a non-loopback host would never get the token: checked
     * without any network by the cred callback's host test (not reachable here) */
    if (srv > 0) {
        kill(srv, SIGTERM);
        waitpid(srv, NULL, 0);
    }
    is_str(out("git -C %s log -1 --format=%%s", outd), "digest: 2026-W51", "local archive intact after auth failure");
    is_int(sh("git -C %s fsck --full >/dev/null 2>&1", outd), 0, "and passes fsck");

    /* 11. git's smart HTTP protocol (git http-backend) with a token */
    {
        char groot[400], gport[32], gurl[160], hook[500], hooklog[500], o3[400];
        snprintf(groot, sizeof groot, "%s/srv", tmp);
        snprintf(hooklog, sizeof hooklog, "%s/hook.log", tmp);
        sh("mkdir -p %s && git init -q --bare -b main %s/web.git && git -C %s/web.git config http.receivepack true"
           " && git init -q --bare -b main %s/deny.git && git -C %s/deny.git config http.receivepack true",
           groot, groot, groot, groot, groot);
        snprintf(hook, sizeof hook, "%s/deny.git/hooks/pre-receive", groot);
        FILE *hf = fopen(hook, "w");
        if (hf) {
            fprintf(hf, "#!/bin/sh\necho run >> %s\necho 'archive is frozen' >&2\nexit 1\n", hooklog);
            fclose(hf);
        }
        chmod(hook, 0755);
        char gscript[600];
        snprintf(gscript, sizeof gscript, "%s/tests/lib/git_http.py", root ? root : ".");
        char *gargv[] = { "/usr/bin/python3", gscript, groot, "--token", "good-TOKEN-1", NULL };
        pid_t gsrv = spawn_line(gargv, gport, sizeof gport);
        ok(gsrv > 0 && atoi(gport) > 0, "git http-backend on 127.0.0.1:%s", gport);
        snprintf(gurl, sizeof gurl, "http://127.0.0.1:%s/web.git", gport);
        snprintf(o3, sizeof o3, "%s/o3", tmp);
        put("o3/2026-W47/report.json", "{\"week\":\"2026-W47\"}\n");
        put("o3/index.html", "<p>o3</p>\n");
        cfg.archive_remote = gurl;
        cfg.git_token = "good-TOKEN-1";
        memset(&eb, 0, sizeof eb);
        err = archive_publish(o3, "2026-W47", &cfg, &eb);
        is_int(err, AID_OK, "push over HTTP with the right token (%s)", eb.msg);
        is_str(out("git --git-dir=%s/web.git log --format=%%s main", groot), "digest: 2026-W47",
               "the HTTP remote has the commit");
        /* someone else publishes; we fetch over HTTP and rebuild */
        sh("%s clone -q %s/web.git %s/o4 && cd %s/o4 && echo x > theirs.txt && git add -A && "
           "%s commit -qm 'digest: 2026-W47 (elsewhere)' && git push -q origin main", git, groot, tmp, tmp, git);
        put("o3/2026-W48/report.json", "{\"week\":\"2026-W48\"}\n");
        err = archive_publish(o3, "2026-W48", &cfg, &eb);
        is_int(err, AID_OK, "competing commit handled over HTTP (%s)", eb.msg);
        is_str(out("git --git-dir=%s/web.git log --format=%%s main | tr '\\n' ,", groot),
               "digest: 2026-W48,digest: 2026-W47 (elsewhere),digest: 2026-W47,", "rebuilt on top");
        is_int(sh("git --git-dir=%s/web.git fsck --full --strict >/dev/null 2>&1", groot), 0, "HTTP remote passes fsck");
        /* a wrong token against a real git server */
        cfg.git_token = "wrong-TOKEN-2";
        put("o3/2026-W49/report.json", "{}\n");
        err = archive_publish(o3, "2026-W49", &cfg, &eb);
        is_int(err, AID_ERR_AUTH, "wrong token: AID_ERR_AUTH (%s)", eb.msg);
        ok(!strstr(eb.msg, "wrong-TOKEN"), "no token in the message");
        /* a server whose hook refuses the update: its refusal (status and
         * message), at once; rebuilding would not change its mind */
        snprintf(gurl, sizeof gurl, "http://127.0.0.1:%s/deny.git", gport);
        cfg.git_token = "good-TOKEN-1";
        err = archive_publish(o3, "2026-W49", &cfg, &eb);
        is_int(err, AID_ERR_GIT, "server refuses the update: AID_ERR_GIT");
        ok(strstr(eb.msg, "refused by the server: refs/heads/main: pre-receive hook declined (remote: archive is frozen)"),
           "says so, with the hook's message: %s", eb.msg);
        is_str(out("wc -l < %s", hooklog), "1", "a hook's refusal is not retried");
        is_str(out("git -C %s log -1 --format=%%s", o3), "digest: 2026-W49", "local commit kept");
        if (gsrv > 0) {
            kill(gsrv, SIGTERM);
            waitpid(gsrv, NULL, 0);
        }
        cfg.git_token = NULL;
    }

    /* 10. OUT on another branch is refused, not committed to */
    sh("git -C %s checkout -q -b other", outd);
    cfg.archive_remote = NULL;
    put("out/2026-W52/report.json", "{}\n");
    err = archive_publish(outd, "2026-W52", &cfg, &eb);
    is_int(err, AID_ERR_GIT, "archive on another branch: refused (%s)", eb.msg);

    /* 11. libgit2's owner validation: an OUT that belongs to another user
     * is refused with a line that says so (not mistaken for a missing
     * archive and re-created), and opened when the setting turns it off.
     * Root is not exempt in libgit2 1.5 (only sudo's SUDO_UID is), so as
     * root the test hands OUT to nobody. */
    if (geteuid() == 0) {
        char own[300];
        snprintf(own, sizeof own, "%s/owned", tmp);
        unsetenv("SUDO_UID");
        sh("%s init -q %s && %s -C %s commit -q --allow-empty -m first && chown -R 65534 %s", git, own, git,
           own, own);
        const char *before = strdup(out("git -c safe.directory='*' -C %s rev-parse HEAD", own));
        cfg.archive_remote = NULL;
        cfg.git_branch = "main";
        cfg.git_owner_validation_off = false;
        err = archive_publish(own, "2026-W47", &cfg, &eb);
        is_int(err, AID_ERR_GIT, "OUT owned by another user: refused (AID_ERR_GIT)");
        ok(strstr(eb.msg, "belongs to uid 65534") && strstr(eb.msg, "uid 0") &&
               strstr(eb.msg, "git_owner_validation = off") && strstr(eb.msg, "AIDIGEST_GIT_OWNER_VALIDATION=0"),
           "the line names the owner, this user and the setting: %s", eb.msg);
        is_str(out("git -c safe.directory='*' -C %s rev-list --count HEAD", own), "1", "nothing committed");
        cfg.git_owner_validation_off = true;
        put("owned/2026-W47/report.json", "{}\n");
        err = archive_publish(own, "2026-W47", &cfg, &eb);
        is_int(err, AID_OK, "with git_owner_validation = off it is published (%s)", eb.msg);
        is_str(out("git -c safe.directory='*' -C %s rev-parse HEAD~1", own), before, "on top of its own history");
        cfg.git_owner_validation_off = false;
        free((void *)before);
    } else {
        ok(1, "# SKIP owner validation needs root (to chown a repository to another user)");
    }

    sh("rm -rf %s", tmp);
    free((void *)first);
    return tap_done();
}
