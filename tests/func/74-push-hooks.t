#!/bin/sh
# A push runs the remote's hooks or refuses (issue 10, finding 4).
# libgit2's local transport writes the remote's refs itself, so a bare
# repository given as a path (or file:// URL) would never run its hooks: a
# refusing pre-receive hook was bypassed and the run exited 0. Such a remote
# is now refused before anything is pushed. Over smart HTTP (git
# http-backend, tests/lib/git_http.py) a hook's refusal is reported as the
# server's refusal with its message, not as "reference ... not found".
. "$(dirname "$0")/../lib/tap.sh"
export GIT_CONFIG_NOSYSTEM=1 HOME="$TMP" AIDIGEST_GIT_BRANCH=main SOURCE_DATE_EPOCH=1764547200
git config --global user.name t; git config --global user.email t@t
git config --global init.defaultBranch main
mkdir -p "$TMP/logs"
for i in 1 2 3 4 5 6; do
    a=accepted; [ $i -gt 4 ] && a=rejected
    printf '{"type":"suggestion","id":"w47-%s","ts":"2026-11-17T09:0%s:00Z","ai_reply":"Your order ships today.","action":"%s","confidence":0.8}\n' \
        "$i" "$i" "$a"
done > "$TMP/logs/2026-W47.jsonl"
run() { # OUT REMOTE
    AIDIGEST_ARCHIVE_REMOTE="$2" "$AIDIGEST" run --offline --week 2026-W47 --logs "$TMP/logs" --out "$1" \
        --publish 2>"$TMP/err"
}
deny() { # HOOKFILE
    printf '#!/bin/sh\necho run >> "%s/hook.log"\necho "archive is frozen until Monday" >&2\nprintf "ask \\033[2Jops\\n" >&2\nexit 1\n' "$TMP" > "$1"
    chmod 755 "$1"
}

# 1. a bare repository with a refusing pre-receive hook, as a path
B="$TMP/deny.git"
git init -q --bare -b main "$B"
deny "$B/hooks/pre-receive"
run "$TMP/a1" "$B"; rc=$?
is "$rc" 3 "local remote with a pre-receive hook: refused, exit 3 (a publish failure)"
is "$(grep -c archive: "$TMP/err")" 1 "one line"
like "$(tail -1 "$TMP/err")" "pre-receive" "names the hook: $(tail -1 "$TMP/err")"
like "$(tail -1 "$TMP/err")" "ssh.*https|https.*ssh" "suggests an ssh or https remote"
git --git-dir="$B" rev-parse -q --verify refs/heads/main >/dev/null; [ $? -ne 0 ]; ok $? "remote branch not created"
[ ! -e "$TMP/hook.log" ]; ok $? "(the hook never ran)"
is "$(git -C "$TMP/a1" log -1 --format=%s)" "digest: 2026-W47" "the local archive keeps its commit"

# 2. the same as a file:// URL, and an update hook; the ref is unchanged
rm -f "$B/hooks/pre-receive"
git init -q "$TMP/seed" && (cd "$TMP/seed" && echo x > x && git add x && git commit -qm seed && git push -q -f "$B" main)
before=$(git --git-dir="$B" rev-parse main)
deny "$B/hooks/update"
run "$TMP/a1" "file://$B"; rc=$?
is "$rc" 3 "file:// URL with an update hook: refused"
like "$(tail -1 "$TMP/err")" "update" "names the update hook: $(tail -1 "$TMP/err")"
is "$(git --git-dir="$B" rev-parse main)" "$before" "remote ref unchanged"

# 3. core.hooksPath of the remote repository is honoured
rm -f "$B/hooks/update"
mkdir -p "$TMP/shared-hooks"
deny "$TMP/shared-hooks/pre-receive"
git --git-dir="$B" config core.hooksPath "$TMP/shared-hooks"
run "$TMP/a1" "$B"; rc=$?
is "$rc" 3 "a hook in the remote's core.hooksPath: refused"
like "$(tail -1 "$TMP/err")" "shared-hooks/pre-receive" "names it: $(tail -1 "$TMP/err")"
is "$(git --git-dir="$B" rev-parse main)" "$before" "remote ref unchanged"
# ...and then the hooks/ directory is not the one that counts
git --git-dir="$B" config core.hooksPath "$TMP/no-such-dir"
deny "$B/hooks/pre-receive"
run "$TMP/a2" "$B"; rc=$?
is "$rc" 0 "hooks/ is ignored when core.hooksPath points elsewhere (as git does): $(tail -1 "$TMP/err")"
git --git-dir="$B" config --unset core.hooksPath

# 4. a hook file that is not executable (git ignores it): the push goes through
P="$TMP/plain.git"
git init -q --bare -b main "$P"
deny "$P/hooks/pre-receive"; chmod 644 "$P/hooks/pre-receive"
run "$TMP/a3" "$P"; rc=$?
is "$rc" 0 "non-executable hook file: pushed ($(tail -1 "$TMP/err"))"
is "$(git --git-dir="$P" log -1 --format=%s main)" "digest: 2026-W47" "the remote has the commit"
[ ! -e "$TMP/hook.log" ]; ok $? "(no hook ran anywhere)"

# 5. smart HTTP: a server whose pre-receive hook refuses
S="$TMP/srv"
mkdir -p "$S"
git init -q --bare -b main "$S/deny.git"
git -C "$S/deny.git" config http.receivepack true
deny "$S/deny.git/hooks/pre-receive"
/usr/bin/python3 "$AIDIGEST_ROOT/tests/lib/git_http.py" "$S" > "$TMP/port" &
srv=$!
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -s "$TMP/port" ] && break; sleep 0.2; done
port=$(head -1 "$TMP/port")
run "$TMP/a4" "http://127.0.0.1:$port/deny.git"; rc=$?
is "$rc" 3 "HTTP remote whose hook refuses: exit 3"
is "$(grep -c archive: "$TMP/err")" 1 "one line"
like "$(tail -1 "$TMP/err")" "refused" "reported as the server's refusal: $(tail -1 "$TMP/err")"
like "$(tail -1 "$TMP/err")" "archive is frozen until Monday" "with the hook's message"
like "$(tail -1 "$TMP/err")" "pre-receive hook declined" "and the server's status"
like "$(tail -1 "$TMP/err")" "Monday; ask \?\[2Jops" "all its lines, control characters escaped"
grep -q "$(printf '\033')" "$TMP/err"; [ $? -ne 0 ]; ok $? "no raw escape on stderr"
case "$(tail -1 "$TMP/err")" in *"not found"*) r=1 ;; *) r=0 ;; esac; ok $r "not 'reference ... not found'"
is "$(wc -l < "$TMP/hook.log" | tr -d ' ')" 1 "the hook ran once (a refusal is not retried)"
# the same server after the branch exists (a stale fetched branch must not matter)
mv "$S/deny.git/hooks/pre-receive" "$TMP/held"
git -C "$TMP/seed" push -q "$S/deny.git" main
mv "$TMP/held" "$S/deny.git/hooks/pre-receive"
run "$TMP/a4" "http://127.0.0.1:$port/deny.git"; rc=$?
is "$rc" 3 "branch present, hook still refuses: exit 3"
is "$(git --git-dir="$S/deny.git" log --format=%s main)" "seed" "remote ref unchanged"
like "$(tail -1 "$TMP/err")" "archive is frozen until Monday" "the hook's message: $(tail -1 "$TMP/err")"
kill "$srv"; wait "$srv" 2>/dev/null
done_testing
