"""From 11.0.1: the scheduled action, the job function and the waiting jobs.

11.0.1 replaced the code of backflush_mrp's scheduled action (a noupdate
record, which an update does not reset), left its job on the root channel
and ran it on no record with the MO ids as argument.
"""
from odoo import SUPERUSER_ID, api

OLD_CODE = "model._cron_backflush_periodic_jobs()"
CODE = "model._cron_backflush_periodic(commit_chunks=True)"
METHOD = "_backflush_periodic_chunk"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("backflush_mrp.ir_cron_backflush_periodic", raise_if_not_found=False)
    if cron and (cron.code or "").strip() == OLD_CODE:
        cron.code = CODE
    env["queue.job.function"].search([("name", "=", "<mrp.production>.%s" % METHOD)]).write(
        {"channel_id": env.ref("backflush_mrp_queue.channel_backflush").id})
    waiting = env["queue.job"].search([
        ("model_name", "=", "mrp.production"), ("method_name", "=", METHOD),
        ("state", "in", ("pending", "enqueued", "failed"))])
    for record in waiting.filtered(lambda r: r.args and not r.record_ids):
        record.write({"record_ids": list(record.args[0]), "args": []})
