#!/usr/bin/python3
"""90-bench-tools: the parts of make bench on a small scale (the bench itself
takes minutes and is not a test): the input generator is deterministic,
writes the suggestions asked for with corrections and prompt updates, and
its all-distinct variant has no two replies alike even normalised; the
json-c floor program parses every line; aidigest reads the generated week."""
import hashlib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

tmp = t.tmpdir()
gen = os.path.join(t.ROOT, "scripts", "bench-input.py")


def generate(name, n, *extra):
    path = os.path.join(tmp, name)
    out = subprocess.run(["/usr/bin/python3", gen, path, str(n), *extra], capture_output=True, text=True)
    return path, out


real, r1 = generate("real.jsonl", 4000)
again, r2 = generate("again.jsonl", 4000)
dist, r3 = generate("dist.jsonl", 4000, "distinct")
t.is_((r1.returncode, r2.returncode, r3.returncode), (0, 0, 0), "the generator runs")
digest = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()  # noqa: E731
t.is_(digest(real), digest(again), "the same arguments write the same bytes")

events = []
for line in open(real, encoding="utf-8"):
    try:
        events.append(json.loads(line))
    except ValueError:
        pass
kinds = [e.get("type") for e in events if isinstance(e, dict)]
t.is_(kinds.count("suggestion"), 4000, "4,000 suggestions")
t.ok(kinds.count("correction") > 10 and kinds.count("prompt_update") >= 1, "corrections and prompt updates")
lines, replies = r1.stdout.split()
t.is_(int(lines), sum(1 for _ in open(real, encoding="utf-8")), "it prints the lines written")
t.ok(int(replies) < 4000, "realistic: replies repeat (%s distinct)" % replies)

norm = set()
n = 0
for line in open(dist, encoding="utf-8"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if isinstance(e, dict) and e.get("type") == "suggestion" and isinstance(e.get("ai_reply"), str):
        n += 1
        norm.add(re.sub(r"\s+", " ", re.sub(r"[0-9]+", "#", e["ai_reply"].lower())).strip())
t.is_(len(norm), n, "distinct: every reply differs, even normalised")

exe = os.path.join(tmp, "bench-jsonc")
flags = subprocess.run(["pkg-config", "--cflags", "--libs", "json-c"], capture_output=True, text=True).stdout.split()
cc = subprocess.run(["cc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-pthread", "-Wall", "-Wextra", "-Werror",
                     "-o", exe, os.path.join(t.ROOT, "scripts", "bench-jsonc.c")] + flags,
                    capture_output=True, text=True)
t.is_(cc.returncode, 0, "the json-c floor program compiles without warnings")
out = subprocess.run([exe, real, "2"], capture_output=True, text=True).stdout
m = re.match(r"jsonc: (\d+) lines, (\d+) objects, [0-9.]+ s", out)
t.ok(m and int(m.group(1)) == int(lines), "it parses every line, split over 2 threads: " + out.strip())

logs = os.path.join(tmp, "logs")
os.mkdir(logs)
os.rename(real, os.path.join(logs, "week.jsonl"))
r = t.run(["check", "--quiet", "--week", "2026-W47", "--logs", logs, "--jobs", "2"])
t.ok("suggestions in 2026-W47: 3," in r.stdout, "aidigest reads the generated week")
sys.exit(t.done())
