#!/usr/bin/python3
"""14-sample: the four sample weeks, run oldest first like `make digest`, against
inputs/planted.json (the input generator's own expectations, rounded to 4 decimals).
Per-week figures compare with the week's report; data_quality counts every line read
(all four weeks), so duplicates/unknown types/lines compare with sums; bad lines are
the week's own (the sample's are all W47's: each is reported once, by W47's run)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

TOL = 6e-5  # planted values have 4 decimals
inputs = os.path.join(t.ROOT, "inputs")
planted = json.load(open(os.path.join(inputs, "planted.json"), encoding="utf-8"))["weeks"]
weeks = sorted(planted)
out = os.path.join(t.tmpdir(), "out")
env = dict(os.environ, SOURCE_DATE_EPOCH="1764547200")
env.pop("OPENAI_API_KEY", None)
env.setdefault("AIDIGEST_TEMPLATES", os.path.join(t.ROOT, "templates"))
for w in weeks:
    p = subprocess.run([t.AIDIGEST, "run", "--offline", "--week", w, "--logs", inputs, "--out", out],
                       env=env, capture_output=True, timeout=300)
    t.is_(p.returncode, 0, "%s runs" % w) or t.diag(p.stderr.decode()[-2000:])


def close(got, want, desc):
    return t.close(got, want, desc, TOL)


total = lambda k: sum(planted[w].get(k, 0) for w in weeks)  # noqa: E731
for w in weeks:
    pl = planted[w]
    r = json.load(open(os.path.join(out, w, "report.json"), encoding="utf-8"))
    terms = json.load(open(os.path.join(out, w, "terms.json"), encoding="utf-8"))
    tot, c, dq = r["totals"], r["confidence"], r["data_quality"]
    t.is_([tot[k] for k in ("suggestions", "accepted", "edited", "rejected", "ignored")],
          [pl[k] for k in ("suggestions", "accepted", "edited", "rejected", "ignored")], "%s: totals" % w)
    close(r["rates"]["acceptance"], pl["acceptance"], "%s: acceptance" % w)
    t.is_(c["n"], pl["confidence_n"], "%s: confidence.n" % w)
    close(c["mean"], pl["confidence_mean"], "%s: confidence.mean" % w)
    for k, name in (("confidence_delta", "delta"), ("psi", "psi"), ("ks", "ks")):
        if k in pl:
            close(c[name], pl[k], "%s: confidence.%s" % (w, name))
        else:
            t.is_(c[name], None, "%s: confidence.%s null (no earlier week)" % (w, name))
    t.is_(tot["corrections"], pl["corrections"], "%s: corrections" % w)
    t.is_(dq["orphan_corrections"], pl["orphans"], "%s: orphan corrections" % w)
    t.is_(r["coach"]["vindicated"], pl["vindicated"], "%s: vindicated" % w)
    t.is_(dq["prompt_updates"], pl["prompt_update_events"], "%s: prompt updates" % w)
    t.is_(len(r["retraining"]), len(pl["prompt_updates"]), "%s: retraining entries" % w)
    for got, want in zip(r["retraining"], pl["prompt_updates"]):
        imp = got["impact"]
        t.is_((got["prompt_id"], imp["before"]["suggestions"], imp["after"]["suggestions"]),
              (want["prompt_id"], want["before_n"], want["after_n"]), "%s: %s update before/after counts" % (w, want["prompt_id"]))
        close(imp["before"]["acceptance"], want["acceptance_before"], "%s: acceptance before the update" % w)
        close(imp["after"]["acceptance"], want["acceptance_after"], "%s: acceptance after the update" % w)
    # planted term_counts are of words; terms.json counts stems (Snowball: delay and delayed are
    # `delay`, delivery is `deliveri`) and keeps each word's own count as a form of its stem
    stem_of = {"delay": "delay", "delayed": "delay", "delivery": "deliveri", "refund": "refund"}
    forms = terms["surfaces"]
    t.is_({k: forms.get(stem_of[k], {}).get(k, 0) for k in pl["term_counts"]}, pl["term_counts"],
          "%s: word counts, as forms of their stems" % w)
    for st in sorted(set(stem_of.values())):
        fs = forms.get(st, {})
        n = terms["terms"].get(st, 0)
        t.ok(max(fs.values() or [0]) <= n <= sum(fs.values()),
             "%s: %s counted once per message over its forms (%d, forms %s)" % (w, st, n, fs))
    t.ok("delayed" not in terms["terms"], "%s: no separate topic for delayed" % w)
    # counted over every line read
    t.is_(dq["lines"], total("lines"), "%s: data_quality.lines = all lines read" % w)
    t.is_(dq["duplicates"], total("duplicates"), "%s: duplicates over all weeks" % w)
    # outcome events (issue 15) are unknown types to a binary without the outcomes figure
    outcomes = 0 if "outcomes" in r else sum(planted[x]["outcomes"]["events"] for x in weeks)
    t.is_(dq["unknown_types"], total("unknown_types") + outcomes, "%s: unknown types over all weeks" % w)
    own = w == "2026-W47"
    t.is_(dq["bad_lines"], total("bad_lines") if own else 0, "%s: bad lines: the week's own" % w)
    t.is_({k: v for k, v in dq["bad_by_reason"].items() if v}, planted["2026-W47"]["bad_by_kind"] if own else {},
          "%s: bad lines by kind" % w)

r = json.load(open(os.path.join(out, "2026-W47", "report.json"), encoding="utf-8"))
rising = r["trends"]["rising"]
t.is_([x["topic"] for x in rising[:1]], ["delay"], "W47 trends: the planted delay signal rises, delay and delayed as one topic")
t.ok(all(x["q"] <= 0.05 and x["log2_ratio"] >= 1 and x["count"] >= 10 for x in rising),
     "W47 trends: every rising topic has >= 10 messages, q <= 0.05 and at least doubled")
t.ok(all("%" not in x["change"] and x["change"].startswith("x") for x in rising + r["trends"]["falling"]),
     "W47 trends: changes written x<ratio> (<n> from <e>), no percentage")
t.is_(r["trend_baseline"]["weeks"], ["2026-W44", "2026-W45", "2026-W46"], "W47 baseline: the three earlier weeks")
sys.exit(t.done())
