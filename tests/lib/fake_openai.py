#!/usr/bin/python3
"""tests/lib/fake_openai.py - a small OpenAI-compatible server for the tests,
on 127.0.0.1 only: chat completions, file uploads and fine-tuning jobs.

    fake_openai.py SCENARIO.json RECORD.jsonl

listens on 127.0.0.1, port 0 (any free port), prints the port on the first
line of stdout, and serves until killed (any path ending in):

    POST /chat/completions   a chat completion
    POST /files              a multipart upload (purpose, file): a file object
                             {"id": "file-test1", "object": "file", ...}
    POST /fine_tuning/jobs   a JSON job request: a job object
                             {"id": "ftjob-test1", "status": "validating_files", ...}

SCENARIO.json scripts the answers:

    {"routes": [{"match": "weekly_summary", "responses": [R, R, ...]},
                {"path": "/files", "responses": [R, ...]}, ...],
     "default": [R, ...]}

A route without "path" serves chat completions only; one with "path"
serves the endpoint whose path ends with it (and, with "match" too, only
requests whose raw body holds that string). A request goes to the first
route that fits; else a chat completion goes to "default" and a file or
job request gets the plain success answer. Each route answers with its
responses in order, repeating the last one. A response R is an object:

    status         HTTP status (default 200)
    content        the message content: a string, or any JSON value, which
                   is sent as its JSON text (structured output)
    finish_reason  default "stop"
    refusal        a refusal text (message.refusal)
    error          an error message: sent as {"error": {"message": ...,
                   "type": error_type, "param": error_param, "code": error_code}}
    json           (files, jobs) fields to put into the success object
                   (e.g. {"id": "file-x", "status": "queued"})
    headers        extra response headers, e.g. {"Retry-After": "1"}
    delay          seconds to wait before answering (a hang: longer than the
                   client's timeout)
    raw            send this text as the body as it is (malformed JSON)

Every request is appended to RECORD.jsonl as one JSON object: method, path,
headers, raw body text, parsed body (or null), the time it arrived and, for
a multipart request, "form": {name: {"filename": ..., "content_type": ...,
"text": ...}} (text decoded as UTF-8, "replace").
"""
import email.parser
import email.policy
import http.server
import json
import sys
import threading
import time

SCENARIO = json.load(open(sys.argv[1]))
RECORD = sys.argv[2]
LOCK = threading.Lock()
COUNTERS = {}


CHAT, FILES, JOBS = "/chat/completions", "/files", "/fine_tuning/jobs"


def endpoint(path):
    path = path.split("?", 1)[0]
    for e in (CHAT, FILES, JOBS):
        if path.endswith(e):
            return e
    return None


def pick(path, raw):
    routes = SCENARIO.get("routes", [])
    ep = endpoint(path)
    for i, route in enumerate(routes):
        if "path" in route:
            if ep is None or endpoint(route["path"]) != ep:
                continue
        elif ep != CHAT:
            continue
        if route.get("match", "") in raw:
            return ("r%d" % i, route.get("responses") or [{}])
    if ep in (FILES, JOBS):
        return (ep, [{}])
    return ("default", SCENARIO.get("default") or [{"status": 500, "error": "no scripted answer"}])


def parse_form(content_type, data):
    """The fields of a multipart/form-data body, or None."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + data)
    if not msg.is_multipart():
        return None
    form = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        form[name] = {"filename": part.get_filename(), "content_type": part.get_content_type(),
                      "text": payload.decode("utf-8", "replace")}
    return form


def success(ep, body, form, r):
    if ep == FILES:
        f = (form or {}).get("file") or {}
        out = {"id": "file-test1", "object": "file", "bytes": len(f.get("text", "").encode("utf-8")),
               "created_at": 0, "filename": f.get("filename"),
               "purpose": ((form or {}).get("purpose") or {}).get("text")}
    else:
        out = {"id": "ftjob-test1", "object": "fine_tuning.job", "created_at": 0,
               "model": (body or {}).get("model"), "training_file": (body or {}).get("training_file"),
               "suffix": (body or {}).get("suffix"), "fine_tuned_model": None, "status": "validating_files"}
    out.update(r.get("json") or {})
    return json.dumps(out)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n)
        raw = data.decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        form = parse_form(self.headers.get("Content-Type") or "", data)
        ep = endpoint(self.path)
        with LOCK:
            with open(RECORD, "a") as f:
                rec = {"method": "POST", "path": self.path, "headers": dict(self.headers.items()),
                       "raw": raw, "body": body, "t": time.time()}
                if form is not None:
                    rec["form"] = form
                f.write(json.dumps(rec) + "\n")
            key, responses = pick(self.path, raw)
            i = COUNTERS.get(key, 0)
            COUNTERS[key] = i + 1
            r = responses[min(i, len(responses) - 1)]
        if ep is None:
            r = {"status": 404, "error": "unknown path " + self.path}
        if r.get("delay"):
            time.sleep(r["delay"])
        status = r.get("status", 200)
        if "raw" in r:
            out = r["raw"]
        elif status != 200 or "error" in r:
            out = json.dumps({"error": {"message": r.get("error", "error"), "type": r.get("error_type", "test"),
                                        "param": r.get("error_param"), "code": r.get("error_code")}})
        elif ep != CHAT:
            out = success(ep, body, form, r)
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
