"""Commands of ./dev.py (see README.md)."""
import argparse
import configparser
import contextlib
import os
import re
import socket
import subprocess
import sys
import time

from . import ROOT, DevError, browser, venv
from .venv import RUNTIMES

# commands that run on every tested runtime, one after the other, unless one is chosen
ALL_RUNTIMES_COMMANDS = ("test", "setup")
# pytest's closing line: "=== 5 passed, 1 failed, 2 skipped in 3.21s ===" (or without ===)
_SUMMARY_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)\b")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def demo_db(runtime):
    return os.environ.get("BACKFLUSH_DB") or runtime.database("backflush_demo")


def test_db(runtime):
    return os.environ.get("BACKFLUSH_TEST_DB") or runtime.database("backflush_test")


def _port_free(port):
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class _Postgres:
    """Context manager: a server for the command, stopped after if we started it."""

    def __enter__(self):
        from . import pg
        self.pg = pg
        self.server = pg.acquire()
        print("dev: using %s" % self.server.describe(), file=sys.stderr)
        return self.server

    def __exit__(self, *exc):
        self.pg.release(self.server)


def cmd_setup(args):
    for runtime in args.runtimes:
        venv.ensure(runtime)
        print("dev: the %s virtual environment is ready: %s (%s)"
              % (runtime.name, runtime.python, runtime.description))


def cmd_run(args):
    from . import odoo_env
    port = args.port
    if not _port_free(port):
        raise DevError("port %d is taken; stop what uses it or run ./dev.py run --port N" % port)
    runtime = args.runtimes[0]
    dbname = demo_db(runtime)
    with _Postgres() as server:
        config = odoo_env.write_config(server, http_port=port, name=runtime.config_name("odoo"))
        # the demo runs the periodic backflush inline: no queue_job runner here
        odoo_env.ensure_database(server, config, dbname, modules=("backflush_mrp",))
        reason = browser.ensure_lessc()
        if reason:
            print("dev: warning: the web client will have no styles (%s)" % reason,
                  file=sys.stderr)
        print("\nOdoo with backflush_mrp on %s: http://localhost:%d/web?db=%s  "
              "login: admin  password: admin  (Ctrl-C stops it)\n"
              % (runtime.description, port, dbname), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            odoo_env.run_odoo(config, "-d", dbname, "--db-filter", "^%s$" % dbname,
                              check=False)


def cmd_test(args):
    from . import odoo_env
    runtime = args.runtimes[0]
    dbname = test_db(runtime)
    with _Postgres() as server:
        config = odoo_env.write_config(server, name=runtime.config_name("odoo-test"),
                                       http_port=args.http_port or runtime.http_port)
        odoo_env.ensure_database(server, config, dbname, rebuild_on_demo_change=True)
        env = dict(os.environ, BACKFLUSH_ODOO_CONFIG=config, BACKFLUSH_TEST_DB=dbname,
                   **browser.environment_for_tests())
        env[venv.RUNTIME_VAR] = runtime.name
        cmd = [runtime.python, "-m", "pytest", "--odoo-config", config,
               "--odoo-database", dbname]
        if not runtime.compat:
            # the layer's own tests (compat/tests) check patches this runtime has not;
            # pytest would not --ignore a folder of testpaths, so testpaths goes without it
            print("dev: compat/tests left out: %s runs without the compatibility layer"
                  % runtime.name, file=sys.stderr, flush=True)
            cmd += ["-o", "testpaths=%s" % " ".join(
                path for path in _testpaths() if not path.startswith("compat"))]
        for plugin in runtime.pytest_plugins:
            cmd += ["-p", plugin]
        if runtime.pytest_plugins:      # imported before pytest.ini's pythonpath applies
            env["PYTHONPATH"] = os.pathsep.join(
                [os.path.join(ROOT, "tools")] + [p for p in [env.get("PYTHONPATH")] if p])
        print("dev: pytest on %s (%s), database %s"
              % (runtime.name, runtime.description, dbname), file=sys.stderr, flush=True)
        return subprocess.run(cmd + args.pytest_args, cwd=ROOT, env=env).returncode


def _testpaths():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, "pytest.ini"))
    return parser.get("pytest", "testpaths", fallback="").split()


