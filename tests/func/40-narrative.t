#!/usr/bin/python3
# 40-narrative.t - the narrative through `aidigest run`: offline (no key) it is
# the built-in narrator, deterministic; with a key it asks a local
# OpenAI-compatible test server (tests/lib/fake_openai.py, 127.0.0.1, port 0),
# caches the answers, falls back per part on wrong numbers or a hang and says
# so. No request carries personal data from the logs, and the key appears in
# no output, log or error text.
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

KEY = "sk-test-FUNC-SECRET-77a1b2c3d4"
PII = ["cminh730@email.com", "625-2661", "3348917502", "Crystal Minh", "4111 1111 1111 1111"]
WEEK = "2026-W47"
tmp = t.tmpdir()


def write_logs(path):
    replies_ok = ["Thanks for waiting! Your refund has been issued and should arrive within 5-7 business days.",
                  "I'm sorry about the delay. Your package is with the courier and will arrive tomorrow.",
                  "You're welcome! Is there anything else I can help you with today?"]
    reply_bad = "Please restart your device and try again."
    lines = []
    n = 0
    for day in range(16, 23):
        for k in range(12):
            n += 1
            rej = k % 4 == 0
            ev = {"type": "suggestion", "id": "s-%d" % n, "ts": "2026-11-%02dT%02d:15:00Z" % (day, 8 + k % 9),
                  "ai_reply": reply_bad if rej else replies_ok[k % 3],
                  "action": "rejected" if rej else ("accepted" if k % 3 else "edited"),
                  "confidence": round(0.5 + (k % 5) * 0.1, 2),
                  "customer_message": "Hi, my name is Crystal Minh, order 3348917502 is late, refund please. "
                                      "Mail cminh730@email.com or call (977) 625-2661.",
                  "prompt_id": "refunds", "agent_id": "a%d" % (k % 3)}
            if rej:
                ev["final_reply"] = "Crystal Minh: I've escalated it, we will call you on (977) 625-2661 today."
            elif k % 3 == 0:
                ev["final_reply"] = ev["ai_reply"] + " Card 4111 1111 1111 1111 was refunded."
            lines.append(ev)
    lines.append({"type": "correction", "suggestion_id": "s-1", "ts": "2026-11-20T10:00:00Z",
                  "corrected_reply": "Please restart your device and try again, Crystal Minh.", "reason": "QA"})
    lines.append({"type": "prompt_update", "ts": "2026-11-19T00:00:00Z", "prompt_id": "refunds",
                  "from_version": "v3", "to_version": "v4", "theme": "refund requests",
                  "summary": "State the refund amount and the time frame.",
                  "examples_added": ["Your refund is on its way."], "examples_removed": []})
    with open(path, "w") as f:
        for ev in lines:
            f.write(json.dumps(ev) + "\n")


LOGS = os.path.join(tmp, "logs.jsonl")
write_logs(LOGS)
t.ok(all(p in open(LOGS).read() for p in PII), "the logs are full of personal data")


Server = t.FakeOpenAI


def scenario(summary):
    return {"routes": [
        {"match": '"name":"weekly_summary"', "responses": summary},
        {"match": '"name":"self_summary"', "responses": [{"content": {"text": "The refunds prompt was updated "
                                                                               "and its replies improved."}}]},
        {"match": '"name":"coach_notes"', "responses": [{"content": {"notes": [
            "Give the customer a time frame.", "Open with empathy.", "Say what happens next."]}}]}]}


# no direction words: the week has no previous one, so no verdict allows a
# change (41-narrative-claims.t checks the directions)
GOOD = [{"content": {"paragraphs": ["Most suggestions were used this week.", "Refund replies worked best.",
                                    "Restart advice was rejected most.", "Confidence has no earlier week to compare.",
                                    "Refunds are the topic to watch."]}}]
WRONG = [{"content": {"paragraphs": ["Acceptance reached 99.9% this week.", "b", "c", "d", "e"]}}]


def run(out, server=None, extra=None, args=()):
    env = {"AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates"), "AIDIGEST_LLM_BACKOFF_MS": "10",
           "AIDIGEST_LLM_MODEL": "test-model", "OPENAI_API_KEY": ""}
    if server:
        env.update({"OPENAI_API_KEY": KEY, "AIDIGEST_LLM_BASE_URL": "http://127.0.0.1:%d/v1" % server.port})
    env.update(extra or {})
    r = t.run(["run", "--week", WEEK, "--logs", LOGS, "--out", out] + list(args), env=env)
    rep = None
    path = os.path.join(out, WEEK, "report.json")
    if os.path.exists(path):
        rep = json.load(open(path))
    return r, rep


def all_output_text(out, r):
    chunks = [r.stdout, r.stderr]
    for d, _, files in os.walk(out):
        for fn in files:
            with open(os.path.join(d, fn), "rb") as f:
                chunks.append(f.read().decode("utf-8", "replace"))
    return "\n".join(chunks)


