#!/usr/bin/python3
"""make test-faults: fail each allocation of a few small runs in turn.

For every case the driver first runs the fault build (build/fault/aidigest,
tests/fault/failalloc.c) once counting allocations, then once per
allocation N with AIDIGEST_FAIL_ALLOC=N (only the Nth allocation fails) and
asserts that the run
  - exits 3, or exits 0 having written exactly what the counting run wrote
    (an allocation whose failure is harmless: a stdio buffer, a cache),
  - prints one line on stderr, 'aidigest: ...out of memory...' (main's line
    for AID_ERR_NOMEM, with the detail the module gave),
  - has no sanitizer report (ASan, LeakSanitizer, UBSan) and no crash,
  - leaves no partial file in OUT: every file it added or changed is the
    one the counting run wrote (a failure after the week was swapped into
    place, in the weekly table or OUT/index.html, keeps the whole week), and
    no temporary or staging file.

Two passes per case: 'ours' fails the allocations called directly from
aidigest's code, every N (AIDIGEST_FAIL_OURS=1); 'all' fails every
allocation, libraries' included (json-c's constructors, glibc's fopen,
libharu, libxlsxwriter), every N when the case makes at most FULL_MAX of
them, else a stride so that about FULL_MAX are failed (printed).
Only the 'ours' pass decides the exit status: with the libraries' own
allocations failing, json-c 0.16's tokener (json_tokener_parse_ex adds a
field whose name strdup failed: strlen(NULL)) and libxlsxwriter
(_insert_cell_list on a cell it could not allocate) crash inside the
library, which no caller can prevent. The 'all' pass is printed, and
decides too with FAULT_STRICT_ALL=1.

  AIDIGEST       the fault build (set by make test-faults)
  FAULT_JOBS     parallel runs (default 2)
  FAULT_CASES    comma-separated case names to run (default: all)
  FAULT_FULL_MAX see above (default 400)
  FAULT_OURS_STRIDE  fail every Kth of our allocations only (default 1)
  FAULT_VERBOSE  1: print every failing N's stderr
  FAULT_STRICT_ALL 1: the 'all' pass fails the target too
"""
import concurrent.futures as cf
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ.get("AIDIGEST") or os.path.abspath("build/fault/aidigest")
ROOT = os.environ.get("AIDIGEST_ROOT") or os.getcwd()
JOBS = int(os.environ.get("FAULT_JOBS", "2"))
FULL_MAX = int(os.environ.get("FAULT_FULL_MAX", "400"))
OURS_STRIDE = int(os.environ.get("FAULT_OURS_STRIDE", "1"))
STRICT_ALL = os.environ.get("FAULT_STRICT_ALL") == "1"
VERBOSE = os.environ.get("FAULT_VERBOSE") == "1"
ONLY = [c for c in os.environ.get("FAULT_CASES", "").split(",") if c]

NOMEM = re.compile(r"^aidigest: [^\n]*out of memory[^\n]*\n$")
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|SUMMARY: ")

tmp = tempfile.mkdtemp(prefix="aidigest-faults-")


def sug(i, ts, action, msg, reply="Hello there, happy to help.", **more):
    d = {"type": "suggestion", "id": i, "ts": ts, "ai_reply": reply, "action": action, "confidence": 0.5,
         "customer_message": msg, "conversation_id": "c-" + i, "prompt_id": "p1"}
    d.update(more)
    return json.dumps(d) + "\n"


def outcome(conv, ts, csat, resolved):
    return json.dumps({"type": "outcome", "ts": ts, "conversation_id": conv, "csat": csat,
                       "resolved": resolved}) + "\n"


# the cost and latency fields on two of them (docs/figures.md "Cost and latency"): their tables,
# histogram pages and the cost section are allocated too
COST = {"prompt_id": "p", "model": "m", "latency_ms": 1500.5, "tokens_in": 10, "tokens_out": 5, "cost": 0.002}


