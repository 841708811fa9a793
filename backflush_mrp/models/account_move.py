"""Summarised backflush entries: one journal entry per run instead of one per move."""
from collections import defaultdict

from odoo import api, fields, models


class EntryCollector:
    """Where a summarised run gathers its entries (an object, so contexts stay hashable)."""

    def __init__(self):
        self.entries = []


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    def create(self, vals):
        # during a summarised backflush run, stock valuation entries are collected
        # (stock_account then posts an empty recordset) and merged afterwards
        if vals.get("stock_move_id") and not vals.get("ref"):
            # stock_account refers to the picking, which an MO's moves have none of
            production = self.env["stock.move"].browse(vals["stock_move_id"]) \
                ._backflush_production()
            if production:
                # the items' ref is related to the entry's: both or neither
                lines = [(command, line_id, dict(line, ref=production.name))
                         if command == 0 and not line.get("ref") else (command, line_id, line)
                         for command, line_id, line in vals.get("line_ids", [])]
                vals = dict(vals, ref=production.name, line_ids=lines)
        collector = self.env.context.get("backflush_entry_collector")
        if collector is not None and vals.get("stock_move_id"):
            collector.entries.append(vals)
            return self.browse()
        return super().create(vals)

    @api.model
    def _backflush_summarised_entries(self, collected, ref, label):
        """One posted entry per journal and date; items grouped by account, product and MO.

        The MO of each item stays on it (backflush_production_id), and the
        backflush logs of the posting link the entry, so every item is traceable.
        ref is the entry's reference, label its items' label.
        """
        groups = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
        for vals in collected.entries:
            key = (vals["journal_id"], vals.get("date") or fields.Date.context_today(self))
            for _command, _id, line in vals["line_ids"]:
                item = (line["account_id"], line.get("product_id"),
                        line.get("backflush_production_id"), line.get("partner_id"),
                        line.get("backflush_variance_type"), line.get("product_uom_id"))
                totals = groups[key][item]
                totals[0] += line.get("debit", 0.0) - line.get("credit", 0.0)
                totals[1] += line.get("quantity", 0.0)
        entries = self.browse()
        for (journal_id, date), items in groups.items():
            lines = []
            for (account, product, production, partner, kind, uom), (amount, qty) \
                    in items.items():
                lines.append((0, 0, {
                    "name": label, "account_id": account,
                    "product_id": product, "backflush_production_id": production,
                    "partner_id": partner, "backflush_variance_type": kind,
                    "product_uom_id": uom, "quantity": qty,
                    "debit": amount if amount > 0 else 0.0,
                    "credit": -amount if amount < 0 else 0.0,
                }))
            entry = self.with_context(backflush_entry_collector=None).sudo().create({
                "journal_id": journal_id, "date": date, "line_ids": lines,
                "ref": ref,
            })
            entry.post()
            entries |= entry
        return entries
