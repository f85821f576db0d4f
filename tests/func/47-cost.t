#!/usr/bin/python3
"""47-cost: cost and latency (docs/figures.md "Cost and latency").

The hand-worked case tests/cases/figures/cost (its NOTES.md) with --jobs
1/2/4 (every file byte-identical), read back from the page (HTML parser),
the PDF (pdftotext) and the XLSX (openpyxl); the currency from the
configuration; the week before from the archive; a week without the fields
(no cost section, card or table; the Cost sheet says none); and the stated precision of the percentiles on
a few thousand random latencies against the exact nearest-rank values.
"""
import html.parser
import json
import math
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

CASE = os.path.join(t.ROOT, "tests", "cases", "figures", "cost")
TEMPLATES = os.path.join(t.ROOT, "templates")
ENV = {"AIDIGEST_TEMPLATES": TEMPLATES, "OPENAI_API_KEY": ""}
FILES = ["report.json", "index.html", "digest.pdf", "digest.xlsx"]


def run_week(out, logs, week, jobs=2, env=None, extra=()):
    e = dict(ENV)
    e.update(env or {})
    p = t.run(["run", "--offline", "--quiet", "--out", out, "--logs", logs, "--week", week,
               "--jobs", str(jobs)] + list(extra), env=e)
    return p


def report(out, week):
    with open(os.path.join(out, week, "report.json"), encoding="utf-8") as f:
        return json.load(f)


