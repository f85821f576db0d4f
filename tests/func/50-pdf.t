#!/usr/bin/python3
"""The PDF digest: `aidigest render` on the sample report and on a hostile
one, checked with qpdf, pdffonts, pdftotext and pdfinfo."""
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

WEEK = "2026-W47"
FIXTURE = os.path.join(t.ROOT, "tests", "fixtures", "report-sample.json")
SECTIONS = ["At a glance", "What the AI learned this week", "Weekly summary", "Coach notes",
            "How customers fared, by how the AI's reply was used", "Top used replies", "Top rejected replies",
            "Confidence", "Trending topics", "Retraining adjustments", "What retraining would change",
            "Cost and latency", "Data quality"]


def tool(args):
    return subprocess.run(args, capture_output=True, text=True)


def render(report_bytes, env=None, extra=()):
    out = t.tmpdir()
    os.makedirs(os.path.join(out, WEEK))
    with open(os.path.join(out, WEEK, "report.json"), "wb") as f:
        f.write(report_bytes)
    r = t.run(["render", "--week", WEEK, "--out", out] + list(extra), env=env)
    return r, out, os.path.join(out, WEEK, "digest.pdf")


def text_of(pdf):
    return tool(["pdftotext", "-enc", "UTF-8", pdf, "-"]).stdout


def pages_of(pdf):
    m = re.search(r"^Pages:\s+(\d+)", tool(["pdfinfo", pdf]).stdout, re.M)
    return int(m.group(1)) if m else 0


with open(FIXTURE, "rb") as f:
    sample = f.read()
report = json.loads(sample)

# --- the sample report --------------------------------------------------
r, out, pdf = render(sample)
t.is_(r.returncode, 0, "render exits 0")
t.is_(r.stderr, "", "nothing on stderr")
t.ok(os.path.isfile(pdf), "OUT/<week>/digest.pdf written")
t.is_([f for f in os.listdir(os.path.join(out, WEEK)) if f.startswith(".") or "tmp" in f], [],
      "no temporary file left beside it")

chk = tool(["qpdf", "--check", pdf])
t.is_(chk.returncode, 0, "qpdf --check passes")
if chk.returncode:
    t.diag(chk.stdout + chk.stderr)

fonts = tool(["pdffonts", pdf]).stdout.splitlines()[2:]
t.is_(len(fonts), 3, "three fonts (regular, bold, and Symbola for the sample's emoji)")
t.ok(sum(1 for ln in fonts if re.search(r"^HPDFA[AB]\+DejaVuSans", ln)) == 2
     and any(re.search(r"^HPDFAC\+Symbola", ln) for ln in fonts), "DejaVu Sans twice and Symbola, subset-tagged")
# columns: name type encoding emb sub uni object ID; read from the right
t.ok(fonts and all(ln.split()[-5:-2] == ["yes", "yes", "yes"] for ln in fonts),
     "every font embedded, subset, with ToUnicode")

text = text_of(pdf)
flat = re.sub(r"\s+", " ", text)
for s in SECTIONS[1:]:
    t.ok(s in text, "section heading present: " + s)


def pct(v):
    return "%.1f%%" % (v * 100)


headline = {
    "suggestions": "{:,}".format(report["totals"]["suggestions"]),
    "acceptance rate": pct(report["rates"]["acceptance"]),
    "use rate": pct(report["rates"]["use"]),
    "mean confidence": "%.3f" % report["confidence"]["mean"],
    "ECE": "%.3f" % report["confidence"]["ece"],
    "acceptance change": "+%.1f pp" % ((report["rates"]["acceptance"] - report["previous"]["rates"]["acceptance"]) * 100),
    "confidence change": "\u2212%.3f" % -report["confidence"]["delta"],
}
for k, v in headline.items():
    t.ok(v in flat, "headline figure %s shown as %s" % (k, v))
t.ok(report["top_accepted"][0]["reply"][:40] in flat, "top used reply text present")
t.ok("Please restart your device and try again." in flat, "top rejected reply present")
t.ok("I've escalated your case" in flat and "within 24 hours" in flat and "within # hours" not in flat,
     "what agents sent instead is shown as written (top_replacement_text), not normalised")
