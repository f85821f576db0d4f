#include "publish/archive.h"
#include "common/escape.h"

#include <git2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "common/urlshow.h"
#include "common/timeutil.h"

/* Where a fetched remote branch is kept (not under refs/remotes/, so that
 * no remote configuration is implied). */
#define ARCHIVE_FETCH_REF "refs/aidigest/remote/"

struct archive_net {
    const aid_config *cfg;
    const char *url;
    int cred_calls;        /* credential requests in the current operation */
    bool auth_failed;      /* the server refused our login */
    bool no_token;         /* a login was asked for and we have none */
    bool insecure;         /* a login was asked for over plain http to a non-loopback host */
    bool rejected;         /* the server refused a ref update */
    bool final_reject;     /* ... for a reason of its own (a hook), not because the branch moved */
    char reject_msg[256];
    char remote_msg[256];  /* what the server printed ("remote: ..."), one line */
    char line[256];        /* the server's line being received */
    size_t line_len;
};

/* ---- messages: one line, never the token, never URL user info ---- */

static aid_err archive_fail(aid_errbuf *eb, aid_err err, const aid_config *cfg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static aid_err archive_fail(aid_errbuf *eb, aid_err err, const aid_config *cfg, const char *fmt, ...)
{
    if (!eb)
        return err;
    char tmp[sizeof eb->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    /* one line */
    for (char *p = tmp; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    /* scrub the token wherever a library may have echoed it */
    const char *tok = cfg ? cfg->git_token : NULL;
    size_t tl = tok ? strlen(tok) : 0;
    size_t o = 0;
    for (const char *p = tmp; *p && o + 1 < sizeof eb->msg;) {
        if (tl && !strncmp(p, tok, tl)) {
            for (const char *r = "***"; *r && o + 1 < sizeof eb->msg; r++)
                eb->msg[o++] = *r;
            p += tl;
        } else {
            eb->msg[o++] = *p++;
        }
    }
    eb->msg[o] = '\0';
    esc_inplace(eb->msg, sizeof eb->msg);
    return err;
}

/* libgit2 1.5 reports an owner-validation refusal with the text of the
 * safe.directory lookup that failed (when no safe.directory is configured),
 * which tells nobody anything; see archive_owner_refused. */
#define ARCHIVE_LIBGIT2_OWNER_MSG "config value 'safe.directory' was not found"

static const char *archive_git_msg(void)
{
    const git_error *e = git_error_last();
    if (e && e->message && !strcmp(e->message, ARCHIVE_LIBGIT2_OWNER_MSG))
        return "the repository belongs to another user (libgit2's owner validation, "
               "see git_owner_validation in docs/deploy.md)";
    return e && e->message ? e->message : "unknown libgit2 error";
}

static aid_err archive_git_err_code(void)
{
    const git_error *e = git_error_last();
    if (e && (e->klass == GIT_ERROR_NET || e->klass == GIT_ERROR_SSL || e->klass == GIT_ERROR_HTTP ||
              e->klass == GIT_ERROR_OS))
        return AID_ERR_NETWORK;
    return AID_ERR_GIT;
}

/* ---- network callbacks ---- */

static bool archive_loopback_url(const char *url)
{
    static const char *const hosts[] = { "127.0.0.1", "localhost", "[::1]" };
    const char *h = strstr(url, "://");
    if (!h)
        return true;
    h += 3;
    const char *at = strchr(h, '@'), *slash = strchr(h, '/');
    if (at && (!slash || at < slash))
        h = at + 1;
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        size_t l = strlen(hosts[i]);
        if (!strncmp(h, hosts[i], l) && (h[l] == ':' || h[l] == '/' || h[l] == '\0'))
            return true;
    }
    return false;
}

static int archive_cred_cb(git_credential **out, const char *url, const char *username_from_url,
                           unsigned int allowed_types, void *payload)
{
    struct archive_net *net = payload;
    (void)url;
    net->cred_calls++;
    const char *token = net->cfg->git_token;
    if (!token || !*token) {
        net->no_token = true;
        git_error_set_str(GIT_ERROR_NET, "the remote asks for a login and AIDIGEST_GIT_TOKEN is not set");
        return GIT_EAUTH;
    }
    if (!strncmp(net->url, "http://", 7) && !archive_loopback_url(net->url)) {
        net->insecure = true;
        git_error_set_str(GIT_ERROR_NET, "refusing to send AIDIGEST_GIT_TOKEN over plain http");
        return GIT_EAUTH;
    }
    /* libgit2 asks again after the server refused the previous answer. */
    if (net->cred_calls > 1) {
        net->auth_failed = true;
        git_error_set_str(GIT_ERROR_NET, "the remote refused the login");
        return GIT_EAUTH;
    }
    if (!(allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
        net->auth_failed = true;
        git_error_set_str(GIT_ERROR_NET, "the remote wants a kind of login other than a token");
        return GIT_EAUTH;
    }
    const char *user = username_from_url && *username_from_url ? username_from_url : "x-access-token";
    return git_credential_userpass_plaintext_new(out, user, token);
}

/* A ref update the server refused because its branch moved (a lost race or
 * a non-fast-forward: rebuilding on the remote branch helps), as opposed to
 * a refusal of the server's own (a hook, a protected branch: final). */
static bool archive_status_is_race(const char *status)
{
    static const char *const race[] = { "non-fast-forward", "fetch first", "failed to lock", "cannot lock",
                                        "failed to update ref", "stale info" };
    for (size_t i = 0; i < sizeof race / sizeof race[0]; i++)
        if (strstr(status, race[i]))
            return true;
    return false;
}

static int archive_push_ref_cb(const char *refname, const char *status, void *payload)
{
    struct archive_net *net = payload;
    if (status) {
        net->rejected = true;
        if (!archive_status_is_race(status))
            net->final_reject = true;
        snprintf(net->reject_msg, sizeof net->reject_msg, "%s: %s", refname, status);
    }
    return 0;
}

/* The server's own messages (a hook's stderr, sent on the side band) are
 * kept as one line: lines joined by "; ", control characters as '?'. A line
 * ended by '\r' is a progress meter that overwrites itself: dropped.
 * archive_sideband_line: the line received so far joins remote_msg (when
 * it fits). */
static void archive_sideband_line(struct archive_net *net)
{
    size_t o = strlen(net->remote_msg);
    if (net->line_len && o + 2 + net->line_len < sizeof net->remote_msg) {
        if (o) {
            memcpy(net->remote_msg + o, "; ", 2);
            o += 2;
        }
        memcpy(net->remote_msg + o, net->line, net->line_len);
        net->remote_msg[o + net->line_len] = '\0';
    }
    net->line_len = 0;
}

static int archive_sideband_cb(const char *str, int len, void *payload)
{
    struct archive_net *net = payload;
    for (int i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];
        if (c == '\r') {
            net->line_len = 0;
        } else if (c == '\n') {
            archive_sideband_line(net);
        } else if (net->line_len + 1 < sizeof net->line) {
            net->line[net->line_len++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
        }
    }
    return 0;
}

static void archive_net_reset(struct archive_net *net)
{
    net->cred_calls = 0;
    net->auth_failed = net->no_token = net->insecure = net->rejected = net->final_reject = false;
    net->reject_msg[0] = '\0';
    net->remote_msg[0] = '\0';
    net->line_len = 0;
}

static void archive_callbacks(git_remote_callbacks *cb, struct archive_net *net)
{
    cb->credentials = archive_cred_cb;
    cb->push_update_reference = archive_push_ref_cb;
    cb->sideband_progress = archive_sideband_cb;
    cb->payload = net;
}

static bool archive_net_auth_failed(const struct archive_net *net, int rc)
{
    return net->auth_failed || net->no_token || net->insecure || rc == GIT_EAUTH;
}

static aid_err archive_auth_fail(aid_errbuf *eb, const struct archive_net *net, const char *what)
{
    char shown[512];
    urlshow(net->url, shown, sizeof shown);
    const char *why = net->no_token ? "a login is required and AIDIGEST_GIT_TOKEN is not set"
                      : net->insecure ? "refusing to send AIDIGEST_GIT_TOKEN over plain http"
                                      : "authentication refused (check AIDIGEST_GIT_TOKEN)";
    return archive_fail(eb, AID_ERR_AUTH, net->cfg, "archive: %s %s: %s", what, shown, why);
}

/* ---- repository ---- */

static int archive_signature(git_signature **sig, const aid_config *cfg)
{
    const char *name = cfg->git_name && *cfg->git_name ? cfg->git_name : "aidigest";
    const char *email = cfg->git_email && *cfg->git_email ? cfg->git_email : "aidigest@localhost";
    if (timeutil_have_source_date())
        return git_signature_new(sig, name, email, (git_time_t)(timeutil_now_ms() / 1000), 0);
    return git_signature_now(sig, name, email);
}

static const char *archive_branch(const aid_config *cfg)
{
    return cfg->git_branch && *cfg->git_branch ? cfg->git_branch : "main";
}

/* Open OUT as a repository (never one above it); create it when create. */
/* ---- owner validation ----
 * libgit2 (1.5 and later), like git's safe.directory, refuses to open a
 * repository whose directory or .git belongs to a user other than the one
 * running (root included; only sudo's SUDO_UID is let through). That protects
 * a user from the hooks and configuration of a repository somebody else
 * controls, so it stays on unless the deployment turns it off
 * (cfg->git_owner_validation_off; docs/deploy.md). libgit2 1.5 reports the
 * refusal as "not found" (GIT_ENOTFOUND with the safe.directory text), which
 * would make an existing archive look absent; so after a failed open the
 * owners are checked here, to refuse with a line that says what happened. */
static void archive_set_owner_validation(const aid_config *cfg)
{
    git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, cfg->git_owner_validation_off ? 0 : 1);
}

/* With validation on: true (and the owner's uid) when OUT or OUT/.git
 * exists and belongs to another user than the effective one. */
static bool archive_owner_refused(const char *out_dir, const aid_config *cfg, unsigned long *owner)
{
    if (cfg->git_owner_validation_off)
        return false;
    strbuf path = STRBUF_INIT;
    bool refused = false;
    const char *const sub[] = { NULL, ".git" };
    for (size_t i = 0; i < sizeof sub / sizeof sub[0] && !refused; i++) {
        struct stat st;
        const char *p = out_dir;
        if (sub[i]) {
            if (fsutil_join(&path, out_dir, sub[i]) < 0)
                break;
            p = path.buf;
        }
        if (stat(p, &st) == 0 && st.st_uid != geteuid()) {
            *owner = (unsigned long)st.st_uid;
            refused = true;
        }
    }
    strbuf_release(&path);
    return refused;
}

static aid_err archive_open(git_repository **repo, const char *out_dir, const char *branch_ref,
                            bool create, const aid_config *cfg, aid_errbuf *eb)
{
    archive_set_owner_validation(cfg);
    int rc = git_repository_open_ext(repo, out_dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
    unsigned long owner = 0;
    if (rc < 0 && archive_owner_refused(out_dir, cfg, &owner))
        return archive_fail(eb, AID_ERR_GIT, cfg,
                            "archive: %s belongs to uid %lu, not to this user (uid %lu), and libgit2 refuses "
                            "such a repository (as git does without safe.directory); if that is intended "
                            "(CI checking out as one user and running as another), set git_owner_validation = "
                            "off or AIDIGEST_GIT_OWNER_VALIDATION=0 (docs/deploy.md)",
                            out_dir, owner, (unsigned long)geteuid());
    if (rc == GIT_ENOTFOUND && create) {
        aid_err err = fsutil_mkdirs(out_dir, eb);
        if (err)
            return err;
        git_repository_init_options io;
        git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
        io.flags = GIT_REPOSITORY_INIT_MKPATH;
        io.initial_head = branch_ref + strlen("refs/heads/");
        rc = git_repository_init_ext(repo, out_dir, &io);
        if (rc < 0)
            return archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s: cannot create a git repository: %s",
                                out_dir, archive_git_msg());
    } else if (rc == GIT_ENOTFOUND) {
        return archive_fail(eb, AID_ERR_NOTFOUND, cfg, "archive: %s is not a git repository (publish first)",
                            out_dir);
    } else if (rc < 0) {
        return archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s: %s", out_dir, archive_git_msg());
    }
    if (git_repository_is_bare(*repo)) {
        git_repository_free(*repo);
        *repo = NULL;
        return archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s is a bare repository, expected a working tree",
                            out_dir);
    }
    /* HEAD must be our branch; an unborn HEAD is simply pointed at it. */
    git_reference *head = NULL;
    rc = git_reference_lookup(&head, *repo, "HEAD");
    if (rc == 0 && git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
        strcmp(git_reference_symbolic_target(head), branch_ref)) {
        bool unborn = git_repository_head_unborn(*repo) == 1;
        if (unborn) {
            rc = git_repository_set_head(*repo, branch_ref);
        } else {
            aid_err err = archive_fail(eb, AID_ERR_GIT, cfg,
                                       "archive: %s is on %s, expected %s (AIDIGEST_GIT_BRANCH)", out_dir,
                                       git_reference_symbolic_target(head), branch_ref);
            git_reference_free(head);
            git_repository_free(*repo);
            *repo = NULL;
            return err;
        }
    }
    git_reference_free(head);
    if (rc < 0) {
        git_repository_free(*repo);
        *repo = NULL;
        return archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s: %s", out_dir, archive_git_msg());
    }
    return AID_OK;
}

/* Never archived: fsutil's temporary files ".<name>.tmp.<pid>", the stage
 * directories of runs ".stage.tmp.<pid>/" (of this run or of a killed one)
 * and the local raw quarantine ".raw/". git_index_add_all hands over file
 * paths, so every component of the path is looked at, not only the last. */
static int archive_skip_tmp(const char *path, const char *matched, void *payload)
{
    (void)matched;
    (void)payload;
    for (const char *c = path; c && *c;) {
        const char *slash = strchr(c, '/');
        size_t n = slash ? (size_t)(slash - c) : strlen(c);
        if (c[0] == '.' && (memmem(c, n, ".tmp.", 5) || (n == 4 && !memcmp(c, ".raw", 4))))
            return 1;
        c = slash ? slash + 1 : NULL;
    }
    return 0;
}

static aid_err archive_commit(git_repository *repo, const char *branch_ref, const char *what, const char *week,
                              const aid_config *cfg, bool *committed, aid_errbuf *eb)
{
    git_index *idx = NULL;
    git_signature *sig = NULL;
    git_commit *parent = NULL;
    git_tree *tree = NULL;
    git_oid tree_oid, parent_oid, commit_oid;
    strbuf msg = STRBUF_INIT;
    aid_err err = AID_OK;
    *committed = false;

    if (git_repository_index(&idx, repo) < 0 || git_index_read(idx, 1) < 0 ||
        git_index_add_all(idx, NULL, GIT_INDEX_ADD_DEFAULT, archive_skip_tmp, NULL) < 0 ||
        git_index_update_all(idx, NULL, archive_skip_tmp, NULL) < 0 || git_index_write(idx) < 0 ||
        git_index_write_tree(&tree_oid, idx) < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: staging %s: %s", week, archive_git_msg());
        goto cleanup;
    }
    int rc = git_reference_name_to_id(&parent_oid, repo, branch_ref);
    if (rc == 0) {
        if (git_commit_lookup(&parent, repo, &parent_oid) < 0) {
            err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s: %s", branch_ref, archive_git_msg());
            goto cleanup;
        }
        if (git_oid_equal(git_commit_tree_id(parent), &tree_oid))
            goto cleanup; /* nothing changed: no commit */
    } else if (rc != GIT_ENOTFOUND) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s: %s", branch_ref, archive_git_msg());
        goto cleanup;
    }
    if (strbuf_addf(&msg, "%s: %s\n", what, week) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    const git_commit *parents[1] = { parent };
    if (git_tree_lookup(&tree, repo, &tree_oid) < 0 || archive_signature(&sig, cfg) < 0 ||
        git_commit_create(&commit_oid, repo, branch_ref, sig, sig, NULL, msg.buf, tree, parent ? 1 : 0,
                          parents) < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: committing %s: %s", week, archive_git_msg());
        goto cleanup;
    }
    *committed = true;
cleanup:
    strbuf_release(&msg);
    git_tree_free(tree);
    git_commit_free(parent);
    git_signature_free(sig);
    git_index_free(idx);
    return err;
}

/* Replay what changed from base_tree (NULL: nothing, so all of local_tree)
 * to local_tree on top of their_tree; the result's id in *out. A file we
 * deleted is deleted on their side only where they still have it. */
static aid_err archive_replay(git_repository *repo, git_tree *base_tree, git_tree *local_tree,
                              git_tree *their_tree, git_oid *out, const aid_config *cfg, aid_errbuf *eb)
{
    git_diff *diff = NULL;
    git_tree_update *upd = NULL;
    aid_err err = AID_OK;
    git_diff_options dop;
    git_diff_options_init(&dop, GIT_DIFF_OPTIONS_VERSION);
    if (git_diff_tree_to_tree(&diff, repo, base_tree, local_tree, &dop) < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: diff: %s", archive_git_msg());
        goto cleanup;
    }
    size_t nd = git_diff_num_deltas(diff), nu = 0;
    upd = calloc(nd ? nd : 1, sizeof *upd);
    if (!upd) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < nd; i++) {
        const git_diff_delta *d = git_diff_get_delta(diff, i);
        if (d->status == GIT_DELTA_DELETED) {
            git_tree_entry *te = NULL;
            if (git_tree_entry_bypath(&te, their_tree, d->old_file.path) == 0) {
                upd[nu].action = GIT_TREE_UPDATE_REMOVE;
                upd[nu].path = d->old_file.path;
                nu++;
            }
            git_tree_entry_free(te);
        } else {
            upd[nu].action = GIT_TREE_UPDATE_UPSERT;
            upd[nu].path = d->new_file.path;
            git_oid_cpy(&upd[nu].id, &d->new_file.id);
            upd[nu].filemode = d->new_file.mode;
            nu++;
        }
    }
    if (git_tree_create_updated(out, repo, their_tree, nu, upd) < 0)
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: rebuilding on the remote branch: %s",
                           archive_git_msg());
