from collections import defaultdict

from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp

from .. import bulk
from ..lib.conversion import VARIANCE_TYPES as VARIANCE_KINDS
from .selections import TRIGGERS

EVENTS = [
    ("output", "Output recorded"),
    ("completion", "MO marked done"),
    ("operation", "Work order"),
    ("last_operation", "Last work order"),
    ("shipment", "Delivery"),
    ("periodic", "Scheduled run"),
    ("manual", "Posted by hand"),
    ("reversal", "Reversal"),
]


class BackflushLog(models.Model):
    """One posting event: what was consumed, how, and what it posted."""

    _name = "backflush.log"
    _description = "Backflush Log"
    _order = "date desc, id desc"

    name = fields.Char(required=True, readonly=True)
    production_id = fields.Many2one("mrp.production", "Manufacturing Order", index=True,
                                    readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True,
                                 default=lambda self: self.env.user.company_id)
    event = fields.Selection(EVENTS, required=True, readonly=True)
    trigger = fields.Selection(TRIGGERS, readonly=True,
                               help="The trigger of the components posted, when they share one.")
    user_id = fields.Many2one("res.users", required=True, readonly=True,
                              default=lambda self: self.env.user)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    line_ids = fields.One2many("backflush.log.line", "log_id", "Components", readonly=True)
    move_ids = fields.Many2many("stock.move", string="Stock Moves", readonly=True)
    account_move_ids = fields.Many2many("account.move", string="Journal Entries",
                                        readonly=True)
    summary = fields.Text(readonly=True)

    # public surface: every method that writes takes recordsets (RPC cannot
    # pass one, so an RPC call faults)
    @api.model
    def record(self, production, event, plan, moves, entries=None):
        """Log a posting of plan ([(line, qty, picks)]) that produced moves.

        entries: the journal entries of the posting, when they are not the
        entries of the moves themselves (one entry per event or per run).
        """
        return self.sudo().create(self._values(production, event, plan, moves, entries))

    @api.model
    def record_many(self, event, postings):
        """The logs of many postings [(production, plan, moves, entries)], written at once."""
        posted = self.env["stock.move"].union(*[moves for _mo, _plan, moves, _e in postings])
        entries_of_move = defaultdict(list)
        for entry in self._journal_entries(posted):
            entries_of_move[entry.stock_move_id.id].append(entry.id)
        Entry = self.env["account.move"]
        return bulk.create_many(self.sudo(), [self._values(
            production, event, plan, moves,
            Entry.browse([e for move_id in moves.ids for e in entries_of_move[move_id]])
            if entries is None else entries)
            for production, plan, moves, entries in postings])

    @api.model
    def _values(self, production, event, plan, moves, entries=None):
        """create() values of the log of a posting; see record."""
        produced = production.backflush_produced_qty()
        by_line = defaultdict(list)
        for move in moves:
            by_line[move.backflush_line_id.id].append(move)
        line_values, all_move_ids = [], set(moves.ids)
        for line, qty, _picks in plan:
            move_ids = [move.id for move in by_line[line.id]]
            value = -sum(move.value for move in by_line[line.id])
            line_values.append((0, 0, {
                "product_id": line.product_id.id,
                "product_uom_id": line.product_uom_id.id,
                "qty_standard": line.standard_qty(produced),
                "qty_posted": qty,
                "qty_actual": line.consumed_qty(),
                "unit_cost": line.standard_cost,
                "value": value,
                "move_ids": [(6, 0, move_ids)],
            }))
        shared = {line.trigger for line, _qty, _picks in plan}
        return {
            "name": production.name,
            "production_id": production.id,
            "company_id": production.company_id.id,
            "event": event,
            "trigger": shared.pop() if len(shared) == 1 else False,
            "user_id": self.env.uid,
            "date": fields.Datetime.now(),
            "line_ids": line_values,
            "move_ids": [(6, 0, sorted(all_move_ids))],
            "account_move_ids": [(6, 0, (entries if entries is not None
                                         else self._journal_entries(moves)).ids)],
        }

    # public: takes recordsets (RPC cannot pass one, so an RPC call faults)
    @api.model
    def record_run(self, event, result, components):
        """The summary of a batch run (periodic job, list action): one log, no MO."""
        failed = self.env["mrp.production"].browse(list(result["failed"]))
        summary = "%d manufacturing orders posted, %d components, %d with nothing due, " \
                  "%d failed" % (len(result["posted"]), components, len(result["skipped"]),
                                 len(failed))
        if failed:
            summary += ":\n" + "\n".join("%s: %s" % (mo.name, result["failed"][mo.id])
                                          for mo in failed)
        odoo_path = result.get("odoo_path")
        if odoo_path:
            summary += "\n" + _("%(chunks)d chunks posted by Odoo's own path instead of "
                                 "set-based: %(why)s") % {
                "chunks": len(odoo_path), "why": "; ".join(sorted(set(odoo_path)))}
        return self.sudo().create({
            "name": "%s run" % dict(EVENTS)[event],
            "event": event,
            "summary": summary,
        })

    # public: takes recordsets (RPC cannot pass one, so an RPC call faults)
    @api.model
    def record_reversal(self, production, moves):
        lines = []
        for move in moves.filtered(lambda m: m.state == "done"):
            lines.append((0, 0, {
                "product_id": move.product_id.id,
                "product_uom_id": move.product_id.uom_id.id,
                "qty_posted": -move.product_qty if move.location_id.usage == "production"
                else move.product_qty,
                "unit_cost": abs(move.price_unit),
                "value": move.value,
                "move_ids": [(6, 0, move.ids)],
            }))
        return self.sudo().create({
            "name": production.name,
            "production_id": production.id,
            "company_id": production.company_id.id,
            "event": "reversal",
            "line_ids": lines,
            "move_ids": [(6, 0, moves.ids)],
            "account_move_ids": [(6, 0, (self._journal_entries(moves)
                                         | self._variance_entries(production)).ids)],
        })

    @api.model
    def _variance_entries(self, production):
        items = self.env["account.move.line"].sudo().search([
            ("backflush_production_id", "=", production.id),
            "|", ("backflush_variance_type", "in", VARIANCE_KINDS),
            ("backflush_operation_id", "!=", False)])
        return items.mapped("move_id")

    @api.model
    def _journal_entries(self, moves):
        if not moves:
            return self.env["account.move"]
        return self.env["account.move"].sudo().search([("stock_move_id", "in", moves.ids)])


class BackflushLogLine(models.Model):
    _name = "backflush.log.line"
    _description = "Backflush Log Line"

    log_id = fields.Many2one("backflush.log", required=True, index=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", "Component", required=True)
    product_uom_id = fields.Many2one("product.uom", "Unit of Measure")
    qty_standard = fields.Float("Standard Quantity",
                                digits=dp.get_precision("Product Unit of Measure"),
                                help="Standard consumption for the quantity produced.")
    qty_posted = fields.Float("Backflushed", digits=dp.get_precision("Product Unit of Measure"))
    qty_actual = fields.Float("Actual Quantity",
                              digits=dp.get_precision("Product Unit of Measure"),
                              help="Consumed in all, after this posting.")
    unit_cost = fields.Float("Standard Unit Cost", digits=dp.get_precision("Product Price"))
    value = fields.Float("Posted Value", digits=dp.get_precision("Account"))
    move_ids = fields.Many2many("stock.move", string="Stock Moves")
