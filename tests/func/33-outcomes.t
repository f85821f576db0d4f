#!/usr/bin/python3
"""33-outcomes: the outcome join does not depend on --jobs or on the order of the lines
(outcomes before their suggestions, in other files, read by other workers): --jobs 1/2/4
give byte-identical report.json and page, and the counts match a join done here; the PDF
(pdftotext) and the XLSX (openpyxl) show the figures of the hand-worked case; a week
without outcomes has no outcomes section, sheet or figures (null, never zeros)."""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402


def run(out, logs, week, jobs=None, cwd=None):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1764547200")
    env.pop("OPENAI_API_KEY", None)
    env.setdefault("AIDIGEST_TEMPLATES", os.path.join(t.ROOT, "templates"))
    cmd = [t.AIDIGEST, "run", "--offline", "--out", out, "--logs", logs, "--week", week]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=300, cwd=cwd)
    if p.returncode != 0:
        t.diag(p.stderr.decode("utf-8", "replace")[-2000:])
    return p.returncode


def slurp(path):
    with open(path, "rb") as f:
        return f.read()


tmp = t.tmpdir()
rng = random.Random(15)
WEEK_START = 1794787200  # 2026-11-16T00:00:00Z
ACTIONS = ["accepted", "edited", "rejected", "ignored"]


def ts(sec):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sec))


lines, convs, outcome_pos = [], {}, {}
for i in range(9000):
    c = "c%d" % rng.randrange(3000)
    a = rng.choice(ACTIONS)
    when = WEEK_START + rng.randrange(7 * 86400)
    convs.setdefault(c, set()).add(a)
    lines.append(json.dumps({"type": "suggestion", "id": "s%d" % i, "ts": ts(when), "ai_reply": "Reply number %d to you." % (i % 50),
                             "action": a, "conversation_id": c, "prompt_id": "p%d" % (i % 3),
                             "customer_message": "where is my order %d please" % i}))
for j in range(5000):
    c = "c%d" % rng.randrange(3400)  # some conversations have no suggestion: unmatched
    o = {"type": "outcome", "ts": ts(WEEK_START + rng.randrange(7 * 86400)), "conversation_id": c}
    if rng.random() < 0.8:
        o["csat"] = rng.randint(1, 5)
    if rng.random() < 0.8:
        o["resolved"] = rng.random() < 0.6
    lines.append(json.dumps(o))
rng.shuffle(lines)
logs = os.path.join(tmp, "logs")
os.makedirs(logs)
nfiles = 5
for f in range(nfiles):
    with open(os.path.join(logs, "part-%d.jsonl" % f), "w") as fh:
        fh.write("".join(ln + "\n" for ln in lines[f::nfiles]))
# the join done here: last outcome in input order (files in name order, lines in order)
last, events = {}, {}
for f in range(nfiles):
    for ln in lines[f::nfiles]:
        o = json.loads(ln)
        if o["type"] == "outcome":
            last[o["conversation_id"]] = o
            events[o["conversation_id"]] = events.get(o["conversation_id"], 0) + 1
want_joined = sum(1 for c in convs if c in last)
want_unmatched = sum(1 for c in last if c not in convs)
want_dup = sum(n - 1 for n in events.values())

def cls(actions):
    return "as_is" if "accepted" in actions else "edited" if "edited" in actions else "not_used"

want_n = {}
for c, acts in convs.items():
    o = last.get(c)
    if o and "csat" in o:
        k = cls(acts)
        want_n[k] = want_n.get(k, []) + [o["csat"]]

reports, pages = {}, {}
for jobs in (1, 2, 4):
    out = os.path.join(tmp, "out%d" % jobs)
    t.is_(run(out, logs, "2026-W47", jobs), 0, "--jobs %d runs" % jobs)
    reports[jobs] = slurp(os.path.join(out, "2026-W47", "report.json"))
    pages[jobs] = slurp(os.path.join(out, "2026-W47", "index.html"))
