#!/bin/sh
# scripts/archive-git.sh - git, authenticated for the digest archive, for the
# CI workflows (.github/workflows/weekly.yml, retrain.yml).
#
#   scripts/archive-git.sh clone OUT     clone branch AIDIGEST_GIT_BRANCH (default
#                                        main) of AIDIGEST_ARCHIVE_REMOTE into OUT;
#                                        a branch that does not exist yet is no
#                                        error (the first --publish creates it)
#   scripts/archive-git.sh push OUT      push OUT's HEAD to that branch
#   scripts/archive-git.sh git ARGS...   any git command with the same login
#
# For an https:// remote (or plain http on loopback, for tests), AIDIGEST_GIT_TOKEN is handed to git as an HTTP
# header through GIT_CONFIG_* environment variables: it is never on a command
# line, in a URL, in .git/config or in the output.
set -eu
: "${AIDIGEST_ARCHIVE_REMOTE:?AIDIGEST_ARCHIVE_REMOTE is not set}"
branch=${AIDIGEST_GIT_BRANCH:-main}
case "$AIDIGEST_ARCHIVE_REMOTE" in
https://* | http://127.0.0.1[:/]* | http://localhost[:/]*)
    if [ -n "${AIDIGEST_GIT_TOKEN:-}" ]; then
        GIT_CONFIG_COUNT=1
        GIT_CONFIG_KEY_0="http.$AIDIGEST_ARCHIVE_REMOTE.extraHeader"
        GIT_CONFIG_VALUE_0="Authorization: Basic $(printf 'x-access-token:%s' "$AIDIGEST_GIT_TOKEN" | base64 | tr -d '\n')"
        export GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0
    fi ;;
esac
export GIT_TERMINAL_PROMPT=0
cmd=${1:?usage: archive-git.sh clone OUT | push OUT | git ARGS...}
shift
case "$cmd" in
clone)
    out=${1:?usage: archive-git.sh clone OUT}
    set +e
    git ls-remote --exit-code --heads "$AIDIGEST_ARCHIVE_REMOTE" "refs/heads/$branch" >/dev/null
    rc=$?
    set -e
    if [ "$rc" -eq 2 ]; then
        echo "archive: branch $branch does not exist yet; the first --publish creates it" >&2
        exit 0
    elif [ "$rc" -ne 0 ]; then
        echo "archive: cannot read the archive remote (exit $rc)" >&2
        exit 3
    fi
    git clone -q --branch "$branch" --single-branch "$AIDIGEST_ARCHIVE_REMOTE" "$out" ;;
push)
    out=${1:?usage: archive-git.sh push OUT}
    git -C "$out" push -q "$AIDIGEST_ARCHIVE_REMOTE" "HEAD:refs/heads/$branch" ;;
git)
    git "$@" ;;
*)
    echo "usage: archive-git.sh clone OUT | push OUT | git ARGS..." >&2
    exit 2 ;;
esac
