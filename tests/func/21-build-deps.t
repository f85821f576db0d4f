#!/bin/sh
# 21-build-deps: the build notices what changed. Touching a header rebuilds
# exactly the objects that include it (-MMD -MP), a header that is no longer
# included may go away, and changed flags (CFLAGS, PREFIX) rebuild
# (build/<variant>/flags). Checked with `make -n` and `make -q` in a copy of
# the tree, on a few objects, so it stays fast.
. "$(dirname "$0")/../lib/tap.sh"
# a make of its own, not a part of the `make test` that runs this
unset MAKEFLAGS MFLAGS MAKELEVEL
src=$TMP/src
mkdir -p "$src"
cp -R "$AIDIGEST_ROOT/generator" "$AIDIGEST_ROOT/scripts" "$AIDIGEST_ROOT/GNUmakefile" "$src/"
objs="build/rel/common/base64.o build/rel/common/strmap.o build/rel/read/ingest.o"
m() { make -C "$src" --no-print-directory CFLAGS=-O0 "$@"; }
rebuilt() { # the objects `make -n` would compile, in name order
    m -n "$@" $objs 2>&1 | sed -n 's/.* -c -o \([^ ]*\) .*/\1/p' | sort | tr '\n' ' '
}

m -s $objs >/dev/null 2>&1; ok $? "a few objects built"
is "$(rebuilt)" "" "make -n: nothing to do right after a build"
m -q $objs; ok $? "make -q: up to date"
grep -q 'common/base64.h' "$src/build/rel/common/base64.d" && grep -q 'common/base64.h' "$src/build/rel/read/ingest.d" &&
    ! grep -q 'common/base64.h' "$src/build/rel/common/strmap.d"
ok $? "the .d files say base64.h is in base64.o and ingest.o, not strmap.o"

sleep 1; touch "$src/generator/common/base64.h"
is "$(rebuilt)" "build/rel/common/base64.o build/rel/read/ingest.o " \
    "a touched header: make -n rebuilds its dependents only"
m -q $objs; [ $? -ne 0 ]; ok $? "make -q: out of date"
m -s $objs >/dev/null 2>&1 && m -q $objs; ok $? "rebuilt, then up to date again"

# -MP: an object whose header is gone (and no longer included) still builds
printf '#include "common/gone.h"\nint probe(void) { return GONE; }\n' > "$src/generator/common/probe.c"
printf '#define GONE 1\n' > "$src/generator/common/gone.h"
m -s build/rel/common/probe.o >/dev/null 2>&1; ok $? "an object with a private header built"
rm "$src/generator/common/gone.h"
printf 'int probe(void) { return 1; }\n' > "$src/generator/common/probe.c"
out=$(m -s build/rel/common/probe.o 2>&1); rc=$?
is "$rc:$out" "0:" "the header removed with its #include: no 'No rule to make target' (-MP)"
rm -f "$src/generator/common/probe.c"

# the flags stamp
is "$(rebuilt CFLAGS=-O1)" "build/rel/common/base64.o build/rel/common/strmap.o build/rel/read/ingest.o " \
    "other CFLAGS: make -n rebuilds everything"
m -s CFLAGS=-O1 $objs >/dev/null 2>&1; m -q CFLAGS=-O1 $objs; ok $? "built with them, up to date with them"
grep -q -- ' -O1 ' "$src/build/rel/flags"; ok $? "build/rel/flags records them"
is "$(rebuilt CFLAGS=-O1 PREFIX=/opt/aidigest)" \
    "build/rel/common/base64.o build/rel/common/strmap.o build/rel/read/ingest.o " \
    "another PREFIX (compiled in as the data directory) rebuilds too"
is "$(m -n CFLAGS=-O1 PREFIX=/opt/aidigest build/rel/common/config.o 2>&1 | grep -c 'AID_DATADIR=."/opt/aidigest/share/aidigest."')" 1 \
    "AID_DATADIR follows PREFIX"
done_testing
