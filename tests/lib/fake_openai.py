#!/usr/bin/python3
"""tests/lib/fake_openai.py - a small OpenAI-compatible chat-completions server
for the tests, on 127.0.0.1 only.

    fake_openai.py SCENARIO.json RECORD.jsonl

listens on 127.0.0.1, port 0 (any free port), prints the port on the first
line of stdout, and serves POST /v1/chat/completions (any path ending in
/chat/completions) until killed.

SCENARIO.json scripts the answers:

    {"routes": [{"match": "weekly_summary", "responses": [R, R, ...]}, ...],
     "default": [R, ...]}

A request goes to the first route whose "match" string occurs in its raw
body (else to "default"); each route answers with its responses in order,
repeating the last one. A response R is an object:

    status         HTTP status (default 200)
    content        the message content: a string, or any JSON value, which
                   is sent as its JSON text (structured output)
    finish_reason  default "stop"
    refusal        a refusal text (message.refusal)
    error          an error message: sent as {"error": {"message": ...}}
    headers        extra response headers, e.g. {"Retry-After": "1"}
    delay          seconds to wait before answering (a hang: longer than the
                   client's timeout)
    raw            send this text as the body as it is (malformed JSON)

Every request is appended to RECORD.jsonl as one JSON object: method, path,
headers, raw body text, parsed body (or null) and the time it arrived.
"""
import http.server
import json
import sys
import threading
import time

SCENARIO = json.load(open(sys.argv[1]))
RECORD = sys.argv[2]
LOCK = threading.Lock()
COUNTERS = {}


def pick(raw):
    routes = SCENARIO.get("routes", [])
    for i, route in enumerate(routes):
        if route.get("match", "") in raw:
            return ("r%d" % i, route.get("responses") or [{}])
    return ("default", SCENARIO.get("default") or [{"status": 500, "error": "no scripted answer"}])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with LOCK:
            with open(RECORD, "a") as f:
                f.write(json.dumps({"method": "POST", "path": self.path,
                                    "headers": dict(self.headers.items()),
                                    "raw": raw, "body": body, "t": time.time()}) + "\n")
            key, responses = pick(raw)
            i = COUNTERS.get(key, 0)
            COUNTERS[key] = i + 1
            r = responses[min(i, len(responses) - 1)]
        if not self.path.endswith("/chat/completions"):
            r = {"status": 404, "error": "unknown path " + self.path}
        if r.get("delay"):
            time.sleep(r["delay"])
        status = r.get("status", 200)
        if "raw" in r:
            out = r["raw"]
        elif status != 200 or "error" in r:
            out = json.dumps({"error": {"message": r.get("error", "error"), "type": "test", "code": None}})
        else:
            content = r.get("content", "")
            if not isinstance(content, str):
                content = json.dumps(content)
            msg = {"role": "assistant", "content": None if r.get("refusal") else content}
            if r.get("refusal"):
                msg["refusal"] = r["refusal"]
            out = json.dumps({
                "id": "chatcmpl-test", "object": "chat.completion", "created": 0,
                "model": (body or {}).get("model", "test"),
                "choices": [{"index": 0, "message": msg, "finish_reason": r.get("finish_reason", "stop")}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
        data = out.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (r.get("headers") or {}).items():
                self.send_header(k, str(v))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
