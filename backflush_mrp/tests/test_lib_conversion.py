"""Conversion costs at standard (SPEC section 4b), without a database."""
import unittest

from hypothesis import given, settings
from hypothesis import strategies as st
from odoo.addons.backflush_mrp.lib import conversion
from odoo.addons.backflush_mrp.lib.conversion import Operation, OperationCost
from odoo.addons.backflush_mrp.lib.variance import ComponentCost, split_residual
from odoo.tools.float_utils import float_compare, float_round

CENT = 0.01
CHAIR_MATERIALS = 31.84


def cents(value):
    return float_round(value, precision_rounding=CENT)


def chair_operation(**values):
    """One operation of 6 minutes at a work center of 30.00 + 12.00 per hour."""
    return Operation(**dict({"operation_id": 1, "time_cycle": 6.0, "labour_rate": 30.0,
                             "overhead_rate": 12.0}, **values))


def chair_components(made):
    """Materials 31.84 per chair, consumed at standard."""
    return [ComponentCost(10, made, made, CHAIR_MATERIALS, made * CHAIR_MATERIALS)]


class TestStandardTime(unittest.TestCase):

    def test_run_minutes_per_unit(self):
        self.assertAlmostEqual(conversion.run_minutes_per_unit(chair_operation()), 6.0)
        operation = chair_operation(time_cycle=12.0, capacity=4.0, time_efficiency=80.0)
        # 12 / 4 x 100 / 80
        self.assertAlmostEqual(conversion.run_minutes_per_unit(operation), 3.75)

    def test_setup_minutes_per_unit_spread_over_the_costing_lot(self):
        operation = chair_operation(time_start=10.0, time_stop=5.0)
        self.assertAlmostEqual(conversion.setup_minutes(operation), 15.0)
        self.assertAlmostEqual(conversion.setup_minutes_per_unit(operation, 10.0), 1.5)
        self.assertEqual(conversion.standard_minutes_per_unit(operation, 5.0), (6.0, 3.0))

    def test_capacity_and_efficiency_must_be_positive(self):
        for values in ({"capacity": 0.0}, {"time_efficiency": 0.0}, {"capacity": -1.0}):
            with self.assertRaises(ValueError):
                conversion.run_minutes_per_unit(chair_operation(**values))

    def test_costing_lot_size_must_be_positive(self):
        for lot_size in (0.0, -2.0):
            with self.assertRaises(ValueError):
                conversion.setup_minutes_per_unit(chair_operation(), lot_size)
            with self.assertRaises(ValueError):
                conversion.lot_size_variance(chair_operation(), 1.0, lot_size)

    def test_standard_hours_include_one_setup(self):
        operation = chair_operation(time_start=10.0)
        self.assertAlmostEqual(conversion.standard_hours(operation, 5.0), 40.0 / 60.0)
        self.assertAlmostEqual(conversion.standard_hours(operation, 1.0), 16.0 / 60.0)

    def test_nothing_produced_no_standard_hours(self):
        self.assertEqual(conversion.standard_hours(chair_operation(time_start=10.0), 0.0), 0.0)

    def test_recorded_time_wins_over_the_standard(self):
        operation = chair_operation()
        self.assertAlmostEqual(conversion.absorbed_hours(operation, 7.0), 0.7)
        self.assertAlmostEqual(conversion.absorbed_hours(operation, 7.0, 49.0), 49.0 / 60.0)
        self.assertEqual(conversion.absorbed_hours(operation, 7.0, 0.0), 0.0)
        with self.assertRaises(ValueError):
            conversion.absorbed_hours(operation, 7.0, -1.0)


