#!/usr/bin/python3
"""12-bad-lines: every bad-line reason (count, rejected.jsonl, stderr, --strict, check),
and a run over damaged files (invalid UTF-8, a 5 MB line, a truncated gzip, an empty file)."""
import base64
import gzip
import json
import os
import random
import re
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

REASONS = ["invalid_json", "invalid_utf8", "line_too_long", "too_deep", "not_object",
           "missing_field", "wrong_type", "confidence_range", "unknown_action", "bad_time", "value_range",
           "csat_range"]
WEEK = "2026-W47"


def sugg(i, **kw):
    e = {"type": "suggestion", "id": "g%d" % i, "ts": "2026-11-17T10:%02d:00Z" % (i % 60),
         "ai_reply": "Reply %d" % i, "action": "accepted"}
    e.update(kw)
    return json.dumps(e).encode()


GOOD = sugg(1)
DEEP32 = (b'{"type":"suggestion","id":"d32","ts":"2026-11-17T10:00:00Z","ai_reply":"x",'
          b'"action":"accepted","extra":' + b"[" * 31 + b"]" * 31 + b"}")
BAD = {
    "invalid_json": b'{"type":"suggestion","id":"x",',
    "invalid_utf8": b'{"type":"suggestion","id":"u","ts":"2026-11-17T10:00:00Z","ai_reply":"caf\xc3\xa9 \xff!","action":"accepted"}',
    "line_too_long": b'{"type":"suggestion","id":"long","ts":"2026-11-17T10:00:00Z","ai_reply":"' + b"a" * (1 << 20) + b'","action":"accepted"}',
    "too_deep": b'{"type":"suggestion","id":"d33","ts":"2026-11-17T10:00:00Z","ai_reply":"x","action":"accepted","extra":' + b"[" * 32 + b"]" * 32 + b"}",
    "not_object": b'[1, 2, 3]',
    "missing_field": b'{"type":"suggestion","id":"m","ts":"2026-11-17T10:00:00Z","action":"accepted"}',
    "wrong_type": b'{"type":"suggestion","id":"w","ts":"2026-11-17T10:00:00Z","ai_reply":5,"action":"accepted"}',
    "confidence_range": b'{"type":"suggestion","id":"c","ts":"2026-11-17T10:00:00Z","ai_reply":"x","action":"accepted","confidence":1.5}',
    "unknown_action": b'{"type":"suggestion","id":"a","ts":"2026-11-17T10:00:00Z","ai_reply":"x","action":"maybe"}',
    "value_range": b'{"type":"suggestion","id":"v","ts":"2026-11-17T10:00:00Z","ai_reply":"x","action":"accepted","latency_ms":-1}',
    "bad_time": b'{"type":"suggestion","id":"t","ts":"2026-13-01T10:00:00Z","ai_reply":"x","action":"accepted"}',
    "csat_range": b'{"type":"outcome","ts":"2026-11-17T10:00:00Z","conversation_id":"c1","csat":6}',
}


def run(*args):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1764547200")
    env.pop("OPENAI_API_KEY", None)
    env.setdefault("AIDIGEST_TEMPLATES", os.path.join(t.ROOT, "templates"))
    p = subprocess.run([t.AIDIGEST] + list(args), env=env, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def report(out):
    with open(os.path.join(out, WEEK, "report.json"), encoding="utf-8") as f:
        return json.load(f)


def rejected(out, raw=True):
    """The raw quarantine (OUT/.raw/<week>/, the lines as read), or the
    published one (OUT/<week>/, redacted excerpts)."""
    path = os.path.join(out, ".raw", WEEK, "rejected.jsonl") if raw else os.path.join(out, WEEK, "rejected.jsonl")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f]


