#!/usr/bin/python3
"""The digest's retraining preview (report.retrain_preview) is computed from
what run's ingest read: its corrections, prompt updates and the positions of
the week's suggestions at their ids' last occurrences, reading only those
lines again. It must be the plan `retrain --dry-run` makes reading the logs
itself, on data where every shortcut would show: a duplicated id whose
later occurrence is in the week, or in the next week; a suggestion of the
week before repeated in the week; a suggestion corrected twice (the last
correction counts); prompt updates of the same time in two files (the later
line counts); the archive's deltas file (which retrain does not read); bad
and blank lines; a gzip file; --jobs 1 and 2."""
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

WEEK = "2026-W47"  # Monday 2026-11-16
A = "Your parcel left our warehouse this morning and arrives within two working days."
B = "We have booked a courier for your return; the driver comes between nine and noon."
C = "Your voucher code is valid for twelve months and works in every shop of ours."
E = "We are looking into it."
E1 = "I have asked the carrier to call you today before delivering the parcel."
E2 = "The carrier will phone you this afternoon and agree a delivery slot with you."
F = "Please restart the router and wait five minutes before trying again."
G = "Your refund is on its way and reaches your card within five business days."

n = [0]


def sug(reply, action, customer, prompt="shipping", day=17, sid=None, month=11):
    n[0] += 1
    return {"type": "suggestion", "id": sid or "s%d" % n[0],
            "ts": "2026-%02d-%02dT%02d:%02d:00Z" % (month, day, 8 + n[0] % 10, n[0] % 60),
            "ai_reply": reply, "action": action, "customer_message": customer, "prompt_id": prompt,
            "prompt_version": "v3", "confidence": 0.8}


plain, gz = [], []
# A: accepted four times; a1 comes again later in the week, rejected (that one counts)
for k in range(4):
    plain.append(sug(A, "accepted", "where is my parcel %d" % k, sid="a%d" % k))
# B: accepted three times, but b2 comes again in the next week: two uses in this one
for k in range(3):
    plain.append(sug(B, "accepted", "return pickup %d" % k, sid="b%d" % k))
# C: d0 of the week before comes again in the week; with d1, d2 three uses
plain.append(sug(C, "accepted", "voucher?", sid="d0", day=10))
plain.append(sug(C, "accepted", "voucher valid? 1", sid="d1"))
plain.append(sug(C, "accepted", "voucher valid? 2", sid="d2"))
# F: used four times, but the latest update of the prompt removed it
for k in range(4):
    plain.append(sug(F, "accepted", "internet down %d" % k))
# G (refunds): an update removed it, a later line of the same time did not
for k in range(4):
    plain.append(sug(G, "accepted", "refund when %d" % k, prompt="refunds"))
plain.append(sug(E, "edited", "call me before delivery", sid="e0"))
plain.append({"type": "correction", "suggestion_id": "e0", "ts": "2026-11-18T10:00:00Z", "corrected_reply": E1})
plain.append({"type": "correction", "suggestion_id": "s-old", "ts": "2026-11-12T10:00:00Z", "corrected_reply": E1})
plain.append({"type": "prompt_update", "ts": "2026-11-01T00:00:00Z", "prompt_id": "shipping",
              "from_version": "v2", "to_version": "v3", "examples_removed": [F]})
plain.append({"type": "prompt_update", "ts": "2026-11-02T00:00:00Z", "prompt_id": "refunds",
              "from_version": "v2", "to_version": "v3", "examples_removed": [G]})
