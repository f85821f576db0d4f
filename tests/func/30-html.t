#!/usr/bin/python3
"""30-html.t - the HTML pages: rendered from report.json by `aidigest render`,
figures as in the report, nothing from the logs live in the page (hostile
report), valid HTML5 (Nu HTML Checker), templates read at run time."""
import copy
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

ROOT = t.ROOT
SAMPLE = json.load(open(os.path.join(ROOT, "tests", "fixtures", "report-sample.json"), encoding="utf-8"))
VNU = os.path.join(ROOT, "tests", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
TEMPLATES = os.path.join(ROOT, "templates")


class Page(html.parser.HTMLParser):
    """Everything the checks need: tags with attributes, text per element id,
    and the text of every element in document order."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []          # (tag, attrs dict)
        self.text = []          # all text data
        self.stack = []         # open elements: [tag, attrs, text parts]
        self.elements = []      # (tag, attrs, text) closed elements
        self.feed(text)
        self.close()
        self.all_text = "".join(self.text)

    VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr", "area", "base", "embed"}
    SVG_VOID = {"line", "circle", "rect", "path", "polyline"}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in self.VOID:
            self.elements.append((tag, a, ""))
            return
        self.stack.append([tag, a, []])

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.elements.append((tag, dict(attrs), ""))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                while len(self.stack) > i:
                    e = self.stack.pop()
                    txt = "".join(e[2])
                    self.elements.append((e[0], e[1], txt))
                    if self.stack:
                        self.stack[-1][2].append(txt)
                return

    def handle_data(self, data):
        self.text.append(data)
        if self.stack:
            self.stack[-1][2].append(data)

    def by_id(self, i):
        for tag, a, txt in self.elements:
            if a.get("id") == i:
                return tag, a, txt
        return None

    def find(self, tag, cls=None):
        return [(a, txt) for tg, a, txt in self.elements
                if tg == tag and (cls is None or cls in (a.get("class") or "").split())]


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def live_check(p, label):
    """No script, no event handler, no javascript: link, no injected elements."""
    bad = []
    for tag, a in p.tags:
        if tag in ("script", "img", "textarea", "iframe", "object", "embed", "form", "base"):
            bad.append("<%s>" % tag)
        for k, v in a.items():
            if k.lower().startswith("on"):
                bad.append("%s %s=" % (tag, k))
            if k.lower() in ("href", "src", "action", "formaction", "xlink:href", "srcdoc"):
                vv = re.sub(r"[\x00-\x20]", "", v or "").lower()
                if not (vv.startswith("http://") or vv.startswith("https://") or vv.startswith("#")
                        or re.match(r"^[a-z0-9._/-]+$", vv)):
                    bad.append("%s %s=%r" % (tag, k, v))
    t.ok(not bad, "%s: nothing live (no script, on*, javascript: or injected elements)" % label)
    if bad:
        t.diag(bad[:10])


def setup(report, week="2026-W47", out=None):
    out = out or os.path.join(t.tmpdir(), "out")
    os.makedirs(os.path.join(out, week), exist_ok=True)
    with open(os.path.join(out, week, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False, indent=1)
    return out


def render(out, week="2026-W47", env=None, cwd=None):
    e = {"AIDIGEST_TEMPLATES": TEMPLATES, "AIDIGEST_RETRAIN_URL": ""}
    e.update(env or {})
    return t.run(["render", "--week", week, "--out", out, "--only", "html"], env=e,
                 cwd=cwd or t.tmpdir())


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- sample
out = setup(SAMPLE)
r = render(out, cwd=ROOT, env={"AIDIGEST_TEMPLATES": ""})
t.is_(r.returncode, 0, "render the sample report (default templates directory)")
if r.returncode:
    t.diag(r.stderr)
week_html = os.path.join(out, "2026-W47", "index.html")
index_html = os.path.join(out, "index.html")
t.ok(os.path.exists(week_html) and os.path.exists(index_html), "week page and archive index written")
page = read(week_html) if os.path.exists(week_html) else ""
p = Page(page)
leftovers = [f for f in os.listdir(os.path.join(out, "2026-W47")) if ".tmp" in f]
t.is_(leftovers, [], "no temporary files left")

html_tag = [a for tg, a in p.tags if tg == "html"]
t.ok(html_tag and html_tag[0].get("lang") == "en", "lang attribute")
title = [txt for tg, a, txt in p.elements if tg == "title"]
t.ok(title and "Weekly AI Intelligence Digest \u2014 2026-W47" in title[0], "page title names the week")
h1 = [txt for tg, a, txt in p.elements if tg == "h1"]
t.is_(norm(h1[0]) if h1 else None, "Weekly AI Intelligence Digest \u2014 2026-W47", "heading")
t.ok("16 Nov 2026" in p.all_text and "22 Nov 2026" in p.all_text, "period shown (Monday to Sunday)")
live_check(p, "sample")


def tile_text(key):
    e = p.by_id("tile-" + key)
    return norm(e[2]) if e else ""


# figures against report.json
tv = tile_text("suggestions")
t.ok("4,410" in tv and "+9.7%" in tv and "vs 4,020 last week" in tv, "suggestions tile: 4,410, +9.7% vs 4,020")
tv = tile_text("acceptance")
t.ok("37.0%" in tv and "+2.4 pp" in tv and "34.6%" in tv, "acceptance tile: 37.0%, +2.4 pp vs 34.6%")
m = re.search(r'id="tile-acceptance".*?</li>', page, re.S)
t.ok(m and 'class="change good"' in m.group(0), "acceptance up is marked good")
m = re.search(r'id="tile-ece".*?</li>', page, re.S)
t.ok(m and 'class="change bad"' in m.group(0), "ECE up is marked bad")
tv = tile_text("use")
t.ok("59.9%" in tv and "+0.7 pp" in tv, "use-rate tile: 59.9%, +0.7 pp")
tv = tile_text("confidence")
t.ok("0.742" in tv and "\u22120.029" in tv and "0.771" in tv, "confidence tile: 0.742, \u22120.029 vs 0.771")
tv = tile_text("ece")
t.ok("0.073" in tv and "+0.008" in tv, "ECE tile: 0.073, +0.008")

paras = [txt for tg, a, txt in p.elements if tg == "p" and txt.startswith("Paragraph ")]
t.is_(len(paras), 5, "weekly summary: five paragraphs from the blank-line separated text")
t.ok(SAMPLE["narrative"]["self_summary"] in p.all_text, "self-summary shown")
for note in SAMPLE["narrative"]["coach_notes"]:
    t.ok(any(tg == "li" and txt == note for tg, a, txt in p.elements), "coach note: %s" % note)


def table_rows(caption_id):
    """Rows (list of cell texts) of the table whose caption has this id."""
    class T(html.parser.HTMLParser):
        def __init__(s):
            super().__init__(convert_charrefs=True)
            s.in_table = False
            s.found = False
            s.rows = []
            s.cell = None
            s.in_svg = 0

        def handle_starttag(s, tag, attrs):
            a = dict(attrs)
            if tag == "table":
                s.in_table = True
                s.found = False
                s.cur_rows = []
                s.head_rows = 0
            if tag == "caption" and a.get("id") == caption_id:
                s.found = True
            if tag == "thead":
                s.in_thead = True
            if tag == "tr" and s.in_table:
                s.cur_rows.append([])
                if getattr(s, "in_thead", False):
                    s.head_rows = getattr(s, "head_rows", 0) + 1
            if tag in ("td", "th") and s.in_table:
                s.cell = []

        def handle_endtag(s, tag):
            if tag == "thead":
                s.in_thead = False
            if tag in ("td", "th") and s.cell is not None:
                s.cur_rows[-1].append(norm("".join(s.cell)))
                s.cell = None
            if tag == "table":
                if s.found:
                    s.rows = s.cur_rows[s.head_rows:]
                s.in_table = False

        def handle_data(s, d):
            if s.cell is not None:
                s.cell.append(d)
    tp = T()
    tp.feed(page)
    return tp.rows


def ci_text(ci):
    """A rate's interval as the page writes it under the rate (schema 2)."""
    return "%.1f\u2013%.1f%%" % (100 * ci[0], 100 * ci[1]) if ci else ""


used = table_rows("cap-used")
t.is_(len(used), len(SAMPLE["top_accepted"]), "top used table: one row per reply")
for i, (row, want) in enumerate(zip(used, SAMPLE["top_accepted"])):
    t.ok(row[1] == want["reply"] and row[2] == "{:,}".format(want["uses"])
         and row[5] == "{:,}".format(want["suggested"])
         and row[6] == "%.1f%%" % (100 * want["use_rate"]) + ci_text(want.get("use_rate_ci"))
         and row[7] == "%.3f" % want["mean_confidence"],
         "top used row %d: reply, uses, suggested, rate, confidence" % (i + 1))
rej = table_rows("cap-rejected")
t.is_(len(rej), len(SAMPLE["top_rejected"]), "top rejected table: one row per reply")
for i, (row, want) in enumerate(zip(rej, SAMPLE["top_rejected"])):
    t.ok(row[1] == want["reply"] and row[2] == "{:,}".format(want["rejections"])
         and row[4] == "%.1f%%" % (100 * want["rejection_rate"]) + ci_text(want.get("rejection_rate_ci"))
         and row[6] == ("%s (%d\u00d7)" % (want["top_replacement_text"], want["top_replacement_count"])
                        if want["top_replacement_text"] else "\u2013"),
         "top rejected row %d: reply, rejections, rate, top replacement as written and how often" % (i + 1))
oldr = copy.deepcopy(SAMPLE)
for row in oldr["top_rejected"]:
    del row["top_replacement_text"], row["top_replacement_count"]
oldr["schema"] = 1  # and schema 1's trends: one list of terms, no change
oldr["trends"] = [{"term": "oldterm", "count": 410, "previous_count": 180, "baseline_count": 390, "score": 95.31}]
oout = setup(oldr)
r = render(oout)
opage = read(os.path.join(oout, "2026-W47", "index.html")) if r.returncode == 0 else ""
t.ok(re.search(r"<th scope=\"row\">oldterm<span[^>]*></span></th><td[^>]*>rising</td><td class=\"num\"[^>]*>410</td>", opage),
     "a schema-1 report's trends show as rising terms")
t.ok(SAMPLE["top_rejected"][0]["top_replacement"] in html.unescape(opage),
     "a report without top_replacement_text shows the normalised top_replacement")
tr = table_rows("cap-trends")
TR = [(x, d) for d in ("rising", "falling") for x in SAMPLE["trends"][d]]
t.is_([r[0] for r in tr], [x["topic"] for x, _ in TR], "trending topics in order: rising, then falling")
t.is_([r[1] for r in tr], [d for _, d in TR], "their direction")
t.is_([r[2] for r in tr], ["{:,}".format(x["count"]) for x, _ in TR], "trend counts")
t.is_([r[3] for r in tr], [x["change"] for x, _ in TR], "the change as x<ratio> (<count> from <expected>)")
t.ok(all(x in p.all_text for x in ("28.6%", "51.6%", "+23.0 pp")), "retraining impact: 28.6% \u2192 51.6%, +23.0 pp")
t.ok(SAMPLE["retraining"][0]["examples_added"][0] in p.all_text
     and SAMPLE["retraining"][0]["examples_removed"][0] in p.all_text, "retraining examples shown")
dq = dict((r[0], r[1]) for r in table_rows("cap-dq"))
t.ok(dq.get("Lines read") == "13,052" and dq.get("Events outside the week") == "8,520"
     and dq.get("Duplicate suggestions (last one kept)") == "4" and dq.get("Events of unknown type") == "2"
     and dq.get("Corrections of unknown suggestions") == "1", "data quality figures")
bad = [r for r in table_rows("cap-bad")]
t.ok(["Not valid JSON", "3"] in bad and ["A required field is missing", "2"] in bad
     and not any(r[0] == "Unparseable time" for r in bad), "bad lines by reason (zero reasons left out)")

svgs = [a for tg, a in p.tags if tg == "svg"]
t.is_(sorted(a.get("class") for a in svgs),
      ["chart chart-hist chart-narrow", "chart chart-hist chart-wide", "chart chart-line chart-narrow",
       "chart chart-line chart-wide", "chart chart-rel"],
      "three charts, the line and the histogram in a wide and a narrow (phone) form")
t.ok(all(a.get("role") == "img" and a.get("viewbox") and "width" not in a for a in svgs),
     "charts: role=img, viewBox, no fixed width")
t.ok(len([1 for tg, a, txt in p.elements if tg == "desc" and txt]) == 5, "charts have a desc")
t.ok("Mon 16 Nov: 0.770 (n = 650)" in p.all_text, "line chart describes its data in words")

hrefs = [a.get("href") for tg, a in p.tags if tg == "a"]
t.ok("digest.pdf" in hrefs and "digest.xlsx" in hrefs and "../index.html" in hrefs, "links to PDF, XLSX, archive")
code = [txt for tg, a, txt in p.elements if tg == "code" and "git tag" in txt]
t.is_(code[0] if code else None, "git tag retrain/2026-W47 && git push origin retrain/2026-W47",
      "retrain command shown to copy")
t.ok(not any(h and h.startswith("http") for h in hrefs) and "AIDIGEST_RETRAIN_URL" in p.all_text,
     "no retrain URL configured: no button, explained")

# retrain URL: http(s) only
r = render(out, env={"AIDIGEST_RETRAIN_URL": "https://ci.example.com/o/r/actions/workflows/retrain.yml?a=1&b=2"})
p2 = Page(read(week_html))
t.ok("https://ci.example.com/o/r/actions/workflows/retrain.yml?a=1&b=2" in
     [a.get("href") for tg, a in p2.tags if tg == "a"], "https retrain URL becomes the Retrain now link")
for bad_url in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "https://x\" onclick=\"a"):
    r = render(out, env={"AIDIGEST_RETRAIN_URL": bad_url})
    p2 = Page(read(week_html))
    t.ok(r.returncode == 0 and not any("alert" in (a.get("href") or "") or (a.get("href") or "").startswith("data:")
                                       for tg, a in p2.tags) and "was not used" in p2.all_text,
         "retrain URL %r refused and explained" % bad_url)
    live_check(p2, "retrain URL %r" % bad_url)

