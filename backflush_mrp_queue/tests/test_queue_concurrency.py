"""Two queue_job workers running the same chunk at once post each MO once."""
import logging
import time

import pytest
from odoo.addons.backflush_mrp.tests import committed_factory as factory_lib
from odoo.addons.backflush_mrp.tests.concurrency import committed, race
from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)
pytestmark = pytest.mark.slow


def _worker(pids):
    """What a job runner does with the chunk's job: perform, retry when asked."""
    def call(env):
        for _attempt in range(10):
            try:
                env["mrp.production"]._backflush_periodic_chunk(pids)
                return True
            except RetryableJobError:
                env.cr.rollback()
                env.clear()
                time.sleep(0.2)
        return False
    return call


def test_two_workers_same_chunk_post_once():
    conflicts = 0
    for _round in range(3):
        factory = committed(lambda env: factory_lib.build(env, "periodic"))
        pids = committed(lambda env, f=factory: factory_lib.make_orders(env, f, 3, close=True))
        results, seen = race([_worker(pids), _worker(pids)])
        assert results == [True, True], results
        conflicts += seen
        totals = committed(lambda env, p=pids: [factory_lib.consumed(env, pid) for pid in p])
        for consumed in totals:
            assert consumed == dict.fromkeys(factory["parts"], 2.0), consumed
        assert committed(lambda env, p=pids: env["backflush.audit"]._audit(
            env["mrp.production"].browse(p))) == []
    _logger.info("queue_job workers: 3 rounds, %d conflicts seen and retried", conflicts)
