"""A consistency audit accountants can run: books and stock agree with the logs."""
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import float_compare

from ..lib import quantities, variance

CHECKS = [
    ("moves_vs_logs", "Stock moves match the logs"),
    ("wip_zero", "WIP is 0.00 on closed orders"),
    ("variance_formula", "Variances match their formulas"),
    ("consumed_twice", "No component consumed twice"),
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
        settlement = self.env["backflush.settlement"]
        if settlement._settleable(production):
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
        produced = production._backflush_produced_qty()
        posted = defaultdict(float)
        for log in production.backflush_log_ids.filtered(lambda log: log.event != "reversal"):
            for line in log.line_ids:
                posted[line.product_id] += line.qty_posted
        by_operation = {wo.operation_id: wo.qty_produced for wo in production.workorder_ids}
        for line in production.backflush_line_ids:
            # an operation may consume ahead of the order's recorded output
            released = max(produced, by_operation.get(line.operation_id, 0.0)) \
                if line.trigger == "operation_done" else produced
            standard = quantities.standard_qty(line.qty_per_unit, released, line._uom())
            if float_compare(posted[line.product_id], standard,
                             precision_rounding=line.product_uom_id.rounding) > 0:
                yield "consumed_twice", _(
                    "%(product)s: %(posted)s backflushed for a standard of %(standard)s.") % {
                        "product": line.product_id.display_name,
                        "posted": posted[line.product_id], "standard": standard}

    def _check_wip_and_variances(self, production):
        settlement = self.env["backflush.settlement"]
        currency = production.company_id.currency_id
        residual = settlement._wip_balance(production)
        if not currency.is_zero(residual):
            yield "wip_zero", _("WIP of closed order %(mo)s is %(amount)s, not 0.00.") % {
                "mo": production.name, "amount": residual}
        if production.product_id.cost_method != "standard":
            return
        finished_qty, finished_value = settlement._finished(production)
        components = settlement._components(production, finished_qty)
        unit = finished_value / finished_qty if finished_qty else 0.0
        target = variance.raw_variances(components, finished_qty, unit)
        posted = settlement._posted_variances(production)
        # each posting rounds on its own: allow a cent per component
        tolerance = currency.rounding * (len(components) + 1)
        for kind in variance.VARIANCE_TYPES:
            if abs(posted.get(kind, 0.0) - target[kind]) > tolerance + 1e-9:
                yield "variance_formula", _(
                    "%(kind)s variance of %(mo)s is %(posted)s, its formula gives "
                    "%(target)s.") % {"kind": kind, "mo": production.name,
                                      "posted": posted.get(kind, 0.0),
                                      "target": round(target[kind], 6)}


class BackflushAuditLine(models.TransientModel):
    _name = "backflush.audit.line"
    _description = "Backflush Audit Discrepancy"

    audit_id = fields.Many2one("backflush.audit", required=True, ondelete="cascade")
    production_id = fields.Many2one("mrp.production", "Manufacturing Order", readonly=True)
    check = fields.Selection(CHECKS, readonly=True)
    message = fields.Char(readonly=True)
