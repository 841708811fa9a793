"""Quantities (SPEC section 3), without a database: UoM conversion, BoM
explosion (kits, scrap, UoMs), standard and due quantities, and the
conservation of quantities over any split into partial productions."""
import math
import unittest
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from odoo.addons.backflush_mrp.lib import quantities
from odoo.addons.backflush_mrp.lib.quantities import (
    Bom,
    BomLine,
    Need,
    Uom,
    convert,
    due_qty,
    explode,
    standard_qty,
)
from odoo.tools.float_utils import float_compare, float_is_zero, float_round

UNITS, WEIGHT, VOLUME = 1, 2, 3

# Odoo's product.uom: factor = units of this UoM per reference unit
UNIT = Uom(1.0, 0.01, UNITS)
UNIT_WHOLE = Uom(1.0, 1.0, UNITS)
DOZEN = Uom(1.0 / 12.0, 0.01, UNITS)     # bigger, factor_inv 12
BOX = Uom(0.01, 1.0, UNITS)             # box of 100, factor_inv 100
KG = Uom(1.0, 0.001, WEIGHT)
G = Uom(1000.0, 1.0, WEIGHT)             # smaller, factor 1000
LITRE = Uom(1.0, 0.001, VOLUME)

PROPERTY_SETTINGS = settings(max_examples=400, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow])


def line(line_id, qty, line_uom=UNIT, product_uom=None, **kwargs):
    return BomLine(line_id=line_id, product_id=1000 + line_id, qty=qty, line_uom=line_uom,
                   product_uom=product_uom or line_uom, **kwargs)


def by_line(needs):
    return {need.line_id: need for need in needs}


class QuantitiesCase(unittest.TestCase):

    def assertApprox(self, actual, expected, rel=1e-12, abs_tol=1e-12):
        """As pytest.approx(expected, rel, abs): within the larger of both tolerances."""
        self.assertAlmostEqual(actual, expected, delta=max(rel * abs(expected), abs_tol))

    def assertApproxList(self, actual, expected):
        self.assertEqual(len(actual), len(expected), actual)
        for got, want in zip(actual, expected):
            self.assertApprox(got, want)


# -- convert ------------------------------------------------------------------

uoms_of_one_category = st.builds(
    Uom,
    factor=st.sampled_from([0.001, 0.01, 1.0 / 12.0, 0.5, 1.0, 2.0, 12.0, 1000.0]),
    rounding=st.sampled_from([1.0, 0.01, 0.001]),
    category_id=st.just(UNITS),
)


class TestConvert(QuantitiesCase):

    def test_convert_like_odoo(self):
        for qty, from_uom, to_uom, expected in [
            (0.4, BOX, UNIT, 40.0),      # 0.4 box of 100 = 40 units
            (40.0, UNIT, BOX, 0.4),
            (3.0, BOX, DOZEN, 25.0),     # 300 units = 25 dozens
            (1.0, DOZEN, UNIT, 12.0),
            (30.0, UNIT, DOZEN, 2.5),
            (1500.0, G, KG, 1.5),
            (0.25, KG, G, 250.0),
            (7.0, UNIT, UNIT, 7.0),
            (0.0, BOX, UNIT, 0.0),
            (-2.0, DOZEN, UNIT, -24.0),
        ]:
            with self.subTest(qty=qty, from_uom=from_uom, to_uom=to_uom):
                self.assertApprox(convert(qty, from_uom, to_uom), expected)
                # Odoo's product.uom._compute_quantity(qty, to_unit, round=False)
                self.assertApprox(convert(qty, from_uom, to_uom),
                                  qty / from_uom.factor * to_uom.factor)

    def test_odoo_quantity_rounds_in_the_target_unit(self):
        for qty, from_uom, to_uom, method, expected in [
            (1.0, UNIT, DOZEN, "UP", 0.09),        # 0.0833... up to 0.01
            (1.0, UNIT, DOZEN, "HALF-UP", 0.08),
            (150.0, UNIT, BOX, "UP", 2.0),         # BOX rounds to whole boxes
            (150.0, UNIT, BOX, "HALF-UP", 2.0),
            (149.0, UNIT, BOX, "HALF-UP", 1.0),
            (0.4, G, KG, "UP", 0.001),
            (7.0, UNIT, UNIT, "UP", 7.0),
        ]:
            with self.subTest(qty=qty, from_uom=from_uom, to_uom=to_uom, method=method):
                self.assertEqual(quantities.odoo_quantity(qty, from_uom, to_uom, method),
                                 expected)
        with self.assertRaisesRegex(ValueError, "categor"):
            quantities.odoo_quantity(1.0, UNIT, KG)

    def test_convert_does_not_round(self):
        self.assertApprox(convert(1.0, UNIT, DOZEN), 1.0 / 12.0)
        self.assertApprox(convert(1.0, UNIT, BOX), 0.01)  # BOX rounding is 1, no rounding here
        self.assertApprox(convert(1.0, G, KG), 0.001)
        self.assertApprox(convert(0.4, G, KG), 0.0004)  # below KG's rounding 0.001

    def test_convert_refuses_other_category(self):
        for from_uom, to_uom in [(UNIT, KG), (KG, UNIT), (G, DOZEN), (BOX, LITRE), (LITRE, KG)]:
            with self.subTest(from_uom=from_uom, to_uom=to_uom), \
                    self.assertRaisesRegex(ValueError, "categor"):
                convert(1.0, from_uom, to_uom)

    def test_convert_refuses_other_category_even_with_equal_factor(self):
        with self.assertRaises(ValueError):
            convert(1.0, Uom(1.0, 0.01, UNITS), Uom(1.0, 0.01, WEIGHT))

    @PROPERTY_SETTINGS
    @given(qty=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
           a=uoms_of_one_category, b=uoms_of_one_category, c=uoms_of_one_category)
    def test_property_convert_round_trip_and_transitive(self, qty, a, b, c):
        self.assertApprox(convert(convert(qty, a, b), b, a), qty, rel=1e-9, abs_tol=1e-9)
        self.assertApprox(convert(convert(qty, a, b), b, c), convert(qty, a, c),
                          rel=1e-9, abs_tol=1e-9)


