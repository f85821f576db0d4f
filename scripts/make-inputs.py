#!/usr/bin/python3
"""make-inputs.py - build the sample logs in inputs/ from two public corpora.

    /usr/bin/python3 scripts/make-inputs.py [CORPORA] [--out DIR] [--fixture FILE]

CORPORA is the folder holding cucom-ecommerce/ and abcd-sample/ (default
../shared/data relative to the repository root). Writes into DIR (default
inputs/ of the repository):

    2026-W44.jsonl.gz 2026-W45.jsonl.gz 2026-W46.jsonl.gz
    2026-W47-1.jsonl.gz   (Monday .. Friday of W47)
    2026-W47-2.jsonl      (Saturday + Sunday of W47, plain, no final newline)
    planted.json          (what was planted and the figures the generator expects)

and FILE (default tests/fixtures/abcd-pii.jsonl): redaction test sentences.

Standard library only. Fully deterministic: one seeded random.Random drives
every choice of the suggestions, corrections and the rest, a second one
(EXTRA_SEED) every addition of issue 15 (channels, model and usage fields,
outcome events) so that those left the earlier draws alone; input is
iterated in sorted order and gzip members carry mtime 0 and no file name,
so re-running gives byte-identical files (with the same zlib). The corpora
are NOT part of the repository: the outputs are committed and this script
only runs when a developer regenerates them.
See inputs/README.md for what the sample contains.
"""
import argparse
import datetime as dt
import gzip
import json
import math
import os
import re
import sys

import random

SEED = 20261123
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UTC = dt.timezone.utc

WEEKS = [  # (name, monday)
    ("2026-W44", dt.datetime(2026, 10, 26, tzinfo=UTC)),
    ("2026-W45", dt.datetime(2026, 11, 2, tzinfo=UTC)),
    ("2026-W46", dt.datetime(2026, 11, 9, tzinfo=UTC)),
    ("2026-W47", dt.datetime(2026, 11, 16, tzinfo=UTC)),
]
CONVS_PER_WEEK = 640
# Share of "delay" conversations drawn, relative to their share in the corpus:
# low in the first three weeks, high in W47 (the rising topic).
DELAY_WEIGHT = {"2026-W44": 0.45, "2026-W45": 0.5, "2026-W46": 0.45, "2026-W47": 3.2}
# Model confidence drifts down in W47 (added to every confidence of the week).
CONF_OFFSET = {"2026-W44": 0.0, "2026-W45": 0.002, "2026-W46": -0.011, "2026-W47": -0.07}

# Prompt versions and the updates between them (ts in UTC).
PROMPT_UPDATES = [
    {"type": "prompt_update", "ts": "2026-11-12T10:05:00Z", "prompt_id": "shipping",
     "from_version": "v2", "to_version": "v3", "theme": "delivery delays",
     "summary": "Delay replies now quote the courier status and a concrete delivery window "
                "instead of a generic 'on its way' apology.",
     "examples_added": [
         "I'm sorry your delivery is delayed. I have checked with our courier partner: your package is "
         "at the local hub and is now scheduled for delivery within 2 days. I will share the tracking "
         "link by e-mail."],
     "examples_removed": [
         "We apologize for the delay. Your order is on its way and will be delivered soon. Thank you for "
         "your patience and understanding, we appreciate your cooperation in this matter."]},
    {"type": "prompt_update", "ts": "2026-11-18T14:30:00.000Z", "prompt_id": "refunds",
     "from_version": "v3", "to_version": "v4", "theme": "refund requests",
     "summary": "Refund replies state that the refund was initiated and the 5-7 business day window; "
                "the outdated 10-14 day warehouse policy example was removed.",
     "examples_added": [
         "I have checked your order and your refund of the full amount was initiated today. It will reach "
         "your original payment method within 5-7 business days, and you will receive a confirmation "
         "e-mail once it is processed.",
         "Your refund has already been initiated. It should reach your account within 5-7 business days."],
     "examples_removed": [
         "Your refund request has been noted. Refunds are processed within 10-14 business days after the "
         "returned item reaches our warehouse. Please check your bank statement after that period."]},
]
BASE_VERSION = {"refunds": "v3", "shipping": "v2", "returns": "v5", "account": "v2", "general": "v1"}
PROMPT_QUALITY = {("refunds", "v3"): -0.12, ("refunds", "v4"): 0.1, ("shipping", "v2"): -0.04,
                  ("shipping", "v3"): 0.04}

TOPIC_KW = [  # priority order for ties
    ("refunds", ["refund", "charged twice", "double charge", "charged", "money back", "reimburse"]),
    ("shipping", ["deliver", "delay", "shipping", "tracking", "courier", "dispatch", "shipped", "not arrived"]),
    ("returns", ["return", "replace", "exchange", "damaged", "broken", "defective", "wrong item",
                 "wrong size", "scratch"]),
    ("account", ["account", "password", "login", "log in", "otp", "sign in", "profile"]),
]

# ---------------------------------------------------------------- canned replies
# An assistant that repeats itself: each family is one reply the model keeps
# producing with small surface variations. quality drives acceptance.
CANNED = {
    "welcome": (0.92, "You're welcome! Is there anything else I can help you with today? If not, thank you "
                "for shopping with us, and have a wonderful day ahead."),
    "order_id": (0.85, "I'm sorry to hear about this. Could you please share your order ID (it starts with 3 "
                 "digits, for example 402-1234567-1234567) so that I can look into this for you right away?"),
    "hold": (0.88, "Thank you for the details. Please allow me 2 minutes while I check the status of your "
             "order in our system. I will be right back with an update."),
    "refund_v3": (0.12, "Your refund request has been noted. Refunds are processed within 10-14 business days "
                  "after the returned item reaches our warehouse. Please check your bank statement after "
                  "that period."),
    "refund_v4": (0.86, "I have checked your order and your refund of the full amount was initiated today. It "
                  "will reach your original payment method within 5-7 business days, and you will receive a "
                  "confirmation e-mail once it is processed."),
    "delay_v2": (0.22, "We apologize for the delay. Your order is on its way and will be delivered soon. Thank "
                 "you for your patience and understanding, we appreciate your cooperation in this matter."),
    "delay_v3": (0.8, "I'm sorry your delivery is delayed. I have checked with our courier partner: your "
                 "package is at the local hub and is now scheduled for delivery within 2 days. I will share "
                 "the tracking link by e-mail."),
    "return_label": (0.8, "I have initiated a return for this item. A prepaid return label has been sent to "
                     "your registered e-mail address; please pack the item securely and our courier will pick "
                     "it up within 48 hours."),
    "replacement": (0.6, "I completely understand your frustration. We can arrange a free replacement for the "
                    "damaged item. The replacement will be dispatched once our team verifies the photos you "
                    "share with us."),
    "cancellation": (0.62, "I can help you cancel this order. Since it has not been shipped yet, the "
                     "cancellation will be processed immediately and any amount paid will be refunded to your "
                     "original payment method."),
    "account_reset": (0.8, "For your security, I have sent a password reset link to the e-mail address "
                      "registered on your account. The link is valid for 24 hours; please check your spam "
                      "folder if you do not see it."),
    "escalation": (0.16, "I have escalated your concern to the relevant team and they will get back to you "
                   "within 24-48 hours. We appreciate your patience and apologize for any inconvenience "
                   "caused."),
    "policy_refusal": (0.1, "As per our policy, we are unable to process this request at the moment. Please "
                       "refer to the terms and conditions on our website for more information regarding this "
                       "matter."),
    "closing": (0.66, "Thank you for contacting our customer support. I hope I was able to resolve your "
                "concern today. Have a great day, and please do not hesitate to reach out again if you need "
                "anything."),
}
# What agents wrote instead when they threw a bad canned reply away.
REPLACEMENTS = {
    "refund_v3": ["Your refund has already been initiated. It should reach your account within 5-7 business days.",
                  "I can see the refund was initiated on our side. Please allow 5-7 business days for your bank to show it.",
                  "The refund is processed as soon as the courier picks the item up, you do not have to wait for the warehouse."],
    "delay_v2": ["Let me check the exact status with our courier team and share the tracking details with you.",
                 "I have checked the tracking: the package is delayed at the sorting centre. I will update you as soon as it moves."],
    "escalation": ["Let me look into this right now so you do not have to wait.",
                   "I will handle this myself. Give me a moment to check your order."],
    "policy_refusal": ["Let me see what options we have for you.",
                       "I understand. Let me check what I can do for you here."],
}
SWAPS = [("You're", "You are"), ("I'm", "I am"), ("do not", "don't"), ("apologize", "apologise"),
         ("wonderful", "great"), ("right away", "immediately"), ("e-mail", "email"), ("securely", "safely"),
         ("concern", "issue"), ("Please", "Kindly"), ("completely", "totally"), ("soon", "shortly")]
