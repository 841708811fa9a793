"""Odoo's multi-worker (prefork) server on Python 3.10+.

Before each request, a worker of odoo.service.server (``--workers N``) sets
its CPU-time limit to the CPU time it used so far (a float from getrusage)
plus ``--limit-time-cpu``: ``resource.setrlimit(RLIMIT_CPU, (cpu_time +
limit, hard))``. Python 3.7 truncated a float limit to an int (through
``__int__``, deprecated in 3.8); Python 3.10 raises TypeError, and every
worker dies before its first request. The server module gets a ``resource``
whose setrlimit truncates float limits as 3.7 did; every other name is the
standard module's.
"""
import resource
import types


def _limit(value):
    return int(value) if isinstance(value, float) else value


def setrlimit(which, limits):
    soft, hard = limits
    return resource.setrlimit(which, (_limit(soft), _limit(hard)))


def patch(module):
    compat = types.ModuleType("resource")
    compat.__dict__.update(vars(resource))
    compat.setrlimit = setrlimit
    module.resource = compat
