"""Backflush suitability advice per BoM (issue 7, item 6), from real closed orders.

Table T = 4 Leg + 1 Top + 8 Screw; every order makes 5 tables, so 40 screws
are standard and an operator who records 42 used 5 % more.
"""
from odoo.exceptions import AccessError, ValidationError

from .common import BackflushCase


class SuitabilityCase(BackflushCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "backflush_suitability_order_count": 10,
            "backflush_suitability_watch_spread": 5.0,
            "backflush_suitability_unsuitable_spread": 15.0,
            "backflush_suitability_mean_threshold": 2.0,
        })

    def close(self, screws=None, qty=5, bom=None):
        """One closed order; screws: what the operator recorded before producing."""
        self.stock_everything(100)
        production = self.make_mo(qty, bom=bom)
        if screws is not None:
            move = production.move_raw_ids.filtered(lambda m: m.product_id == self.screw)
            move.quantity_done = screws
        self.produce(production, qty)
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.env["mrp.bom"].invalidate_cache()  # the suitability is computed, not stored
        return production

    def close_all(self, *screws):
        return [self.close(used) for used in screws]

    def lines(self, bom):
        """The per-component rows, as the BoM form's button fills them."""
        bom.action_backflush_suitability_lines()
        self.env["mrp.bom"].invalidate_cache()
        return bom.backflush_suitability_line_ids

    def row(self, bom, product):
        return self.lines(bom).filtered(
            lambda line: line.product_id == product)


