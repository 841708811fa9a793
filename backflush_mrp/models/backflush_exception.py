from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .selections import EXCEPTION_REASONS

FIXES = {
    "shortage": "Receive or move the missing stock to the consumption location, "
                "then retry.",
    "lot_required": "Reserve or record the lots/serial numbers on the MO, then retry.",
    "missing_account": "Set the missing account on the product category or in the "
                       "Backflush settings, then retry.",
    "missing_cost": "Give the component a cost on its product form, then retry.",
    "locked_period": "Unlock the accounting period, then retry.",
    "other": "Read the message, correct the cause, then retry.",
}


class BackflushException(models.Model):
    """Something a posting could not do; it waits here for a fix and a retry."""

    _name = "backflush.exception"
    _description = "Backflush Exception"
    _inherit = ["mail.thread"]
    _order = "state, create_date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    production_id = fields.Many2one("mrp.production", "Manufacturing Order", required=True,
                                    index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="production_id.company_id", store=True, readonly=True)
    product_id = fields.Many2one("product.product", "Component", readonly=True)
    reason = fields.Selection(EXCEPTION_REASONS, required=True, readonly=True,
                              track_visibility="onchange")
    message = fields.Text(required=True, readonly=True)
    fix = fields.Char("How to Fix", compute="_compute_fix")
    state = fields.Selection([("open", "Open"), ("resolved", "Resolved")], required=True,
                             default="open", index=True, track_visibility="onchange")
    resolution = fields.Text(help="How the exception was resolved.")
    occurrences = fields.Integer(default=1, readonly=True)

    @api.depends("production_id.name", "product_id", "reason")
    def _compute_name(self):
        reasons = dict(EXCEPTION_REASONS)
        for record in self:
            parts = [record.production_id.name, record.product_id.display_name,
                     reasons.get(record.reason)]
            record.name = " / ".join(p for p in parts if p)

    @api.depends("reason")
    def _compute_fix(self):
        for record in self:
            record.fix = _(FIXES.get(record.reason, FIXES["other"]))  # pylint: disable=translation-required

    # public: takes recordsets (RPC cannot pass one, so an RPC call faults)
    @api.model
    def raise_for(self, production, reason, message, product=None):
        """Open an exception, or count again the open one with the same cause."""
        product = product or self.env["product.product"]
        existing = self.search([("production_id", "=", production.id),
                                ("product_id", "=", product.id), ("reason", "=", reason),
                                ("state", "=", "open")], limit=1)
        if existing:
            existing.write({"message": message, "occurrences": existing.occurrences + 1})
            return existing
        return self.create({"production_id": production.id, "product_id": product.id,
                            "reason": reason, "message": message})

    @api.multi
    def action_retry(self):
        """Post again what is due on the MOs of these exceptions.

        The posting raises again the exceptions whose cause remains (their
        counter goes up); the others are resolved.
        """
        open_ones = self.filtered(lambda e: e.state == "open")
        before = {record.id: record.occurrences for record in open_ones}
        self.env["backflush.posting"].post(open_ones.mapped("production_id"), "manual",
                                                    raise_errors=False)
        cured = open_ones.filtered(lambda e: e.occurrences == before[e.id])
        cured.write({"state": "resolved",
                     "resolution": _("Posted by a retry on %s") % fields.Datetime.now()})
        cured.mapped("production_id").backflush_update_state()
        return True

    @api.multi
    def action_resolve(self):
        for record in self:
            if not record.resolution:
                raise UserError(_("Exception '%s': say how it was resolved (Resolution) "
                                  "before closing it.") % record.name)
        self.write({"state": "resolved"})
        self.mapped("production_id").backflush_update_state()
        return True

    @api.model
    def _cron_retry(self):
        self.search([("state", "=", "open")]).action_retry()
