"""Idempotent output reports: a report sent again with its report_id posts nothing (issue 16)."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError

from .common import BackflushCase


class TestOutputReportIdempotency(BackflushCase):

    def setUp(self):
        super().setUp()
        self.stock_everything(100)
        self.Production = self.env["mrp.production"].sudo(self.shopfloor)
        self.Report = self.env["backflush.output.report"]

    def report(self, production, qty, report_id, lot_name=None):
        return self.Production.backflush_report_output(production.name, qty, lot_name=lot_name,
                                                       report_id=report_id)

    def test_same_report_sent_twice_posts_once_and_answers_the_same(self):
        production = self.make_mo(5)
        first = self.report(production, 2, "gate-7/0001")
        self.assertEqual(first["produced"], 2)
        self.assertEqual(first["report_id"], "gate-7/0001")
        self.assertEqual(self.on_hand(self.leg), 92)
        again = self.Production.backflush_report_output(production.id, 2.0,
                                                        report_id="gate-7/0001")
        self.assertEqual(again, first)
        self.assertEqual(self.on_hand(self.leg), 92)
        self.assertEqual(self.on_hand(self.top), 98)
        self.assertEqual(self.on_hand(self.screw), 84)
        self.assertEqual(production.qty_produced, 2)
        self.assertEqual(len(production.backflush_log_ids), 1)
        report = self.Report.search([("report_id", "=", "gate-7/0001")])
        self.assertEqual(len(report), 1)
        self.assertEqual((report.production_id, report.qty, report.user_id, report.company_id),
                         (production, 2, self.shopfloor, self.company))
        self.assertEqual(report.log_ids, production.backflush_log_ids)
        self.assertEqual({line.product_id: line.qty_posted for line in report.log_line_ids},
                         {self.leg: 8, self.top: 2, self.screw: 16})
        # a new report_id is a new report
        self.report(production, 2, "gate-7/0002")
        self.assertEqual(production.qty_produced, 4)
        self.assertEqual(self.on_hand(self.leg), 84)

    def test_resend_after_the_order_closed_still_gets_the_first_answer(self):
        production = self.make_mo(2)
        first = self.report(production, 2, "R-closed")
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(self.report(production, 2, "R-closed"), first)
        self.assertEqual(self.on_hand(self.leg), 92)
        with self.assertRaises(UserError):   # a new report on a closed order is refused
            self.report(production, 2, "R-closed-2")

    def test_same_report_id_with_other_quantity_or_order_is_refused(self):
        production = self.make_mo(5)
        other = self.make_mo(5)
        self.report(production, 2, "R-42")
        with self.assertRaises(UserError) as refused:
            self.report(production, 3, "R-42")
        self.assertIn("R-42", refused.exception.name)
        self.assertIn("quantity 3.0 instead of 2.0", refused.exception.name)
        with self.assertRaises(UserError) as refused:
            self.report(other, 2, "R-42")
        self.assertIn("R-42", refused.exception.name)
        self.assertIn("manufacturing order %s instead of %s" % (other.name, production.name),
                      refused.exception.name)
        self.assertEqual(production.qty_produced, 2)
        self.assertEqual(other.qty_produced, 0)
        self.assertFalse(other.backflush_log_ids)
        self.assertEqual(self.on_hand(self.leg), 92)
        self.assertEqual(self.Report.search_count([("report_id", "=", "R-42")]), 1)

    def test_same_report_id_with_another_lot_is_refused(self):
        self.table.tracking = "lot"
        production = self.make_mo(4)
        self.report(production, 1, "R-lot", lot_name="T-0001")
        with self.assertRaises(UserError) as refused:
            self.report(production, 1, "R-lot", lot_name="T-0002")
        self.assertIn("lot T-0002 instead of T-0001", refused.exception.name)
        self.assertEqual(production.qty_produced, 1)
        report = self.Report.search([("report_id", "=", "R-lot")])
        self.assertEqual(report.lot_id.name, "T-0001")

    def test_bad_report_id_is_refused_and_nothing_is_recorded(self):
        production = self.make_mo(5)
        for report_id in ("", "   ", 42, 4.2, True, ["R"], "x" * 129):
            with self.assertRaises(UserError, msg=repr(report_id)):
                self.report(production, 1, report_id)
        with self.assertRaises(UserError):
            self.report(production, 1, "R-lot-number", lot_name=7)
        self.assertEqual(self.on_hand(self.leg), 100)
        self.assertFalse(production.backflush_log_ids)
        self.assertFalse(self.Report.search([("production_id", "=", production.id)]))

    def test_failed_report_keeps_its_id_free(self):
        production = self.make_mo(1)
        production.action_cancel()
        with self.assertRaises(UserError):
            self.report(production, 1, "R-cancelled")
        # the failed call recorded nothing, not even its key: a retry is judged again
        self.assertFalse(self.Report.search([("report_id", "=", "R-cancelled")]))

    def test_without_report_id_nothing_is_kept(self):
        production = self.make_mo(5)
        self.Production.backflush_report_output(production.name, 1)
        self.Production.backflush_report_output(production.name, 1)
        self.assertEqual(production.qty_produced, 2)
        self.assertFalse(self.Report.search([("production_id", "=", production.id)]))

    def test_report_id_is_stripped(self):
        production = self.make_mo(5)
        first = self.report(production, 1, " R-7 ")
        self.assertEqual(self.report(production, 1, "R-7"), first)
        self.assertEqual(production.qty_produced, 1)

    def test_companies_may_reuse_a_report_id(self):
        company_b = self.env["res.company"].create({"name": "Other Factory B"})
        warehouse_b = self.env["stock.warehouse"].create(
            {"name": "Factory B", "code": "FB", "company_id": company_b.id})
        self.env.user.company_ids |= company_b
        for product in (self.leg, self.top, self.screw):
            self.put_stock(product, 100, location=warehouse_b.lot_stock_id)
        production_a = self.make_mo(5)
        production_b = self.env["mrp.production"].create({
            "product_id": self.table.id, "product_qty": 5, "product_uom_id": self.uom_unit.id,
            "bom_id": self.bom.id, "company_id": company_b.id,
            "picking_type_id": warehouse_b.manu_type_id.id,
            "location_src_id": warehouse_b.lot_stock_id.id,
            "location_dest_id": warehouse_b.lot_stock_id.id})
        Production = self.env["mrp.production"]
        Production.backflush_report_output(production_a.id, 1, report_id="R-shared")
        Production.backflush_report_output(production_b.id, 2, report_id="R-shared")
        self.assertEqual((production_a.qty_produced, production_b.qty_produced), (1, 2))
        self.assertEqual(self.on_hand(self.leg), 96)
        self.assertEqual(self.on_hand(self.leg, warehouse_b.lot_stock_id), 92)
        reports = self.Report.search([("report_id", "=", "R-shared")])
        self.assertEqual(reports.mapped("company_id"), self.company | company_b)
        # each company's report stays idempotent on its own
        Production.backflush_report_output(production_b.id, 2, report_id="R-shared")
        self.assertEqual(production_b.qty_produced, 2)

    def test_reports_are_company_bound(self):
        production = self.make_mo(5)
        self.report(production, 1, "R-private")
        company_b = self.env["res.company"].create({"name": "Other Factory B"})
        user_b = self.env["res.users"].create({
            "name": "Planner B", "login": "backflush-report-planner-b",
            "company_id": company_b.id, "company_ids": [(6, 0, company_b.ids)],
            "groups_id": [(6, 0, [self.env.ref("backflush_mrp.group_backflush_manager").id])]})
        self.assertFalse(self.env["backflush.output.report"].sudo(user_b).search([]))
        self.assertTrue(self.env["backflush.output.report"].sudo(self.shopfloor).search(
            [("report_id", "=", "R-private")]))


class TestOutputReportPurge(BackflushCase):

    def setUp(self):
        super().setUp()
        self.stock_everything(100)
        self.Report = self.env["backflush.output.report"]
        self.production = self.make_mo(10)

    def aged(self, report_id, days):
        self.env["mrp.production"].backflush_report_output(self.production.id, 1,
                                                           report_id=report_id)
        report = self.Report.search([("report_id", "=", report_id)])
        now = fields.Datetime.from_string(fields.Datetime.now())
        report.date = fields.Datetime.to_string(now - timedelta(days=days))
        return report

    def test_purge_removes_old_reports_only(self):
        self.company.backflush_report_retention_days = 30
        old = self.aged("R-old", 31)
        recent = self.aged("R-recent", 29)
        fresh = self.aged("R-fresh", 0)
        self.assertEqual(self.Report._cron_purge(), 1)
        self.assertFalse(old.exists())
        self.assertEqual(recent.exists() | fresh.exists(), recent | fresh)
        # what was posted stays posted: the purge deletes the reports, not the output
        self.assertEqual(self.production.qty_produced, 3)
        self.assertEqual(len(self.production.backflush_log_ids), 3)

    def test_zero_days_keeps_reports_for_ever(self):
        self.company.backflush_report_retention_days = 0
        ancient = self.aged("R-ancient", 3650)
        self.assertEqual(self.Report._cron_purge(), 0)
        self.assertTrue(ancient.exists())

    def test_negative_retention_is_refused(self):
        with self.assertRaises(ValidationError):
            self.company.backflush_report_retention_days = -1

    def test_the_purge_is_scheduled_daily(self):
        cron = self.env.ref("backflush_mrp.ir_cron_backflush_output_report_purge")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertIn("_cron_purge", cron.code)

    def test_setting_is_in_the_settings(self):
        settings = self.env["res.config.settings"].create(
            {"backflush_report_retention_days": 90})
        settings.execute()
        self.assertEqual(self.company.backflush_report_retention_days, 90)
