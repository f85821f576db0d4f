#!/usr/bin/python3
"""A run writes its week all or nothing: a failing run leaves OUT/<week>/ as
it was (its bad lines excepted) and no staging directory behind."""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402


def digest(d):
    return {f: hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest()
            for f in sorted(os.listdir(d))}


def sug(i, ts, action="accepted"):
    return json.dumps({"type": "suggestion", "id": i, "ts": ts, "ai_reply": "Hello there, happy to help.",
                       "action": action, "confidence": 0.5, "customer_message": "hello"}) + "\n"


tmp = t.tmpdir()
good = os.path.join(tmp, "good")
bad = os.path.join(tmp, "bad")
os.makedirs(good)
os.makedirs(bad)
with open(os.path.join(good, "a.jsonl"), "w") as f:
    f.write(sug("s1", "2026-11-17T10:00:00Z") + sug("s2", "2026-11-18T10:00:00Z", "rejected"))
with open(os.path.join(bad, "a.jsonl"), "w") as f:
    f.write(sug("s1", "2026-11-17T10:00:00Z") + "{not json\n" + sug("s3", "2026-11-19T10:00:00Z"))
out = os.path.join(tmp, "out")
week = os.path.join(out, "2026-W47")
args = ["run", "--offline", "--week", "2026-W47", "--out", out]

r = t.run(args + ["--logs", bad])
t.is_(r.returncode, 0, "a run with a bad line exits 0")
t.ok(os.path.exists(os.path.join(week, "rejected.jsonl")), "and quarantines it")
r = t.run(args + ["--logs", good])
t.is_(r.returncode, 0, "a clean re-run exits 0")
t.ok(not os.path.exists(os.path.join(week, "rejected.jsonl")), "the week no longer has a stale rejected.jsonl")
before = digest(week)
t.is_(sorted(before), ["digest.pdf", "digest.xlsx", "index.html", "report.json", "terms.json"], "the week's files")

r = t.run(args + ["--logs", bad], env={"AIDIGEST_TEMPLATES": os.path.join(tmp, "no-templates")})
t.is_(r.returncode, 3, "a run whose page cannot be rendered exits 3")
t.ok("no-templates" in r.stderr, "saying why")
after = digest(week)
t.is_({k: v for k, v in after.items() if k != "rejected.jsonl"}, before,
      "every file of the week is as it was (report.json included)")
t.ok("rejected.jsonl" in after, "but the failed run's bad lines are kept")
t.is_([n for n in os.listdir(out) if n.startswith(".")], [".raw"], "no staging directory is left in OUT")
t.ok(os.path.exists(os.path.join(out, ".raw", "2026-W47", "rejected.jsonl")), "the raw bad lines are kept too")
table = [json.loads(x)["totals"]["suggestions"] for x in open(os.path.join(out, "weekly_ai_reports.jsonl"))]
t.is_(table, [2], "the weekly table still has the good run's row")

strict_out = os.path.join(tmp, "strict")
r = t.run(["run", "--offline", "--week", "2026-W47", "--out", strict_out, "--logs", bad, "--strict"])
t.is_(r.returncode, 1, "--strict with a bad line exits 1")
t.is_(sorted(os.listdir(os.path.join(strict_out, "2026-W47"))), ["rejected.jsonl"],
      "and leaves only the quarantine")
t.ok(not os.path.exists(os.path.join(strict_out, "weekly_ai_reports.jsonl")), "no table row")
sys.exit(t.done())
