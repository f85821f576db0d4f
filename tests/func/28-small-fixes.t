#!/usr/bin/python3
"""28-small-fixes: issue 10, findings 7 and 9. Values from the input and the
environment reach stderr with their control characters escaped (no forged
log line, no terminal escape); the smaller items of finding 9, each on its
own."""
import email
import email.policy
import gzip
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

WEEK = "2026-W47"
tmp = t.tmpdir()


def run(*args, env_extra=None):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1764547200")
    env.pop("OPENAI_API_KEY", None)
    env.setdefault("AIDIGEST_TEMPLATES", os.path.join(t.ROOT, "templates"))
    env.update(env_extra or {})
    p = subprocess.run([t.AIDIGEST] + list(args), env=env, capture_output=True, timeout=180)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def sugg(i, **kw):
    e = {"type": "suggestion", "id": "g%d" % i, "ts": "2026-11-17T10:%02d:00Z" % (i % 60),
         "ai_reply": "Reply %d" % i, "action": "accepted"}
    e.update(kw)
    return json.dumps(e)


def controls(s):
    """The control characters (C0 but \\n, DEL, C1) in s."""
    return [c for c in s if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]


# --- finding 7: log injection -------------------------------------------
logs = os.path.join(tmp, "in\nject")
os.makedirs(logs)
name = os.path.join(logs, "a\nFORGED: file.jsonl")
with open(name, "w") as f:
    f.write(sugg(1) + "\n")
    f.write(sugg(2, ts="2026-11-17T10:00:00Z\nFORGED: ts line") + "\n")
    f.write(sugg(3, action="acc\u001b[31mepted\r\tFORGED\u0085\u007f") + "\n")
    f.write('{"type":"suggestion","id":"g4","ts":"2026-11-17T10:00:00Z","ai_reply":"x\xff","action":"accepted"}\n')
out = os.path.join(tmp, "out7")
rc, _, err = run("run", "--offline", "--week", WEEK, "--logs", logs, "--out", out)
t.is_(rc, 0, "log injection: the run succeeds")
lines = err.splitlines()
t.ok(not [x for x in lines if not x.startswith("aidigest: ")], "every stderr line is aidigest's own") or t.diag(err)
t.ok(not [x for x in lines if "FORGED" in x and not x.startswith("aidigest: ") ], "no forged line")
t.is_(controls(err), [], "no control character on stderr (ESC, CR, tab, U+0085, DEL)") or t.diag(repr(err))
t.ok("in\\nject/a\\nFORGED: file.jsonl:2: bad_time" in err, "a newline in a file name is written as \\n") or t.diag(err)
t.ok('10:00:00Z\\nFORGED: ts line"' in err, "a newline in ts is written as \\n")
t.ok('"acc\\x1b[31mepted\\r\\tFORGED\\u0085\\x7f"' in err, "ESC, CR, tab, U+0085, DEL in action are escaped") or t.diag(err)
# a file name in an error message (aid_errbuf) too
rc, _, err = run("run", "--offline", "--week", WEEK, "--logs", os.path.join(tmp, "no\x1b[2Jsuch\nfile"),
                 "--out", os.path.join(tmp, "out7b"))
t.ok(rc != 0, "a missing log is an error")
t.ok("no\\x1b[2Jsuch\\nfile" in err and not controls(err) and len(err.splitlines()) == 1,
     "its name is escaped in the error line") or t.diag(repr(err))
# invalid UTF-8 in a name: \xNN
rc, _, err = run("run", "--offline", "--week", WEEK, "--logs", os.path.join(tmp, "bad").encode() + b"\xff\xc3",
                 "--out", os.path.join(tmp, "out7c"))
t.ok("bad\\xff\\xc3" in err, "invalid UTF-8 in a name is written as \\xNN") or t.diag(repr(err))

# --- 9c: a 30-digit confidence is shown as written -------------------------
cfile = os.path.join(tmp, "conf.jsonl")
with open(cfile, "w") as f:
    f.write(sugg(1) + "\n")
    f.write('{"type":"suggestion","id":"c","ts":"2026-11-17T10:00:00Z","ai_reply":"x","action":"accepted",'
            '"confidence":123456789012345678901234567890}\n')
    f.write('{"type":"suggestion","id":"d","ts":"2026-11-17T10:00:00Z","ai_reply":"x","action":"accepted",'
            '"confidence":1.0000000000000002}\n')
    f.write('{"type":"suggestion","id":"e","ts":"2026-11-17T10:00:00Z","ai_reply":"x","action":"accepted",'
            '"confidence":-3e400}\n')
rc, _, err = run("check", "--logs", cfile)
t.ok("confidence 123456789012345678901234567890 is outside [0, 1]" in err,
     "9c: the 30-digit confidence as written, not 1.8446744073709552e+19") or t.diag(err)
t.ok("confidence 1.0000000000000002 is outside" in err, "9c: 1.0000000000000002 as written") or t.diag(err)
t.ok("confidence -3e400 is outside" in err, "9c: -3e400 as written") or t.diag(err)