# -- explode ------------------------------------------------------------------

TABLE = Bom(bom_id=10, qty=1.0, uom=UNIT, lines=(
    line(1, 4.0),   # leg
    line(2, 1.0),   # top
    line(3, 8.0),   # screw
))


class TestExplode(QuantitiesCase):
    """One level: BoM quantity, UoMs, scrap, operations."""

    def test_explode_simple_bom(self):
        needs = explode(TABLE, UNIT)
        self.assertEqual([n.line_id for n in needs], [1, 2, 3])
        self.assertEqual(needs[0], Need(line_id=1, product_id=1001, qty_per_unit=4.0, uom=UNIT,
                                        operation_id=None, bom_id=10))
        self.assertApproxList([n.qty_per_unit for n in needs], [4.0, 1.0, 8.0])
        self.assertEqual({n.bom_id for n in needs}, {10})
        self.assertEqual({n.operation_id for n in needs}, {None})

    def test_explode_empty_bom(self):
        self.assertEqual(explode(Bom(bom_id=1, qty=1.0, uom=UNIT, lines=()), UNIT), [])

    def test_explode_bom_quantity_not_one(self):
        for bom_qty, line_qty, expected in [
            (2.0, 8.0, 4.0),
            (4.0, 10.0, 2.5),
            (3.0, 1.0, 1.0 / 3.0),
            (0.5, 1.0, 2.0),
            (100.0, 1.0, 0.01),
        ]:
            with self.subTest(bom_qty=bom_qty, line_qty=line_qty):
                bom = Bom(bom_id=1, qty=bom_qty, uom=UNIT, lines=(line(1, line_qty),))
                (need,) = explode(bom, UNIT)
                self.assertApprox(need.qty_per_unit, expected)

    def test_explode_converts_line_uom_to_component_uom(self):
        bom = Bom(bom_id=1, qty=1.0, uom=UNIT, lines=(
            line(1, 0.04, line_uom=BOX, product_uom=UNIT),    # 0.04 box of 100 = 4 units
            line(2, 250.0, line_uom=G, product_uom=KG),      # 250 g = 0.25 kg
            line(3, 2.0, line_uom=DOZEN, product_uom=UNIT),  # 2 dozens = 24 units
            line(4, 30.0, line_uom=UNIT, product_uom=DOZEN),  # 30 units = 2.5 dozens
            line(5, 0.5, line_uom=KG, product_uom=G),
        ))
        needs = by_line(explode(bom, UNIT))
        self.assertApprox(needs[1].qty_per_unit, 4.0)
        self.assertEqual(needs[1].uom, UNIT)
        self.assertApprox(needs[2].qty_per_unit, 0.25)
        self.assertEqual(needs[2].uom, KG)
        self.assertApprox(needs[3].qty_per_unit, 24.0)
        self.assertApprox(needs[4].qty_per_unit, 2.5)
        self.assertEqual(needs[4].uom, DOZEN)
        self.assertApprox(needs[5].qty_per_unit, 500.0)
        self.assertEqual(needs[5].uom, G)

    def test_explode_line_uom_of_other_category_refused(self):
        bom = Bom(bom_id=1, qty=1.0, uom=UNIT, lines=(line(1, 1.0, line_uom=G,
                                                           product_uom=UNIT),))
        with self.assertRaises(ValueError):
            explode(bom, UNIT)

    def test_explode_finished_uom_dozens(self):
        """Quantities are per finished unit in the MO's UoM: per dozen, 12 times as much."""
        needs = explode(TABLE, DOZEN)
        self.assertApproxList([n.qty_per_unit for n in needs], [48.0, 12.0, 96.0])

    def test_explode_bom_in_dozens_finished_in_units(self):
        bom = Bom(bom_id=1, qty=1.0, uom=DOZEN, lines=(line(1, 24.0), line(2, 6.0)))
        needs = explode(bom, UNIT)
        self.assertApproxList([n.qty_per_unit for n in needs], [2.0, 0.5])

    def test_explode_bom_qty_and_uom_and_finished_uom_combined(self):
        # BoM: 2 dozens of finished take 3 boxes of 100 screws; MO in units
        bom = Bom(bom_id=1, qty=2.0, uom=DOZEN, lines=(
            line(1, 3.0, line_uom=BOX, product_uom=UNIT),))
        (need,) = explode(bom, UNIT)
        self.assertApprox(need.qty_per_unit, 300.0 / 24.0)

    def test_explode_finished_uom_of_other_category_refused(self):
        with self.assertRaises(ValueError):
            explode(TABLE, KG)

    def test_explode_scrap_percent(self):
        for scrap, expected in [(0.0, 8.0), (10.0, 8.8), (12.5, 9.0), (100.0, 16.0),
                                (None, 8.0)]:
            with self.subTest(scrap=scrap):
                bom = Bom(bom_id=1, qty=1.0, uom=UNIT, lines=(line(1, 8.0,
                                                                   scrap_percent=scrap),))
                (need,) = explode(bom, UNIT)
                self.assertApprox(need.qty_per_unit, expected)

    def test_explode_scrap_with_bom_qty_and_uom(self):
        bom = Bom(bom_id=1, qty=2.0, uom=UNIT, lines=(
            line(1, 500.0, line_uom=G, product_uom=KG, scrap_percent=10.0),))
        (need,) = explode(bom, UNIT)
        self.assertApprox(need.qty_per_unit, 0.275)  # 500 g / 2 * 1.1 = 275 g

    def test_explode_scrap_only_on_its_line(self):
        bom = Bom(bom_id=1, qty=1.0, uom=UNIT, lines=(
            line(1, 10.0, scrap_percent=5.0), line(2, 10.0)))
        needs = by_line(explode(bom, UNIT))
        self.assertApprox(needs[1].qty_per_unit, 10.5)
        self.assertApprox(needs[2].qty_per_unit, 10.0)

    def test_explode_operation_of_plain_lines(self):
        bom = Bom(bom_id=1, qty=1.0, uom=UNIT, lines=(
            line(1, 1.0, operation_id=501), line(2, 1.0)))
        needs = by_line(explode(bom, UNIT))
        self.assertEqual(needs[1].operation_id, 501)
        self.assertIsNone(needs[2].operation_id)


