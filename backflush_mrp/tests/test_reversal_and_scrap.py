"""Reversal, unbuild and scrap: stock and every account back where they were."""
from .common_accounting import BackflushAccountingCase

ACCOUNT_KEYS = ("stock", "input", "output", "wip", "usage", "price", "revision", "scrap")


class TestReversal(BackflushAccountingCase):

    def _snapshot(self):
        stock = tuple(self.on_hand(p) for p in (self.leg, self.top, self.screw, self.table))
        return stock, {key: self.account_balance(key) for key in ACCOUNT_KEYS}

    def _five_tables_with_variances(self):
        self.table.standard_price = 32.00
        production = self.make_mo(5)
        production.move_raw_ids.filtered(lambda m: m.product_id == self.screw).quantity_done = 42
        self.produce(production, 5)
        production.button_mark_done()
        self.assertEqual(self.variance(production, "usage"), 0.20)
        self.assertEqual(self.variance(production, "revision"), -6.00)
        return production

    def test_reverse_backflush_restores_stock_and_every_account(self):
        self.receive_everything()
        before = self._snapshot()
        production = self._five_tables_with_variances()
        self.assertNotEqual(self._snapshot(), before)
        production.action_backflush_reverse()
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(self.variance(production, "usage"), 0.0)
        self.assertEqual(self.balance(production, "wip"), 0.0)
        self.assertEqual(production.backflush_log_ids.filtered(
            lambda log: log.event == "reversal").line_ids.mapped("product_id"),
            self.leg | self.top | self.screw | self.table)
        # reversing again mirrors nothing new
        production.action_backflush_reverse()
        self.assertEqual(self._snapshot(), before)

    def _unbuild(self, production, qty):
        unbuild = self.env["mrp.unbuild"].create({
            "product_id": self.table.id, "bom_id": production.bom_id.id,
            "mo_id": production.id, "product_qty": qty,
            "product_uom_id": self.uom_unit.id,
            "location_id": self.stock_location.id,
            "location_dest_id": self.stock_location.id})
        unbuild.action_unbuild()
        return unbuild

    def test_partial_then_full_unbuild(self):
        self.receive_everything()
        before = self._snapshot()
        production = self._five_tables_with_variances()
        self._unbuild(production, 2)
        self.assertEqual(self.on_hand(self.table), 3)
        self.assertEqual(self.on_hand(self.leg), 100 - 12)
        self.assertEqual(self.on_hand(self.screw), 100 - 42 + round(42 * 2 / 5.0, 2))
        self.assertEqual(self.balance(production, "wip"), 0.0)
        self.assertEqual(self.variance(production, "revision"), -3.60)
        self.assertEqual(self.variance(production, "usage"), 0.12)
        self._unbuild(production, 3)
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(self.balance(production, "wip"), 0.0)


class TestScrap(BackflushAccountingCase):

    def test_component_scrapped_on_mo_goes_to_scrap_variance(self):
        self.receive_everything()
        production = self.make_mo(5)
        scrap = self.env["stock.scrap"].create({
            "product_id": self.top.id, "product_uom_id": self.uom_unit.id,
            "scrap_qty": 2, "production_id": production.id,
            "location_id": self.stock_location.id})
        scrap.do_scrap()
        self.assertEqual(self.balance(production, "scrap"), 40.00)
        scrap_items = self.items(production, "scrap")
        self.assertEqual(set(scrap_items.mapped("backflush_variance_type")), {"scrap"})
        self.produce(production, 5)
        production.button_mark_done()
        # the scrapped tops are no part of the MO's usage
        self.assertEqual(self.consumed(production, self.top), 5)
        self.assert_wip_zero(production)
        self.assertEqual(self.variance(production, "usage"), 0.0)
        self.assertEqual(self.on_hand(self.top), 93)