cleanup:
    free(upd);
    git_diff_free(diff);
    return err;
}

/* The remote branch moved: fetch it, rebuild our local changes (everything
 * changed since the common ancestor, or all our files when there is none)
 * on top of it, move the local branch and working tree there. */
static aid_err archive_rebuild(git_repository *repo, git_remote *remote, const char *branch_ref,
                               struct archive_net *net, aid_errbuf *eb)
{
    const aid_config *cfg = net->cfg;
    strbuf fetch_spec = STRBUF_INIT, fetch_ref = STRBUF_INIT;
    git_commit *local = NULL, *theirs = NULL, *base = NULL, *rebuilt = NULL;
    git_tree *local_tree = NULL, *their_tree = NULL, *base_tree = NULL, *new_tree = NULL;
    git_oid local_oid, their_oid, base_oid, new_tree_oid, new_oid;
    git_reference *ref = NULL;
    aid_err err = AID_OK;
    const char *bname = branch_ref + strlen("refs/heads/");

    if (strbuf_addf(&fetch_ref, ARCHIVE_FETCH_REF "%s", bname) < 0 ||
        strbuf_addf(&fetch_spec, "+%s:%s", branch_ref, fetch_ref.buf) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    char *specs[1] = { fetch_spec.buf };
    git_strarray sa = { specs, 1 };
    git_fetch_options fo;
    git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
    archive_callbacks(&fo.callbacks, net);
    fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    /* a branch fetched earlier (maybe from another remote) must not pass
     * for this remote's */
    int rc = git_reference_remove(repo, fetch_ref.buf);
    if (rc < 0 && rc != GIT_ENOTFOUND) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s: %s", fetch_ref.buf, archive_git_msg());
        goto cleanup;
    }
    archive_net_reset(net);
    rc = git_remote_fetch(remote, &sa, &fo, NULL);
    if (rc < 0) {
        if (archive_net_auth_failed(net, rc))
            err = archive_auth_fail(eb, net, "fetch from");
        else
            err = archive_fail(eb, archive_git_err_code(), cfg, "archive: fetch after a refused push: %s",
                               archive_git_msg());
        goto cleanup;
    }
    rc = git_reference_name_to_id(&their_oid, repo, fetch_ref.buf);
    if (rc == GIT_ENOTFOUND) {
        err = archive_fail(eb, AID_ERR_GIT, cfg,
                           "archive: push refused, and the remote has no branch %s to rebuild on "
                           "(local archive kept; publish again later)", bname);
        goto cleanup;
    }
    if (rc < 0 || git_reference_name_to_id(&local_oid, repo, branch_ref) < 0 ||
        git_commit_lookup(&theirs, repo, &their_oid) < 0 || git_commit_lookup(&local, repo, &local_oid) < 0 ||
        git_commit_tree(&their_tree, theirs) < 0 || git_commit_tree(&local_tree, local) < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: remote branch %s after fetch: %s", bname,
                           archive_git_msg());
        goto cleanup;
    }
    if (git_graph_descendant_of(repo, &local_oid, &their_oid) == 1)
        goto cleanup; /* already on top (the remote moved back to us) */

    rc = git_merge_base(&base_oid, repo, &local_oid, &their_oid);
    if (rc == 0) {
        if (git_commit_lookup(&base, repo, &base_oid) < 0 || git_commit_tree(&base_tree, base) < 0) {
            err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s", archive_git_msg());
            goto cleanup;
        }
    } else if (rc != GIT_ENOTFOUND) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s", archive_git_msg());
        goto cleanup;
    }
    if ((err = archive_replay(repo, base_tree, local_tree, their_tree, &new_tree_oid, cfg, eb)))
        goto cleanup;
    if (git_tree_lookup(&new_tree, repo, &new_tree_oid) < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: rebuilding on the remote branch: %s",
                           archive_git_msg());
        goto cleanup;
    }
    if (git_oid_equal(&new_tree_oid, git_tree_id(their_tree))) {
        git_oid_cpy(&new_oid, &their_oid); /* the remote already has our files */
    } else {
        const git_commit *parents[1] = { theirs };
        if (git_commit_create(&new_oid, repo, NULL, git_commit_author(local), git_commit_committer(local),
                              NULL, git_commit_message(local), new_tree, 1, parents) < 0) {
            err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: rebuilding the commit: %s",
                               archive_git_msg());
            goto cleanup;
        }
    }
    /* Working tree and index first (a safe checkout refuses to overwrite
     * anything unexpected), then the branch. */
    if (git_commit_lookup(&rebuilt, repo, &new_oid) < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: %s", archive_git_msg());
        goto cleanup;
    }
    git_checkout_options co;
    git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
    co.checkout_strategy = GIT_CHECKOUT_SAFE;
    if (git_checkout_tree(repo, (const git_object *)rebuilt, &co) < 0 ||
        git_reference_create(&ref, repo, branch_ref, &new_oid, 1, "aidigest: rebuilt on the remote branch") < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: moving %s onto the remote branch: %s", bname,
                           archive_git_msg());
        goto cleanup;
    }
