#!/bin/sh
# Install the Debian packages listed in the given deps/*.txt files that are
# not installed yet. Uses sudo when not root. Prints nothing when all is there.
set -eu
missing=""
for list in "$@"; do
    for pkg in $(grep -v '^[[:space:]]*#' "$list" | tr -s ' \t' '\n'); do
        if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing="$missing $pkg"
        fi
    done
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
