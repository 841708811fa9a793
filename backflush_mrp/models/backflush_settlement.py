"""Settle what an MO leaves on WIP (SPEC section 4).

Standard-cost finished products: the residual goes to the usage, price,
revision, efficiency and lot-size variance accounts in one journal entry
(the last two for the labour and overhead of section 4b). FIFO/AVCO finished
products: they take the actual cost of what their MO consumed (Odoo 11 on
PyPI has no mrp_account to do it), so nothing is left for variances.
"""
from collections import defaultdict

from odoo import _, api, fields, models

from ..lib import conversion, quantities, variance
from .selections import VARIANCE_LABELS


class BackflushSettlement(models.AbstractModel):
    _name = "backflush.settlement"
    _description = "Backflush WIP Settlement"

    # public: read-only
    @api.model
    def wip_balance(self, production):
        wip = production.backflush_account("wip")
        self.env.cr.execute("""
            SELECT COALESCE(SUM(aml.debit - aml.credit), 0) FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id AND am.state = 'posted'
             WHERE aml.account_id = %s AND aml.backflush_production_id = %s
        """, [wip.id, production.id])
        return self.env.cr.fetchone()[0]

    @api.model
    def _wip_balances(self, productions):
        """{MO id: WIP balance} of many MOs, in one query."""
        wip = {production.id: production.backflush_account("wip").id
               for production in productions}
        if not wip:
            return {}
        self.env.cr.execute("""
            SELECT aml.backflush_production_id, aml.account_id, SUM(aml.debit - aml.credit)
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id AND am.state = 'posted'
             WHERE aml.backflush_production_id IN %s AND aml.account_id IN %s
             GROUP BY aml.backflush_production_id, aml.account_id
        """, [tuple(wip), tuple(set(wip.values()))])
        balances = dict.fromkeys(wip, 0.0)
        for production_id, account_id, balance in self.env.cr.fetchall():
            if wip[production_id] == account_id:
                balances[production_id] = balance
        return balances

    # public: read-only
    @api.model
    def posted_variances(self, productions):
        """{MO id: {variance type: amount posted}} of many MOs, in one query."""
        posted = {production.id: {} for production in productions}
        if not posted:
            return posted
        self.env.cr.execute("""
            SELECT aml.backflush_production_id, aml.backflush_variance_type,
                   SUM(aml.debit - aml.credit)
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id AND am.state = 'posted'
             WHERE aml.backflush_production_id IN %s AND aml.backflush_variance_type IN %s
             GROUP BY aml.backflush_production_id, aml.backflush_variance_type
        """, [tuple(posted), conversion.VARIANCE_TYPES])
        for production_id, kind, amount in self.env.cr.fetchall():
            posted[production_id][kind] = amount
        return posted

    @api.model
    def _net_moves(self, moves):
        """{product: (qty, value)} of done moves, net of the moves reversing them."""
        totals = defaultdict(lambda: [0.0, 0.0])
        for move in moves.filtered(lambda m: m.state == "done" and not m.scrapped):
            totals[move.product_id][0] += move.product_qty
            totals[move.product_id][1] += move.value
        return totals

    @api.model
    def _reversals(self, moves, mirrors=None):
        """The done moves reversing moves; mirrors: those of a whole chunk, read at once."""
        if mirrors is None:
            mirrors = self._mirrors(moves)
        return mirrors.filtered(lambda mirror: mirror.backflush_reversal_of_id in moves)

    @api.model
    def _mirrors(self, moves):
        return self.env["stock.move"].search([
            ("backflush_reversal_of_id", "in", moves.ids), ("state", "=", "done")])

    @api.model
    def _components(self, production, finished_qty, mirrors=None):
        raw = production.move_raw_ids.filtered(lambda m: not m.backflush_reversal_of_id)
        consumed = self._net_moves(raw)
        # a mirror's value already has the opposite sign; its quantity does not
        for product, (qty, value) in self._net_moves(self._reversals(raw, mirrors)).items():
            consumed[product][0] -= qty
            consumed[product][1] += value
        lines = {line.product_id: line for line in production.backflush_line_ids}
        per_unit = defaultdict(float)
        for line in production.backflush_line_ids:
            per_unit[line.product_id] += line.qty_per_unit
        result = []
        for product in set(consumed) | set(lines):
            qty, value = consumed.get(product, (0.0, 0.0))
            line = lines.get(product)
            uom = line.plain_uom() if line else quantities.Uom(1.0, product.uom_id.rounding)
            standard_cost = line.standard_cost if line else product.with_context(
                force_company=production.company_id.id).standard_price
            result.append(variance.ComponentCost(
                product_id=product.id,
                standard_qty=quantities.standard_qty(per_unit[product], finished_qty, uom),
                actual_qty=qty, standard_cost=standard_cost, actual_value=-value))
        return result

    # public: read-only
    @api.model
    def finished_qty_value(self, production, mirrors=None):
        finished = production.move_finished_ids.filtered(
            lambda m: m.product_id == production.product_id and not m.backflush_reversal_of_id)
        qty, value = self._net_moves(finished).get(production.product_id, (0.0, 0.0))
        for _product, (r_qty, r_value) in self._net_moves(
                self._reversals(finished, mirrors)).items():
            qty -= r_qty
            value += r_value
        return qty, value

    @api.model
    def _variance_inputs(self, production, finished_qty, finished_value, mirrors=None,
                         operation_costs=None):
        """The arguments of ..lib.conversion.all_variances and settle for the MO.

        operation_costs: backflush.conversion.operation_costs of the MO, when
        the caller read them for many MOs at once.
        """
        # finished goods are credited to WIP at what they were really posted at
        unit_standard = finished_value / finished_qty if finished_qty else 0.0
        Conversion = self.env["backflush.conversion"]
        return {
            "components": self._components(production, finished_qty, mirrors),
            "finished_qty": finished_qty,
            "finished_standard_price": unit_standard,
            "operation_costs": Conversion.operation_costs(production)
            if operation_costs is None else operation_costs,
            "produced_qty": Conversion.bom_qty(production, finished_qty,
                                               production.product_id.uom_id),
            "costing_lot_size": production.bom_id.backflush_lot_size()
            if production.bom_id else 1.0,
        }

    # public: read-only
    @api.model
    def target_variances(self, production, finished_qty, finished_value, mirrors=None):
        """The five variances the MO's postings call for, unrounded (SPEC 4 and 4b)."""
        return conversion.all_variances(**self._variance_inputs(
            production, finished_qty, finished_value, mirrors))

    # public: read-only
    @api.model
    def settleable(self, production):
        return self._closed_in_real_time(production) and \
            not production.backflush_with_pending()

    @staticmethod
    def _closed_in_real_time(production):
        return production.state == "done" and production.product_id.valuation == "real_time"

    @api.model
    def settle(self, productions, pending=None):
        """Clear the WIP of done MOs that have nothing pending; returns the entries.

        What the MOs' settlements read is read for all of them at once, and
        their entries are written together (backflush.entry.writer) unless
        the writer leaves them to Odoo's own create and post. pending:
        productions.backflush_with_pending(), when the caller has it.
        """
        if pending is None:
            pending = productions.backflush_with_pending()
        settleable = productions.filtered(
            lambda mo: self._closed_in_real_time(mo) and mo not in pending)
        balances = self._wip_balances(settleable)
        open_mos = settleable.filtered(
            lambda mo: not mo.company_id.currency_id.is_zero(balances[mo.id]))
        mirrors = self._mirrors(open_mos.mapped("move_raw_ids") | open_mos.mapped(
            "move_finished_ids"))
        at_standard = open_mos.filtered(lambda mo: mo.product_id.cost_method == "standard")
        posted = self.posted_variances(at_standard)
        operation_costs = self.env["backflush.conversion"].operation_costs_many(at_standard)
        entries, journals = [], {}
        for production in open_mos:
            residual = balances[production.id]
            if production.product_id.cost_method == "standard":
                items = self._variance_items(production, residual, mirrors,
                                             posted[production.id],
                                             operation_costs[production.id])
            else:
                items = self._capitalise(production, residual)
            entries.append(self._entry_values(production, items, journals))
        return self._create_entries(entries)

    @api.model
    def _variance_items(self, production, residual, mirrors, posted, operation_costs):
        currency = production.company_id.currency_id
        finished_qty, finished_value = self.finished_qty_value(production, mirrors)
        # the tested arithmetic of ..lib: what is due less what is booked, rounded
        # so that the amounts clear the residual exactly
        amounts = conversion.settle(
            wip_residual=residual, rounding=currency.rounding, posted=posted,
            **self._variance_inputs(production, finished_qty, finished_value, mirrors,
                                    operation_costs))
        items = []
        for kind in conversion.VARIANCE_TYPES:
            amount = amounts.get(kind)
            if not amount:
                continue
            account = production.backflush_account(kind)
            items.append(self._item(production, account, amount, kind, finished_qty,
                                    _("%s variance") % VARIANCE_LABELS[kind]))
            items.append(self._item(production, production.backflush_account("wip"), -amount,
                                    False, finished_qty, _("WIP to %s variance") % kind))
        return items

    @api.model
    def _capitalise(self, production, residual):
        """FIFO/AVCO finished goods absorb what their MO left on WIP."""
        accounts = production.product_id.product_tmpl_id.get_product_accounts()
        finished_qty, _value = self.finished_qty_value(production)
        last = production.move_finished_ids.filtered(
            lambda m: m.product_id == production.product_id and m.state == "done")[-1:]
        if last:
            last.write({"value": last.value + residual,
                        "remaining_value": last.remaining_value + residual
                        if last.remaining_qty else last.remaining_value})
        return [
            self._item(production, accounts["stock_valuation"], residual, False, finished_qty,
                       _("Actual cost of %s") % production.name),
            self._item(production, production.backflush_account("wip"), -residual, False,
                       finished_qty, _("WIP to finished goods")),
        ]

    @api.model
    def _item(self, production, account, amount, kind, qty, label):
        currency = production.company_id.currency_id
        amount = currency.round(amount)
        return (0, 0, {
            "name": label,
            "account_id": account.id,
            "debit": amount if amount > 0 else 0.0,
            "credit": -amount if amount < 0 else 0.0,
            "product_id": production.product_id.id,
            "quantity": qty,
            "product_uom_id": production.product_uom_id.id,
            "backflush_production_id": production.id,
            "backflush_variance_type": kind,
        })

    @api.model
    def _entry_values(self, production, items, journals=None):
        """journals: {template id: stock journal id}, shared by the MOs of a settlement."""
        journals = {} if journals is None else journals
        template = production.product_id.product_tmpl_id
        if template.id not in journals:
            journals[template.id] = template.get_product_accounts()["stock_journal"].id
        return {"journal_id": journals[template.id],
                "date": fields.Date.context_today(self), "ref": production.name,
                "items": [values for _command, _id, values in items]}

    # public: takes a recordset (RPC cannot pass one, so an RPC call faults)
    @api.model
    def create_entry(self, production, items):
        """One MO's posted entry of items ((0, 0, values) commands)."""
        return self._create_entries([self._entry_values(production, items)])

    @api.model
    def _create_entries(self, entries):
        writer = self.env["backflush.entry.writer"]
        if entries and writer.refusal(entries) is None:
            return writer.create_posted(entries)
        created = self.env["account.move"]
        for values in entries:
            entry = self.env["account.move"].sudo().create(dict(
                {key: value for key, value in values.items() if key != "items"},
                line_ids=[(0, 0, item) for item in values["items"]]))
            entry.post()
            created |= entry
        return created

    @api.model
    def finished_unit_cost(self, production, finishing_qty):
        """Unit cost for FIFO/AVCO finished goods: what is on WIP for them now."""
        if not finishing_qty:
            return 0.0
        return self.wip_balance(production) / finishing_qty
