"""Standard cost variances (SPEC section 4), without a database."""
import unittest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odoo.addons.backflush_mrp.lib import variance
from odoo.addons.backflush_mrp.lib.variance import (
    VARIANCE_TYPES,
    ComponentCost,
    raw_variances,
    settle,
    split_residual,
)
from odoo.tools.float_utils import float_compare, float_is_zero, float_round

CENT = 0.01
LEG, TOP, SCREW = 1, 2, 3


def cents(value):
    return float_round(value, precision_rounding=CENT)


def same_cents(a, b):
    return float_compare(a, b, precision_rounding=CENT) == 0


def table_components(made=5.0, screws=None, top_actual_price=20.0):
    """Table T = 4 Leg (std 2.50) + 1 Top (std 20.00) + 8 Screw (std 0.10)."""
    screws = 8.0 * made if screws is None else screws
    return [
        ComponentCost(LEG, 4.0 * made, 4.0 * made, 2.50, 4.0 * made * 2.50),
        ComponentCost(TOP, 1.0 * made, 1.0 * made, 20.00, 1.0 * made * top_actual_price),
        ComponentCost(SCREW, 8.0 * made, screws, 0.10, screws * 0.10),
    ]


def wip_residual(components, made, finished_standard):
    """What stays on WIP: the rounded component postings minus the finished posting."""
    debit = sum(cents(c.actual_value) for c in components)
    credit = cents(made * finished_standard)
    return cents(debit - credit), cents(debit), credit


def approx_delta(expected):
    """pytest.approx's default tolerance: 1e-6 relative, at least 1e-12."""
    return max(1e-6 * abs(expected), 1e-12)


class VarianceCase(unittest.TestCase):

    def assertApprox(self, actual, expected):
        self.assertAlmostEqual(actual, expected, delta=approx_delta(expected))

    def assert_amounts(self, amounts, expected):
        self.assertEqual(set(amounts), set(expected))
        for kind, amount in expected.items():
            self.assertTrue(same_cents(amounts[kind], amount),
                            "%s: %r, expected %r" % (kind, amounts[kind], amount))


# -- the worked examples of SPEC section 4 ------------------------------------

class TestWorkedExamples(VarianceCase):

    def test_rollup_of_table_is_30_80(self):
        per_unit = table_components(made=1.0)
        self.assertTrue(same_cents(sum(c.standard_qty * c.standard_cost for c in per_unit),
                                   30.80))

    def test_example_1_no_variance(self):
        components = table_components()
        residual, debit, credit = wip_residual(components, 5.0, 30.80)
        self.assertTrue(same_cents(debit, 154.00))
        self.assertTrue(same_cents(credit, 154.00))
        self.assertTrue(same_cents(residual, 0.0))
        raw = raw_variances(components, 5.0, 30.80)
        for kind in VARIANCE_TYPES:
            self.assertTrue(float_is_zero(raw[kind], precision_rounding=CENT), kind)
        self.assertEqual(settle(components, 5.0, 30.80, residual, CENT), {})

    def test_example_2_usage_variance_42_screws(self):
        components = table_components(screws=42.0)
        residual, debit, credit = wip_residual(components, 5.0, 30.80)
        self.assertTrue(same_cents(debit, 154.20))
        self.assertTrue(same_cents(credit, 154.00))
        raw = raw_variances(components, 5.0, 30.80)
        self.assertApprox(raw["usage"], 0.20)
        self.assertAlmostEqual(raw["price"], 0.0, delta=1e-9)
        self.assertAlmostEqual(raw["revision"], 0.0, delta=1e-9)
        amounts = settle(components, 5.0, 30.80, residual, CENT)
        self.assert_amounts(amounts, {"usage": 0.20})
        self.assertGreater(amounts["usage"], 0)  # unfavourable: debit

    def test_example_3_revision_variance_standard_32(self):
        components = table_components()
        residual, debit, credit = wip_residual(components, 5.0, 32.00)
        self.assertTrue(same_cents(debit, 154.00))
        self.assertTrue(same_cents(credit, 160.00))
        raw = raw_variances(components, 5.0, 32.00)
        self.assertApprox(raw["revision"], -6.00)
        amounts = settle(components, 5.0, 32.00, residual, CENT)
        self.assert_amounts(amounts, {"revision": -6.00})
        self.assertLess(amounts["revision"], 0)  # favourable: credit

    def test_example_4_price_variance_fifo_top(self):
        components = table_components(top_actual_price=21.00)
        residual, debit, credit = wip_residual(components, 5.0, 30.80)
        self.assertTrue(same_cents(debit, 159.00))
        self.assertTrue(same_cents(credit, 154.00))
        raw = raw_variances(components, 5.0, 30.80)
        self.assertApprox(raw["price"], 5.00)
        amounts = settle(components, 5.0, 30.80, residual, CENT)
        self.assert_amounts(amounts, {"price": 5.00})
        self.assertGreater(amounts["price"], 0)  # unfavourable: debit

    def test_examples_2_3_4_together(self):
        components = table_components(screws=42.0, top_actual_price=21.00)
        residual, _debit, _credit = wip_residual(components, 5.0, 32.00)
        self.assertTrue(same_cents(residual, -0.80))
        amounts = settle(components, 5.0, 32.00, residual, CENT)
        self.assert_amounts(amounts, {"usage": 0.20, "price": 5.00, "revision": -6.00})
        self.assertTrue(same_cents(sum(amounts.values()), residual))


