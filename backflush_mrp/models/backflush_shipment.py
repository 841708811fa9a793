"""On shipment: deliveries of finished goods release the components of the oldest MOs."""
from odoo import api, models
from odoo.tools import float_compare


class BackflushShipment(models.AbstractModel):
    _name = "backflush.shipment"
    _description = "Backflush on Shipment"

    # public surface: takes a recordset of moves (RPC cannot pass one, so an RPC call faults)
    @api.model
    def post_shipments(self, deliveries):
        """Allocate delivered finished goods to MOs with pending shipment components."""
        delivered = {}
        for move in deliveries:
            delivered[move.product_id] = delivered.get(move.product_id, 0.0) + move.product_qty
        for product, qty in delivered.items():
            self._allocate_shipment(product, qty)

    @api.model
    def _allocate_shipment(self, product, qty):
        Posting = self.env["backflush.posting"]
        rounding = product.uom_id.rounding
        for production in self._productions_waiting_for_shipment(product):
            if float_compare(qty, 0.0, precision_rounding=rounding) <= 0:
                return
            Posting.lock(production)
            produced = self.env["backflush.settlement"].finished_qty_value(production)[0]
            free = produced - production.backflush_shipped_qty
            if float_compare(free, 0.0, precision_rounding=rounding) <= 0:
                continue
            allocated = min(free, qty)
            production.backflush_shipped_qty += allocated
            qty -= allocated
            Posting.post(production, "shipment")

    @api.model
    def _productions_waiting_for_shipment(self, product):
        lines = self.env["mrp.production.backflush.line"].search([
            ("trigger", "=", "shipment"), ("production_id.product_id", "=", product.id),
            ("production_id.state", "in", ("progress", "done"))])
        productions = lines.filtered("qty_pending").mapped("production_id")
        return productions.sorted(lambda p: (p.date_finished or p.date_planned_start or "",
                                             p.id))
