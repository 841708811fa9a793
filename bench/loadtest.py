"""Load test: scanners report output to a multi-worker Odoo while the periodic job runs.

    ./dev.py loadtest [--clients 8] [--seconds 60] [--mos 6] [--workers 2] [--keep]
    python -m bench.loadtest --config .odoo/odoo-loadtest.conf ...   (inside .venv)

In a throw-away database (backflush_loadtest_<random>, backflush_mrp without
demo data, the benchmark's factory: real-time valuation at standard cost, a
BoM of M components consumed on completion, the first one by the periodic
job), it starts Odoo on 127.0.0.1 with --workers (prefork) and a cron
worker, the periodic job scheduled every minute, and:

- K client processes report 1 unit at a time over XML-RPC, as a scanner
  user, each on a random order of a pool shared by all clients, each report
  with its own report_id; a fraction of the calls is cut by the client
  before the answer (socket timeout) and sent again, a fraction of the
  accepted reports is sent again (as after a lost answer) and must get the
  same answer, and a few report_ids are reused for another quantity and
  must be refused. A call that fails on the server's side of the network
  (a conflict Odoo gave up on after its retries, a cut connection) is sent
  again with the same report_id until it is answered;
- one more client runs the periodic job every few seconds (the scheduled
  action's "Run Manually") besides the cron worker.

After --seconds, the periodic job runs once more and the test checks that
each order's produced quantity is the number of its distinct accepted
reports, that components left stock exactly as BoM x produced, that every
report the clients sent was accepted or refused with a fault they saw (none
lost, none doubled, none recorded unseen), that resent reports got the first
answer, and that the consistency audit finds nothing. It prints the
reports per second, the latencies, the conflicts Odoo retried (its log's
"SERIALIZATION_FAILURE, retry" lines) and the faults by kind, and exits 1
when a check fails. Bounded: --seconds of load, then at most DRAIN_SECONDS
for the calls under way; loopback only.
"""
import argparse
import collections
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xmlrpc.client

from .run import Database, machine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(ROOT, "bench", "loadtest_server.py")
START_TIMEOUT = 300     # seconds until the server answers
DRAIN_SECONDS = 240     # after --seconds, for the calls under way and their resends
CALL_TIMEOUT = 120      # one XML-RPC call (Odoo's own retries sleep up to 31 s)
MAX_SENDS = 25          # sends of one report before the client gives up on it
# seconds between two manual runs of the periodic job: each one keeps one of the
# (two) workers busy, and locks every order of the pool
PERIODIC_EVERY = 15.0
# Odoo's fault codes on /xmlrpc/2 (odoo/service/wsgi_server.py)
FAULT_WARNING, FAULT_ACCESS = 2, 4
RETRY_LINE = re.compile(r"odoo\.service\.model: (\w+), retry \d+/\d+")
GAVE_UP_LINE = re.compile(r"odoo\.service\.model: (\w+), maximum number of tries reached")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--clients", type=int, default=8, help="scanner processes")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of the load")
    parser.add_argument("--mos", type=int, default=6, help="orders the clients share")
    parser.add_argument("--m", type=int, default=4, help="components in the BoM")
    parser.add_argument("--workers", type=int, default=2, help="Odoo HTTP workers (>= 2)")
    parser.add_argument("--resend", type=float, default=0.25,
                        help="fraction of accepted reports sent again with their report_id")
    parser.add_argument("--cut", type=float, default=0.15,
                        help="fraction of calls the client cuts before the answer")
    parser.add_argument("--reuse", type=float, default=0.1,
                        help="fraction of accepted reports whose report_id is then reused "
                             "for 2 units (must be refused)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.mos < 1 or args.m < 1:
        parser.error("--clients, --mos and --m must be at least 1")
    if args.workers < 2:
        parser.error("--workers must be at least 2: the test is about a multi-worker server")
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be in (0, 3600]")
    if not all(0 <= value <= 1 for value in (args.resend, args.cut, args.reuse)):
        parser.error("--resend, --cut and --reuse are fractions between 0 and 1")
    return args


def log(message):
    print("loadtest: %s" % message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the database steps (Odoo as a library, in their own process) ---------------------
def step(database, workdir, name, **params):
    path_in = os.path.join(workdir, "%s-in.json" % name)
    path_out = os.path.join(workdir, "%s-out.json" % name)
    with open(path_in, "w") as handle:
        json.dump(dict(params, config=database.config, db=database.name), handle)
    if subprocess.call([sys.executable, "-m", "bench.loadtest_steps", name, path_in,
                        path_out], cwd=ROOT):
        raise RuntimeError("step %s failed; see the messages above" % name)
    with open(path_out) as handle:
        return json.load(handle)


def allow_cron(database):
    """Addons left 'to install' make Odoo's cron skip the database (see tools/devtools)."""
    import psycopg2
    conn = psycopg2.connect(**dict(database.connect_args, dbname=database.name))
    with conn, conn.cursor() as cr:
        cr.execute("UPDATE ir_module_module SET state = 'uninstalled' "
                   "WHERE state = 'to install'")
    conn.close()


# -- the server ---------------------------------------------------------------------
class Server:
    def __init__(self, database, workers, log_path):
        self.database = database
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = log_path
        self.workers = workers
        self.process = None

    def command(self):
        return [sys.executable, SERVER, "-c", self.database.config, "-d", self.database.name,
                "--db-filter", "^%s$" % self.database.name, "--http-interface", "127.0.0.1",
                "--http-port", str(self.port), "--longpolling-port", str(free_port()),
                "--workers", str(self.workers), "--max-cron-threads", "1",
                # a call may wait for Odoo's own retries (up to 31 s of sleep): time, not CPU
                "--limit-time-real", "600", "--limit-time-cpu", "300",
                "--limit-request", "100000", "--log-level", "info"]

    def start(self):
        with open(self.log_path, "w") as handle:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, stdout=handle,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the Odoo server exited (%s); see %s"
                                   % (self.process.returncode, self.log_path))
            try:
                with urllib.request.urlopen(self.url + "/web/login", timeout=10) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError("the Odoo server did not answer within %d s; see %s"
                           % (START_TIMEOUT, self.log_path))

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: the workers too
            self.process.wait(timeout=30)

    def log_counts(self):
        retried, gave_up = collections.Counter(), collections.Counter()
        tracebacks = 0
        with open(self.log_path, errors="replace") as handle:
            for line in handle:
                match = RETRY_LINE.search(line)
                if match:
                    retried[match.group(1)] += 1
                match = GAVE_UP_LINE.search(line)
                if match:
                    gave_up[match.group(1)] += 1
                tracebacks += line.startswith("Traceback ")
        return retried, gave_up, tracebacks


# -- the clients ----------------------------------------------------------------------
class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def _proxy(url, timeout):
    return xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object", allow_none=True,
                                     transport=_Transport(timeout))


