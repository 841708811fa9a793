"""Accounting beyond the worked examples: partials, price changes, locks, companies."""
from odoo.exceptions import UserError

from .common_accounting import BackflushAccountingCase


class TestAccountingCases(BackflushAccountingCase):

    def test_two_partial_productions_then_done(self):
        self.receive_everything()
        production = self.make_mo(5)
        self.produce(production, 2)
        self.assertEqual(self.balance(production, "wip"), 61.60)
        production.post_inventory()
        self.assertEqual(self.balance(production, "wip"), 0.0)
        self.produce(production, 3)
        self.assertEqual(self.balance(production, "wip"), 92.40)
        production.button_mark_done()
        self.assert_wip_zero(production)
        self.assertFalse(self.items(production).filtered("backflush_variance_type"))

    def test_standard_price_changed_while_the_mo_is_open(self):
        self.receive_everything()
        production = self.make_mo(5)
        self.assertEqual(self.line_of(production, self.screw).standard_cost, 0.10)
        self.screw.standard_price = 0.12  # raised before anything was consumed
        self.produce(production, 5)
        production.button_mark_done()
        # 40 screws valued at 0.12 against the MO's standard of 0.10
        self.assertEqual(self.variance(production, "price"), 0.80)
        self.assertEqual(self.variance(production, "usage"), 0.0)
        self.assertEqual(self.variance(production, "revision"), 0.0)
        self.assert_wip_zero(production)

    def test_locked_period_queues_an_exception_and_posts_nothing(self):
        self.receive_everything()
        production = self.make_mo(1)
        finished = production.move_finished_ids.filtered(lambda m: m.product_id == self.table)
        finished.quantity_done = 1
        self.company.period_lock_date = "2999-12-31"
        result = self.env["backflush.posting"].post(production, "manual", raise_errors=False)
        self.assertFalse(result["posted"])
        self.assertEqual(production.backflush_exception_ids.reason, "locked_period")
        self.assertEqual(self.on_hand(self.leg), 100)
        self.assertFalse(self.items(production))
        self.company.period_lock_date = False
        production.backflush_exception_ids.action_retry()
        self.assertEqual(production.backflush_exception_ids.state, "resolved")
        self.assertEqual(self.on_hand(self.leg), 96)

    def test_missing_wip_account_names_category_and_account(self):
        self.receive_everything()
        self.categ_finished.property_backflush_wip_account_id = False
        self.company.backflush_wip_account_id = False
        self.rule(name="Strict", shortage_policy="block")
        production = self.make_mo(1)
        with self.assertRaises(UserError) as caught:
            self.produce(production, 1)
        self.assertIn("WIP", caught.exception.name)
        self.assertIn(self.categ_finished.display_name, caught.exception.name)
        self.assertEqual(self.on_hand(self.leg), 100)

    def test_missing_variance_account_with_queue_policy_becomes_exception(self):
        self.receive_everything()
        self.categ_finished.property_backflush_usage_variance_account_id = False
        self.company.backflush_usage_variance_account_id = False
        self.rule(name="Queue", shortage_policy="queue")
        production = self.make_mo(1)
        self.produce(production, 1)
        exception = production.backflush_exception_ids
        self.assertEqual(exception.reason, "missing_account")
        self.assertIn("usage variance", exception.message)
        self.assertEqual(self.on_hand(self.leg), 100)
        self.company.backflush_usage_variance_account_id = self.accounts["usage"]
        exception.action_retry()
        self.assertEqual(self.on_hand(self.leg), 96)

    def test_component_not_valued_in_real_time_is_refused(self):
        manual = self.env["product.category"].create({"name": "Manual",
                                                      "parent_id": self.categ_all.id})
        manual.property_valuation = "manual_periodic"
        self.screw.categ_id = manual
        self.receive_everything()
        self.rule(name="Strict", shortage_policy="block")
        production = self.make_mo(1)
        with self.assertRaises(UserError) as caught:
            self.produce(production, 1)
        self.assertIn("not valued in real time", caught.exception.name)
        self.assertIn("Screw", caught.exception.name)
        self.assertEqual(self.on_hand(self.leg), 100)

    def test_component_entries_refer_to_their_order(self):
        self.receive_everything()
        production = self.make_mo(1)
        self.produce(production, 1)
        entries = self.items(production).mapped("move_id")
        self.assertTrue(entries)
        self.assertEqual(set(entries.mapped("ref")), {production.name})

    def test_company_fallback_accounts(self):
        self.categ_finished.property_backflush_wip_account_id = False
        self.company.backflush_wip_account_id = self.accounts["wip"]
        self.receive_everything()
        production = self.make_mo(2)
        self.produce(production, 2)
        self.assertEqual(self.balance(production, "wip"), 61.60)
        production.button_mark_done()
        self.assert_wip_zero(production)


