"""backflush_report_output: output reporting for scanners and RFID gates (SPEC section 6)."""
from odoo.exceptions import AccessError, UserError

from .common import BackflushCase


class TestReportOutput(BackflushCase):

    def test_reports_output_by_reference_and_consumes(self):
        self.stock_everything(100)
        production = self.make_mo(5)
        result = self.env["mrp.production"].backflush_report_output(production.name, 2)
        self.assertEqual(result["production"], production.name)
        self.assertEqual(result["state"], "progress")
        self.assertEqual(result["produced"], 2)
        consumed = {row["product"]: row["qty"] for row in result["consumed"]}
        self.assertEqual(consumed, {"Leg": 8, "Top": 2, "Screw": 16})
        self.assertEqual(result["exceptions"], [])
        self.assertEqual(self.on_hand(self.leg), 92)
        result = self.env["mrp.production"].backflush_report_output(production.id, 3)
        self.assertEqual(result["produced"], 5)
        self.assertEqual(self.on_hand(self.leg), 80)

    def test_bad_input_is_refused_and_nothing_is_recorded(self):
        self.stock_everything(100)
        production = self.make_mo(5)
        Production = self.env["mrp.production"]
        for ref, qty in ((production.name, -1), (production.name, 0), (production.name, "2"),
                         (production.name, True), (production.name, float("nan")),
                         (production.name, 1e12), ("MO/NOPE", 1), (999999999, 1),
                         ("", 1), (None, 1)):
            with self.assertRaises(UserError, msg="%r %r" % (ref, qty)):
                Production.backflush_report_output(ref, qty)
        self.assertEqual(self.on_hand(self.leg), 100)
        self.assertFalse(production.backflush_log_ids)

    def test_done_order_and_user_without_rights(self):
        self.stock_everything(100)
        production = self.make_mo(1)
        clerk = self.env["res.users"].create({
            "name": "Clerk", "login": "clerk-report-output",
            "groups_id": [(6, 0, [self.env.ref("stock.group_stock_user").id])]})
        with self.assertRaises(AccessError):
            self.env["mrp.production"].sudo(clerk).backflush_report_output(production.id, 1)
        self.assertEqual(self.on_hand(self.leg), 100)
        self.produce(production, 1)
        production.button_mark_done()
        with self.assertRaises(UserError):
            self.env["mrp.production"].backflush_report_output(production.id, 1)

    def test_tracked_finished_product_needs_a_lot(self):
        self.table.tracking = "lot"
        self.stock_everything(100)
        production = self.make_mo(2)
        with self.assertRaises(UserError):
            self.env["mrp.production"].backflush_report_output(production.id, 1)
        result = self.env["mrp.production"].backflush_report_output(production.id, 1,
                                                                    lot_name="T-0001")
        self.assertEqual(result["produced"], 1)
        lot = self.env["stock.production.lot"].search([("name", "=", "T-0001")])
        self.assertEqual(lot.product_id, self.table)
