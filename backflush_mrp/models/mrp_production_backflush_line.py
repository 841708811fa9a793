from odoo import api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.tools import float_is_zero

from ..lib import quantities, triggers
from ..read_ahead import read_ahead
from .selections import SHORTAGE_POLICIES, TRIGGERS


class MrpProductionBackflushLine(models.Model):
    """One component of one MO as the backflush sees it.

    Created when the MO is confirmed, it keeps what must not change while the
    MO runs: the quantity per finished unit (scrap included, unrounded), the
    standard cost, and the rule and trigger that applied then.
    """

    _name = "mrp.production.backflush.line"
    _description = "Backflush Component of a Manufacturing Order"
    _order = "production_id, sequence, id"

    production_id = fields.Many2one("mrp.production", required=True, index=True,
                                    ondelete="cascade")
    company_id = fields.Many2one(related="production_id.company_id", store=True,
                                 readonly=True)
    sequence = fields.Integer()
    bom_line_id = fields.Many2one("mrp.bom.line", "BoM Line", index=True)
    product_id = fields.Many2one("product.product", "Component", required=True)
    product_uom_id = fields.Many2one("product.uom", "Unit of Measure", required=True)
    # no digits: a double keeps 1/12 as exactly as the computation made it
    qty_per_unit = fields.Float("Quantity per Finished Unit", required=True)
    standard_cost = fields.Float("Standard Unit Cost", digits=dp.get_precision("Product Price"),
                                 help="The component's standard cost when the MO was "
                                      "confirmed.")
    rule_id = fields.Many2one("backflush.rule", ondelete="set null")
    trigger = fields.Selection(TRIGGERS, required=True)
    rule_reason = fields.Char("Why")
    shortage_policy = fields.Selection(SHORTAGE_POLICIES, required=True)
    location_id = fields.Many2one("stock.location", "Consume From", required=True)
    operation_id = fields.Many2one("mrp.routing.workcenter")
    move_ids = fields.One2many("stock.move", "backflush_line_id", "Stock Moves")
    qty_standard = fields.Float("Standard", compute="_compute_quantities",
                                digits=dp.get_precision("Product Unit of Measure"))
    qty_consumed = fields.Float("Consumed", compute="_compute_quantities",
                                digits=dp.get_precision("Product Unit of Measure"))
    qty_pending = fields.Float("Pending", compute="_compute_quantities",
                               digits=dp.get_precision("Product Unit of Measure"))
    state = fields.Selection([("waiting", "Waiting"), ("pending", "Pending"),
                              ("done", "Backflushed"), ("manual", "Manual")],
                             compute="_compute_quantities")

    # public surface: read-only. Every quantity of a component the posting,
    # the preview, the audit and the settlement use is answered here.
    def plain_uom(self):
        return self.product_uom_id.backflush_plain()

    def open_moves(self):
        """The line's moves that are neither done nor cancelled."""
        return self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))

    def standard_qty(self, finished_qty):
        """The line's standard for finished_qty finished units, UoM-rounded."""
        return quantities.standard_qty(self.qty_per_unit, finished_qty, self.plain_uom())

    def consumed_qty(self):
        """Quantity consumed so far by anyone: done moves, in the line's UoM."""
        return sum(move.product_qty for move in self.move_ids if move.state == "done")

    def recorded_qty(self):
        """What operators recorded on open moves of the line and is not posted yet."""
        # what stock.move.quantity_done adds up for an MO's moves, read in bulk
        # (the computed field costs queries per move)
        return sum(move_line.product_uom_id._compute_quantity(
            move_line.qty_done, self.product_uom_id, round=False)
            for move_line in self.open_moves().mapped("move_line_ids")
            if move_line.qty_done and move_line.done_wo)

    def counted_qty(self):
        """What counts against the standard: consumed plus recorded, not posted yet."""
        return self.consumed_qty() + self.recorded_qty()

    def due_qty(self, produced, operation_produced=None, completed=False):
        """What the line's trigger releases now, less what is counted already.

        produced: finished units recorded on the MO; operation_produced: {operation
        id: units its work order produced}; completed: the MO is being or has
        been marked done (see ..lib.triggers.released_qty).
        """
        released = triggers.released_qty(
            self.trigger, produced, (operation_produced or {}).get(self.operation_id.id),
            self.production_id.backflush_shipped_qty, completed)
        return quantities.due_qty(self.qty_per_unit, released, self.counted_qty(),
                                  self.plain_uom())

    def pending_qty(self, produced, consumed=None):
        """What the produced quantity calls for and no done move consumed yet.

        consumed: consumed_qty(), when the caller has it already.
        """
        if consumed is None:
            consumed = self.consumed_qty()
        return quantities.due_qty(self.qty_per_unit, produced, consumed, self.plain_uom())

    def with_pending(self, consumed=None):
        """The lines whose qty_pending is not zero, for many lines at once.

        What the field says, without computing the lines' other quantities
        (a batch asks this of thousands of lines). consumed: consumed_by_line(),
        when the caller has it.
        """
        produced = {mo.id: mo.backflush_produced_qty() for mo in self.mapped("production_id")}
        # the field's digits, to which it rounds what its compute assigns
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        return self.filtered(lambda line: not float_is_zero(line.pending_qty(
            produced[line.production_id.id], None if consumed is None else consumed[line.id]),
            precision_digits=digits))

    def consumed_by_line(self):
        """{line id: consumed_qty()} of the lines, reading only their done moves' quantities.

        For a batch that scans thousands of components: the moves' other
        columns and the lines' other moves are not read.
        """
        consumed = dict.fromkeys(self.ids, 0.0)
        Move = self.env["stock.move"]
        Move.recompute()  # the stored quantities read here are up to date
        done = Move.search([("backflush_line_id", "in", self.ids), ("state", "=", "done")])
        read_ahead(done, ("backflush_line_id", "product_qty"))
        for move in done:
            consumed[move.backflush_line_id.id] += move.product_qty
        return consumed

    def picks(self, qty, taken=None):
        """([(lot or empty, qty)], problem or None): the lots backflush.allocation takes."""
        return self.env["backflush.allocation"].pick(self, qty, taken)

    @api.depends("move_ids.state", "move_ids.product_qty", "production_id.qty_produced")
    def _compute_quantities(self):
        produced_by_mo = {mo.id: mo.backflush_produced_qty()
                          for mo in self.mapped("production_id")}
        for line in self:
            produced = produced_by_mo.get(line.production_id.id, 0.0)
            line.qty_standard = line.standard_qty(produced)
            line.qty_consumed = line.consumed_qty()
            line.qty_pending = line.pending_qty(produced, line.qty_consumed)
            if line.trigger == "manual":
                line.state = "manual"
            elif line.qty_pending:
                line.state = "pending"
            elif produced:
                line.state = "done"
            else:
                line.state = "waiting"