DIGIT_SWAPS = [("2 minutes", "5 minutes"), ("48 hours", "24 hours"), ("24-48", "48-72"), ("5-7", "3-5"),
               ("10-14", "7-10"), ("2 days", "3 days"), ("24 hours", "12 hours"), ("402-1234567", "171-7654321")]


def norm(s):
    """The contract's normalisation: lower-case, digit runs -> #, white space runs -> one space."""
    s = re.sub(r"[0-9]+", "#", s.lower())
    return re.sub(r"\s+", " ", s).strip()


def toks_ws(s):
    return norm(s).split(" ") if norm(s) else []


def toks_alnum(s):
    return [t for t in re.split(r"[^0-9a-z\x80-\U0010ffff]+", norm(s)) if t]


def jacc(a, b):
    a, b = set(a), set(b)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def shingles(toks):
    return [" ".join(toks[i:i + 3]) for i in range(max(1, len(toks) - 2))]


def shingle_j(a, b):
    """Word-3-shingle Jaccard under both plausible tokenisations (the lower one)."""
    return min(jacc(shingles(toks_ws(a)), shingles(toks_ws(b))),
               jacc(shingles(toks_alnum(a)), shingles(toks_alnum(b))))


def word_j(a, b):
    """(low, high) word-set Jaccard over the two tokenisations."""
    x = jacc(toks_ws(a), toks_ws(b))
    y = jacc(toks_alnum(a), toks_alnum(b))
    return min(x, y), max(x, y)


def make_variants(rng, base):
    """Up to 10 surface variants of a canned reply, all pairwise near-duplicates."""
    out = [base]
    ops = ["lower", "upper", "punct", "space", "digit", "swap", "emoji", "trail"]
    tries = 0
    while len(out) < 10 and tries < 200:
        tries += 1
        s = base
        for op in rng.sample(ops, 2):
            if op == "lower":
                s = s[0].lower() + s[1:]
            elif op == "upper":
                w = s.split(" ", 1)
                s = w[0].upper() + " " + w[1]
            elif op == "punct":
                s = s[:-1] + ("!" if s.endswith(".") else ".") if s[-1] in ".?!" else s + "."
            elif op == "space":
                i = [m.start() for m in re.finditer(" ", s)]
                k = i[rng.randrange(len(i))]
                s = s[:k] + "  " + s[k + 1:]
            elif op == "digit":
                for a, b in DIGIT_SWAPS:
                    if a in s:
                        s = s.replace(a, b, 1)
                        break
            elif op == "swap":
                cand = [(a, b) for a, b in SWAPS if a in s] + [(b, a) for a, b in SWAPS if b in s]
                if cand:
                    a, b = cand[rng.randrange(len(cand))]
                    s = s.replace(a, b, 1)
            elif op == "emoji":
                s = s + " 🙂"
            elif op == "trail":
                s = s + " "
        if s in out:
            continue
        if all(shingle_j(s, o) >= 0.8 for o in out):
            out.append(s)
    return out


# ---------------------------------------------------------------- helpers
def pick(rng, items, weights=None):
    if weights is None:
        return items[rng.randrange(len(items))]
    t = sum(weights) * rng.random()
    acc = 0.0
    for it, w in zip(items, weights):
        acc += w
        if t < acc:
            return it
    return items[-1]


def clamp(x, lo=0.0, hi=1.0):
    return lo if x < lo else hi if x > hi else x


