"""Trigger rules: constraints, pending components, rights (SPEC sections 2 and 6)."""
from odoo.exceptions import AccessError, ValidationError

from .common import BackflushCase


class TestRuleConstraints(BackflushCase):

    def test_bom_line_of_another_bom_is_refused(self):
        other = self.bom.copy()
        with self.assertRaises(ValidationError) as caught:
            self.rule(name="Wrong", bom_id=other.id, bom_line_id=self.line_screw.id)
        self.assertIn("Wrong", caught.exception.name)

    def test_operation_trigger_needs_an_operation_on_the_bom_line(self):
        with self.assertRaises(ValidationError) as caught:
            self.rule(name="Screws on op", bom_line_id=self.line_screw.id,
                      trigger="operation_done")
        self.assertIn("operation", caught.exception.name)

    def test_location_of_another_company_is_refused(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        foreign = self.env["stock.location"].create({
            "name": "Foreign bin", "usage": "internal", "company_id": other_company.id})
        with self.assertRaises(ValidationError) as caught:
            self.rule(name="Foreign", location_src_id=foreign.id)
        self.assertIn("Other Co", caught.exception.name)

    def test_archived_and_foreign_rules_do_not_apply(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.rule(name="Archived", product_id=self.screw.id, trigger="manual", active=False)
        self.rule(name="Foreign", product_id=self.screw.id, trigger="periodic",
                  company_id=other_company.id)
        self.assertEqual(self.line_screw.backflush_trigger, "production_done")
        self.assertEqual(self.line_screw.backflush_rule_reason, "company default")

    def test_company_default_trigger_is_configurable(self):
        self.company.backflush_default_trigger = "periodic"
        production = self.make_mo(1)
        self.assertEqual(set(production.backflush_line_ids.mapped("trigger")), {"periodic"})
        self.assertEqual(set(production.backflush_line_ids.mapped("rule_reason")),
                         {"company default"})


class TestPendingTriggers(BackflushCase):

    def test_other_triggers_stay_pending_and_the_mo_closes(self):
        self.rule(name="Tops on shipment", product_id=self.top.id, trigger="shipment")
        self.rule(name="Screws at end of day", product_id=self.screw.id, trigger="periodic")
        self.rule(name="Legs by hand", product_id=self.leg.id, trigger="manual")
        self.stock_everything(100)
        production = self.make_mo(5)
        self.produce(production, 5)
        self.assertEqual(production.backflush_state, "pending")
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(self.on_hand(self.top), 100)
        self.assertEqual(self.on_hand(self.screw), 100)
        self.assertEqual(self.on_hand(self.leg), 100)
        self.assertEqual(self.on_hand(self.table), 5)
        # the legs, issued by hand, were not: closing through the API says so
        exception = production.backflush_exception_ids
        self.assertEqual((exception.product_id, exception.reason), (self.leg, "other"))
        self.assertIn("manual component", exception.message)
        self.assertEqual(production.backflush_state, "exception")
        top = self.line_of(production, self.top)
        self.assertEqual((top.qty_pending, top.state), (5, "pending"))
        open_top = top.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        self.assertEqual(open_top.product_uom_qty, 5)
        leg = self.line_of(production, self.leg)
        self.assertEqual(leg.state, "manual")
        self.assertFalse(leg.move_ids.filtered(lambda m: m.state not in ("done", "cancel")))

    def test_closing_short_leaves_pending_moves_asking_for_what_is_due(self):
        self.rule(name="Screws at end of day", product_id=self.screw.id, trigger="periodic")
        self.stock_everything(100)
        full = self.make_mo(5)
        self.produce(full, 5)
        full.button_mark_done()
        short = self.make_mo(5)
        self.produce(short, 3)
        short.button_mark_done()
        for production, pending in ((full, 40), (short, 24)):
            screw = self.line_of(production, self.screw)
            self.assertEqual((screw.qty_pending, screw.open_moves().product_uom_qty),
                             (pending, pending))

    def test_pending_lines_and_orders_are_found_for_many_at_once(self):
        self.rule(name="Tops on shipment", product_id=self.top.id, trigger="shipment")
        self.rule(name="Legs by hand", product_id=self.leg.id, trigger="manual")
        self.stock_everything(100)
        waiting, closed = self.make_mo(2), self.make_mo(3)
        self.produce(closed, 3)
        closed.button_mark_done()
        lines = (waiting | closed).mapped("backflush_line_ids")
        self.assertEqual(lines.with_pending(), lines.filtered("qty_pending"))
        self.assertEqual(lines.with_pending(),
                         self.line_of(closed, self.top) | self.line_of(closed, self.leg))
        # a component issued by hand does not keep its order waiting for a backflush
        self.assertEqual((waiting | closed).backflush_with_pending(), closed)
        delivery = self.env["stock.move"].create({
            "name": "Delivery", "product_id": self.table.id, "product_uom": self.uom_unit.id,
            "product_uom_qty": 3, "location_id": self.stock_location.id,
            "location_dest_id": self.env.ref("stock.stock_location_customers").id})
        delivery._action_confirm()
        delivery._action_assign()
        delivery.move_line_ids.qty_done = 3
        delivery._action_done()
        self.assertEqual(self.line_of(closed, self.top).qty_consumed, 3)
        self.assertFalse((waiting | closed).backflush_with_pending())

    def test_mixed_triggers_make_a_partial_backflush(self):
        self.rule(name="Tops on shipment", product_id=self.top.id, trigger="shipment")
        self.stock_everything(100)
        production = self.make_mo(2)
        self.produce(production, 2)
        production.button_mark_done()
        self.assertEqual(self.on_hand(self.leg), 92)
        self.assertEqual(self.on_hand(self.top), 100)
        self.assertEqual(production.backflush_state, "partial")


class TestRights(BackflushCase):

    def test_user_without_manufacturing_rights_cannot_post(self):
        self.stock_everything(100)
        production = self.make_mo(2)
        finished = production.move_finished_ids.filtered(lambda m: m.product_id == self.table)
        finished.quantity_done = 2
        clerk = self.env["res.users"].create({
            "name": "Stock clerk", "login": "clerk-backflush",
            "groups_id": [(6, 0, [self.env.ref("stock.group_stock_user").id])]})
        with self.assertRaises(AccessError):
            production.sudo(clerk).action_backflush()
        self.assertEqual(self.on_hand(self.leg), 100)
        self.assertFalse(production.backflush_log_ids)
