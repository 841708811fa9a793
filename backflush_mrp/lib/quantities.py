"""How much of each component a production consumes (SPEC section 3).

Quantities per finished unit are kept unrounded; a quantity to post is
always derived from the cumulative produced quantity and rounded once to the
component's UoM, so that any split into partial productions posts, in total,
exactly what one production of the sum would, with no drift.
"""
from dataclasses import dataclass
from typing import Optional

from odoo.tools.float_utils import float_compare, float_round


@dataclass(frozen=True)
class Uom:
    """An Odoo UoM reduced to what conversion needs."""

    factor: float  # units of this UoM per reference unit (Odoo's product.uom.factor)
    rounding: float = 0.01
    category_id: int = 0


def convert(qty, from_uom: Uom, to_uom: Uom):
    """Odoo's product.uom._compute_quantity without rounding."""
    if from_uom.category_id != to_uom.category_id:
        raise ValueError("cannot convert between UoM categories %s and %s"
                         % (from_uom.category_id, to_uom.category_id))
    return qty / from_uom.factor * to_uom.factor


@dataclass(frozen=True)
class BomLine:
    line_id: int
    product_id: int
    qty: float              # in line_uom, per bom.qty units of the BoM
    line_uom: Uom
    product_uom: Uom        # the component's own UoM
    scrap_percent: float = 0.0
    operation_id: int | None = None
    phantom: Optional["Bom"] = None  # a kit: its lines are consumed instead


@dataclass(frozen=True)
class Bom:
    bom_id: int
    qty: float              # the BoM's quantity, in uom
    uom: Uom
    lines: tuple[BomLine, ...]


@dataclass(frozen=True)
class Need:
    """One component to consume per finished unit."""

    line_id: int
    product_id: int
    qty_per_unit: float     # in the component's UoM, scrap included, unrounded
    uom: Uom
    operation_id: int | None
    bom_id: int


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


def explode(bom: Bom, finished_uom: Uom):
    """Components per one finished unit (in finished_uom), kits exploded."""
    return _explode(bom, convert(1.0, finished_uom, bom.uom), None)


# a cumulative finished quantity is a float sum of partial quantities
# (0.3 + 2.3 + 0.3 = 2.8999999999999995): its noise is cut off at this many
# significant digits before rounding to the UoM, far below any UoM rounding
SIGNIFICANT_DIGITS = 12


def _without_float_noise(value):
    return float("%.*g" % (SIGNIFICANT_DIGITS, value))


def standard_qty(qty_per_unit, finished_qty, uom: Uom):
    """Standard consumption for a cumulative finished quantity, UoM-rounded."""
    return float_round(_without_float_noise(qty_per_unit * _without_float_noise(finished_qty)),
                       precision_rounding=uom.rounding, rounding_method="HALF-UP")


def due_qty(qty_per_unit, released_qty, consumed_qty, uom: Uom):
    """What is left to backflush once consumed_qty (by anyone) is counted.

    Never negative: consumption beyond standard is the operator's and stays
    as usage variance; nothing is ever given back by a backflush.
    """
    due = standard_qty(qty_per_unit, released_qty, uom) - consumed_qty
    due = float_round(due, precision_rounding=uom.rounding)
    if float_compare(due, 0.0, precision_rounding=uom.rounding) <= 0:
        return 0.0
    return due
