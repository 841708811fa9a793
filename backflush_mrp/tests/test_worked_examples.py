"""SPEC section 4: the four worked examples, to the cent, read from posted journal items."""
from .common_accounting import BackflushAccountingCase


class TestWorkedExamples(BackflushAccountingCase):

    def _make_five_tables(self, screws=None):
        production = self.make_mo(5)
        if screws is not None:
            production.move_raw_ids.filtered(
                lambda m: m.product_id == self.screw).quantity_done = screws
        self.produce(production, 5)
        production.button_mark_done()
        return production

    def _wip_debits_and_credits(self, production):
        wip = self.items(production, "wip").filtered(lambda i: not i.backflush_variance_type)
        return round(sum(wip.mapped("debit")), 2), round(sum(wip.mapped("credit")), 2)

    def test_example_1_standard_matches_roll_up_no_variance(self):
        self.receive_everything()
        production = self._make_five_tables()
        self.assertEqual(self._wip_debits_and_credits(production), (154.00, 154.00))
        self.assertFalse(self.items(production).filtered("backflush_variance_type"))
        self.assert_wip_zero(production)

    def test_example_2_operator_records_42_screws_usage_variance(self):
        self.receive_everything()
        production = self._make_five_tables(screws=42)
        self.assertEqual(self.variance(production, "usage"), 0.20)
        self.assertEqual(self.variance(production, "price"), 0.0)
        self.assertEqual(self.variance(production, "revision"), 0.0)
        self.assertEqual(self.balance(production, "usage"), 0.20)
        self.assert_wip_zero(production)

    def test_example_3_outdated_finished_standard_revision_variance(self):
        self.table.standard_price = 32.00
        self.receive_everything()
        production = self._make_five_tables()
        finished = self.items(production, "wip").filtered(
            lambda i: i.product_id == self.table and not i.backflush_variance_type)
        self.assertEqual(round(sum(finished.mapped("credit")), 2), 160.00)
        self.assertEqual(self.variance(production, "revision"), -6.00)
        self.assertEqual(self.balance(production, "revision"), -6.00)
        self.assert_wip_zero(production)

    def test_example_4_fifo_top_received_at_21_price_variance(self):
        fifo_raw = self.env["product.category"].create({"name": "Raw FIFO",
                                                        "parent_id": self.categ_all.id})
        self._value_in_real_time(fifo_raw, "fifo")
        self.top.categ_id = fifo_raw
        self.receive(self.top, 100, price_unit=21.00)
        self.top.standard_price = 20.00
        self.receive(self.leg, 100)
        self.receive(self.screw, 100)
        production = self._make_five_tables()
        self.assertEqual(self.line_of(production, self.top).standard_cost, 20.00)
        self.assertEqual(self.variance(production, "price"), 5.00)
        self.assertEqual(self.variance(production, "usage"), 0.0)
        self.assertEqual(self.balance(production, "price"), 5.00)
        self.assert_wip_zero(production)

    def test_variance_items_carry_type_mo_product_and_quantity(self):
        self.receive_everything()
        production = self._make_five_tables(screws=42)
        usage = self.items(production, variance_type="usage")
        self.assertEqual(len(usage), 1)
        self.assertEqual(usage.account_id, self.accounts["usage"])
        self.assertEqual((usage.product_id, usage.quantity), (self.table, 5))
        self.assertEqual(usage.move_id.ref, production.name)
        self.assertEqual(usage.name, "Usage variance")
        self.assertTrue(all(item.backflush_production_id == production
                            for item in usage.move_id.line_ids))
        self.assertEqual(usage.move_id.state, "posted")
