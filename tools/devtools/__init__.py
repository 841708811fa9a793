"""The project's task runner: set-up, PostgreSQL, Odoo databases, tests.

Standard library only until the virtual environment exists; everything that
needs psycopg2 runs inside it.
"""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE = os.path.join(ROOT, ".odoo")          # configs, filestore, logs (ignored)
MODULES = ("backflush_mrp", "backflush_mrp_queue")


class DevError(Exception):
    """A problem the user can fix; printed as one line, never a traceback."""
