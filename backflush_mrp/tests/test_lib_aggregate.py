"""Aggregated batch posting arithmetic, without a database."""
from hypothesis import given
from hypothesis import strategies as st
from odoo.addons.backflush_mrp.lib.aggregate import (
    MoveKey,
    Share,
    aggregatable,
    group_shares,
    split_amount,
)
from odoo.tools.float_utils import float_compare, float_round

CENT = 0.01


def test_split_in_proportion_to_quantities():
    assert split_amount(100.0, [1.0, 3.0], CENT) == [25.0, 75.0]


def test_residue_goes_to_the_largest_share():
    # 10.00 / 3 = 3.333...: two cents of residue... one cent here, on the largest
    assert split_amount(10.0, [1.0, 1.0, 1.0], CENT) == [3.34, 3.33, 3.33]
    assert split_amount(10.0, [1.0, 2.0, 1.0], CENT) == [2.5, 5.0, 2.5]
    assert split_amount(1.0, [1.0, 1.0, 1.0], CENT) == [0.34, 0.33, 0.33]


def test_zero_weights():
    assert split_amount(5.0, [0.0, 2.0], CENT) == [0.0, 5.0]
    assert split_amount(5.0, [0.0, 0.0], CENT) == [5.0, 0.0]
    assert split_amount(5.0, [], CENT) == []


def test_negative_totals_split_the_same_way():
    assert split_amount(-10.0, [1.0, 1.0, 1.0], CENT) == [-3.34, -3.33, -3.33]


@given(st.floats(min_value=-1e6, max_value=1e6),
       st.lists(st.floats(min_value=0.0, max_value=1e4), min_size=1, max_size=40))
def test_parts_always_add_up_to_the_rounded_total(total, weights):
    parts = split_amount(total, weights, CENT)
    assert len(parts) == len(weights)
    assert float_compare(sum(parts), float_round(total, precision_rounding=CENT),
                         precision_rounding=CENT) == 0
    for part in parts:
        assert float_compare(part, float_round(part, precision_rounding=CENT),
                             precision_rounding=CENT) == 0


@given(st.floats(min_value=0.0, max_value=1e6),
       st.lists(st.floats(min_value=0.001, max_value=1e4), min_size=1, max_size=40))
def test_each_part_is_within_a_cent_per_part_of_its_exact_share(total, weights):
    parts = split_amount(total, weights, CENT)
    exact = [total * weight / sum(weights) for weight in weights]
    for part, share in zip(parts, exact):
        assert abs(part - share) <= CENT * (len(weights) + 1)


def test_group_shares_keeps_order():
    key_a = MoveKey(1, 10, 1, 8, 7, 99)
    key_b = MoveKey(1, 11, 1, 8, 7, 99)
    first, second, third = Share(1, 100, 2.0), Share(1, 101, 3.0), Share(2, 200, 4.0)
    assert group_shares([(key_a, first), (key_b, second), (key_a, third)]) == {
        key_a: [first, third], key_b: [second]}


def test_only_untracked_lines_without_recorded_consumption_aggregate():
    assert aggregatable("none", 0.0, 0.01)
    assert not aggregatable("none", 2.0, 0.01)
    assert not aggregatable("lot", 0.0, 0.01)
    assert not aggregatable("serial", 0.0, 0.01)
