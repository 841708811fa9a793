from odoo import fields, models

from .selections import SHORTAGE_POLICIES, TRIGGERS


class ResCompany(models.Model):
    _inherit = "res.company"

    backflush_default_trigger = fields.Selection(
        TRIGGERS, string="Default Backflush Trigger", required=True,
        default="production_done",
        help="Trigger of the components no backflush rule matches.")
    backflush_default_shortage_policy = fields.Selection(
        SHORTAGE_POLICIES, string="Default Shortage Policy", required=True,
        default="allow_negative",
        help="What a backflush does when stock is short and no rule says otherwise.")
    backflush_summarised_posting = fields.Boolean(
        "Summarised Periodic Posting",
        help="The periodic backflush posts one journal entry per run, its items "
             "grouped by account and product, instead of one entry per stock move.")
    # fallbacks of the product category properties (SPEC section 4)
    backflush_wip_account_id = fields.Many2one(
        "account.account", "WIP Account",
        help="Work in progress of manufacturing orders, when their finished "
             "product's category names none.")
    backflush_usage_variance_account_id = fields.Many2one(
        "account.account", "Usage Variance Account")
    backflush_price_variance_account_id = fields.Many2one(
        "account.account", "Price Variance Account")
    backflush_revision_variance_account_id = fields.Many2one(
        "account.account", "Revision Variance Account")
    backflush_scrap_variance_account_id = fields.Many2one(
        "account.account", "Scrap Variance Account")
