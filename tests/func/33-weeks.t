#!/usr/bin/python3
"""33-weeks.t - the weeks side by side (issue 15, item 2), over the four
sample weeks run for real:

- every weekly page links to the archived week before and after it
  (<a rel=prev/next> and <link rel=prev/next>; the newest has no next, the
  oldest no previous), also when a week is run out of order: 2026-W45 run
  last is put between W44 and W46, whose pages are relinked, and a week
  re-run leaves the other pages byte for byte as they were;
- the archive index charts each headline figure over the weeks: loaded in
  headless Chromium (tests/lib/chromium.py), every chart is drawn (a
  visible box), has both axes labelled, the weeks printed under it, the
  first and last values printed, a <title> on every point naming week and
  value (and the 95 % interval for rates), and the page has no <script>;
  a week missing from the archive is a gap: the line is broken there and
  the week is marked "no data";
- the XLSX "Weeks" sheet, read back with openpyxl, has one row per archived
  week up to the workbook's own, oldest first, whose values are those of
  each week's report.json, and a line chart; a schema-1 week in the archive
  is read too (no intervals: empty cells)."""
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

tmp = t.tmpdir()
out = os.path.join(tmp, "out")
INPUTS = os.path.join(t.ROOT, "inputs")
ENV = {"AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates"), "AIDIGEST_RETRAIN_URL": ""}


def run(week):
    r = t.run(["run", "--offline", "--quiet", "--week", week, "--logs", INPUTS, "--out", out], env=ENV,
              cwd=tmp, timeout=600)
    t.is_(r.returncode, 0, "run %s%s" % (week, (": " + r.stderr.strip()[-300:]) if r.returncode else ""))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def links(week):
    """{rel: href} of the page's <a rel> and <link rel>, each rel once."""
    page = read(os.path.join(out, week, "index.html"))
    a = dict(re.findall(r'<a rel="(prev|next)" href="([^"]*)"', page))
    link = dict(re.findall(r'<link rel="(prev|next)" href="([^"]*)"', page))
    return a, link


def href(w):
    return "../%s/index.html" % w


# ------------------------------------------------ three weeks, one missing
for w in ("2026-W44", "2026-W46", "2026-W47"):
    run(w)
t.is_(links("2026-W44"), ({"next": href("2026-W46")},) * 2, "W44 (oldest): next is W46, no previous")
t.is_(links("2026-W46"), ({"prev": href("2026-W44"), "next": href("2026-W47")},) * 2,
      "W46: previous W44, next W47 (the page written before W47 existed was relinked)")
t.is_(links("2026-W47"), ({"prev": href("2026-W46")},) * 2, "W47 (newest): no next")

index = read(os.path.join(out, "index.html"))
m = re.search(r'<svg class="chart chart-weeks chart-wide"[^>]*aria-labelledby="trend-acceptance-wide-t[^"]*".*?</svg>',
              index, re.S)
svg = m.group(0) if m else ""
t.ok("<title>2026-W45: no data</title>" in svg and 'class="chart-gap"' in svg,
     "gap week: W45, not in the archive, is on the axis, marked and titled 'no data'")
line = re.search(r'class="chart-line"[^>]* d="([^"]*)"', svg)
t.ok(line and line.group(1).count("M") == 2 and line.group(1).count("L") == 1,
     "gap week: the line is broken there (W44 alone, then W46 to W47: %s)" % (line.group(1) if line else None))
t.ok("2026-W45 no data" in svg, "gap week: the description says so")

# ------------------------------------------- W45 last, between W44 and W46
before47 = read(os.path.join(out, "2026-W47", "index.html"))
run("2026-W45")
t.is_(links("2026-W44"), ({"next": href("2026-W45")},) * 2, "after W45: W44's next is W45")
t.is_(links("2026-W45"), ({"prev": href("2026-W44"), "next": href("2026-W46")},) * 2,
      "W45 links to W44 and W46")
t.is_(links("2026-W46"), ({"prev": href("2026-W45"), "next": href("2026-W47")},) * 2,
      "after W45: W46's previous is W45")
t.is_(read(os.path.join(out, "2026-W47", "index.html")), before47,
      "W47, whose neighbours did not change, is byte for byte as it was")

