#!/bin/sh
# The archive in CI: scripts/archive-git.sh clones and pushes the archive
# branch the way .github/workflows/*.yml use it, against real git (a bare
# repository, and an HTTP server on 127.0.0.1 that refuses every login).
# archive_publish itself is tested in tests/unit/test_archive.c.
. "$(dirname "$0")/../lib/tap.sh"
S="$AIDIGEST_ROOT/scripts/archive-git.sh"
export GIT_CONFIG_NOSYSTEM=1 HOME="$TMP"
git config --global user.name t; git config --global user.email t@t
git config --global init.defaultBranch main
export AIDIGEST_ARCHIVE_REMOTE="$TMP/remote.git" AIDIGEST_GIT_BRANCH=digest-archive
git init -q --bare "$AIDIGEST_ARCHIVE_REMOTE"

# 1. first run: the branch does not exist yet
err=$("$S" clone "$TMP/out" 2>&1); rc=$?
is "$rc" 0 "no archive branch yet: not an error"
like "$err" "does not exist yet" "says so"
[ ! -e "$TMP/out" ]; ok $? "nothing cloned"

# 2. a branch with history is cloned on that branch
git init -q "$TMP/seed" && (cd "$TMP/seed" && git checkout -q -b digest-archive &&
    mkdir 2026-W46 && echo '{}' > 2026-W46/report.json && git add -A && git commit -qm 'digest: 2026-W46' &&
    git push -q "$AIDIGEST_ARCHIVE_REMOTE" digest-archive)
"$S" clone "$TMP/out" 2>/dev/null; ok $? "archive cloned"
is "$(git -C "$TMP/out" rev-parse --abbrev-ref HEAD)" digest-archive "on the archive branch"
[ -f "$TMP/out/2026-W46/report.json" ]; ok $? "earlier weeks are there (the history drift compares against)"

# 3. push
(cd "$TMP/out" && echo x > retrained.txt && git add -A && git commit -qm 'retrain: 2026-W46')
"$S" push "$TMP/out" 2>/dev/null; ok $? "pushed"
is "$(git --git-dir="$AIDIGEST_ARCHIVE_REMOTE" log -1 --format=%s digest-archive)" "retrain: 2026-W46" "remote has the commit"
git --git-dir="$AIDIGEST_ARCHIVE_REMOTE" fsck --full >/dev/null 2>&1; ok $? "remote passes git fsck"

# 4. a remote that refuses the login: the token goes as a header, never out
log="$TMP/http.log"
/usr/bin/python3 "$AIDIGEST_ROOT/tests/lib/http401.py" "$log" > "$TMP/port" &
srv=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/port" ] && break; sleep 0.2; done
port=$(head -1 "$TMP/port")
export AIDIGEST_ARCHIVE_REMOTE="http://127.0.0.1:$port/archive.git" AIDIGEST_GIT_TOKEN="tok-SECRET-42"
out=$("$S" clone "$TMP/out2" 2>&1); rc=$?
kill "$srv"; wait "$srv" 2>/dev/null
is "$rc" 3 "refused login: exit 3"
case "$out" in *SECRET*) r=1 ;; *) r=0 ;; esac; ok $r "token not in the output"
grep -qx auth "$log"; ok $? "the token was offered as an Authorization header"
[ ! -e "$TMP/out2" ]; ok $? "nothing cloned"
grep -rq SECRET "$TMP/out" 2>/dev/null; [ $? -ne 0 ]; ok $? "token nowhere in the archive's .git"
done_testing