tmp = t.tmpdir()
for reason in REASONS:
    logs = os.path.join(tmp, reason)
    os.makedirs(logs)
    path = os.path.join(logs, "a.jsonl")
    bad = BAD[reason]
    with open(path, "wb") as f:
        f.write(GOOD + b"\n" + bad + b"\n" + sugg(2) + b"\n" + (DEEP32 + b"\n" if reason == "too_deep" else b""))
    out = os.path.join(tmp, reason + "-out")
    rc, _, err = run("run", "--offline", "--week", WEEK, "--logs", path, "--out", out)
    t.is_(rc, 0, "%s: exit 0 without --strict" % reason)
    r = report(out)
    dq = r["data_quality"]
    t.is_(dq["bad_lines"], 1, "%s: one bad line" % reason)
    t.is_({k: v for k, v in dq["bad_by_reason"].items() if v}, {reason: 1}, "%s: counted under its reason" % reason)
    t.is_(sorted(dq["bad_by_reason"]), sorted(REASONS), "%s: every reason listed" % reason)
    ngood = 3 if reason == "too_deep" else 2
    t.is_((dq["lines"], dq["events"], r["totals"]["suggestions"]), (ngood + 1, ngood, ngood),
          "%s: the good lines around it count (32 levels deep is good)" % reason)
    rj = rejected(out)
    t.is_(len(rj), 1, "%s: one line in the raw rejected.jsonl" % reason)
    pj = rejected(out, raw=False)
    t.is_([(e.get("file"), e.get("line"), e.get("reason"), "text" in e, "raw_base64" in e, "excerpt" in e)
           for e in pj], [(path, 2, reason, False, False, True)],
          "%s: the published rejected.jsonl: file, line, reason, an excerpt, no raw text" % reason)
    if rj:
        e = rj[0]
        t.is_((e.get("file"), e.get("line"), e.get("reason")), (path, 2, reason), "%s: file, line, reason" % reason)
        t.ok(isinstance(e.get("detail"), str) and e["detail"], "%s: a detail" % reason)
        if reason == "invalid_utf8":
            t.is_(base64.b64decode(e.get("raw_base64", "")), bad, "invalid_utf8: raw_base64 holds the exact bytes")
            t.is_(e.get("text"), bad.decode("utf-8", "replace"), "invalid_utf8: text with U+FFFD")
        elif reason == "line_too_long":
            t.is_((e.get("truncated"), e.get("length")), (True, len(bad)), "line_too_long: truncated, real length")
            t.is_(e.get("text"), bad[:1024].decode(), "line_too_long: the first 1024 bytes")
        else:
            t.is_(e.get("text"), bad.decode(), "%s: text is the line" % reason)
    lines = err.splitlines()
    want = re.compile(r"^aidigest: %s:2: %s: \S" % (re.escape(path), reason))
    t.ok(sum(1 for x in lines if want.search(x)) == 1, "%s: one stderr line naming file:line:reason" % reason) or t.diag(err)
    rc, _, err = run("run", "--offline", "--strict", "--week", WEEK, "--logs", path, "--out", out + "-strict")
    t.is_(rc, 1, "%s: --strict exits 1" % reason)
    rc, so, err = run("check", "--logs", path)
    t.is_(rc, 1, "%s: check exits 1" % reason)
    t.ok(re.search(r"^bad lines: 1$", so, re.M) and re.search(r"^\s+%s: 1$" % reason, so, re.M),
         "%s: check prints the summary" % reason) or t.diag(so)
    t.ok(re.search(r"%s:2: %s" % (re.escape(path), reason), err), "%s: check names the line on stderr" % reason)

clean = os.path.join(tmp, "clean.jsonl")
with open(clean, "wb") as f:
    f.write(GOOD + b"\n" + sugg(2) + b"\n" + DEEP32 + b"\n")
rc, so, err = run("check", "--logs", clean)
t.is_(rc, 0, "check on clean logs exits 0")
t.ok(re.search(r"^bad lines: 0$", so, re.M), "check on clean logs prints bad lines: 0") or t.diag(so)
rc, so, err = run("run", "--offline", "--strict", "--week", WEEK, "--logs", clean, "--out", os.path.join(tmp, "clean-out"))
t.is_(rc, 0, "--strict on clean logs exits 0")
t.ok(not os.path.exists(os.path.join(tmp, "clean-out", WEEK, "rejected.jsonl")), "no rejected.jsonl for clean logs")
t.ok(not os.path.exists(os.path.join(tmp, "clean-out", ".raw")), "nor a raw one")