# two levels of kits; kit lines in another UoM than the kits' BoMs
#   K2 kit BoM: 1 dozen of K2 = 120 g glue (glue kept in kg) + 24 nuts
K2 = Bom(bom_id=30, qty=1.0, uom=DOZEN, lines=(
    line(31, 120.0, line_uom=G, product_uom=KG),
    line(32, 24.0),
))
#   K1 kit BoM: 3 units of K1 = 6 bolts + 1.5 units of kit K2 + 3 washers (own operation)
K1 = Bom(bom_id=20, qty=3.0, uom=UNIT, lines=(
    line(21, 6.0),
    line(22, 1.5, phantom=K2),
    line(23, 3.0, operation_id=502),
))
#   K3 kit BoM: 1 K3 = 5 pins
K3 = Bom(bom_id=40, qty=1.0, uom=UNIT, lines=(line(41, 5.0),))
#   finished: 1 frame + half a dozen K1 (operation 501) + 2 K3 with 10% scrap
FINISHED = Bom(bom_id=10, qty=1.0, uom=UNIT, lines=(
    line(11, 1.0),
    line(12, 0.5, line_uom=DOZEN, product_uom=UNIT, operation_id=501, phantom=K1),
    line(13, 2.0, scrap_percent=10.0, phantom=K3),
))


