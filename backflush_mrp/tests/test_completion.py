"""Backflush on completion (SPEC sections 2, 3, 5; issue: backflush on completion)."""
from odoo.exceptions import UserError

from .common import BackflushCase


class TestBackflushOnCompletion(BackflushCase):

    def test_produce_consumes_standard_quantities_from_stock(self):
        self.stock_everything(100)
        production = self.make_mo(5)
        self.produce(production, 5)
        self.assertEqual(self.on_hand(self.leg), 80)
        self.assertEqual(self.on_hand(self.top), 95)
        self.assertEqual(self.on_hand(self.screw), 60)
        self.assertEqual(self.consumed(production, self.screw), 40)
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        # marking done posts nothing twice
        self.assertEqual(self.on_hand(self.screw), 60)
        self.assertEqual(self.on_hand(self.table), 5)
        self.assertEqual(production.backflush_state, "done")
        log = production.backflush_log_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(log.event, "output")
        self.assertEqual(log.trigger, "production_done")
        screw_line = log.line_ids.filtered(lambda line: line.product_id == self.screw)
        self.assertAlmostEqual(screw_line.qty_posted, 40)
        self.assertAlmostEqual(screw_line.qty_standard, 40)
        self.assertAlmostEqual(screw_line.unit_cost, 0.10)
        self.assertEqual(set(log.move_ids.mapped("state")), {"done"})

    def test_mark_done_without_produce_wizard_backflushes_recorded_output(self):
        self.stock_everything(100)
        production = self.make_mo(3)
        finished = production.move_finished_ids.filtered(
            lambda m: m.product_id == self.table)
        finished.quantity_done = 3
        production.button_mark_done()
        self.assertEqual(self.on_hand(self.leg), 88)
        self.assertEqual(self.on_hand(self.screw), 76)
        self.assertEqual(production.backflush_log_ids.event, "completion")

    def test_three_partial_productions_backflush_in_proportion(self):
        self.stock_everything(100)
        production = self.make_mo(10)
        for qty, legs_left in ((3, 88), (3, 76), (4, 60)):
            self.produce(production, qty)
            self.assertEqual(self.on_hand(self.leg), legs_left)
        production.button_mark_done()
        self.assertEqual(self.on_hand(self.leg), 60)
        self.assertEqual(self.on_hand(self.top), 90)
        self.assertEqual(self.on_hand(self.screw), 20)
        self.assertEqual(len(production.backflush_log_ids), 3)
        self.assertEqual(self.on_hand(self.table), 10)

    def test_posting_twice_posts_nothing_new(self):
        self.stock_everything(100)
        production = self.make_mo(5)
        self.produce(production, 5)
        production.action_backflush()
        production.action_backflush()
        self.assertEqual(self.on_hand(self.screw), 60)
        self.assertEqual(len(production.backflush_log_ids), 1)

    def test_operator_recorded_consumption_is_respected(self):
        self.stock_everything(100)
        production = self.make_mo(5)
        screw_move = production.move_raw_ids.filtered(lambda m: m.product_id == self.screw)
        screw_move.quantity_done = 42
        self.produce(production, 5)
        production.button_mark_done()
        self.assertEqual(self.consumed(production, self.screw), 42)
        self.assertEqual(self.on_hand(self.screw), 58)
        self.assertEqual(self.consumed(production, self.leg), 20)

    def test_planned_scrap_factor_adds_to_consumption(self):
        self.line_screw.backflush_scrap_factor = 12.5
        self.stock_everything(100)
        production = self.make_mo(4)
        self.produce(production, 4)
        self.assertEqual(self.consumed(production, self.screw), 36)

    def test_each_component_shows_rule_and_reason(self):
        rule = self.rule(name="Screws line-side", bom_line_id=self.line_screw.id,
                         trigger="production_done")
        self.rule(name="Raw stuff", product_categ_id=self.categ_raw.id, trigger="periodic")
        production = self.make_mo(1)
        screw = self.line_of(production, self.screw)
        self.assertEqual(screw.rule_id, rule)
        self.assertEqual(screw.rule_reason, "BoM line rule 'Screws line-side'")
        leg = self.line_of(production, self.leg)
        self.assertEqual(leg.trigger, "periodic")
        self.assertIn("category", leg.rule_reason)
        screw_move = production.move_raw_ids.filtered(lambda m: m.product_id == self.screw)
        self.assertEqual(screw_move.backflush_rule_id, rule)
        self.assertEqual(screw_move.backflush_trigger, "production_done")
        self.assertEqual(self.line_of(production, self.top).trigger, "periodic")

    def test_rule_location_is_the_source(self):
        line_side = self.env["stock.location"].create({
            "name": "Line side", "usage": "internal", "location_id": self.stock_location.id})
        self.rule(name="Screws line-side", product_id=self.screw.id, location_src_id=line_side.id)
        self.put_stock(self.screw, 50, location=line_side)
        self.stock_everything(100)
        production = self.make_mo(5)
        self.produce(production, 5)
        self.assertEqual(self.on_hand(self.screw, location=line_side), 10)

    def test_component_archived_after_confirmation_is_still_consumed(self):
        self.stock_everything(100)
        production = self.make_mo(2)
        self.top.active = False
        self.produce(production, 2)
        self.assertEqual(self.on_hand(self.top), 98)

    def test_mo_without_bom_lines_closes_with_nothing_to_backflush(self):
        empty_bom = self.env["mrp.bom"].create({
            "product_tmpl_id": self.table.product_tmpl_id.id, "product_qty": 1,
            "product_uom_id": self.uom_unit.id})
        production = self.make_mo(2, bom=empty_bom)
        self.produce(production, 2)
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(production.backflush_state, "none")
        self.assertFalse(production.backflush_log_ids)

    def test_produced_quantity_zero_or_negative_is_refused(self):
        production = self.make_mo(2)
        for qty in (0, -1):
            with self.assertRaises(UserError):
                self.produce(production, qty)
        self.assertFalse(production.backflush_log_ids)
