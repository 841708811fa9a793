"""Backflush suitability statistics, levels and advice, without a database."""
import unittest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odoo.addons.backflush_mrp.lib import suitability
from odoo.addons.backflush_mrp.lib.suitability import (
    GOOD,
    NO_DATA,
    UNSUITABLE,
    WATCH,
    OrderUsage,
    Stats,
    Thresholds,
    assess,
    classify,
    fmt,
    statistics,
    suggested_scrap,
    summarise,
    usage_pct,
    worst,
)

DEFAULT = Thresholds()
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow])


def orders(*actuals, standard=40.0):
    """Orders of 5 tables (40 screws standard) with the screws really used."""
    return [OrderUsage(index, standard, actual) for index, actual in enumerate(actuals, 1)]


class TestStatistics(unittest.TestCase):

    def test_usage_pct_is_relative_to_standard(self):
        self.assertEqual(usage_pct(OrderUsage(1, 40.0, 42.0)), 5.0)
        self.assertEqual(usage_pct(OrderUsage(1, 40.0, 38.0)), -5.0)
        self.assertEqual(usage_pct(OrderUsage(1, 40.0, 40.0)), 0.0)
        self.assertEqual(usage_pct(OrderUsage(1, 40.0, 0.0)), -100.0)
        self.assertIsNone(usage_pct(OrderUsage(1, 0.0, 3.0)))

    def test_statistics_mean_is_weighted_by_quantity_spread_is_max_minus_min(self):
        stats = statistics(orders(40, 44, 38, 46))   # 0, +10, -5, +15 %
        self.assertEqual(stats.order_count, 4)
        self.assertEqual(stats.min_pct, -5.0)
        self.assertEqual(stats.max_pct, 15.0)
        self.assertEqual(stats.spread_pct, 20.0)
        self.assertEqual(stats.mean_pct, 5.0)                  # (168 - 160) / 160

    def test_weighted_mean_does_not_let_a_small_order_dominate(self):
        # 1 table with 16 screws instead of 8 (+100 %), 100 tables exactly as planned
        stats = statistics([OrderUsage(1, 8.0, 16.0), OrderUsage(2, 800.0, 800.0)])
        self.assertAlmostEqual(stats.mean_pct, 0.990099, delta=1e-6)
        self.assertEqual(stats.spread_pct, 100.0)

    def test_orders_without_standard_do_not_count(self):
        stats = statistics([OrderUsage(1, 0.0, 5.0), OrderUsage(2, 40.0, 42.0)])
        self.assertEqual(stats, Stats(1, 5.0, 5.0, 5.0))
        self.assertEqual(statistics([]), Stats(0))
        self.assertEqual(statistics([OrderUsage(1, 0.0, 1.0)]).order_count, 0)

    def test_float_noise_never_crosses_a_threshold(self):
        # 0.1 kg steps of 1.7 kg: 1.785 is exactly 5 % more, whatever binary floats say
        stats = statistics([OrderUsage(1, 1.7, 1.7), OrderUsage(2, 1.7, 1.785),
                            OrderUsage(3, 1.7, 1.7)])
        self.assertEqual(stats.spread_pct, 5.0)
        self.assertEqual(classify(stats, DEFAULT), GOOD)


