#!/bin/sh
# scripts/golden.sh BINARY DIR - build the golden tree of the sample weeks:
# DIR/runs/ is OUT after `run` of the four sample weeks (oldest first, offline,
# SOURCE_DATE_EPOCH fixed); DIR/retrain/ holds the files that
# `retrain --week 2026-W47` then adds or changes. tests/func/18-golden.t
# compares a fresh tree with the copy recorded in tests/golden/sample/; after
# a change that is meant to alter the output, record it again with
#   scripts/golden.sh ./aidigest tests/golden/sample
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
case $2 in /*) dir=$2 ;; *) dir=$(pwd)/$2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
# The logs are named relative to the checkout (rejected.jsonl records the
# path as given), so the tree does not depend on where it was built.
cd "$root"
export SOURCE_DATE_EPOCH=1764547200 AIDIGEST_TEMPLATES="$root/templates"
unset OPENAI_API_KEY AIDIGEST_CONFIG 2>/dev/null || true
work=$(mktemp -d "${TMPDIR:-/tmp}/aidigest-golden.XXXXXX")
trap 'rm -rf "$work"' EXIT
for w in 2026-W44 2026-W45 2026-W46 2026-W47; do
    "$bin" run --offline --week "$w" --logs inputs --out "$work/out" 2>/dev/null
done
rm -rf "$dir"; mkdir -p "$dir/runs" "$dir/retrain"
cp -R "$work/out/." "$dir/runs/"
touch -d '2000-01-01' "$work/stamp"
find "$work/out" -type f -exec touch -r "$work/stamp" {} +
sleep 1
"$bin" retrain --week 2026-W47 --logs inputs --out "$work/out" 2>/dev/null
(cd "$work/out" && find . -type f -newer "$work/stamp" | sort) | while read -r f; do
    mkdir -p "$dir/retrain/$(dirname "$f")"
    cp "$work/out/$f" "$dir/retrain/$f"
done