def check_requests(reqs, what):
    valid = all(q["path"] == "/v1/chat/completions" and q["body"] and q["body"].get("model") == "test-model"
                and [m["role"] for m in q["body"]["messages"]][:2] == ["system", "user"]
                and all(isinstance(m.get("content"), str) for m in q["body"]["messages"])
                and q["body"].get("response_format", {}).get("type") == "json_schema" for q in reqs)
    t.ok(reqs and valid, "%s: %d valid chat-completion requests" % (what, len(reqs)))
    leaked = [p for q in reqs for p in PII if p in q["raw"]]
    t.is_(leaked, [], "%s: no personal data from the logs in any request" % what)
    t.ok(all(q["headers"].get("Authorization") == "Bearer " + KEY and KEY not in q["raw"] for q in reqs),
         "%s: the key only in the Authorization header" % what)
    t.ok(any("[email]" in q["raw"] and "[phone]" in q["raw"] for q in reqs),
         "%s: the prompts carry the masked texts" % what)


# offline: no key
out0 = os.path.join(tmp, "offline")
r, rep = run(out0)
t.is_(r.returncode, 0, "no key: exit 0")
t.is_(rep and rep["narrative"]["source"], {"summary": "builtin", "self_summary": "builtin", "coach_notes": "builtin"},
      "no key: the built-in narrator wrote every part")
t.is_(rep and rep["narrative"]["summary"].count("\n\n"), 4, "no key: five paragraphs")
t.is_(rep and len(rep["narrative"]["coach_notes"]), 3, "no key: three coach notes")
first = open(os.path.join(out0, WEEK, "report.json"), "rb").read()
r, rep = run(out0)
t.ok(open(os.path.join(out0, WEEK, "report.json"), "rb").read() == first, "no key: a re-run is byte-identical")
t.is_([p for p in PII if p in first.decode("utf-8")], [], "no key: no personal data in report.json")
t.ok("narrative" not in r.stderr, "no key: no fallback message")

# with a key: the LLM writes it, then the cache answers
srv = Server(scenario(GOOD))
out1 = os.path.join(tmp, "llm")
r, rep = run(out1, srv)
t.is_(r.returncode, 0, "llm: exit 0")
t.is_(rep and rep["narrative"]["source"], {"summary": "llm:test-model", "self_summary": "llm:test-model",
                                           "coach_notes": "llm:test-model"}, "llm: every part by the LLM")
t.ok(rep and rep["narrative"]["summary"].startswith("Most suggestions were used this week.\n\nRefund replies"), "llm: its text")
reqs = srv.requests()
t.is_(len(reqs), 3, "llm: three requests")
check_requests(reqs, "llm")
text = all_output_text(out1, r)
t.ok(KEY not in text and "FUNC-SECRET" not in text, "llm: the key is in no output file, stdout or stderr")
report1 = open(os.path.join(out1, WEEK, "report.json"), "rb").read()
r, rep = run(out1, srv)
t.is_(len(srv.requests()), 3, "cache: a re-run of the same week sends no request")
t.ok(open(os.path.join(out1, WEEK, "report.json"), "rb").read() == report1, "cache: and writes the same report.json")
srv.stop()

# --offline with a key: no request at all
srv = Server(scenario(GOOD))
r, rep = run(os.path.join(tmp, "offline-flag"), srv, args=["--offline"])
t.is_(rep and rep["narrative"]["source"]["summary"], "builtin", "--offline: built-in narrator")
t.is_(len(srv.requests()), 0, "--offline: no request")
srv.stop()

# a text with a wrong number: one corrective retry, then the built-in narrator, and it says so
srv = Server(scenario(WRONG))
out2 = os.path.join(tmp, "wrong")
r, rep = run(out2, srv)
t.is_(r.returncode, 0, "wrong number: exit 0")
src = rep["narrative"]["source"]["summary"] if rep else ""
t.is_(src, "builtin (fallback: fact check failed twice: 1 number is not a figure of the week)",
      "wrong number: source says why, without quoting the number")
t.is_(rep and rep["narrative"]["source"]["self_summary"], "llm:test-model", "wrong number: other parts kept")
t.ok("99.9%" not in (rep or {}).get("narrative", {}).get("summary", "99.9%"), "wrong number: not published")
lines = [ln for ln in r.stderr.splitlines() if "narrative" in ln]
t.is_(len(lines), 1, "wrong number: one line on stderr")
t.ok(lines and "summary: built-in narrator used: fact check failed" in lines[0], "wrong number: it names the part")
t.is_(len(srv.requests()), 4, "wrong number: one retry")
check_requests(srv.requests(), "wrong number")
srv.stop()

# a hang: the timeout ends it, the run completes with the built-in narrator
srv = Server(scenario([{"delay": 3, "content": GOOD[0]["content"]}]))
out3 = os.path.join(tmp, "hang")
r, rep = run(out3, srv, extra={"AIDIGEST_LLM_TIMEOUT_MS": "400", "AIDIGEST_LLM_MAX_ATTEMPTS": "2"})
t.is_(r.returncode, 0, "hang: exit 0")
srcs = rep["narrative"]["source"] if rep else {}
t.ok(all(v.startswith("builtin (fallback: ") for v in srcs.values()) and "timed out" in srcs.get("summary", ""),
     "hang: every part falls back, the summary says it timed out")
t.is_(len(srv.requests()), 2, "hang: two attempts, then no more requests")
t.ok(KEY not in all_output_text(out3, r), "hang: the key is in no output")
srv.stop()

sys.exit(t.done())
