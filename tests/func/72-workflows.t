#!/bin/sh
# The GitHub workflows validate against GitHub's workflow schema
# (@action-validator/cli, installed in tests/node_modules by scripts/npm-deps.sh),
# and carry the settings the deployment depends on (docs/deploy.md).
. "$(dirname "$0")/../lib/tap.sh"
V="$AIDIGEST_ROOT/tests/node_modules/.bin/action-validator"
W="$AIDIGEST_ROOT/.github/workflows"

[ -x "$V" ]; ok $? "action-validator installed"
for f in ci.yml weekly.yml retrain.yml; do
    [ -f "$W/$f" ]; ok $? "$f exists"
    out=$("$V" "$W/$f" 2>&1); rc=$?
    is "$rc" 0 "$f validates against the workflow schema"
    [ "$rc" -eq 0 ] || diag "$out"
done

# the validator is not a yes-man: a misspelt key is refused
sed 's/runs-on:/runs_on:/' "$W/ci.yml" > "$TMP/broken.yml"
"$V" "$TMP/broken.yml" >/dev/null 2>&1; rc=$?
[ "$rc" -ne 0 ]; ok $? "a broken workflow is refused"

# what the deployment relies on
grep -Eq "^[[:space:]]*- cron: '0 0 \* \* 1'" "$W/weekly.yml"; ok $? "weekly: Mondays 00:00 UTC"
grep -q "workflow_dispatch:" "$W/weekly.yml"; ok $? "weekly: manual dispatch"
grep -q "run --publish" "$W/weekly.yml" && grep -q -- '--mail' "$W/weekly.yml"; ok $? "weekly: run --publish --mail"
for a in actions/configure-pages@ actions/upload-pages-artifact@ actions/deploy-pages@; do
    grep -q "uses: $a" "$W/weekly.yml"; ok $? "weekly: $a"
done
grep -q "pages: write" "$W/weekly.yml" && grep -q "id-token: write" "$W/weekly.yml"; ok $? "weekly: Pages permissions"
grep -q "secrets.AIDIGEST_SMTP_PASSWORD" "$W/weekly.yml"; ok $? "weekly: SMTP password from secrets"
grep -Eq "^[[:space:]]*- 'retrain/\*'" "$W/retrain.yml"; ok $? "retrain: on tags retrain/*"
grep -q "retrain --publish" "$W/retrain.yml" && ! grep -Eq "git (-c [^ ]+ )*(add|commit)|archive-git.sh push" "$W/retrain.yml"
ok $? "retrain: commits and pushes with retrain --publish (libgit2), not the git CLI"
grep -q "make -j2 test" "$W/ci.yml"; ok $? "ci: make test"
grep -Eq "^  (push|pull_request):" "$W/ci.yml" && [ "$(grep -Ec '^  (push|pull_request):' "$W/ci.yml")" -eq 2 ]
ok $? "ci: on push and pull_request"
done_testing
