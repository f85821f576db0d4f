#!/usr/bin/python3
"""A run that read damaged input (a file error) or no suggestion for its week
does not replace the week: exit 1, one clear line, OUT (the week, the archive
index, the weekly table, the git archive) untouched, nothing committed.
--allow-damaged publishes anyway and the digest names the missing files.
A published week is replaced by one with under half its suggestions only
with --replace."""
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402


def sug(i, ts):
    return json.dumps({"type": "suggestion", "id": i, "ts": ts, "ai_reply": "Your order ships today.",
                       "action": "accepted", "confidence": 0.8}) + "\n"


def tree(d):
    """every file under d (the git repository too) with its hash, but the
    local raw quarantine OUT/.raw/ (never published): a refused run keeps
    the bad lines it read there, so that nothing is lost"""
    h = {}
    for root, _dirs, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            rel = os.path.relpath(p, d)
            if rel.startswith(".raw" + os.sep):
                continue
            h[rel] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return h


def git(*args):
    return subprocess.run(["git", "-C", out] + list(args), capture_output=True, text=True).stdout.strip()


tmp = t.tmpdir()
home = os.path.join(tmp, "home")
os.makedirs(home)
env = {"HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "AIDIGEST_GIT_BRANCH": "main", "AIDIGEST_ARCHIVE_REMOTE": "",
       "AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates")}
os.environ.update(env)
subprocess.run(["git", "config", "--global", "user.name", "t"], check=True)
subprocess.run(["git", "config", "--global", "user.email", "t@t"], check=True)

logs = os.path.join(tmp, "logs")
os.makedirs(logs)
a = "".join(sug("a%d" % i, "2026-11-17T09:%02d:00Z" % i) for i in range(10))
b = "".join(sug("b%d" % i, "2026-11-18T09:%02d:00Z" % i) for i in range(10))
with open(os.path.join(logs, "a.jsonl"), "w") as f:
    f.write(a)
bgz = gzip.compress(b.encode(), mtime=0)
with open(os.path.join(logs, "b.jsonl.gz"), "wb") as f:
    f.write(bgz)
out = os.path.join(tmp, "out")
week = "2026-W47"
args = ["run", "--offline", "--week", week, "--out", out, "--publish"]

r = t.run(args + ["--logs", logs])
t.is_(r.returncode, 0, "a good week is published") or t.diag(r.stderr)
t.is_(git("log", "--format=%s"), "digest: 2026-W47", "one commit")
before = tree(out)
head = git("rev-parse", "HEAD")


def refused(what, extra_args, want, prefix="aidigest: 2026-W47 not replaced: "):
    try:
        r = t.run(args + extra_args, timeout=60)
    except subprocess.TimeoutExpired:
        r = subprocess.CompletedProcess([], 124, "", "(no answer in 60 s)\n")
    t.is_(r.returncode, 1, what + ": exit 1") or t.diag(r.stderr)
    last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    t.ok(last.startswith(prefix) and want in last,
         what + ": one clear line (%s)" % want) or t.diag(r.stderr)
    t.ok(tree(out) == before, what + ": OUT untouched (week, index, weekly table, git)") or \
        t.diag(sorted(set(tree(out).items()) ^ set(before.items())))
    t.is_(git("rev-parse", "HEAD"), head, what + ": nothing committed")
    t.ok(not [e for e in os.listdir(out) if e.startswith(".stage")], what + ": no staging directory left")


# 1. a damaged gzip (truncated): 10 of 20 suggestions would be lost
with open(os.path.join(logs, "b.jsonl.gz"), "wb") as f:
    f.write(bgz[:len(bgz) - 12])
refused("truncated gzip", ["--logs", logs], "b.jsonl.gz")

# 2. a file that is not a regular file inside --logs
os.rename(os.path.join(logs, "b.jsonl.gz"), os.path.join(tmp, "b.cut.gz"))
os.mkfifo(os.path.join(logs, "b.jsonl.gz"))
refused("a FIFO in --logs", ["--logs", logs], "b.jsonl.gz")
os.unlink(os.path.join(logs, "b.jsonl.gz"))

# 3. no suggestion for the week
other = os.path.join(tmp, "other")
os.makedirs(other)
with open(os.path.join(other, "x.jsonl"), "w") as f:
    f.write(sug("o1", "2026-11-03T09:00:00Z"))
refused("no suggestion in the week", ["--logs", other], "(they hold 2026-W45)", prefix="aidigest: 2026-W47: no suggestion")
# --allow-damaged is for unreadable files, not for an empty week
refused("no suggestion, --allow-damaged", ["--logs", other, "--allow-damaged"], "--allow-empty",
        prefix="aidigest: 2026-W47: no suggestion")

# 4. fewer than half the published suggestions: only a.jsonl's first 4
few = os.path.join(tmp, "few")
os.makedirs(few)
with open(os.path.join(few, "a.jsonl"), "w") as f:
    f.write("".join(a.splitlines(True)[:4]))
refused("4 suggestions against 20 published", ["--logs", few], "--replace")
# exactly half is not a loss that needs --replace
r = t.run(args + ["--logs", os.path.join(logs, "a.jsonl")])
t.is_(r.returncode, 0, "10 of 20 (half) replaces the week without --replace") or t.diag(r.stderr)
before = tree(out)
head = git("rev-parse", "HEAD")
refused("4 against 10", ["--logs", few], "4 suggestions against 10")
r = t.run(args + ["--logs", few, "--replace"])
t.is_(r.returncode, 0, "--replace: replaced") or t.diag(r.stderr)
rep = json.load(open(os.path.join(out, week, "report.json")))
t.is_(rep["totals"]["suggestions"], 4, "  with the 4 suggestions")
t.is_(git("log", "-1", "--format=%s"), "digest: 2026-W47", "  and committed")

# 5. --allow-damaged: published, and the digest says which file is missing
shutil.copy(os.path.join(tmp, "b.cut.gz"), os.path.join(logs, "b.jsonl.gz"))
head = git("rev-parse", "HEAD")
r = t.run(args + ["--logs", logs, "--allow-damaged"])
t.is_(r.returncode, 0, "--allow-damaged: exit 0") or t.diag(r.stderr)
t.ok(git("rev-parse", "HEAD") != head, "  committed")
rep = json.load(open(os.path.join(out, week, "report.json")))
fe = rep["data_quality"]["file_errors"]
t.ok(len(fe) == 1 and fe[0]["file"].endswith("b.jsonl.gz"), "  report.json lists the damaged file") or t.diag(fe)
html = open(os.path.join(out, week, "index.html"), encoding="utf-8").read()
t.ok("b.jsonl.gz" in html and "could not be read" in html, "  the page names the file that could not be read")
if shutil.which("pdftotext"):
    pdf = subprocess.run(["pdftotext", "-enc", "UTF-8", os.path.join(out, week, "digest.pdf"), "-"],
                         capture_output=True, text=True).stdout
    t.ok("b.jsonl.gz" in pdf and "could not be read" in pdf, "  so does the PDF")

# 6. usage: the new options go with run only
r = t.run(["check", "--logs", logs, "--replace"])
t.is_(r.returncode, 2, "--replace does not go with check")
r = t.run(["--help"])
t.ok("--allow-damaged" in r.stdout and "--replace" in r.stdout and "--allow-empty" in r.stdout,
     "--help lists --allow-damaged, --allow-empty and --replace")

sys.exit(t.done())
