#!/usr/bin/python3
"""76-alerts: the alerts of a week where every rule fires (the archive and
logs of tests/cases/figures/alerts-fire) and of the same week tuned quiet
(alerts-quiet's alerts.conf):

- run --fail-on-alert exits 4 with every file written, published (git) and
  mailed (a real SMTP server, tests/lib/smtp_sink.py on 127.0.0.1); exit 0
  when no rule fires;
- the banner at the top of the HTML page and on the PDF's first page
  (pdftotext), none without alerts;
- the mail subject starts with "[alert]" and both bodies list the alerts
  before the headline figures;
- the settings: a bad threshold is a configuration error (exit 2), the
  environment wins over the file, `off` switches a rule off;
- run --weeks goes on past a week with alerts and exits 4 at the end.
"""
import email
import email.policy
import html.parser
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

WEEK = "2026-W47"
CASE = os.path.join(t.ROOT, "tests", "cases", "figures", "alerts-fire")
QUIET_CONF = os.path.join(t.ROOT, "tests", "cases", "figures", "alerts-quiet", "alerts.conf")
SINK = os.path.join(t.ROOT, "tests", "lib", "smtp_sink.py")
RULES = ["acceptance_drop", "ece", "drift", "prompt_drop", "new_rejected_reply"]


def start_sink():
    d = t.tmpdir()
    p = subprocess.Popen(["/usr/bin/python3", SINK, d], stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline())
    return p, d, port


def stop(p):
    p.terminate()
    p.wait(timeout=10)


def fresh_out():
    out = os.path.join(t.tmpdir(), "out")
    shutil.copytree(os.path.join(CASE, "archive"), out)
    return out


