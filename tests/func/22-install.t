#!/bin/sh
# 22-install: `make install` puts the binary, the templates and the man page
# under PREFIX (staged under DESTDIR when given), the installed binary finds
# its templates in the compiled-in data directory by itself, and
# `make uninstall` takes it all away again; `make digest` runs the sample
# weeks there, reporting each bad line once (in 2026-W47). Built in a copy
# of the tree (-O0, so it stays fast) with PREFIX inside the test's directory.
. "$(dirname "$0")/../lib/tap.sh"
# a make of its own, not a part of the `make test` that runs this
unset MAKEFLAGS MFLAGS MAKELEVEL
src=$TMP/src P=$TMP/prefix
mkdir -p "$src/docs"
cp -R "$AIDIGEST_ROOT/generator" "$AIDIGEST_ROOT/scripts" "$AIDIGEST_ROOT/templates" "$AIDIGEST_ROOT/GNUmakefile" "$src/"
cp "$AIDIGEST_ROOT/docs/aidigest.1" "$src/docs/"
cp -R "$AIDIGEST_ROOT/inputs" "$src/"
m() { make -C "$src" --no-print-directory -s CFLAGS=-O0 PREFIX="$P" "$@"; }

m -j2 build >"$TMP/build.log" 2>&1; ok $? "built with PREFIX=$P"
m install >"$TMP/install.log" 2>&1; ok $? "make install"
is "$(cd "$P" && find . -type f | sort | grep -v '^./share/aidigest/templates/.*/' | tr '\n' ' ')" \
    "./bin/aidigest ./share/aidigest/templates/index.html ./share/aidigest/templates/style.css ./share/aidigest/templates/week.html ./share/man/man1/aidigest.1 " \
    "binary in bin/, templates in share/aidigest/templates/, man page in share/man/man1/"
is "$(cd "$src/templates" && find . -type f | sort)" "$(cd "$P/share/aidigest/templates" && find . -type f | sort)" \
    "every template installed, sub-directories included"
[ -x "$P/bin/aidigest" ] && [ ! -x "$P/share/man/man1/aidigest.1" ]; ok $? "modes: binary executable, man page not"

# The installed binary, run from elsewhere, without AIDIGEST_TEMPLATES: the
# week page comes from the data directory (a marker added to the installed
# copy shows up in it).
unset AIDIGEST_TEMPLATES
printf '<!-- installed templates -->\n' >> "$P/share/aidigest/templates/week.html"
mkdir -p "$TMP/run/logs"
for i in 1 2 3; do
    printf '{"type":"suggestion","id":"s%s","ts":"2026-11-17T09:0%s:00Z","ai_reply":"Your order ships today.","action":"accepted","confidence":0.8}\n' "$i" "$i"
done > "$TMP/run/logs/2026-W47.jsonl"
(cd "$TMP/run" && SOURCE_DATE_EPOCH=1764547200 "$P/bin/aidigest" run --offline --week 2026-W47 --logs logs --out out) \
    2>"$TMP/run.err"; rc=$?
is "$rc" 0 "the installed binary runs a week (offline)"
grep -q 'installed templates' "$TMP/run/out/2026-W47/index.html"; ok $? "with the templates of the data directory"
[ -s "$TMP/run/out/2026-W47/digest.pdf" ] && [ -s "$TMP/run/out/2026-W47/digest.xlsx" ]; ok $? "PDF and XLSX written too"
"$P/bin/aidigest" template "$P/share/aidigest/templates/style.css" > "$TMP/style.out" 2>&1 &&
    cmp -s "$TMP/style.out" "$src/templates/style.css"; ok $? "aidigest template renders an installed template"

# the man page renders cleanly
w=$(groff -man -ww -z "$P/share/man/man1/aidigest.1" 2>&1)
is "$w" "" "groff -man -ww: no warnings"
if command -v man >/dev/null; then r=$(MANWIDTH=80 man -l "$P/share/man/man1/aidigest.1" 2>&1)
else r=$(groff -man -Tutf8 "$P/share/man/man1/aidigest.1" 2>&1); fi
for s in NAME SYNOPSIS COMMANDS OPTIONS ENVIRONMENT FILES 'EXIT STATUS' EXAMPLES; do
    printf '%s\n' "$r" | grep -q "^$s"; ok $? "man page section $s"
done
# every option of the usage text is in the man page
for o in $("$P/bin/aidigest" --help | grep -o -- '--[a-z]*' | sort -u); do
    printf '%s\n' "$r" | grep -q -- "$o"; ok $? "man page: $o"
done
# and every option of every command's help, and the help command itself
for c in run check retrain mail render; do
    for o in $("$P/bin/aidigest" help $c | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        printf '%s\n' "$r" | grep -q -- "$o"; ok $? "man page: $c $o"
    done
done
printf '%s\n' "$r" | grep -q -- "aidigest help \[COMMAND\]"; ok $? "man page: aidigest help [COMMAND]"

# man -l from the checkout, as the README says
r2=$(cd "$src" && MANWIDTH=80 man -l docs/aidigest.1 2>&1 || groff -man -Tutf8 docs/aidigest.1 2>&1)
printf '%s\n' "$r2" | grep -q "^SYNOPSIS"; ok $? "man -l docs/aidigest.1 in the checkout"

# make digest: the four sample weeks, each bad line reported once
SOURCE_DATE_EPOCH=1764547200 AIDIGEST_TEMPLATES="$src/templates" m digest >"$TMP/digest.out" 2>"$TMP/digest.err"
ok $? "make digest"
for w in 2026-W44 2026-W45 2026-W46 2026-W47; do
    [ -f "$src/out/$w/report.json" ]; ok $? "make digest wrote $w"
done
is "$(grep -c '^aidigest: inputs/[^ ]*:[0-9]*: ' "$TMP/digest.err")" 11 "make digest names 11 bad lines"
is "$(grep '^aidigest: inputs/[^ ]*:[0-9]*: ' "$TMP/digest.err" | sort | uniq -d)" "" "  each once"
is "$(grep -c 'bad lines, ' "$TMP/digest.err")" 1 "  in one week's summary"
[ ! -e "$src/out/2026-W44/rejected.jsonl" ]; ok $? "  W44's rejected.jsonl holds none of W47's lines"
is "$(wc -l <"$src/out/2026-W47/rejected.jsonl" | tr -d ' ')" 11 "  W47's holds them"

# DESTDIR stages the same tree elsewhere, without rebuilding
m -q aidigest; ok $? "up to date before the staged install"
m install DESTDIR="$TMP/stage" >/dev/null 2>&1; ok $? "make install DESTDIR=..."
is "$(cd "$TMP/stage$P" && find . | sort | tr '\n' ' ')" "$(cd "$P" && find . | sort | tr '\n' ' ')" \
    "DESTDIR holds the PREFIX layout"
m uninstall DESTDIR="$TMP/stage" >/dev/null 2>&1; ok $? "make uninstall DESTDIR=..."
is "$(find "$TMP/stage" -type f)" "" "no file left in DESTDIR"

m uninstall >"$TMP/uninstall.log" 2>&1; ok $? "make uninstall"
is "$(find "$P" -type f)" "" "no file left under PREFIX"
[ ! -e "$P/share/aidigest" ]; ok $? "the data directory is gone"
done_testing
