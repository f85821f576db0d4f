#!/bin/sh
# tests/fuzz/run.sh SECONDS JOBS TARGET... - run each libFuzzer target
# (build/fuzz/bin/TARGET) for SECONDS, JOBS at a time, from the committed
# seeds tests/fuzz/corpus/TARGET/ plus what earlier runs kept in
# build/fuzz/corpus/TARGET/ (new inputs are written there, never into the
# tree). Crash inputs go to build/fuzz/crash/, logs to build/fuzz/log/.
# FUZZ_WORK (default build/fuzz) moves corpus/, crash/ and log/ elsewhere,
# e.g. for a long run beside the suite's smoke run.
# Prints a TAP plan and one line per target; exits 1 when any failed.
set -eu
secs=$1 jobs=$2
shift 2
B=${FUZZ_WORK:-build/fuzz}
mkdir -p "$B/log" "$B/crash"
n=$#
echo "1..$n"
for t in "$@"; do
    mkdir -p "$B/corpus/$t"
    rm -f "$B/log/$t.rc"
done
# One job per target: the fuzzer's exit status goes to log/TARGET.rc.
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c '
    t=$1 secs=$2 B=$3
    seeds=tests/fuzz/corpus/$t
    [ -d "$seeds" ] || seeds=
    rc=0
    "build/fuzz/bin/$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$B/crash/$t-" \
        "$B/corpus/$t" $seeds >"$B/log/$t.log" 2>&1 || rc=$?
    echo $rc >"$B/log/$t.rc"' sh {} "$secs" "$B" || :
i=0 failed=0
for t in "$@"; do
    i=$((i + 1))
    log=$B/log/$t.log
    rc=$(cat "$B/log/$t.rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || :)
    cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
    stats="$secs s, ${execs:-?} execs, cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}"
    if [ "$rc" = 0 ]; then
        echo "ok $i - $t: $stats"
    else
        failed=$((failed + 1))
        crash=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
        echo "not ok $i - $t: exit $rc, ${crash:-no crash file}; see $log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 3 | sed 's/^/# /'
    fi
done
[ "$failed" = 0 ]
