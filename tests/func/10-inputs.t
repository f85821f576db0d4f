#!/usr/bin/python3
# 10-inputs.t - the committed sample logs in inputs/ are what inputs/README.md
# says they are: valid gzip, four ISO weeks of >= 3000 suggestions each, every
# event inside its week, exactly the planted bad lines (by kind) and nothing
# else bad, and inputs/planted.json agreeing with the files. When the source
# corpora are on this machine, re-running scripts/make-inputs.py must
# reproduce every file byte for byte. Does not use the binary.
import datetime as dt
import gzip
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

INPUTS = os.path.join(t.ROOT, "inputs")
FILES = ["2026-W44.jsonl.gz", "2026-W45.jsonl.gz", "2026-W46.jsonl.gz", "2026-W47-1.jsonl.gz", "2026-W47-2.jsonl"]
WEEKS = {"2026-W44": (2026, 10, 26), "2026-W45": (2026, 11, 2), "2026-W46": (2026, 11, 9), "2026-W47": (2026, 11, 16)}
# The bad lines planted in W47 (inputs/README.md, "Bad lines"), by kind.
BAD_W47 = {"invalid_json": 2, "invalid_utf8": 1, "missing_field": 2, "wrong_type": 1, "confidence_range": 1,
           "unknown_action": 1, "bad_time": 1, "not_object": 1, "too_deep": 1}

TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
ACTIONS = {"accepted", "edited", "rejected", "ignored"}
REQUIRED = {"suggestion": ["id", "ts", "ai_reply", "action"], "correction": ["suggestion_id", "ts", "corrected_reply"],
            "prompt_update": ["ts", "prompt_id"]}
STRINGS = {"suggestion": ["id", "ai_reply", "action", "customer_message", "final_reply", "conversation_id",
                          "agent_id", "channel", "locale", "prompt_id", "prompt_version"],
           "correction": ["suggestion_id", "corrected_reply", "by", "reason"],
           "prompt_update": ["prompt_id", "from_version", "to_version", "theme", "summary"]}


def parse_ts(s):
    m = TS_RE.match(s) if isinstance(s, str) else None
    if not m:
        return None
    try:
        frac = m.group(7) or ""
        z = m.group(8).upper()
        base = dt.datetime(*map(int, m.groups()[:6]))
        if frac:
            base += dt.timedelta(microseconds=int((frac[1:] + "000000")[:6]))
        off = dt.timedelta(0) if z == "Z" else (1 if z[0] == "+" else -1) * dt.timedelta(hours=int(z[1:3]),
                                                                                        minutes=int(z[4:6]))
        return (base - off).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def depth(v):
    if isinstance(v, dict):
        return 1 + max([depth(x) for x in v.values()] or [0])
    if isinstance(v, list):
        return 1 + max([depth(x) for x in v] or [0])
    return 0


def classify(raw):
    """(kind of badness or None, event)."""
    if len(raw) > 1 << 20:
        return "too_long", None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8", None
    try:
        ev = json.loads(text)
    except (ValueError, RecursionError):
        return "invalid_json", None
    if not isinstance(ev, dict):
        return "not_object", None
    if depth(ev) > 32:
        return "too_deep", None
    typ = ev.get("type")
    if not isinstance(typ, str):
        return ("missing_field" if typ is None else "wrong_type"), None
    if typ not in REQUIRED:
        return None, ev
    for k in REQUIRED[typ]:
        if k not in ev:
            return "missing_field", None
    for k in STRINGS[typ] + ["ts"]:
        if k in ev and not isinstance(ev[k], str):
            return "wrong_type", None
    if typ == "suggestion" and "confidence" in ev:
        c = ev["confidence"]
        if c is not None and (isinstance(c, bool) or not isinstance(c, (int, float))):
            return "wrong_type", None
        if c is not None and not (0 <= c <= 1):
            return "confidence_range", None
    if typ == "suggestion" and ev["action"] not in ACTIONS:
        return "unknown_action", None
    if typ == "prompt_update":
        for k in ("examples_added", "examples_removed"):
            if k in ev and not (isinstance(ev[k], list) and all(isinstance(x, str) for x in ev[k])):
                return "wrong_type", None
    if parse_ts(ev["ts"]) is None:
        return "bad_time", None
    return None, ev


