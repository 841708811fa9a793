"""A BoM's standard cost (materials and conversion) and its backflush suitability.

The costing lot size spreads one setup per operation over the standard
(SPEC section 4b); the form shows the standard run and setup time and the
conversion cost per unit beside the material roll-up (lib/conversion.py).

The suitability's statistics, levels and advice are lib/suitability.py's;
this reads what they need for many BoMs at once, in one query that
respects the access rules on manufacturing orders.
"""
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_round

from ..lib import conversion, quantities, suitability

SUITABILITY_LEVELS = [
    (suitability.GOOD, "Good"),
    (suitability.WATCH, "Watch"),
    (suitability.UNSUITABLE, "Unsuitable"),
    (suitability.NO_DATA, "Not enough orders"),
]

SUITABILITY_HELP = (
    "How well backflush fits, from the last closed orders (their number is set in "
    "Manufacturing settings). Usage variance of a component in an order = (actual - "
    "standard) / standard x 100, for the quantity produced. Spread = the highest minus "
    "the lowest usage variance among those orders, in percentage points; mean = their "
    "total actual minus total standard, in percent of the total standard. Good: spread "
    "and mean within the thresholds; Watch: spread above the watch threshold, or mean "
    "beyond the mean threshold (a scrap factor or the BoM quantity is off); Unsuitable: "
    "spread above the unsuitable threshold. A BoM is as suitable as its worst component.")

# one row per (closed order, component) of the last N closed orders of each BoM
_USAGE_QUERY = """
    WITH production AS (
        SELECT "mrp_production".id, "mrp_production".bom_id, "mrp_production".product_id,
               "mrp_production".product_uom_id, "mrp_production".date_finished
          FROM {from_clause}
         WHERE {where_clause}
    ), produced AS (
        -- finished quantity in the order's UoM, net of reversals and unbuilds
        SELECT p.id AS production_id, p.bom_id, p.date_finished, mu.rounding,
               SUM((m.product_qty - COALESCE(rev.qty, 0)) / pu.factor * mu.factor) AS qty
          FROM production p
          JOIN stock_move m ON m.production_id = p.id AND m.product_id = p.product_id
                           AND m.state = 'done' AND m.backflush_reversal_of_id IS NULL
          JOIN product_product pp ON pp.id = m.product_id
          JOIN product_template pt ON pt.id = pp.product_tmpl_id
          JOIN product_uom pu ON pu.id = pt.uom_id
          JOIN product_uom mu ON mu.id = p.product_uom_id
          LEFT JOIN LATERAL (
                SELECT SUM(r.product_qty) AS qty FROM stock_move r
                 WHERE r.backflush_reversal_of_id = m.id AND r.state = 'done') rev ON TRUE
         GROUP BY p.id, p.bom_id, p.date_finished, mu.rounding
    ), latest AS (
        SELECT ranked.* FROM (
            SELECT produced.*, ROW_NUMBER() OVER (
                       PARTITION BY bom_id
                       ORDER BY date_finished DESC NULLS LAST, production_id DESC) AS rank
              FROM produced
             WHERE qty > rounding / 2.0
        ) ranked
          JOIN unnest(%s::int[], %s::int[]) AS lim(bom_id, n) ON lim.bom_id = ranked.bom_id
         WHERE ranked.rank <= lim.n
    ), standard AS (
        SELECT l.production_id, l.product_id, SUM(l.qty_per_unit) AS qty_per_unit,
               MAX(u.rounding) AS rounding, BOOL_AND(l.trigger = 'manual') AS manual,
               ARRAY_AGG(l.bom_line_id) AS bom_line_ids
          FROM latest
          JOIN mrp_production_backflush_line l ON l.production_id = latest.production_id
          JOIN product_uom u ON u.id = l.product_uom_id
         GROUP BY l.production_id, l.product_id
    ), consumed AS (
        -- component quantity in its UoM, net of reversals; scrap has a variance of its own
        SELECT m.raw_material_production_id AS production_id, m.product_id,
               SUM(m.product_qty - COALESCE(rev.qty, 0)) AS qty
          FROM latest
          JOIN stock_move m ON m.raw_material_production_id = latest.production_id
          LEFT JOIN LATERAL (
                SELECT SUM(r.product_qty) AS qty FROM stock_move r
                 WHERE r.backflush_reversal_of_id = m.id AND r.state = 'done') rev ON TRUE
         WHERE m.state = 'done' AND NOT COALESCE(m.scrapped, FALSE)
           AND m.backflush_reversal_of_id IS NULL
         GROUP BY m.raw_material_production_id, m.product_id
    )
    SELECT latest.bom_id, latest.production_id, latest.rank, latest.qty, latest.rounding,
           s.product_id, s.qty_per_unit, s.rounding, COALESCE(c.qty, 0.0), s.manual,
           s.bom_line_ids
      FROM latest
      JOIN standard s ON s.production_id = latest.production_id
      LEFT JOIN consumed c ON c.production_id = s.production_id
                          AND c.product_id = s.product_id
     ORDER BY latest.bom_id, latest.rank, s.product_id
"""


