from odoo import SUPERUSER_ID, api

INLINE_CODE = "model._cron_backflush_periodic(commit_chunks=True)"


def uninstall_hook(cr, registry):
    """Give the periodic backflush back to backflush_mrp's inline batch."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("backflush_mrp.ir_cron_backflush_periodic", raise_if_not_found=False)
    if cron:
        cron.code = INLINE_CODE
