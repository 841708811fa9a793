from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp

from .dialog import open_in_dialog


class BackflushManualConfirm(models.TransientModel):
    """Closing an MO whose manual components were issued below standard."""

    _name = "backflush.manual.confirm"
    _description = "Confirm Closing with Manual Components Short"

    production_id = fields.Many2one("mrp.production", required=True, readonly=True)
    line_ids = fields.One2many("backflush.manual.confirm.line", "wizard_id", readonly=True)

    # public: takes recordsets (RPC cannot pass one, so an RPC call faults)
    @api.model
    def open_for(self, production, short):
        wizard = self.create({
            "production_id": production.id,
            "line_ids": [(0, 0, {"product_id": line.product_id.id,
                                 "product_uom_id": line.product_uom_id.id,
                                 "qty_standard": standard, "qty_consumed": consumed})
                         for line, standard, consumed in short],
        })
        return open_in_dialog(wizard, _("Manual Components Short"))

    @api.multi
    def action_confirm(self):
        self.ensure_one()
        self.production_id.with_context(backflush_manual_confirmed=True).button_mark_done()
        return {"type": "ir.actions.act_window_close"}


class BackflushManualConfirmLine(models.TransientModel):
    _name = "backflush.manual.confirm.line"
    _description = "Manual Component Short"

    wizard_id = fields.Many2one("backflush.manual.confirm", required=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", "Component", readonly=True)
    product_uom_id = fields.Many2one("product.uom", "UoM", readonly=True)
    qty_standard = fields.Float("Standard", digits=dp.get_precision("Product Unit of Measure"),
                                readonly=True)
    qty_consumed = fields.Float("Issued", digits=dp.get_precision("Product Unit of Measure"),
                                readonly=True)
