"""Commands of ./dev.py (see README.md)."""
import argparse
import contextlib
import os
import socket
import subprocess
import sys

from . import ROOT, DevError, browser, venv

DEMO_DB = os.environ.get("BACKFLUSH_DB", "backflush_demo")
TEST_DB = os.environ.get("BACKFLUSH_TEST_DB", "backflush_test")


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
    print("dev: the virtual environment is ready: %s" % venv.PYTHON)


def cmd_run(args):
    from . import odoo_env
    port = args.port
    if not _port_free(port):
        raise DevError("port %d is taken; stop what uses it or run ./dev.py run --port N" % port)
    with _Postgres() as server:
        config = odoo_env.write_config(server, http_port=port)
        # the demo runs the periodic backflush inline: no queue_job runner here
        odoo_env.ensure_database(server, config, DEMO_DB, modules=("backflush_mrp",))
        reason = browser.ensure_lessc()
        if reason:
            print("dev: warning: the web client will have no styles (%s)" % reason,
                  file=sys.stderr)
        print("\nOdoo with backflush_mrp: http://localhost:%d/web?db=%s  "
              "login: admin  password: admin  (Ctrl-C stops it)\n" % (port, DEMO_DB), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            odoo_env.run_odoo(config, "-d", DEMO_DB, "--db-filter", "^%s$" % DEMO_DB,
                              check=False)


def cmd_test(args):
    from . import odoo_env
    with _Postgres() as server:
        config = odoo_env.write_config(server, name="odoo-test.conf",
                                       http_port=args.http_port)
        odoo_env.ensure_database(server, config, TEST_DB, rebuild_on_demo_change=True)
        env = dict(os.environ, BACKFLUSH_ODOO_CONFIG=config, BACKFLUSH_TEST_DB=TEST_DB,
                   **browser.environment_for_tests())
        cmd = [venv.PYTHON, "-m", "pytest", "--odoo-config", config,
               "--odoo-database", TEST_DB] + args.pytest_args
        return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def cmd_odoo(args):
    from . import odoo_env
    with _Postgres() as server:
        config = odoo_env.write_config(server)
        odoo_args = list(args.odoo_args)
        # odoo-bin takes a sub-command (shell, scaffold...) before its options
        command = [odoo_args.pop(0)] if odoo_args and not odoo_args[0].startswith("-") else []
        return odoo_env.run_odoo(config, *odoo_args, check=False, command=command).returncode


def cmd_selftest(args):
    from . import selftest
    with _Postgres() as server:
        return selftest.run(server, args)


def cmd_bench(args):
    """The benchmark of bench/ (not part of the test run), in a throw-away database."""
    from . import odoo_env
    with _Postgres() as server:
        config = odoo_env.write_config(server, name="odoo-bench.conf")
        cmd = [venv.PYTHON, "-m", "bench.run", "--config", config, "--n", str(args.n),
               "--m", str(args.m), "--sample", str(args.sample)]
        cmd += [flag for flag, wanted in (("--keep", args.keep), ("--no-4n", not args.four_n),
                                          ("--no-profile", not args.profile),
                                          ("--summarised", args.summarised)) if wanted]
        return subprocess.run(cmd, cwd=ROOT).returncode


def cmd_lint(args):
    ruff = subprocess.run([os.path.join(venv.VENV, "bin", "ruff"), "check", "."], cwd=ROOT)
    pylint = subprocess.run(
        [venv.PYTHON, "-m", "pylint", "--rcfile", os.path.join(ROOT, ".pylintrc"),
         "backflush_mrp", "backflush_mrp_queue"], cwd=ROOT)
    return ruff.returncode or pylint.returncode


def parser():
    main = argparse.ArgumentParser(prog="./dev.py", description=__doc__)
    sub = main.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create/update .venv only").set_defaults(func=cmd_setup)
    run = sub.add_parser("run", help="serve Odoo with backflush_mrp on demo data")
    run.add_argument("--port", type=int, default=int(os.environ.get("BACKFLUSH_HTTP_PORT", "8069")))
    run.set_defaults(func=cmd_run)
    test = sub.add_parser("test", help="run every test (pytest arguments may follow)")
    test.add_argument("--http-port", type=int, default=8169)
    test.set_defaults(func=cmd_test)
    odoo = sub.add_parser("odoo", help="run odoo-bin with the project's configuration")
    odoo.set_defaults(func=cmd_odoo)
    selftest = sub.add_parser("selftest", help="run Odoo's own tests under the compat layer")
    selftest.add_argument("--modules", default="base,product,stock,account,mrp,stock_account")
    selftest.add_argument("--keep", action="store_true", help="keep the throw-away database")
    selftest.set_defaults(func=cmd_selftest)
    sub.add_parser("lint", help="ruff and pylint-odoo").set_defaults(func=cmd_lint)
    bench = sub.add_parser("bench", help="benchmark: Odoo's mark done against the backflush")
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
    bench.set_defaults(func=cmd_bench)
    return main


def main(argv):
    args, extra = parser().parse_known_args(argv)
    if extra and args.command not in ("test", "odoo"):
        parser().error("unrecognized arguments: %s" % " ".join(extra))
    # everything ./dev.py does not know goes to pytest or odoo-bin
    args.pytest_args = args.odoo_args = extra
    try:
        if args.command != "setup" and not venv.in_venv():
            python = venv.ensure()
            # continue inside the virtual environment, where psycopg2 is
            os.execv(python, [python, os.path.join(ROOT, "dev.py")] + argv)
        if args.command == "setup":
            venv.ensure()
        return args.func(args) or 0
    except DevError as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
