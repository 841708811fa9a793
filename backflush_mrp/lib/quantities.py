"""How much of each component a production consumes (SPEC section 3).

Quantities per finished unit are kept unrounded; a quantity to post is
always derived from the cumulative produced quantity and rounded once to the
component's UoM, so that any split into partial productions posts, in total,
exactly what one production of the sum would, with no drift.
"""
from odoo.tools.float_utils import float_compare, float_round

from .records import record


class Uom(record("Uom", "factor rounding category_id", rounding=0.01, category_id=0)):
    """An Odoo UoM reduced to what conversion needs.

    factor: units of this UoM per reference unit (Odoo's product.uom.factor).
    """

    __slots__ = ()


def convert(qty, from_uom, to_uom):
    """Odoo's product.uom._compute_quantity without rounding."""
    if from_uom.category_id != to_uom.category_id:
        raise ValueError("cannot convert between UoM categories %s and %s"
                         % (from_uom.category_id, to_uom.category_id))
    return qty / from_uom.factor * to_uom.factor


def odoo_quantity(qty, from_uom, to_uom, rounding_method="UP"):
    """Odoo's product.uom._compute_quantity, rounded as it rounds (same operations,
    in the same order: the same float)."""
    return float_round(convert(qty, from_uom, to_uom), precision_rounding=to_uom.rounding,
                       rounding_method=rounding_method)


class BomLine(record("BomLine", "line_id product_id qty line_uom product_uom scrap_percent "
                                "operation_id phantom",
                      scrap_percent=0.0, operation_id=None, phantom=None)):
    """One line of a BoM.

    qty: in line_uom, per bom.qty units of the BoM; product_uom: the
    component's own UoM; operation_id: None or an id; phantom: None or the
    kit's Bom, whose lines are consumed instead.
    """

    __slots__ = ()


class Bom(record("Bom", "bom_id qty uom lines")):
    """A BoM: qty in uom, lines a tuple of BomLine."""

    __slots__ = ()


class Need(record("Need", "line_id product_id qty_per_unit uom operation_id bom_id")):
    """One component to consume per finished unit.

    qty_per_unit: in the component's UoM, scrap included, unrounded;
    operation_id: None or an id.
    """

    __slots__ = ()


def _scrap_factor(line):
    return 1.0 + (line.scrap_percent or 0.0) / 100.0


def _explode(bom, bom_units, inherited_operation):
    needs = []
    for line in bom.lines:
        line_qty = line.qty * bom_units / bom.qty * _scrap_factor(line)
        operation = line.operation_id or inherited_operation
        if line.phantom is not None:
            kit_units = convert(line_qty, line.line_uom, line.phantom.uom)
            needs.extend(_explode(line.phantom, kit_units, operation))
            continue
        needs.append(Need(
            line_id=line.line_id,
            product_id=line.product_id,
            qty_per_unit=convert(line_qty, line.line_uom, line.product_uom),
            uom=line.product_uom,
            operation_id=operation,
            bom_id=bom.bom_id,
        ))
    return needs


def explode(bom, finished_uom):
    """Components per one finished unit (in finished_uom), kits exploded."""
    return _explode(bom, convert(1.0, finished_uom, bom.uom), None)


# a cumulative finished quantity is a float sum of partial quantities
# (0.3 + 2.3 + 0.3 = 2.8999999999999995): its noise is cut off at this many
# significant digits before rounding to the UoM, far below any UoM rounding
SIGNIFICANT_DIGITS = 12


def _without_float_noise(value):
    return float("%.*g" % (SIGNIFICANT_DIGITS, value))


def standard_qty(qty_per_unit, finished_qty, uom):
    """Standard consumption for a cumulative finished quantity, UoM-rounded."""
    return float_round(_without_float_noise(qty_per_unit * _without_float_noise(finished_qty)),
                       precision_rounding=uom.rounding, rounding_method="HALF-UP")


def due_qty(qty_per_unit, released_qty, consumed_qty, uom):
    """What is left to backflush once consumed_qty (by anyone) is counted.

    Never negative: consumption beyond standard is the operator's and stays
    as usage variance; nothing is ever given back by a backflush.
    """
    due = standard_qty(qty_per_unit, released_qty, uom) - consumed_qty
    due = float_round(due, precision_rounding=uom.rounding)
    if float_compare(due, 0.0, precision_rounding=uom.rounding) <= 0:
        return 0.0
    return due
