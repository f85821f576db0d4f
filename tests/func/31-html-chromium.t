#!/usr/bin/python3
"""31-html-chromium.t - the weekly page in a real browser (headless Chromium):
it loads, shows its content, logs nothing to the console, and fits a phone
screen without horizontal scrolling of the page itself (32-html-phone.t
checks the phone layout itself with a real 390 px viewport).

Console errors: Chromium runs with --enable-logging=stderr --v=0, which
copies every console message of the page to stderr as "INFO:CONSOLE";
the page has no JavaScript, so any console line about it is a failure. A
control page that throws proves the method sees errors."""
import json
import os
import re
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    t.ok(False, "chromium installed (deps/debian-test.txt)")
    sys.exit(t.done())

tmp = t.tmpdir()
out = os.path.join(tmp, "out")
os.makedirs(os.path.join(out, "2026-W47"))
shutil.copy(os.path.join(t.ROOT, "tests", "fixtures", "report-sample.json"),
            os.path.join(out, "2026-W47", "report.json"))
r = t.run(["render", "--week", "2026-W47", "--out", out, "--only", "html"],
          env={"AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates"), "AIDIGEST_RETRAIN_URL": ""},
          cwd=tmp)
t.is_(r.returncode, 0, "render the sample week")
page = os.path.join(out, "2026-W47", "index.html")


def chromium(args, url, profile):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--user-data-dir=" + os.path.join(tmp, profile), "--enable-logging=stderr", "--v=0"] + args + [url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


def console_lines(stderr, url):
    path = url[len("file://"):]
    return [ln for ln in stderr.splitlines()
            if ("CONSOLE" in ln or "Uncaught" in ln or (":ERROR:" in ln and path in ln))]


url = "file://" + page
png = os.path.join(tmp, "week.png")
s = chromium(["--screenshot=" + png, "--window-size=1200,2400"], url, "p1")
data = open(png, "rb").read() if os.path.exists(png) else b""
t.ok(data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000, "screenshot is a non-empty PNG (%d bytes)" % len(data))
if data[:8] == b"\x89PNG\r\n\x1a\n":
    w, h = struct.unpack(">II", data[16:24])
    t.is_((w, h), (1200, 2400), "screenshot size")
t.is_(console_lines(s.stderr, url), [], "no console messages while drawing the page")

d = chromium(["--dump-dom"], url, "p2")
dom = d.stdout
t.ok("Weekly AI Intelligence Digest \u2014 2026-W47" in dom, "the DOM holds the title")
report = json.load(open(os.path.join(out, "2026-W47", "report.json"), encoding="utf-8"))
t.ok(all(x in dom for x in ("4,410", "37.0%", "59.9%", "0.742", "0.073")), "the DOM holds the key figures")
t.ok(report["top_accepted"][0]["reply"].replace("'", "&#39;") in dom or report["top_accepted"][0]["reply"] in dom,
     "the DOM holds the top reply")
t.is_(len(re.findall(r"<svg\b", dom)), 5, "three charts in the DOM (two in a wide and a narrow form)")
t.ok("<script" not in dom, "no script in the page")
t.is_(console_lines(d.stderr, url), [], "no console errors while loading")

# Responsive: the page in a 360 px wide frame (a phone; headless windows
# are at least 500 px wide), probed by a script in the frame's parent.
probe = os.path.join(out, "2026-W47", "probe.html")
with open(probe, "w", encoding="utf-8") as f:
    f.write('<!DOCTYPE html><html lang="en"><title>probe</title>'
            '<iframe id="f" src="index.html" width="360" height="780" style="border:0"></iframe>'
            '<script>document.getElementById("f").onload = function () {'
            ' var d = this.contentDocument.documentElement;'
            ' document.body.setAttribute("data-result", d.scrollWidth + "/" + d.clientWidth); };</script>')
p = chromium(["--dump-dom", "--allow-file-access-from-files", "--virtual-time-budget=5000"],
             "file://" + probe, "p3")
m = re.search(r'data-result="(\d+)/(\d+)"', p.stdout)
t.ok(m and int(m.group(2)) > 300 and int(m.group(1)) <= int(m.group(2)),
     "at phone width the page does not scroll sideways (scroll/client width %s)"
     % (m.group(0) if m else "not measured"))
if not m:
    t.diag(p.stderr[-2000:])

# Control: the method does see console errors.
control = os.path.join(tmp, "control.html")
with open(control, "w") as f:
    f.write('<!DOCTYPE html><html lang="en"><title>c</title><p>x</p>'
            '<script>throw new Error("control-error")</script>')
c = chromium(["--dump-dom"], "file://" + control, "p4")
t.ok(any("control-error" in ln for ln in console_lines(c.stderr, "file://" + control)),
     "control: a page that throws is caught by the console check")

sys.exit(t.done())
