"""Backflush suitability statistics, levels and advice, without a database."""
import pytest
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


# -- statistics -----------------------------------------------------------------

def test_usage_pct_is_relative_to_standard():
    assert usage_pct(OrderUsage(1, 40.0, 42.0)) == 5.0
    assert usage_pct(OrderUsage(1, 40.0, 38.0)) == -5.0
    assert usage_pct(OrderUsage(1, 40.0, 40.0)) == 0.0
    assert usage_pct(OrderUsage(1, 40.0, 0.0)) == -100.0
    assert usage_pct(OrderUsage(1, 0.0, 3.0)) is None


def test_statistics_mean_is_weighted_by_quantity_spread_is_max_minus_min():
    stats = statistics(orders(40, 44, 38, 46))   # 0, +10, -5, +15 %
    assert stats.order_count == 4
    assert stats.min_pct == -5.0
    assert stats.max_pct == 15.0
    assert stats.spread_pct == 20.0
    assert stats.mean_pct == 5.0                  # (168 - 160) / 160


def test_weighted_mean_does_not_let_a_small_order_dominate():
    # 1 table with 16 screws instead of 8 (+100 %), 100 tables exactly as planned
    stats = statistics([OrderUsage(1, 8.0, 16.0), OrderUsage(2, 800.0, 800.0)])
    assert stats.mean_pct == pytest.approx(0.990099, abs=1e-6)
    assert stats.spread_pct == 100.0


def test_orders_without_standard_do_not_count():
    stats = statistics([OrderUsage(1, 0.0, 5.0), OrderUsage(2, 40.0, 42.0)])
    assert stats == Stats(1, 5.0, 5.0, 5.0)
    assert statistics([]) == Stats(0)
    assert statistics([OrderUsage(1, 0.0, 1.0)]).order_count == 0


def test_float_noise_never_crosses_a_threshold():
    # 0.1 kg steps of 1.7 kg: 1.785 is exactly 5 % more, whatever binary floats say
    stats = statistics([OrderUsage(1, 1.7, 1.7), OrderUsage(2, 1.7, 1.785),
                        OrderUsage(3, 1.7, 1.7)])
    assert stats.spread_pct == 5.0
    assert classify(stats, DEFAULT) == GOOD


# -- classification -----------------------------------------------------------------

@pytest.mark.parametrize("actuals, level", [
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
])
def test_classify_with_default_thresholds(actuals, level):
    assert classify(statistics(orders(*actuals)), DEFAULT) == level


def test_thresholds_are_the_companys():
    stats = statistics(orders(40, 44, 38, 46))
    assert classify(stats, Thresholds(watch_spread=25, unsuitable_spread=30,
                                      mean_threshold=10)) == GOOD
    assert classify(stats, Thresholds(watch_spread=10, unsuitable_spread=25)) == WATCH
    assert classify(statistics(orders(40, 44)), Thresholds(min_orders=2)) == WATCH


@PROPERTY_SETTINGS
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=0, max_size=12),
       st.floats(0, 50), st.floats(0, 50), st.floats(0, 20))
def test_levels_grow_with_spread_and_mean(actuals, watch, extra, mean_threshold):
    thresholds = Thresholds(watch_spread=watch, unsuitable_spread=watch + extra,
                            mean_threshold=mean_threshold)
    stats = statistics(orders(*actuals))
    level = classify(stats, thresholds)
    if stats.order_count < thresholds.min_orders:
        assert level == NO_DATA
    elif stats.spread_pct > thresholds.unsuitable_spread:
        assert level == UNSUITABLE
    elif stats.spread_pct > thresholds.watch_spread or abs(stats.mean_pct) > mean_threshold:
        assert level == WATCH
    else:
        assert level == GOOD
    if stats.order_count:
        assert stats.min_pct <= stats.mean_pct + 1e-6
        assert stats.mean_pct <= stats.max_pct + 1e-6
        assert stats.spread_pct >= 0


def test_a_bom_is_as_suitable_as_its_worst_component():
    assert worst([GOOD, UNSUITABLE, WATCH]) == UNSUITABLE
    assert worst([GOOD, NO_DATA]) == GOOD
    assert worst([NO_DATA]) == NO_DATA
    assert worst([]) == NO_DATA


# -- scrap factor -------------------------------------------------------------------------

def test_suggested_scrap_factor_matches_the_mean_usage():
    assert suggested_scrap(0.0, 5.0) == 5.0
    # the standard already has 10 % scrap; 2 % more than that -> 12.2 %
    assert suggested_scrap(10.0, 2.0) == 12.2
    # 10 % scrap but 4.5 % less used -> 5 %
    assert suggested_scrap(10.0, -4.5455) == 5.0
    assert suggested_scrap(0.0, -3.0) is None
    assert suggested_scrap(3.0, -2.9126) == 0.0


def test_fmt_keeps_one_decimal_at_most():
    assert fmt(14.0) == "14"
    assert fmt(4.54) == "4.5"
    assert fmt(-3.0) == "-3"
    assert fmt(-0.01) == "0"
    assert fmt(0.0) == "0"


# -- advice --------------------------------------------------------------------------------------

