"""Posted journal entries written set-based, as account.move.create + post() write them.

For the set-based posting of component moves (backflush.move.writer) and
the settlement of a chunk: one INSERT for the entries, one for their
items, names drawn from the journal's sequence for all at once (in the
order Odoo would draw them), and the computed columns (balances, residuals,
related journal, date, company, reference, the entry's amount...) computed
by the ORM itself. The checks of post() (``_post_validate``) hold for the
result: one company per entry (checked on the values written), balanced
(Odoo's ``assert_balanced``), period not locked (Odoo's ``_check_lock_date``,
on each company's earliest entry: its outcome depends on the company and
the date only). Where another module extends one of these, the entries
are posted by Odoo's own create + post (see ``refusal``).

``refusal`` says which entries this does not reproduce (taxes, analytic
accounts, secondary currencies, journals with entry controls, deprecated
accounts, reconcilable accounts, sale and purchase journals): those are
posted by Odoo's own create + post. For the others, the computed columns
whose compute is plain arithmetic on the entry (balances, cash basis, the
related journal, date, company, reference...) are written with the rows,
as their computes make them (``ENTRY_COMPUTED``, ``ITEM_COMPUTED``); the
ORM computes any other stored field that a module adds.
"""
from collections import OrderedDict

from odoo import _, api, models
from odoo.addons.base.ir.ir_sequence import IrSequence
from odoo.exceptions import UserError

from .. import core_rows
from .backflush_move_writer import foreign_overrides

# the stored computed fields the writer fills, by what account's computes make of
# an entry without reconcilable accounts, taxes or currencies in a general journal
ENTRY_COMPUTED = ("amount", "matched_percentage", "partner_id", "currency_id", "company_id")
ITEM_COMPUTED = ("balance", "debit_cash_basis", "credit_cash_basis", "balance_cash_basis",
                 "company_currency_id", "amount_residual", "amount_residual_currency",
                 "reconciled", "tax_base_amount", "ref", "journal_id", "date", "company_id",
                 "user_type_id", "statement_id")


# what post()'s checks, the constraints and the chunk read of the new entries and items
ENTRY_CACHED = ("company_id", "date", "journal_id", "state", "name", "ref", "stock_move_id")
ITEM_CACHED = ("account_id", "move_id", "company_id", "amount_currency", "currency_id",
               "debit", "credit", "balance", "date", "journal_id", "product_id")


