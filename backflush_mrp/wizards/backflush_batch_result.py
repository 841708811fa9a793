from odoo import _, fields, models

from .dialog import open_in_dialog


class BackflushBatchResult(models.TransientModel):
    _name = "backflush.batch.result"
    _description = "Backflush Batch Result"

    message = fields.Text(readonly=True)

    # public: read-only
    def action_open(self):
        return open_in_dialog(self, _("Backflush Result"))