t.ok(reports[1] == reports[2] == reports[4], "report.json byte-identical for --jobs 1/2/4")
t.ok(pages[1] == pages[2] == pages[4], "index.html byte-identical for --jobs 1/2/4")
oc = json.loads(reports[4])["outcomes"]
t.is_(oc["joined"], want_joined, "joined conversations as joined here")
t.is_(oc["unmatched"], want_unmatched, "unmatched outcomes counted, not lost")
t.is_(oc["duplicates"], want_dup, "outcomes replaced by a later one")
for k in ("as_is", "edited", "not_used"):
    row = [r for r in oc["by_class"] if r["class"] == k][0]
    xs = want_n.get(k, [])
    t.is_(row["csat"]["n"], len(xs), "%s: ratings" % k)
    t.ok(abs(row["csat"]["mean"] - sum(xs) / len(xs)) < 1e-6, "%s: mean CSAT" % k)

# the hand-worked case read back from the PDF and the XLSX
case = os.path.join(t.ROOT, "tests", "cases", "figures", "outcomes")
out = os.path.join(tmp, "case")
t.is_(run(out, "logs", "2026-W47", cwd=case), 0, "the outcomes case runs")
pdf = subprocess.run(["pdftotext", "-layout", os.path.join(out, "2026-W47", "digest.pdf"), "-"],
                     capture_output=True, text=True).stdout
flat = " ".join(pdf.split())
t.ok("How customers fared, by how the AI's reply was used" in pdf, "PDF: outcomes section")
t.ok("4.67 (3.23\u20135.00) of 3" in pdf, "PDF: as-is mean CSAT with its interval")
t.ok("CSAT +3.33 (+2.025 to +4.642) up" in pdf, "PDF: the significant difference as is - not used")
t.ok("1 outcome of the week is for a conversation with no suggestion" in flat, "PDF: unmatched outcome said")
import openpyxl  # noqa: E402
wb = openpyxl.load_workbook(os.path.join(out, "2026-W47", "digest.xlsx"))
t.ok("Outcomes" in wb.sheetnames and "Outcome differences" in wb.sheetnames, "XLSX: outcomes sheets")
rows = list(wb["Outcomes"].iter_rows(values_only=True))
head = rows[0]
as_is = [r for r in rows[1:] if r[0] == "(all prompts)" and r[1] == "as_is"][0]
t.ok(abs(as_is[head.index("CSAT mean")] - 4.666667) < 1e-6, "XLSX: as-is mean CSAT")
t.is_(as_is[head.index("With outcome")], 3, "XLSX: as-is conversations with an outcome")
q_as_is = [r for r in rows[1:] if r[0] == "Q" and r[1] == "as_is"][0]
t.ok(q_as_is[head.index("CSAT mean")] is None, "XLSX: no rating is an empty cell, not 0")
drows = list(wb["Outcome differences"].iter_rows(values_only=True))
d = [r for r in drows[1:] if r[0] == "(all prompts)" and r[1] == "as_is" and r[2] == "not_used"][0]
t.is_(d[drows[0].index("CSAT verdict")], "up", "XLSX: difference verdict")
page = slurp(os.path.join(out, "2026-W47", "index.html")).decode()
t.ok('id="outcomes"' in page and "Sent as is" in page, "page: outcomes section")

# a week without outcome events: no section, no sheet, null in the report
out = os.path.join(tmp, "none")
t.is_(run(out, os.path.join(t.ROOT, "tests", "cases", "figures", "changes", "logs"), "2026-W47"), 0,
      "a week without outcomes runs")
rep = json.loads(slurp(os.path.join(out, "2026-W47", "report.json")))
t.ok("outcomes" in rep and rep["outcomes"] is None, "report: outcomes null without outcome events")
t.ok('id="outcomes"' not in slurp(os.path.join(out, "2026-W47", "index.html")).decode(), "page: no outcomes section")
wb = openpyxl.load_workbook(os.path.join(out, "2026-W47", "digest.xlsx"))
t.ok("Outcomes" not in wb.sheetnames, "XLSX: no outcomes sheet")
pdf = subprocess.run(["pdftotext", os.path.join(out, "2026-W47", "digest.pdf"), "-"], capture_output=True, text=True).stdout
t.ok("How customers fared" not in pdf, "PDF: no outcomes section")
sys.exit(t.done())
