"""Aggregated periodic posting: one stock move per component for a chunk of MOs.

Odoo posts stock one move at a time: quants, valuation entry, state, for
each component of each order. A periodic run of thousands of orders posts,
per chunk, one move per component, location and WIP account through Odoo's
own _action_done instead, and keeps each order's share of it:

- its quantity and value on the order's backflush line (qty_aggregated,
  value_aggregated), which the settlement, the audit and the reversal read;
- its WIP item in the chunk's journal entry (backflush_production_id);
- its log, whose lines name the aggregated move and the share.
"""
from collections import defaultdict

from odoo import _, api, models

from .. import bulk
from ..lib import aggregate


class AggregatedRun:
    """What the MOs of one chunk take through aggregated moves.

    An object, passed in the context while the chunk posts, so that the
    valuation hooks of stock.move find the shares of the moves they value.
    """

    def __init__(self):
        self.entries = []          # [(MoveKey, Share)] as the MOs are prepared
        self.cancel_move_ids = []
        self.shares_by_move = {}   # aggregated move id -> [Share]
        self.wip_by_move = {}      # aggregated move id -> WIP account id
        self.names = {}            # production id -> name
        self.line_shares = {}      # backflush line id -> (aggregated move id, value)
        self.wip_accounts = {}     # (category id, company id) -> WIP account id

    def checkpoint(self):
        """Where the run is before an MO is prepared (see restore)."""
        return len(self.entries), len(self.cancel_move_ids)

    def restore(self, checkpoint):
        """Forget what an MO whose preparation was rolled back added."""
        entries, cancels = checkpoint
        del self.entries[entries:]
        del self.cancel_move_ids[cancels:]

    def split_wip_items(self, move, items, wip_account_id):
        """stock_account's journal items of move, its WIP item split per MO."""
        shares = self.shares_by_move[move.id]
        rounding = move.company_id.currency_id.rounding
        result = []
        for command, record_id, values in items:
            if values.get("account_id") != wip_account_id:
                result.append((command, record_id, values))
                continue
            balance = values.get("debit", 0.0) - values.get("credit", 0.0)
            parts = aggregate.split_amount(balance, [share.qty for share in shares], rounding)
            for share, part in zip(shares, parts):
                # no product: the items of one MO merge into one per entry, the
                # MO's components are in its log
                result.append((command, record_id, dict(
                    values, name=self.names[share.production_id], product_id=False,
                    quantity=0.0, product_uom_id=False,
                    backflush_production_id=share.production_id,
                    debit=part if part > 0 else 0.0, credit=-part if part < 0 else 0.0)))
        return result


class BackflushBatch(models.AbstractModel):
    _name = "backflush.batch"
    _description = "Backflush Aggregated Posting"

    @api.model
    def _aggregates(self, production, line):
        if not production.company_id.backflush_aggregated_posting:
            return False
        recorded = self.env["backflush.engine"]._recorded_qty(line)
        return aggregate.aggregatable(line.product_id.tracking, recorded,
                                      line.product_uom_id.rounding)

    @api.model
    def _add(self, run, production, line, picks):
        """Give line's picks of production to the chunk's aggregated moves."""
        company = production.company_id
        product = production.product_id.with_context(force_company=company.id)
        category_key = (product.categ_id.id, company.id)
        if category_key not in run.wip_accounts:
            run.wip_accounts[category_key] = product.categ_id._backflush_account(
                "wip", company, raise_if_missing=False).id
        key = aggregate.MoveKey(
            company_id=company.id, product_id=line.product_id.id,
            uom_id=line.product_uom_id.id, location_id=line.location_id.id,
            location_dest_id=product.property_stock_production.id,
            wip_account_id=run.wip_accounts[category_key])
        run.entries.append((key, aggregate.Share(production.id, line.id,
                                                 sum(qty for _lot, qty in picks))))
        run.names[production.id] = production.name
        if production.state == "done":
            # nothing more will be consumed through the MO's own planned move
            run.cancel_move_ids.extend(
                line.move_ids.filtered(lambda m: m.state not in ("done", "cancel")).ids)

    @api.model
    def _create_moves(self, run, ref):
        """The chunk's aggregated moves, confirmed, their quantities done (not posted)."""
        groups = list(aggregate.group_shares(run.entries).items())
        moves = self._moves_done_in_full([{
            "name": ref, "origin": ref, "product_id": key.product_id,
            "product_uom": key.uom_id, "product_uom_qty": sum(share.qty for share in shares),
            "location_id": key.location_id, "location_dest_id": key.location_dest_id,
            "company_id": key.company_id, "backflush_aggregated": True,
        } for key, shares in groups])
        for move, (key, shares) in zip(moves, groups):
            run.shares_by_move[move.id] = shares
            run.wip_by_move[move.id] = key.wip_account_id or False
        return moves

    @api.model
    def _moves_done_in_full(self, values_list):
        """Moves created from values_list, confirmed, each with one move line of its
        whole quantity done, in order; _action_done posts them."""
        Move = self.env["stock.move"]
        moves = Move.union(*[Move.create(dict(values, procure_method="make_to_stock"))
                             for values in values_list])
        if not moves:
            return moves
        moves._action_confirm(merge=False)
        for move in moves:
            self.env["stock.move.line"].create({
                "move_id": move.id, "product_id": move.product_id.id,
                "product_uom_id": move.product_uom.id, "qty_done": move.product_uom_qty,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id})
        return moves

    @api.model
    def _book(self, run, moves):
        """After moves are done: each line's share, and the MOs' planned moves cancelled."""
        increments = defaultdict(lambda: {"qty_aggregated": 0.0, "value_aggregated": 0.0})
        for move in moves:
            shares = run.shares_by_move[move.id]
            # the same split as the WIP items of the move's entry (split_wip_items)
            parts = aggregate.split_amount(-move.value, [share.qty for share in shares],
                                           move.company_id.currency_id.rounding)
            for share, part in zip(shares, parts):
                increments[share.line_id]["qty_aggregated"] += share.qty
                increments[share.line_id]["value_aggregated"] += part
                run.line_shares[share.line_id] = (move.id, part)
        Line = self.env["mrp.production.backflush.line"]
        bulk.add_to_columns(Line, dict(increments))
        # what is computed from them is not up to date in the cache either
        Line.invalidate_cache(fnames=["qty_consumed", "qty_pending", "state"],
                              ids=list(increments))
        if run.cancel_move_ids:
            to_cancel = self.env["stock.move"].browse(sorted(set(run.cancel_move_ids)))
            to_cancel.mapped("move_line_ids")  # read at once, not move by move
            to_cancel.mapped("move_dest_ids")
            to_cancel._action_cancel()

    @api.model
    def _ref(self, event):
        return _("Backflush %s run") % event
