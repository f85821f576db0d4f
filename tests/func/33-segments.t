#!/usr/bin/python3
"""33-segments.t - the segments (report.json `segments`, docs/figures.md
"Segments") in every document, from a real run: the page and the PDF show
the prompt and channel tables with only the significant rows marked and no
agent unless publish_agents is on (file or environment); the workbook has
one sheet per breakdown, agents included, read back with openpyxl; the PDF
read with pdftotext; --jobs 1, 2 and 4 give byte-identical files."""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

import openpyxl  # noqa: E402

WEEK = "2026-W47"
CASE = os.path.join(t.ROOT, "tests", "cases", "figures", "segments", "logs", "s.jsonl")
AGENTS = ("agt-zelda-77", "agt-yorick-42")
HOSTILE = "<img src=x onerror=alert(1)>&sms"
VNU = os.path.join(t.ROOT, "tests", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")


def make_logs():
    """The segments case's logs, with two agents whose names are easy to
    look for (people: they must not leak into published documents), and
    the 40 phone suggestions in a channel whose name is markup."""
    d = t.tmpdir()
    os.makedirs(os.path.join(d, "logs"))
    with open(CASE, encoding="utf-8") as f, open(os.path.join(d, "logs", "s.jsonl"), "w", encoding="utf-8") as g:
        for i, line in enumerate(f):
            ev = json.loads(line)
            ev["agent_id"] = AGENTS[i % 2]
            if ev.get("channel") == "phone":
                ev["channel"] = HOSTILE
            g.write(json.dumps(ev) + "\n")
    return d


def run(d, out, extra=(), env=None):
    e = {"AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates")}
    e.update(env or {})
    r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(d, "logs"), "--out", out] + list(extra),
              env=e)
    if not t.is_(r.returncode, 0, "run %s exits 0" % " ".join(extra)):
        t.diag(r.stderr[-2000:])
    return os.path.join(out, WEEK)


