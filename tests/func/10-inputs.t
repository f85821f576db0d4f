#!/usr/bin/python3
# 10-inputs.t - the committed sample logs in inputs/ are what inputs/README.md
# says they are: valid gzip, four ISO weeks of >= 3000 suggestions each, every
# event inside its week, exactly the planted bad lines (by kind) and nothing
# else bad, and inputs/planted.json agreeing with the files. When the source
# corpora are on this machine, re-running scripts/make-inputs.py must
# reproduce every file byte for byte. Does not use the binary.
import bisect
import datetime as dt
import gzip
import json
import math
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
            "prompt_update": ["ts", "prompt_id"], "outcome": ["ts", "conversation_id"]}
STRINGS = {"suggestion": ["id", "ai_reply", "action", "customer_message", "final_reply", "conversation_id",
                          "agent_id", "channel", "locale", "prompt_id", "prompt_version"],
           "correction": ["suggestion_id", "corrected_reply", "by", "reason"],
           "prompt_update": ["prompt_id", "from_version", "to_version", "theme", "summary"],
           "outcome": ["conversation_id"]}
# The optional usage fields of a suggestion (issue 15): (kind check, minimum).
NUMBER = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
INTEGER = lambda v: isinstance(v, int) and not isinstance(v, bool)  # noqa: E731
USAGE = {"latency_ms": NUMBER, "tokens_in": INTEGER, "tokens_out": INTEGER, "cost": NUMBER}


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
    if typ == "suggestion":
        if "model" in ev and not isinstance(ev["model"], str):
            return "wrong_type", None
        for k, kind in USAGE.items():
            if k in ev and not kind(ev[k]):
                return "wrong_type", None
            if k in ev and ev[k] < 0:
                return "out_of_range", None
    if typ == "outcome":
        if "csat" in ev and not INTEGER(ev["csat"]):
            return "wrong_type", None
        if "csat" in ev and not 1 <= ev["csat"] <= 5:
            return "out_of_range", None
        if "resolved" in ev and not isinstance(ev["resolved"], bool):
            return "wrong_type", None
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
                                 "updates": [], "outside": 0, "outcomes": []})
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
        elif ev["type"] == "outcome":
            st["outcomes"].append(ev)
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

# ---------------------------------------------------------------- issue 15: channels, usage, outcomes
# The new fields and events, re-derived from the files and compared with
# planted.json (definitions: planted.json "definitions"), then the planted
# signals: WhatsApp's acceptance drops in W47, the returns prompt gets slower
# and dearer, CSAT is higher when the AI's reply was used.
def rank_q(vals, p):
    """Nearest rank: the smallest value with at least p of the values at or below it."""
    v = sorted(vals)
    for x in v:
        if bisect.bisect_right(v, x) >= p * len(v):
            return x
    return None


def used(e):
    return e["action"] in ("accepted", "edited")


def usage(evs):
    lat = [e["latency_ms"] for e in evs if "latency_ms" in e]
    priced = [e for e in evs if "cost" in e]
    cost = math.fsum(e["cost"] for e in priced)
    nu = sum(used(e) for e in priced)
    return {"suggestions": len(evs), "latency_n": len(lat), "latency_p50": rank_q(lat, 0.5),
            "latency_p95": rank_q(lat, 0.95),
            "tokens_in_p50": rank_q([e["tokens_in"] for e in evs if "tokens_in" in e], 0.5),
            "tokens_out_p50": rank_q([e["tokens_out"] for e in evs if "tokens_out" in e], 0.5),
            "cost_n": len(priced), "cost_total": cost, "used_priced": nu, "cost_per_used": cost / nu if nu else None}


def same_usage(got, want):
    ints = [k for k in want if k not in ("cost_total", "cost_per_used")]
    return [got[k] for k in ints] == [want[k] for k in ints] and abs(got["cost_total"] - want["cost_total"]) <= 1e-6 \
        and abs(got["cost_per_used"] - want["cost_per_used"]) <= 1e-8


