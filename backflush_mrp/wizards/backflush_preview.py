from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp

from ..lib import triggers
from ..models.backflush_log import EVENTS
from ..models.selections import SHORTAGE_POLICIES, TRIGGERS
from .dialog import open_in_dialog


class BackflushPreview(models.TransientModel):
    """What action_backflush would post now, before it posts anything."""

    _name = "backflush.preview"
    _description = "Backflush Preview"

    production_id = fields.Many2one("mrp.production", required=True, readonly=True)
    event = fields.Selection([(key, label) for key, label in EVENTS if key != "reversal"],
                             default="manual", required=True, readonly=True,
                             help="The event previewed: Backflush Now posts as 'Posted by "
                                  "hand'.")
    workorder_id = fields.Many2one("mrp.workorder", readonly=True,
                                   help="The work order of an operation event.")
    problems = fields.Text(readonly=True,
                           help="What the posting would record as exceptions, or why it "
                                "would post nothing.")
    line_ids = fields.One2many("backflush.preview.line", "preview_id", readonly=True)
    conversion_line_ids = fields.One2many(
        "backflush.preview.conversion.line", "preview_id", "Labour and Overhead",
        readonly=True, help="What each operation absorbs into WIP (Dr WIP / Cr the "
                            "absorption accounts), and when.")
    has_shortage = fields.Boolean(compute="_compute_has_shortage")

    @api.depends("line_ids.shortage")
    def _compute_has_shortage(self):
        for preview in self:
            preview.has_shortage = any(line.shortage for line in preview.line_ids)

    @api.model
    def create(self, values):
        preview = super().create(values)
        conversions = preview.env["backflush.conversion"].preview_values(preview.production_id)
        lines, problems = preview._line_values()
        preview.write({"line_ids": [(0, 0, v) for v in lines],
                       "conversion_line_ids": [(0, 0, v) for v in conversions],
                       "problems": "\n".join(problems) or False})
        return preview

    def _line_values(self):
        """([preview line values], [problem messages]) from the posting's own computation."""
        production = self.production_id
        due, plan, problems = self.env["backflush.posting"].preview(
            production, self.event, self.workorder_id or None)
        due = dict(due)
        planned = {line: (qty, picks) for line, qty, picks in plan}
        produced = production.backflush_produced_qty()
        Allocation = self.env["backflush.allocation"]
        values = []
        for line in production.backflush_line_ids:
            to_post = due.get(line, 0.0)
            posted, picks = planned.get(line, (0.0, []))
            available = Allocation.on_hand_qty(line)
            values.append({
                "product_id": line.product_id.id,
                "product_uom_id": line.product_uom_id.id,
                "rule_id": line.rule_id.id,
                "rule_reason": line.rule_reason,
                "trigger": line.trigger,
                "shortage_policy": line.shortage_policy,
                "location_id": line.location_id.id,
                "qty_standard": line.standard_qty(produced),
                "qty_consumed": line.counted_qty(),
                "qty_to_post": to_post,
                "qty_posted": posted,
                "lot_names": ", ".join("%s: %s" % (lot.name, qty) for lot, qty in picks
                                       if lot) or False,
                "qty_available": available,
                "shortage": max(to_post - max(available, 0.0), 0.0),
                "waiting": not triggers.fired(self.event, line.trigger),
            })
        return values, [problem.name for problem in problems]

    # public: read-only
    def action_open(self):
        action = open_in_dialog(self, _("Backflush Preview: %s") % self.production_id.name)
        if self.conversion_line_ids:
            view = self.env.ref("backflush_mrp.backflush_preview_view_form_conversion")
            action["views"] = [(view.id, "form")]
        return action

    @api.multi
    def action_post(self):
        self.production_id.action_backflush()
        return {"type": "ir.actions.act_window_close"}


class BackflushPreviewLine(models.TransientModel):
    _name = "backflush.preview.line"
    _description = "Backflush Preview Line"

    preview_id = fields.Many2one("backflush.preview", required=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", "Component", readonly=True)
    product_uom_id = fields.Many2one("product.uom", "UoM", readonly=True)
    rule_id = fields.Many2one("backflush.rule", readonly=True)
    rule_reason = fields.Char("Why", readonly=True)
    trigger = fields.Selection(TRIGGERS, readonly=True)
    shortage_policy = fields.Selection(SHORTAGE_POLICIES, readonly=True)
    location_id = fields.Many2one("stock.location", "Source Location", readonly=True)
    qty_standard = fields.Float("Standard", digits=dp.get_precision("Product Unit of Measure"),
                                readonly=True)
    qty_consumed = fields.Float("Already Consumed",
                                digits=dp.get_precision("Product Unit of Measure"), readonly=True)
    qty_to_post = fields.Float("To Backflush Now",
                               digits=dp.get_precision("Product Unit of Measure"), readonly=True)
    qty_posted = fields.Float("Posted Now", digits=dp.get_precision("Product Unit of Measure"),
                              readonly=True,
                              help="What the posting takes now, after the lots and the "
                                   "shortage policy (0 when it would post nothing).")
    lot_names = fields.Char("Lots", readonly=True)
    qty_available = fields.Float("Available", digits=dp.get_precision("Product Unit of Measure"),
                                 readonly=True)
    shortage = fields.Float(digits=dp.get_precision("Product Unit of Measure"), readonly=True)
    waiting = fields.Boolean("Waits for Its Trigger", readonly=True)


CONVERSION_STATES = [
    ("production_done", "When the order is marked done"),
    ("operation_done", "When the work order finishes"),
    ("absorbed", "Absorbed"),
]


class BackflushPreviewConversionLine(models.TransientModel):
    _name = "backflush.preview.conversion.line"
    _description = "Backflush Preview: Labour and Overhead"

    preview_id = fields.Many2one("backflush.preview", required=True, ondelete="cascade")
    operation_id = fields.Many2one("mrp.routing.workcenter", readonly=True)
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", readonly=True)
    hours = fields.Float(digits=(16, 4), readonly=True)
    recorded = fields.Boolean("Recorded Time", readonly=True,
                              help="The work order's recorded time; otherwise the standard "
                                   "time for the quantity produced so far, one setup.")
    labour_amount = fields.Float("Labour", digits=dp.get_precision("Account"), readonly=True)
    overhead_amount = fields.Float("Overhead", digits=dp.get_precision("Account"),
                                   readonly=True)
    labour_account_id = fields.Many2one("account.account", "Labour Absorption", readonly=True)
    overhead_account_id = fields.Many2one("account.account", "Overhead Absorption",
                                          readonly=True)
    state = fields.Selection(CONVERSION_STATES, "Absorbed", readonly=True)