def _login(url, db, login, password):
    common = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common",
                                       transport=_Transport(CALL_TIMEOUT))
    for _attempt in range(10):
        try:
            uid = common.authenticate(db, login, password, {})
        except (OSError, xmlrpc.client.ProtocolError):
            time.sleep(1)
            continue
        if not uid:
            raise RuntimeError("login %s refused on database %s" % (login, db))
        return uid
    raise RuntimeError("cannot log in as %s" % login)


# what a fault code 1 says when Odoo gave up on a conflict after its retries
CONFLICTS = (
    (("could not serialize", "SerializationFailure"), "conflict"),
    (("deadlock detected",), "deadlock"),
    (("could not obtain lock",), "lock wait"),
)


def classify(fault):
    """The kind of an XML-RPC fault, and whether sending again may succeed."""
    text = fault.faultString
    if fault.faultCode == FAULT_WARNING:
        if "already recorded" in text:
            return "refused: report_id reused for another report", False
        return "refused: %s" % text.strip().splitlines()[0][:80], False
    if fault.faultCode == FAULT_ACCESS:
        return "refused: access", False
    for markers, kind in CONFLICTS:
        if any(marker in text for marker in markers):
            return "%s Odoo gave up on after its retries (sent again)" % kind, True
    last = [line for line in text.strip().splitlines() if line.strip()][-1:]
    return "server error: %s" % (last[0][:100] if last else "?"), True


