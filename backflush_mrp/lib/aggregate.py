"""Aggregated batch posting: one stock move carries the same component for many MOs.

A periodic run posts, per chunk of MOs, one stock move per component,
source location and WIP account; each MO's share of it is kept (quantity
and value), so that its WIP, its variances and its log stay its own.
"""
from odoo.tools.float_utils import float_is_zero, float_round

from .records import record


class Share(record("Share", "production_id line_id qty")):
    """What one backflush line of one MO takes from an aggregated move."""

    __slots__ = ()


class MoveKey(record("MoveKey", "company_id product_id uom_id location_id location_dest_id "
                                "wip_account_id")):
    """What the MOs sharing one aggregated move have in common."""

    __slots__ = ()


def group_shares(entries):
    """{MoveKey: [Share]} from [(MoveKey, Share)], keys and shares in first-seen order."""
    groups = {}
    for key, share in entries:
        groups.setdefault(key, []).append(share)
    return groups


def split_amount(total, weights, rounding):
    """total split in proportion to weights, each part rounded to rounding.

    The parts add up to total rounded, exactly: the rounding residue goes to
    the part of the largest weight (the first of them on a tie). Zero weights
    get zero, unless every weight is zero, when the first part takes it all.
    """
    total = float_round(total, precision_rounding=rounding)
    if not weights:
        return []
    weight_sum = sum(weights)
    if float_is_zero(weight_sum, precision_digits=12):
        return [total] + [0.0] * (len(weights) - 1)
    parts = [float_round(total * weight / weight_sum, precision_rounding=rounding)
             for weight in weights]
    residue = float_round(total - sum(parts), precision_rounding=rounding)
    if not float_is_zero(residue, precision_rounding=rounding):
        largest = max(range(len(weights)), key=lambda index: (abs(weights[index]), -index))
        parts[largest] = float_round(parts[largest] + residue, precision_rounding=rounding)
    return parts


def aggregatable(tracking, recorded_qty, rounding):
    """Can a line's due quantity go through an aggregated move?

    Lots and serials are picked per MO, and what an operator recorded on the
    MO's own move must be posted by that move: those stay with the MO.
    """
    return tracking == "none" and float_is_zero(recorded_qty, precision_rounding=rounding)
