#!/usr/bin/python3
"""What a killed run leaves behind is cleaned up by the next run: stage
directories of runs no longer alive are removed, and the weekly table and
the archive index are rebuilt from the weeks on disk when they disagree
(a kill just after the week's rename). Stage directories are never
committed by --publish nor deployed by .github/workflows/weekly.yml."""
import errno
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402


def sug(i, ts, action="accepted"):
    return json.dumps({"type": "suggestion", "id": i, "ts": ts, "ai_reply": "Hello there, happy to help.",
                       "action": action, "confidence": 0.5, "customer_message": "hello"}) + "\n"


def dead_pid():
    for pid in (999999, 3999999, 888887, 777771):
        try:
            os.kill(pid, 0)
        except OSError as e:
            if e.errno == errno.ESRCH:
                return pid
    return None


def table(out):
    with open(os.path.join(out, "weekly_ai_reports.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def report(out, week):
    with open(os.path.join(out, week, "report.json")) as f:
        return json.load(f)


def index_weeks(out):
    with open(os.path.join(out, "index.html")) as f:
        return sorted(set(re.findall(r'href="(\d{4}-W\d\d)/index\.html"', f.read())))


tmp = t.tmpdir()
logs = os.path.join(tmp, "logs")
os.makedirs(logs)
with open(os.path.join(logs, "a.jsonl"), "w") as f:
    f.write(sug("a1", "2026-11-10T10:00:00Z") + sug("a2", "2026-11-11T10:00:00Z", "rejected"))
    f.write(sug("b1", "2026-11-17T10:00:00Z") + sug("b2", "2026-11-18T10:00:00Z"))
    f.write(sug("c1", "2026-11-24T10:00:00Z") + sug("c2", "2026-11-25T10:00:00Z", "edited"))
out = os.path.join(tmp, "out")


def run(week, extra=(), env=None):
    return t.run(["run", "--offline", "--week", week, "--logs", logs, "--out", out] + list(extra), env=env)


# 1. a kill just after the rename of W47: its row missing, the index of W46
r = run("2026-W46")
t.is_(r.returncode, 0, "W46 built")
old_index = open(os.path.join(out, "index.html")).read()
r = run("2026-W47")
t.is_(r.returncode, 0, "W47 built")
rows = [row for row in table(out) if row["week"] != "2026-W47"]
with open(os.path.join(out, "weekly_ai_reports.jsonl"), "w") as f:
    for row in rows:
        f.write(json.dumps(row) + "\n")
with open(os.path.join(out, "index.html"), "w") as f:
    f.write(old_index)
t.is_(index_weeks(out), ["2026-W46"], "simulated kill: the index lists only W46")
pid = dead_pid()
t.ok(pid is not None, "a pid that is not running")
stage = os.path.join(out, ".stage.tmp.%d" % pid)
os.makedirs(os.path.join(stage, "2026-W47"))
with open(os.path.join(stage, "2026-W47", "report.json"), "w") as f:
    f.write("{}\n")

r = run("2026-W48")
t.is_(r.returncode, 0, "the next run (W48) exits 0")
t.ok(not os.path.exists(stage), "the killed run's stage directory is removed")
t.ok("removed" in r.stderr and ".stage.tmp.%d" % pid in r.stderr, "and the run says so")
t.is_([row["week"] for row in table(out)], ["2026-W46", "2026-W47", "2026-W48"], "the table lists every week, in order")
t.ok(table(out)[1] == report(out, "2026-W47"), "W47's row is its report.json")
t.ok("weekly_ai_reports.jsonl" in r.stderr, "the repair of the table is reported")
t.is_(index_weeks(out), ["2026-W46", "2026-W47", "2026-W48"], "the index lists every week")
t.is_([n for n in os.listdir(out) if n.startswith(".stage")], [], "no stage directory left")

# 2. a row that differs from its week's report.json is put right
rows = table(out)
rows[0]["suggestions"] = 12345
with open(os.path.join(out, "weekly_ai_reports.jsonl"), "w") as f:
    for row in rows:
        f.write(json.dumps(row) + "\n")
r = run("2026-W48")
t.is_(r.returncode, 0, "re-run of W48")
t.ok(table(out)[0] == report(out, "2026-W46"), "the differing W46 row is replaced by its report.json")
t.is_(len(table(out)), 3, "still one row per week")

# 3. the stage directory of a live run is kept; one of a reused pid (a live
# process, but the directory over a day old) is removed
live = os.path.join(out, ".stage.tmp.%d" % os.getpid())
os.makedirs(os.path.join(live, "2026-W48"), exist_ok=True)
r = run("2026-W48")
t.is_(r.returncode, 0, "a run beside a live run's stage directory")
t.ok(os.path.isdir(live), "the live run's stage directory is kept")
day_old = time.time() - 2 * 86400
os.utime(live, (day_old, day_old))
r = run("2026-W48")
t.ok(not os.path.exists(live), "a stage directory over a day old is removed even if its pid is alive")

# 4. --publish never commits a stage directory (nor the raw quarantine)
home = os.path.join(tmp, "home")
os.makedirs(home)
genv = {"HOME": home, "GIT_CONFIG_NOSYSTEM": "1"}
genv_all = dict(os.environ, **genv)
subprocess.run(["git", "config", "--global", "user.name", "t"], env=genv_all, check=True)
subprocess.run(["git", "config", "--global", "user.email", "t@t"], env=genv_all, check=True)
os.makedirs(os.path.join(live, "2026-W48"), exist_ok=True)
with open(os.path.join(live, "2026-W48", "report.json"), "w") as f:
    f.write("{}\n")
os.makedirs(os.path.join(out, ".raw", "2026-W48"), exist_ok=True)
with open(os.path.join(out, ".raw", "2026-W48", "rejected.jsonl"), "w") as f:
    f.write('{"text":"raw"}\n')
r = run("2026-W48", ["--publish"], env=genv)
t.is_(r.returncode, 0, "run --publish with a live run's stage directory in OUT")
files = subprocess.run(["git", "-C", out, "ls-files"], env=genv_all, capture_output=True, text=True).stdout.split()
t.ok("2026-W48/report.json" in files, "the week is committed")
t.is_([f for f in files if ".stage.tmp." in f], [], "no .stage.tmp file is committed")
t.is_([f for f in files if f.startswith(".raw/")], [], "no .raw file is committed")

# 5. the Pages deploy step of weekly.yml leaves them out
wf = open(os.path.join(t.ROOT, ".github", "workflows", "weekly.yml")).read()
tar = [line.strip() for line in wf.splitlines() if line.strip().startswith("tar -C out")]
t.is_(len(tar), 1, "weekly.yml builds the site with one tar line")
site = os.path.join(tmp, "deploy")
os.makedirs(site)
os.symlink(out, os.path.join(site, "out"))
subprocess.run(["sh", "-c", "mkdir -p _site && " + tar[0]], cwd=site, check=True)
deployed = []
for d, _, fs in os.walk(os.path.join(site, "_site")):
    deployed += [os.path.relpath(os.path.join(d, f), os.path.join(site, "_site")) for f in fs]
t.ok("2026-W48/report.json" in deployed and "index.html" in deployed, "the site has the weeks and the index")
t.is_([f for f in deployed if ".stage.tmp." in f or f.startswith(".raw/") or f.startswith(".git/")], [],
      "no stage directory, raw quarantine or .git in the site")
shutil.rmtree(live, ignore_errors=True)

sys.exit(t.done())
