"""tests/lib/chromium.py - headless Chromium driven over the DevTools
protocol on a pipe (--remote-debugging-pipe: JSON messages separated by NUL
bytes on file descriptors 3 and 4), with nothing but the standard library.
It sets a real viewport (a 390 px phone, with the page's meta viewport
applied), runs JavaScript in the page and takes full-page screenshots.

    import chromium
    with chromium.Browser(profile_dir) as b:
        b.open("file:///.../index.html", width=390)
        b.eval("document.title")
        png = b.screenshot()

As a script, it writes a screenshot for the documentation: the whole
page, or HEIGHT px of it from the top of the element SELECTOR (the top of
the page when SELECTOR is empty):

    python3 tests/lib/chromium.py URL WIDTH OUT.png [SELECTOR [HEIGHT]]
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

EXE = shutil.which("chromium") or shutil.which("chromium-browser")


class Error(Exception):
    pass


class Browser:
    def __init__(self, profile, timeout=60):
        if not EXE:
            raise Error("chromium is not installed")
        to_r, to_w = os.pipe()      # our commands, chromium's fd 3
        from_r, from_w = os.pipe()  # its answers, chromium's fd 4

        def fds():
            a, b = os.dup(to_r), os.dup(from_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [EXE, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--force-color-profile=srgb", "--user-data-dir=" + profile,
             "--remote-debugging-pipe", "about:blank"],
            close_fds=False, preexec_fn=fds, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        os.close(to_r)
        os.close(from_w)
        self.w = os.fdopen(to_w, "wb")
        self.r = os.fdopen(from_r, "rb")
        self.timeout = timeout
        self.buf = b""
        self.n = 0
        self.events = []
        self.session = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", session=False)
            except Exception:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.w, self.r):
            try:
                f.close()
            except OSError:
                pass

    def _recv(self):
        import select
        while b"\0" not in self.buf:
            ready, _, _ = select.select([self.r], [], [], self.timeout)
            if not ready:
                raise Error("no answer from chromium in %d s" % self.timeout)
            data = self.r.read1(1 << 20)
            if not data:
                raise Error("chromium ended: " + self.proc.stderr.read().decode(errors="replace")[-1500:])
            self.buf += data
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        """One command; its result (an Error for an error answer). Events
        that arrive meanwhile are kept in self.events."""
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params or {}}
        if session is None:
            session = self.session
        if session:
            msg["sessionId"] = session
        self.w.write(json.dumps(msg).encode() + b"\0")
        self.w.flush()
        while True:
            m = self._recv()
            if m.get("id") == self.n:
                if "error" in m:
                    raise Error("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method):
        for i, m in enumerate(self.events):
            if m.get("method") == method:
                return self.events.pop(i)
        while True:
            m = self._recv()
            if m.get("method") == method:
                return m
            self.events.append(m)

    def open(self, url, width, height=900, mobile=None):
        """A new tab with a viewport of width x height CSS px (1 device pixel
        each) that loads url; returns when its load event has fired.
        mobile (default: width < 600) applies the page's meta viewport as a
        phone does."""
        if self.session:
            self.send("Target.closeTarget", {"targetId": self.target}, session=False)
        self.target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": self.target, "flatten": True},
                                 session=False)["sessionId"]
        self.events = []
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": width < 600 if mobile is None else mobile})
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def eval(self, expr):
        """The value of a JavaScript expression in the page (JSON-able)."""
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        if "exceptionDetails" in r:
            raise Error("JavaScript: %s" % r["exceptionDetails"].get("exception", {}).get("description"))
        return r["result"].get("value")

    def console(self):
        """Console messages and exceptions seen so far."""
        out = []
        for m in self.events:
            if m.get("method") == "Runtime.consoleAPICalled":
                out.append(" ".join(str(a.get("value", a.get("description"))) for a in m["params"]["args"]))
            elif m.get("method") == "Runtime.exceptionThrown":
                out.append(m["params"]["exceptionDetails"].get("exception", {}).get("description", "exception"))
        return out

    def screenshot(self, selector=None, height=None):
        """PNG bytes of the whole page at the viewport's width, or of height
        px of it from the top of the first element matching selector."""
        params = {"format": "png", "captureBeyondViewport": True}
        if selector or height:
            top = self.eval("(function (s) { var e = s && document.querySelector(s);"
                            " return e ? e.getBoundingClientRect().top + scrollY : 0; })(%s)"
                            % json.dumps(selector or ""))
            full = self.eval("document.documentElement.scrollHeight")
            width = self.eval("document.documentElement.clientWidth")
            h = min(height or full, full - top)
            params["clip"] = {"x": 0, "y": top, "width": width, "height": h, "scale": 1}
        r = self.send("Page.captureScreenshot", params)
        return base64.b64decode(r["data"])


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5, 6):
        sys.exit("usage: chromium.py URL WIDTH OUT.png [SELECTOR [HEIGHT]]")
    sel = sys.argv[4] if len(sys.argv) > 4 else None
    hgt = int(sys.argv[5]) if len(sys.argv) > 5 else None
    prof = tempfile.mkdtemp(prefix="chromium.")
    try:
        with Browser(prof) as b:
            b.open(sys.argv[1], int(sys.argv[2]))
            with open(sys.argv[3], "wb") as f:
                f.write(b.screenshot(sel, hgt))
    finally:
        shutil.rmtree(prof, ignore_errors=True)
