"""Find a PostgreSQL server to use, or start a private cluster of our own.

Order: the server libpq's environment names (PGHOST, PGPORT, PGUSER; default
127.0.0.1:5432) when it answers; otherwise a private cluster in .pg/ (ignored
by git), on a free port, started here and stopped when the command ends. No
other cluster is ever started, stopped or written to, except for creating
the dedicated role Odoo needs (Odoo refuses to connect as ``postgres``).
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass

import psycopg2

from . import ROOT, DevError

PRIVATE_DIR = os.path.join(ROOT, ".pg")
PRIVATE_DATA = os.path.join(PRIVATE_DIR, "data")
ODOO_ROLE = "odoo"
# the unprivileged account that runs a private cluster when we are root
PRIVATE_OS_USER = "nobody"


@dataclass
class Server:
    host: str
    port: int
    user: str
    private: bool = False
    started_here: bool = False

    def connect(self, dbname="postgres"):
        return psycopg2.connect(host=self.host, port=self.port, user=self.user,
                                dbname=dbname, connect_timeout=5)

    def describe(self):
        kind = "private cluster in .pg/" if self.private else "server"
        return "PostgreSQL %s at %s:%s as %s" % (kind, self.host, self.port, self.user)


def _answers(host, port):
    if host.startswith("/"):
        return os.path.exists(os.path.join(host, ".s.PGSQL.%s" % port))
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _can_login(host, port, user):
    try:
        psycopg2.connect(host=host, port=port, user=user, dbname="postgres",
                         connect_timeout=5).close()
        return True
    except psycopg2.OperationalError:
        return False


def _ensure_role(host, port):
    """The role Odoo connects as: PGUSER when it is not postgres, else 'odoo'."""
    requested = os.environ.get("PGUSER")
    if requested and requested != "postgres":
        if not _can_login(host, port, requested):
            raise DevError("PostgreSQL at %s:%s refuses role %s (PGUSER); create it "
                           "with CREATEDB or unset PGUSER" % (host, port, requested))
        return requested
    if _can_login(host, port, ODOO_ROLE):
        return ODOO_ROLE
    admin = requested or "postgres"
    try:
        conn = psycopg2.connect(host=host, port=port, user=admin, dbname="postgres",
                                connect_timeout=5)
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute('CREATE ROLE "%s" LOGIN CREATEDB' % ODOO_ROLE)
        conn.close()
    except psycopg2.Error as exc:
        raise DevError("cannot create the PostgreSQL role %s at %s:%s as %s (%s); "
                       "create it with CREATEDB, or set PGUSER to a role that has it"
                       % (ODOO_ROLE, host, port, admin, str(exc).strip().splitlines()[0])
                       ) from None
    return ODOO_ROLE


def _version_of(bindir):
    name = os.path.basename(os.path.dirname(bindir))
    return int(name) if name.isdigit() else 0


def _server_binaries():
    """The newest folder holding both initdb and pg_ctl, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_of)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.insert(0, os.path.dirname(on_path))
    for bindir in reversed(candidates):
        if all(os.access(os.path.join(bindir, tool), os.X_OK) for tool in ("initdb", "pg_ctl")):
            return bindir
    return None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _owner_ids():
    """(uid, gid) of the unprivileged owner of a private cluster when we are root, else None."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(PRIVATE_OS_USER)
    return entry.pw_uid, entry.pw_gid


def _as_cluster_owner():
    """subprocess kwargs that run a command as the unprivileged owner when root
    (a preexec_fn, since subprocess' own user= and group= need Python 3.9)."""
    ids = _owner_ids()
    if ids is None:
        return {}
    uid, gid = ids

    def become_owner():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    return {"preexec_fn": become_owner}


def _run(cmd, **kwargs):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, **_as_cluster_owner(), **kwargs)  # noqa: UP021 (3.6)
    if result.returncode:
        last = (result.stdout.strip().splitlines() or ["no output"])[-1]
        raise DevError("%s failed: %s" % (os.path.basename(cmd[0]), last))
    return result.stdout


def _running_private_port():
    pid_file = os.path.join(PRIVATE_DATA, "postmaster.pid")
    if not os.path.exists(pid_file):
        return None
    with open(pid_file) as handle:
        lines = handle.read().splitlines()
    try:
        os.kill(int(lines[0]), 0)
        return int(lines[3])
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return None


def _start_private():
    bindir = _server_binaries()
    if not bindir:
        raise DevError("no PostgreSQL server answers at %s:%s and no PostgreSQL server "
                       "binaries (initdb, pg_ctl) are installed: apt-get install postgresql, "
                       "or point PGHOST/PGPORT at a server" % _wanted_address())
    port = _running_private_port()
    if port:
        return Server("127.0.0.1", port, ODOO_ROLE, private=True)
    owner = _owner_ids()
    os.makedirs(PRIVATE_DIR, exist_ok=True)
    if owner:
        os.chown(PRIVATE_DIR, *owner)
    if not os.path.exists(os.path.join(PRIVATE_DATA, "PG_VERSION")):
        _run([os.path.join(bindir, "initdb"), "-D", PRIVATE_DATA, "-U", ODOO_ROLE,
              "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
    port = _free_port()
    options = "-p %d -c listen_addresses=127.0.0.1 -k %s" % (port, PRIVATE_DIR)
    _run([os.path.join(bindir, "pg_ctl"), "-D", PRIVATE_DATA, "-o", options, "-w",
          "-l", os.path.join(PRIVATE_DIR, "server.log"), "start"])
    return Server("127.0.0.1", port, ODOO_ROLE, private=True, started_here=True)


def _wanted_address():
    return os.environ.get("PGHOST") or "127.0.0.1", int(os.environ.get("PGPORT") or 5432)


def acquire():
    """The server to use; the caller must release() it."""
    host, port = _wanted_address()
    if _answers(host, port):
        return Server(host, port, _ensure_role(host, port))
    return _start_private()


def release(server):
    if server.started_here:
        _run([_server_binaries() + "/pg_ctl", "-D", PRIVATE_DATA, "-m", "fast", "-w", "stop"])