class TestClassification(unittest.TestCase):

    def test_classify_with_default_thresholds(self):
        for actuals, level in [
            ((40, 40, 40), GOOD),
            ((40, 41, 40, 39), GOOD),          # spread 5 is not above 5
            ((40, 42, 44), WATCH),             # spread 10
            ((40, 46, 40), WATCH),             # spread 15 is not above 15
            ((40, 44, 38, 46), UNSUITABLE),    # spread 20
            ((42, 42, 43), WATCH),             # stable (spread 2.5) but 5.8 % more on average
            ((39, 39, 39), WATCH),             # stable but 2.5 % less on average
            ((40, 40.8, 40.4), GOOD),          # mean 1 %: within the 2 % threshold
            ((40, 44), NO_DATA),               # two orders give no verdict
            ((), NO_DATA),
        ]:
            with self.subTest(actuals=actuals):
                self.assertEqual(classify(statistics(orders(*actuals)), DEFAULT), level)

    def test_thresholds_are_the_companys(self):
        stats = statistics(orders(40, 44, 38, 46))
        self.assertEqual(classify(stats, Thresholds(watch_spread=25, unsuitable_spread=30,
                                                    mean_threshold=10)), GOOD)
        self.assertEqual(classify(stats, Thresholds(watch_spread=10, unsuitable_spread=25)),
                         WATCH)
        self.assertEqual(classify(statistics(orders(40, 44)), Thresholds(min_orders=2)), WATCH)

    @PROPERTY_SETTINGS
    @given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=0, max_size=12),
           st.floats(0, 50), st.floats(0, 50), st.floats(0, 20))
    def test_levels_grow_with_spread_and_mean(self, actuals, watch, extra, mean_threshold):
        thresholds = Thresholds(watch_spread=watch, unsuitable_spread=watch + extra,
                                mean_threshold=mean_threshold)
        stats = statistics(orders(*actuals))
        level = classify(stats, thresholds)
        if stats.order_count < thresholds.min_orders:
            self.assertEqual(level, NO_DATA)
        elif stats.spread_pct > thresholds.unsuitable_spread:
            self.assertEqual(level, UNSUITABLE)
        elif stats.spread_pct > thresholds.watch_spread or abs(stats.mean_pct) > mean_threshold:
            self.assertEqual(level, WATCH)
        else:
            self.assertEqual(level, GOOD)
        if stats.order_count:
            self.assertLessEqual(stats.min_pct, stats.mean_pct + 1e-6)
            self.assertLessEqual(stats.mean_pct, stats.max_pct + 1e-6)
            self.assertGreaterEqual(stats.spread_pct, 0)

    def test_a_bom_is_as_suitable_as_its_worst_component(self):
        self.assertEqual(worst([GOOD, UNSUITABLE, WATCH]), UNSUITABLE)
        self.assertEqual(worst([GOOD, NO_DATA]), GOOD)
        self.assertEqual(worst([NO_DATA]), NO_DATA)
        self.assertEqual(worst([]), NO_DATA)

    def test_levels_are_ordered_by_severity(self):
        self.assertEqual(suitability.LEVELS, (NO_DATA, GOOD, WATCH, UNSUITABLE))


class TestScrapFactorAndFormat(unittest.TestCase):

    def test_suggested_scrap_factor_matches_the_mean_usage(self):
        self.assertEqual(suggested_scrap(0.0, 5.0), 5.0)
        # the standard already has 10 % scrap; 2 % more than that -> 12.2 %
        self.assertEqual(suggested_scrap(10.0, 2.0), 12.2)
        # 10 % scrap but 4.5 % less used -> 5 %
        self.assertEqual(suggested_scrap(10.0, -4.5455), 5.0)
        self.assertIsNone(suggested_scrap(0.0, -3.0))
        self.assertEqual(suggested_scrap(3.0, -2.9126), 0.0)

    def test_fmt_keeps_one_decimal_at_most(self):
        self.assertEqual(fmt(14.0), "14")
        self.assertEqual(fmt(4.54), "4.5")
        self.assertEqual(fmt(-3.0), "-3")
        self.assertEqual(fmt(-0.01), "0")
        self.assertEqual(fmt(0.0), "0")


