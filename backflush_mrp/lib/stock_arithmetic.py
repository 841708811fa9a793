"""Odoo 11's stock arithmetic of a consumption, over plain data.

The set-based posting (backflush.move.writer) writes the rows that Odoo's
own ``stock.move._action_done`` and stock_account's valuation would write.
What those methods compute, record by record, is reproduced here on plain
values, operation for operation and in Odoo's order, so that the result is
the same to the last bit of every float: reservations released quant by
quant, available quantities updated on the first quant of the removal
order, FIFO layers taken oldest first. Where Odoo would do something these
functions do not reproduce, they raise NotReproduced, and the caller lets
Odoo's own path post instead.
"""
from odoo.tools.float_utils import float_compare, float_is_zero

from .records import record


class Consumption(record("Consumption", "move qty lot final_lot")):
    """What a trigger consumes on one of an MO's own moves: qty in the move's UoM.

    move, lot and final_lot are records (lot and final_lot may be empty).
    """

    __slots__ = ()


class NotReproduced(Exception):
    """A case the set-based posting leaves to Odoo's own path; the message says why."""


class QuantBook(object):
    """Quants of (product, location) with no lot, package or owner, in removal order.

    quants: {key: [quant dict with id, quantity, reserved_quantity, in_date]};
    new quants get id None. Deleted quants are collected in ``deleted``.
    reserving: {key: ids of the open moves' lines that reserve there}.
    """

    def __init__(self, quants, reserving=None):
        self.quants = quants
        self.reserving = reserving if reserving is not None else {}
        self.deleted = []
        self.created = []

    def _of(self, key):
        return self.quants.setdefault(key, [])

    def release(self, key, qty, rounding):
        """_update_reserved_quantity of -qty, strictly on key's quants."""
        quants = self._of(key)
        reserved = sum(quant["reserved_quantity"] for quant in quants)
        if float_compare(qty, reserved, precision_rounding=rounding) > 0:
            raise NotReproduced("more is reserved on the moves than on the quants")
        remaining = -qty
        for quant in quants:
            taken = min(quant["reserved_quantity"], abs(remaining))
            quant["reserved_quantity"] -= taken
            remaining += taken
            if float_is_zero(remaining, precision_rounding=rounding):
                break

    def available(self, key):
        return sum(quant["quantity"] - quant["reserved_quantity"] for quant in self._of(key))

    def update(self, key, delta, rounding, now, in_date=None):
        """_update_available_quantity(delta, in_date): the in_date it returns."""
        quants = self._of(key)
        dates = [quant["in_date"] for quant in quants if quant["in_date"]]
        if in_date:
            dates.append(in_date)
        in_date = min(dates) if dates else now
        if quants:
            quant = quants[0]
            quant["quantity"] = quant["quantity"] + delta
            quant["in_date"] = in_date
            if float_is_zero(quant["quantity"], precision_rounding=rounding) and \
                    float_is_zero(quant["reserved_quantity"], precision_rounding=rounding):
                quants.pop(0)
                if quant["id"] is not None:
                    self.deleted.append(quant["id"])
                else:
                    self.created.remove(quant)
        else:
            quant = {"id": None, "key": key, "quantity": delta, "reserved_quantity": 0.0,
                     "in_date": in_date}
            quants.append(quant)
            self.created.append(quant)
        return in_date


def consume_on_lines(lines, qty, rounding):
    """mrp's _generate_consumed_move_line on a move's untracked lines.

    lines: the move's move lines without lot or finished lot, in their
    order, as dicts with product_uom_qty and qty_done (changed in place).
    Returns what is left for a new line. A line only partly consumed would
    be split in two: not reproduced.
    """
    for line in lines:
        if float_compare(qty, 0, precision_rounding=line["rounding"]) <= 0:
            break
        taken = min(qty, line["product_uom_qty"] - line["qty_done"])
        qty -= taken
        done = line["qty_done"] + taken
        if float_compare(done, line["product_uom_qty"], precision_rounding=line["rounding"]) < 0:
            raise NotReproduced("a reserved move line would be split")
        line["qty_done"] = done
    if float_compare(qty, 0, precision_rounding=rounding) > 0:
        return qty
    return 0.0


def take_fifo(candidates, qty):
    """stock_account's _run_fifo over candidates (dicts, oldest first, changed in place).

    Returns (new standard price or 0, value taken, quantity left untaken).
    The arithmetic is Odoo's, exact comparisons included.
    """
    new_standard_price = 0
    taken_value = 0
    for candidate in list(candidates):
        new_standard_price = candidate["price_unit"]
        if candidate["remaining_qty"] <= qty:
            taken_qty = candidate["remaining_qty"]
        else:
            taken_qty = qty
        unit_value = candidate["remaining_value"] / candidate["remaining_qty"]
        value_taken = taken_qty * unit_value
        candidate["remaining_qty"] = candidate["remaining_qty"] - taken_qty
        candidate["remaining_value"] = candidate["remaining_value"] - value_taken
        candidate["touched"] = True
        qty -= taken_qty
        taken_value += value_taken
        if qty == 0:
            break
    return new_standard_price, taken_value, qty


def out_valuation(move, taken, standard_price, cost_method, currency_round):
    """The value fields stock_account writes on an outgoing move.

    move: dict with product_qty, remaining_qty, remaining_value and the
    valued quantity; taken: take_fifo's answer; standard_price: the
    product's standard price after the FIFO update.
    """
    new_standard_price, taken_value, left = taken
    values = {}
    if left == 0:
        values.update(value=-taken_value, price_unit=-taken_value / move["product_qty"])
    elif left > 0:
        last_price = new_standard_price or standard_price
        negative_value = last_price * -left
        taken_value += abs(negative_value)
        values.update(remaining_qty=move["remaining_qty"] + -left,
                      remaining_value=move["remaining_value"] + negative_value,
                      value=-taken_value, price_unit=-1 * last_price)
    if cost_method in ("standard", "average"):
        value = -currency_round(standard_price * move["valued_qty"])
        values.update(value=value, price_unit=value / move["valued_qty"])
    return values