class TestMultiCompany(BackflushAccountingCase):

    def test_company_b_accounts_for_company_b_mo(self):
        company_b = self.env["res.company"].create({"name": "Furniture B",
                                                    "currency_id": self.company.currency_id.id})
        self.env.user.write({"company_ids": [(4, company_b.id)], "company_id": company_b.id})
        self.shopfloor.write({"company_ids": [(4, company_b.id)], "company_id": company_b.id})
        wip_b = self.env["account.account"].create({
            "code": "BFB1200", "name": "WIP B", "company_id": company_b.id,
            "user_type_id": self.env.ref("account.data_account_type_current_assets").id})
        accounts_b = {key: self.env["account.account"].create({
            "code": "BFB%s" % code, "name": "%s B" % key, "company_id": company_b.id,
            "user_type_id": self.env.ref("account.data_account_type_current_assets").id})
            for key, code in (("stock", "1100"), ("input", "1101"), ("output", "1102"),
                              ("usage", "5100"), ("price", "5200"), ("revision", "5300"))}
        journal_b = self.env["account.journal"].create({
            "name": "Stock B", "code": "BFSB", "type": "general", "company_id": company_b.id})
        for category in (self.categ_raw, self.categ_fasteners, self.categ_finished):
            category.with_context(force_company=company_b.id).write({
                "property_valuation": "real_time", "property_cost_method": "standard",
                "property_stock_valuation_account_id": accounts_b["stock"].id,
                "property_stock_account_input_categ_id": accounts_b["input"].id,
                "property_stock_account_output_categ_id": accounts_b["output"].id,
                "property_stock_journal": journal_b.id})
        self.categ_finished.with_context(force_company=company_b.id).write({
            "property_backflush_wip_account_id": wip_b.id,
            "property_backflush_usage_variance_account_id": accounts_b["usage"].id,
            "property_backflush_price_variance_account_id": accounts_b["price"].id,
            "property_backflush_revision_variance_account_id": accounts_b["revision"].id})
        for product, cost in ((self.leg, 2.5), (self.top, 20.0), (self.screw, 0.1),
                              (self.table, 30.8)):
            product.with_context(force_company=company_b.id).standard_price = cost
        warehouse_b = self.env["stock.warehouse"].create({
            "name": "WH B", "code": "WHB", "company_id": company_b.id})
        for product in (self.leg, self.top, self.screw):
            self.env["stock.quant"]._update_available_quantity(product, warehouse_b.lot_stock_id,
                                                               100)
        bom_b = self.bom.copy({"company_id": company_b.id})
        production = self.env["mrp.production"].with_context(force_company=company_b.id).create({
            "product_id": self.table.id, "product_qty": 2, "product_uom_id": self.uom_unit.id,
            "bom_id": bom_b.id, "company_id": company_b.id,
            "picking_type_id": warehouse_b.manu_type_id.id,
            "location_src_id": warehouse_b.lot_stock_id.id,
            "location_dest_id": warehouse_b.lot_stock_id.id})
        self.produce(production, 2)
        production.button_mark_done()
        items = self.env["account.move.line"].search(
            [("backflush_production_id", "=", production.id)])
        self.assertTrue(items)
        self.assertEqual(items.mapped("company_id"), company_b)
        wip_items = items.filtered(lambda i: i.account_id == wip_b)
        self.assertEqual(round(sum(wip_items.mapped("debit")), 2), 61.60)
        self.assertEqual(round(sum(wip_items.mapped("debit")) - sum(wip_items.mapped("credit")),
                               2), 0.0)
        self.assertFalse(items.filtered(lambda i: i.account_id == self.accounts["wip"]))


class TestActualCostFinishedGoods(BackflushAccountingCase):

    def test_fifo_finished_product_takes_the_actual_cost_and_no_variance(self):
        fifo_finished = self.env["product.category"].create({
            "name": "Furniture FIFO", "parent_id": self.categ_all.id})
        self._value_in_real_time(fifo_finished, "fifo")
        fifo_finished.write({
            "property_backflush_wip_account_id": self.accounts["wip"].id,
            "property_backflush_usage_variance_account_id": self.accounts["usage"].id,
            "property_backflush_price_variance_account_id": self.accounts["price"].id,
            "property_backflush_revision_variance_account_id": self.accounts["revision"].id})
        self.table.categ_id = fifo_finished
        self.table.standard_price = 99.0  # irrelevant for FIFO goods
        self.receive_everything()
        production = self.make_mo(5)
        production.move_raw_ids.filtered(lambda m: m.product_id == self.screw).quantity_done = 42
        self.produce(production, 5)
        production.button_mark_done()
        finished = production.move_finished_ids.filtered(
            lambda m: m.product_id == self.table and m.state == "done")
        # 154.00 of standard components plus 2 screws more: 154.20 for 5 tables
        self.assertEqual(round(sum(finished.mapped("value")), 2), 154.20)
        self.assertFalse(self.items(production).filtered("backflush_variance_type"))
        self.assert_wip_zero(production)
