"""Labour and overhead rates of a work center, with their absorption accounts (SPEC 4b)."""
from odoo import _, api, fields, models
from odoo.addons import decimal_precision as dp
from odoo.exceptions import ValidationError

from ..exceptions import MissingAccountProblem

# rate kind -> (rate field, account field on the work center and on the company)
CONVERSION_KINDS = {
    "labour": ("backflush_labour_rate", "backflush_labour_absorption_account_id"),
    "overhead": ("backflush_overhead_rate", "backflush_overhead_absorption_account_id"),
}


class MrpWorkcenter(models.Model):
    _inherit = "mrp.workcenter"

    backflush_labour_rate = fields.Float(
        "Labour Rate per Hour", digits=dp.get_precision("Product Price"), default=0.0,
        help="Labour cost of one hour of this work center's time, in the company's "
             "currency. The backflush absorbs it into WIP for the time of each operation "
             "(0: no labour cost).")
    backflush_overhead_rate = fields.Float(
        "Overhead Rate per Hour", digits=dp.get_precision("Product Price"), default=0.0,
        help="Overhead cost of one hour of this work center's time, in the company's "
             "currency (0: no overhead cost).")
    backflush_labour_absorption_account_id = fields.Many2one(
        "account.account", "Labour Absorption Account", domain=[("deprecated", "=", False)],
        help="Credited with the labour the backflush absorbs into WIP; the company's "
             "account applies when empty.")
    backflush_overhead_absorption_account_id = fields.Many2one(
        "account.account", "Overhead Absorption Account", domain=[("deprecated", "=", False)],
        help="Credited with the overhead the backflush absorbs into WIP; the company's "
             "account applies when empty.")

    @api.constrains("backflush_labour_rate", "backflush_overhead_rate")
    def _check_backflush_rates(self):
        for workcenter in self:
            if workcenter.backflush_labour_rate < 0 or workcenter.backflush_overhead_rate < 0:
                raise ValidationError(_(
                    "Work center %s: labour and overhead rates cannot be negative.")
                    % workcenter.display_name)

    # public: read-only
    def backflush_absorption_account(self, kind, company):
        """The account credited with the kind (labour, overhead) this work center absorbs."""
        self.ensure_one()
        account_field = CONVERSION_KINDS[kind][1]
        account = self[account_field] or company[account_field]
        if not account:
            raise MissingAccountProblem(_(
                "No %(kind)s absorption account for work center %(workcenter)s in company "
                "%(company)s: set one on the work center (Manufacturing > Configuration > "
                "Work Centers) or in the Backflush settings.") % {
                    "kind": kind, "workcenter": self.display_name, "company": company.name})
        return account
