from odoo import api, models, tools

from ..lib import quantities

# what a unit is to ..lib.quantities: writing one of these changes its plain form
PLAIN_FIELDS = ("factor", "factor_inv", "uom_type", "rounding", "category_id")


class ProductUom(models.Model):
    _inherit = "product.uom"

    # public: read-only
    @tools.ormcache("self.id")
    def backflush_plain(self):
        """The unit as the plain data of ..lib.quantities.

        Cached: a posting asks it for each component of thousands of MOs,
        several times, and units hardly ever change (a write of what it is
        made of clears the cache, in every worker).
        """
        self.ensure_one()
        return quantities.Uom(self.factor, self.rounding, self.category_id.id)

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if any(name in vals for name in PLAIN_FIELDS):
            self.clear_caches()
        return result
