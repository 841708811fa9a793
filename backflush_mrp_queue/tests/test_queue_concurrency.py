"""Job workers on their own connections, committing as the job runner does.

Two workers running the same chunk at once post each MO once; an MO that
another transaction changed while a job was posting is retried alone, and
what the job posted for the other MOs of its chunk stays.
"""
import logging
from datetime import datetime

import pytest
from odoo import SUPERUSER_ID, api
from odoo.addons.backflush_mrp.tests import committed_factory as factory_lib
from odoo.addons.backflush_mrp.tests.concurrency import committed, race, registry, unique
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from ..models.mrp_production import JOB_METHODS, RETRY_PATTERN

_logger = logging.getLogger(__name__)
pytestmark = pytest.mark.slow


def _perform(uuid, meanwhile=None):
    """Run a job as the job runner does, in its own transaction.

    meanwhile() runs once the job's transaction has its snapshot and before
    the job posts: what another connection commits then is the job's
    concurrent work. Returns the job's result, or the RetryableJobError it
    raised (the job is then postponed, its transaction rolled back).
    """
    with api.Environment.manage(), registry().cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        job = Job.load(env, uuid)  # the snapshot is taken here
        if meanwhile:
            meanwhile()
        try:
            result = job.perform()
        except RetryableJobError as error:
            cr.rollback()
            env.clear()
            job.postpone(result=str(error), seconds=error.seconds)
            job.set_pending(reset_retry=False)
            job.store()
            cr.commit()  # pylint: disable=invalid-commit
            return error
        job.set_done(result)
        job.store()
        cr.commit()  # pylint: disable=invalid-commit
        return result


def _waiting(env, pids):
    """This module's jobs not started yet on any of pids."""
    jobs = env["queue.job"].search([
        ("model_name", "=", "mrp.production"), ("method_name", "in", JOB_METHODS),
        ("state", "in", ("pending", "enqueued"))])
    return jobs.filtered(lambda record: set(record.record_ids) & set(pids))


def _consumed(pids):
    return committed(lambda env: [factory_lib.consumed(env, pid) for pid in pids])


def _audit(pids):
    return committed(lambda env: env["backflush.audit"]._audit(env["mrp.production"].browse(pids)))


def test_two_workers_same_chunk_post_once():
    conflicts = 0
    for _round in range(3):
        factory = committed(lambda env: factory_lib.build(env, "periodic"))
        pids = committed(lambda env, f=factory: factory_lib.make_orders(env, f, 3, close=True))

        def chunk(env, p=pids):
            return env["mrp.production"].browse(p)._backflush_periodic_chunk()

        results, seen = race([chunk, chunk])
        assert all(isinstance(result, str) for result in results), results
        # the MOs a worker found in the other's hands got jobs of their own
        retries = committed(lambda env, p=pids: _waiting(env, p).mapped("uuid"))
        for uuid in retries:
            assert isinstance(_perform(uuid), str)
        conflicts += seen + len(retries)
        for consumed in _consumed(pids):
            assert consumed == dict.fromkeys(factory["parts"], 2.0), consumed
        assert _audit(pids) == []
    _logger.info("queue_job workers: 3 rounds, %d conflicts seen and retried", conflicts)


def test_a_conflicted_mo_is_retried_alone():
    factory = committed(lambda env: factory_lib.build(env, "periodic"))
    pids = committed(lambda env: factory_lib.make_orders(env, factory, 3, close=True))
    chunk = committed(lambda env: env["mrp.production"].browse(pids)._backflush_delay_chunk().uuid)
    posted = dict.fromkeys(factory["parts"], 2.0)

    def edit_second():
        # another user saves the second MO: committed after the job's snapshot, it makes
        # PostgreSQL refuse the job's lock on that MO (could not serialize access)
        committed(lambda env: env["mrp.production"].browse(pids[1]).write(
            {"origin": unique("edited")}))

    assert isinstance(_perform(chunk, meanwhile=edit_second), str)
    assert _consumed(pids) == [posted, {}, posted]
    retry = committed(lambda env: [(r.uuid, r.method_name, r.record_ids, r.channel)
                                   for r in _waiting(env, pids)])
    assert [row[1:] for row in retry] == [
        ("_backflush_periodic_retry", [pids[1]], "root.backflush")]
    uuid = retry[0][0]

    # the MO alone meets another change: postponed by the retry pattern, nothing posted
    error = _perform(uuid, meanwhile=edit_second)
    assert isinstance(error, RetryableJobError), error
    state, retries, eta = committed(lambda env: [
        (r.state, r.retry, r.eta) for r in env["queue.job"].search([("uuid", "=", uuid)])][0])
    delay = (datetime.strptime(eta, "%Y-%m-%d %H:%M:%S") - datetime.now()).total_seconds()
    assert (state, retries) == ("pending", 1)
    assert RETRY_PATTERN[1] - 5 < delay <= RETRY_PATTERN[1], delay
    assert _consumed(pids) == [posted, {}, posted]

    # its next run posts it; the other two were posted once, by the chunk's job
    assert isinstance(_perform(uuid), str)
    assert _consumed(pids) == [posted, posted, posted]
    assert committed(lambda env: _waiting(env, pids).ids) == []
    assert _audit(pids) == []
