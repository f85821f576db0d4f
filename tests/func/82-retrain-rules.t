#!/usr/bin/python3
"""aidigest retrain on two prompts: the selection rules (a high-rejection
reply offered through QA is not added, casing/white-space/emoji variants are
one example, the most used wording, each example's customer message is its
own suggestion's, a prompt with nothing to add gets no version and no
delta), --dry-run (the plan with reasons, nothing written), the fine-tuning
set (each pair once, no placeholder-only message, a held-out file), the
all-or-nothing swap (a fault between the prompts and the deltas leaves both
as they were) and --publish against a bare repository."""
import calendar
import hashlib
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

WEEK = "2026-W47"
BAD = ("As per our policy, we are unable to process this request at the moment. Please refer to the terms "
       "and conditions on our website.")
SORRY = ["I'm sorry your delivery is delayed. Your package is at the local hub and arrives within 2 days.",
         "i'm sorry your delivery is delayed. Your package is at the local hub and arrives within 2 days.",
         "I'm sorry your delivery is  delayed. Your package is at the local hub and arrives within 2 days. \U0001F642"]
LABEL = "A prepaid return label is on its way to your e-mail; pack the item and our courier picks it up tomorrow."
FIX = "I have asked the warehouse to reship your order today with express delivery at no cost to you."
KEEP = "Your refund was issued today and reaches your card within 5 business days."

n = [0]


def sug(reply, action, customer, prompt="shipping", version="v3", day=17):
    n[0] += 1
    return {"type": "suggestion", "id": "s%d" % n[0], "ts": "2026-11-%02dT%02d:%02d:00Z" % (day, 8 + n[0] % 10, n[0] % 60),
            "ai_reply": reply, "action": action, "customer_message": customer, "prompt_id": prompt,
            "prompt_version": version, "confidence": 0.8}


lines = []
# the most used casing variant (5 uses) and two others (3 each): one example
for k in range(5):
    lines.append(sug(SORRY[0], "accepted", "where is my parcel %s? it is late" % "abcde"[k]))
for k in range(3):
    lines.append(sug(SORRY[1], "accepted", "my delivery is late (variant one, %d)" % k))
    lines.append(sug(SORRY[2], "accepted", "delivery late again (variant two, %d)" % k))
# a reply agents use, answering messages of its own
for k in range(4):
    lines.append(sug(LABEL, "accepted", "I want to send the blender back (%d)" % k))
# many plain accepted suggestions, each once, keep the week's rejection rate low
WORDS = ("kettle lamp blender cushion chair case cooker mat hose grinder toaster shelf bottle jacket scarf "
         "helmet drill mirror pillow rug fan heater speaker router keyboard mouse monitor charger tripod vase").split()
for w in WORDS:
    lines.append(sug("Thanks for your message about the %s; we are on it." % w, "accepted", "ping about my %s" % w))
# BAD: rejected 8 of 10, far above the week's rate
for k in range(8):
    lines.append(sug(BAD, "rejected", "cancel my order %d" % k))
for k in range(2):
    lines.append(sug(BAD, "accepted", "can I cancel %d" % k))
# QA corrects two suggestions: to BAD with a sign-off (refused) and to FIX (added)
lines.append(sug("Please wait.", "rejected", "where is my order?!", day=18))
qa_bad = lines[-1]["id"]
lines.append(sug("We will check.", "rejected", "my order never came, reship it", day=18))
qa_fix = lines[-1]["id"]
lines.append({"type": "correction", "suggestion_id": qa_bad, "ts": "2026-11-19T09:00:00Z",
              "corrected_reply": BAD + " Thanks! Let us know if there is anything else."})
lines.append({"type": "correction", "suggestion_id": qa_fix, "ts": "2026-11-19T09:10:00Z", "corrected_reply": FIX})
# refunds: its example is used again, nothing new reaches 3 uses: no change
for k in range(2):
    lines.append(sug(KEEP, "accepted", "refund status %d" % k, prompt="refunds", version="v3"))
lines.append(sug("We refund soon.", "accepted", "refund?", prompt="refunds", version="v3"))
# fine-tuning: a placeholder-only customer message, and an identical pair twice
lines.append(sug("Thanks, I found your order and it ships today.", "accepted", "jane.doe@example.com"))
lines.append(sug("Your parcel ships from Pune today.", "accepted", "when does it ship from pune"))
lines.append(sug("Your parcel ships from Pune today.", "accepted", "when does it ship from pune"))

tmp = t.tmpdir()
logs = os.path.join(tmp, "logs")
os.makedirs(logs)
with open(os.path.join(logs, "w47.jsonl"), "w") as f:
    for e in lines:
        f.write(json.dumps(e, ensure_ascii=False) + "\n")


