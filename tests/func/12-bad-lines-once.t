#!/usr/bin/python3
"""12-bad-lines-once: a bad line is reported and quarantined by the run of
the week it belongs to: the week of its "ts" when that can be read (even in
a line that is not JSON), else its file's week (where most of the file's times are, the earlier of a
tie), else
(a file without any time) the run's own week. Runs of consecutive weeks
(as `make digest` does) report each bad line once; the sample's golden
weeks hold only their own."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402


def sug(i, ts, **kw):
    d = {"type": "suggestion", "id": i, "ts": ts, "ai_reply": "Your order ships today.", "action": "accepted",
         "confidence": 0.8}
    d.update(kw)
    return json.dumps(d) + "\n"


tmp = t.tmpdir()
logs = os.path.join(tmp, "logs")
os.makedirs(logs)
W46, W47 = "2026-11-10T10:00:00Z", "2026-11-17T10:00:00Z"
with open(os.path.join(logs, "a.jsonl"), "w") as f:
    f.write(sug("a1", W46))
    f.write(sug("a2", W46, confidence=7))                       # line 2: W46 by its ts
    f.write('{"type":"suggestion","id":"a3","ts":"%s","ai_reply":"cut\n' % W47)  # line 3: not JSON, W47 by its ts
    f.write("{'no': 'time'}\n")                                  # line 4: no time: a.jsonl is W46's (2 times each, the earlier)
    f.write(sug("a5", W47))
with open(os.path.join(logs, "b.jsonl"), "w") as f:
    f.write(sug("b0", W46))                                      # one straggler of W46 ...
    f.write(sug("b1", W47))
    f.write(sug("b2", W47))
    f.write('{"type":"suggestion","id":"b3","ts":"yesterday"}\n')  # line 4: no readable time: b.jsonl is W47's
with open(os.path.join(logs, "c.jsonl"), "w") as f:
    f.write("garbage\n")                                         # a file without any time: the run's own
out = os.path.join(tmp, "out")
seen = {}
for week in ("2026-W46", "2026-W47"):
    r = t.run(["run", "--offline", "--week", week, "--logs", logs, "--out", out])
    t.is_(r.returncode, 0, "%s: exit 0" % week) or t.diag(r.stderr)
    shown = re.findall(r"^aidigest: \S*/(\w\.jsonl:\d+): ", r.stderr, re.M)
    seen[week] = shown
    rj = os.path.join(out, week, "rejected.jsonl")
    rows = [json.loads(x) for x in open(rj)] if os.path.exists(rj) else []
    t.is_(["%s:%d" % (os.path.basename(x["file"]), x["line"]) for x in rows], shown,
          "%s: rejected.jsonl holds the lines shown" % week)
    rep = json.load(open(os.path.join(out, week, "report.json")))
    t.is_(rep["data_quality"]["bad_lines"], len(shown), "%s: data_quality.bad_lines counts them" % week)
t.is_(seen["2026-W46"], ["a.jsonl:2", "a.jsonl:4", "c.jsonl:1"], "W46: its own lines, and the timeless file's")
t.is_(seen["2026-W47"], ["a.jsonl:3", "b.jsonl:4", "c.jsonl:1"], "W47: its own lines, and the timeless file's")
r = t.run(["check", "--logs", logs])
t.ok("bad lines: 5\n" in r.stdout, "check still lists every bad line") or t.diag(r.stdout)

# the sample weeks (tests/func/18-golden.t checks these are what the runs write)
gold = os.path.join(t.ROOT, "tests", "golden", "sample", "runs")
for w in ("2026-W44", "2026-W45", "2026-W46"):
    t.ok(not os.path.exists(os.path.join(gold, w, "rejected.jsonl")), "sample %s: no rejected.jsonl (W47's lines are W47's)" % w)
rows = [json.loads(x) for x in open(os.path.join(gold, "2026-W47", "rejected.jsonl"))]
t.ok(len(rows) == 11 and len({(x["file"], x["line"]) for x in rows}) == 11, "sample 2026-W47: its 11 bad lines, once each")

sys.exit(t.done())