# --------------------------------------------------------------- hostile
H = ('<script>alert(1)</script>"><img src=x onerror=alert(1)></textarea>'
     "<a href=\"javascript:alert(2)\">x</a> javascript:alert(3) \U0001F600 \u0645\u0631\u062d\u0628\u0627 \u202e RTL")
hr = copy.deepcopy(SAMPLE)
hr["generator"] = H
hr["generated_at"] = H
for row in hr["top_accepted"]:
    row["reply"] = H + " accepted"
for row in hr["top_rejected"]:
    row["reply"] = H + " rejected"
    row["top_replacement"] = H + " normalised"
    row["top_replacement_text"] = H + " replacement"
for row in hr["trends"]["rising"] + hr["trends"]["falling"]:
    row["topic"] = H + " term"
hr["trend_baseline"]["weeks"] = [H]
for row in hr["retraining"]:
    for k in ("prompt_id", "from_version", "to_version", "theme", "summary", "ts"):
        row[k] = H + " " + k
    row["examples_added"] = [H + " added"]
    row["examples_removed"] = [H + " removed"]
hr["narrative"]["summary"] = H + "\n\n" + H + " second"
hr["narrative"]["self_summary"] = H + " self"
hr["narrative"]["coach_notes"] = [H + " note"]
hr["narrative"]["source"] = {"summary": H}
for row in hr["coach"]["tips"]:
    row["label"] = H + " label"
    row["example"] = H + " example"
    row["feature"] = H
