#!/usr/bin/python3
"""Writes logs/s.jsonl for the segments case (NOTES.md describes it)."""
import json

LIGHT = "one two three four five six seven eight nine ten"
LIGHT_FINAL = "one two three four five six seven eight nine eleven"  # 1 of 10 words: light
HEAVY_FINAL = "a wholly different answer"                            # 10 of 10: not light
lines = []
seq = [0]


def put(day, channel, prompt, version, action, conf=None, final=None, agent="a1"):
    seq[0] += 1
    n = seq[0]
    ev = {"type": "suggestion", "id": "s%04d" % n,
          "ts": "%sT%02d:%02d:00Z" % (day, (n // 60) % 24, n % 60),
          "ai_reply": LIGHT if action == "edited" else "reply %d" % (n % 7), "action": action,
          "agent_id": agent}
    if channel:
        ev["channel"] = channel
    if prompt:
        ev["prompt_id"] = prompt
    if version:
        ev["prompt_version"] = version
    if conf is not None:
        ev["confidence"] = conf
    if final:
        ev["final_reply"] = final
    lines.append(json.dumps(ev))


CUR, PREV = "2026-11-18", "2026-11-11"
# chat / refunds: this week 120 accepted, 30 edited (20 light, 10 not), 50 rejected;
# confidence 0.6 on even rows, 0.8 on odd ones; versions v2 (even) and v1 (odd)
acts = ["accepted"] * 120 + ["edited"] * 30 + ["rejected"] * 50
for i, a in enumerate(acts):
    fin = (LIGHT_FINAL if i < 140 else HEAVY_FINAL) if a == "edited" else None
    put(CUR, "chat", "refunds", "v2" if i % 2 == 0 else "v1", a, 0.6 if i % 2 == 0 else 0.8, fin)
# the week before: 118 accepted, 32 edited (16 light), 50 rejected; 0.5 / 0.7
acts = ["accepted"] * 118 + ["edited"] * 32 + ["rejected"] * 50
for i, a in enumerate(acts):
    fin = (LIGHT_FINAL if i < 134 else HEAVY_FINAL) if a == "edited" else None
    put(PREV, "chat", "refunds", "v1", a, 0.5 if i % 2 == 0 else 0.7, fin)
# email / billing v3: 30 accepted, 20 edited (no final_reply), 50 rejected; before 55/20/25
for a, k in (("accepted", 30), ("edited", 20), ("rejected", 50)):
    for _ in range(k):
        put(CUR, "email", "billing", "v3", a)
for a, k in (("accepted", 55), ("edited", 20), ("rejected", 25)):
    for _ in range(k):
        put(PREV, "email", "billing", "v3", a)
# phone / returns (no version): 22 accepted, 18 rejected; nothing the week before
for a, k in (("accepted", 22), ("rejected", 18)):
    for _ in range(k):
        put(CUR, "phone", "returns", None, a)
# sms and fax / tiny v1: 8 + 1 accepted of 20 + 5; sms the week before 5 of 10
for a, k in (("accepted", 8), ("rejected", 12)):
    for _ in range(k):
        put(CUR, "sms", "tiny", "v1", a)
for a, k in (("accepted", 1), ("rejected", 4)):
    for _ in range(k):
        put(CUR, "fax", "tiny", "v1", a)
for a, k in (("accepted", 5), ("rejected", 5)):
    for _ in range(k):
        put(PREV, "sms", "tiny", "v1", a)
# no channel, no prompt: 14 accepted, 21 rejected
for a, k in (("accepted", 14), ("rejected", 21)):
    for _ in range(k):
        put(CUR, None, None, None, a)
with open("logs/s.jsonl", "w") as f:
    f.write("\n".join(lines) + "\n")
