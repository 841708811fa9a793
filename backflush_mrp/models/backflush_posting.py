"""The posting of one MO, the routine every trigger goes through (SPEC sections 2, 3, 5).

Lock the MO, work out what the event makes due, check the period and the
accounts, allocate (backflush.allocation), fill the MO's own moves and post
them through Odoo's _action_done, then log, settle and record what failed.
"""
import logging
import uuid

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round
from psycopg2.extensions import TransactionRollbackError

from ..exceptions import BackflushProblem, LockedPeriodProblem
from ..lib import quantities, triggers
from ..lib.stock_arithmetic import Consumption
from ..read_ahead import POSTING_READS, read_ahead

_logger = logging.getLogger(__name__)


class BackflushPosting(models.AbstractModel):
    _name = "backflush.posting"
    _description = "Backflush Posting"

    # -- public surface: every method takes recordsets (RPC cannot pass one,
    # so an RPC call faults); due() and preview() are read-only ----------------------------
    @api.model
    def post(self, productions, event, workorder=None, raise_errors=True):
        """Post what event releases on each MO, each MO atomically.

        Returns {'posted': MOs, 'skipped': MOs, 'failed': {MO id: message},
        'conflicts': MOs, 'logs': the backflush.log records written}.
        With raise_errors, the first error is raised (the caller's transaction
        then rolls back); otherwise it is recorded on the MO as an exception.
        """
        result = {"posted": productions.browse(), "skipped": productions.browse(), "failed": {},
                  "conflicts": productions.browse(), "logs": self.env["backflush.log"]}
        if self.env.context.get("backflush_disable"):
            # Odoo's own path, untouched (benchmarks compare with it)
            result["skipped"] = productions
            return result
        read_ahead(productions, POSTING_READS)
        for production in productions:
            try:
                with self.env.cr.savepoint():
                    log = self._post_one(production, event, workorder)
            except TransactionRollbackError:
                if raise_errors:
                    raise  # Odoo's RPC layer and job runners retry the whole call
                # another transaction is posting this MO: it is its job now
                self.invalidate_cache()  # the savepoint is gone, its cached values too
                result["conflicts"] |= production
                continue
            except UserError as error:
                if raise_errors:
                    raise
                self.invalidate_cache()
                self.record_failure(production, error)
                result["failed"][production.id] = error.name
                continue
            except Exception as error:  # a batch goes on; the MO says why it did not post
                if raise_errors:
                    raise
                _logger.exception("backflush of %s failed", production.name)
                self.invalidate_cache()
                self.record_failure(production, UserError(str(error)))
                result["failed"][production.id] = str(error)
                continue
            key = "posted" if log else "skipped"
            result[key] |= production
            if log:
                result["logs"] |= log
        return result

    @api.model
    def lock(self, production):
        # serialises concurrent postings of one MO; the row is written at the
        # end of every posting, so a concurrent REPEATABLE READ transaction
        # that waited here fails to serialise and is retried from scratch
        self.env.cr.execute("SELECT id FROM mrp_production WHERE id = %s FOR UPDATE",
                            [production.id])

    @api.model
    def due(self, production, event, workorder=None):
        """[(line, quantity due now)] for the lines event releases on production."""
        produced = production.backflush_produced_qty()
        operation_produced = {wo.operation_id.id: wo.qty_produced
                              for wo in production.workorder_ids}
        completed = production.state == "done" or event == "completion"
        due = []
        for line in self._released_lines(production, event, workorder):
            qty = line.due_qty(produced, operation_produced, completed)
            if qty:
                due.append((line, qty))
        return due

    @api.model
    def preview(self, production, event, workorder=None):
        """(due, plan, problems): what prepare would post now, without writing.

        The same due, checks and allocation as the posting, with no lock and
        no consumption. When the posting would post nothing (a check fails,
        or a blocking line cannot be taken), plan is empty and problems say why.
        """
        due = self.due(production, event, workorder)
        try:
            self._check_period(production)
            self._check_accounts(production, due)
        except BackflushProblem as problem:
            return due, [], [problem]
        plan, problems = self.env["backflush.allocation"].allocate(production, due,
                                                                   preview=True)
        if any(getattr(problem, "blocking", False) for problem in problems):
            plan = []
        return due, plan, problems

    @api.model
    def prepare(self, production, event, workorder=None, taken=None):
        """Lock, compute, check and allocate: (plan, problems, consumptions) or None.

        taken: see backflush.allocation.allocate.
        """
        self.lock(production)
        due = self.due(production, event, workorder)
        if not due:
            production.backflush_update_state()
            return None
        try:
            self._check_period(production)
            self._check_accounts(production, due)
        except BackflushProblem as problem:
            if any(line.shortage_policy == "block" for line, _qty in due):
                raise
            self.queue_problems(production, [problem])
            production.backflush_update_state()
            return None
        plan, problems = self.env["backflush.allocation"].allocate(production, due, taken)
        return plan, problems, self._consume(production, plan)

    @api.model
    def done_moves(self, consumptions, productions, ref, label=None):
        """(done moves, summarised entries, why Odoo's own path posted them or None).

        consumptions (..lib.stock_arithmetic.Consumption) are posted by
        backflush.move.writer: set-based, or by Odoo's own _action_done. Each
        move is valued in its own entry, as Odoo's own path does, unless a
        company of productions summarises its postings: then their items go
        into one entry per journal and date (ref, its items labelled label),
        and the entries are returned (else None).
        """
        writer = self.env["backflush.move.writer"]
        if not consumptions:
            return self.env["stock.move"], None, None
        if not any(mo.company_id.backflush_summarised_posting for mo in productions):
            done, reason = writer.post(consumptions)
            return done, None, reason
        summary = "backflush-summary-%s" % uuid.uuid4().hex
        done, reason = writer.with_context(backflush_summary=summary).post(consumptions)
        entries = self.env["account.move"].backflush_summarised_entries(
            done, summary, ref, label or ref)
        return done.with_context(backflush_summary=None), entries, reason

    @api.model
    def queue_problems(self, production, problems):
        Exception_ = self.env["backflush.exception"]
        for problem in problems:
            Exception_.raise_for(production, problem.reason, problem.name, problem.product)

    @api.model
    def record_failure(self, production, error):
        reason = error.reason if isinstance(error, BackflushProblem) else "other"
        product = getattr(error, "product", None)
        self.env["backflush.exception"].raise_for(production, reason, error.name, product)
        production.backflush_update_state()

    # -- one MO --------------------------------------------------------------
    @api.model
    def _post_one(self, production, event, workorder=None):
        prepared = self.prepare(production, event, workorder)
        if prepared is None:
            return None
        plan, problems, consumptions = prepared
        done_moves, entries, _odoo_path = self.done_moves(consumptions, production,
                                                          production.name)
        self.queue_problems(production, problems)
        log = self.env["backflush.log"].record(production, event, plan, done_moves, entries)
        if production.state == "done":
            self.env["backflush.settlement"].settle(production)
        production.backflush_update_state()
        return log

    @api.model
    def _released_lines(self, production, event, workorder=None):
        lines = production.backflush_line_ids.filtered(
            lambda line: triggers.fired(event, line.trigger))
        if workorder is not None:
            lines = lines.filtered(lambda line: line.trigger != "operation_done"
                                   or line.operation_id == workorder.operation_id)
        return lines

    # -- checks before anything is posted -------------------------------------
    @api.model
    def _check_accounts(self, production, due):
        """Every account the posting and the settlement need, before posting anything."""
        valued = [line.product_id for line, _qty in due] + [production.product_id]
        if not any(product.valuation == "real_time" for product in valued):
            return
        production.backflush_account("wip")
        if production.product_id.valuation != "real_time":
            return
        if production.product_id.cost_method == "standard":
            for kind in ("usage", "price", "revision"):
                production.backflush_account(kind)
        periodic = [p for p in valued[:-1] if p.type == "product" and p.valuation != "real_time"]
        if periodic:
            # they would post nothing to WIP, and the settlement would book their
            # cost as a variance of the finished product
            raise BackflushProblem(_(
                "%(components)s of manufacturing order %(mo)s are not valued in real time "
                "while %(product)s is: value their category in real time too "
                "(Inventory > Configuration > Product Categories), then retry.") % {
                    "components": ", ".join(p.display_name for p in periodic),
                    "mo": production.name, "product": production.product_id.display_name})

    @api.model
    def _check_period(self, production):
        company = production.company_id
        lock_date = max(company.period_lock_date or "", company.fiscalyear_lock_date or "")
        today = fields.Date.context_today(self)
        if lock_date and today <= lock_date:
            raise LockedPeriodProblem(_(
                "Manufacturing order %(mo)s cannot be backflushed: the accounting period of "
                "%(date)s is locked until %(lock)s. Unlock the period (Accounting > Settings) "
                "and retry the exception.") % {
                    "mo": production.name, "date": today, "lock": lock_date})

    # -- consumption: what plan takes on the MO's own moves --------------------
    @api.model
    def _consume(self, production, plan):
        """[Consumption] of plan on the MO's own moves (done_moves posts them)."""
        consumptions = []
        final_lot = production.move_finished_ids.mapped("move_line_ids.lot_id")[-1:]
        for line, _qty, picks in plan:
            move = self._open_move(production, line)
            line_uom, move_uom = line.plain_uom(), move.product_uom.backflush_plain()
            for lot, lot_qty in picks:
                # in move's UoM, rounded there as Odoo's produce wizard rounds
                qty = float_round(quantities.convert(lot_qty, line_uom, move_uom),
                                  precision_rounding=move_uom.rounding)
                consumptions.append(Consumption(move, qty, lot, final_lot))
        return consumptions

    @api.model
    def _open_move(self, production, line):
        move = line.open_moves()[:1]
        if move:
            return move
        # every planned move is done or cancelled (a completed MO): a new one, in
        # the UoM of the MO's other moves of the line
        move = self.env["stock.move"].create({
            "name": production.name,
            "origin": production.name,
            "product_id": line.product_id.id,
            "product_uom": (line.move_ids[-1:].product_uom or line.bom_line_id.product_uom_id
                            or line.product_uom_id).id,
            "product_uom_qty": 0.0,
            "location_id": line.location_id.id,
            "location_dest_id": production.product_id.property_stock_production.id,
            "raw_material_production_id": production.id,
            "company_id": production.company_id.id,
            "bom_line_id": line.bom_line_id.id,
            "operation_id": line.operation_id.id,
            "backflush_line_id": line.id,
            "group_id": production.procurement_group_id.id,
            "price_unit": line.product_id.standard_price,
            "additional": True,
        })
        move._action_confirm()
        return move
