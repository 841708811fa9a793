"""The PostgreSQL fallback: a private cluster when no server answers."""
import socket

import pytest

from devtools import pg


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nothing_listens(monkeypatch):
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(_closed_port()))


def test_private_cluster_starts_serves_and_stops(nothing_listens):
    if pg._server_binaries() is None:
        pytest.skip("no PostgreSQL server binaries on this machine")
    if pg._running_private_port():
        pytest.skip("a private cluster is already running (used by this very test run)")
    server = pg.acquire()
    try:
        assert server.private and server.started_here
        assert server.user == "odoo"
        conn = server.connect()
        with conn.cursor() as cr:
            cr.execute("SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user")
            assert cr.fetchone() == (True,)
        conn.close()
    finally:
        pg.release(server)
    assert pg._running_private_port() is None


def test_no_server_and_no_binaries_is_one_clear_line(nothing_listens, monkeypatch):
    monkeypatch.setattr(pg, "_server_binaries", lambda: None)
    with pytest.raises(pg.DevError, match="no PostgreSQL server answers at"):
        pg.acquire()
