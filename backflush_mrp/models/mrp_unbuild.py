from odoo import api, models
from odoo.tools import float_is_zero


class MrpUnbuild(models.Model):
    """Unbuilding an MO mirrors what it consumed and produced, in proportion.

    Odoo scales the MO's raw moves by the unbuilt share of the *planned*
    quantity and values them at today's cost; the backflush mirrors the
    quantities really consumed for the share of the quantity really produced,
    at the value they were posted at, and then settles the MO's variances
    again, so that stock and every account end where they were.
    """

    _inherit = "mrp.unbuild"

    def _backflush_share(self):
        """The unbuilt share of what the MO produced in all (unbuilds included)."""
        finished = self.mo_id.move_finished_ids.filtered(
            lambda m: m.product_id == self.mo_id.product_id and m.state == "done")
        produced = sum(finished.mapped("product_qty"))
        qty = self.product_uom_id._compute_quantity(self.product_qty, self.mo_id.product_id.uom_id)
        return qty / produced if produced else 0.0

    def _generate_consume_moves(self):
        moves = super()._generate_consume_moves()
        for move in moves.filtered(lambda m: m.consume_unbuild_id.mo_id):
            finished = move.consume_unbuild_id.mo_id.move_finished_ids.filtered(
                lambda m, p=move.product_id: m.product_id == p and m.state == "done"
                and not m.backflush_reversal_of_id)[:1]
            move.backflush_reversal_of_id = finished
        return moves

    def _generate_move_from_raw_moves(self, raw_move, factor):
        if raw_move.scrapped or raw_move.backflush_reversal_of_id:
            return self.env["stock.move"]
        move = super()._generate_move_from_raw_moves(raw_move, factor)
        move.write({
            "product_uom": raw_move.product_id.uom_id.id,
            "product_uom_qty": raw_move.product_qty * self._backflush_share(),
            "backflush_reversal_of_id": raw_move.id,
        })
        return move

    @api.multi
    def action_unbuild(self):
        shares = [(unbuild.mo_id, unbuild._backflush_share())
                  for unbuild in self.filtered("mo_id")]
        result = super().action_unbuild()
        # labour and overhead go back in the unbuilt share, as the components do;
        # all of what is left once nothing produced remains
        settlement = self.env["backflush.settlement"]
        for production, share in shares:
            remaining = settlement.finished_qty_value(production)[0]
            nothing_left = float_is_zero(
                remaining, precision_rounding=production.product_id.uom_id.rounding)
            self.env["backflush.conversion"].reverse(production,
                                                      1.0 if nothing_left else share)
        productions = self.mapped("mo_id")
        self.env["backflush.settlement"].settle(productions)
        for unbuild in self.filtered("mo_id"):
            moves = self.env["stock.move"].search([
                "|", ("unbuild_id", "=", unbuild.id), ("consume_unbuild_id", "=", unbuild.id)])
            self.env["backflush.log"].record_reversal(unbuild.mo_id, moves)
        return result