# --- 9d: the summary line for an unreadable file ---------------------------
dl = os.path.join(tmp, "dlogs")
os.makedirs(dl)
with open(os.path.join(dl, "a.jsonl"), "w") as f:
    f.write(sugg(1) + "\n" + sugg(2) + "\n")
gz = gzip.compress(("\n".join(sugg(100 + i, ai_reply="w%d " % i * 40) for i in range(400)) + "\n").encode(), mtime=0)
with open(os.path.join(dl, "b.jsonl.gz"), "wb") as f:
    f.write(gz[:20])
rc, _, err = run("run", "--offline", "--week", WEEK, "--logs", dl, "--out", os.path.join(tmp, "out9d"))
summ = [x for x in err.splitlines() if "unreadable file" in x]
t.ok(summ and not [x for x in summ if "//" in x or re.search(r"file\S", x)],
     "9d: the unreadable-file summary is not garbled") or t.diag(err)
t.ok([x for x in summ if re.fullmatch(r"aidigest: 0 bad lines, 1 unreadable file", x)],
     "9d: 'aidigest: 0 bad lines, 1 unreadable file'") or t.diag(err)

# --- 9a and 9f: the mail -------------------------------------------------
SINK = os.path.join(t.ROOT, "tests", "lib", "smtp_sink.py")


def start_sink(*extra):
    d = t.tmpdir()
    p = subprocess.Popen(["/usr/bin/python3", SINK, d] + list(extra), stdout=subprocess.PIPE, text=True)
    return p, d, int(p.stdout.readline())


mout = t.tmpdir()
os.makedirs(os.path.join(mout, WEEK))
shutil.copy(os.path.join(t.ROOT, "tests", "fixtures", "report-sample.json"), os.path.join(mout, WEEK, "report.json"))
with open(os.path.join(mout, WEEK, "digest.pdf"), "wb") as f:
    f.write(b"%PDF-1.4\n%%EOF\n")
menv = {"AIDIGEST_MAIL_FROM": "digest@example.com", "AIDIGEST_MAIL_TO": "lead@example.com",
        "AIDIGEST_SMTP_USER": "", "AIDIGEST_SMTP_PASSWORD": ""}
for url in ("javascript:alert(document.cookie)//", "data:text/html,<b>x</b>", "JaVaScRiPt:alert(1)"):
    sink, sdir, port = start_sink()
    rc, _, err = run("mail", "--week", WEEK, "--out", mout,
                     env_extra=dict(menv, AIDIGEST_SMTP_URL="smtp://127.0.0.1:%d" % port, AIDIGEST_SITE_URL=url))
    sink.terminate()
    sink.wait()
    t.is_(rc, 0, "9a: mail with AIDIGEST_SITE_URL=%s is sent" % url) or t.diag(err)
    raw = open(os.path.join(sdir, "1.eml"), "rb").read() if os.path.exists(os.path.join(sdir, "1.eml")) else b""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    html = msg.get_body(preferencelist=("html",))
    plain = msg.get_body(preferencelist=("plain",))
    hb = html.get_content() if html else ""
    pb = plain.get_content() if plain else ""
    t.ok(hb and "href" not in hb.lower().replace('href="https://', "").replace('href="http://', "")
         and url.split(":")[0].lower() not in hb.lower(), "9a: no %s link in the HTML mail" % url.split(":")[0]) or t.diag(hb)
    t.ok(pb and url not in pb and "only http:// and https://" in pb, "9a: the text mail says the address was not used")
# a good address still is a link
sink, sdir, port = start_sink()
rc, _, err = run("mail", "--week", WEEK, "--out", mout,
                 env_extra=dict(menv, AIDIGEST_SMTP_URL="smtp://127.0.0.1:%d" % port,
                                AIDIGEST_SITE_URL="https://example.github.io/aidigest"))
sink.terminate()
sink.wait()
raw = open(os.path.join(sdir, "1.eml"), "rb").read() if os.path.exists(os.path.join(sdir, "1.eml")) else b""
hb = email.message_from_bytes(raw, policy=email.policy.default).get_body(preferencelist=("html",))
t.ok(hb and 'href="https://example.github.io/aidigest/%s/"' % WEEK in hb.get_content(), "9a: an https address is a link")

sink, sdir, port = start_sink("--reject-data")
rc, _, err = run("mail", "--week", WEEK, "--out", mout,
                 env_extra=dict(menv, AIDIGEST_SMTP_URL="smtp://127.0.0.1:%d" % port))
sink.terminate()
sink.wait()
t.is_(rc, 3, "9f: a 554 after DATA: exit 3")
t.ok("dropped" not in err and "refused the message: 554 5.7.1 Message refused: spam score 9.7" in err,
     "9f: reported as the server's refusal with its code and text") or t.diag(err)
t.is_(len(err.strip().splitlines()), 1, "9f: one line")

