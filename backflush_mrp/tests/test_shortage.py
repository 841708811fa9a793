"""Shortage policies and the exception queue (SPEC sections 2 and 5)."""
from odoo.exceptions import UserError

from .common import BackflushCase


class TestShortagePolicies(BackflushCase):

    def setUp(self):
        super().setUp()
        self.put_stock(self.leg, 100)
        self.put_stock(self.top, 100)
        self.put_stock(self.screw, 30)  # 5 tables need 40

    def test_allow_negative_posts_and_stock_goes_negative(self):
        self.rule(name="Screws anyway", product_id=self.screw.id,
                  shortage_policy="allow_negative")
        production = self.make_mo(5)
        self.produce(production, 5)
        self.assertEqual(self.on_hand(self.screw), -10)
        self.assertFalse(production.backflush_exception_ids)

    def test_block_refuses_naming_mo_component_location_and_missing_quantity(self):
        self.rule(name="Screws strict", product_id=self.screw.id, shortage_policy="block")
        production = self.make_mo(5)
        with self.assertRaises(UserError) as caught:
            self.produce(production, 5)
        message = caught.exception.name
        self.assertIn(production.name, message)
        self.assertIn("Screw", message)
        self.assertIn(self.stock_location.display_name, message)
        self.assertIn("10.0", message)
        # nothing posted for that MO, not even the components in stock
        self.assertEqual(self.on_hand(self.leg), 100)
        self.assertEqual(self.on_hand(self.screw), 30)
        self.assertFalse(production.backflush_log_ids)

    def test_queue_records_exception_posts_the_rest_and_mo_closes(self):
        self.rule(name="Screws queued", product_id=self.screw.id, shortage_policy="queue")
        production = self.make_mo(5)
        self.produce(production, 5)
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(self.on_hand(self.leg), 80)
        self.assertEqual(self.on_hand(self.screw), 30)
        exception = production.backflush_exception_ids
        self.assertEqual(len(exception), 1)
        self.assertEqual((exception.reason, exception.state, exception.product_id),
                         ("shortage", "open", self.screw))
        self.assertEqual(production.backflush_state, "exception")
        self.assertEqual(production.backflush_exception_count, 1)

        # a retry while still short changes nothing and keeps the exception open
        occurrences = exception.occurrences
        exception.action_retry()
        self.assertEqual((exception.state, exception.occurrences), ("open", occurrences + 1))
        self.assertEqual(self.on_hand(self.screw), 30)

        # stock arrives: the retry posts exactly the missing part, once
        self.put_stock(self.screw, 20)
        exception.action_retry()
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(self.on_hand(self.screw), 10)
        self.assertEqual(self.consumed(production, self.screw), 40)
        self.assertEqual(production.backflush_state, "done")
        exception.action_retry()
        self.assertEqual(self.on_hand(self.screw), 10)

    def test_exception_closed_by_hand_needs_a_resolution(self):
        self.rule(name="Screws queued", product_id=self.screw.id, shortage_policy="queue")
        production = self.make_mo(5)
        self.produce(production, 5)
        exception = production.backflush_exception_ids
        with self.assertRaises(UserError):
            exception.action_resolve()
        exception.resolution = "Consumed from the scrap bin by hand"
        exception.action_resolve()
        self.assertEqual(exception.state, "resolved")

    def test_preview_shows_shortage_and_posts_nothing(self):
        self.rule(name="Screws strict", product_id=self.screw.id, shortage_policy="block")
        production = self.make_mo(5)
        finished = production.move_finished_ids.filtered(lambda m: m.product_id == self.table)
        finished.quantity_done = 5
        action = production.action_backflush_preview()
        preview = self.env["backflush.preview"].browse(action["res_id"])
        screw = preview.line_ids.filtered(lambda line: line.product_id == self.screw)
        self.assertEqual((screw.qty_standard, screw.qty_to_post, screw.qty_available,
                          screw.shortage), (40, 40, 30, 10))
        self.assertEqual(screw.shortage_policy, "block")
        leg = preview.line_ids.filtered(lambda line: line.product_id == self.leg)
        self.assertEqual((leg.qty_to_post, leg.shortage, leg.trigger), (20, 0, "production_done"))
        self.assertTrue(preview.has_shortage)
        self.assertEqual(self.on_hand(self.leg), 100)
        self.assertFalse(production.backflush_log_ids)


class TestBatchServerAction(BackflushCase):

    def test_batch_reports_posted_skipped_failed(self):
        self.stock_everything(100)
        self.rule(name="Tops strict", product_id=self.top.id, shortage_policy="block")
        posted, nothing_due, failing = self.make_mo(1), self.make_mo(1), self.make_mo(1)
        for production in (posted, failing):
            finished = production.move_finished_ids.filtered(
                lambda m: m.product_id == self.table)
            finished.quantity_done = 1
        self.put_stock(self.top, -self.on_hand(self.top) + 1)
        productions = posted | nothing_due | failing
        action = productions.action_backflush_batch()
        result = self.env["backflush.batch.result"].browse(action["res_id"])
        self.assertIn("1 posted, 1 with nothing due, 1 failed", result.message)
        self.assertIn(failing.name, result.message)
        self.assertEqual(self.consumed(posted, self.leg), 4)
        self.assertEqual(self.consumed(failing, self.leg), 0)
        self.assertEqual(failing.backflush_exception_ids.reason, "shortage")