cleanup:
    git_reference_free(ref);
    git_tree_free(new_tree);
    git_tree_free(base_tree);
    git_tree_free(their_tree);
    git_tree_free(local_tree);
    git_commit_free(rebuilt);
    git_commit_free(base);
    git_commit_free(theirs);
    git_commit_free(local);
    strbuf_release(&fetch_spec);
    strbuf_release(&fetch_ref);
    return err;
}

/* ---- a remote on the local file system ----
 * libgit2's local transport (a path, or a file:// URL) copies the objects
 * and writes the remote's refs itself: none of the remote repository's
 * hooks run, so a pre-receive hook that would refuse is bypassed. Such a
 * remote with a receive hook is therefore refused before pushing. */

/* The directory of a local remote (a path, or file:///path), or NULL when
 * url is a network URL (scheme:// or scp-like host:path). */
static const char *archive_local_path(const char *url)
{
    if (!strncmp(url, "file://", 7)) {
        const char *p = url + 7;
        if (!strncmp(p, "localhost/", 10))
            p += 9;
        return p;
    }
    if (strstr(url, "://") || strchr(url, ':'))
        return NULL;
    return url;
}

/* The hooks git receive-pack would run for a push (githooks(5)). */
static const char *const archive_receive_hooks[] = { "pre-receive", "update", "proc-receive",
                                                     "reference-transaction", "post-receive", "post-update" };

