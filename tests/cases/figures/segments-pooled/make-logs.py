#!/usr/bin/python3
"""Writes logs/p.jsonl for the segments-pooled case (NOTES.md)."""
import json

lines = []
n = 0
# (channel, accepted, rejected): every channel under 30 suggestions, no week before
for ch, acc, rej in (("chat", 10, 10), ("email", 4, 16), ("phone", 3, 2), (None, 6, 4)):
    for a, k in (("accepted", acc), ("rejected", rej)):
        for _ in range(k):
            n += 1
            ev = {"type": "suggestion", "id": "q%03d" % n, "ts": "2026-11-17T10:%02d:%02dZ" % (n // 60, n % 60),
                  "ai_reply": "reply", "action": a}
            if ch:
                ev["channel"] = ch
            lines.append(json.dumps(ev))
with open("logs/p.jsonl", "w") as f:
    f.write("\n".join(lines) + "\n")