class Scanner:
    """One client process: reports 1 unit at a time until the deadline."""

    def __init__(self, number, url, db, setup, args, deadline, out_path):
        self.number, self.url, self.db = number, url, db
        self.setup, self.args, self.deadline, self.out_path = setup, args, deadline, out_path
        self.random = random.Random((args.seed or 0) * 1000 + number
                                    if args.seed is not None else None)
        self.reports = []      # {report_id, mo, qty, outcome, kind, sends, answer}
        self.calls = []        # seconds of every call that was answered
        self.faults = collections.Counter()
        self.cuts = self.cut_answered = 0
        self.resends = self.resends_same = 0
        self.hard_stop = deadline + DRAIN_SECONDS

    def run(self):
        self.uid = _login(self.url, self.db, self.setup["login"], self.setup["password"])
        self.proxy = _proxy(self.url, CALL_TIMEOUT)
        sequence = accepted = 0
        # every so many accepted reports (the first ones included, so that a
        # short run has some): one sent again, one report_id reused
        resend_every = max(1, int(round(1 / self.args.resend))) if self.args.resend else 0
        reuse_every = max(1, int(round(1 / self.args.reuse))) if self.args.reuse else 0
        while time.time() < self.deadline:
            sequence += 1
            report_id = "scanner-%d/%06d" % (self.number, sequence)
            mo = self.random.choice(self.setup["production_ids"])
            report = self.send(report_id, mo, 1.0)
            if report["outcome"] != "accepted":
                continue
            if resend_every and accepted % resend_every == 0:
                self.resend(report)
            if reuse_every and accepted % reuse_every == 1:
                self.send(report_id, mo, 2.0, expect_refusal=True)
            accepted += 1
        with open(self.out_path, "w") as handle:
            json.dump({"reports": self.reports, "calls": self.calls, "faults": self.faults,
                       "cuts": self.cuts, "cut_answered": self.cut_answered,
                       "resends": self.resends, "resends_same": self.resends_same}, handle)

    def _call(self, proxy, report_id, mo, qty):
        return proxy.execute_kw(self.db, self.uid, self.setup["password"], "mrp.production",
                                "backflush_report_output", [mo, qty], {"report_id": report_id})

    def send(self, report_id, mo, qty, expect_refusal=False):
        """Send until answered: {'outcome': accepted|refused|unresolved, ...}."""
        report = {"report_id": report_id, "mo": mo, "qty": qty, "sends": 0,
                  "expect_refusal": expect_refusal}
        while report["sends"] < MAX_SENDS and time.time() < self.hard_stop:
            report["sends"] += 1
            if self.random.random() < self.args.cut and self.cut_once(report_id, mo, qty):
                continue
            started = time.monotonic()
            try:
                answer = self._call(self.proxy, report_id, mo, qty)
            except xmlrpc.client.Fault as fault:
                self.calls.append(time.monotonic() - started)
                kind, transient = classify(fault)
                self.faults[kind] += 1
                if transient:
                    continue
                report.update(outcome="refused", kind=kind)
                break
            except (OSError, xmlrpc.client.ProtocolError, ConnectionError) as error:
                self.faults["connection error (sent again): %s" % type(error).__name__] += 1
                time.sleep(0.5)
                continue
            self.calls.append(time.monotonic() - started)
            report.update(outcome="accepted", answer=answer)
            break
        else:
            report["outcome"] = "unresolved"
        self.reports.append(report)
        return report

    def cut_once(self, report_id, mo, qty):
        """Send, then close the connection before the answer; True when it was cut."""
        proxy = _proxy(self.url, self.random.uniform(0.01, 0.3))
        try:
            self._call(proxy, report_id, mo, qty)
        except (OSError, xmlrpc.client.ProtocolError, ConnectionError):
            self.cuts += 1
            return True
        except xmlrpc.client.Fault:
            pass
        self.cut_answered += 1   # too fast to cut: the answer is read again by the resend
        return True

    def resend(self, report):
        """The same report again, as after a lost answer: the first answer must come back."""
        self.resends += 1
        again = self.send(report["report_id"], report["mo"], report["qty"])
        self.reports.pop()     # the same report, not a new one
        report["resent"] = again["outcome"]
        if again["outcome"] == "accepted" and again["answer"] == report["answer"]:
            self.resends_same += 1
        else:
            report["resend_answer"] = again.get("answer") or again.get("kind")


def run_scanner(number, url, db, setup, args, deadline, out_path):
    Scanner(number, url, db, setup, args, deadline, out_path).run()


class PeriodicClient:
    """The scheduled action's 'Run Manually', every few seconds, as the administrator."""

    def __init__(self, url, db, cron_id, deadline, out_path):
        self.url, self.db, self.cron_id = url, db, cron_id
        self.deadline, self.out_path = deadline, out_path

    def run(self):
        uid = _login(self.url, self.db, "admin", "admin")
        proxy = _proxy(self.url, CALL_TIMEOUT * 3)
        outcomes = collections.Counter()
        while time.time() < self.deadline:
            outcomes[trigger_periodic(proxy, self.db, uid, self.cron_id)] += 1
            time.sleep(PERIODIC_EVERY)
        with open(self.out_path, "w") as handle:
            json.dump(outcomes, handle)