/* *found: the first receive hook of the bare repository at dir that git
 * would run (an executable regular file in its hooks directory, which is
 * core.hooksPath when that is set, relative to the repository), or "". */
static aid_err archive_local_hook(const char *dir, strbuf *found, const char *shown, const aid_config *cfg,
                                  aid_errbuf *eb)
{
    git_repository *rrepo = NULL;
    git_config *rcfg = NULL;
    git_buf hp = { 0 };
    strbuf hooks = STRBUF_INIT;
    aid_err err = AID_OK;

    if (git_repository_open_ext(&rrepo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE, NULL) < 0 ||
        git_repository_config_snapshot(&rcfg, rrepo) < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: remote %s: %s", shown, archive_git_msg());
        goto cleanup;
    }
    int rc = git_config_get_path(&hp, rcfg, "core.hooksPath");
    if (rc < 0 && rc != GIT_ENOTFOUND) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: remote %s: core.hooksPath: %s", shown,
                           archive_git_msg());
        goto cleanup;
    }
    const char *gitdir = git_repository_path(rrepo);
    int mem = rc == 0 ? (hp.ptr[0] == '/' ? strbuf_adds(&hooks, hp.ptr) : fsutil_join(&hooks, gitdir, hp.ptr))
                      : fsutil_join(&hooks, gitdir, "hooks");
    if (mem < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < sizeof archive_receive_hooks / sizeof archive_receive_hooks[0] && !found->len; i++) {
        struct stat st;
        if (fsutil_join(found, hooks.buf, archive_receive_hooks[i]) < 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        if (!(stat(found->buf, &st) == 0 && S_ISREG(st.st_mode) && access(found->buf, X_OK) == 0))
            strbuf_reset(found);
    }
cleanup:
    strbuf_release(&hooks);
    git_buf_dispose(&hp);
    git_config_free(rcfg);
    git_repository_free(rrepo);
    return err;
}

