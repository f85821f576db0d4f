#!/usr/bin/python3
"""23-cli-help: `aidigest help [CMD]`, `CMD --help` and `CMD -h` for every
subcommand (options, defaults, an example, exit codes, on stdout, exit 0),
"did you mean" for a mistyped option or command, thousands separators in
the human messages, and --quiet."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

# the options each command takes (besides --config, --quiet, --help)
OPTIONS = {
    "run": ["--week", "--logs", "--out", "--jobs", "--offline", "--publish", "--mail", "--strict",
            "--allow-damaged", "--allow-empty", "--replace"],
    "check": ["--week", "--logs", "--jobs"],
    "retrain": ["--week", "--logs", "--out", "--dry-run", "--publish", "--submit", "--request"],
    "mail": ["--week", "--out"],
    "render": ["--week", "--out", "--only"],
}
for cmd, opts in OPTIONS.items():
    texts = []
    for args in (["help", cmd], [cmd, "--help"], [cmd, "-h"]):
        r = t.run(args)
        t.ok(r.returncode == 0 and r.stderr == "", "%s: exit 0, nothing on stderr" % " ".join(args)) or t.diag(r.stderr)
        texts.append(r.stdout)
    h = texts[0]
    t.ok(texts[1] == h and texts[2] == h, "%s: help, --help and -h print the same" % cmd)
    t.ok(h.startswith("usage: aidigest %s " % cmd), "%s: a usage line" % cmd)
    missing = [o for o in opts + ["--config", "--quiet"] if o not in h]
    t.is_(missing, [], "%s: every option of the command is listed" % cmd)
    others = sorted({o for v in OPTIONS.values() for o in v} - set(opts))
    t.is_([o for o in others if o + " " in h], [], "%s: no option of another command" % cmd)
    t.ok("\nexample:\n  aidigest %s " % cmd in h, "%s: an example" % cmd)
    t.ok("\nexit codes:\n  0 " in h and "2 usage error" in h, "%s: the exit codes" % cmd)
    t.ok("default" in h, "%s: the defaults" % cmd)
    t.ok(max(len(x) for x in h.splitlines()) <= 80, "%s: no line over 80 columns" % cmd)
    # --help wins even after other options, and runs nothing
    r = t.run([cmd, "--week", "2026-W47", "--help"])
    t.ok(r.returncode == 0 and r.stdout == h, "%s --week W --help: the help, nothing run" % cmd)

r = t.run(["help"])
t.ok(r.returncode == 0 and "aidigest help [COMMAND]" in r.stdout, "help: the summary of every command")
t.is_(t.run(["--help"]).stdout, r.stdout, "--help: the same summary")
r = t.run(["help", "template"])
t.ok(r.returncode == 0 and "usage: aidigest template" in r.stdout + r.stderr, "help template: its usage")
r = t.run(["help", "rn"])
t.is_(r.returncode, 2, "help of an unknown command: exit 2")
t.ok("unknown command 'rn' (did you mean 'run'?)" in r.stderr, "  did you mean 'run'") or t.diag(r.stderr)

# did you mean
for args, want in ((["run", "--wek", "2026-W47"], "run: unknown option '--wek' (did you mean '--week'?)"),
                   (["render", "--onyl", "pdf"], "did you mean '--only'?"),
                   (["run", "--allow-emtpy"], "did you mean '--allow-empty'?"),
                   (["check", "--quite"], "did you mean '--quiet'?"),
                   (["rnu"], "unknown command 'rnu' (did you mean 'run'?)")):
    r = t.run(args)
    t.ok(r.returncode == 2 and want in r.stderr and len(r.stderr.splitlines()) == 1,
         "%s: exit 2, one line: %s" % (" ".join(args), want)) or t.diag(r.stderr)
r = t.run(["run", "--frobnicate"])
t.ok(r.returncode == 2 and "unknown option '--frobnicate'" in r.stderr and "did you mean" not in r.stderr,
     "nothing near: no guess") or t.diag(r.stderr)

# thousands separators in the human messages; --quiet
tmp = t.tmpdir()
logs = os.path.join(tmp, "logs.jsonl")
with open(logs, "w") as f:
    for i in range(1234):
        f.write(json.dumps({"type": "suggestion", "id": "s%d" % i, "ts": "2026-11-17T09:%02d:00Z" % (i % 60),
                            "ai_reply": "Your order ships today.", "action": "accepted", "confidence": 0.8}) + "\n")
    f.write("{not json\n")
out = os.path.join(tmp, "out")
r = t.run(["run", "--offline", "--week", "2026-W47", "--logs", logs, "--out", out])
t.is_(r.returncode, 0, "a run of 1,234 suggestions") or t.diag(r.stderr)
t.ok("2026-W47: 1,234 suggestions; wrote " in r.stderr, "  the summary says 1,234") or t.diag(r.stderr)
r = t.run(["check", "--logs", logs, "--week", "2026-W47"])
t.ok("lines: 1,235\n" in r.stdout and "suggestions in 2026-W47: 1,234\n" in r.stdout, "check: 1,235 lines") or \
    t.diag(r.stdout)
r = t.run(["run", "--offline", "--quiet", "--week", "2026-W47", "--logs", logs, "--out", out])
t.ok(r.returncode == 0 and r.stderr == "", "run --quiet: a bad line and the summary, nothing on stderr") or \
    t.diag(r.stderr)
r = t.run(["render", "--quiet", "--week", "2026-W30", "--out", out])
t.ok(r.returncode == 3 and "has not been run" in r.stderr, "--quiet keeps the errors") or t.diag(r.stderr)

sys.exit(t.done())
