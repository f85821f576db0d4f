#!/bin/sh
# 16-cli-robustness.t - the command line against wrong arguments and hostile
# inputs: usage errors exit 2 with one line, wrong --logs paths leave nothing
# behind in OUT, unreadable files are listed, not fatal.
. "$(dirname "$0")/../lib/tap.sh"
export SOURCE_DATE_EPOCH=1764547200
export AIDIGEST_TEMPLATES="$AIDIGEST_ROOT/templates"
cd "$TMP" || exit 1

ev() { # ev ID TS [CONFIDENCE]
    printf '{"type":"suggestion","id":"%s","ts":"%s","ai_reply":"Thanks, done.","action":"accepted","confidence":%s}\n' \
        "$1" "$2" "${3:-0.5}"
}

# --- a directory without log files is a wrong --logs, not an empty week
mkdir empty
"$AIDIGEST" check --logs empty >out.txt 2>err.txt
is "$?" 2 "check: --logs DIR without .jsonl files exits 2"
is "$(wc -l <err.txt | tr -d ' ')" 1 "  with one line on stderr"
like "$(cat err.txt)" "empty: no \\.jsonl" "  naming the directory"
"$AIDIGEST" run --week 2026-W40 --logs empty --out o1 --offline 2>err.txt
is "$?" 2 "run: --logs DIR without .jsonl files exits 2"
ok "$([ ! -e o1/2026-W40 ]; echo $?)" "  and leaves no OUT/<week>/ directory"
"$AIDIGEST" run --week 2026-W40 --logs nonexistent --out o1 --offline 2>err.txt
is "$?" 2 "run: a --logs path that does not exist exits 2"
ok "$([ ! -e o1/2026-W40 ]; echo $?)" "  and leaves no OUT/<week>/ directory"

# --- an entry that cannot be read (a directory named x.jsonl), a truncated gzip
mkdir -p logs/b.jsonl
ev s1 2026-11-17T09:30:00Z >logs/a.jsonl
ev s2 2026-11-17T09:31:00Z | gzip >logs/c.jsonl.gz
for i in 1 2 3 4 5 6 7 8 9; do ev "t$i" 2026-11-17T09:3$i:00Z; done | gzip >full.gz
head -c "$(($(wc -c <full.gz) - 12))" full.gz >logs/d.jsonl.gz
"$AIDIGEST" check --logs logs >out.txt 2>err.txt
is "$?" 1 "check: unreadable files exit 1"
like "$(cat out.txt)" "unreadable files: 2" "  two files listed as unreadable"
like "$(cat err.txt)" "logs/b.jsonl: not a regular file \\(a directory\\)" "  the directory entry named, never opened"
like "$(grep d.jsonl.gz err.txt | head -1)" "^aidigest: logs/d.jsonl.gz: after line [0-9]+: unexpected end of file$" \
    "  the truncated gzip named once, with zlib's reason"

# --- usage errors: exit 2, one line
for args in "run --week 2025-W53" "run --week 2026-W00" "run --week 2026-W54" "run --jobs 0" \
    "run --jobs 257" "check --out x" "mail" "run --logs" "frobnicate" "render --only bogus" \
    "render --only html,,pdf" "render --only html,"; do
    # shellcheck disable=SC2086
    "$AIDIGEST" $args >/dev/null 2>err.txt
    rc=$?
    is "$rc/$(wc -l <err.txt | tr -d ' ')" "2/1" "usage error, one line: aidigest $args"
done
ev x 2026-11-17T09:30:00Z >sde.jsonl
for v in abc -1 1e9 99999999999999999; do
    SOURCE_DATE_EPOCH=$v "$AIDIGEST" check --logs sde.jsonl >/dev/null 2>err.txt
    rc=$?
    is "$rc/$(wc -l <err.txt | tr -d ' ')" "2/1" "SOURCE_DATE_EPOCH=$v: usage error, one line"
done
# 2026 and 2020 have a week 53
ev w53 2026-12-30T10:00:00Z >w53.jsonl
"$AIDIGEST" check --week 2026-W53 --logs w53.jsonl >out.txt 2>&1
like "$(cat out.txt)" "suggestions in 2026-W53: 1" "2026-W53 exists (2026 starts on a Thursday)"

# --- line ends and marks: CRLF, a BOM, a line with only a BOM, raw control characters
{
    printf '\357\273\277'; ev b1 2026-11-17T09:30:00Z
    ev b2 2026-11-17T09:31:00Z | sed 's/$/\r/'
    printf '\357\273\277\r\n'
    printf '{"type":"suggestion","id":"b3","ts":"2026-11-17T09:32:00Z","ai_reply":"a\tb","action":"accepted"}\n'
} >marks.jsonl
"$AIDIGEST" check --week 2026-W47 --logs marks.jsonl >out.txt 2>err.txt
like "$(cat out.txt)" "suggestions in 2026-W47: 2" "BOM and CRLF lines are read"
like "$(cat out.txt)" "blank lines: 1" "a line with only a BOM is blank"
like "$(cat err.txt)" "marks.jsonl:4: invalid_json: .*control character 0x09" "a raw tab inside a string is not strict JSON"

# --- retrain skips bad lines and unreadable files, but says so
"$AIDIGEST" retrain --week 2026-W47 --logs marks.jsonl --logs logs --out rt >/dev/null 2>err.txt
is "$?" 0 "retrain over bad lines and unreadable files: exit 0"
like "$(cat err.txt)" "retrain: skipped 2 bad lines and 2 unreadable files" "  and it says what it skipped"

done_testing
