from odoo import _, api, models
from odoo.addons.backflush_mrp.models.mrp_production import PERIODIC_CHUNK
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import ENQUEUED, PENDING, identity_exact, job, related_action

CHANNEL = "root.backflush"
# an MO another transaction was posting is retried alone: after 10 s for the first
# two retries, then 1 minute, then 5 minutes ({retries so far: seconds to wait})
RETRY_PATTERN = {1: 10, 3: 60, 6: 5 * 60}
MAX_RETRIES = 10
# the jobs of this module; an MO in one of them that has not started yet is not
# chunked again by the scheduled action (a started job may have died with its
# worker: its MOs are chunked again, and posted once all the same)
JOB_METHODS = ("_backflush_periodic_chunk", "_backflush_periodic_retry")
WAITING = (PENDING, ENQUEUED)


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    @api.model
    def _cron_backflush_periodic(self, commit_chunks=False, chunk_size=PERIODIC_CHUNK):
        """The scheduled action (commit_chunks=True) enqueues one job per chunk.

        Returns the jobs. A call inside its caller's transaction
        (commit_chunks=False: scripts, tests) posts inline as backflush_mrp
        does and returns its result: jobs would only run once that
        transaction commits.
        """
        if not commit_chunks:
            return super()._cron_backflush_periodic(commit_chunks=False, chunk_size=chunk_size)
        return self._backflush_pending_periodic()._backflush_enqueue_chunks(chunk_size)

    @api.multi
    def _backflush_enqueue_chunks(self, chunk_size=PERIODIC_CHUNK):
        """One job per chunk of these MOs, leaving out those a job will post: [Job].

        The chunks are cut from what is left in id order, and a chunk's
        identity is its MOs: enqueuing again before the jobs ran adds nothing.
        """
        todo = self - self._backflush_queued()
        return [todo[start:start + chunk_size]._backflush_delay_chunk()
                for start in range(0, len(todo), chunk_size)]

    @api.model
    def _backflush_queued(self):
        """The MOs of this module's jobs that have not started yet."""
        jobs = self.env["queue.job"].sudo().search([
            ("model_name", "=", self._name), ("method_name", "in", JOB_METHODS),
            ("state", "in", WAITING)])
        return self.browse(sorted({pid for ids in jobs.mapped("record_ids") for pid in ids}))

    @api.multi
    def _backflush_delay_chunk(self):
        return self.with_delay(
            description=_("Periodic backflush of %d manufacturing orders") % len(self),
            identity_key=identity_exact,
        )._backflush_periodic_chunk()

    @api.multi
    def _backflush_delay_retry(self):
        self.ensure_one()
        return self.with_delay(
            description=_("Periodic backflush of %s, retried alone") % self.name,
            identity_key=identity_exact, max_retries=MAX_RETRIES,
        )._backflush_periodic_retry()

    @job(default_channel=CHANNEL)
    @related_action(action="related_action_backflush_productions")
    @api.multi
    def _backflush_periodic_chunk(self):
        """Periodic backflush of a chunk of manufacturing orders.

        Each MO posts whole or not at all. An MO another transaction is posting
        meanwhile (a serialization conflict) gets a job of its own; what the
        others posted stays.
        """
        result = self.exists()._backflush_post_periodic()
        for production in result["conflicts"]:
            production._backflush_delay_retry()
        self._backflush_record_run(result)
        return _("%(posted)d posted, %(skipped)d with nothing due, %(failed)d failed, "
                 "%(retried)d retried on their own") % {
            "posted": len(result["posted"]), "skipped": len(result["skipped"]),
            "failed": len(result["failed"]), "retried": len(result["conflicts"])}

    @job(default_channel=CHANNEL, retry_pattern=RETRY_PATTERN)
    @related_action(action="related_action_backflush_productions")
    @api.multi
    def _backflush_periodic_retry(self):
        """Periodic backflush of a manufacturing order that met a concurrent posting."""
        result = self.exists()._backflush_post_periodic()
        if result["conflicts"]:
            # nothing was posted here: the job runner retries it after RETRY_PATTERN
            raise RetryableJobError(
                _("%s is being posted by another transaction") % result["conflicts"].name)
        self._backflush_record_run(result)
        return _("%(posted)d posted, %(skipped)d with nothing due, %(failed)d failed") % {
            "posted": len(result["posted"]), "skipped": len(result["skipped"]),
            "failed": len(result["failed"])}

    @api.multi
    def _backflush_post_periodic(self):
        """backflush_mrp's chunk posting of the periodic run, on these MOs."""
        return self.env["backflush.chunk"].post_chunk(self, "periodic")

    @api.model
    def _backflush_record_run(self, result):
        components = len(result["logs"].mapped("line_ids"))
        self.env["backflush.log"].record_run("periodic", result, components)