hr["data_quality"]["bad_by_reason"][H] = 5
for d in hr["confidence"]["daily"]:
    d["date"] = H
hr["period"]["start"] = H
hout = setup(hr)
r = render(hout)
t.is_(r.returncode, 0, "render the hostile report")
if r.returncode:
    t.diag(r.stderr)
hpage = read(os.path.join(hout, "2026-W47", "index.html"))
hp = Page(hpage)
live_check(hp, "hostile")
t.ok(hp.all_text.count("<script>alert(1)</script>") >= 20,
     "hostile text shown as text, escaped (%d times)" % hp.all_text.count("<script>alert(1)</script>"))
for what in ("accepted", "rejected", "replacement", "term", "theme", "summary", "added", "removed",
             "self", "note", "label", "example"):
    t.ok((H + " " + what) in hp.all_text, "hostile %s shown verbatim as text" % what)
t.ok("\U0001F600" in hpage and "\u0645\u0631\u062d\u0628\u0627" in hpage, "emoji and RTL text kept")

# ------------------------------------------- coach tips with their evidence
tr = copy.deepcopy(SAMPLE)
tr["coach"].update({"qualifying": 1, "weak": True})
tr["coach"]["tips"][0].update({"qualifies": True, "basis": "shares", "ai_win_share_ci": [0.396, 0.444],
                                "worked_n": 1642, "rejected_share_ci": [0.088, 0.137], "rejected_n": 658,
                                "q": 0.00001, "edits_added": 3, "edits_removed": 2, "more_replies": None})
