"""Standard cost roll-up (SPEC section 4c): materials and conversion, bottom-up.

Each product's new standard = its BoM's components at their standard
(planned scrap included, kits exploded; a sub-assembly of the same run at
its new cost) + the routing's conversion cost (SPEC 4b). Applying goes
through Odoo's own standard-price change, which revalues the stock on hand
against the counterpart account.
"""
from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_round

from .dialog import open_in_dialog


class BackflushCostRollup(models.TransientModel):
    _name = "backflush.cost.rollup"
    _description = "Standard Cost Roll-up"

    product_ids = fields.Many2many(
        "product.product", string="Products",
        help="Manufactured products to cost; with a category, its products are added.")
    categ_id = fields.Many2one(
        "product.category", "Product Category",
        help="Roll up every product of this category (and its sub-categories) that has a "
             "bill of materials.")
    counterpart_account_id = fields.Many2one(
        "account.account", domain=[("deprecated", "=", False)],
        default=lambda self: self.env.user.company_id.backflush_revision_variance_account_id,
        help="Where the revaluation of the stock on hand goes (stock valuation on the "
             "other side).")
    line_ids = fields.One2many("backflush.cost.rollup.line", "rollup_id", "Costs",
                               readonly=True)
    state = fields.Selection([("draft", "To Compute"), ("computed", "Computed"),
                              ("applied", "Applied")], default="draft", readonly=True)
    revaluation_total = fields.Float("Revaluation of Stock on Hand",
                                     digits=dp.get_precision("Account"),
                                     compute="_compute_revaluation_total")

    @api.model
    def default_get(self, field_names):
        values = super().default_get(field_names)
        context = self.env.context
        if context.get("active_model") == "product.product" and context.get("active_ids"):
            values.setdefault("product_ids", [(6, 0, context["active_ids"])])
        if context.get("active_model") == "product.template" and context.get("active_ids"):
            templates = self.env["product.template"].browse(context["active_ids"])
            values.setdefault("product_ids", [(6, 0, templates.mapped(
                "product_variant_ids").ids)])
        return values

    @api.depends("line_ids.revaluation")
    def _compute_revaluation_total(self):
        for rollup in self:
            rollup.revaluation_total = sum(rollup.line_ids.mapped("revaluation"))

    # -- which products, in which order ---------------------------------------------
    def _products(self):
        products = self.product_ids
        if self.categ_id:
            products |= self.env["product.product"].search(
                [("categ_id", "child_of", self.categ_id.id), ("type", "in", ("product", "consu"))])
        return products

    @api.model
    def _bom_of(self, product):
        bom = self.env["mrp.bom"]._bom_find(product=product)
        return bom if bom and bom.type == "normal" else self.env["mrp.bom"]

    @api.model
    def _component_ids(self, bom):
        planner = self.env["backflush.planner"]
        return {line.product_id for line in _leaves(planner.plain_bom(bom))}

    def _bottom_up(self, products):
        """[(product, BoM)] with every sub-assembly of the run before what it goes into."""
        boms = {product.id: self._bom_of(product) for product in products}
        boms = {product_id: bom for product_id, bom in boms.items() if bom}
        order, done, visiting = [], set(), set()

        def visit(product_id, path):
            if product_id in done:
                return
            if product_id in visiting:
                raise UserError(_("The bills of materials of %s contain each other: fix them "
                                  "before rolling up their costs.") % ", ".join(path))
            visiting.add(product_id)
            for component_id in sorted(self._component_ids(boms[product_id])):
                if component_id in boms:
                    visit(component_id, path + [boms[component_id].display_name])
            visiting.discard(product_id)
            done.add(product_id)
            order.append(product_id)

        for product_id in sorted(boms):
            visit(product_id, [boms[product_id].display_name])
        Product = self.env["product.product"]
        return [(Product.browse(product_id), boms[product_id]) for product_id in order]

    # -- actions ---------------------------------------------------------------------------
    @api.multi
    def action_compute(self):
        self.ensure_one()
        products = self._products()
        if not products:
            raise UserError(_("Choose the products, or a category, to roll up."))
        company = self.env.user.company_id
        digits = self.env["decimal.precision"].precision_get("Product Price")
        new_costs, lines = {}, []
        for variant, bom in self._bottom_up(products):
            product = variant.with_context(force_company=company.id)
            material = float_round(bom.backflush_material_cost_per_unit(new_costs),
                                   precision_digits=digits)
            conversion = float_round(bom.backflush_conversion_cost_per_unit(),
                                     precision_digits=digits)
            new_cost = float_round(material + conversion, precision_digits=digits)
            new_costs[product.id] = new_cost
            qty = self._qty_on_hand(product, company)
            lines.append((0, 0, {
                "product_id": product.id, "bom_id": bom.id,
                "current_cost": product.standard_price, "material_cost": material,
                "conversion_cost": conversion, "new_cost": new_cost, "qty_on_hand": qty,
                "revaluation": company.currency_id.round(
                    (new_cost - product.standard_price) * qty)
                if product.valuation == "real_time" else 0.0,
            }))
        self.line_ids.unlink()
        self.write({"line_ids": lines, "state": "computed"})
        return open_in_dialog(self, _("Standard Cost Roll-up"))

    @api.model
    def _qty_on_hand(self, product, company):
        """Stock on hand in the company's internal locations: what Odoo revalues."""
        quants = self.env["stock.quant"].sudo().search([
            ("product_id", "=", product.id), ("location_id.usage", "=", "internal"),
            ("location_id.company_id", "=", company.id)])
        return sum(quants.mapped("quantity"))

    @api.multi
    def action_apply(self):
        self.ensure_one()
        if not self.env.user.has_group("backflush_mrp.group_backflush_manager"):
            raise AccessError(_("Only backflush managers may change standard costs (user %s).")
                              % self.env.user.name)
        if self.state != "computed":
            raise UserError(_("Compute the roll-up before applying it."))
        changed = self.line_ids.filtered(lambda line: float_compare(
            line.new_cost, line.product_id.standard_price,
            precision_digits=self.env["decimal.precision"].precision_get("Product Price")))
        if any(line.product_id.valuation == "real_time" and line.qty_on_hand
               for line in changed) and not self.counterpart_account_id:
            raise UserError(_("Choose the counterpart account of the revaluation of the "
                              "stock on hand."))
        for line in changed:
            # Odoo's own change: stock on hand revalued against the counterpart account
            line.product_id.do_change_standard_price(line.new_cost,
                                                     self.counterpart_account_id.id)
        self.state = "applied"
        return {"type": "ir.actions.act_window_close"}


class BackflushCostRollupLine(models.TransientModel):
    _name = "backflush.cost.rollup.line"
    _description = "Standard Cost Roll-up Line"
    _order = "id"

    rollup_id = fields.Many2one("backflush.cost.rollup", required=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", readonly=True)
    bom_id = fields.Many2one("mrp.bom", "Bill of Materials", readonly=True)
    current_cost = fields.Float(digits=dp.get_precision("Product Price"), readonly=True)
    material_cost = fields.Float(digits=dp.get_precision("Product Price"), readonly=True)
    conversion_cost = fields.Float(digits=dp.get_precision("Product Price"), readonly=True)
    new_cost = fields.Float(digits=dp.get_precision("Product Price"), readonly=True)
    qty_on_hand = fields.Float("On Hand", digits=dp.get_precision("Product Unit of Measure"),
                               readonly=True)
    revaluation = fields.Float(digits=dp.get_precision("Account"), readonly=True,
                               help="(new - current cost) x stock on hand: debited to stock "
                                    "valuation (credited when negative) when applied.")


def _leaves(bom):
    """Every component BomLine of a plain Bom, kits exploded."""
    for line in bom.lines:
        if line.phantom is not None:
            yield from _leaves(line.phantom)
        else:
            yield line
