from odoo import _, api, models
from odoo.addons.backflush_mrp.models.mrp_production import PERIODIC_CHUNK
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import job

# a job posts this many MOs, as a chunk of the inline run does; each MO is
# still atomic on its own
CHUNK_SIZE = PERIODIC_CHUNK


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    @api.model
    def _cron_backflush_periodic_jobs(self, chunk_size=CHUNK_SIZE, productions=None):
        """The scheduled action: one job per chunk of pending MOs.

        Any number of workers on any number of hosts may run the jobs at
        once: each MO's posting locks its row and posts only what is due.
        """
        pending = self._backflush_pending_periodic()
        if productions is not None:
            pending &= productions
        jobs = []
        for start in range(0, len(pending), chunk_size):
            chunk = pending[start:start + chunk_size]
            jobs.append(self.with_delay(
                description=_("Periodic backflush of %d manufacturing orders") % len(chunk),
            )._backflush_periodic_chunk(chunk.ids))
        return jobs

    @job
    @api.model
    def _backflush_periodic_chunk(self, production_ids):
        productions = self.browse(production_ids).exists()
        # the same chunk posting as the inline run: the MOs' own moves, done at once
        result = self.env["backflush.chunk"].post_chunk(productions, "periodic")
        if result["conflicts"]:
            # another worker holds some of these MOs: redo the chunk later, from a
            # fresh snapshot (what was posted here is rolled back with the retry)
            raise RetryableJobError(
                "%d manufacturing orders are being posted elsewhere" % len(result["conflicts"]),
                seconds=5)
        components = len(result["logs"].mapped("line_ids"))
        self.env["backflush.log"].record_run("periodic", result, components)
        return "%d posted, %d with nothing due, %d failed" % (
            len(result["posted"]), len(result["skipped"]), len(result["failed"]))
