from odoo import api, fields, models, tools

from ..models.selections import VARIANCE_TYPES


class BackflushVarianceReport(models.Model):
    """Variance journal items of manufacturing orders, for pivot and graph analysis."""

    _name = "backflush.variance.report"
    _description = "Backflush Variance Analysis"
    _auto = False
    _order = "date desc"

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    production_id = fields.Many2one("mrp.production", "Manufacturing Order", readonly=True)
    product_id = fields.Many2one("product.product", "Finished Product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    variance_type = fields.Selection(VARIANCE_TYPES, readonly=True)
    account_id = fields.Many2one("account.account", readonly=True)
    move_id = fields.Many2one("account.move", "Journal Entry", readonly=True)
    amount = fields.Float(readonly=True, help="Positive: unfavourable (debit).")
    quantity = fields.Float("Finished Quantity", readonly=True)

    @api.model_cr
    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute("""
            CREATE VIEW %s AS (
                SELECT aml.id AS id,
                       aml.date AS date,
                       aml.company_id AS company_id,
                       aml.backflush_production_id AS production_id,
                       mo.product_id AS product_id,
                       pt.categ_id AS categ_id,
                       aml.backflush_variance_type AS variance_type,
                       aml.account_id AS account_id,
                       aml.move_id AS move_id,
                       aml.debit - aml.credit AS amount,
                       aml.quantity AS quantity
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id AND am.state = 'posted'
                  JOIN mrp_production mo ON mo.id = aml.backflush_production_id
                  JOIN product_product pp ON pp.id = mo.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE aml.backflush_variance_type IS NOT NULL
            )""" % self._table)
