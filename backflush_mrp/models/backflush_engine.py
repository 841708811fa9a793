"""The one posting routine every trigger goes through (SPEC sections 2, 3, 5).

The ORM layer here is thin: it reads what the pure functions in ..lib need,
and turns their answers into stock moves, logs and exceptions.
"""
import logging
import time
import uuid
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round
from psycopg2.extensions import TransactionRollbackError

from ..exceptions import (
    BackflushProblem,
    LockedPeriodProblem,
    LotRequiredProblem,
    MissingCostProblem,
    ShortageProblem,
)
from ..lib import lots as lots_lib
from ..lib import quantities, triggers
from ..lib import rules as rules_lib
from ..lib.stock_arithmetic import Consumption

_logger = logging.getLogger(__name__)


def plain_uom(uom):
    return quantities.Uom(uom.factor, uom.rounding, uom.category_id.id)


class BackflushEngine(models.AbstractModel):
    _name = "backflush.engine"
    _description = "Backflush Engine"

    # ------------------------------------------------------------------
    # rules
    # ------------------------------------------------------------------
    @api.model
    def _category_path(self, category):
        path = self.env["product.category"]
        while category:
            path |= category
            category = category.parent_id
        return path

    @api.model
    def _plain_component(self, company, bom_line, product, bom, operation):
        path = self._category_path(product.categ_id)
        return rules_lib.Component(
            company_id=company.id, bom_line_id=bom_line.id or None, product_id=product.id,
            bom_id=bom.id or None, category_path=tuple(path.ids),
            category_names=tuple(c.display_name for c in path),
            workcenter_id=operation.workcenter_id.id or None)

    @api.model
    def _resolve_bom_line(self, bom_line, company, candidates=None, operation=None):
        if candidates is None:
            candidates = self.env["backflush.rule"]._candidates(company)
        component = self._plain_component(
            company, bom_line, bom_line.product_id, bom_line.bom_id,
            operation if operation is not None else bom_line.operation_id)
        return rules_lib.resolve(candidates, component)

    @api.model
    def _trigger_of(self, resolution, company):
        return resolution.rule.trigger if resolution.rule else company.backflush_default_trigger

    # ------------------------------------------------------------------
    # planning: what each MO consumes, fixed when it is confirmed
    # ------------------------------------------------------------------
    @api.model
    def _plain_bom(self, bom, seen=()):
        if bom.id in seen:
            raise UserError(_("BoM '%s' contains itself through its kits.") % bom.display_name)
        lines = []
        for line in bom.bom_line_ids:
            child = line.child_bom_id
            phantom = (self._plain_bom(child, seen + (bom.id,))
                       if child and child.type == "phantom" else None)
            if phantom is None and line.product_id.type not in ("product", "consu"):
                continue
            lines.append(quantities.BomLine(
                line_id=line.id, product_id=line.product_id.id, qty=line.product_qty,
                line_uom=plain_uom(line.product_uom_id),
                product_uom=plain_uom(line.product_id.uom_id),
                scrap_percent=line.backflush_scrap_factor,
                operation_id=line.operation_id.id or None, phantom=phantom))
        return quantities.Bom(bom.id, bom.product_qty, plain_uom(bom.product_uom_id), tuple(lines))

    @api.model
    def _needs(self, production):
        """Per-unit needs by BoM line id (a kit used twice adds up)."""
        needs = {}
        bom = self._plain_bom(production.bom_id)
        for need in quantities.explode(bom, plain_uom(production.product_uom_id)):
            previous = needs.get(need.line_id)
            needs[need.line_id] = need if previous is None else previous._replace(
                qty_per_unit=previous.qty_per_unit + need.qty_per_unit)
        return needs

    @api.model
    def _plan(self, productions):
        """Create the backflush lines of MOs and hand their raw moves to the backflush."""
        candidates_by_company = {}
        Line = self.env["mrp.production.backflush.line"]
        for production in productions.filtered("bom_id"):
            company = production.company_id
            if company.id not in candidates_by_company:
                candidates_by_company[company.id] = self.env["backflush.rule"]._candidates(company)
            planned = {line.bom_line_id.id: line for line in production.backflush_line_ids}
            for line_id, need in self._needs(production).items():
                if line_id not in planned:
                    planned[line_id] = Line.create(self._line_values(
                        production, need, candidates_by_company[company.id]))
            self._attach_moves(production, planned)

    @api.model
    def _line_values(self, production, need, candidates):
        company = production.company_id
        bom_line = self.env["mrp.bom.line"].browse(need.line_id)
        operation = self.env["mrp.routing.workcenter"].browse(need.operation_id)
        resolution = self._resolve_bom_line(bom_line, company, candidates, operation)
        rule = resolution.rule and self.env["backflush.rule"].browse(resolution.rule.id)
        product = bom_line.product_id.with_context(force_company=company.id)
        raw_move = production.move_raw_ids.filtered(lambda m: m.bom_line_id == bom_line)[:1]
        location = (rule and rule.location_src_id) or raw_move.location_id \
            or production.location_src_id
        return {
            "production_id": production.id,
            "sequence": bom_line.sequence,
            "bom_line_id": bom_line.id,
            "product_id": product.id,
            "product_uom_id": product.uom_id.id,
            "qty_per_unit": need.qty_per_unit,
            "standard_cost": product.standard_price,
            "rule_id": rule.id if rule else False,
            "trigger": self._trigger_of(resolution, company),
            "rule_reason": resolution.reason,
            "shortage_policy": rule.shortage_policy if rule
            else company.backflush_default_shortage_policy,
            "location_id": location.id,
            "operation_id": operation.id,
        }

    @api.model
    def _attach_moves(self, production, planned):
        """Link raw moves to their line, without Odoo's auto-fill.

        Odoo's produce wizard and work orders fill consumed quantities from
        ``unit_factor``; with the backflush in charge, what is recorded on a
        move is only what an operator entered by hand. A move keeps the UoM
        Odoo gave it (its BoM line's), in which operators see and record it;
        its demand includes the line's planned scrap.
        """
        for move in production.move_raw_ids.filtered(
                lambda m: not m.backflush_line_id and m.state not in ("done", "cancel")):
            line = planned.get(move.bom_line_id.id)
            if not line:
                continue
            values = {"backflush_line_id": line.id, "unit_factor": 0.0,
                      "location_id": line.location_id.id}
            same_line = production.move_raw_ids.filtered(
                lambda m, bom_line=move.bom_line_id: m.bom_line_id == bom_line)
            if len(same_line) == 1 and not move.move_line_ids:
                demand = self._standard_in_move_uom(line, production.product_qty, move)
                if float_compare(demand, move.product_uom_qty,
                                 precision_rounding=move.product_uom.rounding):
                    values["product_uom_qty"] = demand
            move.write(values)

    @api.model
    def _standard_in_move_uom(self, line, finished_qty, move):
        """line's standard for finished_qty in move's UoM, rounded as Odoo rounds it there."""
        move_uom = plain_uom(move.product_uom)
        per_unit = quantities.convert(line.qty_per_unit, line._uom(), move_uom)
        return quantities.standard_qty(per_unit, finished_qty, move_uom)

    # ------------------------------------------------------------------
    # posting
    # ------------------------------------------------------------------
    @api.model
    def _post(self, productions, event, workorder=None, raise_errors=True):
        """Post what event releases on each MO, each MO atomically.

        Returns {'posted': MOs, 'skipped': MOs, 'failed': {MO id: message},
        'logs': the backflush.log records written}.
        With raise_errors, the first error is raised (the caller's transaction
        then rolls back); otherwise it is recorded on the MO as an exception.
        """
        result = {"posted": productions.browse(), "skipped": productions.browse(), "failed": {},
                  "conflicts": productions.browse(), "logs": self.env["backflush.log"]}
        if self.env.context.get("backflush_disable"):
            # Odoo's own path, untouched (benchmarks compare with it)
            result["skipped"] = productions
            return result
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
                self._record_failure(production, error)
                result["failed"][production.id] = error.name
                continue
            except Exception as error:  # a batch goes on; the MO says why it did not post
                if raise_errors:
                    raise
                _logger.exception("backflush of %s failed", production.name)
                self.invalidate_cache()
                self._record_failure(production, UserError(str(error)))
                result["failed"][production.id] = str(error)
                continue
            key = "posted" if log else "skipped"
            result[key] |= production
            if log:
                result["logs"] |= log
        return result

    @api.model
    def _post_batch(self, productions, event, chunk_size=100, commit_chunks=False):
        """_post for many MOs, each on its own, with progress in the server log.

        commit_chunks is for scheduled jobs only: committing after each chunk
        keeps a long run's memory and locks bounded and lets a killed worker
        lose at most one chunk; every MO is whole in its chunk (savepoint), so
        a commit never leaves one half-posted. Interactive calls never commit.
        """
        total = len(productions)
        result = {"posted": productions.browse(), "skipped": productions.browse(),
                  "failed": {}, "conflicts": productions.browse(),
                  "logs": self.env["backflush.log"]}
        started = time.time()
        for start in range(0, total, chunk_size):
            chunk = productions[start:start + chunk_size]
            partial = self._post_chunk(chunk, event)
            if commit_chunks:
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self.invalidate_cache()
                if partial["conflicts"]:
                    # another transaction held these MOs; a fresh snapshot sees its work
                    retried = self._post(partial["conflicts"], event, raise_errors=False)
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                    partial = self._merge_results(dict(partial, conflicts=retried["conflicts"]),
                                                  retried)
            result = self._merge_results(result, partial)
            done = min(start + chunk_size, total)
            elapsed = max(time.time() - started, 1e-6)
            _logger.info("backflush %s: %d/%d MOs (%.1f MOs/s), %d failed", event, done, total,
                         done / elapsed, len(result["failed"]))
        return result

    @staticmethod
    def _merge_results(first, second):
        merged = {key: first[key] | second[key]
                  for key in ("posted", "skipped", "conflicts", "logs")}
        merged["failed"] = {**first["failed"], **second["failed"]}
        merged["odoo_path"] = first.get("odoo_path", []) + second.get("odoo_path", [])
        return merged

    @api.model
    def _lock(self, production):
        # serialises concurrent postings of one MO; the row is written at the
        # end of every posting, so a concurrent REPEATABLE READ transaction
        # that waited here fails to serialise and is retried from scratch
        self.env.cr.execute("SELECT id FROM mrp_production WHERE id = %s FOR UPDATE",
                            [production.id])

    @api.model
    def _released_lines(self, production, event, workorder=None):
        lines = production.backflush_line_ids.filtered(
            lambda line: triggers.fired(event, line.trigger))
        if workorder is not None:
            lines = lines.filtered(lambda line: line.trigger != "operation_done"
                                   or line.operation_id == workorder.operation_id)
        return lines

    @api.model
    def _due(self, production, event, workorder=None):
        """[(line, quantity due now)] for the lines event releases on production."""
        produced = production._backflush_produced_qty()
        operation_produced = {wo.operation_id.id: wo.qty_produced
                              for wo in production.workorder_ids}
        completed = production.state == "done" or event == "completion"
        due = []
        for line in self._released_lines(production, event, workorder):
            released = triggers.released_qty(
                line.trigger, produced, operation_produced.get(line.operation_id.id),
                production.backflush_shipped_qty, completed)
            consumed = line._consumed_qty() + self._recorded_qty(line)
            qty = quantities.due_qty(line.qty_per_unit, released, consumed, line._uom())
            if qty:
                due.append((line, qty))
        return due

    @api.model
    def _recorded_qty(self, line):
        """What operators recorded on open moves of line and is not posted yet."""
        # what stock.move.quantity_done adds up for an MO's moves, read in bulk
        # (the computed field costs queries per move)
        open_moves = line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        return sum(move_line.product_uom_id._compute_quantity(
            move_line.qty_done, line.product_uom_id, round=False)
            for move_line in open_moves.mapped("move_line_ids")
            if move_line.qty_done and move_line.done_wo)

    @api.model
    def _post_one(self, production, event, workorder=None):
        prepared = self._prepare_one(production, event, workorder)
        if prepared is None:
            return None
        plan, problems, consumptions = prepared
        done_moves, entries, _odoo_path = self._done(consumptions, production, production.name)
        return self._finish_one(production, event, plan, problems, done_moves, entries)

    @api.model
    def _done(self, consumptions, productions, ref, label=None):
        """(done moves, summarised entries, why Odoo's own path posted them or None).

        consumptions are posted by backflush.move.writer.

        Each move is valued by stock_account in its own entry, as Odoo's own
        path does, unless a company of productions summarises its postings:
        then their items go into one entry per journal and date (ref, its
        items labelled label), and the entries are returned (else None).
        """
        writer = self.env["backflush.move.writer"]
        if not consumptions:
            return self.env["stock.move"], None, None
        if not any(mo.company_id.backflush_summarised_posting for mo in productions):
            done, reason = writer.post(consumptions)
            return done, None, reason
        summary = "backflush-summary-%s" % uuid.uuid4().hex
        done, reason = writer.with_context(backflush_summary=summary).post(consumptions)
        entries = self.env["account.move"]._backflush_summarised_entries(
            summary, ref, label or ref)
        return done.with_context(backflush_summary=None), entries, reason

    @api.model
    def _prepare_one(self, production, event, workorder=None, taken=None):
        """Lock, compute, check and allocate: (plan, problems, consumptions) or None.

        taken: see _allocate.
        """
        self._lock(production)
        due = self._due(production, event, workorder)
        if not due:
            production._backflush_update_state()
            return None
        try:
            self._check_period(production)
            self._check_accounts(production, due)
        except BackflushProblem as problem:
            if any(line.shortage_policy == "block" for line, _qty in due):
                raise
            self._queue_problems(production, [problem])
            production._backflush_update_state()
            return None
        plan, problems = self._allocate(production, due, taken)
        return plan, problems, self._consume(production, plan)

    @api.model
    def _finish_one(self, production, event, plan, problems, done_moves, entries=None):
        self._queue_problems(production, problems)
        log = self.env["backflush.log"]._record(production, event, plan, done_moves, entries)
        if production.state == "done":
            self.env["backflush.settlement"].settle(production)
        production._backflush_update_state()
        return log

    # -- chunks: one _action_done (and one summarised entry) for many MOs --
    @api.model
    def _post_chunk(self, productions, event):
        """_post for a chunk, with a single _action_done for all its MOs.

        Each MO is prepared in its own savepoint, as in _post; if the common
        posting fails, the chunk is rolled back and posted one MO at a time,
        so that every MO still posts whole or not at all.
        """
        try:
            with self.env.cr.savepoint():
                return self._post_chunk_at_once(productions, event)
        except Exception:  # the chunk is rolled back whole; one MO at a time says why
            _logger.info("backflush %s: chunk of %d MOs posted one by one", event,
                         len(productions), exc_info=True)
            # the ORM cache still holds what the rolled-back chunk did
            self.invalidate_cache()
            return self._post(productions, event, raise_errors=False)

    @api.model
    def _post_chunk_at_once(self, productions, event):
        prepared, failures, skipped, conflicts = [], [], [], []
        taken = {}
        self._prefetch_chunk(productions)
        for production in productions:
            # what a rolled-back MO added to the chunk's allocations goes too
            checkpoint = dict(taken)
            try:
                with self.env.cr.savepoint():
                    ready = self._prepare_one(production, event, taken=taken)
            except (TransactionRollbackError, UserError) as error:
                self.invalidate_cache()
                taken = checkpoint
                if isinstance(error, TransactionRollbackError):
                    conflicts.append(production.id)
                else:
                    failures.append((production, error))
                continue
            if ready is None:
                skipped.append(production.id)
            else:
                prepared.append((production, ready))
        done_moves, entries, odoo_path = self._post_chunk_moves(prepared, event)
        logs = self._finish_chunk(prepared, event, done_moves, entries)
        for production, error in failures:
            self._record_failure(production, error)
        return {"posted": productions.browse([mo.id for mo, _ready in prepared]),
                "skipped": productions.browse(skipped), "conflicts": productions.browse(conflicts),
                "failed": {production.id: error.name for production, error in failures},
                "logs": logs, "odoo_path": [odoo_path] if odoo_path else []}

    @api.model
    def _prefetch_chunk(self, productions):
        """Read what preparing the chunk's MOs reads, for all of them at once.

        The ORM prefetches a field for the records of the recordset it is read
        from; the posting reads each MO's lines and moves through small
        filtered recordsets, which would cost queries per MO.
        """
        productions.mapped("backflush_line_ids.move_ids.state")
        productions.mapped("backflush_line_ids.move_ids.move_line_ids.qty_done")
        productions.mapped("move_finished_ids.state")
        productions.mapped("move_finished_ids.move_line_ids.qty_done")
        productions.mapped("workorder_ids.qty_produced")
        productions.mapped("backflush_exception_ids.state")
        productions.mapped("backflush_log_ids")

    @api.model
    def _post_chunk_moves(self, prepared, event):
        """_done of a chunk's prepared MOs.

        The MOs' own moves, posted in one _action_done: Odoo posts a recordset
        of moves move by move, each with its quants, valuation and entry.
        """
        consumptions = [consumption for _mo, ready in prepared for consumption in ready[2]]
        productions = self.env["mrp.production"].union(*[mo for mo, _ready in prepared])
        return self._done(consumptions, productions, self._run_ref(event),
                          _("Backflush (%s)") % event)

    @api.model
    def _finish_chunk(self, prepared, event, done_moves, entries):
        """_finish_one for every prepared MO of a chunk, their logs written at once."""
        own_moves = defaultdict(list)
        for move in done_moves:
            own_moves[move.backflush_line_id.production_id.id].append(move.id)
        Log = self.env["backflush.log"]
        vals_list = []
        productions = self.env["mrp.production"].browse([mo.id for mo, _ready in prepared])
        # the logs read what the posting changed: again at once
        self._prefetch_chunk(productions)
        for production, (plan, problems, _moves) in prepared:
            self._queue_problems(production, problems)
            own = done_moves.browse(own_moves.get(production.id, []))
            vals_list.append(Log._values(production, event, plan, own,
                                         entries if own else None))
        logs = Log._record_many(vals_list)
        self.env["backflush.settlement"].settle(productions)
        productions._backflush_update_state()
        return logs

    @api.model
    def _run_ref(self, event):
        return _("Backflush %(event)s run of %(date)s") % {
            "event": event, "date": fields.Date.context_today(self)}

    @api.model
    def _check_accounts(self, production, due):
        """Every account the posting and the settlement need, before posting anything."""
        valued = [line.product_id for line, _qty in due] + [production.product_id]
        if not any(product.valuation == "real_time" for product in valued):
            return
        production._backflush_account("wip")
        if production.product_id.valuation != "real_time":
            return
        if production.product_id.cost_method == "standard":
            for kind in ("usage", "price", "revision"):
                production._backflush_account(kind)
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

    # -- allocation: what to take, from where, and what cannot be taken ---
    @api.model
    def _allocate(self, production, due, taken=None):
        """([(line, qty, [(lot, qty)])], [problems]) after the shortage policies.

        taken: None, or a dict of what earlier MOs of a chunk take (see
        _note_taken), which this MO's picks are added to.
        """
        plan, problems = [], []
        for line, qty in due:
            try:
                self._check_cost(line)
                picks, problem = self._pick(production, line, qty, taken)
            except BackflushProblem as problem_error:
                if line.shortage_policy == "block":
                    raise
                problems.append(problem_error)
                continue
            if problem is not None:
                if line.shortage_policy == "block":
                    raise problem
                problems.append(problem)
                if line.shortage_policy == "queue":
                    continue
            if picks:
                plan.append((line, sum(q for _lot, q in picks), picks))
                self._note_taken(line, picks, taken)
        return plan, problems

    # A chunk prepares all its MOs before one common _action_done: what earlier
    # MOs of the chunk take is not off the quants yet, so it is counted in taken,
    # {(product id, location id, lot id or None): qty}.
    @staticmethod
    def _note_taken(line, picks, taken):
        if taken is None:
            return
        for lot, qty in picks:
            key = (line.product_id.id, line.location_id.id, lot.id or None)
            taken[key] = taken.get(key, 0.0) + qty
            if lot:  # a lot also counts in its product's total at the location
                total = (line.product_id.id, line.location_id.id, None)
                taken[total] = taken.get(total, 0.0) + qty

    @staticmethod
    def _already_taken(line, taken, lot_id=None):
        return (taken or {}).get((line.product_id.id, line.location_id.id, lot_id), 0.0)

    @api.model
    def _check_cost(self, line):
        product = line.product_id
        if product.valuation != "real_time" or product.type != "product":
            return
        currency = line.production_id.company_id.currency_id
        cost = product.with_context(force_company=line.company_id.id).standard_price
        if product.cost_method != "fifo" and currency.is_zero(cost):
            raise MissingCostProblem(_(
                "%(component)s of manufacturing order %(mo)s has no cost: set its cost "
                "(product form, Inventory tab) and retry.") % {
                    "component": product.display_name, "mo": line.production_id.name},
                product=product)

    @api.model
    def _on_hand_qty(self, line, taken=None):
        """On hand at the line's location: a shortage is stock that would go negative.

        Reservations are plans, not stock: consuming reserved stock is what
        Odoo's own posting does too.
        """
        quants = self.env["stock.quant"]._gather(line.product_id, line.location_id)
        return sum(quants.mapped("quantity")) - self._already_taken(line, taken)

    @api.model
    def _pick(self, production, line, qty, taken=None):
        """([(lot or empty, qty)], problem or None) for qty of line's component."""
        tracking = line.product_id.tracking
        rounding = line.product_uom_id.rounding
        if tracking == "serial":
            return self._pick_reserved_serials(production, line, qty)
        if tracking == "lot":
            picked, missing = lots_lib.pick(self._lot_stocks(line, taken), qty, rounding)
            Lot = self.env["stock.production.lot"]
            picks = [(Lot.browse(lot_id), lot_qty) for lot_id, lot_qty in picked]
            if float_is_zero(missing, precision_rounding=rounding):
                return picks, None
            return picks, self._lot_problem(production, line, missing)
        if line.shortage_policy == "allow_negative":
            # posted whatever the stock: no need to look at it
            return [(self.env["stock.production.lot"], qty)], None
        missing = qty - max(self._on_hand_qty(line, taken), 0.0)
        if float_compare(missing, 0.0, precision_rounding=rounding) <= 0:
            return [(self.env["stock.production.lot"], qty)], None
        return [], ShortageProblem(self._shortage_message(production, line, missing),
                                   product=line.product_id)

    @api.model
    def _shortage_message(self, production, line, missing):
        return _("Manufacturing order %(mo)s needs %(missing)s %(uom)s more of %(component)s "
                 "than %(location)s has. Receive or move stock there, or change the rule's "
                 "shortage policy, then retry.") % {
            "mo": production.name, "missing": missing, "uom": line.product_uom_id.name,
            "component": line.product_id.display_name, "location": line.location_id.display_name}

    @api.model
    def _lot_problem(self, production, line, missing):
        if line.shortage_policy == "queue":
            return ShortageProblem(self._shortage_message(production, line, missing),
                                   product=line.product_id)
        return LotRequiredProblem(_(
            "Manufacturing order %(mo)s: %(missing)s %(uom)s of %(component)s cannot be taken "
            "from any lot in %(location)s. Record the lot by hand or receive stock, then "
            "retry.") % {
                "mo": production.name, "missing": missing, "uom": line.product_uom_id.name,
                "component": line.product_id.display_name,
                "location": line.location_id.display_name},
            product=line.product_id)

    @api.model
    def _lot_stocks(self, line, taken=None):
        quants = self.env["stock.quant"]._gather(line.product_id, line.location_id)
        by_lot = {}
        for quant in quants.filtered("lot_id"):
            entry = by_lot.setdefault(quant.lot_id, [0.0, quant.in_date])
            entry[0] += quant.quantity
            entry[1] = min(entry[1] or quant.in_date, quant.in_date or entry[1])
        expiry_field = next((name for name in ("removal_date", "use_date", "life_date")
                             if name in self.env["stock.production.lot"]._fields), None)
        return [lots_lib.LotStock(lot.id, free - self._already_taken(line, taken, lot.id),
                                  expiry_field and lot[expiry_field] or None, in_date)
                for lot, (free, in_date) in by_lot.items()]

    @api.model
    def _pick_reserved_serials(self, production, line, qty):
        own = line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        reserved = own.mapped("move_line_ids").filtered(
            lambda ml: ml.lot_id and not ml.qty_done and ml.product_qty > 0)
        picks = [(ml.lot_id, 1.0) for ml in reserved[:int(qty)]]
        missing = qty - len(picks)
        if float_compare(missing, 0.0, precision_rounding=line.product_uom_id.rounding) <= 0:
            return picks, None
        return picks, LotRequiredProblem(_(
            "Manufacturing order %(mo)s: %(missing)s serial numbers of %(component)s are not "
            "reserved. Reserve or record them by hand, then retry.") % {
                "mo": production.name, "missing": missing,
                "component": line.product_id.display_name},
            product=line.product_id)

    # -- consumption: real stock moves, through Odoo's own helpers --------
    @api.model
    def _consume(self, production, plan):
        """What plan consumes on the MO's own moves (backflush.move.writer posts it)."""
        consumptions = []
        for line, _qty, picks in plan:
            move = self._open_move(production, line)
            for lot, lot_qty in picks:
                consumptions.append(Consumption(move, self._in_move_uom(line, lot_qty, move),
                                                lot, self._final_lot(production)))
        return consumptions

    @staticmethod
    def _in_move_uom(line, qty, move):
        """qty of line's UoM in move's UoM, rounded there as Odoo's produce wizard rounds."""
        converted = line.product_uom_id._compute_quantity(qty, move.product_uom, round=False)
        return float_round(converted, precision_rounding=move.product_uom.rounding)

    @api.model
    def _final_lot(self, production):
        return production.move_finished_ids.mapped("move_line_ids.lot_id")[-1:]

    @api.model
    def _open_move(self, production, line):
        move = line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))[:1]
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

    # -- shipment: deliveries release the components of the oldest MOs ---
    @api.model
    def _post_shipments(self, deliveries):
        """Allocate delivered finished goods to MOs with pending shipment components."""
        delivered = {}
        for move in deliveries:
            delivered[move.product_id] = delivered.get(move.product_id, 0.0) + move.product_qty
        for product, qty in delivered.items():
            self._allocate_shipment(product, qty)

    @api.model
    def _allocate_shipment(self, product, qty):
        rounding = product.uom_id.rounding
        for production in self._productions_waiting_for_shipment(product):
            if float_compare(qty, 0.0, precision_rounding=rounding) <= 0:
                return
            self._lock(production)
            produced = self.env["backflush.settlement"]._finished(production)[0]
            free = produced - production.backflush_shipped_qty
            if float_compare(free, 0.0, precision_rounding=rounding) <= 0:
                continue
            allocated = min(free, qty)
            production.backflush_shipped_qty += allocated
            qty -= allocated
            self._post(production, "shipment")

    @api.model
    def _productions_waiting_for_shipment(self, product):
        lines = self.env["mrp.production.backflush.line"].search([
            ("trigger", "=", "shipment"), ("production_id.product_id", "=", product.id),
            ("production_id.state", "in", ("progress", "done"))])
        productions = lines.filtered("qty_pending").mapped("production_id")
        return productions.sorted(lambda p: (p.date_finished or p.date_planned_start or "",
                                             p.id))

    # -- reversal ----------------------------------------------------------
    @api.model
    def _reverse_moves(self, production):
        """Mirror every done move of production that nothing reversed yet."""
        Move = self.env["stock.move"]
        originals = (production.move_raw_ids | production.move_finished_ids).filtered(
            lambda m: m.state == "done" and not m.backflush_reversal_of_id)
        reversed_already = Move.search([("backflush_reversal_of_id", "in", originals.ids),
                                        ("state", "=", "done")]).mapped(
                                            "backflush_reversal_of_id")
        mirrors = Move
        # finished goods go back first, so that their components are free again
        for original in (originals - reversed_already).sorted(
                lambda m: 0 if m.production_id else 1):
            mirror = Move.create(Move._backflush_mirror_values(original, original.product_qty))
            mirror._action_confirm()
            for line in original.move_line_ids.filtered("qty_done"):
                self.env["stock.move.line"].create({
                    "move_id": mirror.id, "product_id": line.product_id.id,
                    "product_uom_id": line.product_uom_id.id, "qty_done": line.qty_done,
                    "lot_id": line.lot_id.id, "location_id": line.location_dest_id.id,
                    "location_dest_id": line.location_id.id,
                })
            mirrors |= mirror
        mirrors._action_done()
        return mirrors

    # -- problems become exceptions ---------------------------------------
    @api.model
    def _queue_problems(self, production, problems):
        Exception_ = self.env["backflush.exception"]
        for problem in problems:
            Exception_._raise_for(production, problem.reason, problem.name, problem.product)

    @api.model
    def _record_failure(self, production, error):
        reason = error.reason if isinstance(error, BackflushProblem) else "other"
        product = getattr(error, "product", None)
        self.env["backflush.exception"]._raise_for(production, reason, error.name, product)
        production._backflush_update_state()