class TestStandardCost(unittest.TestCase):

    def test_chair_standard_is_36_04(self):
        per_unit = conversion.conversion_cost_per_unit([chair_operation()], 1.0)
        self.assertAlmostEqual(per_unit, 4.20)
        self.assertEqual(cents(CHAIR_MATERIALS + per_unit), 36.04)

    def test_chair_with_setup_over_a_lot_of_10_is_36_74(self):
        per_unit = conversion.conversion_cost_per_unit([chair_operation(time_start=10.0)], 10.0)
        self.assertAlmostEqual(per_unit, 4.90)
        self.assertEqual(cents(CHAIR_MATERIALS + per_unit), 36.74)

    def test_operations_add_up(self):
        first = chair_operation()
        second = chair_operation(operation_id=2, time_cycle=3.0, labour_rate=60.0,
                                 overhead_rate=0.0, time_stop=30.0)
        # 4.20 + (3 + 30 / 10) / 60 x 60
        self.assertAlmostEqual(conversion.conversion_cost_per_unit([first, second], 10.0), 10.20)

    def test_no_rates_no_cost(self):
        operation = chair_operation(labour_rate=0.0, overhead_rate=0.0)
        self.assertFalse(conversion.has_rates(operation))
        self.assertEqual(conversion.conversion_cost_per_unit([operation], 1.0), 0.0)
        self.assertEqual(conversion.conversion_cost_per_unit([], 1.0), 0)
        self.assertTrue(conversion.has_rates(chair_operation(labour_rate=0.0)))


class TestAbsorptionAndVariances(unittest.TestCase):
    """The worked examples of SPEC section 4b."""

    def test_make_7_without_recorded_time_21_00_and_8_40_no_variance(self):
        absorbed = conversion.absorption(chair_operation(), 7.0, CENT)
        self.assertEqual((absorbed.labour, absorbed.overhead), (21.00, 8.40))
        self.assertFalse(absorbed.recorded)
        self.assertAlmostEqual(absorbed.hours, 0.7)
        costs = [OperationCost(chair_operation(), absorbed.amount)]
        amounts = conversion.all_variances(chair_components(7.0), 7.0, 36.04, costs)
        for kind, amount in amounts.items():
            self.assertAlmostEqual(amount, 0.0, places=9, msg=kind)

    def test_49_minutes_instead_of_42_efficiency_4_90_debit(self):
        absorbed = conversion.absorption(chair_operation(), 7.0, CENT, recorded_minutes=49.0)
        self.assertEqual((absorbed.labour, absorbed.overhead), (24.50, 9.80))
        self.assertTrue(absorbed.recorded)
        costs = [OperationCost(chair_operation(), absorbed.amount)]
        wip = cents(7 * CHAIR_MATERIALS + absorbed.amount - 7 * 36.04)
        self.assertEqual(conversion.settle(chair_components(7.0), 7.0, 36.04, wip, CENT, costs),
                         {"efficiency": 4.90})

    def test_lot_of_5_against_a_costing_lot_of_10_lot_size_3_50_debit(self):
        operation = chair_operation(time_start=10.0)
        absorbed = conversion.absorption(operation, 5.0, CENT)
        self.assertEqual(cents(absorbed.amount), 28.00)
        self.assertAlmostEqual(conversion.lot_size_variance(operation, 5.0, 10.0), 3.50)
        costs = [OperationCost(operation, absorbed.amount)]
        wip = cents(5 * CHAIR_MATERIALS + absorbed.amount - 5 * 36.74)
        amounts = conversion.settle(chair_components(5.0), 5.0, 36.74, wip, CENT, costs,
                                    costing_lot_size=10.0)
        self.assertEqual(amounts, {"lot_size": 3.50})

    def test_lot_larger_than_the_costing_lot_is_favourable(self):
        operation = chair_operation(time_start=10.0)
        self.assertAlmostEqual(conversion.lot_size_variance(operation, 20.0, 10.0), -7.00)
        self.assertEqual(conversion.lot_size_variance(operation, 10.0, 10.0), 0.0)
        self.assertEqual(conversion.lot_size_variance(operation, 0.0, 10.0), 0.0)

    def test_outdated_standard_without_conversion_is_revision(self):
        costs = [OperationCost(chair_operation(), 29.40)]
        amounts = conversion.all_variances(chair_components(7.0), 7.0, CHAIR_MATERIALS, costs)
        self.assertAlmostEqual(amounts["revision"], 29.40)
        self.assertAlmostEqual(amounts["efficiency"], 0.0)

    def test_without_operations_the_variances_of_section_4(self):
        amounts = conversion.all_variances(chair_components(2.0), 2.0, 30.0)
        self.assertEqual(set(amounts), set(conversion.VARIANCE_TYPES))
        self.assertAlmostEqual(amounts["revision"], 2 * (CHAIR_MATERIALS - 30.0))
        self.assertEqual((amounts["efficiency"], amounts["lot_size"]), (0, 0))

    def test_produced_qty_in_the_boms_unit(self):
        # 2 dozen chairs against a BoM in units: 24 x 4.20 of conversion
        costs = [OperationCost(chair_operation(), 100.80)]
        amounts = conversion.all_variances([], 2.0, 50.40, costs, produced_qty=24.0)
        self.assertAlmostEqual(amounts["efficiency"], 0.0)
        self.assertAlmostEqual(amounts["revision"], 0.0)

    def test_everything_given_back_nothing_left(self):
        costs = [OperationCost(chair_operation(time_start=10.0), 0.0)]
        amounts = conversion.all_variances([], 0.0, 0.0, costs, costing_lot_size=10.0)
        self.assertEqual(amounts, {"usage": 0, "price": 0, "revision": 0.0,
                                   "efficiency": 0.0, "lot_size": 0.0})