class Cells(html.parser.HTMLParser):
    """The rows of the table inside <section id="cost"> as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.rows = []
        self.cell = None
        self.section = False
        self.note = ""
        self.in_note = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("id") == "cost":
            self.section = True
        if not self.section:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = ""
        elif tag == "p" and "note" in (a.get("class") or ""):
            self.in_note = True

    def handle_endtag(self, tag):
        if not self.section:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None
        elif tag == "p":
            self.in_note = False
        elif tag == "section":
            self.section = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.in_note:
            self.note += data


def page_rows(out, week):
    c = Cells()
    with open(os.path.join(out, week, "index.html"), encoding="utf-8") as f:
        c.feed(f.read())
    return c


# ---- the case with --jobs 1, 2, 4
outs = {}
for j in (1, 2, 4):
    o = os.path.join(t.tmpdir(), "out")
    p = run_week(o, os.path.join(CASE, "logs"), "2026-W47", jobs=j)
    t.is_(p.returncode, 0, "cost case, --jobs %d: exit 0" % j)
    outs[j] = o
for f in FILES:
    blobs = []
    for j in (1, 2, 4):
        with open(os.path.join(outs[j], "2026-W47", f), "rb") as fh:
            blobs.append(fh.read())
    t.ok(blobs[0] == blobs[1] == blobs[2], "%s byte-identical with --jobs 1, 2 and 4" % f)

out = outs[1]
r = report(out, "2026-W47")
cost = r.get("cost") or {}
t.is_(cost.get("currency"), "USD", "currency defaults to USD")
t.is_([p["prompt_id"] for p in cost.get("prompts", [])], ["billing", "shipping"],
      "prompts with figures, sorted; greeting (no fields) left out")
t.is_([m["model"] for m in cost.get("models", [])], ["m-large", "m-small"], "models sorted")

# ---- the page
c = page_rows(out, "2026-W47")
body = [row for row in c.rows if row and row[0] != "Group"]
t.is_([row[0] for row in body],
      ["All suggestions", "Prompt billing", "Prompt shipping", "Model m-large", "Model m-small"],
      "page: one row for the team, each prompt and each model")
byname = {row[0]: row for row in body}
t.is_(byname.get("Prompt billing"),
      ["Prompt billing", "10 (7 used)", "410 ms(250\u20131,502)", "2,100 ms(\u2265 800)+1,700 ms vs last week",
       "200.0 / 50.1", "0.1250", "0.0179\u22120.0021 (\u00d70.89) vs last week"],
      "page: billing's median and p95 with their intervals, p95's change, tokens, cost, cost per used reply and its change")
t.is_(byname.get("Model m-small", [])[2:4], ["90 ms", "90 ms"], "page: one latency: no interval")
t.is_(byname.get("Prompt shipping", [])[2:5], ["\u2013"] * 3,
      "page: shipping has no latency or tokens: dashes, not zeros")
t.ok("Costs in USD" in c.note and "1024 ms" in c.note, "page: the note names the currency and the precision")

# ---- the PDF
pdf = subprocess.run(["pdftotext", "-layout", os.path.join(out, "2026-W47", "digest.pdf"), "-"],
                     capture_output=True, text=True).stdout
i = pdf.find("Cost and latency")
t.ok(i >= 0, "PDF: a Cost and latency section")
sect = pdf[i:i + 3000]
lines = sect.splitlines()
k = next((i for i, ln in enumerate(lines) if "Prompt billing" in ln), None)
row = " ".join(lines[k:k + 2]) if k is not None else ""  # a cell may wrap onto a second line
t.ok(all(s in row for s in ("10 (7 used)", "410 ms", "(250\u20131,502)", "2,100 ms", "+1,700", "0.1250", "0.0179",
                            "\u22120.0021")), "PDF: billing's row")
t.ok("Costs in USD" in sect.replace("\n", " "), "PDF: the currency note")

# ---- the XLSX
try:
    import openpyxl
    wb = openpyxl.load_workbook(os.path.join(out, "2026-W47", "digest.xlsx"))
    t.ok("Cost" in wb.sheetnames, "XLSX: a Cost sheet")
    ws = wb["Cost"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    data = {(row[0], row[1]): dict(zip(head, row)) for row in rows[1:] if row[0]}
    b = data.get(("prompt", "billing"), {})
    t.is_((b.get("Median latency (ms)"), b.get("Median 95% low"), b.get("Median 95% high"), b.get("p95 latency (ms)"),
           b.get("p95 95% low"), b.get("p95 95% high"), b.get("p95 change (ms)")), (410, 250, 1502, 2100, 800, None, 1700),
          "XLSX: billing's latencies and their intervals (no upper bound of p95 from 10)")
    t.ok(abs(b.get("Cost per used reply", 0) - 0.017857143) < 1e-12 and abs(b.get("Cost", 0) - 0.125) < 1e-12,
         "XLSX: billing's cost and cost per used reply, exact")
    s = data.get(("prompt", "shipping"), {})
    t.is_((s.get("Median latency (ms)"), s.get("Tokens in")), (None, None), "XLSX: shipping's absent figures are empty cells")
    a = data.get(("all", None), {})
    t.is_((a.get("Suggestions"), a.get("Used with cost"), a.get("Tokens out")), (18, 9, 501), "XLSX: the team's row")
except ImportError:
    t.ok(False, "openpyxl (python3-openpyxl) is installed")

# ---- the currency from the configuration and the environment
o = os.path.join(t.tmpdir(), "out")
conf = os.path.join(t.tmpdir(), "aidigest.conf")
with open(conf, "w") as f:
    f.write("currency = EUR\n")
p = run_week(o, os.path.join(CASE, "logs"), "2026-W47", extra=["--config", conf])
t.is_(report(o, "2026-W47").get("cost", {}).get("currency"), "EUR", "currency = EUR in the configuration")
t.ok("Costs in EUR" in page_rows(o, "2026-W47").note, "the page says EUR")
o = os.path.join(t.tmpdir(), "out")
p = run_week(o, os.path.join(CASE, "logs"), "2026-W47", env={"AIDIGEST_CURRENCY": "CHF"}, extra=["--config", conf])
t.is_(report(o, "2026-W47").get("cost", {}).get("currency"), "CHF", "AIDIGEST_CURRENCY wins over the file")

# ---- the week before from the archive
o = os.path.join(t.tmpdir(), "out")
p = run_week(o, os.path.join(CASE, "logs"), "2026-W46")
t.is_(p.returncode, 0, "W46 first")
p = run_week(o, os.path.join(CASE, "logs"), "2026-W47")
ov = report(o, "2026-W47").get("cost", {}).get("overall", {})
t.is_(ov.get("previous", {}).get("source"), "archive", "previous from the archive's W46 report")
t.is_(ov.get("change"), cost["overall"]["change"], "the same changes as from the logs")
t.ok("verdict" not in json.dumps(report(o, "2026-W47").get("cost")), "no verdict on a change (no test is made)")

# ---- a week without any of the fields
o = os.path.join(t.tmpdir(), "out")
p = run_week(o, os.path.join(t.ROOT, "tests", "cases", "figures", "totals", "logs"), "2026-W47")
t.is_(p.returncode, 0, "a week without cost fields runs")
t.ok("cost" not in report(o, "2026-W47"), "no cost section in report.json")
t.ok(not page_rows(o, "2026-W47").rows, "no Cost and latency card on the page")
pdf = subprocess.run(["pdftotext", os.path.join(o, "2026-W47", "digest.pdf"), "-"], capture_output=True, text=True).stdout
t.ok("Cost and latency" not in pdf, "no cost table in the PDF")
try:
    import openpyxl
    ws = openpyxl.load_workbook(os.path.join(o, "2026-W47", "digest.xlsx"))["Cost"]
    vals = [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    t.ok("(none this week)" in vals and not any(isinstance(v, (int, float)) for v in vals),
         "the Cost sheet (the same sheets every week) says none this week, no numbers")
except ImportError:
    t.ok(False, "openpyxl")

# ---- the stated precision on random latencies
rng = random.Random(47)
d = t.tmpdir()
lat = []
with open(os.path.join(d, "lat.jsonl"), "w") as f:
    for i in range(4000):
        v = round(math.exp(rng.uniform(0, math.log(5e6))), rng.choice([0, 1, 3]))
        lat.append(v)
        f.write(json.dumps({"type": "suggestion", "id": "r%d" % i, "ts": "2026-11-18T10:%02d:00Z" % (i % 60),
                            "ai_reply": "x", "action": "accepted", "latency_ms": v}) + "\n")
o = os.path.join(t.tmpdir(), "out")
p = run_week(o, os.path.join(d, "lat.jsonl"), "2026-W47", jobs=4)
got = report(o, "2026-W47")["cost"]["overall"]["latency_ms"]
s = sorted(lat)
for name, q in (("median", 0.5), ("p95", 0.95)):
    true = s[math.ceil(q * len(s)) - 1]
    rep = got[name]
    bound = 1 if true < 1024 else true / 512
    t.ok(rep <= true < rep + bound + 1e-9,
         "%s of 4000 random latencies: reported %s, exact %s, within the stated bound" % (name, rep, true))
    # the interval: the order statistics of the ranks (4000, 0.5): (1938, 2063) and (4000, 0.95): (3773, 3828)
    # (exact binomial sums), widened to their cells' edges
    lo_r, hi_r = {"median": (1938, 2063), "p95": (3773, 3828)}[name]
    lo, hi = got[name + "_ci"]
    xl, xh = s[lo_r - 1], s[hi_r - 1]
    t.ok(lo <= xl and xl - lo < (1 if xl < 1024 else xl / 512) + 1e-9 and hi > xh and hi - xh <= (1 if xh < 1024 else xh / 256),
         "%s's interval [%s, %s] holds x_(%d) = %s and x_(%d) = %s, at most a cell wider" % (name, lo, hi, lo_r, xl, hi_r, xh))

sys.exit(t.done())
