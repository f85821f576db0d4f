#!/bin/sh
# scripts/check-layers.sh [DIR] - check the stage layering of the sources
# (docs/hacking.md, "Layers"). DIR defaults to generator. A file in stage S
# may include
#   - any header of common/,
#   - any header of its own stage S,
#   - the public header T/T.h of a stage T that comes before S in
#     common < read < compute < narrate < render < publish < retrain < pipeline < cli.
# Every project include names its folder ("read/read.h", not "read.h").
# Prints one line per include that breaks a rule (file:line: what and why)
# and exits 1 if there is any; silent and 0 otherwise.
set -eu
dir=${1:-generator}
find "$dir" -name '*.[ch]' | LC_ALL=C sort | xargs awk -v root="$dir" '
BEGIN {
    n = split("common read compute narrate render publish retrain pipeline cli", st, " ")
    for (i = 1; i <= n; i++) order[st[i]] = i
    bad = 0
}
FNR == 1 {
    rel = FILENAME; sub("^" root "/", "", rel)
    stage = rel; sub("/.*", "", stage)
    if (!(stage in order)) {
        printf "%s: not in a stage folder (%s)\n", FILENAME, "common read compute narrate render publish retrain pipeline cli"
        bad = 1
    }
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
    path = $0; sub(/^[^"]*"/, "", path); sub(/".*/, "", path)
    if (index(path, "/") == 0) {
        printf "%s:%d: #include \"%s\" does not name its folder (write \"<stage>/%s\")\n", FILENAME, FNR, path, path
        bad = 1; next
    }
    to = path; sub("/.*", "", to)
    if (!(to in order)) {
        printf "%s:%d: #include \"%s\": no stage %s\n", FILENAME, FNR, path, to
        bad = 1; next
    }
    if (to == "common" || to == stage || !(stage in order)) next
    if (order[to] > order[stage]) {
        printf "%s:%d: #include \"%s\": %s comes after %s in the pipeline; a stage includes only earlier ones\n", FILENAME, FNR, path, to, stage
        bad = 1; next
    }
    if (path != to "/" to ".h") {
        printf "%s:%d: #include \"%s\": outside %s/ only its public header %s/%s.h may be included\n", FILENAME, FNR, path, to, to, to
        bad = 1
    }
}
END { exit bad }
' || exit 1
