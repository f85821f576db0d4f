"""tests/lib/taplib.py - TAP helpers for the functional tests written in Python.

    import taplib as t
    t.ok(cond, "description"); t.is_(got, want, "description")
    sys.exit(t.done())

AIDIGEST is the binary under test, ROOT the repository root, and
t.tmpdir() a temporary directory removed at exit.
"""
import atexit
import json
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


class FakeOpenAI:
    """tests/lib/fake_openai.py on 127.0.0.1 (a free port) answering by
    scenario (a dict, see that file); every request it got is recorded.
    Stopped at exit if not before; quiet: its stderr goes to /dev/null."""

    def __init__(self, scenario, quiet=False):
        self.dir = tmpdir()
        self.record = os.path.join(self.dir, "requests.jsonl")
        scen = os.path.join(self.dir, "scenario.json")
        with open(scen, "w") as f:
            json.dump(scenario, f)
        self.p = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "tests", "lib", "fake_openai.py"),
                                   scen, self.record], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL if quiet else None, text=True)
        self.port = int(self.p.stdout.readline())
        self.url = "http://127.0.0.1:%d/v1" % self.port
        atexit.register(self.stop)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            self.p.wait()
        if not self.p.stdout.closed:
            self.p.stdout.close()

    def requests(self):
        """the requests so far, in order (fake_openai.py's records)"""
        if not os.path.exists(self.record):
            return []
        return [json.loads(line) for line in open(self.record)]