tr["coach"]["tips"][1].update({"qualifies": False, "basis": None, "ai_win_share_ci": [0.5, 0.6],
                                "worked_n": 1642, "rejected_share_ci": [0.25, 0.35], "rejected_n": 658,
                                "q": 0.31, "edits_added": 0, "edits_removed": 1, "more_replies": 1234})
tr["edits"] = {"edited": 900, "measured": 880, "median_share": 0.125, "light": 600, "light_share": 0.681818,
               "light_share_ci": [0.65, 0.71], "unmeasured": 20,
               "habits": [{"feature": "apology", "label": "Apologise when something went wrong",
                           "added": 41, "removed": 14}]}
tout = setup(tr)
r = render(tout)
t.is_(r.returncode, 0, "render a report of schema 2 with tested tips and edits")
tpage = read(os.path.join(tout, "2026-W47", "index.html")) if r.returncode == 0 else ""
t.ok("have in common" not in tpage and "More common in the replies agents rejected" not in tpage,
     "the duplicate blocks of kept and rejected habits are gone")
ev = re.search(r"The evidence behind the notes</h3>(.*?)</ul>", tpage, re.S)
ev = ev.group(1) if ev else ""
items = re.findall(r"<li>(.*?)</li>", ev, re.S)
t.ok(len(items) == len(tr["coach"]["tips"]), "one evidence line per habit")
t.ok(items and "Give a time frame" in items[0] and ">tip<" in items[0] and "39.6%" in items[0]
     and "44.4%" in items[0] and "n = 1,642" in items[0], "a qualifying habit: tip, with its interval and n")
