from odoo import api, models
from odoo.tools import sql


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    @api.model_cr
    def init(self):
        result = super().init()
        # Odoo 11 has none (Odoo 12 adds it): every read of a move's lines (reserving,
        # producing, marking done, posting) scans the whole table, and each order
        # costs more as the stock history grows
        index = "stock_move_line_move_id_index"
        if not sql.index_exists(self.env.cr, index):
            sql.create_index(self.env.cr, index, self._table, ["move_id"])
        return result
