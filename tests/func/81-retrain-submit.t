#!/usr/bin/python3
# 81-retrain-submit.t - `aidigest retrain --submit` against a local
# OpenAI-compatible test server (tests/lib/fake_openai.py, 127.0.0.1, port 0):
# the week's fine-tuning set is uploaded as it is (multipart, purpose
# fine-tune), a job is created for it, the submission is logged in
# OUT/training/submissions.jsonl; a 5xx is retried; 401, a 400 with an OpenAI
# error body, no server, no key and a set that is too small end with one clear
# line and the right exit code, and the set is written all the same. The key
# appears in no output and no file.
import json
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

KEY = "sk-test-SECRET-81f00d5eed"
WEEK = "2026-W47"
SET = "finetune-%s.jsonl" % WEEK
DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"
tmp = t.tmpdir()
seen_text = []  # every output and file, checked for the key at the end


ITEMS = ["kettle", "lamp", "blender", "sofa cushion", "desk chair", "phone case", "rice cooker", "yoga mat",
         "garden hose", "coffee grinder", "toaster", "bookshelf", "water bottle", "rain jacket"]
OPENERS = ["Hello,", "Hi there,", "Good morning!", "Hey", "Excuse me,", "Dear support,", "Quick question:"]


def write_logs(path, n):
    """n accepted suggestions with distinct customer messages and replies
    in WEEK (no two near-duplicates: pairs differing only in a number
    are), one rejected one (not a training example) and one from the week
    before."""
    lines = []
    for k in range(n):
        item = ITEMS[k % len(ITEMS)]
        lines.append({"type": "suggestion", "id": "s-%d" % k,
                      "ts": "2026-11-%02dT%02d:%02d:00Z" % (16 + k % 7, 8 + k % 9, k % 60),
                      "ai_reply": "The %s you ordered left %s warehouse today; expect it %s." % (
                          item, ["our", "the Pune", "the Delhi"][k % 3], ["tomorrow", "by Friday", "next week"][k % 3]),
                      "action": "accepted", "confidence": 0.9,
                      "customer_message": "%s when does my %s arrive? \u00e7a presse \U0001F69A" % (
                          OPENERS[k % len(OPENERS)], item),
                      "prompt_id": "shipping", "agent_id": "a%d" % (k % 3)})
    lines.append({"type": "suggestion", "id": "s-rej", "ts": "2026-11-18T10:00:00Z",
                  "ai_reply": "Please restart your device.", "action": "rejected",
                  "customer_message": "My parcel is late", "prompt_id": "shipping"})
    lines.append({"type": "suggestion", "id": "s-old", "ts": "2026-11-10T10:00:00Z",
                  "ai_reply": "Old week.", "action": "accepted", "customer_message": "old", "prompt_id": "shipping"})
    with open(path, "w") as f:
        for ev in lines:
            f.write(json.dumps(ev, ensure_ascii=False) + "\n")


LOGS = os.path.join(tmp, "logs.jsonl")
write_logs(LOGS, 13)  # 12 for training, 1 held out
SMALL = os.path.join(tmp, "small.jsonl")
write_logs(SMALL, 4)


class Server(t.FakeOpenAI):
    def __init__(self, routes):
        super().__init__({"routes": routes})

    def requests(self, suffix=None):
        return [q for q in super().requests() if suffix is None or q["path"].endswith(suffix)]


def run(out, url, logs=LOGS, key=KEY, extra=None):
    env = {"AIDIGEST_LLM_BASE_URL": url, "OPENAI_API_KEY": key, "AIDIGEST_LLM_BACKOFF_MS": "10",
           "AIDIGEST_LLM_TIMEOUT_MS": "5000", "AIDIGEST_FINETUNE_MODEL": ""}
    env.update(extra or {})
    r = t.run(["retrain", "--week", WEEK, "--logs", logs, "--out", out, "--submit"], env=env)
    seen_text.extend([r.stdout, r.stderr])
    for d, _, files in os.walk(out):
        for fn in files:
            with open(os.path.join(d, fn), "rb") as f:
                seen_text.append(f.read().decode("utf-8", "replace"))
    return r


def last_line(r):
    lines = r.stderr.strip().splitlines()
    return lines[-1] if lines else ""


def submissions(out):
    p = os.path.join(out, "training", "submissions.jsonl")
    return [json.loads(line) for line in open(p)] if os.path.exists(p) else None


def set_bytes(out):
    with open(os.path.join(out, "training", SET), "rb") as f:
        return f.read()


