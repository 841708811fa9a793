"""Standard cost variances of one MO (SPEC section 4).

For each component c: sq = standard quantity for the produced quantity,
aq = actual quantity consumed, sc = standard unit cost kept on the MO,
av = actual value posted by the stock valuation.

    usage    = sum (aq - sq) * sc
    price    = sum (av - aq * sc)
    revision = sum sq * sc - finished_qty * finished_standard_price

so that usage + price + revision = sum av - finished value = WIP residual.
Positive amounts are unfavourable (debit the variance account).
"""
from odoo.tools.float_utils import float_is_zero, float_round

from .records import record

# the one definition of every variance kind (models/selections.py labels them)
VARIANCE_TYPES = ("usage", "price", "revision")
# labour and overhead (SPEC section 4b, lib/conversion.py)
CONVERSION_VARIANCE_TYPES = ("efficiency", "lot_size")
# every kind a settlement may split a residual over, in the order ties are broken
SETTLEMENT_ORDER = VARIANCE_TYPES + CONVERSION_VARIANCE_TYPES
# a scrapped component's cost, booked when it is scrapped, never by a settlement
SCRAP = "scrap"
ALL_VARIANCE_TYPES = VARIANCE_TYPES + (SCRAP,) + CONVERSION_VARIANCE_TYPES


class ComponentCost(record("ComponentCost",
                           "product_id standard_qty actual_qty standard_cost actual_value")):
    """sq, aq, sc and av of one component (see the module's docstring)."""

    __slots__ = ()


def raw_variances(components, finished_qty, finished_standard_price):
    """The three variances, unrounded."""
    usage = sum((c.actual_qty - c.standard_qty) * c.standard_cost for c in components)
    price = sum(c.actual_value - c.actual_qty * c.standard_cost for c in components)
    standard_rollup = sum(c.standard_qty * c.standard_cost for c in components)
    revision = standard_rollup - finished_qty * finished_standard_price
    return {"usage": usage, "price": price, "revision": revision}


def split_residual(raw, wip_residual, rounding):
    """Round each variance to the currency; the residue goes to the largest one.

    wip_residual is what is really left on WIP (the sum of rounded postings),
    so the result always adds up to it exactly, to the cent.
    """
    kinds = [kind for kind in SETTLEMENT_ORDER if kind in raw]
    rounded = {kind: float_round(raw[kind], precision_rounding=rounding) for kind in kinds}
    residue = float_round(wip_residual - sum(rounded.values()), precision_rounding=rounding)
    if not float_is_zero(residue, precision_rounding=rounding):
        largest = max(kinds, key=lambda kind: (abs(rounded[kind]), -kinds.index(kind)))
        rounded[largest] = float_round(rounded[largest] + residue, precision_rounding=rounding)
    return rounded


def settle_variances(targets, wip_residual, rounding, posted=None):
    """Variance amounts that clear wip_residual; zero amounts are left out.

    targets: {kind: amount} the MO's postings call for, unrounded; posted:
    {kind: amount} earlier settlements of the MO booked already (a reversal
    or an unbuild settles it again), so that only the difference is booked.
    """
    posted = posted or {}
    due = {kind: amount - posted.get(kind, 0.0) for kind, amount in targets.items()}
    amounts = split_residual(due, wip_residual, rounding)
    return {kind: amount for kind, amount in amounts.items()
            if not float_is_zero(amount, precision_rounding=rounding)}


def settle(components, finished_qty, finished_standard_price, wip_residual, rounding,
           posted=None):
    """The three variances that clear wip_residual (see settle_variances)."""
    return settle_variances(raw_variances(components, finished_qty, finished_standard_price),
                            wip_residual, rounding, posted)
