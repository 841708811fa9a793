"""Lot picking (SPEC section 5): first-expiring first where expiry dates
exist, else first-in first-out; split across lots; shortfall returned."""
import unittest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odoo.addons.backflush_mrp.lib.lots import LotStock, pick
from odoo.tools.float_utils import float_compare, float_round


def lot(lot_id, available, expiry=None, in_date=None):
    return LotStock(lot_id=lot_id, available=available, expiry=expiry, in_date=in_date)


def approx_delta(expected):
    """pytest.approx's default tolerance: 1e-6 relative, at least 1e-12."""
    return max(1e-6 * abs(expected), 1e-12)


class TestPickOrder(unittest.TestCase):
    """Which lots come first: FEFO, then FIFO, then lot id."""

    def test_fefo_first_expiring_first(self):
        stocks = [
            lot(1, 10.0, expiry="2024-09-01 00:00:00", in_date="2024-01-01 00:00:00"),
            lot(2, 10.0, expiry="2024-03-01 00:00:00", in_date="2024-02-01 00:00:00"),
            lot(3, 10.0, expiry="2024-06-01 00:00:00", in_date="2023-12-01 00:00:00"),
        ]
        self.assertEqual(pick(stocks, 5.0, 0.01), ([(2, 5.0)], 0.0))

    def test_fefo_ignores_in_date_when_expiry_differs(self):
        stocks = [
            lot(1, 4.0, expiry="2025-01-01", in_date="2020-01-01"),   # oldest, expires last
            lot(2, 4.0, expiry="2024-01-01", in_date="2023-06-01"),
        ]
        picked, missing = pick(stocks, 6.0, 1.0)
        self.assertEqual(picked, [(2, 4.0), (1, 2.0)])
        self.assertEqual(missing, 0.0)

    def test_fefo_same_expiry_then_fifo(self):
        stocks = [
            lot(1, 3.0, expiry="2024-05-01", in_date="2024-02-01"),
            lot(2, 3.0, expiry="2024-05-01", in_date="2024-01-01"),
        ]
        self.assertEqual(pick(stocks, 4.0, 1.0), ([(2, 3.0), (1, 1.0)], 0.0))

    def test_lots_without_expiry_come_after_dated_ones(self):
        stocks = [
            lot(1, 5.0, expiry=None, in_date="2020-01-01"),   # oldest, but no expiry
            lot(2, 5.0, expiry="2030-12-31", in_date="2024-01-01"),
            lot(3, 5.0, expiry=None, in_date="2019-01-01"),
            lot(4, 5.0, expiry="2029-01-01", in_date="2024-06-01"),
        ]
        picked, missing = pick(stocks, 18.0, 1.0)
        # dated by expiry, then undated by in_date
        self.assertEqual(picked, [(4, 5.0), (2, 5.0), (3, 5.0), (1, 3.0)])
        self.assertEqual(missing, 0.0)

    def test_expiry_compares_dates_with_times(self):
        stocks = [
            lot(1, 1.0, expiry="2024-05-01 18:00:00"),
            lot(2, 1.0, expiry="2024-05-01 08:00:00"),
        ]
        self.assertEqual(pick(stocks, 1.0, 1.0), ([(2, 1.0)], 0.0))

    def test_fifo_by_in_date_without_expiry(self):
        stocks = [
            lot(1, 10.0, in_date="2024-03-01 10:00:00"),
            lot(2, 10.0, in_date="2024-01-15 10:00:00"),
            lot(3, 10.0, in_date="2024-02-01 10:00:00"),
        ]
        self.assertEqual(pick(stocks, 25.0, 1.0), ([(2, 10.0), (3, 10.0), (1, 5.0)], 0.0))

    def test_same_dates_fall_back_to_lot_id(self):
        stocks = [lot(9, 2.0, in_date="2024-01-01"), lot(4, 2.0, in_date="2024-01-01")]
        self.assertEqual(pick(stocks, 3.0, 1.0), ([(4, 2.0), (9, 1.0)], 0.0))
        self.assertEqual(pick(list(reversed(stocks)), 3.0, 1.0), ([(4, 2.0), (9, 1.0)], 0.0))

    def test_input_order_does_not_matter(self):
        stocks = [
            lot(1, 1.0, expiry=None, in_date="2024-01-01"),
            lot(2, 1.0, expiry="2024-06-01", in_date="2024-03-01"),
            lot(3, 1.0, expiry="2024-04-01", in_date="2024-05-01"),
            lot(4, 1.0, expiry=None, in_date="2023-01-01"),
        ]
        expected = ([(3, 1.0), (2, 1.0), (4, 1.0), (1, 0.5)], 0.0)
        self.assertEqual(pick(stocks, 3.5, 0.1), expected)
        self.assertEqual(pick(list(reversed(stocks)), 3.5, 0.1), expected)


