#!/bin/sh
# 12-quarantine-write: bad lines that cannot be written to the reader's
# scratch file (a full disk; here a file size limit, `ulimit -f`, which needs
# no mount and no root) stop the run as a write error (exit 3) naming the
# file, not as "out of memory"; the week in OUT is left as it was.
. "$(dirname "$0")/../lib/tap.sh"
logs=$TMP/logs
mkdir -p "$logs" "$TMP/scratch"
i=0
while [ $i -lt 3000 ]; do
    echo "{not json, line $i, padding padding padding padding padding padding}"
    i=$((i + 1))
done > "$logs/bad.jsonl"
# the file is 200 KB; the limit is 64 blocks (32 KB for dash's 512-byte
# blocks, 64 KB for bash's 1024): the bad lines cannot all be written
limited() {
    (ulimit -f 64 && trap '' XFSZ && TMPDIR=$TMP/scratch "$AIDIGEST" "$@") >"$TMP/out" 2>"$TMP/err"
}
limited check --logs "$logs"
is "$?" 3 "check: exit 3 (a write error)"
err=$(tail -n 1 "$TMP/err")
like "$err" "^aidigest: $TMP/scratch/aidigest-bad-[A-Za-z0-9]{6}: cannot write the bad lines: " \
    "check: the message names the scratch file in \$TMPDIR"
case $err in *"out of memory"*) ok 1 "not reported as out of memory" ;; *) ok 0 "not reported as out of memory" ;; esac
limited run --offline --week 2026-W47 --logs "$logs" --out "$TMP/o"
is "$?" 3 "run: exit 3"
like "$(tail -n 1 "$TMP/err")" "cannot write the bad lines: " "run: the same message"
ok "$([ ! -e "$TMP/o/2026-W47" ]; echo $?)" "run: no week written"
is "$(ls -A "$TMP/scratch")" "" "no scratch file left behind"
# without the limit the same logs are fine (exit 1: bad lines found)
TMPDIR=$TMP/scratch "$AIDIGEST" check --logs "$logs" >/dev/null 2>&1
is "$?" 1 "check without the limit: exit 1 (bad lines)"
done_testing
