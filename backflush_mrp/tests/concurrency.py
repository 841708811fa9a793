"""Run the same call from several real database connections at once.

Each worker has its own cursor, as two Odoo workers (or an RPC client and
the cron) would. A serialization failure is retried the way Odoo's RPC
layer retries it, and counted.
"""
import threading
import uuid

import odoo
from odoo import SUPERUSER_ID, api
from psycopg2.extensions import TransactionRollbackError

MAX_ATTEMPTS = 8


def registry():
    return odoo.registry(odoo.tools.config["db_name"])


def committed(build):
    """Run build(env) in its own committed transaction; returns its result."""
    with api.Environment.manage(), registry().cursor() as cr:
        result = build(api.Environment(cr, SUPERUSER_ID, {}))
        # the data must be visible to the other connections of the test
        cr.commit()  # pylint: disable=invalid-commit
        return result


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def race(calls):
    """Start calls [fn(env)] together, each in its own connection.

    Returns (results, conflicts): what each call returned (or the exception
    it raised) and how many serialization failures were retried.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    conflicts = []

    def worker(index, call):
        with api.Environment.manage():
            waited = False
            for _attempt in range(MAX_ATTEMPTS):
                with registry().cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    if not waited:
                        barrier.wait(timeout=30)
                        waited = True
                    try:
                        results[index] = call(env)
                        cr.commit()  # pylint: disable=invalid-commit
                        return
                    except TransactionRollbackError:
                        cr.rollback()
                        conflicts.append(index)
                    except Exception as error:  # reported to the test, not swallowed
                        cr.rollback()
                        results[index] = error
                        return
            results[index] = RuntimeError("still conflicting after %d attempts" % MAX_ATTEMPTS)

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, len(conflicts)
