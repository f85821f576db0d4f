#!/usr/bin/python3
"""32-schema-versions: `aidigest render` accepts both report schemas.

An archived schema-1 week (tests/fixtures/report-sample-v1.json) renders
page, PDF and workbook without intervals or verdicts; the same week as
schema 2 (tests/fixtures/report-sample.json) shows them: the page's
verdicts and interval lines, the PDF's drift line with n, m and bins,
the workbook's verdict and interval columns (docs/figures.md,
"Statistics")."""
import os
import shutil
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

import openpyxl  # noqa: E402

WEEK = "2026-W47"
FIX = os.path.join(t.ROOT, "tests", "fixtures")


def render(name):
    out = os.path.join(t.tmpdir(), "out")
    os.makedirs(os.path.join(out, WEEK))
    shutil.copy(os.path.join(FIX, name), os.path.join(out, WEEK, "report.json"))
    r = t.run(["render", "--week", WEEK, "--out", out])
    t.is_(r.returncode, 0, "%s: render exits 0" % name) or t.diag(r.stderr)
    d = os.path.join(out, WEEK)
    html = open(os.path.join(d, "index.html"), encoding="utf-8").read()
    pdf = subprocess.run(["pdftotext", "-layout", os.path.join(d, "digest.pdf"), "-"],
                         capture_output=True, text=True).stdout
    wb = openpyxl.load_workbook(os.path.join(d, "digest.xlsx"))
    return html, pdf, wb


def key_figures(wb):
    ws = wb["Summary"]
    tab = ws.tables["KeyFigures"]
    rows = list(ws[tab.ref])
    head = [c.value for c in rows[0]]
    return head, {r[0].value: [c.value for c in r] for r in rows[1:]}


# schema 1: no intervals, no verdicts, the old wording
html, pdf, wb = render("report-sample-v1.json")
t.ok("95% interval" not in html, "v1 page: no intervals")
t.ok('class="verdict"' not in html, "v1 page: no verdicts")
t.ok("The 2 most rejected suggested replies" in html, "v1 page: top rejected keeps its schema-1 caption")
t.ok("Drift:" not in pdf and "95% interval" not in pdf, "v1 PDF: no drift verdict, no intervals")
t.ok("PSI" in pdf, "v1 PDF: PSI still shown")
head, kf = key_figures(wb)
t.ok(all(v is None for v in kf["Acceptance rate"][4:]), "v1 workbook: verdict and interval cells are empty")

# schema 2: the same week with intervals and verdicts
html, pdf, wb = render("report-sample.json")
t.ok('title="95% interval of the change: +0.3 to +4.4 pp"' in html,
     "v2 page: the acceptance change's interval on hover")
t.ok('<p class="ci">95% interval 35.5\u201338.4%</p>' in html, "v2 page: the acceptance rate's interval, a smaller line")
t.ok('<span class="verdict">steady</span>' in html, "v2 page: a steady change says steady (no arrow)")
t.ok("Replies rejected credibly more often than this week's 30.4% overall" in html,
     "v2 page: top rejected says its rule in one line")
t.ok('id="drift-verdict"' in html and "n = 4,110 scores this week, m = 4,169 last week, 20 bins" in html,
     "v2 page: drift verdict with n, m and bins")
flat = " ".join(pdf.split())
t.ok("Drift: none. PSI 0.041 (p < 0.001), KS 0.061 (p < 0.001); n = 4,110 scores this week, m = 4,169 last week, 20 bins."
     in flat, "v2 PDF: drift line with p-values, n, m and bins") or t.diag(flat[:3000])
t.ok("95% intervals: acceptance 35.5\u201338.4%" in flat, "v2 PDF: the intervals line under the tiles")
t.ok("\u25b2 +2.4 pp" in flat, "v2 PDF: an arrow for an up verdict")
t.ok("steady: +0.7 pp" in flat, "v2 PDF: steady, no arrow")
head, kf = key_figures(wb)
t.is_(head[4:], ["Verdict", "This week 95% low", "This week 95% high", "Change 95% low", "Change 95% high"],
      "v2 workbook: verdict and interval columns")
t.is_([round(v, 6) if isinstance(v, float) else v for v in kf["Acceptance rate"][4:]],
      ["up", 0.355487, 0.383969, 0.3351, 4.4282],
      "v2 workbook: the acceptance rate's verdict and intervals (the change's in points, as the change)")
t.is_(kf["Drift verdict (PSI and KS)"][4], "none", "v2 workbook: the drift verdict")
t.is_(len(wb["Calibration"]._charts[0].series), 4, "v2 workbook: calibration chart with the interval ends")
sys.exit(t.done())
