#!/bin/sh
# 18-golden-weeks: run --weeks builds the four sample weeks in one run, oldest
# first, each against the one before: byte for byte the files of running them
# one by one (tests/golden/sample/runs, as scripts/golden.sh records them).
. "$(dirname "$0")/../lib/tap.sh"
golden=$AIDIGEST_ROOT/tests/golden/sample/runs
cd "$AIDIGEST_ROOT" || exit 1
export SOURCE_DATE_EPOCH=1764547200 AIDIGEST_TEMPLATES="$AIDIGEST_ROOT/templates"
unset OPENAI_API_KEY AIDIGEST_CONFIG 2>/dev/null || true
"$AIDIGEST" run --offline --weeks 2026-W44..2026-W47 --logs inputs --out "$TMP/out" --jobs 2 2>/dev/null
ok $? "run --weeks 2026-W44..2026-W47"
d=$(diff -r "$golden" "$TMP/out" 2>&1 | head -20)
is "$d" "" "every file byte-identical to tests/golden/sample/runs"

# the first week that fails stops the range; the weeks before it stay
"$AIDIGEST" run --offline --quiet --weeks 2026-W47..2026-W49 --logs inputs --out "$TMP/stop" 2>"$TMP/stop.err"
is "$?" 1 "a week without suggestions in the range: exit 1"
like "$(cat "$TMP/stop.err")" "2026-W48: no suggestion in the logs" "it names the week"
test -f "$TMP/stop/2026-W47/report.json" && test ! -e "$TMP/stop/2026-W48" && test ! -e "$TMP/stop/2026-W49"
ok $? "the week before it is written, none after"

"$AIDIGEST" run --weeks 2026-W47..2026-W44 --out "$TMP/x" 2>"$TMP/e1"
is "$?" 2 "a range that ends before it starts: usage error"
"$AIDIGEST" run --week 2026-W44 --weeks 2026-W44..2026-W45 --out "$TMP/x" 2>"$TMP/e2"
is "$?" 2 "--week with --weeks: usage error"
"$AIDIGEST" run --weeks 2026-W44 --out "$TMP/x" 2>"$TMP/e3"
is "$?" 2 "a single week is not a range: usage error"
test ! -e "$TMP/x"
ok $? "usage errors write nothing"
done_testing