def trigger_periodic(proxy, db, uid, cron_id):
    try:
        proxy.execute_kw(db, uid, "admin", "ir.cron", "method_direct_trigger", [[cron_id]])
        return "ran"
    except xmlrpc.client.Fault as fault:
        return "fault: %s" % classify(fault)[0]
    except (OSError, xmlrpc.client.ProtocolError) as error:
        return "connection error: %s" % type(error).__name__


def run_periodic(url, db, cron_id, deadline, out_path):
    PeriodicClient(url, db, cron_id, deadline, out_path).run()


# -- the run --------------------------------------------------------------------------
def load(args, server, database, setup, workdir):
    """Start the clients, wait for them; (their results, the periodic runs, seconds)."""
    context = multiprocessing.get_context("fork")
    started = time.time()
    deadline = started + args.seconds
    processes = []
    for number in range(args.clients):
        path = os.path.join(workdir, "scanner-%d.json" % number)
        processes.append((path, context.Process(target=run_scanner, args=(
            number, server.url, database.name, setup, args, deadline, path))))
    periodic_path = os.path.join(workdir, "periodic.json")
    processes.append((periodic_path, context.Process(target=run_periodic, args=(
        server.url, database.name, setup["cron_id"], deadline, periodic_path))))
    for _path, process in processes:
        process.start()
    for _path, process in processes:
        process.join(max(1.0, deadline + DRAIN_SECONDS - time.time()))
    killed = 0
    for _path, process in processes:
        if process.is_alive():
            killed += 1
            process.terminate()
            process.join(10)
    seconds = time.time() - started
    results = []
    for path, _process in processes[:-1]:
        if os.path.exists(path):
            with open(path) as handle:
                results.append(json.load(handle))
    periodic = {}
    if os.path.exists(periodic_path):
        with open(periodic_path) as handle:
            periodic = json.load(handle)
    return results, periodic, seconds, killed


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summarise(args, results, periodic, seconds, killed, check, log_counts, info):
    retried, gave_up, tracebacks = log_counts
    reports = [report for result in results for report in result["reports"]]
    new = [report for report in reports if not report["expect_refusal"]]
    reuses = [report for report in reports if report["expect_refusal"]]
    accepted = [report for report in new if report["outcome"] == "accepted"]
    refused = [report for report in new if report["outcome"] == "refused"]
    unresolved = [report for report in reports if report["outcome"] == "unresolved"]
    reuse_accepted = [report for report in reuses if report["outcome"] == "accepted"]
    resent = [report for report in accepted if "resent" in report]
    resend_differs = [report for report in resent if "resend_answer" in report]
    calls = [call for result in results for call in result["calls"]]
    faults = collections.Counter()
    for result in results:
        faults.update(result["faults"])
    cuts = sum(result["cuts"] for result in results)
    cut_answered = sum(result["cut_answered"] for result in results)

    failures = []
    if len(results) != args.clients or killed:
        failures.append("%d of %d clients reported (%d killed at the time limit)"
                        % (len(results), args.clients, killed))
    if unresolved:
        failures.append("%d reports never answered" % len(unresolved))
    if refused:
        failures.append("%d valid reports refused" % len(refused))
    if reuse_accepted:
        failures.append("%d reused report_ids accepted for another quantity"
                        % len(reuse_accepted))
    if resend_differs:
        failures.append("%d resent reports got another answer" % len(resend_differs))
    if check["problems"]:
        failures.append("%d quantity problems" % len(check["problems"]))
    if check["lost"]:
        failures.append("%d accepted reports not recorded" % len(check["lost"]))
    if check["unseen"]:
        failures.append("%d reports recorded that no client saw accepted"
                        % len(check["unseen"]))
    if check["findings"]:
        failures.append("the audit found %d discrepancies" % len(check["findings"]))

    lines = [
        "",
        "backflush_mrp load test: %d scanner clients for %.0f s on %d shared MOs "
        "(BoM of %d components, the first periodic), Odoo --workers=%d + 1 cron worker, "
        "periodic job every %.0f s by RPC and every minute by the cron; resend %.0f %%, "
        "cut %.0f %%, reuse %.0f %%" % (
            args.clients, args.seconds, args.mos, args.m, args.workers, PERIODIC_EVERY,
            args.resend * 100, args.cut * 100, args.reuse * 100),
        "machine: %(nproc)s CPUs (%(cpu)s), %(memory)s RAM, PostgreSQL %(postgres)s, "
        "Python %(python)s, Odoo %(odoo)s; 1-minute load average %(load)s" % info,
        "",
        "reports: %d distinct accepted (%.1f reports/s over %.0f s), %d refused, %d lost, "
        "%d doubled, %d unresolved" % (
            len(accepted), len(accepted) / max(seconds, 1e-9), seconds, len(refused),
            len(check["lost"]), len(check["unseen"]) + len(reuse_accepted), len(unresolved)),
        "resent with their report_id: %d, answered the first answer: %d; reused for another "
        "quantity: %d, refused: %d" % (
            len(resent), len(resent) - len(resend_differs), len(reuses),
            len(reuses) - len(reuse_accepted) - len([r for r in reuses
                                                    if r["outcome"] == "unresolved"])),
        "connections cut by the client before the answer: %d (then sent again); too fast "
        "to cut: %d" % (cuts, cut_answered),
        "latency of the %d answered calls: p50 %.0f ms, p95 %.0f ms, max %.0f ms" % (
            len(calls), percentile(calls, 0.5) * 1000, percentile(calls, 0.95) * 1000,
            (max(calls) if calls else float("nan")) * 1000),
        "conflicts Odoo retried (server log): %s; gave up after its retries: %s; "
        "tracebacks in the log: %d" % (
            _counts(retried) or "0", _counts(gave_up) or "0", tracebacks),
        "faults the clients saw, by kind:%s" % ("".join(
            "\n  %6d  %s" % (count, kind) for kind, count in faults.most_common()) or " none"),
        "periodic job by RPC: %s" % (_counts(periodic) or "did not run"),
        "server: %.0f units produced, %d reports recorded, %d backflush logs; stock taken "
        "per component (taken / BoM x produced): %s" % (
            check["produced"], check["reports"], check["logs"],
            ", ".join("%.0f/%.0f" % tuple(value) for value in check["stock"].values())),
        "audit: %s" % ("nothing found" if not check["findings"]
                       else "%d discrepancies" % len(check["findings"])),
    ]
    for problem in (check["problems"] + ["lost: %s" % (item,) for item in check["lost"]]
                    + ["unseen: %s" % (item,) for item in check["unseen"]]
                    + ["audit: %s" % (item,) for item in check["findings"]])[:20]:
        lines.append("  " + str(problem))
    lines.append("RESULT: %s" % ("PASS" if not failures else "FAIL: " + "; ".join(failures)))
    return "\n".join(lines), not failures