class TestExplodeKits(QuantitiesCase):
    """Kits (phantom BoMs), nested."""

    def test_explode_nested_kits(self):
        needs = explode(FINISHED, UNIT)
        # kits are replaced by their components, depth first, in BoM order
        self.assertEqual([n.line_id for n in needs], [11, 21, 31, 32, 23, 41])
        got = by_line(needs)
        # 0.5 dozen K1 = 6 K1 = 2 x the K1 BoM
        self.assertApprox(got[21].qty_per_unit, 12.0)
        # 6 K1 need 3 K2 = 0.25 dozen = 0.25 x the K2 BoM
        self.assertApprox(got[31].qty_per_unit, 0.03)       # 30 g in kg
        self.assertEqual(got[31].uom, KG)
        self.assertApprox(got[32].qty_per_unit, 6.0)
        self.assertApprox(got[23].qty_per_unit, 6.0)
        # scrap on a kit line scales everything in the kit: 2.2 K3
        self.assertApprox(got[41].qty_per_unit, 11.0)
        self.assertApprox(got[11].qty_per_unit, 1.0)

    def test_explode_nested_kits_record_their_own_bom(self):
        got = by_line(explode(FINISHED, UNIT))
        self.assertEqual({k: got[k].bom_id for k in got},
                         {11: 10, 21: 20, 31: 30, 32: 30, 23: 20, 41: 40})
        self.assertEqual({k: got[k].product_id for k in got}, {k: 1000 + k for k in got})

    def test_explode_kit_components_inherit_operation_of_parent_line(self):
        got = by_line(explode(FINISHED, UNIT))
        self.assertEqual(got[21].operation_id, 501)   # K1 line without operation: the kit line's
        self.assertEqual(got[31].operation_id, 501)   # two levels down, through K2
        self.assertEqual(got[32].operation_id, 501)
        self.assertEqual(got[23].operation_id, 502)   # its own operation is kept (as Odoo 11 does)
        self.assertIsNone(got[41].operation_id)  # kit line without operation
        self.assertIsNone(got[11].operation_id)

    def test_explode_nested_kits_in_dozens(self):
        got = by_line(explode(FINISHED, DOZEN))
        expected = {11: 12.0, 21: 144.0, 31: 0.36, 32: 72.0, 23: 72.0, 41: 132.0}
        self.assertEqual(set(got), set(expected))
        for k, value in expected.items():
            self.assertApprox(got[k].qty_per_unit, value)

    def test_explode_kit_bom_quantity_and_uom(self):
        # the kit is sold by the box of 100 in the parent BoM; its own BoM makes 50 units
        kit = Bom(bom_id=2, qty=50.0, uom=UNIT, lines=(line(21, 10.0),))
        bom = Bom(bom_id=1, qty=4.0, uom=UNIT, lines=(
            line(11, 2.0, line_uom=BOX, product_uom=UNIT, phantom=kit),))
        (need,) = explode(bom, UNIT)
        # per finished unit: 0.5 box = 50 kits = 1 kit BoM = 10
        self.assertApprox(need.qty_per_unit, 10.0)
        self.assertEqual(need.bom_id, 2)

    def test_explode_kit_in_other_category_than_its_bom_refused(self):
        kit = Bom(bom_id=2, qty=1.0, uom=KG, lines=(line(21, 1.0),))
        bom = Bom(bom_id=1, qty=1.0, uom=UNIT, lines=(line(11, 1.0, phantom=kit),))
        with self.assertRaises(ValueError):
            explode(bom, UNIT)


# -- standard_qty and due_qty ---------------------------------------------------

