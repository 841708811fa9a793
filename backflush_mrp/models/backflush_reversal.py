"""Reversal of a done MO: the mirror of every move it posted (SPEC section 6)."""
from odoo import api, models


class BackflushReversal(models.AbstractModel):
    _name = "backflush.reversal"
    _description = "Backflush Reversal"

    # public surface: takes a recordset (RPC cannot pass one, so an RPC call faults)
    @api.model
    def reverse_moves(self, production):
        """Mirror every done move of production that nothing reversed yet."""
        Move = self.env["stock.move"]
        originals = (production.move_raw_ids | production.move_finished_ids).filtered(
            lambda m: m.state == "done" and not m.backflush_reversal_of_id)
        reversed_already = Move.search([("backflush_reversal_of_id", "in", originals.ids),
                                        ("state", "=", "done")]).mapped(
                                            "backflush_reversal_of_id")
        mirrors = Move
        # finished goods go back first, so that their components are free again
        for original in (originals - reversed_already).sorted(
                lambda m: 0 if m.production_id else 1):
            mirror = Move.create(Move.backflush_mirror_values(original, original.product_qty))
            mirror._action_confirm()
            for line in original.move_line_ids.filtered("qty_done"):
                self.env["stock.move.line"].create({
                    "move_id": mirror.id, "product_id": line.product_id.id,
                    "product_uom_id": line.product_uom_id.id, "qty_done": line.qty_done,
                    "lot_id": line.lot_id.id, "location_id": line.location_dest_id.id,
                    "location_dest_id": line.location_id.id,
                })
            mirrors |= mirror
        mirrors._action_done()
        return mirrors
