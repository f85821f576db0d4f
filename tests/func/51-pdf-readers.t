#!/usr/bin/python3
"""The PDF digest as readers see it: no warning from pdftotext, pdffonts,
pdfinfo or qpdf --check on the four sample weeks (each rendered again from
its recorded report.json), link annotations (the web page, the Retrain
control, the contents line to its sections), the Symbola fallback for
emoji, a long table split with its header repeated, a chart kept on its
page when it nearly fits, and axis titles on the charts."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

GOLDEN = os.path.join(t.ROOT, "tests", "golden", "sample", "runs")
WEEKS = ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
FIXTURE = os.path.join(t.ROOT, "tests", "fixtures", "report-sample.json")
SECTIONS = ["What the AI learned this week", "Weekly summary", "Coach notes", "Top used replies",
            "Top rejected replies", "Confidence", "Trending topics", "Retraining adjustments", "Data quality"]
NOLINKS = {"AIDIGEST_SITE_URL": "", "AIDIGEST_RETRAIN_URL": ""}


def tool(args):
    return subprocess.run(args, capture_output=True, text=True)


def render(week, report_bytes, env=None):
    out = t.tmpdir()
    os.makedirs(os.path.join(out, week))
    with open(os.path.join(out, week, "report.json"), "wb") as f:
        f.write(report_bytes)
    r = t.run(["render", "--week", week, "--out", out, "--only", "pdf"], env=dict(NOLINKS, **(env or {})))
    return r, os.path.join(out, week, "digest.pdf")


def page_texts(pdf, layout=False):
    n = int(re.search(r"^Pages:\s+(\d+)", tool(["pdfinfo", pdf]).stdout, re.M).group(1))
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    return [tool(args + ["-f", str(i), "-l", str(i), pdf, "-"]).stdout for i in range(1, n + 1)]


def lowest_ink(pdf, page):
    """How far down page (1-based, the one before index page) its content
    reaches, as a share of its height, the running foot left out: the
    bottom of the lowest word above the foot, from pdftotext -bbox."""
    out = tool(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), pdf, "-"]).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', out).group(1))
    ys = [float(y) for y in re.findall(r'yMax="([\d.]+)"', out)]
    body = [y for y in ys if y < height - 60]  # the foot sits in the bottom margin
    return max(body) / height if body else 0.0


def annotations(pdf):
    """(page number, annotation dict) of every annotation, from qpdf --json."""
    j = json.loads(tool(["qpdf", "--json", pdf]).stdout)
    objs = {k[4:]: v.get("value") for k, v in j["qpdf"][1].items() if k.startswith("obj:")}
    pages = [p["object"] for p in j["pages"]]
    found = []
    for n, pid in enumerate(pages, 1):
        annots = objs[pid].get("/Annots", [])
        if isinstance(annots, str):
            annots = objs[annots]
        for a in annots:
            found.append((n, objs[a] if isinstance(a, str) else a, objs, pages))
    return found, j


# --- zero reader warnings on every sample week ---------------------------
for w in WEEKS:
    with open(os.path.join(GOLDEN, w, "report.json"), "rb") as f:
        r, pdf = render(w, f.read())
    t.ok(r.returncode == 0 and os.path.isfile(pdf), "%s: render --only pdf" % w)
    for args in (["pdftotext", pdf, os.devnull], ["pdffonts", pdf], ["pdfinfo", pdf]):
        p = tool(args)
        t.is_((p.returncode, p.stderr), (0, ""), "%s: %s says nothing on stderr" % (w, args[0]))
    q = tool(["qpdf", "--check", pdf])
    t.ok(q.returncode == 0 and q.stderr == "" and "No syntax or stream encoding errors" in q.stdout
         and "WARNING" not in q.stdout, "%s: qpdf --check clean" % w)
    if q.returncode or q.stderr:
        t.diag(q.stdout + q.stderr)
    # No page before a chart's page is left a third empty: a chart that
    # nearly fits takes the room left (the text and drawings of every page
    # followed by a page that opens with a chart reach below 2/3 of it).
    texts = page_texts(pdf)
    charts = ("Mean confidence per day", "Confidence distribution", "Reliability: confidence vs acceptance")
    short = []
    for i in range(1, len(texts)):
        body = [ln.strip() for ln in texts[i].splitlines() if ln.strip()]
        if any(ln in charts for ln in body[:4]):  # a chart title just after the running head
            if lowest_ink(pdf, i) < 2 / 3:
                short.append(i)
    opens = [i for i in range(1, len(texts)) if any(ln.strip() in charts for ln in texts[i].splitlines()[:6])]
    t.ok(not short, "%s: no page left a third empty before a chart (pages %r; pages opening with a chart: %r)" % (w, short, opens))

# --- links ---------------------------------------------------------------
with open(FIXTURE, "rb") as f:
    sample = f.read()
SITE, RETRAIN = "https://digest.example.org/ai", "https://ci.example.org/actions/retrain"
r, pdf = render("2026-W47", sample, env={"AIDIGEST_SITE_URL": SITE, "AIDIGEST_RETRAIN_URL": RETRAIN})
t.is_(r.returncode, 0, "render with the site and retrain URLs")
found, j = annotations(pdf)
uris = [(n, a["/A"]["/URI"]) for n, a, _, _ in found if a.get("/Subtype") == "/Link" and "/A" in a]
t.ok((1, "u:" + SITE + "/2026-W47/") in uris, "page 1 links the week's web page")
t.ok(any(u == "u:" + RETRAIN for _, u in uris), "a link to the Retrain control (AIDIGEST_RETRAIN_URL)")
page_of = {p["object"]: n for n, p in enumerate(j["pages"], 1)}
outl = {o["title"]: (page_of[o["dest"][0]], round(o["dest"][3], 1))
        for p in j["pages"] for o in p["outlines"]}
dests = []
for n, a, objs, _ in found:
    d = a.get("/Dest")
    if n == 1 and d is not None:
        d = objs[d] if isinstance(d, str) else d
        dests.append((page_of[d[0]], round(d[3], 1)))
t.is_(sorted(dests), sorted(outl[s] for s in SECTIONS),
      "page 1's contents line links each section at its heading (as its bookmark)")
text = "".join(page_texts(pdf))
t.ok("In this digest:" in text and "Open the web version" in text and "Retrain now" in text,
     "the linked texts are shown")
q = tool(["qpdf", "--check", pdf])
t.ok(q.returncode == 0 and "WARNING" not in q.stdout, "with links: qpdf --check clean")

r, pdf = render("2026-W47", sample, env={"AIDIGEST_SITE_URL": SITE})
uris = [a["/A"]["/URI"] for _, a, _, _ in annotations(pdf)[0] if "/A" in a]
t.ok("u:" + SITE + "/2026-W47/#retrain" in uris, "without AIDIGEST_RETRAIN_URL: Retrain links the web page's control")
r, pdf = render("2026-W47", sample, env={"AIDIGEST_SITE_URL": "javascript:alert(1)"})
found = annotations(pdf)[0]
t.ok(r.returncode == 0 and not [a for _, a, _, _ in found if "/A" in a] and len(found) == len(SECTIONS),
     "a site URL that is not http(s): no web link, the section links stay")
t.ok("git tag retrain/2026-W47 && git push origin retrain/2026-W47" in
     re.sub(r"\s+", " ", "".join(page_texts(pdf))), "the retrain command is shown")

# --- the fallback font ---------------------------------------------------
rep = json.loads(sample)
rep["top_accepted"][0]["reply"] = "Sorted \U0001F600 and checked \u2705 (done)"
rb = json.dumps(rep, ensure_ascii=False).encode()
r, pdf = render("2026-W47", rb)
t.is_((r.returncode, r.stderr), (0, ""), "emoji report: render exits 0, quietly")
text = "".join(page_texts(pdf))
line = [ln for ln in text.splitlines() if "Sorted" in ln]
t.ok(line and "\U0001F600" in line[0] and "\u2705" in line[0] and "\ufffd" not in line[0],
     "U+1F600 and U+2705 come back from pdftotext (no U+FFFD)")
fonts = tool(["pdffonts", pdf])
t.ok(re.search(r"^HPDFA\w\+Symbola\s+CID TrueType\s+Identity-H\s+yes yes yes", fonts.stdout, re.M),
     "pdffonts lists Symbola, embedded, subset, with ToUnicode")
t.is_(fonts.stderr + tool(["pdftotext", pdf, os.devnull]).stderr, "", "emoji report: no reader warning")
with open(pdf, "rb") as f:
    first = f.read()
r, pdf2 = render("2026-W47", rb)
with open(pdf2, "rb") as f:
    t.ok(f.read() == first, "emoji report: byte-identical on a second run (deterministic subsets)")

r, pdf3 = render("2026-W47", sample, env={"AIDIGEST_TEAM": "Rocket \U0001F680"})
subj = re.search(r"^Subject:\s+(.*)$", tool(["pdfinfo", pdf3]).stdout, re.M)
t.ok(subj and "Rocket \ufffd team" in subj.group(1) and not re.search("[\ue000-\uf8ff]", subj.group(1)),
     "an emoji in the team name: U+FFFD in the document info (no private-use code)")
t.ok("Rocket \U0001F680 team" in "".join(page_texts(pdf3)), "and drawn in Symbola on the pages")

# --- a long table splits with its header repeated ------------------------
rep = json.loads(sample)
rows = rep["top_accepted"]
rep["top_accepted"] = [dict(rows[i % len(rows)], reply="Row %02d. " % i + rows[i % len(rows)]["reply"])
                       for i in range(40)]
r, pdf = render("2026-W47", json.dumps(rep).encode())
pages = page_texts(pdf, layout=True)
with_rows = [i for i, p in enumerate(pages) if re.search(r"Row \d\d\.", p)]
t.ok(len(with_rows) >= 2, "40 used replies take %d pages" % len(with_rows))
heads = []
for i in with_rows:
    lines = [ln.strip() for ln in pages[i].splitlines() if ln.strip()]
    first_row = next(k for k, ln in enumerate(lines) if re.search(r"Row \d\d\.", ln))
    heads.append(re.match(r"#\s+REPLY\s+USED\s+SUGGESTED\s+USE RATE\s+95% INTERVAL\s+CONF\.$", lines[first_row - 1]) is not None)
t.ok(all(heads), "every page of the table starts with its header row")
nums = [int(m) for p in pages for m in re.findall(r"Row (\d\d)\.", p)]
t.is_(nums, list(range(40)), "every row once, in order (no row split or lost)")

# --- axis titles ---------------------------------------------------------
lines = [ln.strip() for ln in "".join(page_texts(pdf)).splitlines()]
for title in ("Day", "Mean confidence", "Share of suggestions", "Acceptance rate"):
    t.ok(title in lines, "axis title: " + title)
t.ok(lines.count("Confidence") >= 3, "axis title: Confidence (histogram and reliability diagram)")

sys.exit(t.done())
