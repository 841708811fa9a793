from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import TRIGGERS


class MrpBomLine(models.Model):
    _inherit = "mrp.bom.line"

    backflush_scrap_factor = fields.Float(
        "Planned Scrap (%)", digits=(16, 4), default=0.0,
        help="Expected loss in production: a backflush consumes this percentage "
             "more than the BoM quantity.")
    backflush_rule_id = fields.Many2one(
        "backflush.rule", "Effective Backflush Rule", compute="_compute_backflush_rule")
    backflush_trigger = fields.Selection(
        TRIGGERS, "Effective Backflush Trigger", compute="_compute_backflush_rule")
    backflush_rule_reason = fields.Char(
        "Why This Trigger", compute="_compute_backflush_rule")

    @api.constrains("product_id", "product_uom_id")
    def _check_backflush_uom_category(self):
        for line in self:
            if line.product_uom_id.category_id != line.product_id.uom_id.category_id:
                raise ValidationError(_(
                    "BoM line '%(line)s' of BoM '%(bom)s' is in %(uom)s (category "
                    "%(category)s), which cannot be converted into %(product_uom)s, the unit "
                    "of the component. Choose a unit of category %(product_category)s.") % {
                        "line": line.product_id.display_name, "bom": line.bom_id.display_name,
                        "uom": line.product_uom_id.name,
                        "category": line.product_uom_id.category_id.name,
                        "product_uom": line.product_id.uom_id.name,
                        "product_category": line.product_id.uom_id.category_id.name})

    @api.constrains("backflush_scrap_factor")
    def _check_backflush_scrap_factor(self):
        for line in self:
            if line.backflush_scrap_factor < 0:
                raise ValidationError(_(
                    "BoM line '%(line)s': the planned scrap cannot be negative (%(scrap)s "
                    "%%).") % {"line": line.product_id.display_name,
                               "scrap": line.backflush_scrap_factor})

    def _compute_backflush_rule(self):
        resolver = self.env["backflush.planner"]
        for line in self:
            company = line.bom_id.company_id or self.env.user.company_id
            resolution = resolver.resolve_bom_line(line, company)
            line.backflush_rule_id = resolution.rule_id
            line.backflush_trigger = resolver.trigger_of(resolution, company)
            line.backflush_rule_reason = resolution.reason
