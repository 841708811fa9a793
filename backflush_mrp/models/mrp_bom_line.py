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
                    "BoM line '%s' of BoM '%s' is in %s (category %s), which cannot be "
                    "converted into %s, the unit of the component. Choose a unit of "
                    "category %s.") % (
                        line.product_id.display_name, line.bom_id.display_name,
                        line.product_uom_id.name, line.product_uom_id.category_id.name,
                        line.product_id.uom_id.name, line.product_id.uom_id.category_id.name))

    @api.constrains("backflush_scrap_factor")
    def _check_backflush_scrap_factor(self):
        for line in self:
            if line.backflush_scrap_factor < 0:
                raise ValidationError(_(
                    "BoM line '%s': the planned scrap cannot be negative (%s %%).")
                    % (line.product_id.display_name, line.backflush_scrap_factor))

    def _compute_backflush_rule(self):
        resolver = self.env["backflush.engine"]
        for line in self:
            company = line.bom_id.company_id or self.env.user.company_id
            resolution = resolver._resolve_bom_line(line, company)
            line.backflush_rule_id = resolution.rule_id
            line.backflush_trigger = resolver._trigger_of(resolution, company)
            line.backflush_rule_reason = resolution.reason
