"""WIP accounting of manufacturing moves, through stock_account's own hooks.

Components leave stock into WIP (Dr WIP / Cr inventory), finished goods
leave WIP into stock (Dr inventory / Cr WIP), components scrapped on an MO
go to the scrap variance account; every item carries its MO. Reversal moves
(unbuild, "Reverse backflush") are valued at exactly what the move they
mirror was valued at. A summarised run (context ``backflush_summary``, the
run's reference) gathers the moves' journal items into one entry instead
of one per move (see account.move.backflush_summarised_entries).
"""
from odoo import api, fields, models
from odoo.tools import sql

from ..lib import variance


class StockMove(models.Model):
    _inherit = "stock.move"

    backflush_line_id = fields.Many2one(
        "mrp.production.backflush.line", "Backflush Component", index=True,
        ondelete="set null")
    backflush_rule_id = fields.Many2one(related="backflush_line_id.rule_id", readonly=True,
                                        string="Backflush Rule")
    backflush_trigger = fields.Selection(related="backflush_line_id.trigger", readonly=True,
                                         string="Backflush Trigger")
    backflush_rule_reason = fields.Char(related="backflush_line_id.rule_reason", readonly=True,
                                        string="Why This Trigger")

    backflush_reversal_of_id = fields.Many2one(
        "stock.move", "Reverses", index=True, readonly=True, copy=False,
        help="The manufacturing move this move mirrors, at the same value.")

    @api.model_cr
    def init(self):
        result = super().init()
        # Odoo 11 has none: reading an MO's moves would scan the whole table
        for column in ("raw_material_production_id", "production_id"):
            index = "stock_move_%s_index" % column
            if not sql.index_exists(self.env.cr, index):
                sql.create_index(self.env.cr, index, self._table, [column])
        return result

    def _backflush_production(self):
        if not self:
            return self.env["mrp.production"]
        return (self.raw_material_production_id or self.production_id
                or self.consume_unbuild_id.mo_id or self.unbuild_id.mo_id
                or self.backflush_reversal_of_id._backflush_production())

    def _backflush_is_scrap(self):
        return self.scrapped or self.backflush_reversal_of_id.scrapped

    def _get_accounting_data_for_valuation(self):
        journal_id, acc_src, acc_dest, acc_valuation = super()._get_accounting_data_for_valuation()
        production = self._backflush_production()
        if not production:
            return journal_id, acc_src, acc_dest, acc_valuation
        if self.scrapped:
            acc_dest = production.backflush_account("scrap").id
        elif self.backflush_reversal_of_id.scrapped:
            acc_src = production.backflush_account("scrap").id
        elif self.location_dest_id.usage == "production":
            acc_dest = production.backflush_account("wip").id
        elif self.location_id.usage == "production":
            acc_src = production.backflush_account("wip").id
        return journal_id, acc_src, acc_dest, acc_valuation

    def _prepare_account_move_line(self, qty, cost, credit_account_id, debit_account_id):
        lines = super()._prepare_account_move_line(qty, cost, credit_account_id, debit_account_id)
        production = self._backflush_production()
        if not production:
            return lines
        scrap_account = self._backflush_is_scrap() and production.backflush_account("scrap").id
        for _command, _id, values in lines:
            values["backflush_production_id"] = production.id
            if scrap_account and values.get("account_id") == scrap_account:
                values["backflush_variance_type"] = variance.SCRAP
        summary = self.env.context.get("backflush_summary")
        if summary and lines:
            # gathered into the run's entry; without items, stock_account makes none
            self.env["account.move"].backflush_gather(self, lines)
            return []
        return lines

    def _create_account_move_line(self, credit_account_id, debit_account_id, journal_id):
        move = self
        if self.env.context.get("backflush_summary"):
            # _prepare_account_move_line is not told the journal
            move = self.with_context(backflush_summary_journal=journal_id)
        result = super(StockMove, move)._create_account_move_line(
            credit_account_id, debit_account_id, journal_id)
        production = self._backflush_production()
        if production and not self.picking_id:
            # stock_account refers to the picking, which an MO's moves have none of
            self.sudo().account_move_ids.filtered(lambda entry: not entry.ref).write(
                {"ref": production.name})
        return result

    def _run_valuation(self, quantity=None):
        result = super()._run_valuation(quantity=quantity)
        mirrored = self.backflush_reversal_of_id
        if mirrored and mirrored.product_qty:
            unit_value = mirrored.value / mirrored.product_qty
            value = -unit_value * self.product_qty
            values = {"value": value, "price_unit": value / self.product_qty}
            if self._is_in():
                values.update(remaining_value=value, remaining_qty=self.product_qty)
            self.write(values)
        return result

    # public: read-only
    @api.model
    def backflush_mirror_values(self, original, qty):
        """A move that undoes qty of original, from its destination back to its source."""
        return {
            "name": original.name,
            "origin": original.origin,
            "product_id": original.product_id.id,
            "product_uom": original.product_id.uom_id.id,
            "product_uom_qty": qty,
            "location_id": original.location_dest_id.id,
            "location_dest_id": original.location_id.id,
            "company_id": original.company_id.id,
            "backflush_reversal_of_id": original.id,
            "origin_returned_move_id": original.id,
            "procure_method": "make_to_stock",
        }

    def _action_done(self):
        done = super()._action_done()
        deliveries = done.filtered(lambda m: m.location_dest_id.usage == "customer"
                                   and m.location_id.usage == "internal")
        if deliveries:
            self.env["backflush.shipment"].post_shipments(deliveries)
        return done

    def _action_assign(self):
        # Marking an MO done reserves what is still open (post_inventory); the
        # components kept for a later trigger are taken when it fires, and
        # reserving them would hold stock for an order that is done. Serials
        # are still reserved: the backflush takes the reserved ones.
        keep = self.env.context.get("backflush_keep_pending")
        if keep:
            kept = self.filtered(lambda move: move.backflush_line_id.id in keep
                                 and move.product_id.tracking == "none")
            return super(StockMove, self - kept)._action_assign()
        return super()._action_assign()

    def _action_cancel(self):
        # A completed MO keeps the moves of its components that are still
        # pending (shipment, periodic): their own trigger consumes them later.
        if self.env.context.get("backflush_keep_pending"):
            pending = self.filtered(lambda move: move.backflush_line_id.id
                                    in self.env.context["backflush_keep_pending"])
            return super(StockMove, self - pending)._action_cancel()
        return super()._action_cancel()