# --- a normal submission --------------------------------------------------
srv = Server([])
out = os.path.join(tmp, "ok")
r = run(out, srv.url)
t.is_(r.returncode, 0, "retrain --submit: exit 0")
t.ok("submitted %s/training/%s (12 examples) as file file-test1, validation file file-test1, "
     "fine-tuning job ftjob-test1 (validating_files)"
     % (out, SET) in r.stderr, "one line says what was submitted") or t.diag(r.stderr)
data = set_bytes(out)
t.is_(data.count(b"\n"), 12, "the set has 12 of the 13 accepted replies of the week")
VALID = "finetune-%s-validation.jsonl" % WEEK
with open(os.path.join(out, "training", VALID), "rb") as f:
    vdata = f.read()
t.is_(vdata.count(b"\n"), 1, "the 13th is held out in the validation file (10 %, at least 1)")
ups, jobs = srv.requests("/v1/files"), srv.requests("/v1/fine_tuning/jobs")
t.is_((len(ups), len(jobs), len(srv.requests())), (2, 1, 3),
      "two uploads (the set, the validation file), then one job request, nothing else")
t.is_(ups[1]["form"]["file"]["filename"], VALID, "the second upload is the validation file")
t.ok(ups[1]["form"]["file"]["text"].encode("utf-8") == vdata, "with its bytes")
up = ups[0]
t.ok(up["headers"].get("Content-Type", "").startswith("multipart/form-data; boundary="), "the upload is multipart")
t.is_(sorted(up.get("form", {})), ["file", "purpose"], "the form has purpose and file")
t.is_(up["form"]["purpose"]["text"], "fine-tune", "purpose is fine-tune")
t.is_(up["form"]["file"]["filename"], SET, "the file part is named after the set")
t.ok(up["form"]["file"]["text"].encode("utf-8") == data, "the uploaded bytes are the set's bytes")
t.is_(up["headers"].get("Authorization"), "Bearer " + KEY, "the key goes in the Authorization header")
job = jobs[0]
t.is_(job["headers"].get("Content-Type"), "application/json", "the job request is JSON")
t.is_(job["body"], {"training_file": "file-test1", "validation_file": "file-test1", "model": DEFAULT_MODEL,
                   "suffix": "aidigest-" + WEEK},
      "the job names the uploaded files, the default model and the week")
t.is_(job["headers"].get("Authorization"), "Bearer " + KEY, "the job request carries the key in the header")
subs = submissions(out)
t.is_(subs, [{"week": WEEK, "file": SET, "examples": 12, "file_id": "file-test1",
              "validation_file_id": "file-test1", "validation_examples": 1, "job_id": "ftjob-test1",
              "model": DEFAULT_MODEL, "status": "validating_files", "submitted_at": "2025-12-01T00:00:00Z"}],
      "submissions.jsonl records the submission (time from SOURCE_DATE_EPOCH)")
t.ok(not os.path.exists(os.path.join(out, "prompts", "shipping.json")),
     "no reply was used 3 times: the prompt has nothing to add and gets no file")

# a second submission with another model is appended
r = run(out, srv.url, extra={"AIDIGEST_FINETUNE_MODEL": "gpt-4.1-mini-2025-04-14"})
t.is_(r.returncode, 0, "a second submission: exit 0")
t.is_(srv.requests("/v1/fine_tuning/jobs")[-1]["body"]["model"], "gpt-4.1-mini-2025-04-14",
      "AIDIGEST_FINETUNE_MODEL names the model")
subs = submissions(out)
t.is_([(s["week"], s["model"]) for s in subs], [(WEEK, DEFAULT_MODEL), (WEEK, "gpt-4.1-mini-2025-04-14")],
      "submissions.jsonl keeps the first line and appends the second")
srv.stop()

# --- 5xx then success: retried ---------------------------------------------
srv = Server([{"path": "/files", "responses": [{"status": 500, "error": "upstream hiccup"}, {}]},
              {"path": "/fine_tuning/jobs", "responses": [{"status": 503, "error": "busy", "headers": {"Retry-After": "0"}},
                                                          {"json": {"id": "ftjob-xyz", "status": "queued"}}]}])
out = os.path.join(tmp, "retry")
r = run(out, srv.url)
t.is_(r.returncode, 0, "500 then 200 on the upload, 503 then 200 on the job: exit 0")
t.is_((len(srv.requests("/v1/files")), len(srv.requests("/v1/fine_tuning/jobs"))), (3, 2),
      "each failed request was sent again once (the set twice, the validation file once)")
