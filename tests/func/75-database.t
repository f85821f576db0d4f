#!/usr/bin/python3
"""run --db: the weekly_ai_reports table in a real PostgreSQL server (Debian's
postgresql: initdb + pg_ctl in a temporary directory, TCP on a free
127.0.0.1 port with scram-sha-256 logins, the superuser on a Unix socket in
that directory) and in a real SQLite file. Rows are read back with psql and
the sqlite3 CLI and compared with each week's report.json; a re-run week is
still one row; a database that is down or refuses the login ends the run
with one line and exit 3 after every file is written, and the next run
stores the week it missed; the password appears in no output."""
import atexit
import glob
import json
import os
import pwd
import socket
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402

PASSWORD = "Pa55:w0rd@S3cret"
WRONG = "Wr0ngPassw0rd-77"
for k in list(os.environ):
    if k.startswith("PG") or k == "AIDIGEST_DATABASE_URL":
        del os.environ[k]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def as_server_user():
    """The command prefix that runs PostgreSQL's tools: initdb refuses root,
    so as root (CI) they run as the postgres user (or nobody)."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            return ["runuser", "-u", name, "--"], pwd.getpwnam(name)
        except KeyError:
            pass
    return [], None


class PgServer:
    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("no /usr/lib/postgresql/*/bin/initdb (Debian's postgresql, deps/debian-test.txt)")
        self.bin = os.path.dirname(bins[-1])
        self.dir = t.tmpdir()
        self.port = free_port()
        self.prefix, user = as_server_user()
        if user:
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        data = os.path.join(self.dir, "data")
        subprocess.run(self.prefix + [self.bin + "/initdb", "-D", data, "-U", "postgres", "-A", "trust",
                                      "--no-sync", "-E", "UTF8", "--locale=C"],
                       check=True, capture_output=True)
        with open(os.path.join(data, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n"
                    "fsync = off\nshared_buffers = 16MB\nmax_connections = 20\n" % (self.port, self.dir))
        with open(os.path.join(data, "pg_hba.conf"), "w") as f:
            f.write("local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
        subprocess.run(self.prefix + [self.bin + "/pg_ctl", "-D", data, "-l", os.path.join(self.dir, "log"),
                                      "-w", "-t", "60", "start"], check=True, capture_output=True)
        self.data = data
        atexit.register(self.stop)  # before taplib removes the directory (atexit runs in reverse)

    def stop(self):
        subprocess.run(self.prefix + [self.bin + "/pg_ctl", "-D", self.data, "-m", "immediate", "stop"],
                       capture_output=True)

    def psql(self, sql, db="aid"):
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.dir,
                            "-p", str(self.port), "-U", "postgres", "-d", db, "-c", sql],
                           capture_output=True, text=True)
        if r.returncode:
            t.diag("psql: " + r.stderr)
        return r.stdout.strip()


def report(out, week):
    with open(os.path.join(out, week, "report.json")) as f:
        return json.load(f)


def headline(rep):
    """The typed columns as report.json has them (alerts: NULL until the
    report has an alerts array)."""
    alerts = rep.get("alerts")
    return [rep["week"], rep["period"]["start"], rep["period"]["end"], rep["generated_at"],
            rep["totals"]["suggestions"], rep["rates"]["acceptance"], rep["rates"]["use"],
            rep["confidence"]["mean"], rep["confidence"]["ece"],
            len(alerts) if isinstance(alerts, list) else None]


def run(out, week, *extra, env=None):
    return t.run(["run", "--offline", "--logs", "inputs", "--out", out, "--week", week] + list(extra), env=env)


def one_db_line(r, what):
    lines = [l for l in r.stderr.splitlines() if "database" in l]
    t.is_(len(lines), 1, what + ": one line about the database")
    return lines[0] if lines else ""


# ---- PostgreSQL ----
try:
    pg = PgServer()
    t.ok(True, "PostgreSQL started (%s, port %d)" % (pg.bin, pg.port))
except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
    t.ok(False, "PostgreSQL started: %s %s" % (e, getattr(e, "stderr", b"") or b""))
    sys.exit(t.done())
pg.psql("CREATE ROLE aid LOGIN PASSWORD '%s'" % PASSWORD, db="postgres")
pg.psql("CREATE DATABASE aid OWNER aid", db="postgres")
enc = urllib.parse.quote(PASSWORD, safe="")
url = "postgresql://aid:%s@127.0.0.1:%d/aid" % (enc, pg.port)
out = t.tmpdir()

r = run(out, "2026-W46", "--db", url)
t.is_(r.returncode, 0, "run --db postgresql://: exit 0")
t.ok(PASSWORD not in r.stdout + r.stderr and enc not in r.stdout + r.stderr, "the password is in no output")
r = run(out, "2026-W47", env={"AIDIGEST_DATABASE_URL": "postgresql://aid@127.0.0.1:%d/aid" % pg.port,
                              "PGPASSWORD": PASSWORD})
t.is_(r.returncode, 0, "AIDIGEST_DATABASE_URL with PGPASSWORD: exit 0")
t.ok("NOTICE" not in r.stderr, "no server notice on stderr (the schema exists: CREATE ... IF NOT EXISTS)")

rows = pg.psql("SELECT json_agg(json_build_array(week, to_char(period_start AT TIME ZONE 'UTC',"
               " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(period_end AT TIME ZONE 'UTC',"
               " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(generated_at AT TIME ZONE 'UTC',"
               " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), suggestions, acceptance, use_rate, confidence_mean, ece,"
               " alerts) ORDER BY week) FROM weekly_ai_reports")
got = json.loads(rows or "null")
want = [headline(report(out, w)) for w in ("2026-W46", "2026-W47")]
t.is_(got, want, "psql: two rows, typed columns equal report.json's")
reps = json.loads(pg.psql("SELECT json_agg(report ORDER BY week) FROM weekly_ai_reports") or "null")
t.ok(reps == [report(out, w) for w in ("2026-W46", "2026-W47")],
     "psql: the report column is the whole report.json of each week")
t.is_(pg.psql("SELECT string_agg(version::text, ',') FROM aidigest_schema"), "1",
      "aidigest_schema: version 1")
t.is_(pg.psql("SELECT jsonb_typeof(report) FROM weekly_ai_reports LIMIT 1"), "object", "report is jsonb")

r = run(out, "2026-W47", "--db", url)
t.is_(r.returncode, 0, "W47 again: exit 0")
t.is_(pg.psql("SELECT count(*) || ' ' || count(*) FILTER (WHERE week = '2026-W47') FROM weekly_ai_reports"),
      "2 1", "upserted by week: still one W47 row, two in all")

# ---- down and refused: one line, exit 3, every file written ----
down = t.tmpdir()
closed = free_port()
r = run(down, "2026-W46", "--db", "postgresql://aid:%s@127.0.0.1:%d/aid" % (enc, closed))
t.is_(r.returncode, 3, "nothing listening: exit 3")
line = one_db_line(r, "nothing listening")
t.ok("cannot connect" in line and "aid:***@127.0.0.1:%d/aid" % closed in line and "is written" in line,
     "... says it cannot connect, names the URL masked, says the week is written: " + line)
t.ok(PASSWORD not in r.stdout + r.stderr and enc not in r.stdout + r.stderr, "... no password")
t.is_(sorted(os.listdir(os.path.join(down, "2026-W46"))), sorted(os.listdir(os.path.join(out, "2026-W46"))),
      "... every file of the week is written")
t.ok(os.path.exists(os.path.join(down, "index.html")) and "2026-W46" in
     open(os.path.join(down, "weekly_ai_reports.jsonl")).read(), "... the index and the JSON Lines table too")

r = run(down, "2026-W46", "--db", "postgresql://aid:%s@127.0.0.1:%d/aid" % (WRONG, pg.port))
t.is_(r.returncode, 3, "wrong password in the URL: exit 3")
line = one_db_line(r, "wrong password")
t.ok("login refused" in line and "aid:***@" in line, "... says the login was refused: " + line)
t.ok(WRONG not in r.stdout + r.stderr, "... the password is in no output")
r = run(down, "2026-W46", "--db", "postgresql://aid@127.0.0.1:%d/aid" % pg.port, env={"PGPASSWORD": WRONG})
t.is_(r.returncode, 3, "wrong PGPASSWORD: exit 3")
t.ok(WRONG not in r.stdout + r.stderr and "login refused" in r.stderr, "... refused, the password in no output")
t.is_(pg.psql("SELECT count(*) FROM weekly_ai_reports"), "2", "the table is as it was")

# the week missed while the database was down comes in with the next run
# (from OUT/weekly_ai_reports.jsonl), into a database that has neither week
pg.psql("CREATE DATABASE aid2 OWNER aid", db="postgres")
r = run(down, "2026-W45", "--db", "postgresql://aid:%s@127.0.0.1:%d/aid2" % (enc, pg.port))
t.is_(r.returncode, 0, "next run, database up: exit 0")
t.ok("stored 1 earlier week" in r.stderr, "... says it stored the missed week")
got = json.loads(pg.psql("SELECT json_agg(json_build_array(week, suggestions, report) ORDER BY week)"
                         " FROM weekly_ai_reports", db="aid2") or "null")
t.is_(got, [[w, report(down, w)["totals"]["suggestions"], report(down, w)] for w in ("2026-W45", "2026-W46")],
      "psql: W45 and the missed W46, each its report.json")

r = t.run(["run", "--db", "mysql://aid:%s@h/x" % WRONG])
t.is_(r.returncode, 2, "not a database URL: usage error before any work")
t.ok(WRONG not in r.stderr and "aid:***@h" in r.stderr, "... masked: " + r.stderr.strip())
r = t.run(["run", "--offline", "--week", "2026-W47"], env={"AIDIGEST_DATABASE_URL": "mysql://aid:%s@h/x" % WRONG})
t.ok(r.returncode == 2 and "AIDIGEST_DATABASE_URL: 'mysql://aid:***@h/x'" in r.stderr and WRONG not in r.stderr,
     "the same from AIDIGEST_DATABASE_URL, named: " + r.stderr.strip())
r = t.run(["render", "--db", url])
t.is_(r.returncode, 2, "--db goes with run only")

# ---- SQLite ----
db = os.path.join(t.tmpdir(), "reports.db")
# W47 twice: the first run also brings W46 from the JSON Lines table, the
# second upserts W47
for n in (1, 2):
    r = run(out, "2026-W47", "--db", "sqlite:" + db)
    t.is_(r.returncode, 0, "run --db sqlite: W47 (%d): exit 0" % n)


def sqlite(sql):
    r = subprocess.run(["sqlite3", "-json", db, sql], capture_output=True, text=True)
    if r.returncode:
        t.diag("sqlite3: " + r.stderr)
    return json.loads(r.stdout or "[]")


rows = sqlite("SELECT week, period_start, period_end, generated_at, suggestions, acceptance, use_rate,"
              " confidence_mean, ece, alerts FROM weekly_ai_reports ORDER BY week")
t.is_([list(x.values()) for x in rows], want, "sqlite3: two rows (W46 from the table, W47 upserted), typed columns equal report.json's")
rows = sqlite("SELECT report FROM weekly_ai_reports WHERE week = '2026-W47'")
t.ok(rows and json.loads(rows[0]["report"]) == report(out, "2026-W47"), "sqlite3: the report column is report.json")
t.is_(sqlite("SELECT version FROM aidigest_schema"), [{"version": 1}], "sqlite3: aidigest_schema version 1")

sys.exit(t.done())