t.ok("café" in text, "accented trend term comes back from pdftotext")
t.ok("28.6%" in flat and "51.6%" in flat and "+23.0 pp" in flat, "retraining impact before/after/change")
t.ok("13,052" in flat, "data quality: lines read")
t.ok("Weekly AI Intelligence Digest" in text and WEEK in text and "16–22 November 2026" in text,
     "title block with week and period")
n = pages_of(pdf)
t.ok(n >= 2, "several pages (%d)" % n)
t.ok(all(("Page %d of %d" % (i, n)) in text for i in range(1, n + 1)), "every page has 'Page i of N'")

outline = json.loads(tool(["qpdf", "--json", "--json-key=outlines", pdf]).stdout).get("outlines", [])
t.is_([o.get("title") for o in outline], SECTIONS, "one bookmark per section, in order")
t.ok(all(o.get("destpageposfrom1") for o in outline), "every bookmark points at a page")

info = tool(["pdfinfo", pdf]).stdout
t.ok(re.search(r"^Title:\s+Weekly AI Intelligence Digest 2026-W47$", info, re.M), "document title")
t.ok(re.search(r"^Author:\s+aidigest$", info, re.M), "document author")
t.ok(re.search(r"^Subject:\s+.*2026-W47", info, re.M), "document subject")
t.ok(re.search(r"^Keywords:\s+\S", info, re.M), "document keywords")
t.ok(re.search(r"^CreationDate:\s+Mon Dec  1 00:00:00 2025 UTC", info, re.M),
     "creation date is SOURCE_DATE_EPOCH")

with open(pdf, "rb") as f:
    first = f.read()
r2 = t.run(["render", "--week", WEEK, "--out", out])
with open(pdf, "rb") as f:
    second = f.read()
t.ok(r2.returncode == 0 and first == second, "re-running gives a byte-identical PDF")

env = dict(os.environ)
env.pop("SOURCE_DATE_EPOCH", None)
r3 = subprocess.run([t.AIDIGEST, "render", "--week", WEEK, "--out", out], env=env,
                    capture_output=True, text=True)
info3 = tool(["pdfinfo", pdf]).stdout
t.ok(r3.returncode == 0 and "CreationDate" not in info3, "without SOURCE_DATE_EPOCH no date is written")
with open(pdf, "rb") as f:
    undated = f.read()
r3b = subprocess.run([t.AIDIGEST, "render", "--week", WEEK, "--out", out], env=env,
                     capture_output=True, text=True)
with open(pdf, "rb") as f:
    t.ok(f.read() == undated, "and that is byte-identical too")

os.remove(pdf)
r4 = t.run(["render", "--week", WEEK, "--out", out, "--only", "html"])
t.ok(r4.returncode == 0 and not os.path.exists(pdf), "--only html writes no PDF")

# --- a hostile report ----------------------------------------------------
h = json.loads(sample)
long_text = ("Lorem ipsum dolor sit amet, café naïve Ünïcödé. " * 500)[:20000]
word = "W" * 3000
h["top_accepted"][0]["reply"] = long_text
h["top_accepted"][1]["reply"] = word + " tail"
h["top_accepted"].append({"reply": "مرحبا، كيف يمكنني مساعدتك؟", "uses": 5, "suggested": 6,
                          "mean_confidence": None})
h["top_accepted"].append({"reply": "שלום! איך אפשר לעזור? [order 42]", "uses": 4, "suggested": 0})
h["top_accepted"].append({"reply": "Cafe\u0301 emoji 😊🎉 ctrl\u0001\u007f lone \ud800 <b>&amp;</b>",
                          "uses": 3, "suggested": 3})