class TestAdvice(unittest.TestCase):
    """The advice for one component."""

    def test_advice_for_a_varying_component_over_standard(self):
        # 0, +5, +14, +1 %: varies 14 %, 5 % more on average
        screws = assess(3, "Screws", orders(40, 42, 45.6, 40.4), DEFAULT)
        self.assertEqual(screws.level, WATCH)
        self.assertEqual(screws.stats.spread_pct, 14.0)
        self.assertEqual(screws.suggested_scrap, 5.0)
        self.assertEqual(screws.advice, "Screws: usage varies 14 % between orders: consider "
                                        "trigger manual or a scrap factor of 5 %.")

    def test_advice_for_a_varying_component_on_standard_on_average(self):
        screws = assess(3, "Screws", orders(38, 42, 40), DEFAULT)
        self.assertEqual(screws.level, WATCH)
        self.assertEqual(screws.advice, "Screws: usage varies 10 % between orders: consider "
                                        "trigger manual, or record the actual consumption on "
                                        "the orders that differ.")
        # varying and below standard on average: both sentences
        fewer = assess(3, "Screws", orders(36, 38, 40), DEFAULT)
        self.assertEqual(fewer.level, WATCH)
        self.assertTrue(fewer.advice.endswith(
            "differ. Screws: uses 5 % less than standard on average: "
            "consider lowering its quantity in the BoM by 5 %."), fewer.advice)
        manual = assess(3, "Screws", orders(38, 42, 40), DEFAULT, manual=True)
        self.assertEqual(manual.advice, "Screws: usage varies 10 % between orders: its trigger "
                                        "is manual, which suits it; watch it.")

    def test_advice_for_an_unsuitable_component(self):
        screws = assess(3, "Screws", orders(40, 44, 38, 46), DEFAULT)
        self.assertEqual(screws.level, UNSUITABLE)
        self.assertEqual(screws.advice, "Screws: usage varies 20 % between orders (from -5 % "
                                        "to 15 % of standard): backflush does not fit; set its "
                                        "trigger to manual and issue it by hand.")
        manual = assess(3, "Screws", orders(40, 44, 38, 46), DEFAULT, manual=True)
        self.assertTrue(manual.advice.endswith(
            "backflush does not fit; keep its trigger manual."), manual.advice)

    def test_advice_for_a_stable_component_used_beyond_standard(self):
        glue = assess(4, "Glue", orders(42, 42, 42.4), DEFAULT)
        self.assertEqual(glue.level, WATCH)
        self.assertEqual(glue.advice, "Glue: uses 5.3 % more than standard on average: "
                                      "consider a scrap factor of 5.3 %.")
        with_scrap = assess(4, "Glue", orders(42, 42, 42.4), DEFAULT, current_scrap=2.0)
        self.assertEqual(with_scrap.suggested_scrap, 7.4)
        self.assertTrue(with_scrap.advice.endswith("consider a scrap factor of 7.4 %."),
                        with_scrap.advice)

    def test_advice_for_a_stable_component_used_below_standard(self):
        legs = assess(1, "Leg", orders(38, 38, 38), DEFAULT)
        self.assertEqual(legs.level, WATCH)
        self.assertEqual(legs.advice, "Leg: uses 5 % less than standard on average: consider "
                                      "lowering its quantity in the BoM by 5 %.")
        scrapped = assess(1, "Leg", orders(38, 38, 38), DEFAULT, current_scrap=10.0)
        self.assertEqual(scrapped.advice, "Leg: uses 5 % less than standard on average: "
                                          "consider lowering its scrap factor from 10 % to "
                                          "4.5 %.")

    def test_advice_for_a_good_component(self):
        top = assess(2, "Top", orders(40, 40, 40.4), DEFAULT)
        self.assertEqual(top.level, GOOD)
        self.assertEqual(top.advice, "Top: usage is stable (varies 1 % between orders, mean "
                                     "0.3 %): backflush fits.")

    def test_advice_without_enough_orders(self):
        top = assess(2, "Top", orders(40, 41), DEFAULT)
        self.assertEqual(top.level, NO_DATA)
        self.assertEqual(top.advice, "Top: 2 closed order(s) so far; the advice needs at "
                                     "least 3.")

    def test_advice_is_translated_through_the_callers_function(self):
        translations = {"%(component)s: usage is stable (varies %(spread)s %% between orders, "
                        "mean %(mean)s %%): backflush fits.":
                        "%(component)s : consommation stable (%(spread)s %%) : backflush adapté."}
        top = assess(2, "Plateau", orders(40, 40, 40), DEFAULT,
                     _=lambda text: translations.get(text, text))
        self.assertEqual(top.advice, "Plateau : consommation stable (0 %) : backflush adapté.")


class TestBomSummary(unittest.TestCase):
    """The advice for a whole BoM."""

    def test_bom_summary_lists_what_to_do_most_severe_first(self):
        components = [
            assess(1, "Leg", orders(40, 40, 40), DEFAULT),
            assess(2, "Glue", orders(42, 42, 42.4), DEFAULT),
            assess(3, "Screws", orders(40, 44, 38, 46), DEFAULT),
            assess(4, "Paint", orders(40), DEFAULT),
        ]
        bom = summarise(components, 4, DEFAULT)
        self.assertEqual(bom.level, UNSUITABLE)
        self.assertEqual(bom.order_count, 4)
        lines = bom.advice.split("\n")
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].startswith("Screws: usage varies 20 %"), lines[0])
        self.assertTrue(lines[1].startswith("Glue: uses 5.3 % more"), lines[1])

    def test_bom_summary_when_everything_fits_or_nothing_is_known(self):
        good = summarise([assess(1, "Leg", orders(40, 40, 40), DEFAULT)], 3, DEFAULT)
        self.assertEqual(good.level, GOOD)
        self.assertEqual(good.advice, "Every component is consumed as planned: backflush fits "
                                      "this BoM.")
        unknown = summarise([assess(1, "Leg", orders(40), DEFAULT)], 1, DEFAULT)
        self.assertEqual(unknown.level, NO_DATA)
        self.assertEqual(unknown.advice, "1 closed order(s) so far; the advice needs at "
                                         "least 3.")
        self.assertEqual(summarise([], 0, DEFAULT).level, NO_DATA)
