#!/usr/bin/python3
"""11-figure-cases: data-driven figure tests (like curl's tests/data).

Every directory tests/cases/figures/<case>/ holds
  logs/                 the input (*.jsonl, *.jsonl.gz), read with --logs logs
  archive/              optional: copied into OUT first (earlier weeks)
  args                  extra arguments (one line, shell words), e.g. --week 2026-W47
  expected.json         a SUBSET of report.json: every key listed must match;
                        integers exactly, decimals to 1e-6, {"approx": x, "tol": t}
                        for another tolerance; lists must have the same length
  expected_absent       optional: one path per line (a.b[0].c) that report.json must NOT have
                        (figures left out, not zero)
  expected_stderr       optional: one regex per line, each must match a stderr line
  exit_code             optional (default 0)
  expected_rejected.jsonl optional: rejected.jsonl, line by line (subset match)
  NOTES.md              the hand computation of every expected figure
The binary runs with the case directory as working directory, so file names
in reports are "logs/NAME". Run one case: 11-figure-cases.t CASE...
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

CASES = os.path.join(t.ROOT, "tests", "cases", "figures")


def match(got, want, path, errs):
    """Subset match of want against got; appends messages to errs."""
    if isinstance(want, dict) and set(want) == {"approx", "tol"} or (isinstance(want, dict) and set(want) == {"approx"}):
        tol = want.get("tol", 1e-6)
        if not isinstance(got, (int, float)) or isinstance(got, bool) or abs(got - want["approx"]) > tol:
            errs.append("%s: got %r, expected %r (within %g)" % (path, got, want["approx"], tol))
        return
    if isinstance(want, dict):
        if not isinstance(got, dict):
            errs.append("%s: got %r, expected an object" % (path, got))
            return
        for k, v in want.items():
            if k not in got:
                errs.append("%s.%s: missing" % (path, k))
            else:
                match(got[k], v, "%s.%s" % (path, k), errs)
        return
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            errs.append("%s: got %s, expected a list of %d" % (path, json.dumps(got)[:400], len(want)))
            return
        for i, (g, w) in enumerate(zip(got, want)):
            match(g, w, "%s[%d]" % (path, i), errs)
        return
    if isinstance(want, bool) or want is None or isinstance(want, str):
        if got != want or type(got) is not type(want):
            errs.append("%s: got %r, expected %r" % (path, got, want))
        return
    if isinstance(want, int):
        if isinstance(got, bool) or not isinstance(got, (int, float)) or got != want:
            errs.append("%s: got %r, expected %r" % (path, got, want))
        return
    if isinstance(want, float):
        if isinstance(got, bool) or not isinstance(got, (int, float)) or abs(got - want) > 1e-6:
            errs.append("%s: got %r, expected %r (within 1e-6)" % (path, got, want))
        return
    errs.append("%s: bad expectation %r" % (path, want))


def lookup(obj, path):
    """The value at a path like a.b[0].c, or KeyError."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            i = int(part[1:-1])
            if not isinstance(obj, list) or i >= len(obj):
                raise KeyError(path)
            obj = obj[i]
        else:
            if not isinstance(obj, dict) or part not in obj:
                raise KeyError(path)
            obj = obj[part]
    return obj


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def run_case(name):
    d = os.path.join(CASES, name)
    out = os.path.join(t.tmpdir(), "out")
    os.makedirs(out)
    if os.path.isdir(os.path.join(d, "archive")):
        shutil.copytree(os.path.join(d, "archive"), out, dirs_exist_ok=True)
    args = shlex.split(read(os.path.join(d, "args"))) if os.path.exists(os.path.join(d, "args")) else []
    cmd = [t.AIDIGEST, "run", "--offline", "--out", out]
    if "--logs" not in args:
        cmd += ["--logs", "logs"]
    cmd += args
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = "1764547200"
    env.pop("OPENAI_API_KEY", None)
    env.setdefault("AIDIGEST_TEMPLATES", os.path.join(t.ROOT, "templates"))
    p = subprocess.run(cmd, cwd=d, env=env, capture_output=True, timeout=120)
    stderr = p.stderr.decode("utf-8", "replace")
    want_rc = int(read(os.path.join(d, "exit_code")).strip()) if os.path.exists(os.path.join(d, "exit_code")) else 0
    if not t.is_(p.returncode, want_rc, "%s: exit code" % name):
        t.diag(stderr[-2000:])
    if os.path.exists(os.path.join(d, "expected_stderr")):
        lines = stderr.splitlines()
        for rx in read(os.path.join(d, "expected_stderr")).splitlines():
            if rx.strip():
                if not t.ok(any(re.search(rx, ln) for ln in lines), "%s: stderr matches /%s/" % (name, rx)):
                    t.diag(stderr[-2000:])
    week = args[args.index("--week") + 1]
    rpath = os.path.join(out, week, "report.json")
    if os.path.exists(os.path.join(d, "expected.json")):
        want = json.loads(read(os.path.join(d, "expected.json")))
        if not t.ok(os.path.exists(rpath), "%s: report.json written" % name):
            return
        got = json.loads(read(rpath))
        errs = []
        match(got, want, "report", errs)
        if not t.ok(not errs, "%s: report.json matches expected.json" % name):
            for e in errs:
                t.diag(e)
        ea = os.path.join(d, "expected_absent")
        if os.path.exists(ea):
            present = []
            for p in read(ea).splitlines():
                if p.strip():
                    try:
                        lookup(got, p.strip())
                        present.append(p.strip())
                    except KeyError:
                        pass
            if not t.ok(not present, "%s: report.json leaves out expected_absent" % name):
                for p in present:
                    t.diag("present: " + p)
    erj = os.path.join(d, "expected_rejected.jsonl")
    rj = os.path.join(out, week, "rejected.jsonl")
    if os.path.exists(erj):
        want = [json.loads(ln) for ln in read(erj).splitlines() if ln.strip()]
        got = [json.loads(ln) for ln in read(rj).splitlines()] if os.path.exists(rj) else []
        errs = []
        match(got, want, "rejected", errs)
        if not t.ok(not errs, "%s: rejected.jsonl matches" % name):
            for e in errs:
                t.diag(e)
    elif os.path.exists(os.path.join(d, "expected.json")):
        t.ok(not os.path.exists(rj), "%s: no rejected.jsonl without bad lines" % name)


names = sys.argv[1:] or sorted(n for n in os.listdir(CASES) if os.path.isdir(os.path.join(CASES, n)))
for n in names:
    run_case(n)
sys.exit(t.done())