class TestRawVariances(VarianceCase):

    def test_raw_variances_add_up_to_actual_minus_finished_value(self):
        components = table_components(made=3.0, screws=25.0, top_actual_price=19.37)
        raw = raw_variances(components, 3.0, 31.15)
        total_actual = sum(c.actual_value for c in components)
        self.assertApprox(sum(raw.values()), total_actual - 3.0 * 31.15)
        self.assertEqual(set(raw), set(VARIANCE_TYPES))

    def test_raw_variances_no_components(self):
        raw = raw_variances([], 2.0, 10.0)
        self.assertEqual(raw, {"usage": 0.0, "price": 0.0, "revision": -20.0})

    def test_raw_variances_standard_changed_during_mo_is_price_variance(self):
        # standard kept on the MO 2.50, valuation posted at the new standard 2.60
        components = [ComponentCost(LEG, 4.0, 4.0, 2.50, 10.40)]
        raw = raw_variances(components, 1.0, 10.0)
        self.assertApprox(raw["price"], 0.40)
        self.assertApprox(raw["usage"], 0.0)
        self.assertApprox(raw["revision"], 0.0)

    def test_raw_variances_under_consumption_is_favourable(self):
        components = [ComponentCost(SCREW, 40.0, 38.0, 0.10, 3.80)]
        raw = raw_variances(components, 5.0, 0.80)
        self.assertApprox(raw["usage"], -0.20)

    def test_variance_types(self):
        self.assertEqual(VARIANCE_TYPES, ("usage", "price", "revision"))
        self.assertIs(variance.VARIANCE_TYPES, VARIANCE_TYPES)


# -- split_residual: rounding -----------------------------------------------

def three_components_with_half_cent_price_variances():
    # each costs 0.10 standard and was valued 0.105: price variance 0.005 each
    return [ComponentCost(pid, 1.0, 1.0, 0.10, 0.105) for pid in (1, 2, 3)]


