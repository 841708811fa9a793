"""A periodic backflush worker that is meant to be killed (test_killed_worker).

Run as: python fault_worker.py CONFIG DATABASE MO_ID,MO_ID,...
It posts the MOs one per chunk, committing each (as the scheduled job does),
and sleeps after each so that the test can kill it in the middle.
"""
import sys
import time

import odoo
from odoo import SUPERUSER_ID, api


def main(config, database, ids):
    odoo.tools.config.parse_config(["-c", config, "-d", database])
    registry = odoo.registry(database)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        engine = env["backflush.chunk"]
        original = type(engine)._finish_chunk

        def slow_finish_chunk(self, prepared, *args):
            logs = original(self, prepared, *args)
            for production, _ready in prepared:
                print("posted %s" % production.id, flush=True)  # pylint: disable=print-used
            time.sleep(0.7)
            return logs
        type(engine)._finish_chunk = slow_finish_chunk
        productions = env["mrp.production"].browse(ids)
        engine.post_batch(productions, "periodic", chunk_size=1, commit_chunks=True)
        print("finished", flush=True)  # pylint: disable=print-used


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [int(i) for i in sys.argv[3].split(",")])