t.ok(len(items) > 1 and "weak evidence" in items[1] and "about 1,234 more replies" in items[1],
     "a habit that does not qualify: weak evidence and what would settle it")
edc = re.search(r'id="edits".*?</section>', tpage, re.S)
edc = edc.group(0) if edc else ""
t.ok("12.5%" in edc and "68.2%" in edc and "41" in edc and "Apologise when something went wrong" in edc,
     "the edits card: median, light share, habits added and removed")

# ----------------------------------------------- nulls and empty lists
nr = copy.deepcopy(SAMPLE)
nr["previous"] = None
nr["previous_week"] = None
for k in ("previous_mean", "delta", "psi", "ks", "mean", "ece"):
    nr["confidence"][k] = None
nr["confidence"]["previous_histogram"] = None
nr["confidence"]["daily"][2]["mean"] = None
nr["confidence"]["daily"][2]["n"] = 0
for k in ("top_accepted", "top_rejected", "trends", "retraining"):
    nr[k] = []
nr["narrative"] = {"summary": "", "self_summary": None, "coach_notes": [], "source": None}
nr["rates"]["acceptance"] = None
nout = setup(nr)
r = render(nout)
t.is_(r.returncode, 0, "render a report with nulls and empty lists")
npage = read(os.path.join(nout, "2026-W47", "index.html")) if r.returncode == 0 else ""
np_ = Page(npage)
t.ok(npage.count('class="change none">no previous week') == 5, "every tile says there is no previous week")
t.ok("No summary was written" in npage and "No suggestion was used" in npage
     and "No prompt was updated" in npage, "empty sections say so")
t.ok("Wed 18 Nov: no data" in np_.all_text, "the gap day is described")

# ------------------------------------------------------------ the index
w46 = copy.deepcopy(SAMPLE)
w46["week"] = "2026-W46"
w46["period"] = {"start": "2026-11-09T00:00:00Z", "end": "2026-11-16T00:00:00Z"}
w46["rates"]["acceptance"] = 0.345771
w46["rates"]["acceptance_ci"] = [0.331, 0.361]
w46["totals"]["suggestions"] = 4020
setup(w46, "2026-W46", out)
os.makedirs(os.path.join(out, "2026-W45"))
with open(os.path.join(out, "2026-W45", "report.json"), "w") as f:
    f.write("{ not json")
