"""Odoo configuration file and the project's databases."""
import hashlib
import os
import subprocess
import sys

from . import MODULES, ROOT, STATE, DevError, venv

LAUNCHER = os.path.join(ROOT, "tools", "odoo_launcher.py")
SOURCE_HASH_KEY = "backflush_dev.source_hash"
DEMO_HASH_KEY = "backflush_dev.demo_hash"
# how a database is built (see ensure_database): a change here rebuilds test databases
RECIPE = "l10n_generic_coa first, then the modules with demo data"


def odoo_addons_dir():
    out = subprocess.check_output(
        [venv.current().python, "-c",
         "import odoo.addons, os; print(os.path.dirname(odoo.addons.__file__))"],
        universal_newlines=True)
    return out.strip()


def write_config(server, http_port=8069, name="odoo.conf", **extra):
    os.makedirs(STATE, exist_ok=True)
    options = {
        "db_host": server.host,
        "db_port": server.port,
        "db_user": server.user,
        "db_password": "False",
        "addons_path": ",".join([odoo_addons_dir(), ROOT]),
        "data_dir": os.path.join(STATE, "data"),
        "http_port": http_port,
        "admin_passwd": "admin",
        "list_db": "False",
    }
    options.update(extra)
    path = os.path.join(STATE, name)
    with open(path, "w") as handle:
        handle.write("[options]\n")
        for key, value in options.items():
            handle.write("%s = %s\n" % (key, value))
    return path


def run_odoo(config, *args, check=True, command=(), **kwargs):
    cmd = [venv.current().python, LAUNCHER] + list(command) + ["-c", config] + list(args)
    result = subprocess.run(cmd, cwd=ROOT, **kwargs)
    if check and result.returncode:
        raise DevError("odoo %s failed (exit %s); see the log above"
                       % (" ".join(args), result.returncode))
    return result


def source_hash(subfolder=""):
    """A digest of the project's modules (or of one sub-folder of each)."""
    digest = hashlib.sha256()
    for module in MODULES:
        for folder, dirs, files in sorted(os.walk(os.path.join(ROOT, module, subfolder))):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, ROOT).encode())
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()


def demo_hash():
    """Demo data is not reloaded by a module update (Odoo loads it noupdate)."""
    return hashlib.sha256((source_hash("demo") + RECIPE).encode()).hexdigest()


def _database_state(server, dbname):
    """None when absent, else (odoo_version, installed modules, {key: stored value})."""
    conn = server.connect()
    with conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
        exists = cr.fetchone()
    conn.close()
    if not exists:
        return None
    conn = server.connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT to_regclass('ir_module_module')")
            if cr.fetchone()[0] is None:
                raise DevError("database %s exists but is not an Odoo database; drop it "
                               "or choose another name" % dbname)
            cr.execute("SELECT latest_version FROM ir_module_module WHERE name = 'base'")
            version = (cr.fetchone() or [""])[0] or ""
            if not version.startswith("11.0"):
                raise DevError("database %s belongs to Odoo %s, not 11.0; drop it or choose "
                               "another name" % (dbname, version or "of an unknown version"))
            cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")
            installed = {row[0] for row in cr.fetchall()}
            cr.execute("SELECT key, value FROM ir_config_parameter WHERE key IN %s",
                       ((SOURCE_HASH_KEY, DEMO_HASH_KEY),))
            stored = dict(cr.fetchall())
    finally:
        conn.close()
    return version, installed, stored


def _store_hashes(server, dbname, values):
    conn = server.connect(dbname)
    with conn, conn.cursor() as cr:
        for key, value in values.items():
            cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", (key,))
            cr.execute("INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s)",
                       (key, value))
    conn.close()


def _forget_uninstallable(server, dbname):
    """Auto-install addons whose dependencies are in no installed wheel stay marked
    'to install' after a complete install; Odoo's cron runner then skips the
    whole database ("modules to install"), so no scheduled backflush would run.
    """
    conn = server.connect(dbname)
    with conn, conn.cursor() as cr:
        cr.execute("UPDATE ir_module_module SET state = 'uninstalled' "
                   "WHERE state = 'to install'")
    conn.close()


def _drop(server, dbname):
    conn = server.connect()
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute('DROP DATABASE "%s"' % dbname)
    conn.close()


def ensure_database(server, config, dbname, modules=MODULES, rebuild_on_demo_change=False):
    """Create dbname with the modules and demo data, or update them if changed.

    With rebuild_on_demo_change (test databases), a database whose demo data is
    not the current one is dropped and built again: an update would not reload it.
    """
    wanted = {SOURCE_HASH_KEY: source_hash(), DEMO_HASH_KEY: demo_hash()}
    state = _database_state(server, dbname)
    if (state is not None and rebuild_on_demo_change
            and state[2].get(DEMO_HASH_KEY) != wanted[DEMO_HASH_KEY]):
        print("dev: the demo data changed: rebuilding database %s ..." % dbname, file=sys.stderr)
        _drop(server, dbname)
        state = None
    if state is None:
        print("dev: creating database %s with %s and demo data ..." % (dbname, ", ".join(modules)),
              file=sys.stderr)
        # the chart of accounts first: installed in the same run after the module,
        # it would replace the accounts the demo data configures
        run_odoo(config, "-d", dbname, "-i", "l10n_generic_coa", "--stop-after-init",
                 "--log-level=warn")
        run_odoo(config, "-d", dbname, "-i", ",".join(modules), "--stop-after-init",
                 "--log-level=warn")
    else:
        _version, installed, stored = state
        missing = [m for m in modules if m not in installed]
        if missing:
            run_odoo(config, "-d", dbname, "-i", ",".join(missing), "--stop-after-init",
                     "--log-level=warn")
        elif stored.get(SOURCE_HASH_KEY) != wanted[SOURCE_HASH_KEY]:
            print("dev: updating %s in database %s ..." % (", ".join(modules), dbname),
                  file=sys.stderr)
            run_odoo(config, "-d", dbname, "-u", ",".join(modules), "--stop-after-init",
                     "--log-level=warn")
    _forget_uninstallable(server, dbname)
    _store_hashes(server, dbname, wanted)