def _counts(counter):
    return ", ".join("%s %d" % (key, value) for key, value in sorted(counter.items()))


def accepted_by_mo(results):
    accepted = collections.defaultdict(set)
    for result in results:
        for report in result["reports"]:
            if report["outcome"] == "accepted" and not report["expect_refusal"]:
                accepted[report["mo"]].add(report["report_id"])
    return {str(mo): sorted(ids) for mo, ids in accepted.items()}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _interrupt)
    database = Database(os.path.abspath(args.config))
    database.name = "backflush_loadtest_%s" % database.name.rsplit("_", 1)[-1]
    info = dict(machine(), postgres=database.server_version(), load="?")
    workdir = tempfile.mkdtemp(prefix="backflush-loadtest-")
    log_path = os.path.join(ROOT, ".artifacts", "loadtest-server.log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    server = None
    status = 1
    try:
        log("creating database %s (backflush_mrp, no demo data)" % database.name)
        database.create()
        allow_cron(database)
        log("setting up the factory: %d components, %d open MOs, a scanner user"
            % (args.m, args.mos))
        setup = step(database, workdir, "setup", m=args.m, mos=args.mos)
        server = Server(database, args.workers, log_path)
        log("starting Odoo --workers=%d on %s (log: %s)" % (args.workers, server.url,
                                                              log_path))
        server.start()
        log("%d clients report for %.0f s" % (args.clients, args.seconds))
        results, periodic, seconds, killed = load(args, server, database, setup, workdir)
        info["load"] = "%.1f at the end of the load" % os.getloadavg()[0]
        log("load done in %.0f s; the periodic job runs a last time" % seconds)
        uid = _login(server.url, database.name, "admin", "admin")
        last = trigger_periodic(_proxy(server.url, CALL_TIMEOUT * 3), database.name, uid,
                                setup["cron_id"])
        periodic = collections.Counter(periodic)
        periodic["last run: " + last] += 1
        server.stop()
        log("checking the database")
        check = step(database, workdir, "check", production_ids=setup["production_ids"],
                     component_ids=setup["component_ids"], on_hand=setup["on_hand"],
                     accepted=accepted_by_mo(results))
        text, passed = summarise(args, results, periodic, seconds, killed, check,
                                 server.log_counts(), info)
        print(text, flush=True)
        status = 0 if passed else 1
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            log("kept database %s" % database.name)
        else:
            database.drop()
            log("dropped database %s" % database.name)
    return status


if __name__ == "__main__":
    sys.exit(main())