pages = {w: read(os.path.join(out, w, "index.html")) for w in ("2026-W44", "2026-W45", "2026-W46", "2026-W47")}
run("2026-W46")
t.ok(all(read(os.path.join(out, w, "index.html")) == p for w, p in pages.items() if w != "2026-W46"),
     "re-running W46 leaves the other weeks' pages byte for byte the same")
t.is_(links("2026-W46"), ({"prev": href("2026-W45"), "next": href("2026-W47")},) * 2,
      "... and W46's own page keeps its links (its figures now compare with W45)")
index = read(os.path.join(out, "index.html"))
t.ok("2026-W45: no data" not in index, "with every week in, the index has no gap")

reports = {w: json.loads(read(os.path.join(out, w, "report.json")))
           for w in ("2026-W44", "2026-W45", "2026-W46", "2026-W47")}

# ------------------------------------------------------ headless Chromium
try:
    import chromium
    chromium.Browser  # noqa: B018
    have_chromium = chromium.EXE is not None
except ImportError:
    have_chromium = False
PROBE = r"""JSON.stringify((function () {
  var charts = Array.prototype.filter.call(document.querySelectorAll('svg.chart-weeks'), function (s) {
    var r = s.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  return {
    scripts: document.getElementsByTagName('script').length,
    handlers: Array.prototype.filter.call(document.querySelectorAll('*'), function (e) {
      return Array.prototype.some.call(e.attributes, function (a) { return /^on/i.test(a.name); }); }).length,
    charts: charts.map(function (s) {
      var texts = Array.prototype.map.call(s.querySelectorAll('text'), function (x) { return x.textContent; });
      var r = s.getBoundingClientRect();
      return {
        id: s.getAttribute('aria-labelledby'),
        title: s.querySelector('title').textContent,
        w: r.width, h: r.height,
        ylabel: (s.querySelector('.chart-ylabel') || {}).textContent || '',
        xlabel: (s.querySelector('.chart-xlabel') || {}).textContent || '',
        weeks: Array.prototype.map.call(s.querySelectorAll('.chart-week'), function (x) { return x.textContent; }),
        values: Array.prototype.map.call(s.querySelectorAll('.chart-value'), function (x) { return x.textContent; }),
        dots: s.querySelectorAll('circle.chart-dot').length,
        titles: Array.prototype.map.call(s.querySelectorAll('circle.chart-dot > title'), function (x) { return x.textContent; }),
        ticks: texts.length,
        line: !!s.querySelector('path.chart-line') && s.querySelector('path.chart-line').getTotalLength() > 0
      };
    })
  };
})())"""
if not have_chromium:
    t.ok(False, "chromium installed (deps/debian-test.txt)")
else:
    with chromium.Browser(os.path.join(tmp, "profile")) as b:
        for width, form in ((1280, "wide"), (390, "narrow")):
            b.open("file://" + os.path.join(out, "index.html"), width)
            m = json.loads(b.eval(PROBE))
            t.is_((m["scripts"], m["handlers"]), (0, 0), "index at %d px: no <script>, no on* handler" % width)
            t.is_(b.console(), [], "index at %d px: no console message" % width)
            got = [c["title"] for c in m["charts"]]
            t.is_(got, ["Suggestions", "Acceptance rate", "Use rate", "Rejection rate", "Mean confidence",
                        "Calibration error (ECE)"], "index at %d px: the six headline charts are drawn" % width)
            t.ok(all(form in c["id"] for c in m["charts"]), "index at %d px: in their %s form" % (width, form))
            t.ok(all(c["w"] > 250 and c["h"] > 150 and c["line"] for c in m["charts"]),
                 "index at %d px: each chart has a real size and a drawn line (%s)"
                 % (width, ", ".join("%.0fx%.0f" % (c["w"], c["h"]) for c in m["charts"])))
            t.ok(all(c["xlabel"] == "ISO week" and c["ylabel"] for c in m["charts"]),
                 "index at %d px: both axes labelled (%s)" % (width, ", ".join(c["ylabel"] for c in m["charts"])))
            t.ok(all(c["weeks"] == ["W44", "W45", "W46", "W47"] for c in m["charts"]),
                 "index at %d px: the four weeks printed under each chart" % width)
            t.ok(all(c["dots"] == 4 and len(c["titles"]) == 4 for c in m["charts"]),
                 "index at %d px: every point has a title" % width)
            acc = m["charts"][1]
            want = []
            for w in ("2026-W44", "2026-W45", "2026-W46", "2026-W47"):
                r = reports[w]["rates"]
                want.append("%s: %.1f%%, 95%% interval %.1f%%\u2013%.1f%%"
                            % (w, 100 * r["acceptance"], 100 * r["acceptance_ci"][0], 100 * r["acceptance_ci"][1]))
            t.is_(acc["titles"], want, "index at %d px: acceptance points titled with week, value and interval" % width)
            sug = m["charts"][0]
            t.is_(sug["values"], ["{:,}".format(reports["2026-W44"]["totals"]["suggestions"]),
                                  "{:,}".format(reports["2026-W47"]["totals"]["suggestions"])],
                  "index at %d px: the first and last values printed" % width)

