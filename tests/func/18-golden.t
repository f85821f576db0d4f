#!/bin/sh
# 18-golden: the sample weeks and a retrain give byte for byte the files
# recorded in tests/golden/sample/ (scripts/golden.sh says how to record them
# again after a change that is meant to alter the output).
. "$(dirname "$0")/../lib/tap.sh"
golden=$AIDIGEST_ROOT/tests/golden/sample
"$AIDIGEST_ROOT/scripts/golden.sh" "$AIDIGEST" "$TMP/g"
ok $? "golden tree built"
for part in runs retrain; do
    d=$(diff -r "$golden/$part" "$TMP/g/$part" 2>&1 | head -20)
    is "$d" "" "$part: every file byte-identical to tests/golden/sample/$part"
done
done_testing
