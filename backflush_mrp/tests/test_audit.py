"""The consistency audit finds nothing on sound books, and finds tampering."""
from .common_accounting import BackflushAccountingCase


class TestAudit(BackflushAccountingCase):

    def _closed_mo(self):
        self.receive_everything()
        production = self.make_mo(5)
        production.move_raw_ids.filtered(lambda m: m.product_id == self.screw).quantity_done = 42
        self.produce(production, 5)
        production.button_mark_done()
        return production

    def test_sound_order_has_no_discrepancy(self):
        production = self._closed_mo()
        audit = self.env["backflush.audit"].create({"production_ids": [(6, 0, production.ids)]})
        audit.action_run()
        self.assertEqual((audit.state, audit.checked_count, len(audit.line_ids)), ("done", 1, 0))

    def _tamper(self, production, amount):
        self.env["account.move"].create({
            "journal_id": self.stock_journal.id, "ref": "tampering",
            "line_ids": [
                (0, 0, {"name": "x", "account_id": self.accounts["wip"].id,
                        "debit": max(amount, 0), "credit": max(-amount, 0),
                        "backflush_production_id": production.id}),
                (0, 0, {"name": "x", "account_id": self.accounts["usage"].id,
                        "debit": max(-amount, 0), "credit": max(amount, 0),
                        "backflush_production_id": production.id,
                        "backflush_variance_type": "usage"}),
            ]}).post()

    def test_audit_finds_wip_left_and_wrong_variance(self):
        production = self._closed_mo()
        self._tamper(production, 1.0)
        findings = self.env["backflush.audit"]._audit(production)
        self.assertEqual({f["check"] for f in findings}, {"wip_zero", "variance_formula"})
        self._tamper(production, -1.0)  # an accountant's correction
        self.assertEqual(self.env["backflush.audit"]._audit(production), [])

    def test_audit_finds_a_component_consumed_twice(self):
        production = self._closed_mo()
        log = production.backflush_log_ids[:1]
        log.line_ids[:1].sudo().qty_posted += 100
        findings = self.env["backflush.audit"]._audit(production)
        self.assertIn("consumed_twice", {f["check"] for f in findings})
        log.line_ids[:1].sudo().qty_posted -= 100