class Banner(html.parser.HTMLParser):
    """The <section class="alerts"> of a page: its heading and items."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.sections = 0
        self.heading = ""
        self.items = []
        self.rules = []
        self._in_h2 = self._in_li = False
        self.first_section = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            if self.first_section is None:
                self.first_section = a.get("class", "")
            if "alerts" in (a.get("class") or "").split():
                self.sections += 1
                self.depth = 1
                return
        if self.depth and tag == "section":
            self.depth += 1
        if self.depth and tag == "h2":
            self._in_h2 = True
        if self.depth and tag == "li":
            self._in_li = True
            self.items.append("")
            self.rules.append(a.get("data-rule"))

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1
        if tag == "h2":
            self._in_h2 = False
        if tag == "li":
            self._in_li = False

    def handle_data(self, data):
        if self._in_h2:
            self.heading += data
        if self._in_li and self.items:
            self.items[-1] += data


def banner(path):
    b = Banner()
    with open(path, encoding="utf-8") as f:
        b.feed(f.read())
    return b


def pdf_page1(path):
    r = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", path, "-"], capture_output=True, text=True)
    return " ".join(r.stdout.split())


base_env = {
    "AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates"),
    "AIDIGEST_MAIL_FROM": "Digest Bot <digest@example.com>",
    "AIDIGEST_MAIL_TO": "lead@example.com",
    "AIDIGEST_SMTP_USER": "", "AIDIGEST_SMTP_PASSWORD": "",
    "AIDIGEST_ARCHIVE_REMOTE": "", "AIDIGEST_GIT_BRANCH": "main",
}

# 1. every rule fires: --fail-on-alert exits 4 after writing, publishing and mailing
out = fresh_out()
sink, sdir, port = start_sink()
env = dict(base_env, AIDIGEST_SMTP_URL="smtp://127.0.0.1:%d" % port)
r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(CASE, "logs"), "--out", out,
           "--publish", "--mail", "--fail-on-alert"], env=env)
stop(sink)
t.is_(r.returncode, 4, "run --fail-on-alert with alerts: exit 4")
t.ok("2026-W47: 5 alerts fired (--fail-on-alert); every file is written" in r.stderr, r.stderr.strip()[-300:])
for f in ["report.json", "terms.json", "index.html", "digest.pdf", "digest.xlsx"]:
    t.ok(os.path.isfile(os.path.join(out, WEEK, f)), "exit 4 and %s/%s is written" % (WEEK, f))
t.ok(os.path.isfile(os.path.join(out, "index.html")), "exit 4 and the archive index is written")
table = open(os.path.join(out, "weekly_ai_reports.jsonl")).read().splitlines() if os.path.exists(
    os.path.join(out, "weekly_ai_reports.jsonl")) else []
t.is_([json.loads(x)["week"] for x in table], ["2026-W46", WEEK], "exit 4 and the weekly table has the week")
t.ok(not [n for n in os.listdir(out) if n.startswith(".stage")], "no staging directory left")
log = subprocess.run(["git", "-C", out, "log", "--format=%s"], capture_output=True, text=True).stdout.split("\n")
t.ok("digest: " + WEEK in log, "exit 4 and the week is committed to the archive (--publish)")
rep = json.load(open(os.path.join(out, WEEK, "report.json")))
t.is_([a["rule"] for a in rep.get("alerts", [])], RULES, "report.json alerts[]: every rule, in order")
t.is_([c["status"] for c in rep.get("alerts_checked", [])], ["fired"] * 5, "alerts_checked: all fired")

# the mail: subject and bodies
emls = sorted(n for n in os.listdir(sdir) if n.endswith(".eml"))
t.is_(len(emls), 1, "exit 4 and the mail was sent (--mail)")
raw = open(os.path.join(sdir, emls[0]), "rb").read() if emls else b""
msg = email.message_from_bytes(raw, policy=email.policy.default)
t.is_(str(msg["Subject"]), "[alert] Weekly AI Intelligence Digest \u2014 %s: 5 alerts" % WEEK,
      "the subject starts with [alert] and counts them")
plain = msg.get_body(preferencelist=("plain",)).get_content() if raw else ""
hbody = msg.get_body(preferencelist=("html",)).get_content() if raw else ""
first = plain.find("ALERTS (5)")
t.ok(0 <= first < plain.find("Headline figures"), "the text body lists the alerts before the headline figures")
t.ok(all(a["message"] in plain for a in rep["alerts"]), "the text body has every alert's message")
t.ok(0 <= hbody.find("Alerts (5)") < hbody.find("Suggestions"), "the HTML body lists them first too")

# the page: the banner is the first section of <main>, with every message
b = banner(os.path.join(out, WEEK, "index.html"))
t.is_(b.sections, 1, "the page has one alerts banner")
t.is_(b.first_section, "alerts", "the banner is the page's first section")
t.is_(" ".join(b.heading.split()), "5 alerts this week", "banner heading")
t.is_(b.rules, RULES, "one item per alert, with its rule")
t.ok(all(a["message"] in " ".join(i.split()) for a, i in zip(rep["alerts"], b.items)),
     "each item shows the alert's message")

# the PDF: the banner on page 1, before the tiles
p1 = pdf_page1(os.path.join(out, WEEK, "digest.pdf"))
t.ok("5 alerts this week" in p1, "PDF page 1 has the banner heading")
t.ok(p1.find("5 alerts this week") < p1.find("SUGGESTIONS"), "the banner comes before the tiles")
for a in rep["alerts"]:
    t.ok(" ".join(a["message"].split())[:50] in p1, "PDF page 1 shows: %s..." % a["message"][:50])

# 2. the same week tuned quiet: exit 0, no banner, plain subject
out = fresh_out()
sink, sdir, port = start_sink()
env = dict(base_env, AIDIGEST_SMTP_URL="smtp://127.0.0.1:%d" % port)
r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(CASE, "logs"), "--out", out, "--mail",
           "--fail-on-alert", "--config", QUIET_CONF], env=env)
stop(sink)
t.is_(r.returncode, 0, "run --fail-on-alert without alerts: exit 0")
if r.returncode:
    t.diag(r.stderr[-1000:])
rep = json.load(open(os.path.join(out, WEEK, "report.json")))
t.is_(rep.get("alerts"), [], "alerts[] is empty")
t.is_(banner(os.path.join(out, WEEK, "index.html")).sections, 0, "no banner on the page")
t.ok("alert" not in pdf_page1(os.path.join(out, WEEK, "digest.pdf")).lower(), "no banner in the PDF")
emls = sorted(n for n in os.listdir(sdir) if n.endswith(".eml"))
raw = open(os.path.join(sdir, emls[0]), "rb").read() if emls else b""
msg = email.message_from_bytes(raw, policy=email.policy.default)
t.is_(str(msg["Subject"]), "Weekly AI Intelligence Digest \u2014 " + WEEK, "no [alert] in the subject")
plain = msg.get_body(preferencelist=("plain",)).get_content() if raw else ""
t.ok(plain and "ALERTS" not in plain, "no alerts list in the body")

# 3. without --fail-on-alert a week with alerts exits 0, its summary one line as ever
out = fresh_out()
r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(CASE, "logs"), "--out", out])
t.is_(r.returncode, 0, "alerts without --fail-on-alert: exit 0")
t.is_([x for x in r.stderr.splitlines() if "alert" in x], [], "and nothing about them on stderr")
t.is_(len(json.load(open(os.path.join(out, WEEK, "report.json"))).get("alerts", [])), 5, "they are in report.json")

# 4. settings: the environment wins, off switches a rule off, bad values are exit 2
out = fresh_out()
r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(CASE, "logs"), "--out", out,
           "--config", QUIET_CONF, "--quiet"], env={"AIDIGEST_ALERT_DRIFT": "large", "AIDIGEST_ALERT_ECE": "0.19"})
rep = json.load(open(os.path.join(out, WEEK, "report.json"))) if r.returncode == 0 else {}
t.is_([a["rule"] for a in rep.get("alerts", [])], ["ece", "drift"], "AIDIGEST_ALERT_* win over the file")
out = fresh_out()
offs = {"AIDIGEST_ALERT_" + k: "off" for k in ["ACCEPTANCE_DROP", "ECE", "DRIFT", "PROMPT_DROP", "NEW_REJECTED"]}
r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(CASE, "logs"), "--out", out, "--quiet",
           "--fail-on-alert"], env=offs)
t.is_(r.returncode, 0, "every rule off: exit 0 with --fail-on-alert")
rep = json.load(open(os.path.join(out, WEEK, "report.json"))) if r.returncode == 0 else {}
t.is_([c["status"] for c in rep.get("alerts_checked", [])], ["off"] * 5, "alerts_checked: all off")
for key, val in [("AIDIGEST_ALERT_ECE", "1.5"), ("AIDIGEST_ALERT_ACCEPTANCE_DROP", "-1"),
                 ("AIDIGEST_ALERT_DRIFT", "huge"), ("AIDIGEST_ALERT_NEW_REJECTED", "half")]:
    r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(CASE, "logs"), "--out", fresh_out()],
              env={key: val})
    t.is_(r.returncode, 2, "%s=%s: a configuration error (exit 2)" % (key, val))
    t.ok(key in r.stderr and val in r.stderr, r.stderr.strip()[:200])

# 5. run --weeks: a week with alerts does not stop the range; exit 4 at the end
logs = os.path.join(t.tmpdir(), "logs")
os.makedirs(logs)
mk = os.path.join(CASE, "make-logs.py")
for w in ["w46", "w47"]:
    with open(os.path.join(logs, w + ".jsonl"), "w") as f:
        subprocess.run(["/usr/bin/python3", mk, w], stdout=f, check=True)
out = os.path.join(t.tmpdir(), "out")
r = t.run(["run", "--offline", "--weeks", "2026-W46..2026-W47", "--logs", logs, "--out", out, "--quiet",
           "--fail-on-alert"])
t.is_(r.returncode, 4, "run --weeks --fail-on-alert: exit 4")
t.ok(os.path.isfile(os.path.join(out, "2026-W47", "digest.pdf")), "both weeks are written")
w46 = json.load(open(os.path.join(out, "2026-W46", "report.json")))
w47 = json.load(open(os.path.join(out, "2026-W47", "report.json")))
t.is_(w46.get("alerts"), [], "W46 has no alert")
t.is_([a["rule"] for a in w47.get("alerts", [])], RULES, "W47 has them all (W46 from the archive the range wrote)")
t.ok("2026-W47: 5 alerts fired" in r.stderr, r.stderr.strip()[:300])

sys.exit(t.done())