def test_advice_for_a_varying_component_over_standard():
    # 0, +5, +14, +1 %: varies 14 %, 5 % more on average
    screws = assess(3, "Screws", orders(40, 42, 45.6, 40.4), DEFAULT)
    assert screws.level == WATCH
    assert screws.stats.spread_pct == 14.0
    assert screws.suggested_scrap == 5.0
    assert screws.advice == ("Screws: usage varies 14 % between orders: consider trigger "
                             "manual or a scrap factor of 5 %.")


def test_advice_for_a_varying_component_on_standard_on_average():
    screws = assess(3, "Screws", orders(38, 42, 40), DEFAULT)
    assert screws.level == WATCH
    assert screws.advice == ("Screws: usage varies 10 % between orders: consider trigger "
                             "manual, or record the actual consumption on the orders that "
                             "differ.")
    # varying and below standard on average: both sentences
    fewer = assess(3, "Screws", orders(36, 38, 40), DEFAULT)
    assert fewer.level == WATCH
    assert fewer.advice.endswith("differ. Screws: uses 5 % less than standard on average: "
                                 "consider lowering its quantity in the BoM by 5 %.")
    manual = assess(3, "Screws", orders(38, 42, 40), DEFAULT, manual=True)
    assert manual.advice == ("Screws: usage varies 10 % between orders: its trigger is "
                             "manual, which suits it; watch it.")


def test_advice_for_an_unsuitable_component():
    screws = assess(3, "Screws", orders(40, 44, 38, 46), DEFAULT)
    assert screws.level == UNSUITABLE
    assert screws.advice == ("Screws: usage varies 20 % between orders (from -5 % to 15 % "
                             "of standard): backflush does not fit; set its trigger to "
                             "manual and issue it by hand.")
    manual = assess(3, "Screws", orders(40, 44, 38, 46), DEFAULT, manual=True)
    assert manual.advice.endswith("backflush does not fit; keep its trigger manual.")


def test_advice_for_a_stable_component_used_beyond_standard():
    glue = assess(4, "Glue", orders(42, 42, 42.4), DEFAULT)
    assert glue.level == WATCH
    assert glue.advice == ("Glue: uses 5.3 % more than standard on average: consider a "
                           "scrap factor of 5.3 %.")
    with_scrap = assess(4, "Glue", orders(42, 42, 42.4), DEFAULT, current_scrap=2.0)
    assert with_scrap.suggested_scrap == 7.4
    assert with_scrap.advice.endswith("consider a scrap factor of 7.4 %.")


def test_advice_for_a_stable_component_used_below_standard():
    legs = assess(1, "Leg", orders(38, 38, 38), DEFAULT)
    assert legs.level == WATCH
    assert legs.advice == ("Leg: uses 5 % less than standard on average: consider lowering "
                           "its quantity in the BoM by 5 %.")
    scrapped = assess(1, "Leg", orders(38, 38, 38), DEFAULT, current_scrap=10.0)
    assert scrapped.advice == ("Leg: uses 5 % less than standard on average: consider "
                               "lowering its scrap factor from 10 % to 4.5 %.")


def test_advice_for_a_good_component():
    top = assess(2, "Top", orders(40, 40, 40.4), DEFAULT)
    assert top.level == GOOD
    assert top.advice == ("Top: usage is stable (varies 1 % between orders, mean 0.3 %): "
                          "backflush fits.")


def test_advice_without_enough_orders():
    top = assess(2, "Top", orders(40, 41), DEFAULT)
    assert top.level == NO_DATA
    assert top.advice == "Top: 2 closed order(s) so far; the advice needs at least 3."


def test_advice_is_translated_through_the_callers_function():
    translations = {"%(component)s: usage is stable (varies %(spread)s %% between orders, "
                    "mean %(mean)s %%): backflush fits.":
                    "%(component)s : consommation stable (%(spread)s %%) : backflush adapté."}
    top = assess(2, "Plateau", orders(40, 40, 40), DEFAULT,
                 _=lambda text: translations.get(text, text))
    assert top.advice == "Plateau : consommation stable (0 %) : backflush adapté."


# -- a whole BoM --------------------------------------------------------------------------------

def test_bom_summary_lists_what_to_do_most_severe_first():
    components = [
        assess(1, "Leg", orders(40, 40, 40), DEFAULT),
        assess(2, "Glue", orders(42, 42, 42.4), DEFAULT),
        assess(3, "Screws", orders(40, 44, 38, 46), DEFAULT),
        assess(4, "Paint", orders(40), DEFAULT),
    ]
    bom = summarise(components, 4, DEFAULT)
    assert bom.level == UNSUITABLE
    assert bom.order_count == 4
    lines = bom.advice.split("\n")
    assert len(lines) == 2
    assert lines[0].startswith("Screws: usage varies 20 %")
    assert lines[1].startswith("Glue: uses 5.3 % more")


def test_bom_summary_when_everything_fits_or_nothing_is_known():
    good = summarise([assess(1, "Leg", orders(40, 40, 40), DEFAULT)], 3, DEFAULT)
    assert good.level == GOOD
    assert good.advice == "Every component is consumed as planned: backflush fits this BoM."
    unknown = summarise([assess(1, "Leg", orders(40), DEFAULT)], 1, DEFAULT)
    assert unknown.level == NO_DATA
    assert unknown.advice == "1 closed order(s) so far; the advice needs at least 3."
    assert summarise([], 0, DEFAULT).level == NO_DATA


def test_levels_are_ordered_by_severity():
    assert suitability.LEVELS == (NO_DATA, GOOD, WATCH, UNSUITABLE)