# ------------------------------------------------------------ XLSX Weeks
import openpyxl  # noqa: E402

# a schema-1 week in the archive, before the others
v1 = json.loads(read(os.path.join(t.ROOT, "tests", "fixtures", "report-sample-v1.json")))
v1["week"] = "2026-W43"
v1["period"] = {"start": "2026-10-19T00:00:00Z", "end": "2026-10-26T00:00:00Z"}
os.makedirs(os.path.join(out, "2026-W43"))
with open(os.path.join(out, "2026-W43", "report.json"), "w") as f:
    json.dump(v1, f)
r = t.run(["render", "--week", "2026-W47", "--out", out, "--only", "xlsx"], env=ENV, cwd=tmp)
t.is_(r.returncode, 0, "render W47's workbook again with a schema-1 week in the archive " + r.stderr.strip())
wb = openpyxl.load_workbook(os.path.join(out, "2026-W47", "digest.xlsx"))
t.ok("Weeks" in wb.sheetnames, "the workbook has a Weeks sheet")
ws = wb["Weeks"]
rows = list(ws.iter_rows(values_only=True))
head = list(rows[0])
body = [dict(zip(head, row)) for row in rows[1:] if row[0]]
t.is_([b["Week"] for b in body], ["2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47"],
      "one row per archived week, oldest first")
COLS = [("Suggestions", "totals.suggestions"), ("Acceptance rate", "rates.acceptance"),
        ("Acceptance 95% low", "rates.acceptance_ci.0"), ("Acceptance 95% high", "rates.acceptance_ci.1"),
        ("Use rate", "rates.use"), ("Use 95% low", "rates.use_ci.0"), ("Use 95% high", "rates.use_ci.1"),
        ("Rejection rate", "rates.rejection"), ("Rejection 95% low", "rates.rejection_ci.0"),
        ("Rejection 95% high", "rates.rejection_ci.1"), ("Mean confidence", "confidence.mean"),
        ("Calibration error (ECE)", "confidence.ece")]


def jpath(o, p):
    for k in p.split("."):
        if o is None:
            return None
        o = o[int(k)] if isinstance(o, list) else o.get(k)
    return o


reports["2026-W43"] = v1
bad = []
for b in body:
    rep = reports[b["Week"]]
    for col, p in COLS:
        if b[col] != jpath(rep, p):
            bad.append("%s %s: %r != %r" % (b["Week"], col, b[col], jpath(rep, p)))
    if b["Monday"] is None or b["Monday"].strftime("%Y-%m-%d") != rep["period"]["start"][:10]:
        bad.append("%s Monday %r" % (b["Week"], b["Monday"]))
t.is_(bad, [], "every value equals the week's report.json (the schema-1 week's intervals empty)")
t.is_([b["Acceptance 95% low"] for b in body][:1], [None], "the schema-1 week has no interval")
charts = ws._charts
t.is_([type(c).__name__ for c in charts], ["LineChart", "LineChart"], "the Weeks sheet has its line charts")
t.is_(len(charts[0].series), 3, "... the first with the three rates")
t.is_(ws.freeze_panes, "A2", "the header row is frozen")

# W45's workbook, rendered when W46 and W47 were already in, stops at W45
wb45 = openpyxl.load_workbook(os.path.join(out, "2026-W45", "digest.xlsx"))
t.is_([row[0] for row in wb45["Weeks"].iter_rows(min_row=2, values_only=True) if row[0]],
      ["2026-W44", "2026-W45"], "a week's workbook has the weeks up to its own")

sys.exit(t.done())