class BackflushEntryWriter(models.AbstractModel):
    _name = "backflush.entry.writer"
    _description = "Backflush Set-based Journal Entries"

    @api.model
    def refusal(self, entries):
        """Why entries (dicts: journal_id, date, ref, items...) cannot be written set-based."""
        overrides = foreign_overrides(self.env, ("account.move", "account.move.line"))
        if overrides:
            return ", ".join(overrides)
        # a chunk's thousands of items share a few journals and accounts: each is checked once
        journal_ids = sorted({entry["journal_id"] for entry in entries})
        account_ids = sorted({item["account_id"] for entry in entries for item in entry["items"]})
        for journal in self.env["account.journal"].browse(journal_ids):
            if journal.type_control_ids or journal.account_control_ids or \
                    journal.type in ("sale", "purchase"):
                return "journal %s has entry controls or is a sale or purchase journal" \
                    % journal.display_name
            if not journal.sequence_id:
                return "journal %s has no sequence" % journal.display_name
        for account in self.env["account.account"].browse(account_ids):
            if account.deprecated or account.reconcile or \
                    account.internal_type == "liquidity" or \
                    (account.currency_id and account.currency_id
                     != account.company_id.currency_id):
                return "account %s is deprecated, reconcilable or in another " \
                    "currency" % account.code
        for entry in entries:
            for item in entry["items"]:
                if any(item.get(name) for name in ("tax_ids", "tax_line_id",
                                                    "analytic_account_id", "analytic_tag_ids",
                                                    "currency_id", "amount_currency",
                                                    "statement_line_id")):
                    return "items with taxes, analytics, currencies or statements"
        return None

    @api.model
    def create_posted(self, entries):
        """account.move.create(values).post() for each of entries; the entries.

        entries: dicts with journal_id, date, ref, items (account.move.line
        values), and any other account.move column (stock_move_id...).
        """
        if not entries:
            return self.env["account.move"]
        Entry = self.env["account.move"].sudo()
        names = self._names(entries)
        records = core_rows.create_rows(Entry, [
            dict({key: value for key, value in entry.items() if key != "items"},
                 name=name, state="posted", **self._entry_computed(entry))
            for entry, name in zip(entries, names)], computed=ENTRY_COMPUTED, cached=ENTRY_CACHED)
        Item = self.env["account.move.line"].sudo()
        of_account = self._of_accounts(entries)
        core_rows.create_rows(Item, [
            dict(item, move_id=record.id,
                 date_maturity=item.get("date_maturity") or entry["date"],
                 **self._item_computed(entry, item, of_account))
            for entry, record in zip(entries, records) for item in entry["items"]],
            computed=ITEM_COMPUTED, cached=ITEM_CACHED)
        # the entries' own computed fields are theirs already, whatever the items marked
        for name in ENTRY_COMPUTED:
            records._recompute_done(Entry._fields[name])
        Entry.recompute()
        self._check_posted(records, entries, of_account)
        return records

    @api.model
    def _check_posted(self, records, entries, of_account):
        """What _post_validate checks of the entries, each check once for the chunk."""
        companies = {}
        for record, entry in zip(records, entries):
            company_id = record.company_id.id
            if any(of_account[item["account_id"]]["company_id"] != company_id
                   for item in entry["items"]):
                raise UserError(_("Cannot create moves for different companies."))
            earliest = companies.get(company_id)
            if earliest is None or entry["date"] < earliest[1]:
                companies[company_id] = (record.id, entry["date"])
        records.assert_balanced()
        records.browse([record_id for record_id, _date in companies.values()])._check_lock_date()

    @api.model
    def _entry_computed(self, entry):
        journal = self.env["account.journal"].browse(entry["journal_id"])
        company = journal.company_id
        amount = 0.0
        for item in entry["items"]:
            amount += item.get("debit", 0.0)
        partners = {item.get("partner_id") for item in entry["items"]}
        single = partners.pop() if len(partners) == 1 else False
        return {"amount": amount, "matched_percentage": 1.0, "partner_id": single or False,
                "currency_id": (company.currency_id or self.env.user.company_id.currency_id).id,
                "company_id": company.id}

    @api.model
    def _item_computed(self, entry, item, of_account):
        debit, credit = item.get("debit", 0.0), item.get("credit", 0.0)
        return dict(of_account[item["account_id"]],
                    balance=debit - credit, debit_cash_basis=debit, credit_cash_basis=credit,
                    balance_cash_basis=debit - credit, amount_residual=0.0,
                    amount_residual_currency=0.0, reconciled=False, tax_base_amount=0.0,
                    ref=entry.get("ref") or False, journal_id=entry["journal_id"],
                    date=entry["date"], statement_id=False)

    @api.model
    def _of_accounts(self, entries):
        """{account id: what an item takes of its account}, for the accounts of entries."""
        ids = {item["account_id"] for entry in entries for item in entry["items"]}
        return {account.id: {"company_currency_id": account.company_id.currency_id.id,
                             "company_id": account.company_id.id,
                             "user_type_id": account.user_type_id.id}
                for account in self.env["account.account"].browse(sorted(ids))}

    @api.model
    def _names(self, entries):
        """The names post() draws, entry by entry, from each journal's sequence."""
        wanted = OrderedDict()
        for index, entry in enumerate(entries):
            wanted.setdefault((entry["journal_id"], entry["date"]), []).append(index)
        names = [None] * len(entries)
        for (journal_id, date), indexes in wanted.items():
            sequence = self.env["account.journal"].browse(journal_id).sequence_id
            for index, name in zip(indexes, self._draw(sequence.sudo(), date, len(indexes))):
                names[index] = name
        return names

    @api.model
    def _draw(self, sequence, date, count):
        """count names of sequence for date, as count next_by_id() calls would give."""
        sequence = sequence.with_context(ir_sequence_date=date)
        holder, table = sequence, "ir_sequence"
        if sequence.use_date_range:
            holder = self.env["ir.sequence.date_range"].sudo().search(
                [("sequence_id", "=", sequence.id), ("date_from", "<=", date),
                 ("date_to", ">=", date)], limit=1) or sequence._create_date_range_seq(date)
            sequence = sequence.with_context(ir_sequence_date_range=holder.date_from)
            table = "ir_sequence_date_range"
        cr = self.env.cr
        if sequence.implementation == "standard":
            name = "ir_sequence_%03d" % sequence.id
            if holder != sequence:
                name = "ir_sequence_%03d_%03d" % (sequence.id, holder.id)
            cr.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [name, count])
            numbers = [row[0] for row in cr.fetchall()]
        else:
            # the row lock and increment of _update_nogap, for count numbers at once
            cr.execute("SELECT number_next FROM %s WHERE id = %%s FOR UPDATE NOWAIT" % table,
                       [holder.id])
            first = cr.fetchone()[0]
            step = sequence.number_increment
            cr.execute("UPDATE %s SET number_next = number_next + %%s WHERE id = %%s" % table,
                       [step * count, holder.id])
            holder.invalidate_cache(["number_next"], [holder.id])
            numbers = [first + step * index for index in range(count)]
        next_char = self._next_char(sequence)
        return [next_char(number) for number in numbers]

    @staticmethod
    def _next_char(sequence):
        """sequence.get_next_char, its prefix and suffix interpolated once for all numbers.

        They depend on the date and the user only; each get_next_char call
        interpolates them again (a few thousand times per chunk). Where a
        module overrides get_next_char, it is called for each number.
        """
        if type(sequence).get_next_char is not IrSequence.get_next_char:
            return sequence.get_next_char
        prefix, suffix = sequence._get_prefix_suffix()
        number_format = "%%0%sd" % sequence.padding
        return lambda number: prefix + number_format % number + suffix
