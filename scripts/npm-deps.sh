#!/bin/sh
# Install the npm packages the tests use (tests/package.json, locked by
# tests/package-lock.json) into tests/node_modules, once.
set -eu
cd "$(dirname "$0")/../tests"
[ -f package.json ] || exit 0
if ! command -v npm >/dev/null 2>&1; then
    # Debian ships npm apart from nodejs; other nodejs builds include it.
    list=$(mktemp)
    echo npm > "$list"
    ../scripts/deps.sh "$list"
    rm -f "$list"
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    echo "deps: npm ci (tests/)" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
    touch node_modules
fi
