from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    backflush_line_id = fields.Many2one(
        "mrp.production.backflush.line", "Backflush Component", index=True,
        ondelete="set null")
    backflush_rule_id = fields.Many2one(related="backflush_line_id.rule_id", readonly=True,
                                        string="Backflush Rule")
    backflush_trigger = fields.Selection(related="backflush_line_id.trigger", readonly=True,
                                         string="Backflush Trigger")
    backflush_rule_reason = fields.Char(related="backflush_line_id.rule_reason", readonly=True,
                                        string="Why This Trigger")

    def _action_cancel(self):
        # A completed MO keeps the moves of its components that are still
        # pending (shipment, periodic): their own trigger consumes them later.
        if self.env.context.get("backflush_keep_pending"):
            pending = self.filtered(lambda move: move.backflush_line_id.id
                                    in self.env.context["backflush_keep_pending"])
            return super(StockMove, self - pending)._action_cancel()
        return super()._action_cancel()
