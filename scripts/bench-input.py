#!/usr/bin/python3
"""Write a large synthetic week of logs for `make bench`.

Usage: bench-input.py OUT_DIR MEGABYTES [FILES]

Takes the week 2026-W47 of inputs/ as a pattern and repeats its suggestion
events with fresh ids (and shifted customer messages) until about MEGABYTES
of JSON Lines are written, split over FILES plain .jsonl files. Deterministic.
"""
import gzip
import json
import os
import sys


def main():
    out, mb = sys.argv[1], float(sys.argv[2])
    nfiles = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pattern = []
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
                if isinstance(ev, dict) and ev.get("type") == "suggestion" and isinstance(ev.get("ai_reply"), str):
                    pattern.append(ev)
    os.makedirs(out, exist_ok=True)
    target = int(mb * 1024 * 1024)
    per_file = target // nfiles + 1
    n = 0
    for k in range(nfiles):
        with open(os.path.join(out, "bench-%02d.jsonl" % k), "w", encoding="utf-8") as f:
            written = 0
            while written < per_file:
                ev = dict(pattern[n % len(pattern)])
                ev["id"] = "bench-%d" % n
                if n % 7 == 0:
                    ev["id"] = "bench-%d" % (n - 3)  # some duplicates
                line = json.dumps(ev, ensure_ascii=False) + "\n"
                f.write(line)
                written += len(line.encode("utf-8"))
                n += 1
    print(n)


if __name__ == "__main__":
    main()