operations = st.builds(
    Operation, operation_id=st.integers(1, 5),
    time_cycle=st.floats(0.0, 600.0), capacity=st.floats(0.1, 20.0),
    time_efficiency=st.floats(10.0, 200.0), time_start=st.floats(0.0, 120.0),
    time_stop=st.floats(0.0, 120.0), labour_rate=st.floats(0.0, 200.0),
    overhead_rate=st.floats(0.0, 200.0))


class TestConversionProperties(unittest.TestCase):

    @settings(max_examples=200, deadline=None)
    @given(st.lists(operations, min_size=1, max_size=4), st.floats(0.01, 1000.0),
           st.floats(0.5, 1000.0), st.lists(st.one_of(st.none(), st.floats(0.0, 6000.0)),
                                            min_size=4, max_size=4))
    def test_variances_and_standard_add_up_to_what_was_absorbed(self, ops, produced, lot,
                                                                recorded):
        costs = [OperationCost(op, conversion.absorption(op, produced, CENT, minutes).amount)
                 for op, minutes in zip(ops, recorded)]
        parts = conversion.conversion_variances(costs, produced, lot)
        absorbed = sum(cost.absorbed for cost in costs)
        self.assertAlmostEqual(parts["efficiency"] + parts["lot_size"] + parts["standard"],
                               absorbed, delta=1e-6 * max(1.0, absorbed))

    @settings(max_examples=200, deadline=None)
    @given(operations, st.floats(0.01, 1000.0), st.floats(0.5, 1000.0))
    def test_standard_time_has_no_efficiency_variance(self, op, produced, lot):
        hours = conversion.standard_hours(op, produced)
        exact = hours * conversion.hourly_rate(op)
        self.assertAlmostEqual(conversion.efficiency_variance(op, produced, exact), 0.0,
                               delta=1e-9 * max(1.0, exact))

    @settings(max_examples=200, deadline=None)
    @given(operations, st.floats(0.0, 1000.0), st.one_of(st.none(), st.floats(0.0, 6000.0)))
    def test_each_amount_is_hours_times_its_rate_to_the_cent(self, op, produced, minutes):
        absorbed = conversion.absorption(op, produced, CENT, minutes)
        for amount, rate in ((absorbed.labour, op.labour_rate),
                             (absorbed.overhead, op.overhead_rate)):
            self.assertLessEqual(abs(amount - absorbed.hours * rate), CENT / 2 + 1e-9)

    @settings(max_examples=200, deadline=None)
    @given(st.lists(operations, min_size=1, max_size=3), st.floats(0.01, 500.0),
           st.floats(0.5, 500.0), st.floats(0.0, 200.0), st.floats(0.0, 6000.0))
    def test_settlement_clears_wip_to_the_cent(self, ops, produced, lot, material, minutes):
        costs = [OperationCost(op, conversion.absorption(op, produced, CENT, minutes).amount)
                 for op in ops]
        components = [ComponentCost(1, produced, produced, material, cents(produced * material))]
        standard = cents(material + conversion.conversion_cost_per_unit(ops, lot))
        wip = cents(cents(produced * material) + sum(c.absorbed for c in costs)
                    - cents(produced * standard))
        amounts = split_residual(conversion.all_variances(
            components, produced, standard, costs, costing_lot_size=lot), wip, CENT)
        self.assertEqual(float_compare(sum(amounts.values()), wip, precision_rounding=CENT), 0)
