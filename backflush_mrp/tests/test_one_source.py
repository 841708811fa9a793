"""One source for every quantity, and behaviour that does not hang on hidden conditions.

The preview shows what the posting then posts, for every trigger, with a
lot-tracked component and a shortage the allow_negative policy posts anyway;
the web client's Mark as Done button says a person is there; reading a BoM's
suitability writes nothing.
"""
from datetime import datetime

from lxml import etree

from ..exceptions import ShortageProblem
from .common import BackflushCase, LotCase
from .common_accounting import BackflushAccountingCase

# trigger of the MO's components -> the event previewed, then posted
CASES = [
    ("production_done", "output"),
    ("operation_done", "operation"),
    ("shipment", "shipment"),
    ("periodic", "periodic"),
    ("production_done", "manual"),
    ("manual", "manual"),
]


class TestPreviewIsWhatPosts(LotCase):

    def setUp(self):
        super().setUp()
        # every component posts anyway (the company's default policy)
        self.assertEqual(self.company.backflush_default_shortage_policy, "allow_negative")
        self.put_stock(self.leg, 100)
        self.put_stock(self.top, 100)
        self.put_stock(self.screw, 10)  # 24 due: 14 short, posted all the same
        self.put_glue()

    def put_glue(self):
        # 6 glue due, 4 in lots: the lots give 4, the rest is an exception
        self.put_stock(self.glue, 3, lot=self.lot_old, in_date=datetime(2026, 1, 1))
        self.put_stock(self.glue, 1, lot=self.lot_new, in_date=datetime(2026, 3, 1))

    def _mo_with_output(self, trigger):
        self.company.backflush_default_trigger = trigger
        production = self.make_mo(3)
        production.move_finished_ids.filtered(
            lambda m: m.product_id == self.table).quantity_done = 3
        production.backflush_shipped_qty = 3
        return production

    def _previewed(self, production, event):
        preview = self.env["backflush.preview"].create(
            {"production_id": production.id, "event": event})
        lines = preview.line_ids.filtered("qty_posted")
        return ({line.product_id: line.qty_posted for line in lines},
                {line.product_id: sorted(line.lot_names.split(", "))
                 for line in lines if line.lot_names},
                set((preview.problems or "").splitlines()), preview)

    def _posted(self, production, event):
        result = self.env["backflush.posting"].post(production, event)
        log_lines = result["logs"].mapped("line_ids")
        quantities = {line.product_id: line.qty_posted for line in log_lines}
        lots = {}
        for move_line in result["logs"].mapped("move_ids.move_line_ids").filtered("lot_id"):
            lots.setdefault(move_line.product_id, []).append(
                "%s: %s" % (move_line.lot_id.name, move_line.qty_done))
        lots = {product: sorted(names) for product, names in lots.items()}
        problems = set(production.backflush_exception_ids.mapped("message"))
        return quantities, lots, problems

    def test_preview_equals_posting_for_each_trigger(self):
        for trigger, event in CASES:
            with self.subTest(trigger=trigger, event=event):
                production = self._mo_with_output(trigger)
                quantities, lots, problems, preview = self._previewed(production, event)
                self.assertFalse(production.backflush_log_ids, "the preview posts nothing")
                self.assertEqual(self.on_hand(self.screw), 10)
                self.assertEqual(self._posted(production, event),
                                 (quantities, lots, problems))
                if trigger == "manual":
                    self.assertEqual(quantities, {})
                    continue
                # what the preview shows is the posting's: the lots and the policy
                self.assertEqual(quantities, {self.leg: 12, self.top: 3, self.screw: 24,
                                              self.glue: 4})
                self.assertEqual(lots, {self.glue: ["GLUE-NEW: 1.0", "GLUE-OLD: 3.0"]})
                self.assertEqual(preview.line_ids.filtered(
                    lambda line: line.product_id == self.glue).lot_names,
                    "GLUE-OLD: 3.0, GLUE-NEW: 1.0")  # first in, first out
                self.assertEqual(len(problems), 1)
                self.assertIn("Glue", problems.pop())
                glue = preview.line_ids.filtered(lambda line: line.product_id == self.glue)
                self.assertEqual((glue.qty_to_post, glue.qty_posted), (6, 4))
                screw = preview.line_ids.filtered(lambda line: line.product_id == self.screw)
                self.assertEqual((screw.qty_to_post, screw.qty_available, screw.shortage),
                                 (24, 10, 14))
                self.assertEqual(self.on_hand(self.screw), -14)
                # the next MO starts from the same stock
                self.put_stock(self.screw, 24)
                self.put_glue()

    def test_blocking_shortage_previews_nothing_posted(self):
        self.rule(name="Screws strict", product_id=self.screw.id, shortage_policy="block")
        production = self._mo_with_output("production_done")
        quantities, _lots, problems, preview = self._previewed(production, "manual")
        self.assertEqual(quantities, {})
        self.assertTrue(any("Screw" in problem for problem in problems))
        screw = preview.line_ids.filtered(lambda line: line.product_id == self.screw)
        self.assertEqual((screw.qty_to_post, screw.qty_posted, screw.shortage), (24, 0, 14))
        with self.assertRaises(ShortageProblem), self.env.cr.savepoint():
            self.env["backflush.posting"].post(production, "manual")
        self.assertEqual(self.on_hand(self.leg), 100)


class TestMarkAsDoneButton(BackflushAccountingCase):

    def setUp(self):
        super().setUp()
        self.rule(name="Screws by hand", product_id=self.screw.id, trigger="manual")
        self.receive_everything()

    def _short_mo(self):
        production = self.make_mo(1)
        self.produce(production, 1)
        return production

    def test_the_form_buttons_pass_the_context_key(self):
        arch = self.env["mrp.production"].fields_view_get(view_type="form")["arch"]
        buttons = etree.fromstring(arch).xpath("//header/button[@name='button_mark_done']")
        self.assertEqual(len(buttons), 2)
        for button in buttons:
            self.assertEqual(button.get("context"), "{'backflush_interactive': True}")

    def test_button_context_asks_with_a_wizard(self):
        production = self._short_mo()
        action = production.with_context(backflush_interactive=True).button_mark_done()
        self.assertEqual(action["res_model"], "backflush.manual.confirm")
        self.assertEqual(production.state, "progress")
        self.assertFalse(production.backflush_exception_ids)

    def test_without_the_key_an_exception_is_recorded(self):
        production = self._short_mo()
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        exception = production.backflush_exception_ids
        self.assertEqual((exception.reason, exception.product_id), ("other", self.screw))
        self.assertIn("manual component", exception.message)


class TestSuitabilityReadsOnly(BackflushCase):

    def test_reading_a_bom_writes_no_rows(self):
        Report = self.env["backflush.suitability.report"]
        before = Report.search_count([])
        self.bom.invalidate_cache()
        self.bom.read(["backflush_suitability", "backflush_suitability_advice",
                       "backflush_suitability_line_ids"])
        self.assertEqual(Report.search_count([]), before)
        self.bom.action_backflush_suitability_lines()
        self.assertEqual(Report.search_count([]), before)  # no closed order: no row