logs = os.path.join(tmp, "logs")
os.makedirs(logs)
with open(os.path.join(logs, "a.jsonl"), "w") as f:
    f.write(sug("s1", "2026-11-17T10:00:00Z", "accepted", "hello, where is my order", **COST))
    f.write(sug("s2", "2026-11-18T10:00:00Z", "rejected", "I want a refund for order 12",
                reply="Refunds take 30 days."))
    f.write(json.dumps({"type": "correction", "suggestion_id": "s2", "ts": "2026-11-18T10:05:00Z",
                        "corrected_reply": "Refunds take 5 days."}) + "\n")
    f.write(sug("s3", "2026-11-19T10:00:00Z", "edited", "my email is a@example.com, help", **COST))
    # outcomes: so run and render go through the join and the outcome sections
    f.write(outcome("c-s1", "2026-11-17T11:00:00Z", 5, True))
    f.write(outcome("c-s2", "2026-11-18T11:00:00Z", 2, False))
    f.write(outcome("c-x", "2026-11-18T12:00:00Z", 3, True))
with open(os.path.join(tmp, "t.tmpl"), "w") as f:
    f.write("{{#each xs}}<{{x}}>{{/each}} {{v}}\n")

WEEK = ["--week", "2026-W47"]


def prepared_out():
    """An OUT with one week in it (for render and retrain)."""
    d = os.path.join(tmp, "prepared")
    if not os.path.isdir(d):
        subprocess.run([BIN, "run", "--offline", "--logs", logs, "--out", d, "--jobs", "1"] + WEEK,
                       env=env(0), capture_output=True, check=True)
    return d


# name: (argv with {out} for the output directory, OUT prepared or fresh)
CASES = {
    "check": (["check", "--logs", logs, "--jobs", "1"] + WEEK, None),
    "run": (["run", "--offline", "--logs", logs, "--out", "{out}", "--jobs", "1"] + WEEK, None),
    "render-html": (["render", "--out", "{out}", "--only", "html"] + WEEK, prepared_out),
    "render": (["render", "--out", "{out}"] + WEEK, prepared_out),
    "template": (["template", os.path.join(tmp, "t.tmpl"), "v", "a<b", "xs", "{", "x", "1", "}",
                  "xs", "{", "x", "2", "}"], None),
    "retrain": (["retrain", "--logs", logs, "--out", "{out}"] + WEEK, prepared_out),
}


