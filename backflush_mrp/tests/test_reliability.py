"""Exactly once under concurrency and a killed worker, with real connections and
processes (issue: reliability). Rounds and conflicts go to the test log and to
.artifacts/reliability.txt."""
import logging
import os
import signal
import subprocess
import sys
import time

import odoo
import pytest

from . import committed_factory as factory_lib
from .concurrency import committed, race

_logger = logging.getLogger(__name__)
pytestmark = pytest.mark.slow

ROUNDS = 3
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORT = os.path.join(ROOT, ".artifacts", "reliability.txt")


def _report(line):
    _logger.info(line)
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "a") as handle:
        handle.write(line + "\n")


def _assert_consumed_exactly(factory, production_ids, qty_each):
    def check(env):
        return [factory_lib.consumed(env, pid) for pid in production_ids]
    for totals in committed(check):
        assert totals == dict.fromkeys(factory["parts"], 2.0 * qty_each), totals


def _audit(production_ids):
    return committed(lambda env: env["backflush.audit"]._audit(
        env["mrp.production"].browse(production_ids)))


def _post(pid):
    def call(env):
        env["mrp.production"].browse(pid).action_backflush()
        return True
    return call


def _mark_done(pid):
    def call(env):
        env["mrp.production"].browse(pid).button_mark_done()
        return True
    return call


def _periodic(pids):
    def call(env):
        # as the scheduled job runs it: chunks committed, conflicts retried after
        result = env["backflush.chunk"].post_batch(env["mrp.production"].browse(pids),
                                                     "periodic", chunk_size=1,
                                                     commit_chunks=True)
        _logger.info("periodic batch in the race: %s",
                     {key: value for key, value in result.items() if key != "logs"})
        return not result["failed"]
    return call


def _deliver(factory, qty):
    def call(env):
        move = env["stock.move"].create({
            "name": "Delivery", "product_id": factory["finished"],
            "product_uom": factory["uom"], "product_uom_qty": qty,
            "location_id": factory["location"],
            "location_dest_id": env.ref("stock.stock_location_customers").id})
        move._action_confirm()
        move.quantity_done = qty
        move._action_done()
        return True
    return call


@pytest.mark.parametrize("entry_points", [
    "post+post", "mark_done+post", "periodic+post", "delivery+delivery"])
def test_exactly_once_under_concurrency(entry_points):
    conflicts = 0
    started = time.time()
    for _round in range(ROUNDS):
        if entry_points == "post+post":
            factory = committed(factory_lib.build)
            (pid,) = committed(lambda env, f=factory: factory_lib.make_orders(env, f, 1))
            calls, expect = [_post(pid), _post(pid)], ([pid], 1)
        elif entry_points == "mark_done+post":
            factory = committed(factory_lib.build)
            (pid,) = committed(lambda env, f=factory: factory_lib.make_orders(env, f, 1))
            calls, expect = [_mark_done(pid), _post(pid)], ([pid], 1)
        elif entry_points == "periodic+post":
            factory = committed(lambda env: factory_lib.build(env, "periodic"))
            pids = committed(lambda env, f=factory: factory_lib.make_orders(env, f, 3,
                                                                            close=True))
            calls, expect = [_periodic(pids), _post(pids[1])], (pids, 1)
        else:
            factory = committed(lambda env: factory_lib.build(env, "shipment"))
            pids = committed(lambda env, f=factory: factory_lib.make_orders(env, f, 2, qty=2,
                                                                            close=True))
            # two deliveries of 2 at once: both MOs released, each once
            calls, expect = [_deliver(factory, 2), _deliver(factory, 2)], (pids, 2)
        results, seen = race(calls)
        assert all(result is True for result in results), results
        conflicts += seen
        _assert_consumed_exactly(factory, *expect)
        assert _audit(expect[0]) == []
    _report("concurrency %s: %d rounds, %d conflicts seen and retried, %.1fs"
            % (entry_points, ROUNDS, conflicts, time.time() - started))


def test_killed_worker_leaves_no_order_half_posted():
    factory = committed(lambda env: factory_lib.build(env, "periodic", components=4))
    pids = committed(lambda env: factory_lib.make_orders(env, factory, 6, close=True))
    worker = subprocess.Popen(
        [sys.executable, os.path.join(os.path.dirname(__file__), "fault_worker.py"),
         odoo.tools.config.rcfile, odoo.tools.config["db_name"], ",".join(map(str, pids))],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True)
    posted = 0
    deadline = time.time() + 120
    while posted < 2 and time.time() < deadline:
        line = worker.stdout.readline()
        if not line:
            break
        posted += line.startswith("posted")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert posted >= 2, "the worker never got going"

    def states(env):
        return [factory_lib.consumed(env, pid) for pid in pids]
    whole = dict.fromkeys(factory["parts"], 2.0)
    after_kill = committed(states)
    for totals in after_kill:
        assert totals in ({}, whole), "an order is half-posted: %s" % totals
    done_before_retry = sum(1 for totals in after_kill if totals)
    assert 1 <= done_before_retry < len(pids)
    committed(lambda env: env["backflush.chunk"].post_batch(
        env["mrp.production"].browse(pids), "periodic"))
    _assert_consumed_exactly(factory, pids, 1)
    assert _audit(pids) == []
    _report("killed worker: %d of %d orders posted before SIGKILL, none half-posted; "
            "the retry posted the other %d once" % (done_before_retry, len(pids),
                                                    len(pids) - done_before_retry))
