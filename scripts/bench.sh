#!/bin/sh
# make bench: speed and memory of `aidigest run` on a large synthetic week.
# Not a test: it prints numbers for people to compare between versions.
#   BENCH_MB   size of the input in MiB (default 200)
#   BENCH_JOBS the --jobs values to try (default "1 2")
set -eu
cd "$(dirname "$0")/.."
MB=${BENCH_MB:-200}
JOBS=${BENCH_JOBS:-1 2}
DIR=${TMPDIR:-/tmp}/aidigest-bench
mkdir -p "$DIR"
if [ ! -f "$DIR/input-$MB/.done" ]; then
    rm -rf "$DIR/input-$MB"
    echo "bench: writing ${MB} MiB of logs to $DIR/input-$MB ..." >&2
    n=$(/usr/bin/python3 scripts/bench-input.py "$DIR/input-$MB" "$MB" 4)
    echo "$n" > "$DIR/input-$MB/.done"
fi
lines=$(cat "$DIR/input-$MB/.done")
bytes=$(du -cb "$DIR/input-$MB"/*.jsonl | tail -1 | cut -f1)
echo "input: $lines lines, $bytes bytes, $(nproc) cores"
for j in $JOBS; do
    rm -rf "$DIR/out"
    /usr/bin/time -f "%e %M" -o "$DIR/time" \
        ./aidigest run --offline --week 2026-W47 --logs "$DIR/input-$MB" --out "$DIR/out" \
        --jobs "$j" 2>/dev/null || true
    read -r secs kb < "$DIR/time"
    awk -v j="$j" -v s="$secs" -v kb="$kb" -v b="$bytes" -v l="$lines" 'BEGIN {
        printf "jobs %s: %.2f s, %.1f MB/s, %.0f lines/s, max RSS %.1f MiB\n", j, s, b / 1048576 / s, l / s, kb / 1024 }'
done