class TestPickQuantities(unittest.TestCase):
    """How much each lot gives: split, shortfall, rounding, unavailable lots."""

    def test_split_across_lots_exactly(self):
        stocks = [lot(1, 2.5, in_date="2024-01-01"), lot(2, 2.5, in_date="2024-01-02"),
                  lot(3, 2.5, in_date="2024-01-03")]
        picked, missing = pick(stocks, 5.0, 0.01)
        self.assertEqual(picked, [(1, 2.5), (2, 2.5)])
        self.assertEqual(missing, 0.0)

    def test_quantity_within_first_lot(self):
        stocks = [lot(1, 100.0, in_date="2024-01-01"), lot(2, 100.0, in_date="2024-01-02")]
        self.assertEqual(pick(stocks, 0.37, 0.01), ([(1, 0.37)], 0.0))

    def test_shortfall_returned(self):
        stocks = [lot(1, 3.0, in_date="2024-01-01"), lot(2, 1.5, in_date="2024-01-02")]
        picked, missing = pick(stocks, 10.0, 0.01)
        self.assertEqual(picked, [(1, 3.0), (2, 1.5)])
        self.assertAlmostEqual(missing, 5.5, delta=approx_delta(5.5))

    def test_no_stock_at_all(self):
        self.assertEqual(pick([], 4.0, 1.0), ([], 4.0))

    def test_zero_or_negative_availability_skipped(self):
        for available in (0.0, -3.0, 0.004):
            with self.subTest(available=available):
                stocks = [
                    lot(1, available, expiry="2024-01-01"),
                    lot(2, 2.0, expiry="2024-02-01"),
                ]
                picked, missing = pick(stocks, 3.0, 0.01)
                self.assertEqual(picked, [(2, 2.0)])
                self.assertAlmostEqual(missing, 1.0, delta=approx_delta(1.0))

    def test_only_unavailable_lots(self):
        stocks = [lot(1, 0.0), lot(2, -1.0)]
        self.assertEqual(pick(stocks, 2.0, 1.0), ([], 2.0))

    def test_nothing_to_pick(self):
        for qty in (0.0, -1.0, 0.004):
            with self.subTest(qty=qty):
                picked, missing = pick([lot(1, 5.0)], qty, 0.01)
                self.assertEqual(picked, [])
                self.assertAlmostEqual(missing, max(qty, 0.0), delta=0.005)
                self.assertGreaterEqual(missing, 0.0)

    def test_picked_quantities_are_rounded(self):
        stocks = [lot(1, 0.1, in_date="1"), lot(2, 0.2, in_date="2"), lot(3, 1.0, in_date="3")]
        picked, missing = pick(stocks, 0.6, 0.01)
        self.assertEqual([lot_id for lot_id, _qty in picked], [1, 2, 3])
        quantities = [q for _lot, q in picked]
        self.assertEqual(len(quantities), 3)
        for got, expected in zip(quantities, (0.1, 0.2, 0.3)):
            self.assertAlmostEqual(got, expected, delta=approx_delta(expected))
        self.assertEqual(missing, 0.0)

    def test_stops_once_quantity_is_covered(self):
        stocks = [lot(i, 1.0, in_date="2024-01-%02d" % i) for i in range(1, 11)]
        picked, missing = pick(stocks, 3.0, 1.0)
        self.assertEqual([lot_id for lot_id, _qty in picked], [1, 2, 3])
        self.assertEqual(missing, 0.0)

    def test_never_takes_more_than_a_lot_has_nor_more_than_asked(self):
        stocks = [lot(1, 2.345, in_date="2024-01-01"), lot(2, 10.0, in_date="2024-01-02")]
        picked, missing = pick(stocks, 5.0, 0.01)
        by_id = {s.lot_id: s.available for s in stocks}
        for lot_id, taken in picked:
            self.assertLessEqual(taken, by_id[lot_id] + 1e-9)
        self.assertAlmostEqual(sum(taken for _lot, taken in picked) + missing, 5.0,
                               delta=approx_delta(5.0))


# -- property -----------------------------------------------------------------

DATES = ["2024-01-%02d" % day for day in range(1, 29)]


@st.composite
def lot_stocks(draw):
    count = draw(st.integers(min_value=0, max_value=10))
    ids = draw(st.lists(st.integers(min_value=1, max_value=1000), min_size=count,
                        max_size=count, unique=True))
    return [lot(lot_id,
                draw(st.integers(min_value=-500, max_value=5000)) / 100.0,
                expiry=draw(st.none() | st.sampled_from(DATES)),
                in_date=draw(st.sampled_from(DATES)))
            for lot_id in ids]


class TestPickProperty(unittest.TestCase):

    @settings(max_examples=500, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(stocks=lot_stocks(), qty=st.integers(min_value=0, max_value=20000))
    def test_property_pick(self, stocks, qty):
        rounding = 0.01
        qty = qty / 100.0
        picked, missing = pick(stocks, qty, rounding)
        by_id = {s.lot_id: s for s in stocks}
        ids = [lot_id for lot_id, _qty in picked]
        self.assertEqual(len(ids), len(set(ids)))
        for lot_id, taken in picked:
            # only available lots, never more than available, never nothing
            self.assertGreater(float_compare(taken, 0.0, precision_rounding=rounding), 0)
            self.assertLessEqual(float_compare(taken, by_id[lot_id].available,
                                               precision_rounding=rounding), 0)
        taken_total = sum(taken for _lot, taken in picked)
        self.assertGreaterEqual(missing, 0.0)
        self.assertEqual(float_compare(taken_total + missing, qty,
                                       precision_rounding=rounding), 0)
        available_total = sum(s.available for s in stocks if s.available > 0)
        self.assertEqual(float_compare(missing, max(qty - available_total, 0.0),
                                       precision_rounding=rounding), 0)

        # FEFO/FIFO: every lot taken whole except the last; any lot sorting before a
        # picked one is exhausted (taken whole) or unavailable
        def order(s):
            return (s.expiry is None, s.expiry or "", s.in_date or "", s.lot_id)
        available = sorted((s for s in stocks if s.available > 0), key=order)
        self.assertEqual(ids, [s.lot_id for s in available[:len(ids)]])
        for lot_id, taken in picked[:-1]:
            self.assertEqual(taken, float_round(by_id[lot_id].available,
                                                precision_rounding=rounding))