os.makedirs(os.path.join(out, "not-a-week"))
shutil.copy(os.path.join(out, "2026-W47", "report.json"), os.path.join(out, "not-a-week", "report.json"))
r = render(out)
t.is_(r.returncode, 0, "render again with three weeks in OUT")
ip = Page(read(index_html))
weeks = [txt for tg, a, txt in ip.elements if tg == "a" and re.match(r"^\d{4}-W\d\d$", txt)]
t.is_(weeks[1:], ["2026-W47", "2026-W46", "2026-W45"], "index lists the weeks newest first (not-a-week ignored)")
t.ok("report.json could not be read" in ip.all_text, "an unreadable week is listed, not dropped")
t.ok("4,410" in ip.all_text and "4,020" in ip.all_text and "37.0%" in ip.all_text and "34.6%" in ip.all_text,
     "index shows each week's headline figures")
sp = [a for tg, a in ip.tags if tg == "svg"]
t.is_(len(sp), 12, "index has a chart per headline figure, wide and narrow (6 x 2)")
t.ok("Acceptance rate by week, 2026-W45 to 2026-W47: 2026-W45 no data; 2026-W46 34.6%, 95% interval 33.1%\u201336.1%; 2026-W47 37.0%, "
     "95% interval 35.5%\u201338.4%." in ip.all_text,
     "the chart describes the weeks in words (the unreadable week: no data)")
live_check(ip, "index")

# ------------------------------------------------------ Nu HTML Checker
vfiles = [week_html, os.path.join(hout, "2026-W47", "index.html"), os.path.join(nout, "2026-W47", "index.html"),
          index_html]
if os.path.exists(VNU):
    v = subprocess.run(["java", "-jar", VNU, "--errors-only"] + vfiles, capture_output=True, text=True,
                       timeout=120)
    t.ok(v.returncode == 0 and not v.stderr.strip() and not v.stdout.strip(),
         "Nu HTML Checker: week (sample, hostile, nulls) and index pages are valid HTML5")
    if v.returncode or v.stderr.strip():
        t.diag((v.stdout + v.stderr)[:3000])
else:
    t.ok(False, "Nu HTML Checker installed (scripts/npm-deps.sh)")

# ------------------------------------------- templates read at run time
tdir = os.path.join(t.tmpdir(), "templates")
shutil.copytree(TEMPLATES, tdir)
wt = read(os.path.join(tdir, "week.html")).replace("<h1>", "<h1 class=\"edited\">Edited \u2014 ")
with open(os.path.join(tdir, "week.html"), "w", encoding="utf-8") as f:
    f.write(wt)
css = read(os.path.join(tdir, "style.css")) + "\n.edited-marker { color: red; }\n"
with open(os.path.join(tdir, "style.css"), "w", encoding="utf-8") as f:
    f.write(css)
r = render(out, env={"AIDIGEST_TEMPLATES": tdir})
page = read(week_html)
t.ok(r.returncode == 0 and "Edited \u2014 Weekly AI Intelligence Digest" in page and ".edited-marker" in page,
     "edited template and stylesheet change the page without recompiling")
before = page
with open(os.path.join(tdir, "week.html"), "a", encoding="utf-8") as f:
    f.write("<TMPL_LOOP name=\"unclosed\">\n")
r = render(out, env={"AIDIGEST_TEMPLATES": tdir})
t.ok(r.returncode != 0 and "week.html" in r.stderr, "a broken template fails the render, naming the file")
t.is_(read(week_html), before, "the previous page is left intact")

# ------------------------------------------------------- deterministic
r1 = render(nout)
a = (read(os.path.join(nout, "2026-W47", "index.html")), read(os.path.join(nout, "index.html")))
r2 = render(nout)
b = (read(os.path.join(nout, "2026-W47", "index.html")), read(os.path.join(nout, "index.html")))
t.ok(r1.returncode == 0 and r2.returncode == 0 and a == b,
     "same report and SOURCE_DATE_EPOCH: byte-identical pages")

sys.exit(t.done())
