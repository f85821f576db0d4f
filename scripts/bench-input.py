#!/usr/bin/python3
"""Write a large synthetic week of logs for `make bench`.

Usage: bench-input.py OUT_FILE SUGGESTIONS [distinct]

Takes the week 2026-W47 of inputs/ (the committed sample, texts from the
cucom corpus) as a pattern and repeats it until SUGGESTIONS suggestion
events are written to OUT_FILE (one JSON Lines file):
  - every copy of a suggestion gets a fresh id (one in 20 repeats the id of
    an earlier one, so "last occurrence wins" and pass 2 have work);
  - the sample's corrections are repeated with each copy, referring to the
    copy's ids, and so is its feedback; its prompt updates are written once;
  - with "distinct", every ai_reply (and final_reply of an edit) gets a
    sentence of three words picked from the sample's vocabulary by the
    suggestion's number, so no two replies are the same, even normalised
    (digits alone would be normalised away).
Deterministic: the same arguments write the same bytes. Prints the number of
lines written and the number of distinct ai_reply texts.
"""
import gzip
import json
import os
import re
import sys


def load(root):
    events = []
    for name in sorted(os.listdir(os.path.join(root, "inputs"))):
        if not name.startswith("2026-W47"):
            continue
        path = os.path.join(root, "inputs", name)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as f:
            for line in f:
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                if isinstance(ev, dict) and isinstance(ev.get("type"), str):
                    events.append(ev)
    return events


def main():
    out, want = sys.argv[1], int(sys.argv[2])
    distinct = len(sys.argv) > 3 and sys.argv[3] == "distinct"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    events = load(root)
    sugg = [e for e in events if e["type"] == "suggestion" and isinstance(e.get("ai_reply"), str)
            and isinstance(e.get("id"), str)]
    corr = {}
    for e in events:
        if e["type"] == "correction" and isinstance(e.get("suggestion_id"), str):
            corr.setdefault(e["suggestion_id"], []).append(e)
    feedback = [e for e in events if e["type"] == "feedback"]
    updates = [e for e in events if e["type"] == "prompt_update"]
    vocab = sorted({w for e in sugg for w in re.findall(r"[a-z]{4,}", e["ai_reply"].lower())})
    nv = len(vocab)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = 0
    replies = set()
    n = 0
    copy = 0
    with open(out, "w", encoding="utf-8") as f:
        for e in updates:
            f.write(dumps(e) + "\n")
            lines += 1
        while n < want:
            fb = iter(feedback)
            for i, e in enumerate(sugg):
                if n >= want:
                    break
                ev = dict(e)
                orig = ev["id"]
                ev["id"] = "b%d-%s" % (copy, orig)
                if n % 20 == 19:
                    ev["id"] = "b%d-%s" % (copy, sugg[i - 3]["id"])
                if distinct:
                    tail = " %s %s %s." % (vocab[n % nv], vocab[(n // nv) % nv], vocab[(n // nv // nv) % nv])
                    ev["ai_reply"] = ev["ai_reply"] + tail
                    if isinstance(ev.get("final_reply"), str):
                        ev["final_reply"] = ev["final_reply"] + tail
                f.write(dumps(ev) + "\n")
                replies.add(ev["ai_reply"])
                lines += 1
                n += 1
                for c in corr.get(orig, ()):
                    cc = dict(c)
                    cc["suggestion_id"] = ev["id"]
                    f.write(dumps(cc) + "\n")
                    lines += 1
                if i % 400 == 0:
                    x = next(fb, None)
                    if x is not None:
                        f.write(dumps(x) + "\n")
                        lines += 1
            copy += 1
    print(lines, len(replies))


if __name__ == "__main__":
    main()
