"""Labour and overhead absorbed into WIP by the backflush (SPEC section 4b).

One record per operation of an MO and posting: the hours, the rates and
the amounts, with the journal entry that booked them (Dr WIP / Cr the work
center's absorption accounts). A reversal or an unbuild writes a record of
opposite sign. The settlement reads what each operation absorbed from here.
"""
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp

from ..lib import conversion
from ..lib import rules as rules_lib


class BackflushConversion(models.Model):
    _name = "backflush.conversion"
    _description = "Backflush Conversion Absorption"
    _order = "id desc"

    production_id = fields.Many2one("mrp.production", "Manufacturing Order", required=True,
                                    index=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", related="production_id.company_id",
                                 store=True, readonly=True)
    operation_id = fields.Many2one("mrp.routing.workcenter", required=True,
                                   readonly=True, ondelete="restrict")
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", required=True,
                                    readonly=True, ondelete="restrict")
    workorder_id = fields.Many2one("mrp.workorder", "Work Order", readonly=True,
                                   ondelete="set null")
    hours = fields.Float(digits=(16, 4), readonly=True,
                         help="Work center hours absorbed (negative: given back).")
    recorded = fields.Boolean("Recorded Time", readonly=True,
                              help="The hours are the work order's recorded time; "
                                   "otherwise the standard time for the produced quantity.")
    labour_rate = fields.Float(digits=dp.get_precision("Product Price"), readonly=True)
    overhead_rate = fields.Float(digits=dp.get_precision("Product Price"), readonly=True)
    labour_amount = fields.Float(digits=dp.get_precision("Account"), readonly=True)
    overhead_amount = fields.Float(digits=dp.get_precision("Account"), readonly=True)
    reversal = fields.Boolean(readonly=True,
                              help="Gives back (part of) what the order absorbed: a reversal "
                                   "of its backflush or an unbuild.")
    move_id = fields.Many2one("account.move", "Journal Entry", readonly=True)

    # -- reading the routing ---------------------------------------------------
    @api.model
    def _operations(self, production):
        routing = production.routing_id or production.bom_id.routing_id
        return routing.operation_ids

    # public: read-only
    @api.model
    def plain_operation(self, operation, rates=None):
        workcenter = operation.workcenter_id
        labour, overhead = rates if rates is not None else (
            workcenter.backflush_labour_rate, workcenter.backflush_overhead_rate)
        return conversion.Operation(
            operation_id=operation.id, time_cycle=operation.time_cycle,
            capacity=workcenter.capacity or 1.0,
            time_efficiency=workcenter.time_efficiency or 100.0,
            time_start=workcenter.time_start, time_stop=workcenter.time_stop,
            labour_rate=labour, overhead_rate=overhead)

    # public: read-only
    @api.model
    def bom_qty(self, production, qty, uom):
        """qty in uom as finished units of the MO's BoM UoM."""
        bom_uom = production.bom_id.product_uom_id or production.product_uom_id
        return uom._compute_quantity(qty, bom_uom, round=False)

    @api.model
    def _recorded_minutes(self, production, operation):
        """Minutes the operation's work orders recorded, or None when they recorded none."""
        workorders = production.workorder_ids.filtered(lambda wo: wo.operation_id == operation)
        if not workorders.mapped("time_ids"):
            return None
        return sum(workorders.mapped("duration"))

    @api.model
    def _operation_trigger(self, production, operation, candidates=None):
        """The trigger of an operation's conversion: its BoM's, work center's or company rule."""
        company = production.company_id
        if candidates is None:
            candidates = self.env["backflush.rule"].candidates(company)
        component = rules_lib.Component(
            company_id=company.id, bom_line_id=None, product_id=None,
            bom_id=production.bom_id.id or None, category_path=(),
            workcenter_id=operation.workcenter_id.id or None)
        resolution = rules_lib.resolve(candidates, component)
        return resolution.rule.trigger if resolution.rule else company.backflush_default_trigger

    @api.model
    def _absorbed_operations(self, production):
        records = self.sudo().search([("production_id", "=", production.id),
                                      ("reversal", "=", False)])
        return records.mapped("operation_id")

    # -- absorption --------------------------------------------------------------
    @api.model
    def _due_absorptions(self, production, workorder=None):
        """[(operation, lib Absorption)] the MO absorbs now (for workorder: its operation)."""
        if production.product_id.valuation != "real_time" \
                or self.env.context.get("backflush_disable"):
            return []
        operations = self._operations(production).filtered(
            lambda op: conversion.has_rates(self.plain_operation(op)))
        if workorder is not None:
            operations = operations.filtered(
                lambda op: op == workorder.operation_id
                and self._operation_trigger(production, op) == "operation_done")
            produced, uom = workorder.qty_produced, production.product_uom_id
        else:
            produced = self.env["backflush.settlement"].finished_qty_value(production)[0]
            uom = production.product_id.uom_id
        operations -= self._absorbed_operations(production)
        rounding = production.company_id.currency_id.rounding
        bom_qty = self.bom_qty(production, produced, uom)
        due = []
        for operation in operations:
            absorbed = conversion.absorption(self.plain_operation(operation), bom_qty,
                                             rounding,
                                             self._recorded_minutes(production, operation))
            if workorder is not None and not absorbed.recorded and not absorbed.hours:
                continue  # finished without output or time: the completion absorbs it
            # kept when it rounds to 0.00 (seconds recorded): its standard still
            # counts in the variances
            due.append((operation, absorbed))
        return due

    # public: read-only
    @api.model
    def check_accounts(self, production):
        """Refuse to close an MO whose operations cannot post their absorption (before
        anything is posted): every account they need, named with its fix."""
        if production.product_id.valuation != "real_time" \
                or self.env.context.get("backflush_disable"):
            return
        company = production.company_id
        operations = self._operations(production) - self._absorbed_operations(production)
        for operation in operations:
            plain = self.plain_operation(operation)
            for kind, rate in (("labour", plain.labour_rate), ("overhead", plain.overhead_rate)):
                if rate:
                    operation.workcenter_id.backflush_absorption_account(kind, company)
            if conversion.has_rates(plain):
                production.backflush_account("wip")
                if production.product_id.cost_method == "standard":
                    production.backflush_account("efficiency")
                    production.backflush_account("lot_size")

    # public: takes recordsets (RPC cannot pass one, so an RPC call faults)
    @api.model
    def absorb(self, production, workorder=None):
        """Post Dr WIP / Cr absorption for what is due; returns the records written."""
        due = self._due_absorptions(production, workorder)
        if not due:
            return self.browse()
        wip = production.backflush_account("wip")
        items, values = [], []
        for operation, absorbed in due:
            workcenter = operation.workcenter_id
            for kind, amount in (("labour", absorbed.labour), ("overhead", absorbed.overhead)):
                if amount:
                    account = workcenter.backflush_absorption_account(
                        kind, production.company_id)
                    items += self._items(production, operation, kind, absorbed.hours, amount,
                                         account, wip)
            workorder_of_op = production.workorder_ids.filtered(
                lambda wo, op=operation: wo.operation_id == op)[:1]
            values.append({
                "production_id": production.id, "operation_id": operation.id,
                "workcenter_id": workcenter.id, "workorder_id": workorder_of_op.id,
                "hours": absorbed.hours, "recorded": absorbed.recorded,
                "labour_rate": workcenter.backflush_labour_rate,
                "overhead_rate": workcenter.backflush_overhead_rate,
                "labour_amount": absorbed.labour, "overhead_amount": absorbed.overhead,
            })
        entry = self.env["backflush.settlement"].create_entry(production, items) \
            if items else self.env["account.move"]
        return self._create_each(values, entry)

    def _create_each(self, values, entry):
        # Odoo 11's create() takes one dict
        records = self.browse()
        for vals in values:
            records |= self.sudo().create(dict(vals, move_id=entry.id))
        return records

    @api.model
    def _items(self, production, operation, kind, hours, amount, account, wip):
        """Dr WIP / Cr account for amount (negative amount: the mirror)."""
        label = _("%(kind)s absorbed: %(operation)s (%(hours).2f h)") % {
            "kind": _("Labour") if kind == "labour" else _("Overhead"),
            "operation": operation.name, "hours": abs(hours)}
        common = {"name": label, "product_id": production.product_id.id,
                  "quantity": abs(hours), "backflush_production_id": production.id,
                  "backflush_operation_id": operation.id,
                  "backflush_conversion_type": kind}
        amount = production.company_id.currency_id.round(amount)
        debit, credit = (amount, 0.0) if amount > 0 else (0.0, -amount)
        return [(0, 0, dict(common, account_id=wip.id, debit=debit, credit=credit)),
                (0, 0, dict(common, account_id=account.id, debit=credit, credit=debit))]

    # -- reversal and unbuild ---------------------------------------------------
    # public: takes recordsets (RPC cannot pass one, so an RPC call faults)
    @api.model
    def reverse(self, production, share=1.0):
        """Give back share of what the MO absorbed (1.0: all that is left)."""
        records = self.sudo().search([("production_id", "=", production.id)])
        if not records:
            return self.browse()
        currency = production.company_id.currency_id
        by_operation = defaultdict(records.browse)
        for record in records:
            by_operation[record.operation_id] |= record
        items, values = [], []
        wip = production.backflush_account("wip")
        for operation, own in by_operation.items():
            mirror = self._mirror_amounts(own, share, currency)
            if mirror is None:
                continue
            hours, labour, overhead = mirror
            original = own.filtered(lambda r: not r.reversal)[:1]
            for kind, amount in (("labour", labour), ("overhead", overhead)):
                if not currency.is_zero(amount):
                    account = self._posted_account(original, kind)
                    items += self._items(production, operation, kind, hours, -amount,
                                         account, wip)
            values.append({
                "production_id": production.id, "operation_id": operation.id,
                "workcenter_id": original.workcenter_id.id,
                "workorder_id": original.workorder_id.id, "hours": -hours,
                "recorded": original.recorded, "labour_rate": original.labour_rate,
                "overhead_rate": original.overhead_rate, "labour_amount": -labour,
                "overhead_amount": -overhead, "reversal": True,
            })
        if not items:
            return self.browse()
        entry = self.env["backflush.settlement"].create_entry(production, items)
        return self._create_each(values, entry)

    @staticmethod
    def _mirror_amounts(records, share, currency):
        """(hours, labour, overhead) to give back, or None: share of the original,
        never more than what is still absorbed."""
        net = [sum(records.mapped(name)) for name in ("hours", "labour_amount",
                                                       "overhead_amount")]
        if currency.is_zero(net[1]) and currency.is_zero(net[2]):
            return None
        if share >= 1.0:
            return tuple(net)
        originals = records.filtered(lambda r: not r.reversal)
        wanted = [sum(originals.mapped(name)) * share for name in (
            "hours", "labour_amount", "overhead_amount")]
        wanted[1:] = [currency.round(amount) for amount in wanted[1:]]
        return tuple(min(w, n) if n >= 0 else max(w, n) for w, n in zip(wanted, net))

    @api.model
    def _posted_account(self, original, kind):
        """The account the original absorption credited for kind."""
        wip = original.production_id.backflush_account("wip")
        items = original.move_id.line_ids.filtered(
            lambda item: item.backflush_operation_id == original.operation_id
            and item.backflush_conversion_type == kind and item.account_id != wip)
        if items:
            return items[0].account_id
        return original.workcenter_id.backflush_absorption_account(
            kind, original.production_id.company_id)

    # -- what the settlement, the audit and the preview read (public: read-only) ---------
    @api.model
    def operation_costs(self, production):
        """[lib OperationCost] of the operations that absorbed on this MO (net)."""
        return self.operation_costs_many(production)[production.id]

    @api.model
    def operation_costs_many(self, productions):
        """{MO id: operation_costs(MO)} for productions, read at once."""
        records = self.sudo().search([("production_id", "in", productions.ids)])
        by_production = defaultdict(records.browse)
        for record in records:
            by_production[record.production_id.id] |= record
        return {production.id: self._operation_costs(by_production[production.id])
                for production in productions}

    @api.model
    def _operation_costs(self, records):
        by_operation = defaultdict(records.browse)
        for record in records:
            by_operation[record.operation_id] |= record
        costs = []
        for operation, own in sorted(by_operation.items(), key=lambda item: item[0].id):
            original = own.filtered(lambda r: not r.reversal)[:1] or own[:1]
            plain = self.plain_operation(operation, (original.labour_rate,
                                                     original.overhead_rate))
            absorbed = sum(own.mapped("labour_amount")) + sum(own.mapped("overhead_amount"))
            costs.append(conversion.OperationCost(plain, absorbed))
        return costs

    @api.model
    def preview_values(self, production):
        """What the MO absorbs and when, for the preview: one dict per operation."""
        if production.product_id.valuation != "real_time":
            return []
        absorbed = self._absorbed_operations(production)
        produced = self.bom_qty(production, production.backflush_produced_qty(),
                                production.product_uom_id)
        rounding = production.company_id.currency_id.rounding
        values = []
        for operation in self._operations(production):
            plain = self.plain_operation(operation)
            if not conversion.has_rates(plain):
                continue
            due = conversion.absorption(plain, produced, rounding,
                                        self._recorded_minutes(production, operation))
            trigger = self._operation_trigger(production, operation)
            workcenter = operation.workcenter_id
            company = production.company_id
            values.append({
                "operation_id": operation.id, "workcenter_id": workcenter.id,
                "hours": due.hours, "recorded": due.recorded,
                "labour_amount": due.labour, "overhead_amount": due.overhead,
                "labour_account_id": (workcenter.backflush_labour_absorption_account_id
                                      or company.backflush_labour_absorption_account_id).id,
                "overhead_account_id": (workcenter.backflush_overhead_absorption_account_id
                                        or company.backflush_overhead_absorption_account_id).id,
                "state": "absorbed" if operation in absorbed else (
                    "operation_done" if trigger == "operation_done" else "production_done"),
            })
        return values
