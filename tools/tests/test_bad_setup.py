"""The set-up and launcher fail with one clear line on bad input (issue: foundation)."""
import socket
import uuid

import psycopg2
import pytest

from devtools import DevError, cli, odoo_env, pg, venv


@pytest.fixture
def server():
    server = pg.acquire()
    yield server
    pg.release(server)


@pytest.fixture
def scratch_database(server):
    """An empty database of a unique name, dropped afterwards."""
    name = "bf_scratch_%s" % uuid.uuid4().hex[:8]
    conn = server.connect()
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute('CREATE DATABASE "%s"' % name)
    yield name
    with conn.cursor() as cr:
        cr.execute('DROP DATABASE "%s"' % name)
    conn.close()


def test_database_of_another_odoo_version_is_refused(server, scratch_database):
    foreign = server.connect(scratch_database)
    with foreign, foreign.cursor() as cr:
        cr.execute("CREATE TABLE ir_module_module (name varchar, state varchar, "
                   "latest_version varchar)")
        cr.execute("INSERT INTO ir_module_module VALUES ('base', 'installed', '12.0.1.3')")
    foreign.close()
    with pytest.raises(DevError, match="belongs to Odoo 12.0.1.3, not 11.0"):
        odoo_env.ensure_database(server, "unused.conf", scratch_database)


def test_database_that_is_not_odoo_is_refused(server, scratch_database):
    with pytest.raises(DevError, match="not an Odoo database"):
        odoo_env.ensure_database(server, "unused.conf", scratch_database)


def test_port_taken_is_one_clear_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        args = cli.parser().parse_args(["run", "--port", str(port)])
        with pytest.raises(DevError, match="port %d is taken" % port):
            cli.cmd_run(args)


def test_broken_virtual_environment_is_detected(tmp_path):
    broken = tmp_path / "bin" / "python"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    for runtime in venv.RUNTIMES.values():
        copy = venv.Runtime(runtime.name, runtime.version, str(tmp_path), runtime.requirements,
                            runtime.compat, runtime.suffix, runtime.http_port,
                            runtime.description)
        assert copy.python == str(broken)
        assert venv._healthy(copy) is False


def test_role_refused_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("PGUSER", "no_such_role_%s" % uuid.uuid4().hex[:6])
    host, port = pg._wanted_address()
    if not pg._answers(host, port):
        pytest.skip("no PostgreSQL server answers here")
    with pytest.raises(DevError, match="refuses role"):
        pg.acquire()
    assert psycopg2  # the driver is what the set-up connects with


def test_no_module_is_left_to_install_in_the_test_database(server):
    """Else Odoo's cron runner skips the database and no scheduled backflush runs."""
    conn = server.connect(cli.test_db(venv.current()))
    with conn.cursor() as cr:
        cr.execute("SELECT name FROM ir_module_module WHERE state IN "
                   "('to install', 'to upgrade', 'to remove')")
        assert cr.fetchall() == []
    conn.close()
