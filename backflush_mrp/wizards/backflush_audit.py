"""A consistency audit accountants can run: books and stock agree with the logs."""
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import float_compare

from ..lib import conversion

CHECKS = [
    ("moves_vs_logs", "Stock moves match the logs"),
    ("wip_zero", "WIP is 0.00 on closed orders"),
    ("variance_formula", "Variances match their formulas"),
    ("consumed_twice", "No component consumed twice"),
    ("conversion", "Labour and overhead absorbed = hours x rates"),
]


class BackflushAudit(models.TransientModel):
    _name = "backflush.audit"
    _description = "Backflush Consistency Audit"

    date_from = fields.Date()
    date_to = fields.Date()
    production_ids = fields.Many2many("mrp.production", string="Manufacturing Orders",
                                      help="Empty: every order in the period.")
    line_ids = fields.One2many("backflush.audit.line", "audit_id", "Discrepancies",
                               readonly=True)
    checked_count = fields.Integer("Orders Checked", readonly=True)
    state = fields.Selection([("draft", "To Run"), ("done", "Done")], default="draft")

    def _productions(self):
        if self.production_ids:
            return self.production_ids
        domain = [("backflush_line_ids", "!=", False)]
        if self.date_from:
            domain.append(("date_planned_start", ">=", self.date_from))
        if self.date_to:
            domain.append(("date_planned_start", "<=", self.date_to + " 23:59:59"))
        return self.env["mrp.production"].search(domain)

    @api.multi
    def action_run(self):
        self.ensure_one()
        productions = self._productions()
        findings = self.env["backflush.audit"]._audit(productions)
        self.line_ids.unlink()
        self.write({"state": "done", "checked_count": len(productions),
                    "line_ids": [(0, 0, finding) for finding in findings]})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "current"}

    @api.model
    def _audit(self, productions):
        """[{'production_id', 'check', 'message'}] of every discrepancy found."""
        findings = []
        for production in productions:
            for check, message in self._findings(production):
                findings.append({"production_id": production.id, "check": check,
                                 "message": message})
        return findings

    def _findings(self, production):
        yield from self._check_moves_vs_logs(production)
        yield from self._check_consumed_twice(production)
        yield from self._check_conversion(production)
        settlement = self.env["backflush.settlement"]
        if settlement.settleable(production):
            yield from self._check_wip_and_variances(production)

    def _check_moves_vs_logs(self, production):
        for log in production.backflush_log_ids.filtered(lambda log: log.event != "reversal"):
            if log.move_ids.filtered(lambda move: move.state != "done"):
                yield "moves_vs_logs", _("Log %s lists stock moves that are not done.") % log.id
            for line in log.line_ids:
                moved = sum(line.move_ids.mapped("product_qty"))
                if float_compare(moved, line.qty_posted,
                                 precision_rounding=line.product_uom_id.rounding) < 0:
                    yield "moves_vs_logs", _(
                        "Log %(log)s says %(posted)s of %(product)s were backflushed, its "
                        "moves carry %(moved)s.") % {
                            "log": log.id, "posted": line.qty_posted,
                            "product": line.product_id.display_name, "moved": moved}

    def _check_consumed_twice(self, production):
        produced = production.backflush_produced_qty()
        posted = defaultdict(float)
        for log in production.backflush_log_ids.filtered(lambda log: log.event != "reversal"):
            for line in log.line_ids:
                posted[line.product_id] += line.qty_posted
        by_operation = {wo.operation_id: wo.qty_produced for wo in production.workorder_ids}
        for line in production.backflush_line_ids:
            # an operation may consume ahead of the order's recorded output
            released = max(produced, by_operation.get(line.operation_id, 0.0)) \
                if line.trigger == "operation_done" else produced
            standard = line.standard_qty(released)
            if float_compare(posted[line.product_id], standard,
                             precision_rounding=line.product_uom_id.rounding) > 0:
                yield "consumed_twice", _(
                    "%(product)s: %(posted)s backflushed for a standard of %(standard)s.") % {
                        "product": line.product_id.display_name,
                        "posted": posted[line.product_id], "standard": standard}

    def _check_wip_and_variances(self, production):
        settlement = self.env["backflush.settlement"]
        currency = production.company_id.currency_id
        residual = settlement.wip_balance(production)
        if not currency.is_zero(residual):
            yield "wip_zero", _("WIP of closed order %(mo)s is %(amount)s, not 0.00.") % {
                "mo": production.name, "amount": residual}
        if production.product_id.cost_method != "standard":
            return
        finished_qty, finished_value = settlement.finished_qty_value(production)
        target = settlement.target_variances(production, finished_qty, finished_value)
        posted = settlement.posted_variances(production)[production.id]
        # each posting rounds on its own: allow a cent per component and absorption item
        postings = len(production.backflush_line_ids) + 2 * len(
            self.env["backflush.conversion"].sudo().search(
                [("production_id", "=", production.id)]))
        tolerance = currency.rounding * (postings + 1)
        for kind in conversion.VARIANCE_TYPES:
            if abs(posted.get(kind, 0.0) - target[kind]) > tolerance + 1e-9:
                yield "variance_formula", _(
                    "%(kind)s variance of %(mo)s is %(posted)s, its formula gives "
                    "%(target)s.") % {"kind": kind, "mo": production.name,
                                      "posted": posted.get(kind, 0.0),
                                      "target": round(target[kind], 6)}

    def _check_conversion(self, production):
        """Each absorption = its hours x its rates, and its journal items say so."""
        currency = production.company_id.currency_id
        records = self.env["backflush.conversion"].sudo().search(
            [("production_id", "=", production.id)])
        wip = records and production.backflush_account("wip")
        for record in records:
            for kind in ("labour", "overhead"):
                amount = record[kind + "_amount"]
                formula = record.hours * record[kind + "_rate"]
                # a partial unbuild gives back a share of the rounded amount
                if abs(amount - formula) > currency.rounding * (1.5 if record.reversal
                                                                else 0.5) + 1e-9:
                    yield "conversion", _(
                        "%(kind)s absorbed on %(mo)s for %(operation)s is %(amount)s, "
                        "%(hours)s h x %(rate)s gives %(formula)s.") % {
                            "kind": kind, "mo": production.name,
                            "operation": record.operation_id.name, "amount": amount,
                            "hours": round(record.hours, 4), "rate": record[kind + "_rate"],
                            "formula": round(formula, 2)}
            items = record.move_id.line_ids.filtered(
                lambda item, r=record: item.backflush_operation_id == r.operation_id
                and item.account_id == wip)
            on_wip = sum(items.mapped("debit")) - sum(items.mapped("credit"))
            if record.move_id and record.move_id.state != "posted" or not currency.is_zero(
                    on_wip - record.labour_amount - record.overhead_amount):
                yield "conversion", _(
                    "The journal entry of the absorption of %(operation)s on %(mo)s puts "
                    "%(wip)s on WIP, the absorption says %(amount)s.") % {
                        "operation": record.operation_id.name, "mo": production.name,
                        "wip": on_wip, "amount": record.labour_amount + record.overhead_amount}


class BackflushAuditLine(models.TransientModel):
    _name = "backflush.audit.line"
    _description = "Backflush Audit Discrepancy"

    audit_id = fields.Many2one("backflush.audit", required=True, ondelete="cascade")
    production_id = fields.Many2one("mrp.production", "Manufacturing Order", readonly=True)
    check = fields.Selection(CHECKS, readonly=True)
    message = fields.Char(readonly=True)
