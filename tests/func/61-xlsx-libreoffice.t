#!/usr/bin/python3
"""The XLSX digest read by LibreOffice (Debian's libreoffice-calc-nogui).

Each sample week's report.json (tests/golden/sample) and one report full of
texts that look like formulas are rendered to digest.xlsx, and one headless
soffice run converts them all to CSV, every sheet to its own file. Every
text cell openpyxl reads must come out whole in LibreOffice's CSV (nothing
cut, nothing evaluated: a text starting with '=' is not a formula), and the
percentage-point changes must show as "+4.2 pp".
"""
import csv
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

import openpyxl  # noqa: E402

SDE = "1764547200"
GOLDEN = os.path.join(t.ROOT, "tests", "golden", "sample", "runs")
FORMULAS = ['=HYPERLINK("http://127.0.0.1/","click")', "=1+1", "+1+2", "-2+3", "@SUM(A1:A2)",
            "\t=1+1", "  =1+1"]

soffice = shutil.which("soffice") or shutil.which("libreoffice")
if not soffice:
    print("1..0 # SKIP LibreOffice (soffice) is not installed")
    sys.exit(0)

work = t.tmpdir()
books = {}
weeks = sorted(os.path.basename(d) for d in glob.glob(os.path.join(GOLDEN, "2026-W*")))
t.ok(len(weeks) == 4, "the four sample weeks (%s)" % ", ".join(weeks))


def render(name, week, report):
    out = os.path.join(work, "out-" + name)
    os.makedirs(os.path.join(out, week))
    with open(os.path.join(out, week, "report.json"), "w") as f:
        json.dump(report, f, ensure_ascii=False)
    r = t.run(["render", "--week", week, "--out", out, "--only", "xlsx"], env={"SOURCE_DATE_EPOCH": SDE})
    if r.returncode:
        t.diag(r.stderr)
        return False
    books[name] = os.path.join(work, name + ".xlsx")
    shutil.copy(os.path.join(out, week, "digest.xlsx"), books[name])
    return True


ok = True
for w in weeks:
    with open(os.path.join(GOLDEN, w, "report.json")) as f:
        ok = render(w, w, json.load(f)) and ok
with open(os.path.join(GOLDEN, weeks[-1], "report.json")) as f:
    q = json.load(f)
q["top_accepted"] = [dict(q["top_accepted"][0], reply=v) for v in FORMULAS]
ok = render("formulas", weeks[-1], q) and ok
t.ok(ok, "aidigest renders the workbooks")

# One soffice run for all of them; its own profile, so that no user
# setting and no running instance interferes. Tokens: comma, double
# quote, UTF-8, line 1, ..., 9 (true) cells as shown, 12 (-1) every sheet.
profile = os.path.join(work, "lo-profile")
outdir = os.path.join(work, "csv")
flt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
r = subprocess.run([soffice, "--headless", "--norestore", "-env:UserInstallation=file://" + profile,
                    "--convert-to", flt, "--outdir", outdir] + sorted(books.values()),
                   capture_output=True, text=True, timeout=240, env=dict(os.environ, HOME=work))
t.is_(r.returncode, 0, "soffice --convert-to csv succeeds")
if r.returncode:
    t.diag(r.stdout + r.stderr)


def sheet_csv(name, sheet):
    path = os.path.join(outdir, "%s-%s.csv" % (name, sheet))
    if not os.path.exists(path):
        return None
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


for name in sorted(books):
    wb = openpyxl.load_workbook(books[name])
    missing, cut = [], []
    for ws in wb:
        rows = sheet_csv(name, ws.title)
        if rows is None:
            missing.append(ws.title)
            continue
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, str):
                    continue
                got = rows[c.row - 1][c.column - 1] if c.row <= len(rows) and c.column <= len(rows[c.row - 1]) else None
                if got != c.value:
                    cut.append("%s!%s: %r != %r" % (ws.title, c.coordinate, (got or "")[:60], c.value[:60]))
    t.ok(not missing, "%s: LibreOffice writes every sheet (%d)" % (name, len(wb.sheetnames)))
    for m in missing:
        t.diag("no CSV for sheet %s" % m)
    t.ok(not cut, "%s: every text cell comes out of LibreOffice whole" % name)
    for c in cut[:5]:
        t.diag(c)

# The formulas' texts stay texts, and LibreOffice honours the "pp" format.
rows = sheet_csv("formulas", "Top used") or [[]]
t.is_([r[1] for r in rows[1:1 + len(FORMULAS)]], FORMULAS,
      "texts starting with = + - @ tab stay texts in LibreOffice (nothing evaluated)")
rows = sheet_csv(weeks[-1], "Summary") or []
change = [r[3] for r in rows if r and r[0] == "Acceptance rate"]
t.ok(change and change[0].endswith(" pp") and change[0][0] in "+-0",
     "a rate's change shows in percentage points (%r)" % (change[:1],))

sys.exit(t.done())
