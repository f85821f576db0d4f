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

# 5. through the command: aidigest run --publish
unset AIDIGEST_GIT_TOKEN AIDIGEST_ARCHIVE_REMOTE
export AIDIGEST_GIT_BRANCH=main SOURCE_DATE_EPOCH=1764547200
mkdir -p "$TMP/logs"
for w in 46 47; do
    d=$((w == 46 ? 10 : 17))
    for i in 1 2 3 4 5 6; do
        a=accepted; [ $i -gt 4 ] && a=rejected
        printf '{"type":"suggestion","id":"w%s-%s","ts":"2026-11-%sT09:0%s:00Z","ai_reply":"Your order ships today.","action":"%s","confidence":0.8}\n' \
            "$w" "$i" "$d" "$i" "$a"
    done > "$TMP/logs/2026-W$w.jsonl"
    printf '{"type":"correction","suggestion_id":"w%s-5","ts":"2026-11-%sT12:00:00Z","corrected_reply":"It ships today."}\n' \
        "$w" "$d" >> "$TMP/logs/2026-W$w.jsonl"
done
A="$TMP/arch"
"$AIDIGEST" run --offline --week 2026-W46 --logs "$TMP/logs" --out "$A" --publish 2>"$TMP/err"; rc=$?
is "$rc" 0 "run --publish: fresh archive"
is "$(git -C "$A" log --format=%s | tr '\n' ,)" "digest: 2026-W46," "one commit digest: 2026-W46"
is "$(git -C "$A" rev-parse --abbrev-ref HEAD)" main "branch main"
is "$(git -C "$A" log -1 --format=%at)" 1764547200 "commit time from SOURCE_DATE_EPOCH"
"$AIDIGEST" run --offline --week 2026-W47 --logs "$TMP/logs" --out "$A" --publish 2>"$TMP/err"; rc=$?
is "$rc" 0 "second week published"
is "$(git -C "$A" log --format=%s | tr '\n' ,)" "digest: 2026-W47,digest: 2026-W46," "two commits"
git -C "$A" ls-files | grep -q '^2026-W47/report.json$'; ok $? "the week's report.json is archived"
git -C "$A" ls-files | grep -q '^weekly_ai_reports.jsonl$'; ok $? "the weekly table is archived"
is "$(git -C "$A" status --porcelain)" "" "nothing left uncommitted"
head=$(git -C "$A" rev-parse HEAD)
"$AIDIGEST" run --offline --week 2026-W47 --logs "$TMP/logs" --out "$A" --publish 2>"$TMP/err"; rc=$?
is "$rc" 0 "re-run ok"
is "$(git -C "$A" rev-parse HEAD)" "$head" "re-run with no change: no commit"

# push into a bare repository
B="$TMP/pub.git"
git init -q --bare -b main "$B"
AIDIGEST_ARCHIVE_REMOTE="$B" "$AIDIGEST" run --offline --week 2026-W47 --logs "$TMP/logs" --out "$A" --publish 2>"$TMP/err"; rc=$?
is "$rc" 0 "run --publish pushes to a bare repository"
is "$(git --git-dir="$B" log --format=%s main | tr '\n' ,)" "digest: 2026-W47,digest: 2026-W46," "git log of the remote"
git --git-dir="$B" fsck --full --strict >/dev/null 2>&1; ok $? "git fsck of the remote"
git clone -q "$B" "$TMP/fresh" 2>/dev/null && diff -r -x .git "$TMP/fresh" "$A" >/dev/null; ok $? "a fresh clone equals the archive"

# a remote refusing the login: exit 3, one clear line, archive intact
/usr/bin/python3 "$AIDIGEST_ROOT/tests/lib/http401.py" > "$TMP/port2" &
srv=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/port2" ] && break; sleep 0.2; done
port=$(head -1 "$TMP/port2")
printf '{"type":"suggestion","id":"late","ts":"2026-11-18T10:00:00Z","ai_reply":"Late one.","action":"edited"}\n' >> "$TMP/logs/2026-W47.jsonl"
AIDIGEST_ARCHIVE_REMOTE="http://127.0.0.1:$port/a.git" AIDIGEST_GIT_TOKEN=tok-SECRET-77 \
    "$AIDIGEST" run --offline --week 2026-W47 --logs "$TMP/logs" --out "$A" --publish 2>"$TMP/err"; rc=$?
kill "$srv"; wait "$srv" 2>/dev/null
is "$rc" 3 "refused login: exit 3"
like "$(tail -1 "$TMP/err")" "authentication refused" "clear message: $(tail -1 "$TMP/err")"
grep -q SECRET "$TMP/err"; [ $? -ne 0 ]; ok $? "token not printed"
is "$(git -C "$A" log -1 --format=%s)" "digest: 2026-W47" "the new commit is kept locally"
[ "$(git -C "$A" rev-parse HEAD)" != "$head" ]; ok $? "(it is a new commit)"
git -C "$A" fsck --full >/dev/null 2>&1; ok $? "local archive passes fsck"

# --mail failing after --publish: the archive keeps the week, exit 3
printf '{"type":"suggestion","id":"later","ts":"2026-11-19T10:00:00Z","ai_reply":"Later one.","action":"edited"}\n' >> "$TMP/logs/2026-W47.jsonl"
head=$(git -C "$A" rev-parse HEAD)
AIDIGEST_SMTP_URL= "$AIDIGEST" run --offline --week 2026-W47 --logs "$TMP/logs" --out "$A" --publish --mail 2>"$TMP/err"; rc=$?
is "$rc" 3 "mail failure: exit 3"
like "$(tail -1 "$TMP/err")" "^aidigest: mail: " "the mail error is reported"
[ "$(git -C "$A" rev-parse HEAD)" != "$head" ]; ok $? "the week was committed before mailing"
is "$(git -C "$A" status --porcelain)" "" "archive clean"
done_testing
