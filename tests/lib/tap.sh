# tests/lib/tap.sh - TAP helpers for the functional tests written in sh.
# Source it; then use ok/is/like, and finish with `done_testing`.
# $AIDIGEST is the binary under test (the sanitizer build under `make test`),
# $AIDIGEST_ROOT the repository root.

: "${AIDIGEST_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${AIDIGEST:=$AIDIGEST_ROOT/aidigest}"
export AIDIGEST AIDIGEST_ROOT
TAP_N=0
TAP_FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/aidigest-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() { # ok CONDITION_EXIT_STATUS DESCRIPTION
    TAP_N=$((TAP_N + 1))
    if [ "$1" -eq 0 ]; then echo "ok $TAP_N - $2"; else echo "not ok $TAP_N - $2"; TAP_FAILED=$((TAP_FAILED + 1)); fi
}
is() { # is GOT WANT DESCRIPTION
    TAP_N=$((TAP_N + 1))
    if [ "$1" = "$2" ]; then echo "ok $TAP_N - $3"; else
        echo "not ok $TAP_N - $3"; echo "#          got: '$1'"; echo "#     expected: '$2'"
        TAP_FAILED=$((TAP_FAILED + 1)); fi
}
like() { # like GOT REGEX DESCRIPTION
    TAP_N=$((TAP_N + 1))
    if printf '%s' "$1" | grep -Eq -- "$2"; then echo "ok $TAP_N - $3"; else
        echo "not ok $TAP_N - $3"; echo "#          got: '$1'"; echo "#     expected to match: '$2'"
        TAP_FAILED=$((TAP_FAILED + 1)); fi
}
diag() { printf '# %s\n' "$*"; }
done_testing() { echo "1..$TAP_N"; [ "$TAP_FAILED" -eq 0 ]; }