h["top_rejected"][0]["top_replacement_text"] = long_text
h["narrative"]["summary"] = (long_text + "\n\n") * 3 + word
h["narrative"]["self_summary"] = "😊" * 40 + " 中文 " + word
h["narrative"]["coach_notes"] = [long_text[:3000], "", "\t\r\n", 5, None]
h["previous"] = None
h["confidence"]["previous_mean"] = None
h["confidence"]["delta"] = None
h["confidence"]["daily"][2]["mean"] = None
h["trends"] = [{"term": "t" * 500, "count": None, "previous_count": 0, "score": None}] * 10
h["retraining"][0]["prompt_id"] = word
hb = json.dumps(h, ensure_ascii=False).encode("utf-8", "surrogatepass")
r, out2, pdf2 = render(hb)
t.is_(r.returncode, 0, "hostile report: render exits 0")
t.is_(r.stderr, "", "hostile report: nothing on stderr (no sanitizer report)")
chk = tool(["qpdf", "--check", pdf2])
t.is_(chk.returncode, 0, "hostile report: qpdf --check passes")
text2 = text_of(pdf2)
nf = unicodedata.normalize("NFKC", text2)
n2 = pages_of(pdf2)
t.ok(2 <= n2 <= 20, "hostile report: long texts are cut, %d pages" % n2)
t.ok("more characters)" in text2, "cut texts say how much was left out")
t.ok("café naïve Ünïcödé" in text2, "accented letters come back from pdftotext")
t.ok("Café emoji" in text2, "decomposed é composed (NFC)")
t.ok("\ufffd" in text2, "controls, lone surrogates and CJK shown as U+FFFD")
t.ok("😊🎉" in text2, "emoji drawn with Symbola and come back from pdftotext")
t.ok("שלום" in text2, "Hebrew text present")
t.ok("مرحبا" in nf, "Arabic text present (shaped forms)")
t.ok("<b>&amp;</b>" in text2, "markup shown literally")
t.ok(all(("Page %d of %d" % (i, n2)) in text2 for i in range(1, n2 + 1)), "hostile report: page numbers")
for s in SECTIONS[1:]:
    t.ok(s in text2, "hostile report: heading present: " + s)

# --- an almost empty report ----------------------------------------------
r, out3, pdf3 = render(b'{"week": "2026-W47", "narrative": null, "top_accepted": [], "confidence": {}}',
                       extra=["--only", "pdf"])
t.is_(r.returncode, 0, "sparse report: render exits 0")
t.is_(tool(["qpdf", "--check", pdf3]).returncode, 0, "sparse report: qpdf --check passes")
text3 = text_of(pdf3)
t.ok("No reply was used this week." in text3 and "no comparison" in text3, "sparse report: says what is missing")

# --- schema 2: the evidence behind the notes, and the edits ----------------
e2 = json.loads(sample)
e2["coach"].update({"qualifying": 1, "weak": True})
e2["coach"]["tips"][0].update({"verdict": "tip", "qualifies": True, "basis": "shares", "worked_n": 1642,
                               "ai_win_share_ci": [0.396, 0.444], "rejected_n": 658,
                               "rejected_share_ci": [0.088, 0.137], "q": 0.00001,
                               "edits_added": 3, "edits_removed": 2})
e2["edits"] = {"edited": 900, "measured": 880, "median_share": 0.125, "light": 600,
               "light_share": 0.681818, "light_share_ci": [0.65, 0.71], "unmeasured": 20,
               "habits": [{"feature": "apology", "label": "Apologise", "added": 41, "removed": 14}]}
r, out2, pdf2 = render(json.dumps(e2).encode())
t.is_(r.returncode, 0, "schema 2 renders")
txt2 = " ".join(text_of(pdf2).split()) if r.returncode == 0 else ""
t.ok("The evidence behind the notes" in txt2 and "42.0% [39.6%, 44.4%] of 1,642" in txt2 and "weak evidence" in txt2,
     "each habit's verdict and evidence")
t.ok("How much agents changed what they edited" in txt2 and "median 12.5%" in txt2 and "68.2% (65.0%" in txt2,
     "the edits section")
t.ok("The evidence behind the notes" not in " ".join(text_of(pdf).split()), "a schema-1 report has no evidence table")

# --- no report -----------------------------------------------------------
empty = t.tmpdir()
r = t.run(["render", "--week", WEEK, "--out", empty])
t.ok(r.returncode != 0 and not os.path.exists(os.path.join(empty, WEEK, "digest.pdf")),
     "no report.json: fails, writes nothing")

sys.exit(t.done())
