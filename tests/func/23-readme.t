#!/usr/bin/python3
"""23-readme: every command the README shows is exercised by a test. The
commands are taken from README.md itself (its sh blocks and the `make ...`,
`aidigest ...` and `man ...` it names); each must be in the table below,
which says which test runs it, and that test must hold it. The aidigest
synopses are checked here against the commands' own help; the schedule the
README gives is the one of .github/workflows/weekly.yml. (make analyze and
make bench take far too long for the suite: only their targets are checked.)"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

readme = open(os.path.join(t.ROOT, "README.md"), encoding="utf-8").read()
FUNC = os.path.join(t.ROOT, "tests", "func")

# command -> (the test that runs it, a pattern that test holds)
EXERCISED = {
    "make": ("22-install.t", r"m -j2 build"),
    "make digest": ("22-install.t", r"m digest"),
    "make test": ("../../GNUmakefile", r"prove .*tests/func/\*\.t"),  # this very suite
    "make install": ("22-install.t", r"m install DESTDIR="),
    "make uninstall": ("22-install.t", r"m uninstall DESTDIR="),
    "make check-layers": ("19-layers.t", r"make -s -C \"\$TMP/m\" check-layers"),
    "make fuzz": ("../../GNUmakefile", r"fuzz-smoke"),        # make test runs each target 15 s
    "make test-faults": ("../../GNUmakefile", r"test-faults FAULT_OURS_STRIDE"),  # make test runs its quick mode
    "make analyze": (None, None),                             # too slow for the suite: the target exists
    "make bench": (None, None),                               # too slow for the suite (1,000,000 suggestions; 90-bench-tools.t runs its parts small): ditto
    "aidigest run": ("14-sample.t", r'"run"'),
    "aidigest check": ("12-bad-lines.t", r'run\("check"'),
    "aidigest retrain": ("80-retrain.t", r'"retrain"'),
    "aidigest mail": ("71-mail.t", r'\["mail"'),
    "aidigest render": ("24-empty-week.t", r'"render"'),
    "aidigest template": ("20-template-cli.t", r"template"),
    "aidigest help": ("23-cli-help.t", r'\["help"'),
    "man -l": ("22-install.t", r"man -l docs/aidigest\.1"),
    "man aidigest": ("22-install.t", r"man -l"),
}

found = set()
for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
    for line in block.splitlines():
        line = line.split("#")[0].strip()
        for part in re.split(r"&&", line):
            w = part.split()
            w = [x for x in w if "=" not in x or x.startswith("-")]  # VAR=... and make's PREFIX=...
            if w and w[0] == "sudo":
                w = w[1:]
            if w and w[0] in ("make", "aidigest", "man"):
                found.add(" ".join(w[:2]) if len(w) > 1 and not w[1].startswith(("[", "-")) else w[0])
for m in re.finditer(r"`((?:make|aidigest|man) [^`]*)`", readme):
    w = m.group(1).split()
    if w[1].startswith("-") and w[0] == "man":
        found.add("man " + w[1])
    elif not w[1].startswith(("-", "[", "$")) and not w[0].endswith(":"):
        found.add(w[0] + " " + w[1])
t.ok(len(found) >= 15, "README: %d commands found" % len(found)) or t.diag(sorted(found))
for cmd in sorted(found):
    if cmd not in EXERCISED:
        t.ok(False, "README command '%s' is in the table of exercised commands" % cmd)
        continue
    f, pat = EXERCISED[cmd]
    if f is None:
        target = cmd.split()[1]
        mk = open(os.path.join(t.ROOT, "GNUmakefile"), encoding="utf-8").read()
        t.ok(re.search(r"^%s:" % re.escape(target), mk, re.M), "README '%s': GNUmakefile has the target" % cmd)
        continue
    text = open(os.path.join(FUNC, f), encoding="utf-8").read()
    t.ok(re.search(pat, text), "README '%s' is exercised by %s" % (cmd, os.path.basename(f)))

# the synopses of the Usage block: each option is one its command takes
usage = re.search(r"## Usage\n\n```sh\n(.*?)```", readme, re.S).group(1)
cmd = None
for line in usage.splitlines():
    w = line.split()
    if w and w[0] == "aidigest":
        cmd = w[1]
    if cmd in (None, "template", "help"):
        continue
    h = t.run(["help", cmd]).stdout
    for o in re.findall(r"--[a-z][a-z-]*", line):
        t.ok(o in h, "README usage: aidigest %s %s is an option of %s" % (cmd, o, cmd))

# when the weekly job runs
wf = open(os.path.join(t.ROOT, ".github", "workflows", "weekly.yml"), encoding="utf-8").read()
t.ok("cron: '0 0 * * 1'" in wf and "every Monday at 00:00 UTC (the end of Sunday)" in wf,
     "weekly.yml: Mondays 00:00 UTC, the end of Sunday")
t.ok("Mondays at 00:00 UTC" in readme and "end of every Sunday" in readme and "midnight" not in readme,
     "README says the same, no 'Sunday at midnight'")
sys.exit(t.done())