def env(n, ours=False, count=None):
    e = dict(os.environ)
    e["AIDIGEST_FAIL_ALLOC"] = str(n)
    e["AIDIGEST_ROOT"] = ROOT
    e.setdefault("SOURCE_DATE_EPOCH", "1764000000")
    e["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:exitcode=99"
    e["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    if ours:
        e["AIDIGEST_FAIL_OURS"] = "1"
    else:
        e.pop("AIDIGEST_FAIL_OURS", None)
    if count:
        e["AIDIGEST_ALLOC_COUNT"] = count
    return e


def tree(d):
    """Every file under d with its hash (directories as None)."""
    t = {}
    if not os.path.isdir(d):
        return t
    for top, dirs, files in os.walk(d):
        if "/.git" in top + "/" and not top.endswith("/.git"):
            pass
        for n in dirs:
            t[os.path.relpath(os.path.join(top, n), d)] = None
        for n in files:
            p = os.path.join(top, n)
            with open(p, "rb") as f:
                t[os.path.relpath(p, d)] = hashlib.sha256(f.read()).hexdigest()
    return t


def setup_out(prep, slot):
    out = os.path.join(tmp, "out-%s" % slot)
    shutil.rmtree(out, ignore_errors=True)
    if prep:
        shutil.copytree(prep(), out, symlinks=True)
    return out


def one(argv, prep, n, ours, slot):
    out = setup_out(prep, slot)
    before = tree(out)
    args = [a.replace("{out}", out) for a in argv]
    r = subprocess.run([BIN] + args, env=env(n, ours), capture_output=True, text=True,
                       errors="replace", timeout=120)
    after = tree(out)
    return r, before, after, out


def judge(r, before, after, reference):
    """None when run r is fine, else what is wrong."""
    if SANITIZER.search(r.stderr):
        return "sanitizer report"
    if r.returncode < 0:
        return "killed by signal %d" % -r.returncode
    if r.returncode == 0:
        if after != reference:
            return "exit 0 but the output differs from a run without failure"
        return None
    if r.returncode != 3:
        return "exit %d (want 3)" % r.returncode
    if not NOMEM.match(r.stderr):
        return "stderr is not one 'out of memory' line"
    # What the run leaves must be whole: a file new in OUT, or changed, must
    # be what the run without failure wrote (a run that fails after the week
    # was swapped into place keeps the week), and no temporary or staging
    # file may be left.
    for k in sorted(after):
        base = os.path.basename(k)
        if base.startswith(".stage") or ".tmp" in base:
            return "temporary file left in OUT: %s" % k
        if k not in before and after[k] is not None and reference.get(k) != after[k]:
            return "partial or unexpected file in OUT: %s" % k
    changed = sorted(k for k in before if after.get(k, "gone") not in (before[k], reference.get(k)))
    if changed:
        return "changed in OUT: %s" % ", ".join(changed[:5])
    return None


def count(argv, prep, ours):
    cnt = os.path.join(tmp, "count")
    out = setup_out(prep, "count")
    args = [a.replace("{out}", out) for a in argv]
    r = subprocess.run([BIN] + args, env=env(0, ours, cnt), capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("counting run failed (exit %d): %s %s" % (r.returncode, " ".join(args), r.stderr))
    with open(cnt) as f:
        return int(f.read()), tree(out)


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit("no fault build at %s (make build/fault/aidigest)" % BIN)
    failures = []
    total = 0
    exit3 = 0
    absorbed = 0
    lib_bad = 0
    for name, (argv, prep) in CASES.items():
        if ONLY and name not in ONLY:
            continue
        for ours in (True, False):
            n_alloc, reference = count(argv, prep, ours)
            stride = OURS_STRIDE if ours else 1 if n_alloc <= FULL_MAX else -(-n_alloc // FULL_MAX)
            ns = list(range(1, n_alloc + 1, stride))
            pass_ = "ours" if ours else "all"
            bad = []
            with cf.ThreadPoolExecutor(JOBS) as ex:
                futs = {ex.submit(one, argv, prep, n, ours, "%s-%s-%d" % (name, pass_, n)): n for n in ns}
                for fu in cf.as_completed(futs):
                    n = futs[fu]
                    r, before, after, out = fu.result()
                    why = judge(r, before, after, reference)
                    shutil.rmtree(out, ignore_errors=True)
                    total += 1
                    if why:
                        bad.append((n, why, r.stderr))
                        line = r.stderr.strip().splitlines()
                        print("  %s %s N=%d %s: %s" % (name, pass_, n, why, line[0][:200] if line else ""),
                              flush=True)
                        if VERBOSE:
                            print("    " + r.stderr.replace("\n", "\n    "), flush=True)
                    elif r.returncode == 3:
                        exit3 += 1
                    else:
                        absorbed += 1
            print("%-12s %-4s %6d allocations, failed %5d (stride %d): %d bad"
                  % (name, pass_, n_alloc, len(ns), stride, len(bad)), flush=True)
            if ours or STRICT_ALL:
                failures.extend((name, pass_, n, why) for n, why, err in sorted(bad))
            else:
                lib_bad += len(bad)
    print("%d allocation failures injected: %d exit 3, %d harmless (exit 0, same output), %d bad"
          " (and %d bad in the 'all' pass, not counted)" % (total, exit3, absorbed, len(failures), lib_bad))
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