def seed(out):
    os.makedirs(os.path.join(out, "prompts"), exist_ok=True)
    os.makedirs(os.path.join(out, "training"), exist_ok=True)
    with open(os.path.join(out, "prompts", "refunds.json"), "w") as f:
        json.dump({"prompt_id": "refunds", "version": "v3", "examples": [
            {"reply": KEEP, "customer_message": "refund?", "source": "accepted", "uses": 4}]}, f)
    with open(os.path.join(out, "prompts", "shipping.json"), "w") as f:
        json.dump({"prompt_id": "shipping", "version": "v3", "examples": []}, f)
    with open(os.path.join(out, "training", "deltas.jsonl"), "w") as f:
        f.write(json.dumps({"type": "prompt_update", "ts": "2026-11-09T00:00:00Z", "prompt_id": "shipping",
                            "from_version": "v2", "to_version": "v3"}) + "\n")


def snapshot(out):
    got = {}
    for d, _, files in os.walk(out):
        if "/.git" in d + "/":
            continue
        for fn in files:
            p = os.path.join(d, fn)
            got[os.path.relpath(p, out)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return got


env = {"SOURCE_DATE_EPOCH": str(calendar.timegm(time.strptime("2026-11-24T12:00:00Z", "%Y-%m-%dT%H:%M:%SZ")))}
args = ["retrain", "--week", WEEK, "--logs", logs]

# --- --dry-run: the plan, nothing written --------------------------------------
out = os.path.join(tmp, "dry")
seed(out)
before = snapshot(out)
r = t.run(args + ["--out", out, "--dry-run"], env=env)
t.is_(r.returncode, 0, "--dry-run exits 0") or t.diag(r.stderr)
t.is_(snapshot(out), before, "--dry-run writes nothing")
t.ok("shipping v3 -> v4: +3 -0 examples" in r.stdout, "the plan names shipping's change") or t.diag(r.stdout)
t.ok("refunds: no change" in r.stdout, "and says refunds does not change")
t.ok('+ "%s"' % SORRY[0] in r.stdout and "accepted: 11 uses of 11 suggestions, acceptance 11 of 11 (100.0%, 95% CI"
     in r.stdout, "an added reply with its uses and acceptance interval (the merged variants)")
t.ok('+ "%s"' % FIX in r.stdout and "QA correction" in r.stdout, "a QA correction with its reason")
t.ok("QA correction not added: rejected 8 of 10 (80.0%, 95% CI" in r.stdout and "credibly above the week's" in r.stdout,
     "the high-rejection correction is listed as not added, with why")

# --- the real run ------------------------------------------------------------
out = os.path.join(tmp, "out")
seed(out)
before = snapshot(out)
r = t.run(args + ["--out", out], env=env)
t.is_(r.returncode, 0, "retrain exits 0") or t.diag(r.stderr)
ship = json.load(open(os.path.join(out, "prompts", "shipping.json")))
t.is_(ship["version"], "v4", "shipping changed: v4")
replies = [e["reply"] for e in ship["examples"]]
t.ok(not any(BAD in x for x in replies), "a high-rejection reply offered through QA is not an example")
t.is_(sum(1 for x in replies if "sorry your delivery" in x.lower()), 1, "three casing/space/emoji variants: one example")
t.ok(SORRY[0] in replies, "the one kept is the most used wording")
t.ok(FIX in replies, "the QA correction is the corrected text")
by_reply = {e["reply"]: e.get("customer_message") for e in ship["examples"]}
t.is_(by_reply.get(SORRY[0]), "where is my parcel a? it is late", "the example's customer message is its own suggestion's")
t.is_(by_reply.get(LABEL), "I want to send the blender back (0)", "and for each example")
t.is_(by_reply.get(FIX), "my order never came, reship it", "a correction pairs with the corrected suggestion's message")
t.is_(snapshot(out)["prompts/refunds.json"], before["prompts/refunds.json"],
      "refunds had nothing to add: its file is untouched (no new version)")
deltas = [json.loads(x) for x in open(os.path.join(out, "training", "deltas.jsonl"))]
t.is_([(d["prompt_id"], d.get("to_version")) for d in deltas], [("shipping", "v3"), ("shipping", "v4")],
      "one new delta, shipping's; none for refunds")
t.ok(not any(n.startswith(".stage") for n in os.listdir(out)), "no stage directory left")

ft = [json.loads(x) for x in open(os.path.join(out, "training", "finetune-%s.jsonl" % WEEK))]
vf = [json.loads(x) for x in open(os.path.join(out, "training", "finetune-%s-validation.jsonl" % WEEK))]
allp = ft + vf
users = [p["messages"][1]["content"] for p in allp]
t.ok("[email]" not in users, "no placeholder-only customer message")
t.is_(users.count("when does it ship from pune"), 1, "an identical pair is written once")
t.is_(sum(1 for u in users if u.startswith("ping about my ")), 30, "other pairs are there")
t.is_(len(vf), len(allp) // 10, "10 %% held out (%d of %d)" % (len(vf), len(allp)))
r2 = t.run(args + ["--out", os.path.join(tmp, "again")], env=env)
vf2 = open(os.path.join(tmp, "again", "training", "finetune-%s-validation.jsonl" % WEEK)).read()
t.is_(vf2, open(os.path.join(out, "training", "finetune-%s-validation.jsonl" % WEEK)).read(),
      "the split is deterministic")

# --- the digest shows the same plan beside the Retrain Now control ----------
out = os.path.join(tmp, "digest")
seed(out)
r = t.run(["run", "--offline", "--week", WEEK, "--logs", logs, "--out", out], env=env)
t.is_(r.returncode, 0, "run exits 0") or t.diag(r.stderr)
rep = json.load(open(os.path.join(out, WEEK, "report.json")))
prev = {p["prompt_id"]: p for p in rep["retrain_preview"]}
t.is_((prev["shipping"]["changed"], prev["refunds"]["changed"]), (True, False),
      "report.retrain_preview: shipping would change, refunds would not")
t.is_([a["reply"] for a in prev["shipping"]["added"]], [e["reply"] for e in ship["examples"]],
      "the preview adds exactly what retrain added")
page = open(os.path.join(out, WEEK, "index.html"), encoding="utf-8").read()
sec = page[page.find('id="retrain"'):]
t.ok("What retraining would change" in sec and "QA correction not added" not in sec and "Kept out" in sec
     and "credibly above the week" in sec, "the HTML's Retrain Now section shows it with the reasons")
t.ok(os.path.exists(os.path.join(out, "prompts", "refunds.json")) and not os.path.exists(
    os.path.join(out, "training", "finetune-%s.jsonl" % WEEK)), "and the run changes no prompt")

# --- a fault between the prompt files and the deltas -------------------------
out = os.path.join(tmp, "fault")
seed(out)
before = snapshot(out)
r = t.run(args + ["--out", out], env=dict(env, AIDIGEST_RETRAIN_FAULT="after-prompts"))
t.is_(r.returncode, 3, "a failure after the prompts were moved: exit 3") or t.diag(r.stderr)
t.ok("fault injected after the prompts" in r.stderr, "one line says where")
t.is_(snapshot(out), before, "the previous prompts and deltas are as they were")
t.ok(not any(n.startswith(".stage") for n in os.listdir(out)), "no stage directory left")
r = t.run(args + ["--out", out], env=env)
t.is_(r.returncode, 0, "the next run goes through")

# --- --publish against a bare repository -------------------------------------
remote = os.path.join(tmp, "remote.git")
subprocess.run(["git", "init", "-q", "--bare", "-b", "digest-archive", remote], check=True)
out = os.path.join(tmp, "pub")
seed(out)
penv = dict(env, AIDIGEST_ARCHIVE_REMOTE=remote, AIDIGEST_GIT_BRANCH="digest-archive", HOME=tmp,
            GIT_CONFIG_NOSYSTEM="1")


def remote_log():
    p = subprocess.run(["git", "--git-dir", remote, "log", "--format=%s", "digest-archive"],
                       capture_output=True, text=True)
    return p.stdout.split("\n")[:-1] if p.returncode == 0 else None


r = t.run(args + ["--out", out, "--publish"], env=penv)
t.is_(r.returncode, 0, "retrain --publish exits 0") or t.diag(r.stderr)
t.is_(remote_log(), ["retrain: " + WEEK], "one commit 'retrain: <week>', pushed")
files = subprocess.run(["git", "--git-dir", remote, "ls-tree", "-r", "--name-only", "digest-archive"],
                       capture_output=True, text=True).stdout.split()
t.ok("prompts/shipping.json" in files and "training/deltas.jsonl" in files
     and "training/finetune-%s-validation.jsonl" % WEEK in files, "with the prompts and training files")
t.ok(not any(".stage" in x for x in files), "and no stage file")
head = subprocess.run(["git", "--git-dir", remote, "rev-parse", "digest-archive"], capture_output=True, text=True).stdout
r = t.run(args + ["--out", out, "--publish"], env=penv)
t.is_(r.returncode, 0, "a second run exits 0")
t.is_(remote_log(), ["retrain: " + WEEK], "and commits nothing")
t.is_(subprocess.run(["git", "--git-dir", remote, "rev-parse", "digest-archive"], capture_output=True,
                     text=True).stdout, head, "the remote branch did not move")
sys.exit(t.done())