# --- 9e and 9h: the LLM ----------------------------------------------------
KEY = "sk-test-28-small"
nlogs = os.path.join(tmp, "nlogs.jsonl")
with open(nlogs, "w") as f:
    for i in range(40):
        f.write(sugg(i, action="accepted" if i % 3 else "rejected", confidence=0.5 + (i % 5) / 10,
                     ts="2026-11-%02dT10:%02d:00Z" % (16 + i % 7, i)) + "\n")


class Server(t.FakeOpenAI):
    def __init__(self, scenario):
        super().__init__(scenario, quiet=True)

    def requests(self, match=None):
        return [r for r in super().requests() if match is None or match in r["raw"]]


def nrun(out, env_extra):
    env = {"OPENAI_API_KEY": KEY, "AIDIGEST_LLM_BACKOFF_MS": "10", "AIDIGEST_LLM_MODEL": "test-model"}
    env.update(env_extra)
    rc, so, err = run("run", "--week", WEEK, "--logs", nlogs, "--out", out, env_extra=env)
    path = os.path.join(out, WEEK, "report.json")
    return rc, err, (json.load(open(path)) if os.path.exists(path) else {})


def src_of(rep, part):
    return rep.get("narrative", {}).get("source", {}).get(part, "")


# 9e: an answer over the 8 MiB cap: "answer too large", asked once
big = {"content": {"paragraphs": ["x" * (9 << 20), "b", "c", "d", "e"]}}
srv = Server({"routes": [{"match": '"name":"weekly_summary"', "responses": [big]}]})
rc, err, rep = nrun(os.path.join(tmp, "out9e"), {"AIDIGEST_LLM_BASE_URL": "http://127.0.0.1:%d/v1" % srv.port})
n = len(srv.requests('"name":"weekly_summary"'))
srv.stop()
t.is_(rc, 0, "9e: an oversized answer: the run completes")
t.is_(n, 1, "9e: the oversized answer is not asked again")
t.ok("answer too large" in src_of(rep, "summary") and "write" not in src_of(rep, "summary").lower(),
     "9e: reported as 'answer too large', not a write error: " + src_of(rep, "summary"))
# 9e: a malformed base URL: no retry, no sleep, one line per part at most
for url in ("http://[::1/v1", "ftp://127.0.0.1/v1"):
    rc, err, rep = nrun(os.path.join(tmp, "out9e-url"), {"AIDIGEST_LLM_BASE_URL": url, "AIDIGEST_LLM_BACKOFF_MS": "3000"})
    s = src_of(rep, "summary")
    t.ok(rc == 0 and "attempts" not in s and "not a usable http(s) URL" in s,
         "9e: %s is not retried: %s" % (url, s)) or t.diag(err)

# 9h: the fact-check fallback reason does not quote the rejected digits
wrong = {"content": {"paragraphs": ["Call 4111111111111111 or 977-625-2661 this week.", "b", "c", "d", "e"]}}
srv = Server({"routes": [{"match": '"name":"weekly_summary"', "responses": [wrong]}]})
out9h = os.path.join(tmp, "out9h")
rc, err, rep = nrun(out9h, {"AIDIGEST_LLM_BASE_URL": "http://127.0.0.1:%d/v1" % srv.port})
srv.stop()
s = src_of(rep, "summary")
t.ok(s.startswith("builtin (fallback: fact check failed twice: ") and "number" in s, "9h: the reason: " + s)
published = json.dumps(rep) + err
for fn in os.listdir(os.path.join(out9h, WEEK)):
    if fn.endswith((".html", ".json", ".txt")):
        published += open(os.path.join(out9h, WEEK, fn), encoding="utf-8", errors="replace").read()
t.ok("4111111111111111" not in published and "625-2661" not in published and "2661" not in s,
     "9h: the digits reach neither report.json, the page nor stderr")

# --- 9g: libxlsxwriter's own [ERROR] lines ----------------------------------
# A file size limit lets the temporary file be created and the zip fail in
# workbook_close, where libxlsxwriter prints its own lines.
xout = t.tmpdir()
os.makedirs(os.path.join(xout, WEEK))
shutil.copy(os.path.join(t.ROOT, "tests", "fixtures", "report-sample.json"), os.path.join(xout, WEEK, "report.json"))


def small_files():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))


env = dict(os.environ, AIDIGEST_TEMPLATES=os.path.join(t.ROOT, "templates"))
p = subprocess.run([t.AIDIGEST, "render", "--week", WEEK, "--out", xout, "--only", "xlsx"], env=env,
                   capture_output=True, timeout=120, preexec_fn=small_files)
err = p.stderr.decode("utf-8", "replace")
t.is_(p.returncode, 3, "9g: a failed XLSX write: exit 3")
t.ok(not [x for x in err.splitlines() if x.startswith("[")], "9g: no [ERROR] line of libxlsxwriter's own") or t.diag(err)
t.ok(len(err.strip().splitlines()) == 1 and "digest.xlsx: cannot write" in err and "File too large" in err,
     "9g: one line of aidigest's, with the library's reason") or t.diag(err)
t.ok(not os.path.exists(os.path.join(xout, WEEK, "digest.xlsx")), "9g: no digest.xlsx left")

sys.exit(t.done())
