#!/usr/bin/python3
"""15-memory: memory stays bounded by the id index, not by the input size.
Runs the release binary ($AIDIGEST_ROOT/aidigest, built by `make`: ASan would
distort RSS) on ~10 MB and ~30 MB of suggestions with nine near-identical replies and
distinct ids, and checks that max RSS grows by no more than the id index's cost
(24-40 bytes per id, twice for the table's growth) plus a fixed slack.
Note: every distinct original reply text is kept (for variants and the shown
text), so memory also grows with the number of distinct texts; this test keeps
that number fixed."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

BIN = os.path.join(t.ROOT, "aidigest")
if not os.access(BIN, os.X_OK):
    print("1..0 # SKIP release binary not built (run make)")
    sys.exit(0)

tmp = t.tmpdir()


def gen(path, nbytes):
    n = 0
    with open(path, "w") as f:
        size = 0
        while size < nbytes:
            line = ('{"type":"suggestion","id":"id-%09d","ts":"2026-11-%02dT10:%02d:00Z",'
                    '"ai_reply":"Thank you for waiting, your order will ship within %d days.",'
                    '"action":"%s","confidence":0.%03d,"customer_message":"where is order %d"}\n'
                    % (n, 16 + n % 7, n % 60, n % 9, ("accepted", "edited", "rejected")[n % 3], n % 1000, n))
            f.write(line)
            size += len(line)
            n += 1
    return n


def maxrss_kb(logs, out):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1764547200")
    env.pop("OPENAI_API_KEY", None)
    env.setdefault("AIDIGEST_TEMPLATES", os.path.join(t.ROOT, "templates"))
    p = subprocess.Popen([BIN, "run", "--offline", "--week", "2026-W47", "--logs", logs, "--out", out, "--jobs", "2"],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, ru.ru_maxrss


small, big = os.path.join(tmp, "small.jsonl"), os.path.join(tmp, "big.jsonl")
n1 = gen(small, 10 << 20)
n2 = gen(big, 30 << 20)
rc1, r1 = maxrss_kb(small, os.path.join(tmp, "o1"))
rc2, r2 = maxrss_kb(big, os.path.join(tmp, "o2"))
t.is_((rc1, rc2), (0, 0), "both runs succeed (%d and %d suggestions)" % (n1, n2))
allowed = ((n2 - n1) * 40 * 2) // 1024 + 12 * 1024
t.diag("max RSS: 10 MB input %d kB, 30 MB input %d kB; allowed growth %d kB" % (r1, r2, allowed))
t.ok(r2 - r1 < allowed, "RSS(30 MB) - RSS(10 MB) = %d kB < %d kB (id index + slack)" % (r2 - r1, allowed))
t.ok(r2 < 20 * 1024 + (n2 * 40 * 2) // 1024 + 64 * 1024, "RSS(30 MB) = %d kB is far below the input size" % r2)
sys.exit(t.done())
