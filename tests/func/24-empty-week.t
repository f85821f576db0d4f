#!/usr/bin/python3
"""24-empty-week: `run` for a week without a suggestion exits 1 with one
line naming the weeks the logs hold and writes nothing (not even OUT),
unless --allow-empty; `render` and `mail` of a week never run say so."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402


def sug(i, ts):
    return json.dumps({"type": "suggestion", "id": i, "ts": ts, "ai_reply": "Your order ships today.",
                       "action": "accepted", "confidence": 0.8}) + "\n"


tmp = t.tmpdir()
logs = os.path.join(tmp, "logs.jsonl")
with open(logs, "w") as f:
    # 2026-W44, W45, W46 (a run of three), then W50
    for k, day in enumerate(("2026-10-27", "2026-11-03", "2026-11-10", "2026-12-08")):
        f.write(sug("s%d" % k, day + "T10:00:00Z"))
out = os.path.join(tmp, "out")

r = t.run(["run", "--offline", "--week", "2026-W48", "--logs", logs, "--out", out])
t.is_(r.returncode, 1, "an empty week: exit 1")
t.is_(r.stderr.splitlines(), ["aidigest: 2026-W48: no suggestion in the logs for that week (they hold 2026-W44 to "
                              "2026-W46, 2026-W50); nothing written or published (--allow-empty to write an "
                              "empty week)"], "  one line naming the weeks the logs hold")
t.ok(not os.path.exists(out), "  nothing written: not even OUT")

r = t.run(["run", "--offline", "--week", "2026-W48", "--logs", logs, "--out", out, "--allow-damaged"])
t.is_(r.returncode, 1, "--allow-damaged does not write an empty week")
r = t.run(["run", "--offline", "--week", "2026-W48", "--logs", logs, "--out", out, "--allow-empty"])
t.is_(r.returncode, 0, "--allow-empty: exit 0") or t.diag(r.stderr)
rep = json.load(open(os.path.join(out, "2026-W48", "report.json")))
t.is_(rep["totals"]["suggestions"], 0, "  an empty week written")

# an OUT that exists is left as it was
before = sorted(os.listdir(out))
r = t.run(["run", "--offline", "--week", "2026-W49", "--logs", logs, "--out", out])
t.ok(r.returncode == 1 and sorted(os.listdir(out)) == before, "a refused week leaves an existing OUT as it was")

for cmd in ("render", "mail"):
    r = t.run([cmd, "--week", "2026-W30", "--out", out])
    t.is_(r.returncode, 3, "%s of a week never run: exit 3" % cmd)
    t.is_(r.stderr, "aidigest: week 2026-W30 has not been run (no %s/2026-W30/report.json)\n" % out,
          "  says so in those words")
r = t.run(["render", "--week", "2026-W48", "--out", out, "--only", "html"])
t.is_(r.returncode, 0, "render of a week that was run: exit 0") or t.diag(r.stderr)

sys.exit(t.done())
