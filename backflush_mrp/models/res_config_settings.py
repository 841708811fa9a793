from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .selections import SHORTAGE_POLICIES, TRIGGERS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    backflush_default_trigger = fields.Selection(
        TRIGGERS, related="company_id.backflush_default_trigger")
    backflush_default_shortage_policy = fields.Selection(
        SHORTAGE_POLICIES, related="company_id.backflush_default_shortage_policy")
    backflush_summarised_posting = fields.Boolean(
        related="company_id.backflush_summarised_posting")
    backflush_wip_account_id = fields.Many2one(
        "account.account", related="company_id.backflush_wip_account_id")
    backflush_usage_variance_account_id = fields.Many2one(
        "account.account", related="company_id.backflush_usage_variance_account_id")
    backflush_price_variance_account_id = fields.Many2one(
        "account.account", related="company_id.backflush_price_variance_account_id")
    backflush_revision_variance_account_id = fields.Many2one(
        "account.account", related="company_id.backflush_revision_variance_account_id")
    backflush_scrap_variance_account_id = fields.Many2one(
        "account.account", related="company_id.backflush_scrap_variance_account_id")
    backflush_efficiency_variance_account_id = fields.Many2one(
        "account.account", related="company_id.backflush_efficiency_variance_account_id")
    backflush_lot_size_variance_account_id = fields.Many2one(
        "account.account", related="company_id.backflush_lot_size_variance_account_id")
    backflush_labour_absorption_account_id = fields.Many2one(
        "account.account", related="company_id.backflush_labour_absorption_account_id")
    backflush_overhead_absorption_account_id = fields.Many2one(
        "account.account", related="company_id.backflush_overhead_absorption_account_id")
    backflush_report_retention_days = fields.Integer(
        related="company_id.backflush_report_retention_days")
    backflush_suitability_order_count = fields.Integer(
        related="company_id.backflush_suitability_order_count")
    backflush_suitability_watch_spread = fields.Float(
        related="company_id.backflush_suitability_watch_spread")
    backflush_suitability_unsuitable_spread = fields.Float(
        related="company_id.backflush_suitability_unsuitable_spread")
    backflush_suitability_mean_threshold = fields.Float(
        related="company_id.backflush_suitability_mean_threshold")

    @api.constrains("backflush_suitability_watch_spread",
                    "backflush_suitability_unsuitable_spread")
    def _check_backflush_suitability_spreads(self):
        for settings in self:
            watch = settings.backflush_suitability_watch_spread
            unsuitable = settings.backflush_suitability_unsuitable_spread
            if watch > unsuitable:
                raise ValidationError(_(
                    "The 'watch' spread (%(watch)s %%) cannot be above the 'unsuitable' "
                    "spread (%(unsuitable)s %%).") % {"watch": watch, "unsuitable": unsuitable})
