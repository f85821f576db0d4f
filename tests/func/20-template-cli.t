#!/bin/sh
# 20-template-cli.t - `aidigest template [--compat] FILE ARGS...` against the
# cases in tests/cases/template/<case>/:
#   args       the arguments after `template`, one per line (may be empty)
#   stdout     the exact expected standard output
#   stderr     the exact expected standard error, or
#   stderr.re  extended regexes (one per line) that standard error must match;
#              with neither file, standard error must be empty
#   exit       the expected exit code
# Each case runs in a copy of its directory (the current directory).
. "$(dirname "$0")/../lib/tap.sh"

CASES="$AIDIGEST_ROOT/tests/cases/template"
for dir in "$CASES"/*/; do
    name=$(basename "$dir")
    work="$TMP/$name"
    cp -R "$dir" "$work"
    set --
    while IFS= read -r line || [ -n "$line" ]; do
        set -- "$@" "$line"
    done < "$work/args"
    (cd "$work" && "$AIDIGEST" template "$@" > "$TMP/$name.out" 2> "$TMP/$name.err"; echo $? > "$TMP/$name.rc")
    is "$(cat "$TMP/$name.rc")" "$(cat "$dir/exit")" "$name: exit code"
    if cmp -s "$TMP/$name.out" "$dir/stdout"; then ok 0 "$name: stdout"; else
        ok 1 "$name: stdout"; diag "got:"; sed 's/^/#   /' "$TMP/$name.out"; fi
    if [ -f "$dir/stderr" ]; then
        if cmp -s "$TMP/$name.err" "$dir/stderr"; then ok 0 "$name: stderr"; else
            ok 1 "$name: stderr"; diag "got:"; sed 's/^/#   /' "$TMP/$name.err"; fi
    elif [ -f "$dir/stderr.re" ]; then
        while IFS= read -r re; do
            like "$(cat "$TMP/$name.err")" "$re" "$name: stderr matches $re"
        done < "$dir/stderr.re"
    else
        is "$(cat "$TMP/$name.err")" "" "$name: no stderr"
    fi
done

# The same template rendered in both modes differs only where the modes do.
printf '<TMPL_VAR name=v>\n' > "$TMP/both.tmpl"
is "$("$AIDIGEST" template "$TMP/both.tmpl" v '<&>')" "&lt;&amp;&gt;" "safe mode escapes"
is "$("$AIDIGEST" template --compat "$TMP/both.tmpl" v '<&>')" "<&>" "compat mode does not"

# Exit codes main maps from what the command returns (docs/templates.md).
"$AIDIGEST" template --help > /dev/null 2> "$TMP/help.err"
is "$?" 0 "--help exits 0"
like "$(cat "$TMP/help.err")" "^usage: aidigest template" "--help prints the usage"
if [ -w /dev/full ]; then
    "$AIDIGEST" template "$TMP/both.tmpl" v x > /dev/full 2> /dev/null
    is "$?" 3 "stdout not written: exit 3"
else
    ok 0 "# SKIP no /dev/full"
fi
done_testing
