#!/usr/bin/python3
"""The XLSX digest: `aidigest render` turns report.json into digest.xlsx.

Read back with openpyxl (a real reader): every sheet, table, chart, frozen
pane and number format, and every value against report.json. Also: a
byte-identical re-run, a hostile report (huge, odd and invalid text, empty
lists, nulls everywhere), and a failed write that leaves nothing behind.
"""
import copy
import datetime
import json
import os
import shutil
import subprocess
import sys
import zipfile
from xml.etree import ElementTree

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

import openpyxl  # noqa: E402
from openpyxl.utils.cell import range_boundaries  # noqa: E402

WEEK = "2026-W47"
SDE = "1764547200"
MARKER = "\u2026 [truncated]"
NONE = "(none this week)"
SHEETS = ["Summary", "Weeks", "Top used", "Top rejected", "Confidence", "Calibration", "Trends",
          "Retraining", "Retraining preview", "Coach notes", "Edits", "Cost", "Data quality"]
FIXTURE = os.path.join(t.ROOT, "tests", "fixtures", "report-sample.json")


def render(report_bytes, out=None):
    out = out or t.tmpdir()
    os.makedirs(os.path.join(out, WEEK), exist_ok=True)
    with open(os.path.join(out, WEEK, "report.json"), "wb") as f:
        f.write(report_bytes)
    r = t.run(["render", "--week", WEEK, "--out", out, "--only", "xlsx"], env={"SOURCE_DATE_EPOCH": SDE})
    return r, out, os.path.join(out, WEEK, "digest.xlsx")