def welch_t(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    va = sum((x - ma) ** 2 for x in a) / (len(a) - 1)
    vb = sum((x - mb) ** 2 for x in b) / (len(b) - 1)
    return (ma - mb) / math.sqrt(va / len(a) + vb / len(b))


def klass(evs):
    acts = [e["action"] for e in evs]
    return "as_is" if "accepted" in acts else "edited" if "edited" in acts else "not_used"


csat_all = {"as_is": [], "edited": [], "not_used": []}
resolved_all = {"as_is": [], "edited": [], "not_used": []}
prev_convs = set()
for week in sorted(stats):
    st, pl = stats[week], planted[week]
    sugg = list(st["sugg"].values())
    with_usage = [e for e in sugg if "latency_ms" in e]
    t.ok(len(with_usage) >= 0.97 * len(sugg) and all(k in e for e in with_usage for k in ("model", "tokens_in",
                                                                                           "tokens_out")),
         "%s: %d of %d suggestions carry model, latency_ms and tokens" % (week, len(with_usage), len(sugg)))
    t.is_([len(sugg) - len(with_usage), sum("cost" not in e for e in sugg)], [pl["usage_missing"], pl["cost_missing"]],
          "%s: suggestions without usage, without cost as planted" % week)
    models = sorted(set(e["model"] for e in with_usage))
    t.ok(2 <= len(models) <= 3, "%s: %d models (%s)" % (week, len(models), ", ".join(models)))
    # cost = tokens_in * price_in + tokens_out * price_out, one price pair per model (least squares, then residuals)
    fits = []
    for m in models:
        xs = [(e["tokens_in"], e["tokens_out"], e["cost"]) for e in with_usage if e["model"] == m and "cost" in e]
        s11, s12, s22 = (math.fsum(a * a for a, _, _ in xs), math.fsum(a * b for a, b, _ in xs),
                         math.fsum(b * b for _, b, _ in xs))
        s1y, s2y = math.fsum(a * y for a, _, y in xs), math.fsum(b * y for _, b, y in xs)
        det = s11 * s22 - s12 * s12
        pa, pb = (s1y * s22 - s2y * s12) / det, (s2y * s11 - s1y * s12) / det
        fits.append(pa > 0 and pb > pa and max(abs(y - a * pa - b * pb) for a, b, y in xs) <= 1e-8)
    t.ok(all(fits), "%s: every cost is tokens times its model's prices (output dearer than input)" % week)
    ch = {}
    for e in sugg:
        c = ch.setdefault(e["channel"], {"suggestions": 0, "accepted": 0})
        c["suggestions"] += 1
        c["accepted"] += e["action"] == "accepted"
    t.is_(sorted(ch), ["chat", "email", "whatsapp"], "%s: channels chat, email, whatsapp" % week)
    t.ok(all(ch[k]["suggestions"] == pl["channels"][k]["suggestions"] and ch[k]["accepted"] == pl["channels"][k]["accepted"]
             and abs(ch[k]["accepted"] / ch[k]["suggestions"] - pl["channels"][k]["acceptance"]) < 6e-5 for k in ch)
         and sorted(pl["channels"]) == sorted(ch), "%s: acceptance per channel as planted" % week)
    for key, name in (("prompt_id", "usage_by_prompt"), ("model", "usage_by_model")):
        groups = {}
        for e in sugg:
            if key in e:
                groups.setdefault(e[key], []).append(e)
        got = {k: usage(v) for k, v in groups.items()}
        t.ok(sorted(got) == sorted(pl[name]) and all(same_usage(got[k], pl[name][k]) for k in got),
             "%s: latency p50/p95, tokens, cost per used reply by %s as planted" % (week, key))
    # outcomes
    convs = {}
    for e in sugg:
        convs.setdefault(e["conversation_id"], []).append(e)
    outs = st["outcomes"]
    joined = [o for o in outs if o["conversation_id"] in convs]
    unknown = [o for o in outs if o["conversation_id"] not in convs]
    late = [o for o in unknown if o["conversation_id"] in prev_convs]
    po = pl["outcomes"]
    t.is_([len(outs), len(joined), len(unknown), len(late), len(unknown) - len(late),
           sum("csat" in o for o in outs), sum("resolved" in o for o in outs)],
          [po["events"], po["joined"], po["unknown_conversation"], po["from_previous_week"], po["without_suggestions"],
           po["with_csat"], po["with_resolved"]],
          "%s: outcomes, joined, unknown (late from the week before, never seen), with csat, with resolved" % week)
    t.ok(len(joined) >= 0.6 * len(convs) and len(unknown) >= 3 and 0 < len(outs) - po["with_csat"] < len(outs)
         and 0 < len(outs) - po["with_resolved"] < len(outs),
         "%s: outcomes for most conversations (%d of %d), a few unknown, csat and resolved sometimes missing"
         % (week, len(joined), len(convs)))
    t.ok(all(parse_ts(o["ts"]) > max(parse_ts(e["ts"]) for e in convs[o["conversation_id"]]) for o in joined),
         "%s: every outcome comes after its conversation's suggestions" % week)
    t.is_(len(set(o["conversation_id"] for o in outs)), len(outs), "%s: one outcome per conversation" % week)
    byc = {k: [[], []] for k in csat_all}
    for o in joined:
        k = klass(convs[o["conversation_id"]])
        if "csat" in o:
            byc[k][0].append(o["csat"])
            csat_all[k].append(o["csat"])
        if "resolved" in o:
            byc[k][1].append(o["resolved"])
            resolved_all[k].append(o["resolved"])
    t.ok(all(len(byc[k][0]) == po["by_class"][k]["csat_n"] and len(byc[k][1]) == po["by_class"][k]["resolved_n"]
             and (not byc[k][0] or abs(sum(byc[k][0]) / len(byc[k][0]) - po["by_class"][k]["csat_mean"]) < 6e-5)
             and (not byc[k][1] or abs(sum(byc[k][1]) / len(byc[k][1]) - po["by_class"][k]["resolution_rate"]) < 6e-5)
             for k in byc), "%s: CSAT and resolution by how the AI reply was used as planted" % week)
    t.is_({k: sum(klass(v) == k for v in convs.values()) for k in csat_all}, pl["conversations_by_class"],
          "%s: conversations by class as planted" % week)
    prev_convs = set(convs)

# the signals
wa = [planted[w]["channels"]["whatsapp"] for w in ("2026-W46", "2026-W47")]
p0, p1 = wa[0]["accepted"] / wa[0]["suggestions"], wa[1]["accepted"] / wa[1]["suggestions"]
pp = (wa[0]["accepted"] + wa[1]["accepted"]) / (wa[0]["suggestions"] + wa[1]["suggestions"])
z = (p1 - p0) / math.sqrt(pp * (1 - pp) * (1 / wa[0]["suggestions"] + 1 / wa[1]["suggestions"]))
t.ok(p1 - p0 <= -0.08 and z <= -3.5, "W47: WhatsApp acceptance drops %.3f -> %.3f (z %.1f)" % (p0, p1, z))
t.ok(all(abs(planted[w]["channels"]["whatsapp"]["acceptance"] - planted[w]["channels"]["chat"]["acceptance"]) < 0.03
         for w in ("2026-W44", "2026-W45", "2026-W46")), "W44..W46: WhatsApp and web chat accept alike")
r46, r47 = planted["2026-W46"]["usage_by_prompt"], planted["2026-W47"]["usage_by_prompt"]
t.ok(r47["returns"]["latency_p50"] >= 1.4 * r46["returns"]["latency_p50"]
     and r47["returns"]["latency_p95"] > r46["returns"]["latency_p95"]
     and r47["returns"]["cost_per_used"] >= 3 * r46["returns"]["cost_per_used"],
     "W47: returns slower (p50 %d -> %d ms) and dearer per used reply (%.5f -> %.5f)"
     % (r46["returns"]["latency_p50"], r47["returns"]["latency_p50"], r46["returns"]["cost_per_used"],
        r47["returns"]["cost_per_used"]))
t.ok(all(abs(r47[p]["latency_p50"] / r46[p]["latency_p50"] - 1) < 0.1 for p in r47 if p != "returns"),
     "W47: the other prompts' median latency within 10 % of W46")
tw = welch_t(csat_all["as_is"], csat_all["edited"])
t.ok(tw >= 4 and sum(csat_all["not_used"]) / len(csat_all["not_used"]) < sum(csat_all["edited"]) / len(csat_all["edited"]),
     "all weeks: CSAT as is %.2f > after edits %.2f (Welch t %.1f) > not used %.2f (n %d)"
     % tuple([sum(csat_all[k]) / len(csat_all[k]) for k in ("as_is", "edited")] + [tw]
             + [sum(csat_all["not_used"]) / len(csat_all["not_used"]), len(csat_all["not_used"])]))
t.ok(sum(resolved_all["as_is"]) / len(resolved_all["as_is"]) > sum(resolved_all["not_used"]) / len(resolved_all["not_used"]),
     "all weeks: resolved more often when a reply was sent as is")

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