class TestSplitResidual(VarianceCase):

    def test_half_cent_price_variances_sum_to_wip_residual(self):
        for wip in (0.02, 0.03, 0.01, 0.00, -0.01):
            with self.subTest(wip=wip):
                components = three_components_with_half_cent_price_variances()
                raw = raw_variances(components, 1.0, 0.30)
                self.assertApprox(raw["price"], 0.015)
                amounts = split_residual(raw, wip, CENT)
                self.assertEqual(set(amounts), set(VARIANCE_TYPES))
                self.assertTrue(same_cents(sum(amounts.values()), wip))
                # all of it is price variance: usage and revision are nothing
                self.assertTrue(same_cents(amounts["price"], wip))
                self.assertTrue(same_cents(amounts["usage"], 0.0))
                self.assertTrue(same_cents(amounts["revision"], 0.0))

    def test_split_residual_raw_half_cents(self):
        for wip, price in ((0.02, 0.02), (0.03, 0.03)):
            with self.subTest(wip=wip, price=price):
                raw = {"usage": 0.0, "price": 0.005 + 0.005 + 0.005, "revision": 0.0}
                amounts = split_residual(raw, wip, CENT)
                self.assert_amounts(amounts, {"usage": 0.0, "price": price, "revision": 0.0})

    def test_split_residual_half_cent_in_each_type(self):
        for wip in (0.01, 0.02, 0.03, 0.04):
            with self.subTest(wip=wip):
                raw = {"usage": 0.005, "price": 0.005, "revision": 0.005}
                amounts = split_residual(raw, wip, CENT)
                self.assertTrue(same_cents(sum(amounts.values()), wip))
                # each amount is its own rounded value (0.01), except one that takes the residue
                changed = [kind for kind in VARIANCE_TYPES
                           if not same_cents(amounts[kind], 0.01)]
                self.assertLessEqual(len(changed), 1)
                for kind in VARIANCE_TYPES:
                    self.assertTrue(float_is_zero(amounts[kind] - cents(amounts[kind]),
                                                  precision_rounding=CENT), kind)

    def test_split_residual_cases(self):
        for raw, wip, expected in [
            # the residue goes to the largest line, whatever its sign
            ({"usage": 0.004, "price": 10.004, "revision": -3.004}, 7.01,
             {"usage": 0.0, "price": 10.01, "revision": -3.0}),
            ({"usage": 0.001, "price": 1.0, "revision": -6.0}, -5.01,
             {"usage": 0.0, "price": 1.0, "revision": -6.01}),
            ({"usage": 2.0, "price": -0.5, "revision": 1.0}, 2.51,
             {"usage": 2.01, "price": -0.5, "revision": 1.0}),
            ({"usage": 0.2, "price": 0.3, "revision": -0.4}, 0.08,
             {"usage": 0.2, "price": 0.3, "revision": -0.42}),
            # several cents of residue (many rounded postings) all go to the largest line
            ({"usage": 1.0, "price": 0.1, "revision": 0.0}, 1.15,
             {"usage": 1.05, "price": 0.1, "revision": 0.0}),
            # no residue: each amount is simply rounded HALF-UP
            ({"usage": 0.125, "price": -0.125, "revision": 2.675}, 2.68,
             {"usage": 0.13, "price": -0.13, "revision": 2.68}),
            ({"usage": 0.0, "price": 0.0, "revision": 0.0}, 0.0,
             {"usage": 0.0, "price": 0.0, "revision": 0.0}),
        ]:
            with self.subTest(raw=raw, wip=wip):
                amounts = split_residual(raw, wip, CENT)
                self.assert_amounts(amounts, expected)
                self.assertTrue(same_cents(sum(amounts.values()), wip))

    def test_split_residual_when_everything_rounds_to_zero(self):
        raw = {"usage": 0.003, "price": 0.003, "revision": 0.003}
        amounts = split_residual(raw, 0.01, CENT)
        self.assertTrue(same_cents(sum(amounts.values()), 0.01))
        self.assertEqual(sorted(round(a, 2) for a in amounts.values()), [0.0, 0.0, 0.01])

    def test_split_residual_other_currency_rounding(self):
        raw = {"usage": 0.5, "price": 2.4, "revision": -1.5}
        # 0.5 -> 1, 2.4 -> 2, -1.5 -> -2 (HALF-UP, away from zero)
        self.assertEqual(split_residual(raw, 1.0, 1.0),
                         {"usage": 1.0, "price": 2.0, "revision": -2.0})
        raw = {"usage": 0.5, "price": 3.4, "revision": -1.4}
        # 1 + 3 - 1 = 3; the residue of 1 goes to the largest line, price
        self.assertEqual(split_residual(raw, 4.0, 1.0),
                         {"usage": 1.0, "price": 4.0, "revision": -1.0})

    def test_split_residual_ignores_unknown_keys(self):
        raw = {"usage": 1.0, "price": 0.0, "revision": 0.0, "scrap": 99.0}
        self.assertEqual(set(split_residual(raw, 1.0, CENT)), set(VARIANCE_TYPES))


class TestSettle(VarianceCase):

    def test_settle_leaves_zero_amounts_out(self):
        components = table_components(screws=42.0)
        residual = wip_residual(components, 5.0, 30.80)[0]
        amounts = settle(components, 5.0, 30.80, residual, CENT)
        self.assertEqual(list(amounts), ["usage"])

    def test_settle_nothing_when_residual_and_variances_are_zero(self):
        self.assertEqual(settle([], 0.0, 0.0, 0.0, CENT), {})

    def test_settle_residual_without_raw_variance_still_settled(self):
        # rounded postings left a cent on WIP that the raw variances do not show
        components = three_components_with_half_cent_price_variances()
        amounts = settle(components, 1.0, 0.315, 0.01, CENT)
        self.assertTrue(same_cents(sum(amounts.values()), 0.01))


# -- property: settle always clears the WIP residual exactly --------------

