from odoo import api, models


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    def _backflush_event(self):
        # the last work order's output is the MO's output
        return "operation" if self.next_work_order_id else "last_operation"

    @api.multi
    def record_production(self):
        result = super().record_production()
        self.env["backflush.posting"].post(self.production_id, self._backflush_event(),
                                           workorder=self)
        return result

    @api.multi
    def button_finish(self):
        result = super().button_finish()
        self.env["backflush.posting"].post(self.production_id, self._backflush_event(),
                                           workorder=self)
        # labour and overhead of an operation_done operation: absorbed as it finishes
        self.env["backflush.conversion"].absorb(self.production_id, workorder=self)
        return result
