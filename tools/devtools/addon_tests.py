"""./dev.py odoo-tests: the add-ons' tests run by Odoo's own runner.

That is how OCA's CI and most integrators run an add-on's tests:
``odoo-bin -i backflush_mrp --test-enable --stop-after-init``. In a
throw-away database the add-ons' dependencies (and the chart of accounts
the demo data needs) are installed first without tests, so that the run
with ``--test-enable`` runs the tests of the two add-ons only, at install
and post install, as Odoo's runner finds them through ``tests/__init__.py``.
The log is read back test by test as ``./dev.py selftest`` reads it; the
last line printed is ``N passed, N failed, N skipped``.

Tests that need pytest (their own Odoo server, a browser, several committed
connections) are imported by ``tests/__init__.py`` but define no TestCase:
Odoo's runner finds nothing to run in them, and ``./dev.py test`` runs them.
"""
import ast
import os
import sys
import time
import uuid

from . import MODULES, ROOT, STATE, odoo_env, selftest, venv

# installed before the add-ons: the demo data's chart of accounts
PREREQUISITES = ("l10n_generic_coa",)


def dependencies():
    """What the add-ons depend on, outside the add-ons themselves."""
    depends = []
    for module in MODULES:
        with open(os.path.join(ROOT, module, "__manifest__.py")) as handle:
            manifest = ast.literal_eval(handle.read())
        depends += [name for name in manifest.get("depends", ())
                    if name not in MODULES and name not in depends]
    return list(PREREQUISITES) + depends


def run(server, runtime=None):
    runtime = runtime or venv.current()
    dbname = "odoorunner_%s" % uuid.uuid4().hex[:10]
    os.makedirs(STATE, exist_ok=True)
    log_path = os.path.join(STATE, "odoo-tests-%s.log" % dbname)
    modules = ",".join(MODULES)
    print("dev: the tests of %s by Odoo's own runner on %s (%s), database %s; log: %s"
          % (modules, runtime.name, runtime.description, dbname, os.path.relpath(log_path)),
          file=sys.stderr, flush=True)
    start = time.monotonic()
    config = odoo_env.write_config(server, name="odoo-tests-%s.conf" % dbname)
    try:
        odoo_env.run_odoo(config, "-d", dbname, "-i", ",".join(dependencies()),
                          "--stop-after-init", "--log-level=warn")
        returncode = selftest.run_odoo_tests(server, dbname, modules, log_path)
    finally:
        os.unlink(config)
        selftest.drop_database(server, dbname)
    results, noise = selftest.parse_log(log_path, returncode, left_out={})
    print("\nruntime: %s (%s); Odoo's runner: odoo-bin -i %s --test-enable --stop-after-init"
          % (runtime.name, runtime.description, modules))
    return selftest.print_report(results, noise, log_path, time.monotonic() - start)
