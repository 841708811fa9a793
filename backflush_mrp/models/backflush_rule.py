from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import rules as rules_lib
from .selections import SHORTAGE_POLICIES, TRIGGERS


class BackflushRule(models.Model):
    _name = "backflush.rule"
    _description = "Backflush Trigger Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Breaks ties between equally specific rules.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True,
        default=lambda self: self.env["res.company"]._company_default_get("backflush.rule"))
    trigger = fields.Selection(TRIGGERS, required=True, default="production_done")
    shortage_policy = fields.Selection(SHORTAGE_POLICIES, required=True,
                                       default="allow_negative")
    product_categ_id = fields.Many2one("product.category", "Product Category",
                                       ondelete="cascade")
    product_id = fields.Many2one("product.product", "Component", ondelete="cascade")
    bom_id = fields.Many2one("mrp.bom", "Bill of Materials", ondelete="cascade")
    bom_line_id = fields.Many2one("mrp.bom.line", "BoM Line", ondelete="cascade")
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", ondelete="cascade")
    location_src_id = fields.Many2one(
        "stock.location", "Consume From", domain=[("usage", "=", "internal")],
        help="Line-side stock the components are taken from; the MO's source "
             "location when empty.")
    scope_description = fields.Char(compute="_compute_scope_description")

    @api.depends("product_categ_id", "product_id", "bom_id", "bom_line_id", "workcenter_id")
    def _compute_scope_description(self):
        for rule in self:
            parts = [
                rule.bom_line_id and _("BoM line %s") % rule.bom_line_id.display_name,
                rule.product_id and _("component %s") % rule.product_id.display_name,
                rule.bom_id and _("BoM %s") % rule.bom_id.display_name,
                rule.product_categ_id and _("category %s") % rule.product_categ_id.display_name,
                rule.workcenter_id and _("work center %s") % rule.workcenter_id.display_name,
            ]
            rule.scope_description = ", ".join(p for p in parts if p) or _("any component")

    @api.constrains("bom_line_id", "bom_id")
    def _check_bom_line_in_bom(self):
        for rule in self:
            if rule.bom_line_id and rule.bom_id and rule.bom_line_id.bom_id != rule.bom_id:
                raise ValidationError(_(
                    "Rule '%(rule)s': BoM line '%(line)s' belongs to BoM '%(line_bom)s', not "
                    "to '%(bom)s'. Clear the BoM or pick a line of it.") % {
                        "rule": rule.name, "line": rule.bom_line_id.display_name,
                        "line_bom": rule.bom_line_id.bom_id.display_name,
                        "bom": rule.bom_id.display_name})

    @api.constrains("bom_line_id", "product_id")
    def _check_bom_line_product(self):
        for rule in self:
            if (rule.bom_line_id and rule.product_id
                    and rule.bom_line_id.product_id != rule.product_id):
                raise ValidationError(_(
                    "Rule '%(rule)s': BoM line '%(line)s' consumes %(line_product)s, not "
                    "%(product)s. Clear the component or pick another line.") % {
                        "rule": rule.name, "line": rule.bom_line_id.display_name,
                        "line_product": rule.bom_line_id.product_id.display_name,
                        "product": rule.product_id.display_name})

    @api.constrains("trigger", "bom_line_id")
    def _check_operation_for_operation_trigger(self):
        for rule in self:
            if (rule.trigger == "operation_done" and rule.bom_line_id
                    and not rule.bom_line_id.operation_id):
                raise ValidationError(_(
                    "Rule '%(rule)s' consumes on operation, but BoM line '%(line)s' is "
                    "attached to no operation. Set 'Consumed in Operation' on the BoM line "
                    "or choose another trigger.") % {
                        "rule": rule.name, "line": rule.bom_line_id.display_name})

    @api.constrains("location_src_id", "company_id")
    def _check_location_company(self):
        for rule in self:
            location = rule.location_src_id
            if location and location.company_id and location.company_id != rule.company_id:
                raise ValidationError(_(
                    "Rule '%(rule)s' belongs to %(company)s but consumes from %(location)s, a "
                    "location of %(other)s. Pick a location of %(company)s.") % {
                        "rule": rule.name, "company": rule.company_id.name,
                        "location": location.display_name, "other": location.company_id.name})

    def _as_plain(self):
        return [rules_lib.Rule(
            id=rule.id, name=rule.name, trigger=rule.trigger, sequence=rule.sequence,
            active=rule.active, company_id=rule.company_id.id or None,
            bom_line_id=rule.bom_line_id.id or None, product_id=rule.product_id.id or None,
            bom_id=rule.bom_id.id or None, product_categ_id=rule.product_categ_id.id or None,
            workcenter_id=rule.workcenter_id.id or None,
        ) for rule in self]

    # public: read-only
    @api.model
    def candidates(self, company):
        """Active rules that may apply in company, as plain data (one query)."""
        return self.search([("company_id", "in", [company.id, False])])._as_plain()