@st.composite
def mo_costs(draw):
    count = draw(st.integers(min_value=0, max_value=12))
    components = []
    for pid in range(count):
        sq = draw(st.integers(min_value=0, max_value=100000)) / 100.0
        aq = max(0.0, sq + draw(st.integers(min_value=-5000, max_value=5000)) / 100.0)
        sc = draw(st.integers(min_value=0, max_value=1000000)) / 10000.0
        actual_price = draw(st.one_of(
            st.just(sc), st.integers(min_value=0, max_value=1000000).map(lambda n: n / 10000.0),
            st.floats(min_value=0.0, max_value=100.0)))
        av = draw(st.sampled_from([aq * actual_price, cents(aq * actual_price)]))
        components.append(ComponentCost(pid, sq, aq, sc, av))
    finished_qty = draw(st.integers(min_value=0, max_value=10000)) / 100.0
    finished_price = draw(st.one_of(
        st.integers(min_value=0, max_value=1000000).map(lambda n: n / 10000.0),
        st.floats(min_value=0.0, max_value=1000.0)))
    return components, finished_qty, finished_price


class TestSettleProperties(unittest.TestCase):

    @settings(max_examples=500, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(costs=mo_costs(), extra_cents=st.integers(min_value=-5, max_value=5))
    def test_property_settle_clears_wip_residual(self, costs, extra_cents):
        components, finished_qty, finished_price = costs
        residual = wip_residual(components, finished_qty, finished_price)[0]
        # also residues the raw arithmetic cannot see (other rounded postings)
        residual = cents(residual + extra_cents * CENT)
        amounts = settle(components, finished_qty, finished_price, residual, CENT)
        self.assertLessEqual(set(amounts), set(VARIANCE_TYPES))
        self.assertTrue(same_cents(sum(amounts.values()), residual))
        for amount in amounts.values():
            self.assertFalse(float_is_zero(amount, precision_rounding=CENT))
            self.assertTrue(float_is_zero(amount - cents(amount), precision_rounding=CENT))
        # at most one line (the largest) moved away from its rounded raw value
        raw = raw_variances(components, finished_qty, finished_price)
        moved = [kind for kind in VARIANCE_TYPES
                 if not same_cents(amounts.get(kind, 0.0), cents(raw[kind]))]
        self.assertLessEqual(len(moved), 1)

    @settings(max_examples=500, deadline=None, database=None)
    @given(raw=st.fixed_dictionaries({kind: st.floats(min_value=-1e6, max_value=1e6)
                                      for kind in VARIANCE_TYPES}),
           wip=st.integers(min_value=-100000000, max_value=100000000))
    def test_property_split_residual_sums_to_any_residual(self, raw, wip):
        residual = wip / 100.0
        amounts = split_residual(raw, residual, CENT)
        self.assertTrue(same_cents(sum(amounts.values()), residual))
        rounded = {kind: cents(raw[kind]) for kind in VARIANCE_TYPES}
        moved = [kind for kind in VARIANCE_TYPES
                 if not same_cents(amounts[kind], rounded[kind])]
        self.assertLessEqual(len(moved), 1)
        if moved:
            # the one that moved is a largest line
            self.assertEqual(abs(rounded[moved[0]]), max(abs(v) for v in rounded.values()))

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(costs=mo_costs(), first_cents=st.integers(min_value=-5, max_value=5),
           extra_cents=st.integers(min_value=-5, max_value=5))
    def test_property_settling_again_books_only_the_difference(self, costs, first_cents,
                                                               extra_cents):
        # what production does after a reversal or an unbuild: a first settlement is
        # booked, the MO changes, the second settles what is left on WIP
        components, finished_qty, finished_price = costs
        residual = wip_residual(components, finished_qty, finished_price)[0]
        first = settle(components, finished_qty, finished_price,
                       cents(residual + first_cents * CENT), CENT)
        left = cents(extra_cents * CENT - first_cents * CENT)
        second = settle(components, finished_qty, finished_price, left, CENT, posted=first)
        self.assertLessEqual(set(second), set(VARIANCE_TYPES))
        self.assertTrue(same_cents(sum(second.values()), left))
        # together they are one settlement of the whole residual
        raw = raw_variances(components, finished_qty, finished_price)
        together = {kind: first.get(kind, 0.0) + second.get(kind, 0.0)
                    for kind in VARIANCE_TYPES}
        self.assertTrue(same_cents(sum(together.values()),
                                   cents(residual + extra_cents * CENT)))
        moved = [kind for kind in VARIANCE_TYPES
                 if not same_cents(second.get(kind, 0.0),
                                   cents(raw[kind] - first.get(kind, 0.0)))]
        self.assertLessEqual(len(moved), 1)

    def test_posted_nothing_is_settle(self):
        components = table_components(5.0, screws=42.0)
        residual = wip_residual(components, 5.0, 30.80)[0]
        self.assertEqual(settle(components, 5.0, 30.80, residual, CENT, posted={}),
                         settle(components, 5.0, 30.80, residual, CENT))