/* A local remote must be a bare repository (libgit2 cannot push into
 * anything else, and says "unsupported URL protocol" when it is absent)
 * without receive hooks (they would not run). */
static aid_err archive_check_local_remote(const char *dir, const char *shown, const aid_config *cfg,
                                          aid_errbuf *eb)
{
    strbuf head = STRBUF_INIT, hook = STRBUF_INIT;
    aid_err err = AID_OK;
    bool bare = fsutil_join(&head, dir, "HEAD") == 0 && fsutil_exists(head.buf);
    if (!bare) {
        err = archive_fail(eb, AID_ERR_GIT, cfg,
                           "archive: %s is not a bare git repository (AIDIGEST_ARCHIVE_REMOTE; create it "
                           "with git init --bare)", shown);
        goto cleanup;
    }
    if ((err = archive_local_hook(dir, &hook, shown, cfg, eb)))
        goto cleanup;
    if (hook.len)
        err = archive_fail(eb, AID_ERR_GIT, cfg,
                           "archive: refusing to push to %s: it has a hook (%s) that a push to a local path "
                           "would not run (libgit2 writes the refs itself); serve it over https:// (git "
                           "http-backend) and give that URL, or publish without AIDIGEST_ARCHIVE_REMOTE and "
                           "push with git over ssh or a path (scripts/archive-git.sh push; docs/deploy.md)",
                           shown, hook.buf);
cleanup:
    strbuf_release(&hook);
    strbuf_release(&head);
    return err;
}