def fmt_ts(t, style, offset_min=0):
    """RFC 3339 text for the UTC instant t in one of the exporters' styles."""
    if style == "Zms":
        return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (t.microsecond // 1000)
    if style == "Z":
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    loc = t.astimezone(dt.timezone(dt.timedelta(minutes=offset_min)))
    sign = "+" if offset_min >= 0 else "-"
    off = "%s%02d:%02d" % (sign, abs(offset_min) // 60, abs(offset_min) % 60)
    if style == "offus":
        return loc.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d" % loc.microsecond + off
    return loc.strftime("%Y-%m-%dT%H:%M:%S") + off


def dumps(obj, ascii_=False):
    return json.dumps(obj, ensure_ascii=ascii_, separators=(",", ":"))


# ---------------------------------------------------------------- corpora
def load_cucom(path):
    convs = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            turns = [(t["role"].lower(), t["content"]) for t in c["turns"]]
            convs.append((c["id"], turns))
    convs.sort(key=lambda c: c[0])
    return convs


def classify(turns):
    user = [t for r, t in turns if r == "user"]
    best, best_score = "general", 0
    for topic, kws in TOPIC_KW:
        score = 0
        for i, m in enumerate(user):
            ml = m.lower()
            if any(k in ml for k in kws):
                score += 3 if i == 0 else 1
        if score > best_score:
            best, best_score = topic, score
    return best


def is_delay(turns):
    return any("delay" in t.lower() for r, t in turns if r == "user")


THANKS_RE = re.compile(r"\b(thanks|thank you|thank u|thx|ty)\b", re.I)
ORDER_RE = re.compile(r"\d{3}-\d{5,7}-\d{5,7}")

EMOJI = ["😡", "😡😡😡", "🙏", "🙏🙏", "😭😭", "👍🏽", "❤️", "🤬", "📦❓", "👨‍👩‍👧", "🇮🇳", "😂😂😂😂",
         "🤦‍♀️", "⏰", "💸💸", "🙄", "😤", "✅", "🚚💨", "🥲"]


def emojify(rng, msg):
    """Make a customer message emoji-heavy (3 to 8 emoji in places)."""
    parts = msg.split(" ")
    for _ in range(1 + rng.randrange(4)):
        k = rng.randrange(len(parts) + 1)
        parts.insert(k, pick(rng, EMOJI))
    return " ".join(parts) + " " + pick(rng, EMOJI) + pick(rng, EMOJI)


def edit_reply(rng, s):
    """What an agent does to a suggestion before sending it."""
    ops = rng.sample(["greet", "append", "cut", "digit", "swap"], 1 + (rng.random() < 0.35))
    for op in ops:
        if op == "greet":
            s = pick(rng, ["Hi there, ", "Hello, ", "Hi! ", "Dear customer, "]) + s[0].lower() + s[1:]
        elif op == "append":
            s = s.rstrip() + " " + pick(rng, ["Sorry again for the inconvenience.",
                                               "Let me know if you have any other questions.",
                                               "Thanks for your patience.",
                                               "I have also added a note to your order.",
                                               "You will get an SMS as soon as it is updated."])
        elif op == "cut":
            sent = re.split(r"(?<=[.!?])\s+", s.strip())
            if len(sent) >= 2:
                s = " ".join(sent[:-1])
        elif op == "digit":
            s = re.sub(r"\b\d+\b", lambda m: str(int(m.group()) + 1), s, count=1)
        elif op == "swap":
            cand = [(a, b) for a, b in SWAPS if a in s] + [(b, a) for a, b in SWAPS if b in s]
            if cand:
                a, b = pick(rng, cand)
                s = s.replace(a, b, 1)
    return s


# ---------------------------------------------------------------- the world
def make_agents(rng):
    agents = []
    sites = [("US", -300), ("EU", 60), ("IN", 330), ("UK", 0)]
    for i in range(1, 37):
        site, off = pick(rng, sites, [0.3, 0.25, 0.35, 0.1])
        agents.append({
            "id": "agent-%03d" % (100 + i * 17 % 97),
            "site": site, "offset": off,
            "email": i > 28,
            "bias": rng.gauss(0, 0.07),
            "edit": 0.12 + 0.25 * rng.random(),
            "ignore": 0.02 + 0.09 * rng.random(),
            "volume": math.exp(rng.gauss(0, 0.5)),
            "offset_share": 0.2 + 0.3 * rng.random(),
        })
    return agents


HOUR_W = [2, 1.5, 1, 1, 1.5, 3, 5, 7, 9, 10, 10, 9.5, 9, 9.5, 10, 10, 9.5, 8.5, 7, 6, 5, 4, 3, 2.5]
DAY_W = [1.18, 1.1, 1.06, 1.0, 0.94, 0.48, 0.36]
LOCALES = (["en-IN", "en-US", "en-GB", "en-CA", "en-AU", "hi-IN", "de-DE"],
           [0.4, 0.3, 0.14, 0.05, 0.05, 0.04, 0.02])


def version_at(prompt, t):
    v = BASE_VERSION[prompt]
    for u in PROMPT_UPDATES:
        if u["prompt_id"] == prompt and t >= parse_ts(u["ts"]):
            v = u["to_version"]
    return v


def parse_ts(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC)


def choose_reply(rng, ctx, prompt, version, turn_idx, msg, corpus_reply):
    """Return (family or None, ai_reply text, quality)."""
    ml = msg.lower()
    w = {}
    if THANKS_RE.search(msg) and len(msg.split()) <= 22:
        w["welcome"], w["closing"] = 0.62, 0.16
    elif turn_idx == 0:
        if not ORDER_RE.search(msg):
            w["order_id"] = 0.32
        w["hold"] = 0.12
    if "refund" in ml or "charged" in ml:
        w["refund_v3" if (prompt, version) == ("refunds", "v3") else "refund_v4"] = \
            0.40 if prompt == "refunds" else 0.12
    if ("deliver" in ml or "delay" in ml) and prompt == "shipping":
        w["delay_v2" if version == "v2" else "delay_v3"] = 0.30
    if "return" in ml or "replace" in ml:
        w["return_label"], w["replacement"] = 0.16, 0.10
    if prompt == "account" and ("account" in ml or "password" in ml or "login" in ml):
        w["account_reset"] = 0.28
    if "cancel" in ml:
        w["cancellation"] = 0.25
    w["escalation"] = 0.035
    w["policy_refusal"] = 0.025
    w["hold"] = w.get("hold", 0.025)
    tot = sum(w.values())
    r = rng.random()
    if r < min(tot, 0.8):
        fams = sorted(w)
        fam = pick(rng, fams, [w[f] for f in fams])
        var = ctx["variants"][fam]
        text = pick(rng, var, [6.0] + [1.0] * (len(var) - 1))
        return fam, text, CANNED[fam][0]
    n = len(corpus_reply.split())
    q = 0.72 - (0.1 if n > 55 else 0) - (0.06 if n < 6 else 0)
    return None, corpus_reply, q


def decide(rng, agent, channel, q):
    ign = agent["ignore"] + (0.03 if channel == "email" else 0)
    if rng.random() < ign:
        return "ignored"
    e = agent["edit"] + (0.12 if channel == "email" else 0)
    r = rng.random()
    if r < q * (1 - e):
        return "accepted"
    if r < q + (1 - q) * 0.35:
        return "edited"
    return "rejected"


def confidence(rng, q, week, prompt):
    c = 0.40 + 0.48 * q + rng.gauss(0, 0.11) + CONF_OFFSET[week]
    if prompt == "refunds":
        c += 0.05  # over-confident on refunds: the calibration gap
    c = clamp(c)
    r = rng.random()
    if r < 0.25:
        c = round(c, 2)
    elif r < 0.3:
        c = round(c, 6)
    else:
        c = round(c, 3)
    if c in (0.0, 1.0) and rng.random() < 0.5:
        return int(c)
    return c


def sample_week(rng, week, monday, pool, ctx):
    """Draw this week's conversations (without replacement across weeks) and
    turn them into suggestion records (dicts, in UTC, with helper keys)."""
    keys = []
    for cid in sorted(pool):
        turns, topic, delay = pool[cid]
        w = DELAY_WEIGHT[week] if delay else 1.0
        keys.append((rng.random() ** (1.0 / w), cid))
    keys.sort(reverse=True)
    chosen = sorted(cid for _, cid in keys[:CONVS_PER_WEEK])
    for cid in chosen:
        del pool[cid]
    sugg = []
    end = monday + dt.timedelta(days=7)
    for cid in chosen:
        turns, topic, delay = ctx["convs"][cid]
        channel = "email" if rng.random() < 0.22 else "chat"
        agents = [a for a in ctx["agents"] if a["email"] == (channel == "email")]
        agent = pick(rng, agents, [a["volume"] for a in agents])
        locale = pick(rng, *LOCALES)
        day = pick(rng, list(range(7)), DAY_W)
        hour = pick(rng, list(range(24)), HOUR_W)
        t = monday + dt.timedelta(days=day, hours=hour, seconds=rng.randrange(3600),
                                  microseconds=rng.randrange(1000000))
        user_idx = 0
        for i, (role, text) in enumerate(turns):
            if role != "user":
                continue
            if i > 0:
                t += dt.timedelta(seconds=20 + rng.randrange(240)) if channel == "chat" else \
                    dt.timedelta(minutes=40 + rng.randrange(600), seconds=rng.randrange(60))
            nxt = [x for r, x in turns[i + 1:] if r == "agent"]
            ui, user_idx = user_idx, user_idx + 1
            if not nxt or (i + 1 < len(turns) and turns[i + 1][0] != "agent"):
                continue
            ts = t + dt.timedelta(seconds=2 + rng.random() * 6)
            if ts >= end:
                break
            if rng.random() < 0.07:
                continue  # no suggestion shown for this turn
            sugg.append({"_t": ts, "_cid": cid, "_ui": ui, "_topic": topic, "_agent": agent,
                         "_channel": channel, "_locale": locale, "_msg": text, "_next": nxt,
                         "_delay": delay})
    sugg.sort(key=lambda s: (s["_t"], s["_cid"], s["_ui"]))
    return sugg


def build_week(rng, week, monday, pool, ctx):
    sugg = sample_week(rng, week, monday, pool, ctx)
    wk = week.replace("-", "").lower()
    events = []  # (sort time, seq, obj or raw bytes)
    finals = {}
    for n, s in enumerate(sugg):
        prompt = s["_topic"]
        version = version_at(prompt, s["_t"])
        msg = s["_msg"]
        if rng.random() < 0.02:
            msg = emojify(rng, msg)
        corpus_reply = s["_next"][0]
        fam, ai, q = choose_reply(rng, ctx, prompt, version, s["_ui"], msg, corpus_reply)
        q = clamp(q + PROMPT_QUALITY.get((prompt, version), 0) + s["_agent"]["bias"], 0.02, 0.98)
        action = decide(rng, s["_agent"], s["_channel"], q)
        sid = "sg-%s-%05d" % (wk, n + 1)
        ev = {"type": "suggestion", "id": sid}
        a = s["_agent"]
        if rng.random() < a["offset_share"]:
            ev["ts"] = fmt_ts(s["_t"], "offus" if rng.random() < 0.3 else "off", a["offset"])
        else:
            ev["ts"] = fmt_ts(s["_t"], "Zms" if rng.random() < 0.8 else "Z")
        ev.update({"conversation_id": "cucom-" + s["_cid"], "agent_id": a["id"], "channel": s["_channel"],
                   "locale": s["_locale"], "prompt_id": prompt, "prompt_version": version,
                   "customer_message": msg, "ai_reply": ai})
        r = rng.random()
        if r < 0.03:
            ev["confidence"] = None
        elif r >= 0.05:
            ev["confidence"] = confidence(rng, q, week, prompt)
        ev["action"] = action
        if action == "edited":
            f = edit_reply(rng, ai)
            ev["final_reply"] = f if f != ai else ai + " Thanks!"
        elif action == "rejected":
            if fam in REPLACEMENTS and rng.random() < 0.65:
                reps = REPLACEMENTS[fam]
                ev["final_reply"] = pick(rng, reps, [5] + [1] * (len(reps) - 1))
            elif fam is not None:
                ev["final_reply"] = corpus_reply
            elif len(s["_next"]) > 1 and rng.random() < 0.6:
                ev["final_reply"] = s["_next"][1]
            else:
                ev["final_reply"] = pick(rng, ["Let me check this with the team and get back to you shortly.",
                                               "Could you share a photo of the item so I can check?",
                                               "I am checking this for you now, one moment please."])
            if rng.random() < 0.03:
                del ev["final_reply"]  # the export lost it
        elif action == "accepted" and rng.random() < 0.4:
            ev["final_reply"] = ai
        events.append([s["_t"], n, ev])
        finals[sid] = ev
    return sugg, events, finals


def plant_duplicates(rng, events, count):
    """Earlier copies of some suggestions (shown as 'ignored' first; the agent
    decided later): the later line wins. Returns the number of duplicates."""
    cands = [e for e in events if isinstance(e[2], dict) and e[2].get("type") == "suggestion"
             and e[2]["action"] != "ignored"]
    chosen = sorted(rng.sample(range(len(cands)), count))
    for k in chosen:
        e = cands[k]
        early = dict(e[2])
        early["action"] = "ignored"
        early.pop("final_reply", None)
        # the update is exported a few minutes after the first line
        e[0] = e[0] + dt.timedelta(minutes=3 + rng.randrange(20))
        events.append([e[0] - dt.timedelta(minutes=3), -1, early])
    return count


def tweak(rng, s):
    return s.rstrip() + " " + pick(rng, ["We are sorry for the trouble.", "Thank you for your patience.",
                                          "Please let us know if there is anything else."])


def plant_corrections(rng, week, monday, events, finals):
    """QA review corrections: ordinary ones, ones that vindicate the AI, orphans."""
    end = monday + dt.timedelta(days=7)
    sugg = sorted(finals.values(), key=lambda e: e["id"])
    stats = {"corrections": 0, "vindicated": 0, "orphans": 0}
    reviewers = ["qa-anita", "qa-brian", "qa-chen", "qa-dolores"]

    def add(ev_s, corrected, reason):
        t = parse_ts(ev_s["ts"]) + dt.timedelta(hours=1 + rng.randrange(40), seconds=rng.randrange(3600))
        if t >= end:
            t = end - dt.timedelta(minutes=1 + rng.randrange(300))
        t = max(t, parse_ts(ev_s["ts"]) + dt.timedelta(seconds=30))
        c = {"type": "correction", "suggestion_id": ev_s["id"], "ts": fmt_ts(t, "Z"),
             "corrected_reply": corrected, "by": pick(rng, reviewers), "reason": reason}
        events.append([t, 0, c])
        stats["corrections"] += 1

    def vindicates(e, corr):
        if e["action"] not in ("edited", "rejected") or "final_reply" not in e:
            return None
        lo_ai, hi_ai = word_j(corr, e["ai_reply"])
        lo_f, hi_f = word_j(corr, e["final_reply"])
        lo_af, hi_af = word_j(e["ai_reply"], e["final_reply"])
        if lo_ai >= 0.7 and hi_f <= 0.45 and hi_af <= 0.45:
            return True
        if hi_ai <= 0.45 or lo_f >= 0.75:
            return False
        return None  # too close to the threshold: do not use

    order = list(range(len(sugg)))
    rng.shuffle(order)
    n_vind, n_plain, n_acc = 7 + rng.randrange(4), 20 + rng.randrange(8), 3
    used = set()
    for k in order:
        e = sugg[k]
        if n_vind and e["action"] == "rejected" and "final_reply" in e:
            corr = tweak(rng, e["ai_reply"])
            if vindicates(e, corr) is True:
                add(e, corr, "QA review: the suggested reply was right")
                stats["vindicated"] += 1
                n_vind -= 1
                used.add(e["id"])
                continue
        if n_plain and e["action"] in ("edited", "rejected") and "final_reply" in e:
            corr = tweak(rng, e["final_reply"])
            if vindicates(e, corr) is False:
                add(e, corr, pick(rng, ["tone", "missing apology", "policy wording", "customer follow-up"]))
                n_plain -= 1
                used.add(e["id"])
                continue
        if n_acc and e["action"] == "accepted":
            add(e, tweak(rng, e["ai_reply"]), "customer follow-up")
            n_acc -= 1
            used.add(e["id"])
        if not (n_vind or n_plain or n_acc):
            break
    for i in range(3):  # corrections of suggestions that are not in the logs
        t = monday + dt.timedelta(days=1 + 2 * i, hours=9 + i, minutes=rng.randrange(60))
        c = {"type": "correction", "suggestion_id": "sg-%s-9%04d" % (week.replace("-", "").lower(), 17 + i * 311),
             "ts": fmt_ts(t, "Zms"), "corrected_reply": pick(rng, REPLACEMENTS["escalation"]), "by": "qa-brian"}
        events.append([t, 0, c])
        stats["corrections"] += 1
        stats["orphans"] += 1
    return stats


def plant_unknown(rng, monday, events, finals, n):
    ids = sorted(finals)
    for i in range(n):
        e = finals[ids[rng.randrange(len(ids))]]
        t = parse_ts(e["ts"]) + dt.timedelta(minutes=10)
        if t >= monday + dt.timedelta(days=7):
            t = parse_ts(e["ts"])
        events.append([t, 0, {"type": "feedback", "ts": fmt_ts(t, "Z"), "conversation_id": e["conversation_id"],
                              "csat": 1 + rng.randrange(5), "comment": pick(rng, ["", "quick answer", "bot was useless",
                                                                                  "👍", "took too long"])}])
    return n


def bad_lines(week):
    """The planted bad lines of W47: (kind, bytes) each with exactly one defect."""
    base = {"type": "suggestion", "id": "", "ts": "2026-11-18T11:02:03Z", "conversation_id": "cucom-bad",
            "agent_id": "agent-113", "channel": "chat", "locale": "en-US", "prompt_id": "general",
            "prompt_version": "v1", "customer_message": "where is my order??", "confidence": 0.5,
            "ai_reply": "Let me check that for you.", "action": "accepted"}

    def v(i, **kw):
        d = dict(base, id="sg-2026w47-bad%02d" % i)
        for k, val in kw.items():
            if val is KeyError:
                del d[k]
            else:
                d[k] = val
        return d

    deep = {"type": "suggestion", "id": "sg-2026w47-bad09"}
    deep.update({k: base[k] for k in ("ts", "ai_reply", "action")})
    nest = "x"
    for _ in range(40):
        nest = [nest]
    deep["meta"] = nest
    out = [
        ("invalid_json", dumps(v(1))[:-40].encode()),  # truncated export
        ("invalid_json", b"{'type': 'suggestion', 'id': 'sg-2026w47-bad02', 'action': 'accepted'}"),
        ("invalid_utf8", dumps(v(3, customer_message="caf\udcff")).encode("utf-8", "surrogateescape")),
        ("missing_field", dumps(v(4, action=KeyError)).encode()),
        ("missing_field", dumps({"type": "correction", "suggestion_id": "sg-2026w47-00010",
                                 "ts": "2026-11-19T08:00:00Z", "by": "qa-chen"}).encode()),
        ("wrong_type", dumps(v(5, ai_reply=12345)).encode()),
        ("confidence_range", dumps(v(6, confidence=1.5)).encode()),
        ("unknown_action", dumps(v(7, action="maybe")).encode()),
        ("bad_time", dumps(v(8, ts="2026-11-18 25:61 yesterday")).encode()),
        ("not_object", dumps([v(10)]).encode()),
        ("too_deep", dumps(deep).encode()),
    ]
    return out


# ---------------------------------------------------------------- channels, cost, outcomes (issue 15)
# Everything below draws from its own random.Random (EXTRA_SEED), never from
# the main one, so the suggestions, actions, confidences and every figure the
# earlier sections planted are the same draw for draw; these only add fields,
# relabel some chat conversations as WhatsApp ones and add outcome events.
EXTRA_SEED = 20261124
# Chat conversations that came in through WhatsApp (the rest is the web chat).
WHATSAPP_SHARE = 0.25
# W47: the WhatsApp acceptance drop. Which chat conversations are WhatsApp ones
# is drawn that week with a weight on how their suggestions fared (share
# accepted, whatsapp_weight), so the channel's acceptance drops while the
# week's own figures stay exactly as they were (inputs/README.md says so).
WHATSAPP_DROP_WEEK = "2026-W47"
# Models: USD per million tokens (input, output), time to first token (ms) and
# ms per output token. The team's default, a larger one and the fallback used
# when the primary does not answer within FALLBACK_AFTER_MS.
MODELS = {
    "gpt-4o-mini": (0.15, 0.60, 380, 11.0),
    "gpt-4o": (2.50, 10.00, 620, 22.0),
    "claude-3-5-haiku": (0.80, 4.00, 450, 14.0),
}
PRIMARY_MODEL = {"refunds": "gpt-4o"}  # the others: gpt-4o-mini
FALLBACK_MODEL, FALLBACK_SHARE, FALLBACK_AFTER_MS = "claude-3-5-haiku", 0.015, 2500
# W47: the returns prompt was moved to the larger model (a deployment change,
# no prompt_update): slower and dearer per used reply.
MODEL_SWITCH = {"prompt_id": "returns", "ts": "2026-11-17T09:00:00Z", "model": "gpt-4o"}
# System prompt size in tokens per prompt version (examples make it longer).
PROMPT_TOKENS = {("general", "v1"): 520, ("refunds", "v3"): 910, ("refunds", "v4"): 1010,
                 ("shipping", "v2"): 760, ("shipping", "v3"): 845, ("returns", "v5"): 880,
                 ("account", "v2"): 640}
NO_USAGE_SHARE = 0.01  # suggestions logged by an old client: none of the five fields
NO_COST_SHARE = 0.006  # usage logged, the price lookup failed: no cost
# Outcome events (post-conversation survey and ticket status), by how the
# conversation's AI replies were used (conversation_class): the
# chance of an outcome event, of its csat being answered (unhappy customers
# answer more often), of the conversation being resolved, and the mean CSAT.
OUTCOME_SHARE = {"as_is": 0.7, "edited": 0.9, "not_used": 0.95}
CSAT_ANSWERED = {"as_is": 0.65, "edited": 0.85, "not_used": 0.85}
RESOLVED_SHARE = {"as_is": 0.86, "edited": 0.74, "not_used": 0.45}
CSAT_BASE = {"as_is": 4.0, "edited": 3.3, "not_used": 2.3}
RESOLVED_MISSING = 0.12
TOPIC_CSAT = {"refunds": -0.35, "shipping": -0.15, "returns": -0.1, "account": 0.1, "general": 0.15}


def tokens(rng2, text, factor=1.0):
    """Plausible token count of a text: about 4 characters a token."""
    return max(1, int(round(len(text) / 4.0 * factor * rng2.uniform(0.92, 1.08))))


def whatsapp_weight(acc_share):
    """The chance that a W47 chat conversation is a WhatsApp one."""
    return clamp(WHATSAPP_SHARE + 1.0 * (0.46 - acc_share), 0.02, 0.95)


def plant_channels(rng2, week, finals):
    """Relabel some chat conversations as WhatsApp (channel only). Outside the
    drop week the WhatsApp ones are drawn by minimisation (as in a balanced
    trial: a conversation that would move WhatsApp's running acceptance away
    from the chat conversations' own is drawn less often), so the two channels
    do not differ by the chance of which conversations each got (a
    conversation's suggestions fare alike, which makes plain draws differ by
    several points); in the drop week each is drawn with whatsapp_weight."""
    convs = {}
    for e in finals.values():
        convs.setdefault(e["conversation_id"], []).append(e)
    chat = []
    for cid in sorted(convs):
        evs = convs[cid]
        if evs[0]["channel"] == "chat":
            chat.append((sum(e["action"] == "accepted" for e in evs), len(evs), cid))
    chosen = []
    if week == WHATSAPP_DROP_WEEK:
        chosen = [cid for a, n, cid in chat if rng2.random() < whatsapp_weight(a / n)]
    else:
        target = sum(a for a, _, _ in chat) / sum(n for _, n, _ in chat)
        rng2.shuffle(chat)
        acc = num = 0
        for a, n, cid in chat:
            gap = acc / num - target if num else 0.0
            worse = (a / n - target) * gap > 0
            if rng2.random() < (0.4 - 0.3 * worse) * WHATSAPP_SHARE / 0.25:
                chosen.append(cid)
                acc, num = acc + a, num + n
    for cid in chosen:
        for e in convs[cid]:
            e["channel"] = "whatsapp"


def model_for(prompt, t):
    if prompt == MODEL_SWITCH["prompt_id"] and t >= parse_ts(MODEL_SWITCH["ts"]):
        return MODEL_SWITCH["model"]
    return PRIMARY_MODEL.get(prompt, "gpt-4o-mini")


def plant_usage(rng2, week, sugg, finals, ctx):
    """model, latency_ms, tokens_in, tokens_out, cost on every suggestion (a
    few lack them), in the order of the suggestions."""
    wk = week.replace("-", "").lower()
    for n, s in enumerate(sugg):
        ev = finals["sg-%s-%05d" % (wk, n + 1)]
        r = rng2.random()
        if r < NO_USAGE_SHARE:
            continue
        model = model_for(ev["prompt_id"], s["_t"])
        fallback = rng2.random() < FALLBACK_SHARE
        if fallback:
            model = FALLBACK_MODEL
        pin, pout, ttft, per_tok = MODELS[model]
        factor = 1.1 if model.startswith("claude") else 1.0
        turns = ctx["convs"][s["_cid"]][0]
        users = [i for i, (role, _) in enumerate(turns) if role == "user"]
        hist = turns[:users[s["_ui"]]]
        t_in = PROMPT_TOKENS[(ev["prompt_id"], ev["prompt_version"])] + \
            sum(4 + tokens(rng2, x, factor) for _, x in hist) + 4 + tokens(rng2, ev["customer_message"], factor)
        t_out = tokens(rng2, ev["ai_reply"], factor) + 1
        lat = ttft * math.exp(rng2.gauss(0, 0.25)) + t_out * per_tok * math.exp(rng2.gauss(0, 0.12)) + 0.04 * t_in
        if rng2.random() < 0.015:
            lat *= rng2.uniform(2.0, 4.5)  # the slow tail
        if fallback:
            lat += FALLBACK_AFTER_MS
        cost = (t_in * pin + t_out * pout) / 1e6
        items = list(ev.items())
        k = [key for key, _ in items].index("prompt_version") + 1
        items.insert(k, ("model", model))
        items += [("latency_ms", int(round(lat))), ("tokens_in", t_in), ("tokens_out", t_out)]
        if rng2.random() >= NO_COST_SHARE:
            items.append(("cost", round(cost, 8)))
        ev.clear()
        ev.update(items)


def plant_outcomes(rng2, week, monday, sugg, finals):
    """Outcome events for most conversations, after their last suggestion.
    Returns (events of this week, events that fall into the next week)."""
    end = monday + dt.timedelta(days=7)
    wk = week.replace("-", "").lower()
    convs = {}
    for n, s in enumerate(sugg):
        ev = finals["sg-%s-%05d" % (wk, n + 1)]
        c = convs.setdefault(ev["conversation_id"], {"last": s["_t"], "evs": [], "topic": s["_topic"]})
        c["last"] = max(c["last"], s["_t"])
        c["evs"].append(ev)
    here, later = [], []
    for cid in sorted(convs):
        c = convs[cid]
        evs = c["evs"]
        cls = conversation_class(evs)
        if rng2.random() >= OUTCOME_SHARE[cls]:
            continue
        used = sum(e["action"] in ("accepted", "edited") for e in evs) / len(evs)
        if evs[0]["channel"] == "email":
            t = c["last"] + dt.timedelta(minutes=30 + rng2.random() * 600)
        else:
            t = c["last"] + dt.timedelta(minutes=3 + rng2.random() * 117)
        t = t.replace(microsecond=rng2.randrange(1000) * 1000)
        o = {"type": "outcome", "ts": fmt_ts(t, "Zms" if rng2.random() < 0.3 else "Z"), "conversation_id": cid}
        latent = CSAT_BASE[cls] + 0.5 * (used - 0.7) + TOPIC_CSAT[c["topic"]] + rng2.gauss(0, 0.9)
        csat = int(clamp(round(latent), 1, 5))
        resolved = rng2.random() < RESOLVED_SHARE[cls]
        if rng2.random() < CSAT_ANSWERED[cls]:
            o["csat"] = csat
        if rng2.random() >= RESOLVED_MISSING:
            o["resolved"] = resolved
        (here if t < end else later).append([t, 0, o])
    for _ in range(3 + rng2.randrange(3)):  # conversations the assistant never saw (phone)
        t = monday + dt.timedelta(days=rng2.randrange(7), hours=8 + rng2.randrange(12),
                                  seconds=rng2.randrange(3600))
        o = {"type": "outcome", "ts": fmt_ts(t, "Z"), "conversation_id": "cucom-call_%05d" % rng2.randrange(100000),
             "csat": 1 + rng2.randrange(5), "resolved": rng2.random() < 0.7}
        here.append([t, 0, o])
    return here, later


# ---------------------------------------------------------------- figures
def week_figures(finals, corrections_stats, updates, monday, prev=None):
    conf = [e["confidence"] for e in finals.values() if isinstance(e.get("confidence"), (int, float))]
    acts = {a: 0 for a in ("accepted", "edited", "rejected", "ignored")}
    for e in finals.values():
        acts[e["action"]] += 1
    n = len(finals)
    hist = [0] * 20
    for c in conf:
        hist[min(int(math.floor(c * 20)), 19)] += 1
    f = {"suggestions": n, **acts,
         "acceptance": round(acts["accepted"] / n, 4),
         "confidence_n": len(conf), "confidence_mean": round(sum(conf) / len(conf), 4),
         "histogram": hist}
    f.update(corrections_stats)
    imp = []
    for u in updates:
        ut = parse_ts(u["ts"])
        b = [e for e in finals.values() if e["prompt_id"] == u["prompt_id"] and parse_ts(e["ts"]) < ut]
        a = [e for e in finals.values() if e["prompt_id"] == u["prompt_id"] and parse_ts(e["ts"]) >= ut]
        imp.append({"prompt_id": u["prompt_id"], "ts": u["ts"], "before_n": len(b), "after_n": len(a),
                    "acceptance_before": round(sum(e["action"] == "accepted" for e in b) / len(b), 4),
                    "acceptance_after": round(sum(e["action"] == "accepted" for e in a) / len(a), 4)})
    f["prompt_updates"] = imp
    if prev:
        p = [max(h / sum(hist), 1e-4) for h in hist]
        q = [max(h / sum(prev["histogram"]), 1e-4) for h in prev["histogram"]]
        f["confidence_delta"] = round(f["confidence_mean"] - prev["confidence_mean"], 4)
        f["psi"] = round(sum((a - b) * math.log(a / b) for a, b in zip(p, q)), 4)
        ca = cb = ks = 0.0
        for a, b in zip(hist, prev["histogram"]):
            ca += a / sum(hist)
            cb += b / sum(prev["histogram"])
            ks = max(ks, abs(ca - cb))
        f["ks"] = round(ks, 4)
    return f


PLANTED_DEFINITIONS = {
    "channels": "per channel: distinct suggestions of the week (last occurrence wins), accepted, "
                "acceptance = accepted / suggestions",
    "usage_by_prompt": "per prompt_id (usage_by_model: per model) over the distinct suggestions that have the "
                       "field: latency_p50 / latency_p95 and tokens_*_p50 by nearest rank (the smallest value "
                       "with at least p of the values at or below it); cost_total = sum of cost; used_priced = "
                       "accepted + edited among those with a cost; cost_per_used = cost_total / used_priced",
    "usage_missing": "distinct suggestions without latency_ms (nor model, tokens, cost); cost_missing: without cost",
    "conversations_by_class": "conversations of the week's distinct suggestions: as_is when any suggestion was "
                              "accepted, else edited when any was edited, else not_used",
    "outcomes": "outcome events in the week's files (every one inside the week); joined = its conversation has "
                "suggestions in the same week, unknown_conversation = the others: from_previous_week (answered "
                "after their conversation's week ended) and without_suggestions (cucom-call_*, never seen by the "
                "assistant); by_class over the joined ones: csat_mean of those with csat, resolution_rate of those "
                "with resolved; not_in_sample = outcomes after the last week, left out",
}


def nearest_rank(vals, p):
    """The p-quantile by nearest rank: the ceil(p * n)-th smallest value."""
    v = sorted(vals)
    return v[max(0, int(math.ceil(p * len(v))) - 1)]


def usage_figures(evs):
    """Latency, tokens and cost of a set of suggestions (planted.json's definitions)."""
    lat = [e["latency_ms"] for e in evs if "latency_ms" in e]
    priced = [e for e in evs if "cost" in e]
    used = sum(e["action"] in ("accepted", "edited") for e in priced)
    total = sum(e["cost"] for e in priced)
    return {"suggestions": len(evs), "latency_n": len(lat),
            "latency_p50": nearest_rank(lat, 0.5), "latency_p95": nearest_rank(lat, 0.95),
            "tokens_in_p50": nearest_rank([e["tokens_in"] for e in evs if "tokens_in" in e], 0.5),
            "tokens_out_p50": nearest_rank([e["tokens_out"] for e in evs if "tokens_out" in e], 0.5),
            "cost_n": len(priced), "cost_total": round(total, 6), "used_priced": used,
            "cost_per_used": round(total / used, 8) if used else None}


def conversation_class(evs):
    acts = set(e["action"] for e in evs)
    return "as_is" if "accepted" in acts else "edited" if "edited" in acts else "not_used"


def extra_figures(finals, outcomes):
    """The planted expectations of the issue-15 figures for one week."""
    f = {}
    ch = {}
    for e in finals.values():
        c = ch.setdefault(e["channel"], [0, 0])
        c[0] += 1
        c[1] += e["action"] == "accepted"
    f["channels"] = {k: {"suggestions": n, "accepted": a, "acceptance": round(a / n, 4)}
                     for k, (n, a) in sorted(ch.items())}
    for key, name in (("prompt_id", "usage_by_prompt"), ("model", "usage_by_model")):
        groups = {}
        for e in finals.values():
            if key in e:
                groups.setdefault(e[key], []).append(e)
        f[name] = {k: usage_figures(v) for k, v in sorted(groups.items())}
    f["usage_missing"] = sum("latency_ms" not in e for e in finals.values())
    f["cost_missing"] = sum("cost" not in e for e in finals.values())
    convs = {}
    for e in finals.values():
        convs.setdefault(e["conversation_id"], []).append(e)
    f["conversations"] = len(convs)
    f["conversations_by_class"] = {k: sum(conversation_class(v) == k for v in convs.values())
                                   for k in ("as_is", "edited", "not_used")}
    cls = {"as_is": [[], []], "edited": [[], []], "not_used": [[], []]}
    joined = 0
    for o in outcomes:
        evs = convs.get(o["conversation_id"])
        if evs is None:
            continue
        joined += 1
        c = cls[conversation_class(evs)]
        if "csat" in o:
            c[0].append(o["csat"])
        if "resolved" in o:
            c[1].append(o["resolved"])
    f["outcomes"] = {
        "events": len(outcomes), "joined": joined, "unknown_conversation": len(outcomes) - joined,
        "with_csat": sum("csat" in o for o in outcomes), "with_resolved": sum("resolved" in o for o in outcomes),
        "by_class": {k: {"csat_n": len(c[0]), "csat_mean": round(sum(c[0]) / len(c[0]), 4) if c[0] else None,
                         "resolved_n": len(c[1]),
                         "resolution_rate": round(sum(c[1]) / len(c[1]), 4) if c[1] else None}
                     for k, c in sorted(cls.items())}}
    return f


def two_prop_z(k1, n1, k2, n2):
    p = (k1 + k2) / (n1 + n2)
    return (k1 / n1 - k2 / n2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))


def check_signals(planted):
    """The issue-15 signals must be there, clearly, whatever the seed did."""
    w = planted["weeks"]
    a, b = w["2026-W46"]["channels"]["whatsapp"], w["2026-W47"]["channels"]["whatsapp"]
    z = two_prop_z(b["accepted"], b["suggestions"], a["accepted"], a["suggestions"])
    assert z < -4 and b["acceptance"] - a["acceptance"] <= -0.1, ("whatsapp drop", a, b, z)
    for wk in ("2026-W44", "2026-W45", "2026-W46"):
        c = w[wk]["channels"]
        assert abs(c["whatsapp"]["acceptance"] - c["chat"]["acceptance"]) < 0.015, (wk, c)
    r46, r47 = w["2026-W46"]["usage_by_prompt"]["returns"], w["2026-W47"]["usage_by_prompt"]["returns"]
    assert r47["latency_p50"] > 1.4 * r46["latency_p50"] and r47["cost_per_used"] > 5 * r46["cost_per_used"], \
        (r46, r47)
    pooled = {}
    for wk in w:
        bc = w[wk]["outcomes"]["by_class"]
        assert bc["as_is"]["csat_mean"] - bc["edited"]["csat_mean"] >= 0.4, (wk, bc)
        for k, c in bc.items():
            p = pooled.setdefault(k, [0, 0])
            p[0] += c["csat_n"]
            p[1] += (c["csat_mean"] or 0) * c["csat_n"]
    assert pooled["not_used"][0] >= 5 and pooled["not_used"][1] / pooled["not_used"][0] < \
        pooled["edited"][1] / pooled["edited"][0] - 0.5, pooled


def term_counts(finals):
    counts = {}
    for e in finals.values():
        terms = set(t for t in re.split(r"[^0-9a-z\x80-\U0010ffff]+", e.get("customer_message", "").lower())
                    if len(t) >= 3 and not t.isdigit())
        for t in terms:
            counts[t] = counts.get(t, 0) + 1
    return counts


# ---------------------------------------------------------------- PII fixture
def make_fixture(path_json, out_path):
    with open(path_json, encoding="utf-8") as f:
        data = json.load(f)
    lines = []
    for c in sorted(data, key=lambda c: c["convo_id"]):
        p = c["scenario"]["personal"]
        o = c["scenario"]["order"]
        name = " ".join(w.capitalize() for w in p["customer_name"].split())
        first = name.split()[0]
        phone, email, oid = p.get("phone"), p.get("email"), o.get("order_id")
        # the customer's own turns that carry PII, verbatim
        for spk, text in c["original"]:
            if spk != "customer":
                continue
            pii = [x for x in (name, email, phone, oid) if x and x in text]
            if pii:
                lines.append({"text": text, "pii": pii})
        # realistic sentences built from the customer record
        digits = re.sub(r"\D", "", phone)
        alt_phone = "%s-%s-%s" % (digits[:3], digits[3:6], digits[6:])
        intl = "+1 %s %s %s" % (digits[:3], digits[3:6], digits[6:])
        s = [("Hi, this is %s. My phone number is %s if you need to call me back." % (name, phone), [name, phone]),
             ("You can reach me at %s or text %s after 5pm." % (email or "my email", alt_phone),
              [x for x in (email, alt_phone) if x]),
             ("My name is %s and I'm calling from %s about a late package." % (name, intl), [name, intl]),
             ("%s here 🙂 I never got a confirmation e-mail at %s" % (first, email), [first, email])
             if email else ("%s here 🙂 please call %s, not my old number" % (first, phone), [first, phone])]
        if oid:
            s += [("Order ID: %s. I was charged twice for it, please refund one charge to %s." % (oid, email),
                   [oid, email]),
                  ("Account has been pulled up for %s, order #%s, phone on file %s." % (name, oid, phone),
                   [name, oid, phone]),
                  ("could u check order %s?? the email on it is %s and my cell is %s" % (oid, email, alt_phone),
                   [oid, email, alt_phone])]
        lines += [{"text": t, "pii": p_} for t, p_ in s]
        # agent turns without PII (numbers that are not PII: days, amounts)
        for spk, text in c["original"]:
            if spk == "agent" and re.search(r"\d", text):
                lines.append({"text": text, "pii": []})
    lines.append({"text": "Please allow 5-7 business days; the code expires after 7 days.", "pii": []})
    for ln in lines:
        for x in ln["pii"]:
            assert x in ln["text"], (x, ln)
    with open(out_path, "w", encoding="utf-8") as f:
        for ln in lines:
            f.write(dumps(ln) + "\n")
    return len(lines)


# ---------------------------------------------------------------- main
def write_file(path, lines, compress, final_newline=True):
    data = b"\n".join(lines) + (b"\n" if final_newline else b"")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        if compress:
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as g:
                g.write(data)
        else:
            f.write(data)
    os.replace(tmp, path)


def encode(rng, ev):
    return dumps(ev, ascii_=rng.random() < 0.12).encode("utf-8")


def count_old(part):
    """Lines of a (line, is issue-15 addition) list that are not additions."""
    return sum(not x for _, x in part)


def insert_among(part, k, raw):
    """Insert raw before the k-th line that is not an addition (at the end if none)."""
    seen = 0
    for i, (_, x) in enumerate(part):
        if not x:
            if seen == k:
                part.insert(i, (raw, False))
                return
            seen += 1
    part.append((raw, False))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpora", nargs="?", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(ROOT, "inputs"))
    ap.add_argument("--fixture", default=os.path.join(ROOT, "tests", "fixtures", "abcd-pii.jsonl"))
    args = ap.parse_args(argv)
    cucom = os.path.join(args.corpora, "cucom-ecommerce", "conversations.jsonl.gz")
    abcd = os.path.join(args.corpora, "abcd-sample", "abcd_sample.json")
    for p in (cucom, abcd):
        if not os.path.exists(p):
            print("make-inputs: %s: not found (pass the corpora folder as argument)" % p, file=sys.stderr)
            return 2
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(SEED)
    rng2 = random.Random(EXTRA_SEED)  # issue 15's additions only (see plant_channels)
    ctx = {"agents": make_agents(rng), "convs": {}, "variants": {}}
    for fam in sorted(CANNED):
        ctx["variants"][fam] = make_variants(rng, CANNED[fam][1])
    fams = sorted(CANNED)
    for i, a in enumerate(fams):  # families must not merge with each other
        for b in fams[i + 1:]:
            assert shingle_j(CANNED[a][1], CANNED[b][1]) < 0.3, (a, b)
    for cid, turns in load_cucom(cucom):
        ctx["convs"][cid] = (turns, classify(turns), is_delay(turns))
    pool = dict(ctx["convs"])
    planted = {"generator": "scripts/make-inputs.py", "seed": SEED, "extra_seed": EXTRA_SEED, "weeks": {},
               "definitions": PLANTED_DEFINITIONS}
    prev = None
    carry = []  # outcomes answered after the end of their conversation's week
    for week, monday in WEEKS:
        sugg, events, finals = build_week(rng, week, monday, pool, ctx)
        plant_channels(rng2, week, finals)
        plant_usage(rng2, week, sugg, finals, ctx)
        here, later = plant_outcomes(rng2, week, monday, sugg, finals)
        outcomes = carry + here
        n_carry = len(carry)
        carry = later
        updates = [u for u in PROMPT_UPDATES if monday <= parse_ts(u["ts"]) < monday + dt.timedelta(days=7)]
        for u in updates:
            events.append([parse_ts(u["ts"]), 0, u])
        dups = plant_duplicates(rng, events, 14 + rng.randrange(8))
        cstats = plant_corrections(rng, week, monday, events, finals)
        unknown = plant_unknown(rng, monday, events, finals, 4 + rng.randrange(5))
        events.extend(outcomes)
        extra = set(id(o[2]) for o in outcomes)
        events.sort(key=lambda e: (e[0], e[1]))
        lines = [encode(rng2 if id(ev) in extra else rng, ev) for _, _, ev in events]
        bad = []
        if week == "2026-W47":
            # one cross-file duplicate: a Friday suggestion re-exported with the weekend file
            split = monday + dt.timedelta(days=5)
            fri = [i for i, e in enumerate(events) if e[0] < split and e[2].get("type") == "suggestion"
                   and e[2]["action"] == "ignored" and e[2]["id"] in finals and finals[e[2]["id"]] is e[2]]
            k = fri[-5]
            upd = dict(events[k][2], action="edited")
            upd["final_reply"] = edit_reply(rng, upd["ai_reply"])
            finals[upd["id"]] = upd
            dups += 1
            # the inserted lines go where they went before the outcome lines
            # existed: positions count the other lines only
            part1 = [(ln, id(ev) in extra) for (t, _, ev), ln in zip(events, lines) if t < split]
            part2 = [(ln, id(ev) in extra) for (t, _, ev), ln in zip(events, lines) if t >= split]
            insert_among(part2, 3, encode(rng, upd))
            bad = bad_lines(week)
            step = count_old(part1) // 10
            for i, (kind, raw) in enumerate(bad[:9]):
                insert_among(part1, step * (i + 1) + i, raw)
            insert_among(part2, count_old(part2) // 3, bad[9][1])
            insert_among(part2, 2 * count_old(part2) // 3, bad[10][1])
            part1, part2 = [ln for ln, _ in part1], [ln for ln, _ in part2]
            write_file(os.path.join(args.out, week + "-1.jsonl.gz"), part1, True)
            write_file(os.path.join(args.out, week + "-2.jsonl"), part2, False, final_newline=False)
            nlines = len(part1) + len(part2)
        else:
            write_file(os.path.join(args.out, week + ".jsonl.gz"), lines, True)
            nlines = len(lines)
        fig = week_figures(finals, cstats, updates, monday, prev)
        by_kind = {}
        for kind, _ in bad:
            by_kind[kind] = by_kind.get(kind, 0) + 1
        fig.update({"lines": nlines, "bad_lines": len(bad), "bad_by_kind": dict(sorted(by_kind.items())),
                    "duplicates": dups, "unknown_types": unknown,
                    "prompt_update_events": len(updates)})
        tc = term_counts(finals)
        fig["term_counts"] = {t: tc.get(t, 0) for t in ("delayed", "delay", "delivery", "refund")}
        fig.update(extra_figures(finals, [o[2] for o in outcomes]))
        fig["outcomes"]["from_previous_week"] = n_carry
        fig["outcomes"]["without_suggestions"] = fig["outcomes"]["unknown_conversation"] - n_carry
        fig["outcomes"]["not_in_sample"] = len(later) if week == WEEKS[-1][0] else 0
        planted["weeks"][week] = fig
        prev = fig
    for f in planted["weeks"].values():
        del f["histogram"]
    if os.environ.get("MAKE_INPUTS_NOCHECK") is None:
        check_signals(planted)
    with open(os.path.join(args.out, "planted.json"), "w", encoding="utf-8") as f:
        json.dump(planted, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    if args.fixture:
        os.makedirs(os.path.dirname(os.path.abspath(args.fixture)), exist_ok=True)
        make_fixture(abcd, args.fixture)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
