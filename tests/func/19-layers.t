#!/bin/sh
# 19-layers: make check-layers passes on the tree and fails, naming file and
# line, on includes that break the stage order (docs/hacking.md, "Layers").
. "$(dirname "$0")/../lib/tap.sh"
chk=$AIDIGEST_ROOT/scripts/check-layers.sh
out=$("$chk" "$AIDIGEST_ROOT/generator" 2>&1); rc=$?
is "$rc:$out" "0:" "the tree keeps the layers"

try() { # try DESCRIPTION FILE INCLUDE EXPECTED_REGEX
    rm -rf "$TMP/g"; cp -R "$AIDIGEST_ROOT/generator" "$TMP/g"
    printf '#include "%s"\n' "$3" >> "$TMP/g/$2"
    out=$("$chk" "$TMP/g" 2>&1); rc=$?
    is "$rc" 1 "$1: fails"
    like "$out" "$4" "$1: names file, line and why"
}
try "compute includes a later stage" compute/figures.c narrate/narrate.h \
    'g/compute/figures.c:[0-9]+: #include "narrate/narrate.h": narrate comes after compute'
try "render includes a private read header" render/html.c read/agg.h \
    'g/render/html.c:[0-9]+: #include "read/agg.h": outside read/ only its public header read/read.h'
try "common includes a stage" common/strbuf.c read/read.h \
    'g/common/strbuf.c:[0-9]+: #include "read/read.h": read comes after common'
try "an include without its folder" pipeline/pipeline.c strbuf.h \
    'g/pipeline/pipeline.c:[0-9]+: #include "strbuf.h" does not name its folder'
# through make, as make test runs it
rm -rf "$TMP/m"; mkdir -p "$TMP/m"; cp -R "$AIDIGEST_ROOT/generator" "$AIDIGEST_ROOT/scripts" "$AIDIGEST_ROOT/GNUmakefile" "$TMP/m/"
printf '#include "publish/publish.h"\n' >> "$TMP/m/generator/read/event.c"
out=$(make -s -C "$TMP/m" check-layers 2>&1); rc=$?
ok $((rc == 0)) "make check-layers fails on a wrong include"
like "$out" 'read/event.c:[0-9]+: #include "publish/publish.h"' "make check-layers says which"
done_testing