def pytest_counts(text):
    """{passed: N, failed: N, ...} from pytest's closing line in text, or None."""
    for line in reversed(_ANSI.sub("", text).splitlines()):
        if re.search(r" in [\d.]+s\b", line) and _SUMMARY_COUNT.search(line):
            counts = {}
            for number, word in _SUMMARY_COUNT.findall(line):
                key = "errors" if word.startswith("error") else word
                counts[key] = counts.get(key, 0) + int(number)
            return counts
        if line.strip("= \t").startswith("no tests ran"):
            return {}
    return None


def _tee(cmd, env):
    """Run cmd, its output going through to ours as it comes; (exit status, output)."""
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE)
    chunks = []
    try:
        while True:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            chunks.append(chunk)
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
    finally:
        process.stdout.close()
        status = process.wait()
    return status, b"".join(chunks).decode("utf-8", "replace")


def test_all_runtimes(runtimes, argv):
    """./dev.py test on each runtime in turn, then one closing line for them all."""
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    lines, statuses = [], []
    extra = ["--color=yes"] if sys.stdout.isatty() and "--color" not in " ".join(argv) else []
    for runtime in runtimes:
        print("\n== ./dev.py test --runtime %s (%s)" % (runtime.name, runtime.description),
              flush=True)
        start = time.monotonic()
        cmd = [sys.executable, os.path.join(ROOT, "dev.py"), "--runtime", runtime.name]
        status, output = _tee(cmd + argv + extra, env=dict(os.environ))
        seconds = time.monotonic() - start
        counts = pytest_counts(output)
        if counts is None:
            # no summary: the set-up or pytest itself failed; count it as a failure
            counts = {"failed": 1}
            lines.append("%s: no pytest summary (exit status %s), counted as 1 failed"
                         % (runtime.name, status))
        failed = counts.get("failed", 0) + counts.get("errors", 0)
        for key, value in (("passed", counts.get("passed", 0)), ("failed", failed),
                           ("skipped", counts.get("skipped", 0))):
            totals[key] += value
        lines.append("%s (%s): %d passed, %d failed, %d skipped in %.0f s"
                     % (runtime.name, runtime.description, counts.get("passed", 0), failed,
                        counts.get("skipped", 0), seconds))
        statuses.append(status)
    print("\n== all runtimes")
    for line in lines:
        print(line)
    print("%(passed)d passed, %(failed)d failed, %(skipped)d skipped" % totals, flush=True)
    bad = [s for s in statuses if s not in (0, 5)]     # 5: pytest collected nothing
    if bad:
        return bad[0]
    return 0 if totals["passed"] + totals["skipped"] + totals["failed"] else 5


def cmd_odoo(args):
    from . import odoo_env
    with _Postgres() as server:
        config = odoo_env.write_config(server, name=args.runtimes[0].config_name("odoo"))
        odoo_args = list(args.odoo_args)
        # odoo-bin takes a sub-command (shell, scaffold...) before its options
        command = [odoo_args.pop(0)] if odoo_args and not odoo_args[0].startswith("-") else []
        return odoo_env.run_odoo(config, *odoo_args, check=False, command=command).returncode


def cmd_selftest(args):
    from . import selftest
    with _Postgres() as server:
        return selftest.run(server, args, runtime=args.runtimes[0])


def cmd_bench(args):
    """The benchmark of bench/ (not part of the test run), in a throw-away database."""
    from . import odoo_env
    with _Postgres() as server:
        runtime = args.runtimes[0]
        config = odoo_env.write_config(server, name=runtime.config_name("odoo-bench"))
        cmd = [runtime.python, "-m", "bench.run", "--config", config, "--n", str(args.n),
               "--m", str(args.m), "--sample", str(args.sample)]
        cmd += [flag for flag, wanted in (("--keep", args.keep), ("--no-4n", not args.four_n),
                                          ("--no-profile", not args.profile),
                                          ("--summarised", args.summarised),
                                          ("--best-case", args.best_case)) if wanted]
        return subprocess.run(cmd, cwd=ROOT).returncode


