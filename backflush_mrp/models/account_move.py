"""Summarised backflush entries: one journal entry per run instead of one per move.

An option of the company (backflush_summarised_posting). The stock moves,
their valuation and everything else Odoo keeps of them stay as Odoo makes
them; only their journal items are gathered: while a summarised run posts
(context ``backflush_summary``, the run's reference), stock.move's
_prepare_account_move_line hands each move's items to backflush_gather,
which keeps them on a draft entry of the run, and returns none, so
stock_account makes no entry of its own. Once the run's moves are done,
backflush_summarised_entries turns the drafts into posted entries, their
items grouped by account, product and MO.
"""
from collections import defaultdict

from odoo import api, fields, models

# what an item's group is made of (see backflush_summarised_entries)
GROUP_FIELDS = ("account_id", "product_id", "backflush_production_id", "partner_id",
                "backflush_variance_type", "product_uom_id")


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    def _backflush_gathering(self, summary, journal_id=None):
        domain = [("ref", "=", summary), ("state", "=", "draft"),
                  ("stock_move_id", "=", False)]
        if journal_id:
            domain.append(("journal_id", "=", journal_id))
        return self.sudo().search(domain)

    # public: takes a recordset (RPC cannot pass one, so an RPC call faults)
    @api.model
    def backflush_gather(self, move, items):
        """Keep move's items ((0, 0, values) commands) on the draft entry of its run.

        The run (backflush_summary), its journal (backflush_summary_journal)
        and date (force_period_date, else today) are in move's context.
        """
        context = move.env.context
        summary, journal_id = context["backflush_summary"], context["backflush_summary_journal"]
        date = context.get("force_period_date") or fields.Date.context_today(move)
        draft = self._backflush_gathering(summary, journal_id).filtered(
            lambda entry: entry.date == date)[:1]
        # an item's ref is related to its entry's: the entry's it is
        items = [(command, record_id, {key: value for key, value in values.items()
                                       if key != "ref"})
                 for command, record_id, values in items]
        if draft:
            draft.write({"line_ids": items})
        else:
            self.sudo().create({"journal_id": journal_id, "date": date, "ref": summary,
                                "line_ids": items})

    # public: takes a recordset (RPC cannot pass one, so an RPC call faults)
    @api.model
    def backflush_summarised_entries(self, moves, summary, ref, label):
        """The run's posted entries, one per journal and date, from its drafts.

        moves: the done moves whose items were gathered under summary.

        The MO of each item stays on it (backflush_production_id), and the
        backflush logs of the posting link the entry, so every item is traceable.
        ref is the entries' reference, label their items' label.
        """
        entries = self.browse()
        if not moves:
            return entries
        for draft in self._backflush_gathering(summary):
            currency = draft.company_id.currency_id
            groups = defaultdict(lambda: [0.0, 0.0])
            for item in draft.line_ids:
                key = tuple(item[name].id if item._fields[name].type == "many2one"
                            else item[name] for name in GROUP_FIELDS)
                groups[key][0] += item.debit - item.credit
                groups[key][1] += item.quantity
            lines = []
            for key, (total, qty) in groups.items():
                amount = currency.round(total)
                values = dict(zip(GROUP_FIELDS, key), name=label, quantity=qty,
                              debit=amount if amount > 0 else 0.0,
                              credit=-amount if amount < 0 else 0.0)
                lines.append((0, 0, values))
            entry = self.sudo().create({"journal_id": draft.journal_id.id, "date": draft.date,
                                        "ref": ref, "line_ids": lines})
            draft.unlink()  # the run's scratch, never posted
            entry.post()
            entries |= entry
        return entries
