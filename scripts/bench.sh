#!/bin/sh
# make bench: speed and memory of `aidigest run` on a large realistic week,
# side by side with json-c's bare parse of the same file (the floor) and
# DuckDB computing comparable aggregates. Not a test: it prints numbers for
# people to compare between versions (docs/performance.md reads them).
#   BENCH_N     suggestions per input (default 1000000)
#   BENCH_JOBS  the --jobs values to try (default "1 2")
#   BENCH_RUNS  runs of each measurement; the minimum wall time is shown (default 1)
#   BENCH_VARIANTS  "realistic distinct" (default) or one of them
#   BENCH_DUCKDB    0 skips DuckDB (default 1: npm installs @duckdb/node-api
#               into the bench directory, never into the tree)
#   BENCH_BIN   the aidigest to measure (default ./aidigest, built by make bench)
#   TMPDIR      where the inputs and tools go ($TMPDIR/aidigest-bench)
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${BENCH_N:-1000000}
JOBS=${BENCH_JOBS:-1 2}
RUNS=${BENCH_RUNS:-1}
VARIANTS=${BENCH_VARIANTS:-realistic distinct}
DUCK=${BENCH_DUCKDB:-1}
BIN=${BENCH_BIN:-./aidigest}
DIR=${TMPDIR:-/tmp}/aidigest-bench
mkdir -p "$DIR"

# The inputs, written once per size and generator version.
gen_sum=$(cksum < scripts/bench-input.py | cut -d' ' -f1)
for v in $VARIANTS; do
    d="$DIR/$v-$N"
    if [ "$(cat "$d/.done" 2>/dev/null | cut -d' ' -f1)" != "$gen_sum" ]; then
        rm -rf "$d"
        mkdir -p "$d"
        echo "bench: writing $N suggestions ($v) to $d ..." >&2
        arg=; [ "$v" = distinct ] && arg=distinct
        counts=$(/usr/bin/python3 scripts/bench-input.py "$d/week.jsonl" "$N" $arg)
        echo "$gen_sum $counts" > "$d/.done"
    fi
done

# The json-c floor: a small C program linked with json-c.
cc -std=c11 -D_GNU_SOURCE -O2 -pthread $(pkg-config --cflags json-c) -o "$DIR/bench-jsonc" \
    scripts/bench-jsonc.c $(pkg-config --libs json-c)

# DuckDB, installed here only (npm; the script must sit beside its node_modules).
if [ "$DUCK" = 1 ]; then
    if [ ! -d "$DIR/node/node_modules/@duckdb/node-api" ]; then
        mkdir -p "$DIR/node"
        [ -f "$DIR/node/package.json" ] || echo '{"private":true}' > "$DIR/node/package.json"
        echo "bench: npm install @duckdb/node-api into $DIR/node ..." >&2
        (cd "$DIR/node" && npm install --no-audit --no-fund --silent @duckdb/node-api >&2)
    fi
    cp scripts/bench-duckdb.mjs "$DIR/node/"
fi

# measure NAME CMD...: the best of RUNS (minimum wall); sets W (s), C (user+sys s), R (MiB)
measure() {
    name=$1; shift
    best=
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        rm -rf "$DIR/out"
        /usr/bin/time -f "%e %U %S %M" -o "$DIR/time" "$@" > "$DIR/$name.log" 2>&1 || {
            echo "bench: $name failed:" >&2; tail -3 "$DIR/$name.log" >&2; }
        t=$(tail -1 "$DIR/time")
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then
            best=$t
        fi
        i=$((i + 1))
    done
    W=$(echo "$best" | awk '{ printf "%.2f", $1 }')
    C=$(echo "$best" | awk '{ printf "%.2f", $2 + $3 }')
    R=$(echo "$best" | awk '{ printf "%.0f", $4 / 1024 }')
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC'), runs $RUNS (minimum)"
for v in $VARIANTS; do
    d="$DIR/$v-$N"
    read -r _ lines replies < "$d/.done"
    bytes=$(stat -c %s "$d/week.jsonl")
    echo
    echo "$v: $N suggestions, $lines lines, $bytes bytes, $replies distinct replies"
    printf '%-28s %8s %8s %9s %12s %s\n' "" "wall s" "CPU s" "RSS MiB" "B/reply" "ratio"
    measure jsonc "$DIR/bench-jsonc" "$d/week.jsonl" 2
    jw=$W
    printf '%-28s %8s %8s %9s %12s %s\n' "json-c bare parse, 2 thr" "$W" "$C" "$R" "-" "1.00 (the floor)"
    j2w=
    j1w=
    for j in $JOBS; do
        measure "aidigest-$j" "$BIN" run --offline --quiet --week 2026-W47 --logs "$d" --out "$DIR/out" --jobs "$j"
        bpr=$(awk -v r="$R" -v n="$replies" 'BEGIN { printf "%.0f", r * 1048576 / n }')
        ratio=$(awk -v a="$W" -v b="$jw" 'BEGIN { printf "%.2fx the floor", a / b }')
        printf '%-28s %8s %8s %9s %12s %s\n' "aidigest --jobs $j" "$W" "$C" "$R" "$bpr" "$ratio"
        echo "$R $replies" > "$DIR/rss-$v-$j"
        [ "$j" = 1 ] && j1w=$W
        [ "$j" = 2 ] && j2w=$W
    done
    if [ "$DUCK" = 1 ]; then
        measure duckdb node "$DIR/node/bench-duckdb.mjs" "$d/week.jsonl" 2
        ratio=$(awk -v a="$W" -v b="$jw" 'BEGIN { printf "%.2fx the floor", a / b }')
        printf '%-28s %8s %8s %9s %12s %s\n' "DuckDB, 2 threads" "$W" "$C" "$R" "-" "$ratio"
        [ -n "$j2w" ] && awk -v a="$W" -v b="$j2w" 'BEGIN { printf "aidigest --jobs 2 is %.2fx faster than DuckDB (target >= 2)\n", a / b }'
    fi
    [ -n "$j2w" ] && awk -v a="$j2w" -v b="$jw" 'BEGIN { printf "aidigest --jobs 2 is %.2fx the json-c floor (target <= 2.5)\n", a / b }'
    [ -n "$j1w" ] && [ -n "$j2w" ] && awk -v a="$j1w" -v b="$j2w" 'BEGIN { printf "--jobs 2 is %.2fx faster than --jobs 1 (target >= 1.7)\n", a / b }'
done

# What one more distinct reply costs: the RSS difference of the two
# variants over the difference of their distinct replies, at each --jobs.
case " $VARIANTS " in *realistic*distinct*)
    echo
    for j in $JOBS; do
        [ -f "$DIR/rss-realistic-$j" ] && [ -f "$DIR/rss-distinct-$j" ] || continue
        read -r r1 n1 < "$DIR/rss-realistic-$j"
        read -r r2 n2 < "$DIR/rss-distinct-$j"
        awk -v j="$j" -v r1="$r1" -v r2="$r2" -v n1="$n1" -v n2="$n2" 'BEGIN {
            printf "--jobs %s: %.0f B of peak RSS per added distinct reply (target <= 600)\n", j, (r2 - r1) * 1048576 / (n2 - n1) }'
    done
esac
