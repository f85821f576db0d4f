#!/usr/bin/python3
"""tests/lib/git_http.py - git's smart HTTP protocol on 127.0.0.1 (port 0),
served by `git http-backend` (CGI), for the archive tests.

    git_http.py ROOT [--token TOKEN]

Serves the bare repositories under ROOT at http://127.0.0.1:PORT/<name>.
With --token, every request needs HTTP Basic auth whose password is TOKEN
(any user name), else 401. Prints the port on the first line of stdout."""
import http.server
import os
import subprocess
import sys
import base64

ROOT = sys.argv[1]
TOKEN = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--token" else None
BACKEND = subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout.strip() + "/git-http-backend"


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                n = int(self.rfile.readline().strip().split(b";")[0], 16)
                if n == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(n)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _serve(self):
        body = self._body()
        user = None
        if TOKEN is not None:
            auth = self.headers.get("Authorization", "")
            ok = False
            if auth.startswith("Basic "):
                u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
                ok = p == TOKEN
                user = u
            if not ok:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="archive"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        path, _, query = self.path.partition("?")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_PROJECT_ROOT": ROOT,
               "GIT_HTTP_EXPORT_ALL": "1", "REQUEST_METHOD": self.command, "PATH_INFO": path,
               "QUERY_STRING": query, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
               "CONTENT_LENGTH": str(len(body)), "REMOTE_USER": user or "anonymous",
               "REMOTE_ADDR": "127.0.0.1", "GIT_CONFIG_NOSYSTEM": "1"}
        for k, v in self.headers.items():
            env["HTTP_" + k.upper().replace("-", "_")] = v
        out = subprocess.run([BACKEND], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
