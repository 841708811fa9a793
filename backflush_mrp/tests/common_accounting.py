"""The furniture factory with real-time valuation, standard costs and variance accounts."""
from .common import BackflushCase


class BackflushAccountingCase(BackflushCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accounts = {key: cls._account(code, name, kind) for key, code, name, kind in (
            ("stock", "BFT1100", "Stock valuation", "current_assets"),
            ("input", "BFT1101", "Stock interim received", "current_assets"),
            ("output", "BFT1102", "Stock interim delivered", "current_assets"),
            ("wip", "BFT1200", "Work in progress", "current_assets"),
            ("usage", "BFT5100", "Usage variance", "expenses"),
            ("price", "BFT5200", "Price variance", "expenses"),
            ("revision", "BFT5300", "Revision variance", "expenses"),
            ("scrap", "BFT5400", "Scrap variance", "expenses"),
        )}
        cls.stock_journal = cls.env["account.journal"].create({
            "name": "Backflush stock journal", "code": "BFTSJ", "type": "general"})
        for category in (cls.categ_raw, cls.categ_fasteners, cls.categ_finished):
            cls._value_in_real_time(category, "standard")
        cls.categ_finished.write({
            "property_backflush_wip_account_id": cls.accounts["wip"].id,
            "property_backflush_usage_variance_account_id": cls.accounts["usage"].id,
            "property_backflush_price_variance_account_id": cls.accounts["price"].id,
            "property_backflush_revision_variance_account_id": cls.accounts["revision"].id,
            "property_backflush_scrap_variance_account_id": cls.accounts["scrap"].id,
        })
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")

    def tearDown(self):
        # the invariant of SPEC section 4, on every MO any accounting test closed
        closed = self.env["mrp.production"].search([
            ("state", "=", "done"), ("company_id", "=", self.company.id),
            ("product_id.categ_id", "in", (self.categ_finished | self.categ_raw).ids)])
        for production in closed:
            if not production.backflush_line_ids.filtered("qty_pending"):
                self.assertEqual(self.balance(production, "wip"), 0.0,
                                 "WIP of closed %s is not 0.00" % production.name)
        super().tearDown()

    @classmethod
    def _account(cls, code, name, kind):
        return cls.env["account.account"].create({
            "code": code, "name": name, "company_id": cls.company.id,
            "user_type_id": cls.env.ref("account.data_account_type_%s" % kind).id})

    @classmethod
    def _value_in_real_time(cls, category, cost_method):
        category.write({
            "property_valuation": "real_time",
            "property_cost_method": cost_method,
            "property_stock_valuation_account_id": cls.accounts["stock"].id,
            "property_stock_account_input_categ_id": cls.accounts["input"].id,
            "property_stock_account_output_categ_id": cls.accounts["output"].id,
            "property_stock_journal": cls.stock_journal.id,
        })

    # -- stock through real, valued moves ------------------------------------------
    def receive(self, product, qty, price_unit=None):
        move = self.env["stock.move"].create({
            "name": "Receipt of %s" % product.name,
            "product_id": product.id, "product_uom": product.uom_id.id,
            "product_uom_qty": qty, "location_id": self.supplier_location.id,
            "location_dest_id": self.stock_location.id,
            "price_unit": price_unit if price_unit is not None else product.standard_price,
        })
        move._action_confirm()
        move._action_assign()
        move.move_line_ids.qty_done = qty
        move._action_done()
        return move

    def receive_everything(self, qty=100):
        for product in (self.leg, self.top, self.screw):
            self.receive(product, qty)

    # -- what accountants see ---------------------------------------------------------
    def items(self, production, account_key=None, variance_type=None):
        domain = [("backflush_production_id", "=", production.id),
                  ("move_id.state", "=", "posted")]
        if account_key:
            domain.append(("account_id", "=", self.accounts[account_key].id))
        if variance_type:
            domain.append(("backflush_variance_type", "=", variance_type))
        return self.env["account.move.line"].search(domain)

    def balance(self, production, account_key):
        return round(sum(item.debit - item.credit
                         for item in self.items(production, account_key)), 2)

    def account_balance(self, account_key):
        items = self.env["account.move.line"].search(
            [("account_id", "=", self.accounts[account_key].id),
             ("move_id.state", "=", "posted")])
        return round(sum(items.mapped("debit")) - sum(items.mapped("credit")), 2)

    def variance(self, production, variance_type):
        items = self.items(production, variance_type=variance_type)
        return round(sum(items.mapped("debit")) - sum(items.mapped("credit")), 2)

    def assert_wip_zero(self, production):
        self.assertEqual(production.state, "done")
        self.assertEqual(self.balance(production, "wip"), 0.0,
                         "WIP of %s is not 0.00" % production.name)
