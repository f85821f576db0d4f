#!/usr/bin/python3
"""23-progress: on a terminal (stderr a pseudo-terminal, python3's pty) a run
shows one progress line per stage (read: MB and lines; compute, narrate,
render, publish), redrawn in place and cleared at the end; with stderr not
a terminal, or with --quiet, nothing of it."""
import json
import os
import pty
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

tmp = t.tmpdir()
logs = os.path.join(tmp, "logs.jsonl")
with open(logs, "w") as f:
    for i in range(3000):
        f.write(json.dumps({"type": "suggestion", "id": "s%d" % i, "ts": "2026-11-17T09:%02d:00Z" % (i % 60),
                            "ai_reply": "Your order ships today.", "action": "accepted", "confidence": 0.8}) + "\n")
env = dict(os.environ, SOURCE_DATE_EPOCH="1764547200", AIDIGEST_TEMPLATES=os.path.join(t.ROOT, "templates"))


def on_pty(args):
    """run with stderr on a pseudo-terminal: (exit code, what the terminal got)"""
    master, slave = pty.openpty()
    p = subprocess.Popen([t.AIDIGEST] + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave,
                         env=env, cwd=t.ROOT)
    os.close(slave)
    got = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    return p.wait(timeout=120), got.decode("utf-8", "replace")


week = ["--week", "2026-W47", "--logs", logs, "--offline"]
rc, tty = on_pty(["run"] + week + ["--out", os.path.join(tmp, "o1")])
t.is_(rc, 0, "run on a terminal: exit 0") or t.diag(tty)
frames = tty.split("\r\x1b[K")
t.ok(len(frames) > 4, "the line is redrawn in place (\\r, erase line)") or t.diag(repr(tty))
drawn = [f for f in frames if f and not f.startswith("aidigest:")]
t.ok(any(f.startswith("read: ") and " MB" in f and "3,000 lines" in f for f in drawn),
     "read: MB and lines done") or t.diag(drawn)
for stage in ("compute", "narrate", "render"):
    t.ok(any(f.startswith(stage) for f in drawn), "a %s stage" % stage) or t.diag(drawn)
t.ok(frames[-1].startswith("aidigest: 2026-W47: 3,000 suggestions") and "\r" not in frames[-1].rstrip("\r\n"),
     "cleared before the summary, which stands alone at the end") or t.diag(repr(tty[-300:]))

rc, tty = on_pty(["run", "--quiet"] + week + ["--out", os.path.join(tmp, "o2")])
t.ok(rc == 0 and tty == "", "--quiet on a terminal: nothing at all") or t.diag(repr(tty))

rc, tty = on_pty(["check", "--logs", logs])
t.ok(rc == 0 and "read: " in tty and tty.endswith("\r\x1b[K"), "check: the read progress, cleared") or t.diag(repr(tty))

r = t.run(["run"] + week + ["--out", os.path.join(tmp, "o3")])
t.ok(r.returncode == 0 and "\r" not in r.stderr and "\x1b" not in r.stderr and "read:" not in r.stderr,
     "stderr not a terminal: no progress") or t.diag(repr(r.stderr))
t.is_(r.stderr.splitlines(), ["aidigest: 2026-W47: 3,000 suggestions; wrote %s/2026-W47/" % os.path.join(tmp, "o3")],
      "  only the summary")

sys.exit(t.done())
