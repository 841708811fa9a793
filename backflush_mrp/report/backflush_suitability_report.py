from odoo import api, fields, models

from ..models.mrp_bom import SUITABILITY_HELP, SUITABILITY_LEVELS


class BackflushSuitabilityReport(models.TransientModel):
    """Backflush suitability per BoM component, computed when it is asked for.

    Transient: each user gets a snapshot of the statistics at the moment the
    report (or a BoM form) is opened, never stale and never shared; Odoo
    lets each user see only their own rows and vacuums them.
    """

    _name = "backflush.suitability.report"
    _description = "Backflush Suitability"
    _order = "bom_id, product_id"

    bom_id = fields.Many2one("mrp.bom", "Bill of Materials", required=True, readonly=True,
                             ondelete="cascade")
    product_tmpl_id = fields.Many2one("product.template", "Finished Product", readonly=True)
    product_id = fields.Many2one("product.product", "Component", required=True, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    order_count = fields.Integer("Orders", readonly=True,
                                 help="Closed orders of the BoM that consumed this component "
                                      "and are analysed.")
    mean_pct = fields.Float(
        "Mean (%)", digits=(16, 1), readonly=True, group_operator="avg",
        help="Mean usage variance: (total actual - total standard) / total standard x 100 "
             "over the orders analysed. Positive: more is consumed than the BoM says.")
    min_pct = fields.Float("Lowest (%)", digits=(16, 1), readonly=True, group_operator="min",
                           help="Lowest usage variance of an order analysed.")
    max_pct = fields.Float("Highest (%)", digits=(16, 1), readonly=True, group_operator="max",
                           help="Highest usage variance of an order analysed.")
    spread_pct = fields.Float(
        "Spread (%)", digits=(16, 1), readonly=True, group_operator="max",
        help="Highest minus lowest usage variance among the orders analysed, in percentage "
             "points; the usage variance of an order is (actual - standard) / standard x "
             "100 for the quantity it produced.")
    current_scrap = fields.Float("Planned Scrap (%)", digits=(16, 1), readonly=True,
                                 group_operator="max",
                                 help="The planned scrap of the component's BoM line today.")
    suggested_scrap = fields.Float(
        "Scrap Matching Usage (%)", digits=(16, 1), readonly=True, group_operator="max",
        help="The planned scrap at which the standard would have matched the mean usage "
             "(0 when even no scrap is too much: the BoM quantity is too high).")
    manual = fields.Boolean("Manual Trigger", readonly=True,
                            help="The component was issued by hand (trigger manual) in the "
                                 "latest order analysed.")
    suitability = fields.Selection(SUITABILITY_LEVELS, readonly=True, help=SUITABILITY_HELP)
    bom_suitability = fields.Selection(SUITABILITY_LEVELS, "BoM Suitability", readonly=True,
                                       help=SUITABILITY_HELP)
    advice = fields.Text(readonly=True)
    bom_form = fields.Boolean(readonly=True,
                              help="Computed for a BoM form rather than for the report.")

    # public: takes a recordset (RPC cannot pass one, so an RPC call faults);
    # writes only the user's own rows
    @api.model
    def generate(self, boms, bom_form=False):
        """Rows of the suitability of boms, replacing the user's previous ones."""
        self.search([("create_uid", "=", self.env.uid), ("bom_form", "=", bom_form),
                     ("bom_id", "in", boms.ids)]).unlink()
        results = boms.backflush_suitability_results()
        user_company = self.env.user.company_id
        rows = self.browse()
        for bom in boms.sudo():
            result = results[bom.id]
            for component in result.components:
                stats = component.stats
                rows |= self.create({
                    "bom_id": bom.id,
                    "product_tmpl_id": bom.product_tmpl_id.id,
                    "product_id": component.product_id,
                    "company_id": (bom.company_id or user_company).id,
                    "order_count": stats.order_count,
                    "mean_pct": stats.mean_pct,
                    "min_pct": stats.min_pct,
                    "max_pct": stats.max_pct,
                    "spread_pct": stats.spread_pct,
                    "current_scrap": component.current_scrap,
                    "suggested_scrap": component.suggested_scrap or 0.0,
                    "manual": component.manual,
                    "suitability": component.level,
                    "bom_suitability": result.level,
                    "advice": component.advice,
                    "bom_form": bom_form,
                })
        return rows

    @api.model
    def action_open_report(self, boms=None):
        """Compute the suitability of boms (default: every BoM with closed orders) and show it."""
        Bom = self.env["mrp.bom"]
        Bom.backflush_check_suitability_allowed()
        if boms is None:
            boms = Bom.backflush_closed_boms()
        rows = self.generate(boms)
        action = self.env.ref("backflush_mrp.action_backflush_suitability_report_view").read()[0]
        action["domain"] = [("id", "in", rows.ids)]
        return action
