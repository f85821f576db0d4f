/*
 * archive.h - OUT as a git repository: commit a week, push it, tag a
 * retraining request (libgit2).
 *
 * The archive is the directory OUT itself (never a repository above it):
 * archive_publish makes it a repository on branch cfg->git_branch (default
 * "main") when it is not one, stages everything in OUT except the
 * temporary files of fsutil (".<name>.tmp.<pid>"), and commits
 * "digest: <week>" when the tree changed. No change, no commit.
 *
 * Signature: cfg->git_name <cfg->git_email>, as author and committer, at
 * SOURCE_DATE_EPOCH when it is set (so re-runs give the same commit id),
 * else now.
 *
 * Push: when cfg->archive_remote is set (the path of a bare repository, or
 * an https:// URL), the branch is pushed there without being written into
 * .git/config. The token cfg->git_token is sent as the password of user
 * "x-access-token" (GitHub's convention; a user name in the URL wins) when
 * the server asks for a login; over plain http:// only to a loopback host
 * (tests). The token never appears in any message or file.
 *
 * When the remote refuses the push because its branch moved (somebody else
 * published first), the remote branch is fetched and this week's commit is
 * rebuilt on top of it: the paths this commit changed (added, modified,
 * removed) are applied to the remote tip's tree, so our files win for those
 * paths and the remote's files stay for all others. The local branch and
 * working tree move to the rebuilt commit, and the push is tried again, at
 * most ARCHIVE_PUSH_ATTEMPTS times in all. An authentication failure ends at
 * once with one clear line (AID_ERR_AUTH), without retrying; so does a
 * refusal of the server's own (a hook declined, a protected branch:
 * AID_ERR_GIT with the server's status and what it printed).
 *
 * Hooks: libgit2 pushes to a local remote (a path or file:// URL) by writing
 * its refs itself, so none of its hooks would run. A local remote with a
 * receive hook (pre-receive, update, proc-receive, reference-transaction,
 * post-receive, post-update: an executable file in its hooks directory, or
 * in its core.hooksPath) is refused before pushing (AID_ERR_GIT, naming the
 * hook).
 *
 * A failed push (network, refused, authentication) leaves the local archive
 * as a valid repository holding this week's commit; the next --publish
 * pushes it. Errors: AID_ERR_GIT (local repository or push refused),
 * AID_ERR_NETWORK, AID_ERR_AUTH; eb gets one line. Nothing is printed.
 *
 * Owner validation: libgit2, like git's safe.directory, refuses a
 * repository (OUT, or a bare remote given as a path) whose directory belongs
 * to another user. It stays on unless cfg->git_owner_validation_off is set
 * (git_owner_validation = off, AIDIGEST_GIT_OWNER_VALIDATION=0; docs/deploy.md
 * says when a deployment needs that); a refused OUT is AID_ERR_GIT with a
 * line naming both users and the setting. The option is process-wide in
 * libgit2 and set from cfg by each call here.
 *
 * The program calls git_libgit2_init once before these functions (cli/main.c
 * does; unit tests through tests/libinit.h).
 */
#ifndef AID_ARCHIVE_H
#define AID_ARCHIVE_H

#include "common/config.h"
#include "common/err.h"

#define ARCHIVE_PUSH_ATTEMPTS 3

/* Commit OUT's files as "digest: <week>" (if anything changed) and push to
 * cfg->archive_remote (if set). week is "YYYY-Www". */
aid_err archive_publish(const char *out_dir, const char *week, const aid_config *cfg,
                        aid_errbuf *eb);

/* The same with the commit message "<what>: <week>" (`retrain --publish`:
 * "retrain"). */
aid_err archive_publish_as(const char *out_dir, const char *what, const char *week, const aid_config *cfg,
                           aid_errbuf *eb);

/* Tag the archive's HEAD "retrain/<week>" (annotated, message "retrain
 * request for <week>"; an existing tag of that name is moved) and push the
 * tag to cfg->archive_remote when set. The archive must exist and have a
 * commit (AID_ERR_NOTFOUND otherwise). */
aid_err archive_tag_retrain(const char *out_dir, const char *week, const aid_config *cfg,
                            aid_errbuf *eb);

#endif