class MrpBom(models.Model):
    _inherit = "mrp.bom"

    backflush_suitability = fields.Selection(
        SUITABILITY_LEVELS, compute="_compute_backflush_suitability",
        help=SUITABILITY_HELP)
    backflush_suitability_advice = fields.Text(
        "Backflush Advice", compute="_compute_backflush_suitability")
    backflush_suitability_order_count = fields.Integer(
        "Closed Orders Analysed", compute="_compute_backflush_suitability",
        help="Closed manufacturing orders of this BoM that the suitability is computed "
             "from: the most recent ones, up to the number set in Manufacturing settings.")
    # filled by action_backflush_suitability_lines: reading never writes
    backflush_suitability_line_ids = fields.One2many(
        "backflush.suitability.report", "bom_id", "Suitability per Component",
        readonly=True, domain=lambda self: [("bom_form", "=", True),
                                            ("create_uid", "=", self.env.uid)])

    backflush_costing_lot_size = fields.Float(
        "Costing Lot Size", digits=dp.get_precision("Product Unit of Measure"),
        help="Finished quantity, in the BoM's unit, over which the standard cost spreads "
             "one setup of each operation (default: the BoM's quantity). An order of "
             "another size shows the difference as lot-size variance.")
    backflush_material_cost = fields.Float(
        "Material Cost per Unit", digits=dp.get_precision("Product Price"),
        compute="_compute_backflush_standard_cost",
        help="The components at their standard cost, planned scrap included, kits "
             "exploded, per unit of the product.")
    backflush_run_minutes = fields.Float(
        "Standard Run Time per Unit (min)", digits=(16, 4),
        compute="_compute_backflush_standard_cost",
        help="Sum over the routing's operations of duration / capacity x 100 / time "
             "efficiency, per unit of the product.")
    backflush_setup_minutes = fields.Float(
        "Standard Setup Time per Unit (min)", digits=(16, 4),
        compute="_compute_backflush_standard_cost",
        help="Sum over the routing's operations of the work center's time before and "
             "after production, divided by the costing lot size, per unit of the product.")
    backflush_conversion_cost = fields.Float(
        "Conversion Cost per Unit", digits=dp.get_precision("Product Price"),
        compute="_compute_backflush_standard_cost",
        help="Run and setup time at the work centers' labour and overhead rates, per "
             "unit of the product.")
    backflush_standard_cost = fields.Float(
        "Rolled-up Standard Cost", digits=dp.get_precision("Product Price"),
        compute="_compute_backflush_standard_cost",
        help="Material plus conversion cost per unit: what the standard cost roll-up "
             "would set as the product's cost.")

    @api.model
    def create(self, values):
        if not values.get("backflush_costing_lot_size"):
            values = dict(values, backflush_costing_lot_size=values.get("product_qty") or 1.0)
        return super().create(values)

    @api.model_cr
    def init(self):
        # BoMs made before the module (or before this field) cost over their own quantity
        self.env.cr.execute("""
            UPDATE mrp_bom SET backflush_costing_lot_size = product_qty
             WHERE COALESCE(backflush_costing_lot_size, 0) <= 0 AND product_qty > 0
        """)

    @api.onchange("product_qty")
    def _onchange_backflush_costing_lot_size(self):
        if self.backflush_costing_lot_size <= 0:
            self.backflush_costing_lot_size = self.product_qty

    @api.constrains("backflush_costing_lot_size")
    def _check_backflush_costing_lot_size(self):
        for bom in self:
            if bom.backflush_costing_lot_size < 0:
                raise ValidationError(_(
                    "BoM %s: the costing lot size cannot be negative (leave it empty to "
                    "use the BoM's quantity).") % bom.display_name)

    # public: read-only
    def backflush_lot_size(self):
        self.ensure_one()
        return self.backflush_costing_lot_size if self.backflush_costing_lot_size > 0 \
            else (self.product_qty or 1.0)

    def _backflush_bom_units_per_unit(self):
        """Units of the BoM's UoM in one unit of the product's UoM."""
        self.ensure_one()
        return self.product_tmpl_id.uom_id._compute_quantity(1.0, self.product_uom_id,
                                                             round=False)

    def _backflush_plain_operations(self):
        Conversion = self.env["backflush.conversion"]
        return [Conversion.plain_operation(operation)
                for operation in self.routing_id.operation_ids]

    # public: read-only
    def backflush_material_cost_per_unit(self, costs=None):
        """Components at their standard per product unit; costs: {product id: cost} overrides."""
        self.ensure_one()
        planner = self.env["backflush.planner"]
        needs = quantities.explode(planner.plain_bom(self),
                                   planner.plain_uom(self.product_tmpl_id.uom_id))
        company = self.company_id or self.env.user.company_id
        products = self.env["product.product"].with_context(force_company=company.id).browse(
            list({need.product_id for need in needs}))
        standard = {product.id: product.standard_price for product in products}
        standard.update(costs or {})
        return sum(need.qty_per_unit * standard[need.product_id] for need in needs)

    # public: read-only
    def backflush_conversion_cost_per_unit(self):
        """Standard labour and overhead per product unit (SPEC 4b), unrounded."""
        self.ensure_one()
        per_bom_unit = conversion.conversion_cost_per_unit(self._backflush_plain_operations(),
                                                          self.backflush_lot_size())
        return per_bom_unit * self._backflush_bom_units_per_unit()

    @api.depends("bom_line_ids.product_qty", "bom_line_ids.backflush_scrap_factor",
                 "routing_id", "product_qty", "backflush_costing_lot_size")
    def _compute_backflush_standard_cost(self):
        for bom in self:
            if not isinstance(bom.id, int):  # a new BoM: its lines are not saved yet
                continue
            operations = bom._backflush_plain_operations()
            lot_size = bom.backflush_lot_size()
            units = bom._backflush_bom_units_per_unit()
            bom.backflush_material_cost = bom.backflush_material_cost_per_unit()
            bom.backflush_run_minutes = units * sum(
                conversion.run_minutes_per_unit(operation) for operation in operations)
            bom.backflush_setup_minutes = units * sum(
                conversion.setup_minutes_per_unit(operation, lot_size)
                for operation in operations)
            bom.backflush_conversion_cost = bom.backflush_conversion_cost_per_unit()
            bom.backflush_standard_cost = (bom.backflush_material_cost
                                           + bom.backflush_conversion_cost)

    def _backflush_saved(self):
        return self.filtered(lambda bom: isinstance(bom.id, int))

    def _compute_backflush_suitability(self):
        saved = self._backflush_saved()
        results = {}
        if saved and self._backflush_suitability_allowed():
            results = saved.backflush_suitability_results()
        for bom in self:
            result = results.get(bom.id)
            if result is None:  # a new BoM, or nothing the user may know
                bom.backflush_suitability = False
                bom.backflush_suitability_advice = False
                bom.backflush_suitability_order_count = 0
                continue
            bom.backflush_suitability = result.level
            bom.backflush_suitability_advice = result.advice
            bom.backflush_suitability_order_count = result.order_count

    @api.multi
    def action_backflush_suitability_lines(self):
        """Fill the suitability per component of these BoMs (the user's own snapshot)."""
        self.env["backflush.suitability.report"].generate(self._backflush_saved(),
                                                          bom_form=True)
        return True

    # -- computation -----------------------------------------------------------
    @api.model
    def _backflush_suitability_allowed(self):
        """Who may see usage statistics: whoever reads manufacturing orders, and accountants."""
        return (self.env["mrp.production"].check_access_rights("read", raise_exception=False)
                or self.env.user.has_group("account.group_account_user"))

    # public: read-only
    @api.model
    def backflush_check_suitability_allowed(self):
        if not self._backflush_suitability_allowed():
            raise AccessError(_("Only manufacturing users and accountants may analyse "
                                "the backflush suitability of bills of materials."))

    @api.model
    def _backflush_translator(self):
        """lib/suitability's texts in the user's language (they are code terms)."""
        lang = self.env.context.get("lang")
        if not lang or lang == "en_US":
            return lambda text: text
        Translation = self.env["ir.translation"]
        return lambda text: Translation._get_source(None, ("code",), lang, text) or text

    @api.model
    def _backflush_done_query(self, bom_ids=None):
        """FROM and WHERE of the closed orders (of bom_ids) the user may read."""
        Production = self.env["mrp.production"]
        domain = [("state", "=", "done"), ("bom_id", "!=", False)]
        if bom_ids is not None:
            domain.append(("bom_id", "in", list(bom_ids)))
        query = Production._where_calc(domain)
        Production._apply_ir_rules(query, "read")
        return query.get_sql()

    # public: read-only
    @api.model
    def backflush_closed_boms(self):
        """The BoMs with closed orders that the user may read."""
        from_clause, where_clause, params = self._backflush_done_query()
        self.env.cr.execute('SELECT DISTINCT "mrp_production".bom_id FROM %s WHERE %s'
                            % (from_clause, where_clause), params)
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _backflush_usage(self, limits):
        """Usage of the last limits[bom id] closed orders of each BoM, in one query.

        Returns ({bom id: {product id: [OrderUsage]}}, {bom id: {order ids}},
        {bom id: {product id: (BoM line ids, manual) in the latest order}}).
        Only the orders the user may read count (their record rules apply).
        """
        from_clause, where_clause, params = self._backflush_done_query(limits)
        sql = _USAGE_QUERY.format(from_clause=from_clause, where_clause=where_clause)
        self.env.cr.execute(sql, params + [list(limits), list(limits.values())])
        usage = defaultdict(lambda: defaultdict(list))
        orders = defaultdict(set)
        latest = defaultdict(dict)
        for (bom_id, production_id, _rank, produced_qty, produced_rounding, product_id,
             qty_per_unit, rounding, consumed, manual, bom_line_ids) in self.env.cr.fetchall():
            produced = float_round(produced_qty, precision_rounding=produced_rounding)
            standard = quantities.standard_qty(qty_per_unit, produced,
                                               quantities.Uom(1.0, rounding))
            usage[bom_id][product_id].append(
                suitability.OrderUsage(production_id, standard, consumed))
            orders[bom_id].add(production_id)
            # rows come latest order first
            latest[bom_id].setdefault(product_id, (bom_line_ids, manual))
        return usage, orders, latest

    # public: read-only
    def backflush_suitability_results(self):
        """{bom id: lib BomSuitability} for the BoMs of self.

        BoMs, their lines and companies are read as superuser (accountants
        may analyse without manufacturing rights); the orders that count are
        those the user may read.
        """
        if not self:
            return {}
        self.backflush_check_suitability_allowed()
        user_company = self.env.user.company_id
        boms = self.sudo()
        thresholds = {bom.id: (bom.company_id or user_company).backflush_suitability_thresholds()
                      for bom in boms}
        usage, orders, latest = self._backflush_usage(
            {bom_id: threshold.order_count for bom_id, threshold in thresholds.items()})
        translate = self._backflush_translator()
        product_ids = {product_id for by_product in usage.values() for product_id in by_product}
        names = dict(self.env["product.product"].sudo().with_context(active_test=False).browse(
            list(product_ids)).name_get())
        line_ids = {line_id for by_product in latest.values()
                    for ids, _manual in by_product.values() for line_id in ids if line_id}
        scrap = {line.id: line.backflush_scrap_factor for line in
                 self.env["mrp.bom.line"].sudo().browse(list(line_ids)).exists()}
        results = {}
        for bom in boms:
            components = []
            for product_id, order_usage in usage[bom.id].items():
                ids, manual = latest[bom.id][product_id]
                current_scrap = max([scrap.get(line_id, 0.0) for line_id in ids] or [0.0])
                components.append(suitability.assess(
                    product_id, names[product_id], order_usage, thresholds[bom.id],
                    current_scrap=current_scrap, manual=manual, _=translate))
            components.sort(key=lambda component: component.name)
            results[bom.id] = suitability.summarise(components, len(orders[bom.id]),
                                                    thresholds[bom.id], translate)
        return results

    @api.multi
    def action_backflush_suitability_report(self):
        """The suitability report of these BoMs."""
        return self.env["backflush.suitability.report"].action_open_report(self)