class TestStandardQty(QuantitiesCase):

    def test_standard_qty_half_up(self):
        for per_unit, finished, rounding, expected in [
            (8.0, 5.0, 1.0, 40.0),
            (0.5, 5.0, 1.0, 3.0),      # 2.5 -> 3: HALF-UP, not banker's rounding
            (0.5, 7.0, 1.0, 4.0),      # 3.5 -> 4
            (0.25, 2.0, 1.0, 1.0),     # 0.5 -> 1
            (0.25, 1.0, 1.0, 0.0),     # 0.25 -> 0
            (1.005, 1.0, 0.01, 1.01),  # 1.005 is 1.00499999... in binary: still HALF-UP
            (2.675, 1.0, 0.01, 2.68),
            (0.125, 5.0, 0.01, 0.63),
            (0.0125, 1.0, 0.001, 0.013),
            (1.0 / 3.0, 3.0, 0.01, 1.0),
            (1.0 / 3.0, 1.0, 0.01, 0.33),
            (2.0 / 3.0, 1.0, 0.01, 0.67),
            (0.1, 3.0, 0.01, 0.3),
            (0.03, 5.0, 0.001, 0.15),
            (1.3, 1.0, 0.5, 1.5),       # rounding steps other than powers of ten
            (8.8, 0.0, 0.01, 0.0),
            (0.0, 10.0, 0.01, 0.0),
        ]:
            with self.subTest(per_unit=per_unit, finished=finished, rounding=rounding):
                result = standard_qty(per_unit, finished, Uom(1.0, rounding, UNITS))
                self.assertEqual(float_compare(result, expected,
                                               precision_rounding=rounding / 10.0), 0)
                self.assertApprox(result, expected)

    @PROPERTY_SETTINGS
    @given(per_unit=st.floats(min_value=0.0, max_value=1000.0),
           finished=st.floats(min_value=0.0, max_value=10000.0),
           rounding=st.sampled_from([1.0, 0.01, 0.001]))
    def test_property_standard_qty_is_rounded_to_uom(self, per_unit, finished, rounding):
        result = standard_qty(per_unit, finished, Uom(1.0, rounding, UNITS))
        # a multiple of the rounding, within half a step of the exact product
        self.assertApprox(result, float_round(result, precision_rounding=rounding))
        self.assertLessEqual(abs(result - per_unit * finished),
                             rounding / 2.0 + 1e-9 * max(1.0, result))


class TestDueQty(QuantitiesCase):

    def test_due_qty(self):
        for per_unit, released, consumed, rounding, expected in [
            (8.0, 5.0, 0.0, 1.0, 40.0),       # nothing recorded: the standard
            (8.0, 5.0, 12.0, 1.0, 28.0),      # operator recorded 12: the remainder
            (8.0, 5.0, 40.0, 1.0, 0.0),       # all recorded: nothing
            (8.0, 5.0, 42.0, 1.0, 0.0),       # extra consumption: never negative
            (8.0, 0.0, 0.0, 1.0, 0.0),        # nothing released
            (8.0, 0.0, 3.0, 1.0, 0.0),
            (0.1, 3.0, 0.1 + 0.2, 0.01, 0.0),  # float noise is not a due quantity
            (1.0 / 3.0, 1.0, 0.1, 0.01, 0.23),
            (0.5, 5.0, 1.0, 1.0, 2.0),         # standard 3 (HALF-UP) - 1
            (10.0, 1.0, 9.996, 0.01, 0.0),     # a remainder below half the UoM rounding is nothing
            (0.03, 5.0, 0.1, 0.001, 0.05),
        ]:
            with self.subTest(per_unit=per_unit, released=released, consumed=consumed,
                              rounding=rounding):
                due = due_qty(per_unit, released, consumed, Uom(1.0, rounding, UNITS))
                self.assertApprox(due, expected)
                self.assertGreaterEqual(due, 0.0)

    def test_due_qty_zero_is_a_float_zero(self):
        due = due_qty(8.0, 5.0, 50.0, UNIT)
        self.assertEqual(due, 0.0)
        self.assertIsInstance(due, float)
        self.assertFalse(due)  # callers test "if qty:"

    def test_due_qty_is_idempotent(self):
        uom = Uom(1.0, 0.001, UNITS)
        consumed = 0.0
        for released in (1.0, 2.5, 2.5, 7.0, 7.0):
            due = due_qty(0.0333, released, consumed, uom)
            consumed += due
            # running the trigger again right after posts nothing new
            self.assertEqual(due_qty(0.0333, released, consumed, uom), 0.0)
        self.assertEqual(float_compare(consumed, standard_qty(0.0333, 7.0, uom),
                                       precision_rounding=uom.rounding), 0)

    def test_due_qty_table_of_spec_section_4(self):
        needs = explode(TABLE, UNIT)
        self.assertEqual([standard_qty(n.qty_per_unit, 5.0, UNIT_WHOLE) for n in needs],
                         [20.0, 5.0, 40.0])
        # the operator records 42 screws: nothing more to backflush for the screws
        self.assertEqual(due_qty(needs[2].qty_per_unit, 5.0, 42.0, UNIT_WHOLE), 0.0)


