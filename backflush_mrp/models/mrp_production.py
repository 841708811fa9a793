import math
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_round

from ..lib import quantities
from ..read_ahead import read_ahead
from .selections import BACKFLUSH_STATES

# orders per chunk of the periodic run: their moves are posted in one _action_done
PERIODIC_CHUNK = 200
PENDING_SCAN_LINES = 5000
# what a component's pending quantity reads besides what it consumed (the MO's output)
PENDING_READS = (
    "qty_per_unit", "trigger", "product_uom_id.factor", "product_uom_id.rounding",
    "product_uom_id.category_id",
    "production_id.product_id", "production_id.product_uom_id",
    "production_id.move_finished_ids.state", "production_id.move_finished_ids.product_id",
    "production_id.move_finished_ids.product_qty",
    "production_id.move_finished_ids.product_uom",
)

# a report of more units than this is a scanner fault, not production
MAX_REPORTED_QTY = 1000000


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    backflush_line_ids = fields.One2many("mrp.production.backflush.line", "production_id",
                                         "Backflush Components", readonly=True)
    backflush_state = fields.Selection(BACKFLUSH_STATES, "Backflush", default="none",
                                       required=True, readonly=True, copy=False, index=True)
    backflush_log_ids = fields.One2many("backflush.log", "production_id", "Backflush Logs",
                                        readonly=True)
    backflush_exception_ids = fields.One2many("backflush.exception", "production_id",
                                              "Backflush Exceptions", readonly=True)
    backflush_log_count = fields.Integer(compute="_compute_backflush_counts")
    backflush_exception_count = fields.Integer("Open Exceptions",
                                               compute="_compute_backflush_counts")
    backflush_account_move_count = fields.Integer(compute="_compute_backflush_accounting")
    backflush_variance_count = fields.Integer(compute="_compute_backflush_accounting")
    backflush_shipped_qty = fields.Float(
        "Shipped for Backflush", readonly=True, copy=False,
        help="Finished units whose delivery released the components consumed on shipment.")

    @api.depends("backflush_log_ids", "backflush_exception_ids.state")
    def _compute_backflush_counts(self):
        for production in self:
            production.backflush_log_count = len(production.backflush_log_ids)
            production.backflush_exception_count = len(
                production.backflush_exception_ids.filtered(lambda e: e.state == "open"))

    def _backflush_items(self, domain=()):
        return self.env["account.move.line"].sudo().search(
            [("backflush_production_id", "in", self.ids)] + list(domain))

    def _compute_backflush_accounting(self):
        for production in self:
            items = production._backflush_items()
            production.backflush_account_move_count = len(items.mapped("move_id"))
            production.backflush_variance_count = len(
                items.filtered("backflush_variance_type"))

    @api.multi
    def action_view_backflush_account_moves(self):
        action = self.env.ref("account.action_move_journal_line").read()[0]
        action["domain"] = [("id", "in", self._backflush_items().mapped("move_id").ids)]
        action["context"] = {}
        return action

    @api.multi
    def action_view_backflush_variances(self):
        action = self.env.ref("backflush_mrp.action_backflush_variance_report").read()[0]
        action["domain"] = [("production_id", "in", self.ids)]
        action["view_mode"] = "tree,pivot,graph"
        action["views"] = [(False, "tree"), (False, "pivot"), (False, "graph")]
        return action

    # -- quantities ------------------------------------------------------
    # public: read-only
    def backflush_produced_qty(self):
        """Finished units recorded so far (posted or not), in the MO's UoM."""
        self.ensure_one()
        moves = self.move_finished_ids.filtered(
            lambda m: m.product_id == self.product_id and m.state != "cancel")
        # a done move's quantity is what was done (and is stored, quantity_done is not)
        mo_uom = self.product_uom_id.backflush_plain()
        produced = sum(
            quantities.convert(move.product_qty, move.product_id.uom_id.backflush_plain(), mo_uom)
            if move.state == "done" else
            quantities.convert(move.quantity_done, move.product_uom.backflush_plain(), mo_uom)
            for move in moves)
        return float_round(produced, precision_rounding=mo_uom.rounding)

    # public: writes through the ORM as the caller (access rights and rules apply)
    def backflush_update_state(self):
        self._backflush_write_state(self.backflush_with_pending())

    def _backflush_write_state(self, pending):
        """pending: backflush_with_pending() of self (a chunk has it already)."""
        # written even when unchanged: the write is what makes a concurrent
        # posting of the same MO fail to serialise (see backflush.posting.lock)
        by_state = defaultdict(list)
        for production in self:
            by_state[production._backflush_compute_state(production in pending)].append(
                production.id)
        for state, ids in by_state.items():
            self.browse(ids).write({"backflush_state": state})

    # public: read-only
    def backflush_with_pending(self):
        """The MOs of self with a component pending (not manual), found for all at once."""
        lines = self.mapped("backflush_line_ids").filtered(
            lambda line: line.trigger != "manual")
        return lines.with_pending().mapped("production_id")

    def _backflush_compute_state(self, pending):
        if self.backflush_exception_ids.filtered(lambda e: e.state == "open"):
            return "exception"
        if not self.backflush_line_ids.filtered(lambda line: line.trigger != "manual"):
            return "none"
        posted = bool(self.backflush_log_ids)
        if pending:
            return "partial" if posted else "pending"
        return "done" if posted else "none"

    # public: read-only
    def backflush_account(self, kind):
        """The account of kind (wip, usage, price, revision, scrap) for this MO."""
        self.ensure_one()
        return self.product_id.categ_id.backflush_account(kind, self.company_id)

    # -- hooks into Odoo's flow -------------------------------------------
    def _generate_moves(self):
        result = super()._generate_moves()
        if not self.env.context.get("backflush_disable"):
            self.env["backflush.planner"].plan(self)
        return result

    def _backflush_short_manual_lines(self):
        """[(line, standard, consumed)] of manual components consumed below standard."""
        produced = self.backflush_produced_qty()
        short = []
        for line in self.backflush_line_ids.filtered(lambda line: line.trigger == "manual"):
            standard = line.standard_qty(produced)
            consumed = line.counted_qty()
            if float_compare(consumed, standard,
                             precision_rounding=line.product_uom_id.rounding) < 0:
                short.append((line, standard, consumed))
        return short

    def _backflush_check_manual_components(self):
        """Ask before closing with manual components short; off-line, record why.

        The web client's Mark as Done buttons pass backflush_interactive (see
        views/mrp_production_views.xml): a person is there to answer the
        wizard. Without it (XML-RPC, jobs, code) the shortfall is recorded as
        an exception.
        """
        short = self._backflush_short_manual_lines()
        if not short or self.env.context.get("backflush_manual_confirmed"):
            return None
        if self.env.context.get("backflush_interactive"):
            return self.env["backflush.manual.confirm"].open_for(self, short)
        for line, standard, consumed in short:
            self.env["backflush.exception"].raise_for(
                self, "other", _(
                    "%(mo)s closed with %(consumed)s %(uom)s of manual component "
                    "%(component)s consumed, %(standard)s by standard: issue the rest by hand "
                    "or explain.") % {
                        "mo": self.name, "consumed": consumed, "uom": line.product_uom_id.name,
                        "component": line.product_id.display_name, "standard": standard},
                line.product_id)
        return None

    @api.multi
    def button_mark_done(self):
        self.ensure_one()
        confirmation = self._backflush_check_manual_components()
        if confirmation:
            return confirmation
        self.env["backflush.conversion"].check_accounts(self)
        self.env["backflush.posting"].post(self, "completion")
        # a tuple: nothing mutable travels in the context
        keep = tuple(self.backflush_line_ids.filtered(
            lambda line: line.trigger in ("shipment", "periodic")).ids)
        result = super(MrpProduction, self.with_context(backflush_keep_pending=keep)) \
            .button_mark_done()
        self._backflush_trim_pending_moves()
        self.env["backflush.conversion"].absorb(self)
        self.env["backflush.settlement"].settle(self)
        self.backflush_update_state()
        return result

    def _cal_price(self, consumed_moves):
        """FIFO/AVCO finished goods are valued at what their MO put on WIP."""
        result = super()._cal_price(consumed_moves)
        product = self.product_id
        if product.valuation != "real_time" or product.cost_method == "standard":
            return result
        finishing = self.move_finished_ids.filtered(
            lambda m: m.product_id == product and m.state not in ("done", "cancel")
            and m.quantity_done > 0)
        qty = sum(m.product_uom._compute_quantity(m.quantity_done, product.uom_id)
                  for m in finishing)
        if qty:
            unit_cost = self.env["backflush.settlement"].finished_unit_cost(self, qty)
            finishing.write({"price_unit": unit_cost})
        return result

    def _backflush_trim_pending_moves(self):
        """A done MO's pending moves ask for what is still due, no more."""
        for line in self.backflush_line_ids.filtered(
                lambda line: line.trigger in ("shipment", "periodic")):
            open_moves = line.open_moves()
            pending = line.qty_pending
            if not pending:
                open_moves._action_cancel()
                continue
            kept = open_moves[:1]
            open_moves[1:]._action_cancel()
            if not kept:
                continue
            demand = line.product_uom_id._compute_quantity(pending, kept.product_uom)
            # writing a reserved move's demand costs Odoo a reservation check: only a
            # change is written (the usual MO consumed nothing of it yet)
            if float_compare(demand, kept.product_uom_qty,
                             precision_rounding=kept.product_uom.rounding):
                kept.write({"product_uom_qty": demand})

    # -- public interface (SPEC section 6) --------------------------------
    def _backflush_check_rights(self):
        if not self.env.user.has_group("mrp.group_mrp_user"):
            raise AccessError(_("Only manufacturing users may post backflushes (user %s).")
                              % self.env.user.name)
        self.check_access_rights("write")
        self.check_access_rule("write")

    @api.multi
    def action_backflush(self):
        """Post what is due now on these MOs; errors are raised to the user."""
        self._backflush_check_rights()
        if any(production.state == "cancel" for production in self):
            raise UserError(_("Cancelled manufacturing orders cannot be backflushed: %s")
                            % ", ".join(self.filtered(lambda p: p.state == "cancel")
                                        .mapped("name")))
        self.env["backflush.posting"].post(self, "manual")
        return True

    @api.model
    def backflush_report_output(self, production_ref_or_id, qty, lot_name=None, report_id=None):
        """Record produced quantity from a scanner or an RFID gate; fire the due triggers.

        For Odoo's external API (XML-RPC/JSON-RPC). Returns a small dict: the
        MO's state, the components consumed by this report, its open exceptions.
        Any error is a UserError/AccessError with a clear message, and nothing
        is recorded.

        report_id: the client's key of this report (a string, unique per
        company). A report sent again with the same key returns the first
        answer and posts nothing; the same key with another MO, quantity or
        lot is refused (see backflush.output.report).
        """
        Report = self.env["backflush.output.report"]
        report_id = Report.checked_report_id(report_id)
        qty = self._backflush_checked_quantity(qty)
        production = self._backflush_find(production_ref_or_id)
        production._backflush_check_rights()
        if report_id is not None:
            return Report.report_output(production, report_id, qty, lot_name)
        return production.backflush_record_output(qty, lot_name)[0]

    # public: writes as the caller, after the checks of backflush_report_output
    def backflush_record_output(self, qty, lot_name):
        """(answer, new backflush logs, finished lot): produce qty through Odoo's wizard."""
        self.ensure_one()
        self._backflush_check_rights()
        qty = self._backflush_checked_quantity(qty)
        production = self
        if production.state not in ("confirmed", "planned", "progress"):
            raise UserError(_("Manufacturing order %(mo)s is %(state)s: output can only be "
                              "reported on an open order.") % {
                                  "mo": production.name, "state": production.state})
        logs_before = production.backflush_log_ids
        wizard = self.env["mrp.product.produce"].with_context(
            active_id=production.id, active_ids=production.ids).create({"product_qty": qty})
        if production.product_id.tracking != "none":
            wizard.lot_id = production._backflush_finished_lot(lot_name)
        wizard.do_produce()
        new_logs = production.backflush_log_ids - logs_before
        answer = {
            "id": production.id,
            "production": production.name,
            "state": production.state,
            "backflush_state": production.backflush_state,
            "produced": production.backflush_produced_qty(),
            "consumed": [{"product": line.product_id.display_name, "qty": line.qty_posted,
                          "uom": line.product_uom_id.name}
                         for line in new_logs.mapped("line_ids")],
            "exceptions": [{"product": exc.product_id.display_name, "reason": exc.reason,
                            "message": exc.message}
                           for exc in production.backflush_exception_ids
                           if exc.state == "open"],
        }
        return answer, new_logs, wizard.lot_id

    @api.model
    def _backflush_checked_quantity(self, qty):
        if isinstance(qty, bool) or not isinstance(qty, (int, float)):
            raise UserError(_("The quantity must be a number, not %r.") % (qty,))
        if not math.isfinite(qty) or qty <= 0:
            raise UserError(_("The quantity must be a positive number, not %s.") % qty)
        if qty > MAX_REPORTED_QTY:
            raise UserError(_("%(qty)s units in one report is not plausible (at most "
                              "%(max)s): check the scanner.") % {"qty": qty,
                                                               "max": MAX_REPORTED_QTY})
        return float(qty)

    @api.model
    def _backflush_find(self, production_ref_or_id):
        if isinstance(production_ref_or_id, bool):
            production = self.browse()
        elif isinstance(production_ref_or_id, int):
            production = self.search([("id", "=", production_ref_or_id)])
        elif isinstance(production_ref_or_id, str) and production_ref_or_id.strip():
            production = self.search([("name", "=", production_ref_or_id.strip())], limit=1)
        else:
            production = self.browse()
        if not production:
            raise UserError(_("No manufacturing order %r: give its reference (e.g. MO/00012) "
                              "or its id.") % (production_ref_or_id,))
        return production

    def _backflush_finished_lot(self, lot_name):
        if not lot_name or not isinstance(lot_name, str):
            raise UserError(_("%(product)s is tracked by lot: report the lot of the finished "
                              "goods (lot_name).") % {"product": self.product_id.display_name})
        Lot = self.env["stock.production.lot"]
        lot = Lot.search([("product_id", "=", self.product_id.id), ("name", "=", lot_name)],
                         limit=1)
        return lot or Lot.create({"product_id": self.product_id.id, "name": lot_name})

    @api.multi
    def action_backflush_reverse(self):
        """Post the exact mirror of everything these done MOs posted, variances included."""
        self._backflush_check_rights()
        for production in self:
            if production.state != "done":
                raise UserError(_("Manufacturing order %s is not done: only a done order's "
                                  "backflush can be reversed.") % production.name)
            with self.env.cr.savepoint():
                self.env["backflush.posting"].lock(production)
                mirrors = self.env["backflush.reversal"].reverse_moves(production)
                self.env["backflush.conversion"].reverse(production)
                self.env["backflush.settlement"].settle(production)
                self.env["backflush.log"].record_reversal(production, mirrors)
                production.backflush_update_state()
        return True

    @api.multi
    def action_backflush_preview(self):
        self.ensure_one()
        wizard = self.env["backflush.preview"].create({"production_id": self.id})
        return wizard.action_open()

    @api.multi
    def action_view_backflush_logs(self):
        action = self.env.ref("backflush_mrp.action_backflush_log").read()[0]
        action["domain"] = [("production_id", "in", self.ids)]
        return action

    @api.multi
    def action_view_backflush_exceptions(self):
        action = self.env.ref("backflush_mrp.action_backflush_exception").read()[0]
        action["domain"] = [("production_id", "in", self.ids)]
        action["context"] = {"search_default_open": 1}
        return action

    @api.multi
    def action_backflush_batch(self):
        """Server action on the MO list: post each MO on its own, report the counts."""
        self._backflush_check_rights()
        result = self.env["backflush.chunk"].post_batch(self, "manual")
        failed = self.browse(list(result["failed"]))
        message = _("Backflush: %(posted)d posted, %(skipped)d with nothing due, "
                    "%(failed)d failed.") % {"posted": len(result["posted"]),
                                             "skipped": len(result["skipped"]),
                                             "failed": len(failed)}
        if failed:
            message += "\n" + "\n".join("%s: %s" % (mo.name, result["failed"][mo.id])
                                        for mo in failed)
        return self.env["backflush.batch.result"].create({"message": message}).action_open()

    @api.model
    def _backflush_pending_periodic(self):
        """MOs with components waiting for the periodic run, oldest first."""
        # a done MO whose backflush is done has nothing left to post (marking done,
        # every posting, exception and reversal update that state): the run does
        # not read the components of all the MOs of the past again
        lines = self.env["mrp.production.backflush.line"].search(
            [("trigger", "=", "periodic"), ("production_id.state", "!=", "cancel"),
             "|", ("production_id.state", "!=", "done"),
             ("production_id.backflush_state", "!=", "done")],
            order="production_id")
        pending = set()
        # slice by slice, the cache emptied after each: a run's memory does not
        # grow with the number of orders waiting
        for start in range(0, len(lines), PENDING_SCAN_LINES):
            scanned = lines[start:start + PENDING_SCAN_LINES]
            read_ahead(scanned, PENDING_READS)
            pending.update(scanned.with_pending(scanned.consumed_by_line())
                           .mapped("production_id").ids)
            self.invalidate_cache()
        return self.browse(sorted(pending))

    @api.model
    def _cron_backflush_periodic(self, commit_chunks=False, chunk_size=PERIODIC_CHUNK):
        """Scheduled job: post every component that waits for the periodic run.

        The ir.cron passes commit_chunks=True (see backflush.chunk.post_batch).
        """
        pending = self._backflush_pending_periodic()
        result = self.env["backflush.chunk"].post_batch(
            pending, "periodic", chunk_size=chunk_size, commit_chunks=commit_chunks)
        components = len(self.env["backflush.log.line"].search(
            [("log_id", "in", result["logs"].ids)]))
        self.env["backflush.log"].record_run("periodic", result, components)
        return result
