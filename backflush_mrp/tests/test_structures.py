"""Kits, units of measure and lots (SPEC sections 3 and 5)."""
from datetime import datetime

from odoo.exceptions import ValidationError

from .common import BackflushCase, LotCase


class TestKitsAndUnits(BackflushCase):

    def test_phantom_sub_assembly_is_exploded(self):
        bom, pad, leg_kit = self.leg_kit_bom()
        for product in (self.leg, self.top, pad):
            self.put_stock(product, 100)
        production = self.make_mo(5, bom=bom)
        self.assertEqual(set(production.backflush_line_ids.mapped("product_id")),
                         {self.leg, pad, self.top})
        self.produce(production, 5)
        production.button_mark_done()
        # 5 tables x 2 kits x (2 legs / 2 kits) = 10 legs; pads 5 x 2 x 6 / 2 = 30
        self.assertEqual(self.on_hand(self.leg), 90)
        self.assertEqual(self.on_hand(pad), 70)
        self.assertEqual(self.on_hand(self.top), 95)
        self.assertEqual(self.on_hand(leg_kit), 0)

    def test_bom_line_in_boxes_of_100_consumes_units(self):
        box = self.env["product.uom"].create({
            "name": "Box of 100", "category_id": self.uom_unit.category_id.id,
            "uom_type": "bigger", "factor_inv": 100, "rounding": 0.001})
        self.line_screw.write({"product_qty": 0.08, "product_uom_id": box.id})
        self.stock_everything(100)
        production = self.make_mo(5)
        screw_line = self.line_of(production, self.screw)
        self.assertEqual(screw_line.product_uom_id, self.uom_unit)
        self.assertAlmostEqual(screw_line.qty_per_unit, 8.0)
        self.produce(production, 5)
        self.assertEqual(self.on_hand(self.screw), 60)

    def test_bom_line_unit_of_another_category_is_refused_when_saved(self):
        kg = self.env.ref("product.product_uom_kgm")
        with self.assertRaises(ValidationError) as caught:
            self.line_screw.product_uom_id = kg
        self.assertIn("Screw", caught.exception.name)

    def test_partials_round_to_the_unit_without_drift(self):
        # one screw for every three tables: 1/3 per table, never stored rounded
        self.bom.product_qty = 3
        self.line_screw.product_qty = 1
        rounding = self.uom_unit.rounding
        self.stock_everything(100)
        production = self.make_mo(3)
        posted = []
        for _ in range(3):
            before = self.consumed(production, self.screw)
            self.produce(production, 1)
            posted.append(round(self.consumed(production, self.screw) - before, 6))
        expected = [round(round(n / 3.0 / rounding) * rounding - round((n - 1) / 3.0 / rounding)
                          * rounding, 6) for n in (1, 2, 3)]
        self.assertEqual(posted, expected)
        self.assertAlmostEqual(self.consumed(production, self.screw), 1.0, places=6)


class TestLots(LotCase):

    def test_lots_first_in_first_out_split_across_lots(self):
        self.stock_everything(100)
        self.put_stock(self.glue, 4, lot=self.lot_new, in_date=datetime(2026, 3, 1))
        self.put_stock(self.glue, 3, lot=self.lot_old, in_date=datetime(2026, 1, 1))
        production = self.make_mo(3)
        self.produce(production, 3)
        self.assertEqual(self.on_hand(self.glue, lot=self.lot_old), 0)
        self.assertEqual(self.on_hand(self.glue, lot=self.lot_new), 1)
        consumed_lots = production.move_raw_ids.filtered(
            lambda m: m.product_id == self.glue and m.state == "done").mapped(
                "move_line_ids.lot_id")
        self.assertEqual(consumed_lots, self.lot_old | self.lot_new)

    def test_lot_shortage_becomes_lot_required_exception(self):
        self.stock_everything(100)
        self.put_stock(self.glue, 1, lot=self.lot_old)
        production = self.make_mo(1)
        self.produce(production, 1)
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(self.on_hand(self.glue, lot=self.lot_old), 0)
        exception = production.backflush_exception_ids
        self.assertEqual((exception.reason, exception.product_id), ("lot_required", self.glue))


class TestSerials(BackflushCase):

    def test_serials_that_are_not_reserved_become_lot_required(self):
        lock = self._product("Lock", 6.0, self.categ_raw, tracking="serial")
        self.bom.write({"bom_line_ids": [(0, 0, {"product_id": lock.id, "product_qty": 1})]})
        self.stock_everything(100)
        serials = self.env["stock.production.lot"]
        for name in ("L-1", "L-2"):
            serial = self.env["stock.production.lot"].create({"name": name,
                                                               "product_id": lock.id})
            self.put_stock(lock, 1, lot=serial)
            serials |= serial
        production = self.make_mo(3)  # reserves the two serials there are
        self.produce(production, 3)
        consumed = production.move_raw_ids.filtered(
            lambda m: m.product_id == lock and m.state == "done").mapped("move_line_ids.lot_id")
        self.assertEqual(consumed, serials)
        exception = production.backflush_exception_ids
        self.assertEqual((exception.reason, exception.product_id), ("lot_required", lock))
        self.assertIn("1.0 serial numbers", exception.message)
        self.assertEqual(self.on_hand(self.leg), 88)