# -- conservation over partial productions --------------------------------

PER_UNIT_SPECIAL = [0.5, 0.25, 0.125, 0.1, 0.3, 2.5, 0.005, 0.0125, 1.0 / 3.0, 2.0 / 3.0,
                    1.0 / 12.0, 1.1, 8.8, 0.03, 7.0]
per_unit_quantities = st.one_of(
    st.sampled_from(PER_UNIT_SPECIAL),
    st.floats(min_value=0.0001, max_value=1000.0),
    st.integers(min_value=1, max_value=100000).map(lambda n: n / 1000.0),
    st.tuples(st.integers(min_value=1, max_value=50),
              st.integers(min_value=1, max_value=13)).map(lambda t: t[0] / t[1]),
)
component_roundings = st.sampled_from([1.0, 0.01, 0.001])
finished_roundings = st.sampled_from([1.0, 0.1, 0.01, 0.001])


def _post_partials(per_unit, counts, finished_rounding, uom):
    """Post each partial production cumulatively; return the dues posted."""
    dues = []
    produced = 0.0
    posted = 0.0
    for count in counts:
        produced += count * finished_rounding
        # the produced quantity, as recorded in its UoM
        released = float_round(produced, precision_rounding=finished_rounding)
        due = due_qty(per_unit, released, posted, uom)
        dues.append(due)
        posted += due
    return dues, posted


