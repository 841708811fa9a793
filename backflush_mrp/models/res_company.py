from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import suitability
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
        "Summarised Backflush Entries",
        help="Each backflush posting (for the periodic run: each chunk of orders) makes one "
             "journal entry, its items grouped by account, product and order, instead of one "
             "entry per stock move. The stock moves stay each order's own.")
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
    # conversion costs (SPEC section 4b): fallbacks of the category and work center fields
    backflush_efficiency_variance_account_id = fields.Many2one(
        "account.account", "Efficiency Variance Account",
        help="Work center time used above (debit) or below (credit) the standard for the "
             "quantity produced, at the work centers' rates.")
    backflush_lot_size_variance_account_id = fields.Many2one(
        "account.account", "Lot-Size Variance Account",
        help="Setup cost an order did not spread over as many units as the standard's "
             "costing lot size (debit), or over more (credit).")
    backflush_labour_absorption_account_id = fields.Many2one(
        "account.account", "Labour Absorption Account",
        help="Credited with the labour absorbed into WIP by work centers that name none.")
    backflush_overhead_absorption_account_id = fields.Many2one(
        "account.account", "Overhead Absorption Account",
        help="Credited with the overhead absorbed into WIP by work centers that name none.")
    backflush_report_retention_days = fields.Integer(
        "Keep Output Reports (Days)", required=True, default=30,
        help="Output reports of scanners and gates (with their report_id) are deleted this "
             "many days after they were made; 0 keeps them for ever. A client that sends a "
             "report again later than this posts it again.")
    # suitability advice (lib/suitability.py)
    backflush_suitability_order_count = fields.Integer(
        "Orders Analysed for Suitability", required=True, default=10,
        help="The suitability of a BoM for backflush is computed from its last this many "
             "closed manufacturing orders (at least %d)." % suitability.MIN_ORDERS)
    backflush_suitability_watch_spread = fields.Float(
        "Watch Above a Spread of (%)", digits=(16, 2), required=True, default=5.0,
        help="Spread of a component: the highest minus the lowest usage variance among the "
             "orders analysed, in percentage points; the usage variance of an order is "
             "(actual - standard) / standard x 100 for the quantity it produced. A spread "
             "above this marks the component 'Watch'.")
    backflush_suitability_unsuitable_spread = fields.Float(
        "Unsuitable Above a Spread of (%)", digits=(16, 2), required=True, default=15.0,
        help="A component whose spread (highest minus lowest usage variance among the "
             "orders analysed, in percentage points) is above this is 'Unsuitable' for "
             "backflush: its consumption should be issued by hand.")
    backflush_suitability_mean_threshold = fields.Float(
        "Scrap Advice Beyond a Mean Usage of (%)", digits=(16, 2), required=True,
        default=2.0,
        help="A component consumed on average (total actual - total standard) / total "
             "standard x 100 more, or less, than this marks it 'Watch' and gets the advice "
             "of a scrap factor (or of a lower BoM quantity) that matches its usage.")

    @api.constrains("backflush_suitability_order_count", "backflush_suitability_watch_spread",
                    "backflush_suitability_unsuitable_spread",
                    "backflush_suitability_mean_threshold")
    def _check_backflush_suitability_thresholds(self):
        for company in self:
            if company.backflush_suitability_order_count < suitability.MIN_ORDERS:
                raise ValidationError(_(
                    "The suitability needs at least %(min)s closed orders per BoM, not "
                    "%(count)s.") % {"min": suitability.MIN_ORDERS,
                                     "count": company.backflush_suitability_order_count})
            if min(company.backflush_suitability_watch_spread,
                   company.backflush_suitability_unsuitable_spread,
                   company.backflush_suitability_mean_threshold) < 0:
                raise ValidationError(_("Suitability thresholds cannot be negative."))
        # a 'watch' spread above the 'unsuitable' one only leaves 'watch' empty; the
        # settings refuse it (a constraint here would fire between the settings' writes)

    @api.constrains("backflush_report_retention_days")
    def _check_backflush_report_retention_days(self):
        for company in self:
            if company.backflush_report_retention_days < 0:
                raise ValidationError(_(
                    "%(company)s: output reports are kept a number of days, or 0 for ever, "
                    "not %(days)s.") % {"company": company.name,
                                        "days": company.backflush_report_retention_days})

    # public: read-only
    def backflush_suitability_thresholds(self):
        self.ensure_one()
        return suitability.Thresholds(
            watch_spread=self.backflush_suitability_watch_spread,
            unsuitable_spread=self.backflush_suitability_unsuitable_spread,
            mean_threshold=self.backflush_suitability_mean_threshold,
            order_count=self.backflush_suitability_order_count)
