#!/usr/bin/python3
"""aidigest retrain: prompt examples, deltas, the fine-tuning set, and the
digest of the next week explaining the deltas; retrain --request tags."""
import calendar
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402


def epoch(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def sug(i, ts, reply, action, customer="where is my refund?", final=None, prompt="refunds", version="v2"):
    e = {"type": "suggestion", "id": i, "ts": ts, "ai_reply": reply, "action": action,
         "customer_message": customer, "prompt_id": prompt, "prompt_version": version, "confidence": 0.8}
    if final is not None:
        e["final_reply"] = final
    return e


A = "Your refund was issued today and reaches your card within 5 business days."
B = "Refunds take a while, please be patient."
C = "I have refunded the full amount today; you will see it within 5 business days."
D = "Sorry, we cannot refund this order."
E = "Refunds are processed within 10-14 business days after the item reaches our warehouse."
lines = [
    sug("a1", "2026-11-16T09:00:00Z", A, "accepted", customer="refund please, mail me at jane.doe@example.com"),
    sug("a2", "2026-11-16T10:00:00Z", A, "accepted", customer="refund status?"),
    sug("a3", "2026-11-17T10:00:00Z", A, "accepted", customer="refund status?"),
    sug("a4", "2026-11-18T10:00:00Z", A, "edited", customer="when is my refund coming",
        final="Your refund was issued today; it reaches your card within 5 business days."),
    sug("b1", "2026-11-16T11:00:00Z", B, "rejected", final="Let me check that for you."),
    sug("b2", "2026-11-17T11:00:00Z", B, "rejected"),
    sug("b3", "2026-11-18T11:00:00Z", B, "rejected"),
    sug("b4", "2026-11-19T11:00:00Z", B, "accepted", customer="refund?"),
    sug("c1", "2026-11-19T12:00:00Z", D, "rejected", customer="can I get my money back", final="no refund"),
    sug("d1", "2026-11-20T12:00:00Z", D, "accepted", customer="refund for order 12"),
    sug("d1", "2026-11-20T13:00:00Z", D, "rejected", customer="refund for order 12"),
    sug("i1", "2026-11-20T14:00:00Z", A, "ignored", customer="hello?"),
    {"type": "correction", "suggestion_id": "c1", "ts": "2026-11-21T09:00:00Z", "corrected_reply": C, "by": "qa"},
    # an update of the week removed E as outdated: neither QA's correction
    # back to it (with a sign-off added) nor agents accepting it bring it back
    {"type": "prompt_update", "ts": "2026-11-16T08:00:00Z", "prompt_id": "refunds", "from_version": "v1",
     "to_version": "v2", "examples_removed": [E]},
    sug("x1", "2026-11-19T15:00:00Z", D, "rejected", customer="old policy?", final="no"),
    sug("x2", "2026-11-19T16:00:00Z", E, "accepted", customer="how long do refunds take"),
    sug("x3", "2026-11-19T17:00:00Z", E, "accepted", customer="how long do refunds take"),
    sug("x4", "2026-11-19T18:00:00Z", E, "accepted", customer="how long do refunds take"),
    {"type": "correction", "suggestion_id": "x1", "ts": "2026-11-21T10:00:00Z", "corrected_reply": E + " Have a nice day!"},
]
tmp = t.tmpdir()
logs = os.path.join(tmp, "logs")
out = os.path.join(tmp, "out")
os.makedirs(logs)
os.makedirs(os.path.join(out, "prompts"))
with open(os.path.join(logs, "w47.jsonl"), "w") as f:
    for e in lines:
        f.write(json.dumps(e) + "\n")
with open(os.path.join(out, "prompts", "refunds.json"), "w") as f:
    json.dump({"prompt_id": "refunds", "version": "v2", "examples": [
        {"reply": B, "source": "accepted", "uses": 9},
        {"reply": "Thanks for waiting!", "source": "accepted", "uses": 3}]}, f)

env = {"SOURCE_DATE_EPOCH": str(epoch("2026-11-24T12:00:00Z"))}
r = t.run(["retrain", "--week", "2026-W47", "--logs", logs, "--out", out], env=env)
t.is_(r.returncode, 0, "retrain exits 0")
t.ok("refunds v2 -> v3: +2 -1 examples" in r.stderr, "stderr names the prompt's change")
t.ok("1 of 1 prompts updated" in r.stderr, "stderr sums up")

p = json.load(open(os.path.join(out, "prompts", "refunds.json")))
t.is_(p["version"], "v3", "the changed prompt gets the next version")
t.is_(p["week"], "2026-W47", "the prompt file names the week")
t.is_([(e["reply"], e["source"]) for e in p["examples"]],
      [("Thanks for waiting!", "accepted"), (C, "corrected"), (A, "accepted")],
      "kept the example not rejected, removed the rejected one, added the correction then the accepted reply")
t.is_(p["examples"][2]["uses"], 4, "uses of the accepted reply: accepted + edited")
t.close(p["examples"][2]["acceptance"], 0.6, "acceptance of the accepted reply (3 of 5 suggestions)", 1e-6)

d = [json.loads(x) for x in open(os.path.join(out, "training", "deltas.jsonl"))]
t.is_(len(d), 1, "one delta")
t.is_({k: d[0][k] for k in ("type", "prompt_id", "from_version", "to_version", "ts")},
      {"type": "prompt_update", "prompt_id": "refunds", "from_version": "v2", "to_version": "v3",
       "ts": "2026-11-24T12:00:00Z"}, "the delta is a prompt_update event")
t.is_(d[0]["examples_added"], [C, A], "examples_added")
t.is_(d[0]["examples_removed"], [B], "examples_removed")

ft = [json.loads(x) for x in open(os.path.join(out, "training", "finetune-2026-W47.jsonl"))]
pairs = [(m["messages"][1]["content"], m["messages"][2]["content"]) for m in ft]
t.ok(all(m["messages"][0]["role"] == "system" and m["messages"][1]["role"] == "user" and
         m["messages"][2]["role"] == "assistant" for m in ft), "every example is system, user, assistant")
t.is_(pairs, [
    ("refund please, mail me at [email]", A),
    ("refund status?", A),
    ("when is my refund coming", "Your refund was issued today; it reaches your card within 5 business days."),
    ("refund?", B),
    ("can I get my money back", C),
], "accepted, edited (final reply) and corrected (QA's reply) pairs, once each, duplicate id resolved, e-mail masked")
t.ok("jane.doe" not in open(os.path.join(out, "training", "finetune-2026-W47.jsonl")).read(),
     "no personal data in the fine-tuning set")

r = t.run(["retrain", "--week", "2026-W47", "--logs", logs, "--out", out], env=env)
t.is_(r.returncode, 0, "a second retrain of the same week exits 0")
t.ok("0 of 1 prompts updated" in r.stderr, "and changes nothing")
t.is_(len(open(os.path.join(out, "training", "deltas.jsonl")).readlines()), 1, "no second delta")
t.is_(json.load(open(os.path.join(out, "prompts", "refunds.json")))["version"], "v3", "version unchanged")

# the next week's digest explains the delta
with open(os.path.join(logs, "w48.jsonl"), "w") as f:
    for k, (ts, act) in enumerate([("2026-11-23T09:00:00Z", "rejected"), ("2026-11-24T09:00:00Z", "rejected"),
                                    ("2026-11-24T13:00:00Z", "accepted"), ("2026-11-25T09:00:00Z", "accepted"),
                                    ("2026-11-26T09:00:00Z", "rejected")]):
        f.write(json.dumps(sug("n%d" % k, ts, A, act, version="v3")) + "\n")
r = t.run(["run", "--offline", "--week", "2026-W48", "--logs", logs, "--out", out], env=env)
t.is_(r.returncode, 0, "the next week's run exits 0")
rep = json.load(open(os.path.join(out, "2026-W48", "report.json")))
t.is_(len(rep["retraining"]), 1, "its digest lists the retraining delta")
rt = rep["retraining"][0] if rep["retraining"] else {}
t.is_((rt.get("prompt_id"), rt.get("from_version"), rt.get("to_version")), ("refunds", "v2", "v3"), "the delta's prompt and versions")
t.is_(rt.get("impact", {}).get("before", {}).get("suggestions"), 2, "impact: 2 suggestions before the update")
t.is_(rt.get("impact", {}).get("after", {}).get("accepted"), 2, "impact: 2 of 3 accepted after")
t.ok("refunds" in rep["narrative"]["self_summary"], "the self-summary explains the adjustment")

# --request: tag the archive's HEAD
r = t.run(["run", "--offline", "--week", "2026-W47", "--logs", logs, "--out", out, "--publish"], env=env)
t.is_(r.returncode, 0, "publishing the archive exits 0")
r = t.run(["retrain", "--request", "--week", "2026-W47", "--out", out], env=env)
t.is_(r.returncode, 0, "retrain --request exits 0")
tags = subprocess.run(["git", "-C", out, "tag", "--list", "retrain/*"], capture_output=True, text=True).stdout.split()
t.is_(tags, ["retrain/2026-W47"], "the archive has the tag retrain/2026-W47")
head = subprocess.run(["git", "-C", out, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
tagged = subprocess.run(["git", "-C", out, "rev-parse", "retrain/2026-W47^{commit}"], capture_output=True, text=True).stdout.strip()
t.is_(tagged, head, "on HEAD")

r = t.run(["retrain", "--week", "2026-W47", "--logs", os.path.join(tmp, "nope"), "--out", out], env=env)
t.is_(r.returncode, 2, "a missing --logs path is a usage error")
t.ok(r.stderr.count("\n") == 1 and "nope" in r.stderr, "with one line naming it")
sys.exit(t.done())