def dt(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


def table_rows(ws, name):
    """The data rows of a table as lists of cell objects."""
    ref = ws.tables[name].ref
    c1, r1, c2, r2 = range_boundaries(ref)
    return [[ws.cell(r, c) for c in range(c1, c2 + 1)] for r in range(r1 + 1, r2 + 1)]


def headers(ws, name):
    ref = ws.tables[name].ref
    c1, r1, c2, _ = range_boundaries(ref)
    return [ws.cell(r1, c).value for c in range(c1, c2 + 1)]


def check_structure(wb, label, outcomes=True):
    """outcomes: the report has an outcomes object (the fixture's), so the two outcome sheets
    come after Edits; without one they are absent (docs/xlsx.md)."""
    want = SHEETS[:11] + ["Outcomes", "Outcome differences"] + SHEETS[11:] if outcomes else SHEETS
    t.is_(wb.sheetnames, want, "%s: the %d sheets in order" % (label, len(want)))
    t.ok(all(len(n) <= 31 for n in wb.sheetnames), "%s: sheet names fit Excel's 31 characters" % label)
    boxes = []
    for ws in wb:
        for name, ref in ws.tables.items():
            c1, r1, c2, r2 = range_boundaries(ref)
            if r2 <= r1:
                t.ok(False, "%s: table %s has a data row" % (label, name))
            tab = ws.tables[name]
            if tab.autoFilter is None:
                t.ok(False, "%s: table %s has an autofilter" % (label, name))
            for other in boxes:
                if other[0] == ws.title and not (c2 < other[1] or c1 > other[3] or r2 < other[2] or r1 > other[4]):
                    t.ok(False, "%s: tables %s and %s overlap" % (label, name, other[5]))
            boxes.append((ws.title, c1, r1, c2, r2, name))
        if ws.title != "Summary":
            if ws.freeze_panes != "A2":
                t.ok(False, "%s: %s has its header row frozen (got %r)" % (label, ws.title, ws.freeze_panes))
    for ws in wb:
        spans = sorted((c.anchor._from.row, c.anchor.to.row) for c in ws._charts)
        last_table_row = max((b[4] for b in boxes if b[0] == ws.title), default=0)
        if spans and spans[0][0] < last_table_row:
            t.ok(False, "%s: charts on %s start below its tables" % (label, ws.title))
        for a, b in zip(spans, spans[1:]):
            if b[0] <= a[1]:
                t.ok(False, "%s: charts on %s do not overlap (%r, %r)" % (label, ws.title, a, b))
    names = sorted(b[5] for b in boxes)
    t.is_(names, sorted(["KeyFigures", "TopUsed", "TopRejected", "ConfidenceDaily", "ConfidenceHistogram",
                         "Calibration", "CalibrationError", "Trends", "Retraining", "RetrainingPreview", "CoachNotes",
                         "CoachTips", "EditsCounts", "EditsShares", "EditsHabits", "EditsByPrompt",
                         "CostLatency", "DataQuality", "BadLinesByReason", "Weeks"] + (["Outcomes", "OutcomeDifferences"] if outcomes else [])),
          "%s: every list is an Excel table, none overlapping, each with a data row and autofilter" % label)
    t.is_(sorted(type(c).__name__ for c in wb["Confidence"]._charts), ["BarChart", "LineChart"],
          "%s: Confidence has a line chart (daily) and a column chart (histogram)" % label)
    bar = [c for c in wb["Confidence"]._charts if type(c).__name__ == "BarChart"][0]
    t.is_((bar.type, len(bar.series)), ("col", 2), "%s: the histogram chart is columns, this week vs last" % label)
    t.is_([type(c).__name__ for c in wb["Calibration"]._charts], ["ScatterChart"],
          "%s: Calibration has a scatter chart" % label)
    t.is_(len(wb["Calibration"]._charts[0].series), 4,
          "%s: ... with the data, the diagonal and the two ends of each bin's interval" % label)
    t.is_(wb.properties.creator, "aidigest", "%s: author is aidigest" % label)
    t.is_(wb.properties.created, datetime.datetime.utcfromtimestamp(int(SDE)),
          "%s: created is SOURCE_DATE_EPOCH" % label)


def check_print(wb, label, scaled=("Top used", "Top rejected", "Retraining", "Coach notes", "Cost", "Outcomes",
                                    "Outcome differences")):
    """Print set-up: landscape A4, the header row on every page, one page
    wide where readable, else 70 % with the first column repeated; every
    chart starts a page (a manual break at its top row)."""
    bad = []
    for ws in wb.worksheets[1:]:
        ps = ws.page_setup
        fit = bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
        if ps.orientation != "landscape" or str(ps.paperSize) != "9" or ws.print_title_rows != "$1:$1":
            bad.append("%s: %s %s %r" % (ws.title, ps.orientation, ps.paperSize, ws.print_title_rows))
        if ws.title in scaled:
            if fit or str(ps.scale) != "70" or ws.print_title_cols != "$A:$A":
                bad.append("%s: not printed at 70%% with column A repeated" % ws.title)
        elif not fit or not (ps.fitToWidth in (None, 1, "1") and str(ps.fitToHeight) == "0"):
            bad.append("%s: fit to %r x %r pages" % (ws.title, ps.fitToWidth, ps.fitToHeight))
        tops = sorted(c.anchor._from.row for c in ws._charts)
        if [b.id for b in ws.row_breaks.brk] != tops:
            bad.append("%s: page breaks %r, charts at %r" % (ws.title, [b.id for b in ws.row_breaks.brk], tops))
    ws = wb["Summary"]
    heads = [ws.cell(b.id + 1, 1).value for b in ws.row_breaks.brk]
    if ws.page_setup.orientation == "landscape" or any(h not in ("Self-summary", "Summary", "Coach notes")
                                                       for h in heads):
        bad.append("Summary: %s, page breaks before %r" % (ws.page_setup.orientation, heads))
    for b in bad:
        t.diag(b)
    t.ok(not bad, "%s: print set-up (landscape, titles, readable width, charts on pages of their own)" % label)
    return heads


def check_heights(wb, label):
    """Every row with wrapped text is tall enough for its lines (at least
    one 15 pt line per LF-separated line and per column width of text)."""
    bad = []
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows():
            need = 1
            for c in row:
                if isinstance(c.value, str) and c.alignment.wrap_text:
                    w = ws.column_dimensions[c.column_letter].width or 8.43
                    lines = sum(max(1, -(-len(part) // int(w))) for part in c.value.split("\n"))
                    need = max(need, lines)
            if need > 1:
                h = ws.row_dimensions[row[0].row].height
                if not h or h < min(409, 15 * need):
                    bad.append("%s row %d: height %r for %d lines" % (ws.title, row[0].row, h, need))
    for b in bad[:5]:
        t.diag(b)
    t.ok(not bad, "%s: rows with wrapped text have heights for all their lines" % label)


def num_ok(cell, want, fmt, desc, exact=False):
    if want is None:
        return t.ok(cell.value is None, desc + " (empty for null)") or t.diag("got %r" % (cell.value,))
    good = isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
    good = good and (cell.value == want if exact else abs(cell.value - want) <= 1e-9)
    good = good and cell.number_format == fmt
    if not t.ok(good, desc):
        t.diag("got %r [%s], want %r [%s]" % (cell.value, cell.number_format, want, fmt))


def check_values(wb, rep):
    bad = []

    def want(cond, what):
        if not cond:
            bad.append(what)

    def num(cell, v, fmt, what, exact=False):
        if v is None:
            want(cell.value is None, "%s: %r is not empty" % (what, cell.value))
            return
        ok = isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
        ok = ok and (cell.value == v if exact else abs(cell.value - v) <= 1e-9)
        want(ok and cell.number_format == fmt,
             "%s: %r [%s] != %r [%s]" % (what, cell.value, cell.number_format, v, fmt))

    def text(cell, v, what):
        want(cell.value == (v or None), "%s: %r != %r" % (what, cell.value, v))

    INT, PCT, DEC = "#,##0", "0.0%", "0.000"
    PP = '+0.0 "pp";-0.0 "pp";0.0 "pp"'

    # Summary
    ws = wb["Summary"]
    meta = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, 10)}
    text(meta["Week"], rep["week"], "Summary week")
    want(meta["Period start (UTC)"].value == dt(rep["period"]["start"]), "period start")
    want(meta["Period end (UTC, exclusive)"].value == dt(rep["period"]["end"]), "period end")
    want(meta["Period start (UTC)"].is_date and meta["Period start (UTC)"].number_format == "yyyy-mm-dd hh:mm",
         "period start is a datetime cell")
    kf = {r[0].value: r for r in table_rows(ws, "KeyFigures")}
    prev = rep["previous"]
    for label, now, before, fmt, dfmt in [
            ("Suggestions", rep["totals"]["suggestions"], prev["totals"]["suggestions"], INT, "+#,##0;-#,##0;0"),
            ("Rejected", rep["totals"]["rejected"], prev["totals"]["rejected"], INT, "+#,##0;-#,##0;0"),
            ("Acceptance rate", rep["rates"]["acceptance"], prev["rates"]["acceptance"], PCT, PP),
            ("Use rate (accepted + edited)", rep["rates"]["use"], prev["rates"]["use"], PCT, PP),
            ("Calibration error (ECE)", rep["confidence"]["ece"], prev["ece"], DEC, "+0.000;-0.000;0.000")]:
        r = kf[label]
        num(r[1], now, fmt, label + " this week", exact=fmt == INT)
        num(r[2], before, fmt, label + " previous", exact=fmt == INT)
        num(r[3], (now - before) * (100 if dfmt == PP else 1), dfmt, label + " change")
    if rep.get("schema", 1) >= 2:  # a rate's change interval in points, as its change
        for label, key in [("Acceptance rate", "acceptance"), ("Use rate (accepted + edited)", "use")]:
            lo, hi = rep["changes"][key]["delta_ci"]
            num(kf[label][7], lo * 100, PP, label + " change 95% low")
            num(kf[label][8], hi * 100, PP, label + " change 95% high")
            text(kf[label][4], rep["changes"][key]["verdict"], label + " verdict")
    num(kf["Mean confidence"][3], rep["confidence"]["delta"], "+0.000;-0.000;0.000", "confidence delta")
    num(kf["Confidence drift (PSI)"][1], rep["confidence"]["psi"], DEC, "psi")
    want(kf["Confidence drift (PSI)"][2].value is None, "psi has no previous value")
    num(kf["AI wins (accepted as is)"][1], rep["coach"]["ai_wins"], INT, "ai wins", exact=True)
    col_a = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    for head, body in [("Self-summary", rep["narrative"]["self_summary"]),
                       ("Summary", rep["narrative"]["summary"])]:
        want(head in col_a and ws.cell(col_a.index(head) + 2, 1).value == body, "narrative " + head)
    notes = ws.cell(col_a.index("Coach notes") + 2, 1).value
    want(notes == "\n".join("\u2022 " + n for n in rep["narrative"]["coach_notes"]), "summary coach notes")

    # Top used / rejected
    rows = table_rows(wb["Top used"], "TopUsed")
    want(len(rows) == len(rep["top_accepted"]), "top used row count")
    for i, (r, g) in enumerate(zip(rows, rep["top_accepted"])):
        num(r[0], i + 1, "0", "rank", exact=True)
        text(r[1], g["reply"], "top used reply")
        want(r[1].alignment.wrap_text, "reply is wrapped")
        for j, k in [(2, "uses"), (3, "accepted"), (4, "edited"), (5, "suggested"), (8, "variants")]:
            num(r[j], g[k], INT, "top used " + k, exact=True)
        num(r[6], g["use_rate"], PCT, "use rate")
        num(r[7], g["mean_confidence"], DEC, "top used mean confidence")
    rows = table_rows(wb["Top rejected"], "TopRejected")
    want(len(rows) == len(rep["top_rejected"]), "top rejected row count")
    for r, g in zip(rows, rep["top_rejected"]):
        text(r[1], g["reply"], "rejected reply")
        num(r[2], g["rejections"], INT, "rejections", exact=True)
        num(r[3], g["suggested"], INT, "suggested", exact=True)
        num(r[4], g["rejection_rate"], PCT, "rejection rate")
        num(r[5], g["mean_confidence"], DEC, "mean confidence")
        num(r[6], g["variants"], INT, "variants", exact=True)
        text(r[7], g.get("top_replacement_text"), "top replacement as written")
        num(r[8], g.get("top_replacement_count"), INT, "top replacement count", exact=True)
    want(headers(wb["Top rejected"], "TopRejected") ==
         ["Rank", "Reply", "Rejections", "Suggested", "Rejection rate", "Mean confidence", "Variants",
          "Most frequent replacement", "Replacement count", "Rejection rate 95% low",
          "Rejection rate 95% high", "Excess rejections"],
         "Top rejected has no normalised replacement column")

    # Confidence
    c = rep["confidence"]
    rows = table_rows(wb["Confidence"], "ConfidenceDaily")
    want(len(rows) == 7, "seven days")
    for r, d in zip(rows, c["daily"]):
        want(r[0].value == datetime.datetime.strptime(d["date"], "%Y-%m-%d") and r[0].is_date
             and r[0].number_format == "yyyy-mm-dd", "daily date %s" % d["date"])
        num(r[1], d["n"], INT, "daily n", exact=True)
        num(r[2], d["mean"], DEC, "daily mean")
    rows = table_rows(wb["Confidence"], "ConfidenceHistogram")
    want(len(rows) == 20, "twenty bins")
    tot, ptot = sum(c["histogram"]), sum(c["previous_histogram"])
    for i, r in enumerate(rows):
        num(r[1], i * 0.05, "0.00", "bin lower")
        num(r[3], c["histogram"][i], INT, "bin count", exact=True)
        num(r[4], c["previous_histogram"][i], INT, "previous bin count", exact=True)
        num(r[5], c["histogram"][i] / tot, PCT, "bin share")
        num(r[6], c["previous_histogram"][i] / ptot, PCT, "previous bin share")

    # Calibration
    ws = wb["Calibration"]
    rows = table_rows(ws, "Calibration")
    want(len(rows) == 10, "ten calibration bins")
    for r, b in zip(rows, c["calibration"]):
        num(r[1], b["lower"], "0.00", "cal lower")
        num(r[2], b["upper"], "0.00", "cal upper")
        num(r[3], b["n"], INT, "cal n", exact=True)
        num(r[4], b["mean_confidence"], DEC, "cal mean confidence")
        num(r[5], b["acceptance"], PCT, "cal acceptance")
    ece = {r[0].value: r[1] for r in table_rows(ws, "CalibrationError")}
    num(ece["ECE (this week)"], c["ece"], DEC, "ece")

    # Trends
    rows = table_rows(wb["Trends"], "Trends")
    tr = rep["trends"]
    if isinstance(tr, list):  # schema 1: one list of rising terms, no change
        tr = [dict(g, topic=g["term"], direction="rising") for g in tr]
    else:
        tr = [dict(g, direction=d) for d in ("rising", "falling") for g in tr[d]]
    want(len(rows) == len(tr), "trend rows")
    for r, g in zip(rows, tr):
        text(r[1], g["topic"], "topic")
        text(r[2], g["direction"], "direction")
        num(r[3], g["count"], INT, "topic count", exact=True)
        num(r[4], g["previous_count"], INT, "topic previous count", exact=True)
        if g.get("change") is not None:
            num(r[5], g["expected"], "0.00", "topic expected count")
            text(r[6], g["change"], "topic change")
            num(r[7], g["ratio"], "0.00", "topic ratio")
            num(r[8], g["g2"], "0.00", "topic G2")

    # Retraining
    rows = table_rows(wb["Retraining"], "Retraining")
    want(len(rows) == len(rep["retraining"]), "retraining rows")
    for r, u in zip(rows, rep["retraining"]):
        want(r[0].value == dt(u["ts"]) and r[0].number_format == "yyyy-mm-dd hh:mm", "retraining time")
        text(r[1], u["prompt_id"], "prompt")
        text(r[2], u["from_version"], "from")
        text(r[3], u["to_version"], "to")
        text(r[6], "\n".join("\u2022 " + e for e in u["examples_added"]), "examples added")
        num(r[8], u["impact"]["before"]["suggestions"], INT, "before n", exact=True)
        num(r[10], u["impact"]["before"]["acceptance"], PCT, "before acceptance")
        num(r[13], u["impact"]["after"]["acceptance"], PCT, "after acceptance")
        num(r[14], u["impact"]["delta"] * 100, PP, "delta in percentage points")

    # Coach notes
    ws = wb["Coach notes"]
    rows = table_rows(ws, "CoachNotes")
    want([r[1].value for r in rows] == rep["narrative"]["coach_notes"], "coach notes")
    rows = table_rows(ws, "CoachTips")
    want(len(rows) == len(rep["coach"]["tips"]), "tip rows")
    for r, g in zip(rows, rep["coach"]["tips"]):
        text(r[0], g["feature"], "feature")
        text(r[1], g["label"], "label")
        num(r[2], g["ai_win_share"], PCT, "ai win share")
        num(r[3], g["rejected_share"], PCT, "rejected share")
        num(r[4], g["lift"] * 100, PP, "lift in percentage points")
        text(r[5], g["example"], "example")

    # Data quality
    ws = wb["Data quality"]
    dq = rep["data_quality"]
    counts = {r[0].value: r[1] for r in table_rows(ws, "DataQuality")}
    for label, k in [("Lines read", "lines"), ("Events", "events"), ("Bad lines", "bad_lines"),
                     ("Duplicate suggestions", "duplicates"), ("Events outside the week", "out_of_week"),
                     ("Events of unknown type", "unknown_types"), ("Orphan corrections", "orphan_corrections")]:
        num(counts[label], dq[k], INT, label, exact=True)
    reasons = [(r[0].value, r[1].value) for r in table_rows(ws, "BadLinesByReason")]
    want(reasons == list(dq["bad_by_reason"].items()), "bad lines by reason %r" % (reasons,))

    for b in bad:
        t.diag(b)
    for b in bad:
        t.diag(b)
    return not bad


# 1. The sample report.
sample = open(FIXTURE, "rb").read()
rep = json.loads(sample)
r, out, path = render(sample)
t.is_(r.returncode, 0, "render --only xlsx succeeds")
if r.returncode:
    t.diag(r.stderr)
t.ok(os.path.exists(path), "OUT/<week>/digest.xlsx is written")
t.is_(sorted(os.listdir(os.path.join(out, WEEK))), ["digest.xlsx", "report.json"],
      "no temporary file is left beside it")
with zipfile.ZipFile(path) as z:
    t.is_(z.testzip(), None, "the zip container is sound (zipfile)")
u = subprocess.run(["unzip", "-tq", path], capture_output=True, text=True)
t.is_(u.returncode, 0, "unzip -t finds no error")
wb = openpyxl.load_workbook(path)
check_structure(wb, "sample")
t.ok(len(check_print(wb, "sample")) >= 1,
     "Summary (longer than a page) breaks before a heading, not between a heading and its text")
check_heights(wb, "sample")
t.ok(check_values(wb, rep), "every value equals report.json (counts exactly, rates within 1e-9, dates as dates)")
t.ok(wb.properties.title and WEEK in wb.properties.title, "the title names the week")
t.ok(wb.properties.keywords and wb.properties.subject, "keywords and subject are set")
t.ok(wb["Top used"].column_dimensions["B"].width >= 50 and wb["Top used"].column_dimensions["C"].width <= 15,
     "text columns are wide, number columns narrow")

first = open(path, "rb").read()
r2, _, _ = render(sample, out)
t.is_(r2.returncode, 0, "a re-run succeeds")
t.ok(open(path, "rb").read() == first, "a re-run gives a byte-identical workbook")

# A schema-1 report (an archive written before issue 11): trends is one list of terms.
old = json.loads(sample)
old["schema"] = 1
old["trends"] = [{"term": "refund", "count": 410, "previous_count": 180, "baseline_count": 390, "score": 95.31}]
r1, _, p1 = render(json.dumps(old, ensure_ascii=False).encode())
t.is_(r1.returncode, 0, "a schema-1 report renders")
t.ok(r1.returncode == 0 and check_values(openpyxl.load_workbook(p1), old),
     "its trends are rising rows with the term and no change")

# Without SOURCE_DATE_EPOCH the report's generated_at dates the document.
out2 = t.tmpdir()
os.makedirs(os.path.join(out2, WEEK))
shutil.copy(FIXTURE, os.path.join(out2, WEEK, "report.json"))
p2 = os.path.join(out2, WEEK, "digest.xlsx")
r = t.run(["render", "--week", WEEK, "--out", out2], env={"SOURCE_DATE_EPOCH": ""})
once = open(p2, "rb").read() if r.returncode == 0 else b""
r = t.run(["render", "--week", WEEK, "--out", out2], env={"SOURCE_DATE_EPOCH": ""})
t.ok(r.returncode == 0 and open(p2, "rb").read() == once,
     "without SOURCE_DATE_EPOCH a re-run is byte-identical too")
t.is_(openpyxl.load_workbook(p2).properties.created, dt(rep["generated_at"]),
      "... and the document is dated by the report's generated_at")
t.ok(all(ws.page_setup.orientation == "landscape" for ws in openpyxl.load_workbook(p2).worksheets[1:]),
     "list sheets print landscape")

# 2. A hostile report: odd text, huge text, empty lists.
s20 = ("x" * 19999) + "y"
s40 = ("\u05e9\u05dc\u05d5\u05dd e\u0301 \U0001F44D\U0001F3FD " * 3000)[:40000]
h = copy.deepcopy(rep)
h["top_accepted"] = [dict(rep["top_accepted"][0], reply=s20), dict(rep["top_accepted"][0], reply=s40),
                     dict(rep["top_accepted"][0], reply="ctl\u0001\u0007\u001f\u000b end\r\nnext _x0041_ =1+1")]
# Texts a spreadsheet would take for formulas (OWASP's CSV injection list:
# = + - @, tab, CR; also after leading white space), and two that are not.
FORMULAS = ['=HYPERLINK("http://127.0.0.1/","x")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1",
            "  =1+1", "\n@x"]
PLAIN = ["a=b", "1-2"]
h["top_accepted"] += [dict(rep["top_accepted"][0], reply=v) for v in FORMULAS + PLAIN]
h["top_rejected"] = [dict(rep["top_rejected"][0], reply="ok", top_replacement_text="=1+1")]
h["trends"] = [dict(term="-term", count=1, previous_count=0, baseline_count=0, score=None)]
h["retraining"] = []
h["coach"]["tips"] = []
h["narrative"]["coach_notes"] = []
h["narrative"]["summary"] = s40
h["confidence"]["daily"] = []
h["confidence"]["histogram"] = []
h["confidence"]["previous_histogram"] = []
h["confidence"]["calibration"] = []
h["data_quality"]["bad_by_reason"] = {}
raw = json.dumps(h, ensure_ascii=False).encode()
r, out, path = render(raw)
t.is_(r.returncode, 0, "a hostile report renders")
if r.returncode:
    t.diag(r.stderr)
wb = openpyxl.load_workbook(path)
with zipfile.ZipFile(path) as z:
    t.is_(z.testzip(), None, "hostile: the zip container is sound")
    bad_parts = []
    for part in z.namelist():
        if part.endswith((".xml", ".rels")):
            try:
                ElementTree.fromstring(z.read(part))
            except ElementTree.ParseError as e:
                bad_parts.append("%s: %s" % (part, e))
    t.ok(not bad_parts, "hostile: every XML part is well-formed XML 1.0")
    for b in bad_parts:
        t.diag(b)
check_structure(wb, "hostile")
rows = table_rows(wb["Top used"], "TopUsed")
t.is_(rows[0][1].value, s20, "a 20,000-character reply is kept whole")
v = rows[1][1].value or ""
t.ok(v.endswith(MARKER), "a 40,000-character reply is cut with the marker")
units = len(v.encode("utf-16-le")) // 2
t.ok(units <= 32767, "... within Excel's 32,767 characters (%d UTF-16 units)" % units)
t.ok(s40.startswith(v[:-len(MARKER)]) and units > 32700, "... and keeps the text up to the cut, whole code points")
t.is_(rows[2][1].value, "ctl end\nnext _x0041_ =1+1",
      "control characters dropped, CR LF made LF, a literal _x0041_ reads back literally, '=' stays text")
with zipfile.ZipFile(path) as z:
    t.ok(b"next _x005F_x0041_ =1+1" in z.read("xl/sharedStrings.xml"),
         "... because it is escaped as _x005F_x0041_ (else Excel would show 'A')")
t.is_(rows[2][1].data_type, "s", "a reply starting like a formula is a string")
got = [(c.value, c.quotePrefix) for c in [r[1] for r in rows[3:]]]
want_q = [(v.replace("\r", "\n"), True) for v in FORMULAS] + [(v, False) for v in PLAIN]
t.is_(got, want_q, "texts starting with = + - @ tab CR (or after white space) carry the quote prefix, "
      "value unchanged; others do not")
t.ok(all(not r[1].protection.hidden for r in rows), "... and no hidden protection (the marker is removed)")
t.ok(all(r[1].alignment.wrap_text for r in rows[3:]), "... and keep their wrap format")
t.ok(table_rows(wb["Top rejected"], "TopRejected")[0][7].quotePrefix, "... in every sheet and column")
t.ok(table_rows(wb["Trends"], "Trends")[0][1].quotePrefix and
     not table_rows(wb["Trends"], "Trends")[0][1].alignment.wrap_text, "... a short text column too")
with zipfile.ZipFile(path) as z:
    t.ok(all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist()),
         "the rewritten zip keeps libxlsxwriter's fixed entry dates")
    t.ok("hidden" not in z.read("xl/styles.xml").decode(), "styles.xml has no hidden protection left")
first = open(path, "rb").read()
r2, _, _ = render(raw, out)
t.ok(r2.returncode == 0 and open(path, "rb").read() == first,
     "a workbook with quote prefixes is byte-identical on a re-run")
t.is_(sorted(os.listdir(os.path.join(out, WEEK))), ["digest.xlsx", "report.json"],
      "... and the rewrite leaves no temporary file")
check_heights(wb, "hostile")
t.ok(wb["Top used"].row_dimensions[2].height == 409, "a 20,000-character reply gets Excel's tallest row")
col_a = [c.value for c in wb["Summary"]["A"]]
t.ok((wb["Summary"].cell(col_a.index("Summary") + 2, 1).value or "").endswith(MARKER),
     "the 40,000-character narrative is cut with the marker too")
for name, tab in [("Retraining", "Retraining"),
                  ("Coach notes", "CoachTips"), ("Coach notes", "CoachNotes"), ("Confidence", "ConfidenceDaily"),
                  ("Calibration", "Calibration"), ("Data quality", "BadLinesByReason")]:
    rows = table_rows(wb[name], tab)
    vals = [c.value for c in rows[0]] if rows else None
    t.ok(len(rows) == 1 and NONE in vals and all(x in (None, NONE) for x in vals),
         "an empty list gives table %s one '(none this week)' row" % tab)
hist = table_rows(wb["Confidence"], "ConfidenceHistogram")
t.ok(len(hist) == 20 and all(r[3].value is None for r in hist), "an empty histogram gives 20 empty bins")
# Invalid UTF-8, an overlong '/', an encoded surrogate, straight into report.json's bytes.
raw3 = json.dumps(rep, ensure_ascii=False).encode().replace(
    b"Give a time frame", b"Give\xff a \xc0\xaf time \xed\xa0\x80 frame")
r, out, path = render(raw3)
wb = openpyxl.load_workbook(path)
t.is_(table_rows(wb["Coach notes"], "CoachTips")[0][1].value,
      "Give\ufffd a \ufffd\ufffd time \ufffd\ufffd\ufffd frame",
      "invalid UTF-8, an overlong '/' and an encoded surrogate become U+FFFD")


# 3. Nulls everywhere: every scalar of the sample made null, and lists holding nulls.
def nullify(v):
    if isinstance(v, dict):
        return {k: nullify(x) for k, x in v.items()}
    if isinstance(v, list):
        return [nullify(x) for x in v] + [None]
    return None


n = nullify(rep)
r, out, path = render(json.dumps(n).encode())
t.is_(r.returncode, 0, "a report with nulls everywhere renders")
if r.returncode:
    t.diag(r.stderr)
wb = openpyxl.load_workbook(path)
check_structure(wb, "nulls")
kf = table_rows(wb["Summary"], "KeyFigures")
t.ok(all(c.value is None for row in kf for c in row[1:]), "null figures are empty cells, not zeros")
rows = table_rows(wb["Top used"], "TopUsed")
t.ok(len(rows) == len(rep["top_accepted"]) + 1 and all(c.value is None for c in rows[0][1:]),
     "null fields in list rows are empty cells")
r, out, path = render(b'{"week": null, "top_accepted": null, "confidence": null, "narrative": null}')
t.is_(r.returncode, 0, "a nearly empty report renders")
check_structure(openpyxl.load_workbook(path), "bare", outcomes=False)

# 4. A write that fails leaves nothing half-written.
out = t.tmpdir()
os.makedirs(os.path.join(out, WEEK, "digest.xlsx", "blocker"))
r, _, _ = render(sample, out)
t.is_(r.returncode, 3, "a digest.xlsx that cannot be replaced fails with exit code 3")
t.ok("digest.xlsx" in r.stderr, "the error names the file")
t.is_(sorted(os.listdir(os.path.join(out, WEEK))), ["digest.xlsx", "report.json"],
      "no temporary file is left behind")
shutil.rmtree(out, ignore_errors=True)

# 3. Schema 2: each tip's evidence and the Edits sheet.
e2 = copy.deepcopy(rep)
e2["schema"] = 2
e2["coach"]["tips"][0].update({"verdict": "tip", "qualifies": True, "worked_n": 1642,
                                "ai_win_share_ci": [0.396, 0.444], "rejected_n": 658,
                                "rejected_share_ci": [0.088, 0.137], "q": 0.00001,
                                "edits_added": 3, "edits_removed": 2})
e2["edits"] = {"edited": 900, "measured": 880, "median_share": 0.125, "light": 600,
               "light_share": 0.681818, "light_share_ci": [0.65, 0.71], "unmeasured": 20,
               "habits": [{"feature": "apology", "label": "Apologise", "added": 41, "removed": 14}]}
e2["prompts"] = [{"prompt_id": "shipping", "suggestions": 10, "accepted": 5,
                  "edits": {"measured": 4, "median_share": 0.1, "light": 3, "light_share": 0.75}}]
r, _, path = render(json.dumps(e2).encode())
t.is_(r.returncode, 0, "schema 2 renders")
wb = openpyxl.load_workbook(path) if r.returncode == 0 else None
if wb:
    tip = table_rows(wb["Coach notes"], "CoachTips")[0]
    t.ok(tip[6].value == "tip" and tip[7].value == 1642 and abs(tip[8].value - 0.396) < 1e-9
         and tip[10].value == 658 and tip[14].value == 3 and tip[15].value == 2,
         "a tip's verdict, n, interval and edit counts: %r" % [c.value for c in tip[6:]])
    ws = wb["Edits"]
    counts = {r[0].value: r[1].value for r in table_rows(ws, "EditsCounts")}
    shares = {r[0].value: r[1].value for r in table_rows(ws, "EditsShares")}
    t.ok(counts.get("Measured (final text known)") == 880 and shares.get("Light share, 95% low") == 0.65
         and shares.get("Median share of the AI's words changed") == 0.125, "the edits figures")
    hab = table_rows(ws, "EditsHabits")
    t.ok([c.value for c in hab[0]] == ["Apologise", 41, 14], "habits added and removed")
    pr = table_rows(ws, "EditsByPrompt")
    t.ok([c.value for c in pr[0]] == ["shipping", 4, 0.1, 3, 0.75], "edits by prompt")
else:
    for _ in range(4):
        t.ok(False, "schema 2 workbook")

sys.exit(t.done())