class Rows(html.parser.HTMLParser):
    """The segments tables of the page: caption id -> rows of (class, cells)."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tables, self.cur, self.row, self.cell = {}, None, None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "caption" and (a.get("id") or "").startswith("cap-seg-"):
            self.cur = a["id"][len("cap-seg-"):]
            self.tables[self.cur] = []
        elif tag == "tr" and self.cur:
            self.row = [a.get("class") or "", []]
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row[1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.cur:
                self.tables[self.cur].append(self.row)
            self.row = None
        elif tag == "table":
            self.cur = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True).stdout


d = make_logs()
wk = run(d, os.path.join(t.tmpdir(), "out"))
report = json.load(open(os.path.join(wk, "report.json"), encoding="utf-8"))
seg = report["segments"]
t.is_([r["segment"] for r in seg["channel"]], ["chat", "email", HOSTILE, "(none)", "other"], "channel rows in order")
t.is_([r["segment"] for r in seg["agent"]], [r["segment"] for r in sorted(seg["agent"], key=lambda r: (-r["suggestions"], r["segment"]))],
      "agents by suggestions, then name")
t.is_(sorted(r["segment"] for r in seg["agent"]), sorted(AGENTS), "two agents in report.json")

# ---- the page
page = open(os.path.join(wk, "index.html"), encoding="utf-8").read()
rows = Rows(page).tables
t.is_(sorted(rows), ["channel", "prompt"], "page: prompt and channel tables, no agent table")
body = {k: [r for r in v if r[1] and r[1][0] != "Prompt" and r[1][0] != "Channel"] for k, v in rows.items()}
want_hl = {k: [bool(r["highlight"]) for r in seg[k]] for k in ("prompt", "channel")}
for k in ("prompt", "channel"):
    got = ["seg-significant" in r[0] for r in body[k]]
    t.is_(got, want_hl[k], "page: %s rows marked exactly where report.json says highlight" % k)
    t.is_(sum("significant" in r[1][0] for r in body[k]), sum(want_hl[k]), "page: %s: the word on those rows only" % k)
chat = body["channel"][0][1]
t.ok(chat[0].startswith("chat") and chat[1] == "200" and chat[2].startswith("60.0%") and "53.1–66.5%" in chat[2],
     "page: chat's suggestions, acceptance and interval")
t.ok("steady" in chat[3] and "+1.0 pp" in chat[3], "page: chat's change is steady (+1.0 pp)")
t.ok("▼ down" in body["channel"][1][1][3], "page: email's change is down")
t.ok(body["channel"][4][1][0].startswith("other (2 segments)"), "page: the pooled row names its members")
t.is_(body["channel"][2][1][0], HOSTILE, "page: a segment value shown as text")
t.ok("v1 100, v2 100" in body["prompt"][0][1][0], "page: the prompt versions seen")
t.ok(not any(a in page for a in AGENTS), "page: no agent name")
t.ok("publish_agents = true" in page, "page: says where the agents are")
t.ok("<img" not in page and "&lt;img src=x onerror=alert(1)&gt;&amp;sms" in page, "page: a segment value is escaped")
pages = [os.path.join(wk, "index.html")]

# ---- the PDF (the mail's attachment)
txt = pdf_text(os.path.join(wk, "digest.pdf"))
t.ok("Where it happened" in txt and "By prompt (with the versions seen)" in txt and "By channel" in txt,
     "pdf: the section and its two tables")
t.ok("By agent" not in txt and not any(a in txt for a in AGENTS), "pdf: no agent table, no agent name")
sect = txt[txt.index("By prompt (with the versions seen)"):]
sect = sect[:sect.index("publish_agents")]
t.is_(sect.count("significant"), sum(want_hl["prompt"]) + sum(want_hl["channel"]), "pdf: one mark per significant row")
lines = [ln for ln in sect.splitlines() if ln.strip().startswith(("chat", "<img"))]
t.ok(len(lines) == 2 and "significant" in lines[0] and "significant" not in lines[1],
     "pdf: chat marked, the markup channel (phone's figures) not")

# ---- the workbook: every breakdown, agents included
wb = openpyxl.load_workbook(os.path.join(wk, "digest.xlsx"))
for dim, sheet in (("prompt", "Segments by prompt"), ("channel", "Segments by channel"), ("agent", "Segments by agent")):
    if not t.ok(sheet in wb.sheetnames, "xlsx: sheet %s" % sheet):
        continue
    ws = wb[sheet]
    hdr = [c.value for c in ws[1]]
    got = [dict(zip(hdr, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    t.is_(len(got), len(seg[dim]), "xlsx: %s has a row per segment" % sheet)
    ok = True
    for g, w in zip(got, seg[dim]):
        ok &= g["Suggestions"] == w["suggestions"] and abs(g["Acceptance"] - w["acceptance"]) < 1e-9
        ok &= g["Significant"] == ("true" if w["highlight"] else "false")
        if w["changes"]:
            ok &= g["Change verdict"] == w["changes"]["acceptance"]["verdict"]
            ok &= abs(g["Acceptance change"] - 100 * w["changes"]["acceptance"]["delta"]) < 1e-6
    t.ok(ok, "xlsx: %s values as in report.json" % sheet)
ws = wb["Segments by agent"]
t.is_(sorted(ws.cell(r, 1).value for r in (2, 3)), sorted(AGENTS), "xlsx: the agents are named")
t.is_(wb["Segments by prompt"].cell(2, 2).value, "v1 100, v2 100", "xlsx: prompt versions as text")

# ---- publish_agents on: from the configuration file, then from the environment
conf = os.path.join(t.tmpdir(), "aidigest.conf")
with open(conf, "w") as f:
    f.write("publish_agents = true\n")
for label, extra, env in (("file", ["--config", conf], None), ("environment", [], {"AIDIGEST_PUBLISH_AGENTS": "1"})):
    wk2 = run(d, os.path.join(t.tmpdir(), "out"), extra, env)
    page2 = open(os.path.join(wk2, "index.html"), encoding="utf-8").read()
    t.is_(sorted(Rows(page2).tables), ["agent", "channel", "prompt"], "publish_agents (%s): the page has agents" % label)
    t.ok(all(a in page2 for a in AGENTS) and "publish_agents = true" not in page2,
         "publish_agents (%s): names on the page, no note" % label)
    pages.append(os.path.join(wk2, "index.html"))
    txt2 = pdf_text(os.path.join(wk2, "digest.pdf"))
    t.ok("By agent" in txt2 and all(a in txt2 for a in AGENTS), "publish_agents (%s): the PDF has agents" % label)
if os.path.exists(VNU):
    v = subprocess.run(["java", "-jar", VNU, "--errors-only"] + pages, capture_output=True, text=True, timeout=300)
    if not t.ok(v.returncode == 0, "the pages with segments, agents off and on, are valid HTML (Nu HTML Checker)"):
        t.diag(v.stderr[-3000:])
else:
    t.ok(True, "# SKIP vnu.jar not installed (scripts/npm-deps.sh)")
r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(d, "logs"), "--out", t.tmpdir()],
          env={"AIDIGEST_PUBLISH_AGENTS": "maybe"})
t.ok(r.returncode != 0 and "publish_agents: not on or off" in r.stderr, "publish_agents: a bad value is an error")

# ---- a damaged segments member (a hand-edited report.json): every document still renders
bad = dict(report)
bad["segments"] = {"prompt": [1, "a", None, {}, {"segment": 5, "kind": "other", "members": "x", "versions": "bad",
                                                 "changes": [], "vs_team": 3, "highlight": "yes"},
                              {"segment": "x", "versions": [1, None, {"version": 7}], "acceptance_ci": [1],
                               "changes": {"acceptance": {"verdict": "up", "delta_ci": "z"}}}],
                   "channel": "nope", "agent": {"a": 1}, "min_suggestions": "x", "fdr": None}
bout = t.tmpdir()
os.makedirs(os.path.join(bout, WEEK))
with open(os.path.join(bout, WEEK, "report.json"), "w", encoding="utf-8") as f:
    json.dump(bad, f)
for doc in ("html", "pdf", "xlsx"):
    r = t.run(["render", "--week", WEEK, "--out", bout, "--only", doc], env={"AIDIGEST_PUBLISH_AGENTS": "1"})
    if not t.is_(r.returncode, 0, "damaged segments: %s renders" % doc):
        t.diag(r.stderr[-1500:])

# ---- --jobs 1, 2, 4: the same bytes (the sample weeks: several files, gzip)
outs = []
for j in ("1", "2", "4"):
    out = os.path.join(t.tmpdir(), "out")
    r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(t.ROOT, "inputs"), "--out", out,
               "--jobs", j], env={"AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates")})
    t.is_(r.returncode, 0, "sample week with --jobs %s" % j)
    outs.append(os.path.join(out, WEEK))
for f in ("report.json", "index.html", "digest.pdf", "digest.xlsx"):
    data = [open(os.path.join(o, f), "rb").read() for o in outs]
    t.ok(data[0] == data[1] == data[2], "--jobs 1/2/4: %s identical" % f)
rep = json.load(open(os.path.join(outs[0], "report.json"), encoding="utf-8"))
t.ok(all(len(rep["segments"][k]) > 0 for k in ("prompt", "channel", "agent")), "sample week: every breakdown has rows")
t.is_(sum(r["suggestions"] for r in rep["segments"]["channel"]), rep["totals"]["suggestions"],
      "sample week: the channel rows add up to the week's suggestions")
sys.exit(t.done())