# enough plain accepted replies to keep the week's rejection rate low
for k in range(30):
    plain.append(sug("Thanks for writing about order %s; it is on its way." % chr(65 + k % 26) * (1 + k // 26),
                     "accepted", "order question %d" % k))
lines = [json.dumps(e, ensure_ascii=False) for e in plain]
lines.insert(5, "{not json")
lines.insert(9, "   ")
# the second file: the repeats, the later correction, the update of the same time
gz.append(sug(A, "rejected", "where is my parcel 1 again", sid="a1", day=19))
gz.append(sug(B, "accepted", "return pickup 2 again", sid="b2", day=24))
gz.append(sug(C, "accepted", "voucher? again", sid="d0", day=18))
gz.append({"type": "correction", "suggestion_id": "e0", "ts": "2026-11-19T10:00:00Z", "corrected_reply": E2})
gz.append({"type": "prompt_update", "ts": "2026-11-02T00:00:00Z", "prompt_id": "refunds",
           "from_version": "v3", "to_version": "v4"})

tmp = t.tmpdir()
logs = os.path.join(tmp, "logs")
os.makedirs(logs)
with open(os.path.join(logs, "a.jsonl"), "w") as f:
    f.write("\n".join(lines) + "\n")
with gzip.open(os.path.join(logs, "b.jsonl.gz"), "wt") as f:
    for e in gz:
        f.write(json.dumps(e, ensure_ascii=False) + "\n")


def seed(out):
    os.makedirs(os.path.join(out, "training"), exist_ok=True)
    # the archive's deltas: run reads them for the figures, retrain does not
    with open(os.path.join(out, "training", "deltas.jsonl"), "w") as f:
        f.write(json.dumps({"type": "prompt_update", "ts": "2026-11-16T00:00:00Z", "prompt_id": "shipping",
                            "from_version": "v3", "to_version": "v3", "examples_removed": [A]}) + "\n")


def plan_text(plan):
    """retrain_plan_text (retrain/retrain.c) of a plan, for texts without control characters."""
    out = []

    def lines_of(arr, mark):
        for x in arr or []:
            src = x.get("source") if mark == "x" else None
            pre = "QA correction not added: " if src == "corrected" else "not added: " if src else ""
            out.append('  %s "%s"\n      %s%s\n' % (mark, x.get("reply", ""), pre, x.get("reason", "")))

    for p in plan:
        if not p["changed"]:
            out.append("%s: no change\n" % p["prompt_id"])
            lines_of(p.get("not_added"), "x")
            continue
        out.append("%s %s -> %s: +%d -%d examples\n" % (p["prompt_id"], p.get("from_version") or "(new)",
                                                       p.get("to_version", ""), len(p.get("added") or []),
                                                       len(p.get("removed") or [])))
        lines_of(p.get("added"), "+")
        lines_of(p.get("removed"), "-")
        lines_of(p.get("not_added"), "x")
    return "".join(out)


ref = os.path.join(tmp, "ref")
seed(ref)
r = t.run(["retrain", "--dry-run", "--week", WEEK, "--logs", logs, "--out", ref])
t.is_(r.returncode, 0, "retrain --dry-run exits 0") or t.diag(r.stderr)
want = r.stdout
t.ok("+ \"%s\"" % A in want and "+ \"%s\"" % C in want and "+ \"%s\"" % E2 in want and "+ \"%s\"" % G in want,
     "the reference adds A (the deltas are not retrain's), C, the last correction and G")
t.ok(B not in want and E1 not in want and "+ \"%s\"" % F not in want, "and not B, the first correction nor F")
t.ok("accepted: 3 uses of 4 suggestions" in want, "A counts its id's later, rejected occurrence")

reports = []
for jobs in ("1", "2"):
    out = os.path.join(tmp, "run" + jobs)
    seed(out)
    r = t.run(["run", "--offline", "--week", WEEK, "--logs", logs, "--out", out, "--jobs", jobs])
    t.is_(r.returncode, 0, "run --jobs %s exits 0" % jobs) or t.diag(r.stderr)
    with open(os.path.join(out, WEEK, "report.json"), encoding="utf-8") as f:
        text = f.read()
    reports.append(text)
    t.is_(plan_text(json.loads(text)["retrain_preview"]), want,
          "--jobs %s: the preview is retrain --dry-run's plan" % jobs)
t.ok(reports[0] == reports[1], "report.json is the same for --jobs 1 and 2")
sys.exit(t.done())