def cmd_odoo_tests(args):
    """The add-ons' tests, run by Odoo's own runner (odoo-bin --test-enable)."""
    from . import addon_tests
    with _Postgres() as server:
        return addon_tests.run(server, runtime=args.runtimes[0])


def cmd_wheels(args):
    """Build the add-ons' wheels and install them into a fresh native environment."""
    from . import wheels
    with _Postgres() as server:
        return wheels.run(server)


def cmd_loadtest(args):
    """The load test of bench/loadtest.py (not part of the test run), in a throw-away database."""
    from . import odoo_env
    with _Postgres() as server:
        runtime = args.runtimes[0]
        config = odoo_env.write_config(server, name=runtime.config_name("odoo-loadtest"))
        cmd = [runtime.python, "-m", "bench.loadtest", "--config", config,
               "--clients", str(args.clients), "--seconds", str(args.seconds),
               "--mos", str(args.mos), "--workers", str(args.workers)]
        cmd += ["--keep"] if args.keep else []
        return subprocess.run(cmd, cwd=ROOT).returncode


def cmd_lint(args):
    ruff = subprocess.run([os.path.join(venv.VENV, "bin", "ruff"), "check", "."], cwd=ROOT)
    pylint = subprocess.run(
        [venv.PYTHON, "-m", "pylint", "--rcfile", os.path.join(ROOT, ".pylintrc"),
         "backflush_mrp", "backflush_mrp_queue"], cwd=ROOT)
    # Odoo 11 servers run Python 3.5-3.7: the add-ons (their tests included) must
    # stay valid Python 3.5; vermin exits non-zero on any construct of a later version
    minimum = subprocess.run(
        [os.path.join(venv.VENV, "bin", "vermin"), "--quiet", "--no-tips", "--violations",
         "--target=3.5-", "--backport", "typing", "backflush_mrp", "backflush_mrp_queue"],
        cwd=ROOT)
    if minimum.returncode:
        print("lint: the add-ons must stay valid Python 3.5 (see vermin's report above)",
              file=sys.stderr)
    return ruff.returncode or pylint.returncode or minimum.returncode


