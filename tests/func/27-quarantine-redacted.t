#!/usr/bin/python3
"""The quarantine that is archived and deployed holds no raw customer text:
OUT/<week>/rejected.jsonl has, for each bad line, its file, line, reason,
detail and a redacted excerpt of at most 500 bytes (cut on a UTF-8
boundary); the raw lines stay in OUT/.raw/<week>/rejected.jsonl, which
--publish never commits (and weekly.yml never deploys: 26-crash-leftovers)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

WEEK = "2026-W47"
SECRETS = ["ramesh1980@example.com", "ramesh1980", "4111 1111 1111 1111", "+1 415 555 0134", "Karan Mehta"]


def sug(i, ts, action="accepted", msg="hello"):
    return json.dumps({"type": "suggestion", "id": i, "ts": ts, "ai_reply": "Hello there, happy to help.",
                       "action": action, "confidence": 0.5, "customer_message": msg}) + "\n"


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


tmp = t.tmpdir()
logs = os.path.join(tmp, "logs")
os.makedirs(logs)
bad1 = '{"type":"suggestion","id":"x1","customer_message":"my email is ramesh1980@example.com, card 4111 1111 1111 1111"'
bad2 = ('{"type":"suggestion","id":"x2","ts":"not a time","ai_reply":"ok","action":"accepted",'
        '"customer_message":"call me on +1 415 555 0134, my name is Karan Mehta"}')
long_text = "é" * 400 + " ramesh1980@example.com " + "ü" * 400
bad3 = '{"type":"suggestion","oops ' + long_text
with open(os.path.join(logs, "a.jsonl"), "w", encoding="utf-8") as f:
    f.write(sug("s1", "2026-11-17T10:00:00Z") + bad1 + "\n" + bad2 + "\n" + sug("s2", "2026-11-18T10:00:00Z")
            + bad3 + "\n")
out = os.path.join(tmp, "out")
args = ["run", "--offline", "--week", WEEK, "--logs", logs, "--out", out]

r = t.run(args)
t.is_(r.returncode, 0, "a run with three bad lines exits 0")
pub_path = os.path.join(out, WEEK, "rejected.jsonl")
raw_path = os.path.join(out, ".raw", WEEK, "rejected.jsonl")
t.ok(os.path.exists(pub_path), "the published quarantine OUT/<week>/rejected.jsonl")
t.ok(os.path.exists(raw_path), "the raw quarantine OUT/.raw/<week>/rejected.jsonl")
pub = lines(pub_path)
raw = lines(raw_path)
t.is_(len(pub), 3, "three published records")
t.is_(len(raw), 3, "three raw records")
text = open(pub_path, encoding="utf-8").read()
for s in SECRETS:
    t.ok(s not in text, "no %r in the published quarantine" % s)
t.is_([sorted(p) for p in pub[:2]], [["detail", "excerpt", "file", "line", "reason"]] * 2,
      "a record: file, line, reason, detail, excerpt")
t.is_([p["line"] for p in pub], [2, 3, 5], "the lines, in input order")
t.is_([p["reason"] for p in pub], [x["reason"] for x in raw], "the reasons of the raw records")
t.ok(pub[0]["file"].endswith("a.jsonl"), "the file as given")
t.ok("[email]" in pub[0]["excerpt"] and "[card]" in pub[0]["excerpt"], "the excerpt is masked: " + pub[0]["excerpt"])
t.ok("[phone]" in pub[1]["excerpt"] and "[name]" in pub[1]["excerpt"], "phone and name masked: " + pub[1]["excerpt"])
ex = pub[2]["excerpt"].encode("utf-8")
t.ok(len(ex) <= 500, "a long excerpt is capped at 500 bytes (%d)" % len(ex))
t.ok(len(ex) >= 497, "and cut on a UTF-8 boundary, no more than needed")
t.is_(pub[2].get("truncated"), True, "marked truncated")
t.is_(pub[2].get("length"), len(bad3.encode("utf-8")), "with the line's length")
t.ok("ramesh1980@example.com" in raw[0]["text"], "the raw quarantine keeps the raw text")
t.ok("Karan Mehta" in raw[1]["text"], "all of it")

# a clean re-run removes both
with open(os.path.join(logs, "a.jsonl"), "w") as f:
    f.write(sug("s1", "2026-11-17T10:00:00Z"))
r = t.run(args)
t.is_(r.returncode, 0, "clean re-run")
t.ok(not os.path.exists(pub_path) and not os.path.exists(raw_path), "neither quarantine is left stale")

# a failed run (--strict) keeps both
with open(os.path.join(logs, "a.jsonl"), "w", encoding="utf-8") as f:
    f.write(sug("s1", "2026-11-17T10:00:00Z") + bad1 + "\n")
r = t.run(args + ["--strict"])
t.ok(r.returncode != 0, "--strict with a bad line fails")
t.ok(os.path.exists(pub_path) and os.path.exists(raw_path), "both quarantines are kept")
t.ok("ramesh1980" not in open(pub_path, encoding="utf-8").read(), "the kept published one is redacted")

# --publish commits the redacted quarantine, never the raw one
home = os.path.join(tmp, "home")
os.makedirs(home)
genv = {"HOME": home, "GIT_CONFIG_NOSYSTEM": "1"}
genv_all = dict(os.environ, **genv)
subprocess.run(["git", "config", "--global", "user.name", "t"], env=genv_all, check=True)
subprocess.run(["git", "config", "--global", "user.email", "t@t"], env=genv_all, check=True)
r = t.run(args + ["--publish"], env=genv)
t.is_(r.returncode, 0, "run --publish")
files = subprocess.run(["git", "-C", out, "ls-files"], env=genv_all, capture_output=True, text=True).stdout.split()
t.ok(WEEK + "/rejected.jsonl" in files, "the redacted quarantine is archived")
t.is_([f for f in files if f.startswith(".raw/")], [], "the raw quarantine is not")
blob = subprocess.run(["git", "-C", out, "show", "HEAD:%s/rejected.jsonl" % WEEK], env=genv_all,
                      capture_output=True, text=True).stdout
t.ok(blob and "ramesh1980" not in blob, "the archived quarantine holds no e-mail address")

sys.exit(t.done())
