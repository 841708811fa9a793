"""odoo-bin for the load test: tools/odoo_launcher.py, and a stand-in for the longpolling process.

With --workers, Odoo's prefork server starts ``sys.argv[0] gevent ...`` for
the longpolling (chat) port and starts it again whenever it exits. gevent is
not in the project's virtual environment, so that process would fail and be
started again every few seconds, stealing CPU from the measured workers. Run
through this script, it waits quietly instead until the server stops it.
Nothing of the load test uses longpolling.
"""
import os
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))


def _idle_longpolling():
    try:
        import gevent  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        print("loadtest: no gevent here: longpolling is not served", file=sys.stderr)
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        while True:
            signal.pause()
    return False


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "gevent":
        _idle_longpolling()
    import odoo_launcher
    sys.exit(odoo_launcher.main())