t.ok(srv.requests("/v1/files")[1]["form"]["file"]["text"].encode("utf-8") == set_bytes(out),
     "the retried upload sends the whole file again")
t.ok("fine-tuning job ftjob-xyz (queued)" in r.stderr, "the job id and status come from the server")
t.is_([(s["job_id"], s["status"]) for s in submissions(out)], [("ftjob-xyz", "queued")], "and are recorded")
srv.stop()

# --- 401: refused at once ----------------------------------------------------
srv = Server([{"path": "/files", "responses": [{"status": 401, "error": "Incorrect API key provided: " + KEY + ".",
                                                "error_type": "invalid_request_error", "error_code": "invalid_api_key"}]}])
out = os.path.join(tmp, "auth")
r = run(out, srv.url)
t.is_(r.returncode, 3, "401: exit 3")
t.ok(last_line(r).startswith("aidigest: llm upload: HTTP 401: Incorrect API key provided: [key]"),
     "one clear line, the key scrubbed") or t.diag(r.stderr)
t.is_((len(srv.requests("/v1/files")), len(srv.requests("/v1/fine_tuning/jobs"))), (1, 0),
      "not retried, no job requested")
t.ok(os.path.exists(os.path.join(out, "training", SET)) and submissions(out) is None,
     "the set is written, no submission recorded")
srv.stop()

# --- 400 with an OpenAI error body on the job ----------------------------------
srv = Server([{"path": "/fine_tuning/jobs", "responses": [{
    "status": 400, "error": "Model gpt-4o-mini-2024-07-18 is not available for fine-tuning or does not exist.",
    "error_type": "invalid_request_error", "error_param": "model", "error_code": "model_not_available"}]}])
out = os.path.join(tmp, "bad-model")
r = run(out, srv.url)
t.is_(r.returncode, 3, "400 on the job: exit 3")
t.is_(last_line(r), "aidigest: llm fine-tuning job: HTTP 400: Model gpt-4o-mini-2024-07-18 is not available for "
      "fine-tuning or does not exist. (the set was uploaded as file-test1)",
      "one line with the server's message and the uploaded file's id")
t.is_(len(srv.requests("/v1/fine_tuning/jobs")), 1, "a 400 is not retried")
t.is_(submissions(out), None, "no submission recorded")
srv.stop()

# --- no server listening -------------------------------------------------------
s = socket.socket()
s.bind(("127.0.0.1", 0))
dead = "http://127.0.0.1:%d/v1" % s.getsockname()[1]
s.close()
out = os.path.join(tmp, "down")
r = run(out, dead, extra={"AIDIGEST_LLM_MAX_ATTEMPTS": "2"})
t.is_(r.returncode, 3, "no server: exit 3")
t.ok(last_line(r).startswith("aidigest: llm upload: ") and "(after 2 attempts)" in last_line(r),
     "one line naming the upload and the attempts") or t.diag(r.stderr)

# --- no key ------------------------------------------------------------------
srv = Server([])
out = os.path.join(tmp, "nokey")
r = run(out, srv.url, key="")
t.is_(r.returncode, 2, "no OPENAI_API_KEY: exit 2")
t.ok("no OPENAI_API_KEY set" in last_line(r) and SET in last_line(r) and "not submitted" in last_line(r),
     "a clear line: no key, the set was written but not submitted") or t.diag(r.stderr)
t.ok(set_bytes(out).count(b"\n") == 12 and os.path.exists(os.path.join(out, "training", "deltas.jsonl")) is False,
     "the set is written first (and no delta: nothing changed)")
t.is_(srv.requests(), [], "nothing was sent")

# --- a set too small ---------------------------------------------------------
out = os.path.join(tmp, "small")
r = run(out, srv.url, logs=SMALL)
t.is_(r.returncode, 3, "4 examples: exit 3")
t.is_(last_line(r), "aidigest: %s/training/%s: 4 examples, but OpenAI fine-tuning needs at least 10: "
      "nothing submitted" % (out, SET), "a clear line says why")
t.ok(set_bytes(out).count(b"\n") == 4, "the small set is written")
t.is_(srv.requests(), [], "nothing was uploaded")
srv.stop()

t.ok(not any(KEY in s for s in seen_text) and not any(KEY[:14] in s for s in seen_text),
     "the key is in no output and no file")
sys.exit(t.done())
