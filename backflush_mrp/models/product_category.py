from odoo import _, fields, models

from ..exceptions import MissingAccountProblem

# account kind -> (category property, company fallback field)
BACKFLUSH_ACCOUNTS = {
    "wip": ("property_backflush_wip_account_id", "backflush_wip_account_id"),
    "usage": ("property_backflush_usage_variance_account_id",
              "backflush_usage_variance_account_id"),
    "price": ("property_backflush_price_variance_account_id",
              "backflush_price_variance_account_id"),
    "revision": ("property_backflush_revision_variance_account_id",
                 "backflush_revision_variance_account_id"),
    "scrap": ("property_backflush_scrap_variance_account_id",
              "backflush_scrap_variance_account_id"),
    # conversion costs (SPEC section 4b)
    "efficiency": ("property_backflush_efficiency_variance_account_id",
                   "backflush_efficiency_variance_account_id"),
    "lot_size": ("property_backflush_lot_size_variance_account_id",
                 "backflush_lot_size_variance_account_id"),
}

ACCOUNT_LABELS = {
    "wip": "WIP",
    "usage": "usage variance",
    "price": "price variance",
    "revision": "revision variance",
    "scrap": "scrap variance",
    "efficiency": "efficiency variance",
    "lot_size": "lot-size variance",
}


def _account_property(string):
    return fields.Many2one(
        "account.account", string, company_dependent=True,
        domain=[("deprecated", "=", False)],
        help="Backflush accounting of manufacturing orders whose finished product "
             "is in this category; the company's account applies when empty.")


class ProductCategory(models.Model):
    _inherit = "product.category"

    property_backflush_wip_account_id = _account_property("WIP Account")
    property_backflush_usage_variance_account_id = _account_property("Usage Variance Account")
    property_backflush_price_variance_account_id = _account_property("Price Variance Account")
    property_backflush_revision_variance_account_id = _account_property(
        "Revision Variance Account")
    property_backflush_scrap_variance_account_id = _account_property("Scrap Variance Account")
    property_backflush_efficiency_variance_account_id = _account_property(
        "Efficiency Variance Account")
    property_backflush_lot_size_variance_account_id = _account_property(
        "Lot-Size Variance Account")

    # public: read-only
    def backflush_account(self, kind, company, raise_if_missing=True):
        """The category's account of kind for company, its parents', or the company's."""
        property_name, company_field = BACKFLUSH_ACCOUNTS[kind]
        category = self.with_context(force_company=company.id)
        while category:
            account = category[property_name]
            if account:
                return account
            category = category.parent_id
        account = company[company_field]
        if not account and raise_if_missing:
            raise MissingAccountProblem(_(
                "No %(label)s account for product category '%(category)s' in company "
                "%(company)s: set one on the category (Inventory > Configuration > "
                "Product Categories) or in the Backflush settings.") % {
                    "label": ACCOUNT_LABELS[kind],
                    "category": self.display_name, "company": company.name})
        return account
