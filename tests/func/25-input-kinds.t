#!/usr/bin/python3
"""What a --logs directory may hold: entries that are not regular files (a
FIFO, a symlink to /dev/zero or to a FIFO, a socket, a device) are file
errors, never opened, so the run cannot block on them; a gzip file of
several members (cat a.gz b.gz) is read whole; bytes after a gzip stream
that are not another member are a file error naming the file and the byte,
not dropped."""
import gzip
import json
import os
import re
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402


def sug(i, ts):
    return json.dumps({"type": "suggestion", "id": i, "ts": ts, "ai_reply": "Your order ships today.",
                       "action": "accepted", "confidence": 0.8}) + "\n"


def lines(prefix, n, day=17):
    return "".join(sug("%s%d" % (prefix, i), "2026-11-%02dT09:%02d:00Z" % (day, i)) for i in range(n))


def check(logs, timeout=30):
    try:
        return t.run(["check", "--week", "2026-W47", "--logs", logs], timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def summary(r, key):
    m = re.search(r"^%s: (\d+)$" % re.escape(key), r.stdout, re.M)
    return int(m.group(1)) if m else None


tmp = t.tmpdir()

# 1. entries that are not regular files
d = os.path.join(tmp, "kinds")
os.makedirs(d)
with open(os.path.join(d, "a.jsonl"), "w") as f:
    f.write(lines("a", 3))
os.mkfifo(os.path.join(tmp, "fifo"))
os.mkfifo(os.path.join(d, "b-fifo.jsonl"))
os.symlink("/dev/zero", os.path.join(d, "c-zero.jsonl"))
os.symlink(os.path.join(tmp, "fifo"), os.path.join(d, "d-fifolink.jsonl.gz"))
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.bind(os.path.join(d, "e-sock.jsonl"))
os.symlink("/dev/null", os.path.join(d, "f-null.jsonl"))
os.symlink(os.path.join(d, "a.jsonl"), os.path.join(d, "g-link.jsonl"))
r = check(d)
t.ok(r is not None, "check over a FIFO, /dev/zero, a socket and a device in --logs finishes")
if r is None:
    r = subprocess.CompletedProcess([], 124, "", "")
t.is_(r.returncode, 1, "  exit 1 (file errors)")
t.is_(summary(r, "unreadable files"), 5, "  the five are unreadable files") or t.diag(r.stdout + r.stderr)
for name, kind in (("b-fifo.jsonl", "a FIFO"), ("c-zero.jsonl", "a device"), ("d-fifolink.jsonl.gz", "a FIFO"),
                   ("e-sock.jsonl", "a socket"), ("f-null.jsonl", "a device")):
    t.ok(re.search(r"^aidigest: .*/%s: not a regular file \(%s\)$" % (re.escape(name), kind), r.stderr, re.M),
         "  %s: not a regular file (%s)" % (name, kind)) or t.diag(r.stderr)
t.is_(summary(r, "suggestions in 2026-W47"), 3, "  the regular file and the symlink to it are read (3, once as a duplicate)")
t.is_(summary(r, "duplicates"), 3, "  (the symlink's lines are duplicates of a.jsonl's)")
sock.close()

# a run over it does not replace the week (and does not hang either)
try:
    rr = t.run(["run", "--offline", "--week", "2026-W47", "--logs", d, "--out", os.path.join(tmp, "out")],
               env={"AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates")}, timeout=60)
except subprocess.TimeoutExpired:
    rr = None
t.ok(rr is not None and rr.returncode == 1, "run over them: exit 1, not a hang")

# 2. gzip members one after the other, as cat a.gz b.gz makes them
g = os.path.join(tmp, "gz")
os.makedirs(g)
one = gzip.compress(lines("m", 4).encode(), mtime=0)
two = gzip.compress(lines("n", 5, 18).encode(), mtime=0)
with open(os.path.join(g, "multi.jsonl.gz"), "wb") as f:
    f.write(one + two + gzip.compress(b"", mtime=0) + gzip.compress(lines("o", 2, 19).encode(), mtime=0))
r = check(g)
t.is_(r.returncode if r else None, 0, "multi-member gzip: exit 0") or t.diag(r and r.stderr)
t.is_(summary(r, "suggestions in 2026-W47") if r else None, 11, "  every member read (4 + 5 + 0 + 2)")
t.is_(summary(r, "unreadable files") if r else None, 0, "  no file error")

# 3. plain lines appended after the gzip stream
h = os.path.join(tmp, "trail")
os.makedirs(h)
with open(os.path.join(h, "t.jsonl.gz"), "wb") as f:
    f.write(one + lines("p", 2).encode())
r = check(h)
t.is_(r.returncode if r else None, 1, "bytes after the gzip stream: exit 1")
t.is_(summary(r, "unreadable files") if r else None, 1, "  a file error")
t.ok(r and re.search(r"^aidigest: .*/t\.jsonl\.gz: after line 4: trailing data after the gzip stream at byte %d$"
                     % len(one), r.stderr, re.M), "  naming the file, the last line and the byte") or \
    t.diag(r and r.stderr)
t.is_(summary(r, "suggestions in 2026-W47") if r else None, 4, "  the stream's own lines are counted")
# a second member followed by garbage: both members read, then the error
with open(os.path.join(h, "t.jsonl.gz"), "wb") as f:
    f.write(one + two + b"\x00\x00junk")
r = check(h)
t.ok(r and re.search(r"t\.jsonl\.gz: after line 9: trailing data after the gzip stream at byte %d$"
                     % (len(one) + len(two)), r.stderr, re.M), "  after two members: the byte after the second") or \
    t.diag(r and r.stderr)

# 4. a plain file whose first bytes are not gzip's is read as it is; a one-byte file too
p = os.path.join(tmp, "plain")
os.makedirs(p)
with open(os.path.join(p, "x.jsonl.gz"), "w") as f:
    f.write(lines("q", 2))
with open(os.path.join(p, "y.jsonl"), "wb") as f:
    f.write(b"\x1f")
r = check(p)
t.is_(summary(r, "suggestions in 2026-W47") if r else None, 2, "a .gz name over plain text: read as text")
t.is_(summary(r, "unreadable files") if r else None, 0, "  no file error")

sys.exit(t.done())