def wset(s, alnum):
    s = re.sub(r"\s+", " ", re.sub(r"[0-9]+", "#", s.lower())).strip()
    return set(x for x in (re.split(r"[^0-9a-z#\x80-\U0010ffff]+", s) if alnum else s.split(" ")) if x)


def wj(a, b, alnum):
    a, b = wset(a, alnum), wset(b, alnum)
    return len(a & b) / len(a | b) if a | b else 1.0


# ---------------------------------------------------------------- the files
present = sorted(f for f in os.listdir(INPUTS) if f.endswith((".jsonl", ".jsonl.gz")))
t.is_(present, sorted(FILES), "inputs/ holds exactly the four weeks' files")
raw = {}
for f in FILES:
    p = os.path.join(INPUTS, f)
    with open(p, "rb") as fh:
        data = fh.read()
    if f.endswith(".gz"):
        try:
            with gzip.GzipFile(fileobj=__import__("io").BytesIO(data)) as g:
                data = g.read()  # reads to the end: checks CRC and length
            okz = True
        except (OSError, EOFError):
            okz = False
        t.ok(okz, "%s is valid gzip" % f)
    raw[f] = data
t.ok(sum(os.path.getsize(os.path.join(INPUTS, f)) for f in FILES) < 4 << 20, "committed sample is under 4 MiB")
t.ok(not raw["2026-W47-2.jsonl"].endswith(b"\n"), "the plain file ends without a final newline (reader edge case)")

stats = {}
for f in FILES:
    week = f[:8]
    st = stats.setdefault(week, {"lines": 0, "bad": {}, "sugg": {}, "seen": 0, "unknown": 0, "corr": [],
                                 "updates": [], "outside": 0})
    monday = dt.datetime(*WEEKS[week], tzinfo=dt.timezone.utc)
    for line in raw[f].split(b"\n"):
        if line == b"" and f.endswith(".gz"):
            continue  # the final newline
        st["lines"] += 1
        kind, ev = classify(line)
        if kind:
            st["bad"][kind] = st["bad"].get(kind, 0) + 1
            continue
        ts = parse_ts(ev["ts"]) if "ts" in ev else None
        if ts is not None and not (monday <= ts < monday + dt.timedelta(days=7)):
            st["outside"] += 1
        if ev["type"] == "suggestion":
            st["seen"] += 1
            st["sugg"][ev["id"]] = ev  # the last occurrence wins
        elif ev["type"] == "correction":
            st["corr"].append(ev)
        elif ev["type"] == "prompt_update":
            st["updates"].append(ev)
        else:
            st["unknown"] += 1

with open(os.path.join(INPUTS, "planted.json"), encoding="utf-8") as fh:
    planted = json.load(fh)["weeks"]
