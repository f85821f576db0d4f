"""tests/lib/taplib.py - TAP helpers for the functional tests written in Python.

    import taplib as t
    t.ok(cond, "description"); t.is_(got, want, "description")
    sys.exit(t.done())

AIDIGEST is the binary under test, ROOT the repository root, and
t.tmpdir() a temporary directory removed at exit.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.environ.get("AIDIGEST_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AIDIGEST = os.environ.get("AIDIGEST") or os.path.join(ROOT, "aidigest")
_n = 0
_failed = 0


def ok(cond, desc):
    global _n, _failed
    _n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (_n, desc), flush=True)
    if not cond:
        _failed += 1
    return bool(cond)


def is_(got, want, desc):
    r = ok(got == want, desc)
    if not r:
        diag("         got: %r" % (got,))
        diag("    expected: %r" % (want,))
    return r


def close(got, want, desc, eps=1e-9):
    r = ok(got is not None and want is not None and abs(got - want) <= eps, desc)
    if not r:
        diag("         got: %r" % (got,))
        diag("    expected: %r (within %g)" % (want, eps))
    return r


def diag(msg):
    for line in str(msg).splitlines() or [""]:
        print("# " + line, flush=True)


def done():
    print("1..%d" % _n, flush=True)
    return 1 if _failed else 0


_tmp = []


def tmpdir():
    d = tempfile.mkdtemp(prefix="aidigest-test.")
    _tmp.append(d)
    return d


@atexit.register
def _cleanup():
    for d in _tmp:
        shutil.rmtree(d, ignore_errors=True)


def run(args, env=None, input=None, cwd=None, timeout=120):
    """Run the binary under test; returns CompletedProcess (text)."""
    e = dict(os.environ)
    e.setdefault("SOURCE_DATE_EPOCH", "1764547200")
    if env:
        e.update(env)
    return subprocess.run([AIDIGEST] + list(args), env=e, input=input, cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)