# Damaged files in one run: invalid UTF-8, a 5 MB line, a truncated gzip, an empty file.
logs = os.path.join(tmp, "damaged")
os.makedirs(logs)
with open(os.path.join(logs, "a-utf8.jsonl"), "wb") as f:
    f.write(sugg(10) + b"\n" + BAD["invalid_utf8"] + b"\n" + b'{"type":"suggestion","id":"ov","ts":"2026-11-17T10:00:00Z","ai_reply":"\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80","action":"accepted"}' + b"\n" + sugg(11) + b"\n")
with open(os.path.join(logs, "b-huge.jsonl"), "wb") as f:
    f.write(sugg(20) + b"\n" + b'{"type":"suggestion","id":"huge","ai_reply":"' + b"x" * (5 << 20) + b'"}\n' + sugg(21))
rnd = random.Random(47)
gz_lines = []
for i in range(3000):
    words = " ".join("%08x" % rnd.getrandbits(32) for _ in range(12))
    gz_lines.append(sugg(1000 + i, ai_reply=words))
full = gzip.compress(b"\n".join(gz_lines) + b"\n", 6, mtime=0)
cut = full[: len(full) // 2]
with open(os.path.join(logs, "c-cut.jsonl.gz"), "wb") as f:
    f.write(cut)
# what can be decoded before the cut: the complete lines only
decoded = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut)
complete = decoded.count(b"\n")
# the cut-off tail (a partial line) is not silently dropped: it is a bad line (invalid_json)
partial = 0 if decoded.endswith(b"\n") else 1
t.ok(0 < complete < 3000, "the cut leaves %d complete lines of 3000" % complete)
open(os.path.join(logs, "d-empty.jsonl"), "wb").close()
out = os.path.join(tmp, "damaged-out")
rc, _, err = run("run", "--offline", "--week", WEEK, "--logs", logs, "--out", out, "--jobs", "2")
t.is_(rc, 1, "damaged files: the run does not write the week (exit 1)")
t.ok(not os.path.exists(os.path.join(out, WEEK)), "  and leaves no OUT/<week>/")
rc, _, err = run("run", "--offline", "--week", WEEK, "--logs", logs, "--out", out, "--jobs", "2", "--allow-damaged")
t.is_(rc, 0, "damaged files, --allow-damaged: the run finishes with exit 0")
r = report(out)
dq = r["data_quality"]
t.is_(dq["files"], 4, "damaged: 4 files read")
want = {"invalid_utf8": 2, "line_too_long": 1}
if partial:
    want["invalid_json"] = 1
t.is_({k: v for k, v in dq["bad_by_reason"].items() if v}, want,
      "damaged: 2 invalid_utf8 (one with overlong, surrogate and > U+10FFFF), 1 line_too_long, the cut-off line")
t.is_(dq["lines"], 4 + 3 + complete + partial, "damaged: lines = 4 + 3 + the lines before the cut")
t.is_(r["totals"]["suggestions"], 2 + 2 + complete, "damaged: suggestions = good lines, including those before the cut")
fe = dq["file_errors"]
t.ok(len(fe) == 1 and fe[0]["file"].endswith("c-cut.jsonl.gz") and fe[0].get("error"),
     "damaged: file_errors names the truncated gzip") or t.diag(fe)
rj = rejected(out)
t.is_([(os.path.basename(e["file"]), e["line"], e["reason"]) for e in rj],
      [("a-utf8.jsonl", 2, "invalid_utf8"), ("a-utf8.jsonl", 3, "invalid_utf8"), ("b-huge.jsonl", 2, "line_too_long")]
      + [("c-cut.jsonl.gz", complete + 1, "invalid_json")] * partial,
      "damaged: rejected.jsonl in input order")
if len(rj) >= 3:
    t.is_((rj[2].get("length"), len(rj[2].get("text", "").encode())), (5 * (1 << 20) + len(b'{"type":"suggestion","id":"huge","ai_reply":""}'), 1024),
          "damaged: the 5 MB line is kept as 1024 bytes with its real length")
t.ok(re.search(r"c-cut\.jsonl\.gz", err), "damaged: stderr names the truncated file") or t.diag(err)
sys.exit(t.done())
