"""Which lots a backflush takes (SPEC section 5).

First-expiring first where expiry dates exist, else first-in first-out by
incoming date; a quantity is split across lots when one is not enough.
"""
import math

from odoo.tools.float_utils import float_compare, float_round

from .records import record


class LotStock(record("LotStock", "lot_id available expiry in_date", expiry=None, in_date=None)):
    """A lot's free quantity, in the component's UoM.

    expiry and in_date: 'YYYY-MM-DD...' strings, or None.
    """

    __slots__ = ()


def _order(stock):
    # lots without an expiry date come after every dated one
    return (stock.expiry is None, stock.expiry or "", stock.in_date or "", stock.lot_id)


def _round_down(value, rounding):
    steps = math.floor(value / rounding + 1e-9)
    return float_round(steps * rounding, precision_rounding=rounding)


def pick(stocks, qty, rounding):
    """[(lot_id, qty)] taken in FEFO/FIFO order, and the quantity still missing."""
    picked = []
    remaining = qty
    for stock in sorted(stocks, key=_order):
        if float_compare(remaining, 0.0, precision_rounding=rounding) <= 0:
            break
        if float_compare(stock.available, 0.0, precision_rounding=rounding) <= 0:
            continue
        # never more than the lot holds: its quantity is rounded down to the UoM
        take = min(_round_down(stock.available, rounding), remaining)
        if float_compare(take, 0.0, precision_rounding=rounding) <= 0:
            continue
        picked.append((stock.lot_id, take))
        remaining = float_round(remaining - take, precision_rounding=rounding)
    return picked, max(remaining, 0.0)
