#!/usr/bin/python3
"""aidigest mail --week W: a real SMTP server (aiosmtpd, tests/lib/smtp_sink.py)
on 127.0.0.1 receives the digest; the message is read back with Python's
email package. Refused recipients, dropped connections, missing settings and
a missing PDF end with one clear line and exit code 3."""
import email
import email.policy
import email.utils
import json
import os
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

WEEK = "2026-W47"
EPOCH = 1764547200
SINK = os.path.join(t.ROOT, "tests", "lib", "smtp_sink.py")


def tiny_pdf():
    """A small valid one-page PDF (with binary bytes, to test base64)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>"]
    stream = b"BT /F1 12 Tf 20 50 Td (digest) Tj ET"
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def start_sink(*extra):
    d = t.tmpdir()
    p = subprocess.Popen(["/usr/bin/python3", SINK, d] + list(extra), stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline())
    return p, d, port


def stop(p):
    p.terminate()
    p.wait(timeout=10)


def listing(d):
    r = []
    for base, dirs, files in os.walk(d):
        for f in files:
            r.append(os.path.relpath(os.path.join(base, f), d))
    return sorted(r)


out = t.tmpdir()
os.makedirs(os.path.join(out, WEEK))
with open(os.path.join(t.ROOT, "tests", "fixtures", "report-sample.json")) as f:
    report = json.load(f)
report["narrative"]["coach_notes"].append("Use <b>tags</b> & emoji 😊 freely")
with open(os.path.join(out, WEEK, "report.json"), "w") as f:
    json.dump(report, f)
pdf = tiny_pdf()
with open(os.path.join(out, WEEK, "digest.pdf"), "wb") as f:
    f.write(pdf)
ok_pdf = subprocess.run(["qpdf", "--check", os.path.join(out, WEEK, "digest.pdf")], capture_output=True)
t.is_(ok_pdf.returncode, 0, "test PDF is valid (qpdf --check)")

env = {
    "SOURCE_DATE_EPOCH": str(EPOCH),
    "AIDIGEST_MAIL_FROM": "Digest Bot <digest@example.com>",
    "AIDIGEST_MAIL_TO": "lead@example.com, Team B <team-b@example.com>",
    "AIDIGEST_SITE_URL": "https://example.github.io/aidigest",
    "AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates"),
    "AIDIGEST_SMTP_USER": "", "AIDIGEST_SMTP_PASSWORD": "",
}

# 1. a message received and read back
sink, sdir, port = start_sink()
env["AIDIGEST_SMTP_URL"] = "smtp://127.0.0.1:%d" % port
before = listing(out)
r = t.run(["mail", "--week", WEEK, "--out", out], env=env)
stop(sink)
t.is_(r.returncode, 0, "mail sent (exit 0)")
if r.stderr:
    t.diag(r.stderr)
t.is_(listing(out), before, "nothing written in OUT")
t.is_(sorted(os.listdir(sdir)), ["1.eml", "1.json"], "the server received one message")
env_rec = json.load(open(os.path.join(sdir, "1.json"))) if os.path.exists(os.path.join(sdir, "1.json")) else {}
t.is_(env_rec.get("mail_from"), "digest@example.com", "envelope sender")
t.is_(env_rec.get("rcpt_tos"), ["lead@example.com", "team-b@example.com"], "envelope recipients")
raw = open(os.path.join(sdir, "1.eml"), "rb").read() if os.path.exists(os.path.join(sdir, "1.eml")) else b""
msg = email.message_from_bytes(raw, policy=email.policy.default)
t.ok(all(b < 128 for b in raw), "the message is 7-bit clean")
t.is_(msg.get_content_type(), "multipart/mixed", "multipart/mixed")
t.is_(str(msg["Subject"]), "Weekly AI Intelligence Digest \u2014 " + WEEK, "Subject decodes to the right text")
raw_subject = [line for line in raw.split(b"\r\n") if line.lower().startswith(b"subject:")]
t.ok(raw_subject and b"=?UTF-8?B?" in raw_subject[0], "Subject is RFC 2047 encoded: %r" % raw_subject[:1])
t.is_(str(msg["From"]), "Digest Bot <digest@example.com>", "From")
t.is_([a for _, a in email.utils.getaddresses([str(msg["To"])])], ["lead@example.com", "team-b@example.com"], "To")
d = email.utils.parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
t.is_(d.timestamp() if d else None, float(EPOCH), "Date is SOURCE_DATE_EPOCH, RFC 5322")
t.ok(msg["Date"] and str(msg["Date"]).startswith("Mon, 01 Dec 2025 00:00:00 +0000"), "Date text: %s" % msg["Date"])
mid = str(msg["Message-ID"] or "")
t.ok(mid.startswith("<") and mid.endswith("." + WEEK + "@example.com>"), "Message-ID: %s" % mid)
t.is_(sum(1 for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n") if line.lower().startswith(b"message-id:")), 1,
      "exactly one Message-ID header")
t.ok(str(msg.get("MIME-Version", "")).strip() == "1.0", "MIME-Version 1.0")

alt = [p for p in msg.iter_parts() if p.get_content_type() == "multipart/alternative"]
t.is_(len(alt), 1, "one multipart/alternative part")
plain = msg.get_body(preferencelist=("plain",))
html = msg.get_body(preferencelist=("html",))
text_body = plain.get_content() if plain else ""
html_body = html.get_content() if html else ""
t.ok("Weekly AI Intelligence Digest \u2014 " + WEEK in text_body, "plain body has the title")
t.ok("37.0%" in text_body and "4,410" in text_body and "0.742" in text_body, "plain body has the headline figures")
t.ok(report["narrative"]["self_summary"] in text_body, "plain body has the self-summary")
t.ok("Open with empathy." in text_body and "Use <b>tags</b> & emoji 😊 freely" in text_body,
     "plain body has the coach notes, raw")
t.ok("https://example.github.io/aidigest/%s/" % WEEK in text_body, "plain body links the published page")
t.ok("37.0%" in html_body and "Open with empathy." in html_body, "HTML body has figures and notes")
t.ok("Use &lt;b&gt;tags&lt;/b&gt; &amp; emoji 😊 freely" in html_body, "HTML body escapes the notes")
t.ok('href="https://example.github.io/aidigest/%s/"' % WEEK in html_body, "HTML body links the published page")
t.ok(report["narrative"]["self_summary"] in html_body, "HTML body has the self-summary")
att = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
t.is_(len(att), 1, "one PDF attachment")
if att:
    t.is_(att[0].get_filename(), "digest-%s.pdf" % WEEK, "attachment file name")
    t.is_(att[0]["Content-Transfer-Encoding"], "base64", "attachment in base64")
    t.ok(att[0].get_content() == pdf, "attachment byte-identical to digest.pdf")
    t.is_(att[0].get_content_disposition(), "attachment", "disposition attachment")

# 2. a refused recipient
sink, sdir, port = start_sink("--refuse", "team-b@example.com")
env["AIDIGEST_SMTP_URL"] = "smtp://127.0.0.1:%d" % port
r = t.run(["mail", "--week", WEEK, "--out", out], env=env)
stop(sink)
t.is_(r.returncode, 3, "refused recipient: exit 3")
t.ok("refused recipient team-b@example.com" in r.stderr and "550" in r.stderr, "names the recipient: " + r.stderr.strip())
t.is_(len(r.stderr.strip().splitlines()), 1, "one line")
t.is_(os.listdir(sdir), [], "nothing delivered")

# 3. a dropped connection
for where in ("rcpt", "data"):
    sink, sdir, port = start_sink("--drop-at", where)
    env["AIDIGEST_SMTP_URL"] = "smtp://127.0.0.1:%d" % port
    r = t.run(["mail", "--week", WEEK, "--out", out], env=env)
    stop(sink)
    t.is_(r.returncode, 3, "connection dropped at %s: exit 3" % where)
    t.ok("dropped" in r.stderr, "says the connection was dropped: " + r.stderr.strip())

# 4. nobody listening
s = socket.socket()
s.bind(("127.0.0.1", 0))
closed_port = s.getsockname()[1]
s.close()
env["AIDIGEST_SMTP_URL"] = "smtp://127.0.0.1:%d" % closed_port
r = t.run(["mail", "--week", WEEK, "--out", out], env=env)
t.is_(r.returncode, 3, "no server: exit 3")
t.ok("cannot reach smtp://127.0.0.1:%d" % closed_port in r.stderr, "says so: " + r.stderr.strip())

# 5. a login is never sent without TLS; the password never shown
sink, sdir, port = start_sink()
env2 = dict(env, AIDIGEST_SMTP_URL="smtp://127.0.0.1:%d" % port, AIDIGEST_SMTP_USER="bot",
            AIDIGEST_SMTP_PASSWORD="pw-VERY-SECRET")
r = t.run(["mail", "--week", WEEK, "--out", out], env=env2)
stop(sink)
t.is_(r.returncode, 3, "login without STARTTLS: exit 3")
t.ok("STARTTLS" in r.stderr and "VERY-SECRET" not in r.stderr, "clear, without the password: " + r.stderr.strip())
t.is_(os.listdir(sdir), [], "nothing delivered")

# 6. missing pieces
r = t.run(["mail", "--week", WEEK, "--out", out], env=dict(env, AIDIGEST_SMTP_URL=""))
t.is_(r.returncode, 3, "no AIDIGEST_SMTP_URL: exit 3")
t.ok("AIDIGEST_SMTP_URL is not set" in r.stderr, r.stderr.strip())
os.rename(os.path.join(out, WEEK, "digest.pdf"), os.path.join(out, "x.pdf"))
r = t.run(["mail", "--week", WEEK, "--out", out], env=env)
t.is_(r.returncode, 3, "missing PDF: exit 3")
t.ok("digest.pdf not found" in r.stderr, r.stderr.strip())
r = t.run(["mail", "--week", "2026-W40", "--out", out], env=env)
t.is_(r.returncode, 3, "week never run: exit 3")
t.ok("week 2026-W40 has not been run (no %s/2026-W40/report.json)" % out in r.stderr, r.stderr.strip())
r = t.run(["mail", "--out", out], env=env)
t.is_(r.returncode, 2, "mail without --week: usage error")

# 7. the weekly job: run --publish --mail (real report, real PDF, real git)
sink, sdir, port = start_sink()
arch = os.path.join(t.tmpdir(), "out")
env3 = dict(env, AIDIGEST_SMTP_URL="smtp://127.0.0.1:%d" % port, AIDIGEST_ARCHIVE_REMOTE="",
            AIDIGEST_GIT_BRANCH="main")
r = t.run(["run", "--offline", "--week", WEEK, "--logs", os.path.join(t.ROOT, "inputs", "2026-W47-2.jsonl"),
           "--out", arch, "--publish", "--mail"], env=env3)
stop(sink)
t.is_(r.returncode, 0, "run --publish --mail: exit 0")
if r.returncode:
    t.diag(r.stderr[-2000:])
raw = open(os.path.join(sdir, "1.eml"), "rb").read() if os.path.exists(os.path.join(sdir, "1.eml")) else b""
msg = email.message_from_bytes(raw, policy=email.policy.default)
att = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
run_pdf = open(os.path.join(arch, WEEK, "digest.pdf"), "rb").read() if os.path.exists(os.path.join(arch, WEEK, "digest.pdf")) else None
t.ok(att and run_pdf and att[0].get_content() == run_pdf, "the mailed PDF is the run's digest.pdf, byte for byte")
rep = json.load(open(os.path.join(arch, WEEK, "report.json")))
plain = msg.get_body(preferencelist=("plain",)) if raw else None
t.ok(plain is not None and "{:,}".format(rep["totals"]["suggestions"]) in plain.get_content(),
     "the mail shows the week's suggestion count")
log = subprocess.run(["git", "-C", arch, "log", "--format=%s"], capture_output=True, text=True).stdout.split()
t.is_(" ".join(log), "digest: " + WEEK, "and the week is archived")

sys.exit(t.done())