t.is_(sorted(stats), sorted(WEEKS), "weeks 2026-W44 .. 2026-W47 present")
for week in sorted(stats):
    st, pl = stats[week], planted[week]
    n = len(st["sugg"])
    t.ok(n >= 3000, "%s: %d distinct suggestions (>= 3000)" % (week, n))
    t.is_(st["outside"], 0, "%s: every event lies inside its ISO week (UTC)" % week)
    t.is_(st["bad"], BAD_W47 if week == "2026-W47" else {}, "%s: bad lines by kind as planted" % week)
    t.is_(pl["bad_by_kind"], st["bad"], "%s: planted.json lists the same bad lines" % week)
    acts = {a: sum(e["action"] == a for e in st["sugg"].values()) for a in sorted(ACTIONS)}
    t.is_([n, st["seen"] - n, st["unknown"], st["lines"]] + [acts[a] for a in sorted(ACTIONS)],
          [pl["suggestions"], pl["duplicates"], pl["unknown_types"], pl["lines"]] + [pl[a] for a in sorted(ACTIONS)],
          "%s: suggestions, duplicates, unknown types, lines, actions agree with planted.json" % week)
    t.ok(st["seen"] - n >= 10 and st["unknown"] >= 3, "%s: has duplicates and unknown-type events" % week)
    conf = [e["confidence"] for e in st["sugg"].values() if e.get("confidence") is not None]
    nulls = sum("confidence" in e and e["confidence"] is None for e in st["sugg"].values())
    missing = sum("confidence" not in e for e in st["sugg"].values())
    t.ok(nulls > 0 and missing > 0, "%s: some confidences null (%d), some missing (%d)" % (week, nulls, missing))
    t.close(sum(conf) / len(conf), pl["confidence_mean"], "%s: mean confidence as planted" % week, 5e-5)
    orphans = [c for c in st["corr"] if c["suggestion_id"] not in st["sugg"]]
    vind = 0
    for c in st["corr"]:
        s = st["sugg"].get(c["suggestion_id"])
        if not s or s["action"] not in ("edited", "rejected") or "final_reply" not in s:
            continue
        v = [wj(c["corrected_reply"], s["ai_reply"], m) >= 0.6 and wj(c["corrected_reply"], s["final_reply"], m) < 0.6
             for m in (False, True)]
        if v[0] != v[1]:
            t.diag("correction of %s depends on the tokenisation" % s["id"])
        vind += v[0] and v[1]
    t.is_([len(st["corr"]), len(orphans), vind], [pl["corrections"], pl["orphans"], pl["vindicated"]],
          "%s: corrections, orphans, vindicated as planted" % week)
    t.ok(pl["vindicated"] >= 5 and 20 <= pl["corrections"] <= 60, "%s: a few dozen corrections, some vindicating" % week)
    t.is_(len(st["updates"]), 1 if week in ("2026-W46", "2026-W47") else 0, "%s: prompt_update events" % week)

# The planted signals of W47 (inputs/README.md, "Signals").
w46, w47 = planted["2026-W46"], planted["2026-W47"]
t.ok(w47["term_counts"]["delayed"] >= 3 * max(1, w46["term_counts"]["delayed"]), "W47: 'delayed' rises")
up = w47["prompt_updates"][0]
t.ok(up["prompt_id"] == "refunds" and up["acceptance_after"] - up["acceptance_before"] >= 0.15,
     "W47: refunds acceptance improves after the v3 -> v4 update")
t.ok(-0.045 <= w47["confidence_delta"] <= -0.02, "W46 -> W47: mean confidence drops by about 0.03")

# ---------------------------------------------------------------- reproducible
corpora = next((p for p in ("/work/shared/data", os.path.join(t.ROOT, "..", "shared", "data"))
                if os.path.isdir(os.path.join(p, "cucom-ecommerce"))), None)
if corpora is None:
    t._n += 1
    print("ok %d - make-inputs.py reproduces inputs/ byte for byte # SKIP no corpora" % t._n)
else:
    tmp = t.tmpdir()
    r = subprocess.run(["/usr/bin/python3", os.path.join(t.ROOT, "scripts", "make-inputs.py"), corpora,
                        "--out", tmp, "--fixture", os.path.join(tmp, "abcd-pii.jsonl")],
                       capture_output=True, text=True, timeout=120)
    if r.returncode:
        t.diag(r.stderr)
    same = []
    for f in FILES + ["planted.json"]:
        with open(os.path.join(INPUTS, f), "rb") as a, open(os.path.join(tmp, f), "rb") as b:
            same.append(a.read() == b.read())
    with open(os.path.join(t.ROOT, "tests", "fixtures", "abcd-pii.jsonl"), "rb") as a, \
            open(os.path.join(tmp, "abcd-pii.jsonl"), "rb") as b:
        same.append(a.read() == b.read())
    t.ok(r.returncode == 0 and all(same), "make-inputs.py reproduces inputs/ byte for byte")

# The PII fixture: every listed substring is in its text.
with open(os.path.join(t.ROOT, "tests", "fixtures", "abcd-pii.jsonl"), encoding="utf-8") as fh:
    fx = [json.loads(x) for x in fh]
t.ok(len(fx) >= 20 and all(all(p in x["text"] for p in x["pii"]) for x in fx)
     and sum(bool(x["pii"]) for x in fx) >= 15 and any(not x["pii"] for x in fx),
     "tests/fixtures/abcd-pii.jsonl: PII substrings present, some lines without PII")
sys.exit(t.done())