class TestPartialProductions(QuantitiesCase):

    @PROPERTY_SETTINGS
    @given(per_unit=per_unit_quantities, rounding=component_roundings,
           finished_rounding=finished_roundings,
           counts=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=50))
    def test_property_partial_productions_sum_to_standard_of_total(self, per_unit, rounding,
                                                                    finished_rounding, counts):
        uom = Uom(1.0, rounding, UNITS)
        total = float_round(sum(counts) * finished_rounding,
                            precision_rounding=finished_rounding)
        dues, posted = _post_partials(per_unit, counts, finished_rounding, uom)
        self.assertTrue(all(due >= 0.0 for due in dues), dues)
        # every due is a quantity of the component's UoM
        for due in dues:
            self.assertTrue(float_is_zero(due - float_round(due, precision_rounding=rounding),
                                          precision_rounding=rounding), due)
        # no drift: the partials add up to one production of the total, exactly
        self.assertEqual(float_compare(posted, standard_qty(per_unit, total, uom),
                                       precision_rounding=rounding), 0)

    @PROPERTY_SETTINGS
    @given(per_unit=per_unit_quantities, rounding=component_roundings,
           counts=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=50),
           data=st.data())
    def test_property_partials_with_bom_explosion(self, per_unit, rounding, counts, data):
        """Same, with the per-unit quantity coming out of an explosion with UoMs and scrap."""
        line_uom = data.draw(st.sampled_from([UNIT, DOZEN, BOX]))
        bom_qty = data.draw(st.sampled_from([1.0, 2.0, 3.0, 12.0, 0.5]))
        scrap = data.draw(st.sampled_from([0.0, 2.5, 10.0, 33.0]))
        finished_uom = data.draw(st.sampled_from([UNIT, DOZEN]))
        component_uom = Uom(1.0, rounding, UNITS)
        bom = Bom(bom_id=1, qty=bom_qty, uom=UNIT, lines=(
            BomLine(line_id=1, product_id=1, qty=per_unit, line_uom=line_uom,
                    product_uom=component_uom, scrap_percent=scrap),))
        (need,) = explode(bom, finished_uom)
        total = float_round(sum(counts) * 0.01, precision_rounding=0.01)
        dues, posted = _post_partials(need.qty_per_unit, counts, 0.01, need.uom)
        self.assertTrue(all(due >= 0.0 for due in dues), dues)
        self.assertEqual(float_compare(posted, standard_qty(need.qty_per_unit, total, need.uom),
                                       precision_rounding=rounding), 0)

    @PROPERTY_SETTINGS
    @given(per_unit=per_unit_quantities, rounding=component_roundings,
           steps=st.lists(st.tuples(st.integers(min_value=1, max_value=200),
                                    st.integers(min_value=0, max_value=3000)),
                          min_size=1, max_size=50))
    def test_property_operator_consumption_respected(self, per_unit, rounding, steps):
        """Operators record consumption between partial productions; the backflush
        only posts the remainder, is never negative, and posts nothing twice."""
        uom = Uom(1.0, rounding, UNITS)
        produced = 0
        posted = 0.0
        recorded = 0.0
        due = 0.0
        for count, manual in steps:
            produced += count
            recorded += manual * rounding
            due = due_qty(per_unit, float(produced), posted + recorded, uom)
            self.assertGreaterEqual(due, 0.0)
            posted += due
            self.assertEqual(due_qty(per_unit, float(produced), posted + recorded, uom), 0.0)
        standard = standard_qty(per_unit, float(produced), uom)
        consumed = posted + recorded
        self.assertGreaterEqual(float_compare(consumed, standard, precision_rounding=rounding),
                                0)
        if due > 0.0:
            # the last posting topped up exactly to the standard
            self.assertEqual(float_compare(consumed, standard, precision_rounding=rounding), 0)

    def test_partials_as_unrounded_float_sum_do_not_drift(self):
        uom = UNIT_WHOLE
        produced = 0.0
        posted = 0.0
        for partial in (0.3, 2.3, 0.3):
            produced += partial
            posted += due_qty(5.0, produced, posted, uom)
        standard = standard_qty(5.0, 2.9, uom)
        self.assertEqual(posted, standard)
        self.assertEqual(standard, 15.0)

    def test_module_docstring_promise_holds_for_recorded_quantities(self):
        # the same split, each cumulative quantity recorded at the MO UoM's rounding
        uom = UNIT_WHOLE
        produced = 0.0
        posted = 0.0
        for partial in (0.3, 2.3, 0.3):
            produced = float_round(produced + partial, precision_rounding=0.01)
            posted += due_qty(5.0, produced, posted, uom)
        self.assertEqual(posted, 15.0)
        self.assertEqual(quantities.standard_qty(5.0, 2.9, uom), 15.0)

    @PROPERTY_SETTINGS
    @given(per_unit=per_unit_quantities, rounding=component_roundings,
           a=st.integers(min_value=0, max_value=100000),
           b=st.integers(min_value=0, max_value=100000))
    def test_property_standard_qty_monotonic(self, per_unit, rounding, a, b):
        """Monotonic in the finished quantity: why partial dues can never be negative."""
        a, b = sorted((a, b))
        uom = Uom(1.0, rounding, UNITS)
        self.assertLessEqual(standard_qty(per_unit, a / 100.0, uom),
                             standard_qty(per_unit, b / 100.0, uom))


# -- explosion against exact arithmetic -----------------------------------

EXACT_UOMS = [  # (Uom of the Units category, exact factor)
    (UNIT, Fraction(1)),
    (DOZEN, Fraction(1, 12)),
    (BOX, Fraction(1, 100)),
    (Uom(1.0 / 6.0, 1.0, UNITS), Fraction(1, 6)),
    (Uom(10.0, 0.01, UNITS), Fraction(10)),
]