def parser():
    main = argparse.ArgumentParser(prog="./dev.py", description=__doc__)
    runtime_help = ("%s. Default: $%s, else for test and setup %s in turn; for run, odoo, "
                    "selftest and bench py37, or py311 when no Python 3.7 is found; lint "
                    "always runs on py311"
                    % ("; ".join("%s = %s" % (name, r.description) for name, r in RUNTIMES.items()),
                       venv.RUNTIME_VAR, " then ".join(venv.TESTED)))
    main.add_argument("--runtime", choices=sorted(RUNTIMES), help=runtime_help)
    # the same option after the command; SUPPRESS keeps the one given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--runtime", choices=sorted(RUNTIMES), default=argparse.SUPPRESS,
                        help="the Python runtime (see ./dev.py --help)")
    sub = main.add_subparsers(dest="command")
    sub.required = True
    sub.add_parser("setup", parents=[common], help="create/update the virtual environments "
                   "only").set_defaults(func=cmd_setup)
    run = sub.add_parser("run", parents=[common], help="serve Odoo with backflush_mrp on demo data")
    run.add_argument("--port", type=int, default=int(os.environ.get("BACKFLUSH_HTTP_PORT", "8069")))
    run.set_defaults(func=cmd_run)
    test = sub.add_parser("test", parents=[common],
                          help="run every test (pytest arguments may follow)")
    test.add_argument("--http-port", type=int, default=None,
                      help="of the test configuration (default: 8169 on py311, 8179 on py37)")
    test.set_defaults(func=cmd_test)
    odoo = sub.add_parser("odoo", parents=[common],
                          help="run odoo-bin with the project's configuration")
    odoo.set_defaults(func=cmd_odoo)
    selftest = sub.add_parser("selftest", parents=[common],
                              help="run Odoo's own tests on a runtime")
    selftest.add_argument("--modules", default="base,product,stock,account,mrp,stock_account")
    selftest.add_argument("--keep", action="store_true", help="keep the throw-away database")
    selftest.set_defaults(func=cmd_selftest)
    sub.add_parser("lint", parents=[common],
                   help="ruff and pylint-odoo (on py311)").set_defaults(func=cmd_lint)
    sub.add_parser("odoo-tests", parents=[common],
                   help="the add-ons' tests run by Odoo's own runner (odoo-bin --test-enable)"
                   ).set_defaults(func=cmd_odoo_tests)
    sub.add_parser("wheels", parents=[common],
                   help="build the add-ons' wheels (setuptools-odoo) and install them into a "
                        "fresh Python 3.7 environment, then into a database").set_defaults(
        func=cmd_wheels)
    bench = sub.add_parser("bench", parents=[common],
                           help="benchmark: Odoo's mark done against the backflush")
    bench.add_argument("--n", type=int, default=1000, help="MOs of the periodic run")
    bench.add_argument("--m", type=int, default=10, help="components in the BoM")
    bench.add_argument("--sample", type=int, default=30, help="MOs measured one at a time")
    bench.add_argument("--keep", action="store_true", help="keep the throw-away database")
    bench.add_argument("--no-4n", dest="four_n", action="store_false",
                       help="skip the periodic run at 4N")
    bench.add_argument("--no-profile", dest="profile", action="store_false",
                       help="skip the profile of (b) and (c)")
    bench.add_argument("--summarised", action="store_true",
                       help="turn the company's summarised periodic posting on")
    bench.add_argument("--best-case", action="store_true",
                       help="the first benchmark's orders (not reserved, default trigger, no "
                            "variance) instead of the realistic scenario")
    bench.set_defaults(func=cmd_bench)
    loadtest = sub.add_parser(
        "loadtest", parents=[common],
        help="load test: scanners against a multi-worker server while the periodic job runs")
    loadtest.add_argument("--clients", type=int, default=8, help="scanner processes")
    loadtest.add_argument("--seconds", type=float, default=60, help="duration of the load")
    loadtest.add_argument("--mos", type=int, default=6, help="orders the clients share")
    loadtest.add_argument("--workers", type=int, default=2, help="Odoo HTTP workers (>= 2)")
    loadtest.add_argument("--keep", action="store_true", help="keep the throw-away database")
    loadtest.set_defaults(func=cmd_loadtest)
    return main


def choose_runtimes(command, requested):
    """The runtimes a command runs on, in order.

    requested: the --runtime option, else $BACKFLUSH_RUNTIME, else None.
    """
    if command == "lint":
        return [venv.LAYERED]
    if requested:
        if requested not in RUNTIMES:
            raise DevError("%s=%s is not a runtime; choose one of %s"
                           % (venv.RUNTIME_VAR, requested, ", ".join(sorted(RUNTIMES))))
        return [RUNTIMES[requested]]
    if command in ALL_RUNTIMES_COMMANDS:
        return [RUNTIMES[name] for name in venv.TESTED]
    native = venv.NATIVE
    if venv.in_venv(native) or venv.find_interpreter(native.version):
        return [native]
    print("dev: no Python %s found (%s): running on %s instead"
          % (native.tag, venv.where_looked(native.version), venv.LAYERED.description),
          file=sys.stderr)
    return [venv.LAYERED]


def main(argv):
    args, extra = parser().parse_known_args(argv)
    if extra and args.command not in ("test", "odoo"):
        parser().error("unrecognized arguments: %s" % " ".join(extra))
    # everything ./dev.py does not know goes to pytest or odoo-bin
    args.pytest_args = args.odoo_args = extra
    try:
        requested = getattr(args, "runtime", None) or os.environ.get(venv.RUNTIME_VAR)
        args.runtimes = choose_runtimes(args.command, requested)
        if args.command == "setup":
            return args.func(args) or 0
        if len(args.runtimes) > 1:      # test, no runtime chosen: each in turn
            return test_all_runtimes(args.runtimes, argv)
        runtime = args.runtimes[0]
        if not venv.in_venv(runtime):
            python = venv.ensure(runtime)
            # continue inside the runtime's virtual environment, where psycopg2 is
            os.environ[venv.RUNTIME_VAR] = runtime.name
            os.execv(python, [python, os.path.join(ROOT, "dev.py")] + argv)
        return args.func(args) or 0
    except DevError as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