/* Push refspec to the remote; when rebuild_ref is set, a refused update of
 * that branch is answered by rebuilding on the remote and trying again. */
static aid_err archive_push(git_repository *repo, const char *refspec, const char *rebuild_ref,
                            const aid_config *cfg, aid_errbuf *eb)
{
    git_remote *remote = NULL;
    struct archive_net net = { .cfg = cfg, .url = cfg->archive_remote };
    char shown[512];
    aid_err err = AID_OK;
    urlshow(cfg->archive_remote, shown, sizeof shown);

    const char *local = archive_local_path(cfg->archive_remote);
    if (local && (err = archive_check_local_remote(local, shown, cfg, eb)))
        goto cleanup;
    /* Anonymous: nothing is written to .git/config. No url.*.insteadOf
     * rewriting (it would also leak memory inside libgit2 1.5's pcre2 use). */
    git_remote_create_options ro;
    git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    ro.repository = repo;
    ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    if (git_remote_create_with_opts(&remote, cfg->archive_remote, &ro) < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: remote %s: %s", shown, archive_git_msg());
        goto cleanup;
    }
    char *specs[1] = { (char *)refspec };
    git_strarray sa = { specs, 1 };
    for (int attempt = 1;; attempt++) {
        git_push_options po;
        git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
        archive_callbacks(&po.callbacks, &net);
        archive_net_reset(&net);
        int rc = git_remote_push(remote, &sa, &po);
        if (rc == 0 && !net.rejected)
            break;
        if (archive_net_auth_failed(&net, rc)) {
            err = archive_auth_fail(eb, &net, "push to");
            goto cleanup;
        }
        bool refused = net.rejected || rc == GIT_ENONFASTFORWARD;
        if (!refused) {
            err = archive_fail(eb, archive_git_err_code(), cfg, "archive: push to %s failed: %s", shown,
                               archive_git_msg());
            goto cleanup;
        }
        if (net.final_reject) {
            archive_sideband_line(&net); /* a last line without its newline */
            const char *said = net.remote_msg;
            err = archive_fail(eb, AID_ERR_GIT, cfg,
                               "archive: push to %s refused by the server: %s%s%s%s (local archive kept; "
                               "publish again later)", shown, net.reject_msg, *said ? " (remote: " : "", said,
                               *said ? ")" : "");
            goto cleanup;
        }
        if (!rebuild_ref || attempt >= ARCHIVE_PUSH_ATTEMPTS) {
            err = archive_fail(eb, AID_ERR_GIT, cfg,
                               "archive: push to %s refused%s%s%s (local archive kept; publish again later)",
                               shown, attempt > 1 ? " after retries" : "", net.rejected ? ": " : "",
                               net.rejected ? net.reject_msg : "");
            goto cleanup;
        }
        if ((err = archive_rebuild(repo, remote, rebuild_ref, &net, eb)))
            goto cleanup;
    }
cleanup:
    git_remote_free(remote);
    return err;
}