@st.composite
def exact_boms(draw):
    """(bom, finished uom, exact qty per finished unit) with an optional kit level."""
    def uom():
        return draw(st.sampled_from(EXACT_UOMS))

    def decimal(max_value):
        return Fraction(draw(st.integers(min_value=1, max_value=max_value)),
                        draw(st.sampled_from([1, 10, 100, 1000])))

    component_uom, component_factor = uom()
    line_uom, line_factor = uom()
    line_qty = decimal(10000)
    scrap = Fraction(draw(st.sampled_from([0, 1, 5, 10, 25])))
    bom_uom, bom_factor = uom()
    bom_qty = decimal(5000)
    finished_uom, finished_factor = uom()
    leaf = BomLine(line_id=1, product_id=1, qty=float(line_qty), line_uom=line_uom,
                   product_uom=component_uom, scrap_percent=float(scrap))
    # exact: per finished unit -> BoM units -> line qty -> component UoM
    exact = (line_qty * (bom_factor / finished_factor) / bom_qty * (1 + scrap / 100)
             / line_factor * component_factor)
    if draw(st.booleans()):
        kit_uom, kit_factor = uom()
        kit_qty = decimal(500)
        kit_line_uom, kit_line_factor = uom()
        kit_line_qty = decimal(500)
        kit = Bom(bom_id=2, qty=float(kit_qty), uom=kit_uom, lines=(leaf,))
        top = Bom(bom_id=1, qty=float(bom_qty), uom=bom_uom, lines=(
            BomLine(line_id=10, product_id=10, qty=float(kit_line_qty),
                    line_uom=kit_line_uom, product_uom=kit_line_uom, phantom=kit),))
        kit_units = (kit_line_qty * (bom_factor / finished_factor) / bom_qty
                     / kit_line_factor * kit_factor)
        exact = (line_qty * kit_units / kit_qty * (1 + scrap / 100)
                 / line_factor * component_factor)
        return top, finished_uom, exact
    return Bom(bom_id=1, qty=float(bom_qty), uom=bom_uom, lines=(leaf,)), finished_uom, exact


def _exact_half_up(value, rounding):
    return math.floor(value / rounding + Fraction(1, 2)) * rounding


class TestExactArithmetic(QuantitiesCase):

    @PROPERTY_SETTINGS
    @given(case=exact_boms())
    def test_property_explode_matches_exact_arithmetic(self, case):
        bom, finished_uom, exact = case
        (need,) = explode(bom, finished_uom)
        self.assertApprox(need.qty_per_unit, float(exact), rel=1e-12)

    def test_standard_qty_of_exploded_bom_rounds_exact_ties_half_up(self):
        """Exact HALF-UP ties stay ties despite the float noise of qty_per_unit
        (3.3 / 12 = 0.27499999999999997, x 15 = 4.124999999999999), as Odoo's own MO
        rounds them (line qty x produced / BoM qty)."""
        for bom_qty, bom_uom, line_qty, finished_uom, rounding, made, expected in [
            # a BoM for 12 units takes 3.3 units; make 15: 4.125 -> 4.13 (got 4.12)
            (12.0, UNIT, 3.3, UNIT, 0.01, 15.0, 4.13),
            # the same BoM, MO in dozens; 0.7 per 12 units, make 5 dozens: 3.5 -> 4 (got 3)
            (12.0, UNIT, 0.7, DOZEN, 1.0, 5.0, 4.0),
            # a BoM for 1 dozen takes 5.1 units, MO in units; make 5: 2.125 -> 2.13 (got 2.12)
            (1.0, DOZEN, 5.1, UNIT, 0.01, 5.0, 2.13),
        ]:
            with self.subTest(bom_qty=bom_qty, line_qty=line_qty, made=made):
                component_uom = Uom(1.0, rounding, UNITS)
                bom = Bom(bom_id=1, qty=bom_qty, uom=bom_uom, lines=(
                    BomLine(line_id=1, product_id=1, qty=line_qty, line_uom=component_uom,
                            product_uom=component_uom),))
                (need,) = explode(bom, finished_uom)
                self.assertApprox(standard_qty(need.qty_per_unit, made, component_uom),
                                  expected)

    @PROPERTY_SETTINGS
    @given(case=exact_boms(),
           made=st.integers(min_value=1, max_value=100000).map(lambda n: Fraction(n, 100)),
           rounding=st.sampled_from([Fraction(1), Fraction(1, 100), Fraction(1, 1000)]))
    def test_property_standard_qty_of_explosion_is_exact_half_up(self, case, made, rounding):
        """For any quantity below a million, the standard quantity is what exact
        decimal arithmetic rounded HALF-UP gives, ties included."""
        # pylint takes hypothesis' assume() for a raise
        # pylint: disable=unreachable
        bom, finished_uom, exact_per_unit = case
        assume(exact_per_unit * made < 1000000)
        component_uom = Uom(1.0, float(rounding), UNITS)
        (need,) = explode(bom, finished_uom)
        got = standard_qty(need.qty_per_unit, float(made), component_uom)
        expected = _exact_half_up(exact_per_unit * made, rounding)
        self.assertEqual(float_compare(got, float(expected),
                                       precision_rounding=float(rounding)), 0)
