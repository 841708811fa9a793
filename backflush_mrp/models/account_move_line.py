from odoo import fields, models

from .selections import CONVERSION_TYPES, VARIANCE_TYPES


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    backflush_production_id = fields.Many2one(
        "mrp.production", "Backflush MO", index=True, readonly=True, ondelete="set null",
        help="The manufacturing order whose backflush, WIP or variance this item books.")
    backflush_variance_type = fields.Selection(VARIANCE_TYPES, "Variance Type", index=True,
                                               readonly=True)
    backflush_operation_id = fields.Many2one(
        "mrp.routing.workcenter", index=True, readonly=True,
        ondelete="set null",
        help="The routing operation whose labour or overhead this item absorbs into WIP.")
    backflush_conversion_type = fields.Selection(CONVERSION_TYPES, "Conversion Cost",
                                                 readonly=True)
