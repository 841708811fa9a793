from odoo import api, models


class MrpProductProduce(models.TransientModel):
    _inherit = "mrp.product.produce"

    @api.multi
    def do_produce(self):
        result = super().do_produce()
        self.env["backflush.posting"].post(self.mapped("production_id"), "output")
        return result
