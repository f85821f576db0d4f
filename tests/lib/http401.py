#!/usr/bin/python3
"""tests/lib/http401.py - an HTTP server on 127.0.0.1 (port 0) that refuses
every request with 401 and a Basic challenge, like a git host refusing a bad
token. Prints its port on the first line of stdout; with a file argument it
appends one line per request ("auth" or "noauth") to that file."""
import http.server
import sys

LOG = sys.argv[1] if len(sys.argv) > 1 else None


class H(http.server.BaseHTTPRequestHandler):
    def _refuse(self):
        if LOG:
            with open(LOG, "a") as f:
                f.write(("auth" if self.headers.get("Authorization") else "noauth") + "\n")
        body = b"authentication required\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="archive"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