aid_err archive_publish(const char *out_dir, const char *week, const aid_config *cfg, aid_errbuf *eb)
{
    return archive_publish_as(out_dir, "digest", week, cfg, eb);
}

aid_err archive_publish_as(const char *out_dir, const char *what, const char *week, const aid_config *cfg,
                           aid_errbuf *eb)
{
    git_repository *repo = NULL;
    strbuf branch_ref = STRBUF_INIT, refspec = STRBUF_INIT;
    aid_err err = AID_OK;
    bool committed = false;

    if (strbuf_addf(&branch_ref, "refs/heads/%s", archive_branch(cfg)) < 0 ||
        strbuf_addf(&refspec, "%s:%s", branch_ref.buf, branch_ref.buf) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    int valid = 0;
    if (git_reference_name_is_valid(&valid, branch_ref.buf) < 0 || !valid) {
        err = archive_fail(eb, AID_ERR_CONFIG, cfg, "archive: '%s' is not a valid branch name (AIDIGEST_GIT_BRANCH)",
                           archive_branch(cfg));
        goto cleanup;
    }
    if ((err = archive_open(&repo, out_dir, branch_ref.buf, true, cfg, eb)))
        goto cleanup;
    if ((err = archive_commit(repo, branch_ref.buf, what, week, cfg, &committed, eb)))
        goto cleanup;
    if (cfg->archive_remote && *cfg->archive_remote && git_repository_head_unborn(repo) != 1)
        err = archive_push(repo, refspec.buf, branch_ref.buf, cfg, eb);
cleanup:
    git_repository_free(repo);
    strbuf_release(&refspec);
    strbuf_release(&branch_ref);
    return err;
}

aid_err archive_tag_retrain(const char *out_dir, const char *week, const aid_config *cfg, aid_errbuf *eb)
{
    git_repository *repo = NULL;
    git_object *head = NULL;
    git_signature *sig = NULL;
    strbuf branch_ref = STRBUF_INIT, tag = STRBUF_INIT, msg = STRBUF_INIT, refspec = STRBUF_INIT;
    git_oid tag_oid;
    aid_err err = AID_OK;

    if (strbuf_addf(&branch_ref, "refs/heads/%s", archive_branch(cfg)) < 0 ||
        strbuf_addf(&tag, "retrain/%s", week) < 0 ||
        strbuf_addf(&msg, "retrain request for %s\n", week) < 0 ||
        strbuf_addf(&refspec, "+refs/tags/%s:refs/tags/%s", tag.buf, tag.buf) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((err = archive_open(&repo, out_dir, branch_ref.buf, false, cfg, eb)))
        goto cleanup;
    if (git_revparse_single(&head, repo, "HEAD^{commit}") < 0) {
        err = archive_fail(eb, AID_ERR_NOTFOUND, cfg, "archive: %s has no commit to tag (publish first)", out_dir);
        goto cleanup;
    }
    if (archive_signature(&sig, cfg) < 0 || git_tag_create(&tag_oid, repo, tag.buf, head, sig, msg.buf, 1) < 0) {
        err = archive_fail(eb, AID_ERR_GIT, cfg, "archive: tag %s: %s", tag.buf, archive_git_msg());
        goto cleanup;
    }
    if (cfg->archive_remote && *cfg->archive_remote)
        err = archive_push(repo, refspec.buf, NULL, cfg, eb);
cleanup:
    git_signature_free(sig);
    git_object_free(head);
    git_repository_free(repo);
    strbuf_release(&refspec);
    strbuf_release(&msg);
    strbuf_release(&tag);
    strbuf_release(&branch_ref);
    return err;
}
