from odoo import _, fields, models


class BackflushBatchResult(models.TransientModel):
    _name = "backflush.batch.result"
    _description = "Backflush Batch Result"

    message = fields.Text(readonly=True)

    def _action_open(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Backflush Result"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