class TestSuitability(SuitabilityCase):

    def test_stable_consumption_suits_backflush(self):
        self.close_all(None, None, None)
        self.assertEqual(self.bom.backflush_suitability, "good")
        self.assertEqual(self.bom.backflush_suitability_order_count, 3)
        self.assertEqual(self.bom.backflush_suitability_advice,
                         "Every component is consumed as planned: backflush fits this BoM.")
        lines = self.lines(self.bom)
        self.assertEqual(lines.mapped("product_id"), self.leg | self.top | self.screw)
        self.assertEqual(set(lines.mapped("suitability")), {"good"})
        self.assertEqual(set(lines.mapped("spread_pct")), {0.0})
        self.assertEqual(set(lines.mapped("order_count")), {3})
        screw = self.row(self.bom, self.screw)
        self.assertEqual(screw.advice, "Screw: usage is stable (varies 0 % between orders, "
                                       "mean 0 %): backflush fits.")

    def test_varying_screws_are_to_watch_with_a_scrap_factor(self):
        # 0, +5, +15, 0 %: varies 15 %, 5 % more on average (8 extra on 160)
        self.close_all(40, 42, 46, 40)
        self.assertEqual(self.bom.backflush_suitability, "watch")
        screw = self.row(self.bom, self.screw)
        self.assertEqual(screw.suitability, "watch")
        self.assertAlmostEqual(screw.mean_pct, 5.0)
        self.assertAlmostEqual(screw.spread_pct, 15.0)
        self.assertAlmostEqual(screw.min_pct, 0.0)
        self.assertAlmostEqual(screw.max_pct, 15.0)
        self.assertAlmostEqual(screw.suggested_scrap, 5.0)
        self.assertEqual(screw.advice, "Screw: usage varies 15 % between orders: consider "
                                       "trigger manual or a scrap factor of 5 %.")
        self.assertEqual(self.bom.backflush_suitability_advice, screw.advice)
        self.assertEqual(self.row(self.bom, self.leg).suitability, "good")

    def test_widely_varying_screws_make_the_bom_unsuitable(self):
        self.close_all(40, 48, 41)
        self.assertEqual(self.bom.backflush_suitability, "unsuitable")
        screw = self.row(self.bom, self.screw)
        self.assertEqual(screw.suitability, "unsuitable")
        self.assertAlmostEqual(screw.spread_pct, 20.0)
        self.assertEqual(screw.advice, "Screw: usage varies 20 % between orders (from 0 % to "
                                       "20 % of standard): backflush does not fit; set its "
                                       "trigger to manual and issue it by hand.")
        self.assertEqual(self.row(self.bom, self.top).suitability, "good")

    def test_steady_overuse_asks_for_a_scrap_factor_which_then_fits(self):
        self.close_all(42, 42, 42)
        self.assertEqual(self.bom.backflush_suitability, "watch")
        screw = self.row(self.bom, self.screw)
        self.assertAlmostEqual(screw.spread_pct, 0.0)
        self.assertEqual(screw.advice, "Screw: uses 5 % more than standard on average: "
                                       "consider a scrap factor of 5 %.")
        # following the advice: the next orders consume 42 as their standard
        self.line_screw.backflush_scrap_factor = 5.0
        self.company.backflush_suitability_order_count = 3
        productions = self.close_all(None, None, None)
        self.assertEqual(self.consumed(productions[0], self.screw), 42)
        self.assertEqual(self.bom.backflush_suitability, "good")
        screw = self.row(self.bom, self.screw)
        self.assertAlmostEqual(screw.current_scrap, 5.0)
        self.assertAlmostEqual(screw.mean_pct, 0.0)

    def test_only_the_last_n_orders_count(self):
        self.close_all(48, 40, 46)       # before the process was fixed
        self.close_all(None, None, None)
        self.assertEqual(self.bom.backflush_suitability, "unsuitable")
        self.assertEqual(self.bom.backflush_suitability_order_count, 6)
        self.company.backflush_suitability_order_count = 3
        self.bom.invalidate_cache()
        self.assertEqual(self.bom.backflush_suitability, "good")
        self.assertEqual(self.bom.backflush_suitability_order_count, 3)

    def test_too_few_orders_give_no_verdict(self):
        self.assertEqual(self.bom.backflush_suitability, "no_data")
        self.assertEqual(self.bom.backflush_suitability_order_count, 0)
        self.close_all(40, 48)
        self.bom.invalidate_cache()
        self.assertEqual(self.bom.backflush_suitability, "no_data")
        self.assertEqual(self.bom.backflush_suitability_advice,
                         "2 closed order(s) so far; the advice needs at least 3.")
        self.assertEqual(self.row(self.bom, self.screw).advice,
                         "Screw: 2 closed order(s) so far; the advice needs at least 3.")

    def test_open_and_reversed_orders_do_not_count(self):
        self.close_all(None, None, None)
        wild = self.close(48)
        self.assertEqual(self.bom.backflush_suitability, "unsuitable")
        self.make_mo(5)  # confirmed, not done
        wild.action_backflush_reverse()
        self.bom.invalidate_cache()
        self.assertEqual(self.bom.backflush_suitability, "good")
        self.assertEqual(self.bom.backflush_suitability_order_count, 3)

    def test_thresholds_are_the_companys_settings(self):
        self.close_all(40, 48, 41)
        # the settings' fields are the company's (execute() would also apply every
        # other setting, installing modules, which a test must not do)
        self.env["res.config.settings"].create({
            "backflush_suitability_watch_spread": 25.0,
            "backflush_suitability_unsuitable_spread": 40.0,
            "backflush_suitability_mean_threshold": 10.0,
        })
        self.assertEqual(self.company.backflush_suitability_watch_spread, 25.0)
        self.bom.invalidate_cache()
        self.assertEqual(self.bom.backflush_suitability, "good")
        self.company.backflush_suitability_watch_spread = 10.0
        self.bom.invalidate_cache()
        self.assertEqual(self.bom.backflush_suitability, "watch")

    def test_thresholds_must_make_sense(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({  # watch above unsuitable
                "backflush_suitability_watch_spread": 20.0,
                "backflush_suitability_unsuitable_spread": 15.0})
        with self.assertRaises(ValidationError):
            self.company.backflush_suitability_order_count = 2
        with self.assertRaises(ValidationError):
            self.company.backflush_suitability_mean_threshold = -1.0

    def test_each_bom_has_its_own_orders_and_all_are_computed_at_once(self):
        other = self.bom.copy()
        self.close_all(40, 48, 41)
        for _index in range(3):
            self.close(bom=other)
        results = (self.bom | other).backflush_suitability_results()
        self.assertEqual(results[self.bom.id].level, "unsuitable")
        self.assertEqual(results[other.id].level, "good")
        self.assertEqual(results[other.id].order_count, 3)


class TestSuitabilityReport(SuitabilityCase):

    def open_report(self, env=None):
        Report = (env or self.env)["backflush.suitability.report"]
        action = Report.action_open_report()
        self.assertEqual(action["res_model"], "backflush.suitability.report")
        return Report.search(action["domain"])

    def test_report_lists_every_component_of_every_bom_with_closed_orders(self):
        other = self.bom.copy()
        self.close_all(40, 48, 41)
        rows = self.open_report()
        self.assertNotIn(other, rows.mapped("bom_id"))
        mine = rows.filtered(lambda row: row.bom_id == self.bom)
        self.assertEqual(mine.mapped("product_id"), self.leg | self.top | self.screw)
        self.assertEqual(set(mine.mapped("bom_suitability")), {"unsuitable"})
        screw = mine.filtered(lambda row: row.product_id == self.screw)
        self.assertEqual(screw.suitability, "unsuitable")
        self.assertEqual(screw.product_tmpl_id, self.table.product_tmpl_id)
        self.assertEqual(screw.company_id, self.company)
        self.assertIn("backflush does not fit", screw.advice)
        # pivot: the worst spread per BoM and level
        groups = self.env["backflush.suitability.report"].read_group(
            [("id", "in", mine.ids)], ["bom_id", "suitability", "spread_pct"],
            ["suitability"])
        spread = {group["suitability"]: group["spread_pct"] for group in groups}
        self.assertAlmostEqual(spread["unsuitable"], 20.0)
        self.assertAlmostEqual(spread["good"], 0.0)
        # opening it again replaces the user's rows
        again = self.open_report()
        self.assertFalse(rows.exists())
        self.assertEqual(len(again), len(rows))

    def test_report_of_chosen_boms(self):
        self.close_all(40, 42, 46, 40)
        action = self.bom.action_backflush_suitability_report()
        rows = self.env["backflush.suitability.report"].search(action["domain"])
        self.assertEqual(rows.mapped("bom_id"), self.bom)
        self.assertEqual(set(rows.mapped("bom_suitability")), {"watch"})

    def test_accountants_read_it_and_users_see_only_their_own_rows(self):
        self.close_all(40, 48, 41)
        accountant = self.env["res.users"].create({
            "name": "Accountant", "login": "accountant-suitability",
            "groups_id": [(6, 0, [self.env.ref("account.group_account_user").id])]})
        self.assertFalse(self.env["mrp.production"].sudo(accountant).check_access_rights(
            "read", raise_exception=False))
        rows = self.open_report(self.env(user=accountant.id))
        screw = rows.filtered(lambda row: row.product_id == self.screw)
        self.assertEqual(screw.suitability, "unsuitable")
        self.assertEqual(screw.bom_id.sudo(), self.bom)
        planner = self.env["res.users"].create({
            "name": "Planner", "login": "planner-suitability",
            "groups_id": [(6, 0, [self.env.ref("mrp.group_mrp_user").id])]})
        self.assertFalse(self.env["backflush.suitability.report"].sudo(planner).search(
            [("id", "in", rows.ids)]))
        self.assertEqual(self.bom.sudo(planner).backflush_suitability, "unsuitable")

    def test_users_who_may_not_read_orders_get_nothing(self):
        self.close_all(40, 48, 41)
        clerk = self.env["res.users"].create({
            "name": "Clerk", "login": "clerk-suitability",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})
        with self.assertRaises(AccessError):
            self.env["backflush.suitability.report"].sudo(clerk).action_open_report()


class TestSuitabilityTranslated(SuitabilityCase):

    def test_advice_is_in_the_users_language(self):
        self.env["res.lang"].load_lang("fr_FR")
        self.env["ir.translation"].create({
            "type": "code", "lang": "fr_FR", "module": "backflush_mrp",
            "name": "addons/backflush_mrp/lib/suitability.py",
            "src": "%(component)s: usage varies %(spread)s %% between orders (from %(min)s %% "
                   "to %(max)s %% of standard): backflush does not fit; set its trigger to "
                   "manual and issue it by hand.",
            "value": "%(component)s : la consommation varie de %(spread)s %% d'un ordre à "
                     "l'autre : passez-le en déclenchement manuel.",
        })
        self.close_all(40, 48, 41)
        bom = self.bom.with_context(lang="fr_FR")
        self.assertEqual(bom.backflush_suitability_advice,
                         "Screw : la consommation varie de 20 % d'un ordre à l'autre : "
                         "passez-le en déclenchement manuel.")
