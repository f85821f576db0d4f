#!/usr/bin/python3
"""13-determinism: --jobs 1/2/4 give byte-identical outputs (sample inputs, all weeks, and a
generated ~50k-suggestion input with duplicates spread over files); re-runs are byte-identical;
weekly_ai_reports.jsonl keeps one line per week, ordered, replaced on re-run."""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

WEEKS = ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
FILES = ["report.json", "rejected.jsonl", "terms.json"]


def run(*args):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1764547200")
    env.pop("OPENAI_API_KEY", None)
    env.setdefault("AIDIGEST_TEMPLATES", os.path.join(t.ROOT, "templates"))
    p = subprocess.run([t.AIDIGEST, "run", "--offline"] + list(args), env=env, capture_output=True, timeout=300)
    if p.returncode != 0:
        t.diag(p.stderr.decode("utf-8", "replace")[-2000:])
    return p.returncode


def slurp(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


tmp = t.tmpdir()
inputs = os.path.join(t.ROOT, "inputs")

# Sample, all four weeks oldest first (each later week reads the archive), for each --jobs.
outs = {}
for jobs in ("1", "2", "4"):
    out = os.path.join(tmp, "sample-j" + jobs)
    rcs = [run("--week", w, "--logs", inputs, "--out", out, "--jobs", jobs) for w in WEEKS]
    t.is_(rcs, [0, 0, 0, 0], "sample, --jobs %s: four weeks run" % jobs)
    outs[jobs] = out
for w in WEEKS:
    for f in FILES:
        base = slurp(os.path.join(outs["1"], w, f))
        if f == "report.json" or f == "terms.json" or w == "2026-W47":
            t.ok(base is not None, "sample %s/%s written" % (w, f))
        same = all(slurp(os.path.join(outs[j], w, f)) == base for j in ("2", "4"))
        t.ok(same, "sample %s/%s identical for --jobs 1, 2, 4" % (w, f))

# weekly_ai_reports.jsonl: one line per week, ordered, the report compacted.
table = os.path.join(outs["1"], "weekly_ai_reports.jsonl")
rows = [json.loads(x) for x in open(table, encoding="utf-8")]
t.is_([r["week"] for r in rows], WEEKS, "weekly_ai_reports.jsonl: one line per week, ordered")
w45 = json.loads(slurp(os.path.join(outs["1"], "2026-W45", "report.json")))
t.ok(rows[1] == w45, "weekly_ai_reports.jsonl: the W45 line is W45's report.json")
before = slurp(os.path.join(outs["1"], "2026-W45", "report.json"))
t.is_(run("--week", "2026-W45", "--logs", inputs, "--out", outs["1"], "--jobs", "2"), 0, "re-run of W45")
t.ok(slurp(os.path.join(outs["1"], "2026-W45", "report.json")) == before, "re-run: report.json byte-identical")
rows2 = [json.loads(x) for x in open(table, encoding="utf-8")]
t.is_([r["week"] for r in rows2], WEEKS, "re-run: still one line per week, ordered (the row replaced)")
t.ok(slurp(table).count(b"\n") == 4 and all(b"\n" not in x for x in slurp(table).split(b"\n")[:-1]),
     "weekly_ai_reports.jsonl: compact lines")
# out of order: W47 first, then W45 -> W45's row comes first
out = os.path.join(tmp, "order")
run("--week", "2026-W47", "--logs", inputs, "--out", out, "--jobs", "2")
run("--week", "2026-W45", "--logs", inputs, "--out", out, "--jobs", "2")
rows3 = [json.loads(x)["week"] for x in open(os.path.join(out, "weekly_ai_reports.jsonl"), encoding="utf-8")]
t.is_(rows3, ["2026-W45", "2026-W47"], "weekly_ai_reports.jsonl ordered by week, not by run")

# A generated input: ~50k suggestion lines over 5 files, ids reused across files and weeks.
rnd = random.Random(2026)
gen = os.path.join(tmp, "gen")
os.makedirs(gen)
replies = ["Your refund of %d was sent." % i for i in range(300)] + \
    ["We are sorry about order %d, a new one ships %s." % (i, d) for i in range(50) for d in ("today", "tomorrow")]
msgs = ["where is my parcel", "refund please", "delay again", "wrong size shoes", "account locked"]
acts = ["accepted", "edited", "rejected", "ignored"]
start = 1794787200  # 2026-11-16T00:00:00Z (was 2025-11-16: an empty 2026-W47, which a run now refuses)
for fi in range(5):
    with open(os.path.join(gen, "part-%d.jsonl" % fi), "w") as f:
        for i in range(10000):
            sid = "s%d" % rnd.randrange(30000)
            ts = start + rnd.randrange(-86400 * 2, 86400 * 8)
            e = {"type": "suggestion", "id": sid,
                 "ts": "%s" % __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(ts)),
                 "ai_reply": rnd.choice(replies), "action": rnd.choice(acts),
                 "customer_message": " ".join(rnd.sample(msgs, 2)), "prompt_id": rnd.choice(["a", "b"])}
            if rnd.random() < 0.9:
                e["confidence"] = round(rnd.random(), 3)
            if e["action"] in ("edited", "rejected"):
                e["final_reply"] = rnd.choice(replies)
            f.write(json.dumps(e) + "\n")
            if i % 2000 == 7:
                f.write('{"type":"correction","suggestion_id":"%s","ts":"2026-11-18T00:00:00Z","corrected_reply":"x"}\n' % sid)
            if i % 4999 == 3:
                f.write('{"broken\n')
gouts = {}
for jobs in ("1", "2", "4"):
    out = os.path.join(tmp, "gen-j" + jobs)
    t.is_(run("--week", "2026-W47", "--logs", gen, "--out", out, "--jobs", jobs), 0, "generated, --jobs %s runs" % jobs)
    gouts[jobs] = out
for f in FILES:
    base = slurp(os.path.join(gouts["1"], "2026-W47", f))
    t.ok(base is not None and all(slurp(os.path.join(gouts[j], "2026-W47", f)) == base for j in ("2", "4")),
         "generated: %s identical for --jobs 1, 2, 4" % f)
r = json.loads(slurp(os.path.join(gouts["1"], "2026-W47", "report.json")))
t.ok(r["data_quality"]["duplicates"] > 10000 and r["data_quality"]["bad_lines"] == 10,
     "generated: many duplicates (%d), 10 bad lines" % r["data_quality"]["duplicates"])
t.is_(r["data_quality"]["lines"], 50000 + 25 + 10, "generated: every line counted")
before = slurp(os.path.join(gouts["4"], "2026-W47", "report.json"))
run("--week", "2026-W47", "--logs", gen, "--out", gouts["4"], "--jobs", "4")
t.ok(slurp(os.path.join(gouts["4"], "2026-W47", "report.json")) == before, "generated: re-run byte-identical")
sys.exit(t.done())
