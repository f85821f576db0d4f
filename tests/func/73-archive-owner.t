#!/bin/sh
# 73-archive-owner: libgit2's owner validation stays on. `run --publish` into
# an OUT that belongs to another user is refused with a line naming the
# owner and the setting; git_owner_validation = off (file) or
# AIDIGEST_GIT_OWNER_VALIDATION=0 (environment) lets it through
# (docs/deploy.md). Root is not exempt in libgit2 (only sudo's SUDO_UID is),
# so as root OUT is handed to nobody; other users skip.
. "$(dirname "$0")/../lib/tap.sh"
if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP needs root to hand a repository to another user"
    exit 0
fi
export GIT_CONFIG_NOSYSTEM=1 HOME="$TMP" SOURCE_DATE_EPOCH=1764547200 AIDIGEST_GIT_BRANCH=main
unset SUDO_UID AIDIGEST_ARCHIVE_REMOTE AIDIGEST_GIT_TOKEN AIDIGEST_GIT_OWNER_VALIDATION AIDIGEST_TEMPLATES
mkdir -p "$TMP/logs"
for i in 1 2 3; do
    printf '{"type":"suggestion","id":"s%s","ts":"2026-11-17T09:0%s:00Z","ai_reply":"Your order ships today.","action":"accepted","confidence":0.8}\n' "$i" "$i"
done > "$TMP/logs/2026-W47.jsonl"
A=$TMP/arch
run() { "$AIDIGEST" run --offline --week 2026-W47 --logs "$TMP/logs" --out "$A" --publish "$@"; }
commits() { git -c safe.directory='*' -C "$A" rev-list --count HEAD 2>/dev/null; }

run 2>"$TMP/err"; is "$?" 0 "run --publish: an archive of our own"
is "$(commits)" 1 "one commit"
chown -R nobody "$A"
printf '{"type":"suggestion","id":"s9","ts":"2026-11-18T09:00:00Z","ai_reply":"Refunded.","action":"rejected","confidence":0.4}\n' \
    >> "$TMP/logs/2026-W47.jsonl"

run 2>"$TMP/err"; rc=$?
is "$rc" 3 "OUT owned by nobody: the publish fails (exit 3)"
like "$(cat "$TMP/err")" "archive: .*/arch belongs to uid $(id -u nobody), not to this user \(uid 0\).*git_owner_validation = off or AIDIGEST_GIT_OWNER_VALIDATION=0" \
    "one line naming the owner, this user and the setting"
is "$(commits)" 1 "no commit made"
[ -d "$A/.git" ] && is "$(git -c safe.directory='*' -C "$A" log -1 --format=%s)" "digest: 2026-W47" "the archive is intact (not re-created)"

printf 'git_owner_validation = off\n' > "$TMP/aidigest.conf"
run --config "$TMP/aidigest.conf" 2>"$TMP/err"; rc=$?
is "$rc" 0 "git_owner_validation = off in the file: published"
is "$(commits)" 2 "the week's change committed"

printf '{"type":"suggestion","id":"s10","ts":"2026-11-19T09:00:00Z","ai_reply":"Sent.","action":"accepted","confidence":0.9}\n' \
    >> "$TMP/logs/2026-W47.jsonl"
AIDIGEST_GIT_OWNER_VALIDATION=on run --config "$TMP/aidigest.conf" 2>"$TMP/err"; rc=$?
is "$rc" 3 "AIDIGEST_GIT_OWNER_VALIDATION=on wins over the file: refused again"
AIDIGEST_GIT_OWNER_VALIDATION=0 run 2>"$TMP/err"; rc=$?
is "$rc" 0 "AIDIGEST_GIT_OWNER_VALIDATION=0: published"
is "$(commits)" 3 "committed"
AIDIGEST_GIT_OWNER_VALIDATION=perhaps run 2>"$TMP/err"; rc=$?
is "$rc" 2 "a value that is neither on nor off: configuration error (exit 2)"
like "$(cat "$TMP/err")" "AIDIGEST_GIT_OWNER_VALIDATION.*perhaps" "naming the variable and the value"
done_testing
