"""Conversion costs at standard: labour and overhead of the routing (SPEC section 4b).

Times are in minutes as Odoo keeps them (operation ``time_cycle``, work
center ``time_start``/``time_stop``), hours are minutes / 60, rates are
company currency per hour of work center time. Quantities are finished
units in the BoM's UoM; the costing lot size is in that UoM too.

    run per unit   = time_cycle / capacity x 100 / time_efficiency
    setup per unit = (time_start + time_stop) / costing lot size
    standard conversion cost per unit = sum (run + setup) / 60 x (labour + overhead)

An MO absorbs, per operation, hours x each rate: the hours its work order
recorded, else the standard hours for the produced quantity with one setup.

    efficiency = absorbed - standard hours (one setup included) x rates
    lot size   = setup hours x rates x (1 - produced / costing lot size)

so that efficiency + lot size + produced x standard conversion per unit =
what was absorbed; the revision variance keeps the standard conversion at
the costing lot size (see all_variances).
"""
from odoo.tools.float_utils import float_round

from . import variance
from .records import record

MINUTES_PER_HOUR = 60.0
CONVERSION_VARIANCE_TYPES = variance.CONVERSION_VARIANCE_TYPES
# the five kinds a settlement books
VARIANCE_TYPES = variance.SETTLEMENT_ORDER


class Operation(record("Operation", "operation_id time_cycle capacity time_efficiency "
                                    "time_start time_stop labour_rate overhead_rate",
                       capacity=1.0, time_efficiency=100.0, time_start=0.0, time_stop=0.0,
                       labour_rate=0.0, overhead_rate=0.0)):
    """One routing operation at its work center, reduced to what costing needs.

    time_cycle: minutes per cycle (the operation's duration); capacity: units
    per cycle; time_efficiency: percent; time_start, time_stop: minutes of
    setup and cleaning per run of the operation; rates per hour.
    """

    __slots__ = ()


class Absorption(record("Absorption", "operation_id hours labour overhead recorded")):
    """What one operation absorbs: hours, the labour and overhead amounts (rounded).

    recorded: the hours are the work order's recorded time, not the standard.
    """

    __slots__ = ()

    @property
    def amount(self):
        return self.labour + self.overhead


class OperationCost(record("OperationCost", "operation absorbed")):
    """An operation of an MO and the amount (labour + overhead) it absorbed on WIP."""

    __slots__ = ()


def has_rates(operation):
    return operation.labour_rate > 0 or operation.overhead_rate > 0


def hourly_rate(operation):
    return operation.labour_rate + operation.overhead_rate


def run_minutes_per_unit(operation):
    if operation.capacity <= 0 or operation.time_efficiency <= 0:
        raise ValueError("operation %s: capacity and time efficiency must be positive"
                         % operation.operation_id)
    return operation.time_cycle / operation.capacity * 100.0 / operation.time_efficiency


def setup_minutes(operation):
    """Setup and cleaning of one run of the operation (once per MO)."""
    return operation.time_start + operation.time_stop


def _check_lot_size(costing_lot_size):
    if costing_lot_size <= 0:
        raise ValueError("the costing lot size must be positive, not %s" % costing_lot_size)


def setup_minutes_per_unit(operation, costing_lot_size):
    _check_lot_size(costing_lot_size)
    return setup_minutes(operation) / costing_lot_size


def standard_minutes_per_unit(operation, costing_lot_size):
    """(run, setup) minutes per finished unit in the standard."""
    return (run_minutes_per_unit(operation),
            setup_minutes_per_unit(operation, costing_lot_size))


def operation_cost_per_unit(operation, costing_lot_size):
    run, setup = standard_minutes_per_unit(operation, costing_lot_size)
    return (run + setup) / MINUTES_PER_HOUR * hourly_rate(operation)


def conversion_cost_per_unit(operations, costing_lot_size):
    """Standard conversion cost of one finished unit, unrounded."""
    return sum(operation_cost_per_unit(operation, costing_lot_size)
               for operation in operations)


def standard_hours(operation, produced_qty):
    """Standard hours for produced_qty, one setup included; nothing produced: none."""
    if produced_qty <= 0:
        return 0.0
    minutes = run_minutes_per_unit(operation) * produced_qty + setup_minutes(operation)
    return minutes / MINUTES_PER_HOUR


def absorbed_hours(operation, produced_qty, recorded_minutes=None):
    """The work order's recorded time when there is one, else the standard hours."""
    if recorded_minutes is not None:
        if recorded_minutes < 0:
            raise ValueError("recorded time cannot be negative: %s" % recorded_minutes)
        return recorded_minutes / MINUTES_PER_HOUR
    return standard_hours(operation, produced_qty)


def absorption(operation, produced_qty, rounding, recorded_minutes=None):
    """Absorption of one operation: hours x each rate, rounded to the currency."""
    hours = absorbed_hours(operation, produced_qty, recorded_minutes)
    return Absorption(
        operation_id=operation.operation_id, hours=hours,
        labour=float_round(hours * operation.labour_rate, precision_rounding=rounding),
        overhead=float_round(hours * operation.overhead_rate, precision_rounding=rounding),
        recorded=recorded_minutes is not None)


def efficiency_variance(operation, produced_qty, absorbed):
    """Absorbed minus the standard hours for the produced quantity at the rates."""
    return absorbed - standard_hours(operation, produced_qty) * hourly_rate(operation)


def lot_size_variance(operation, produced_qty, costing_lot_size):
    """The setup the standard spread over the costing lot, not covered by this MO."""
    _check_lot_size(costing_lot_size)
    if produced_qty <= 0:
        return 0.0
    setup_cost = setup_minutes(operation) / MINUTES_PER_HOUR * hourly_rate(operation)
    return setup_cost * (1.0 - produced_qty / costing_lot_size)


def conversion_variances(operation_costs, produced_qty, costing_lot_size):
    """{'efficiency', 'lot_size', 'standard'}: the variances and the standard conversion.

    Their sum is what the operations absorbed.
    """
    efficiency = sum(efficiency_variance(cost.operation, produced_qty, cost.absorbed)
                     for cost in operation_costs)
    lot_size = sum(lot_size_variance(cost.operation, produced_qty, costing_lot_size)
                   for cost in operation_costs)
    standard = produced_qty * conversion_cost_per_unit(
        [cost.operation for cost in operation_costs], costing_lot_size) \
        if produced_qty > 0 else 0.0
    return {"efficiency": efficiency, "lot_size": lot_size, "standard": standard}


def all_variances(components, finished_qty, finished_standard_price, operation_costs=(),
                  produced_qty=None, costing_lot_size=1.0):
    """The five variances of an MO, unrounded (SPEC sections 4 and 4b).

    finished_qty and finished_standard_price are in the product's UoM;
    produced_qty is the same output in the BoM's UoM (default finished_qty).
    revision = sq x sc + standard conversion at the costing lot size
               - finished qty x finished standard.
    """
    amounts = variance.raw_variances(components, finished_qty, finished_standard_price)
    produced_qty = finished_qty if produced_qty is None else produced_qty
    conversion = conversion_variances(operation_costs, produced_qty, costing_lot_size)
    amounts["revision"] += conversion["standard"]
    amounts["efficiency"] = conversion["efficiency"]
    amounts["lot_size"] = conversion["lot_size"]
    return amounts


def settle(components, finished_qty, finished_standard_price, wip_residual, rounding,
           operation_costs=(), produced_qty=None, costing_lot_size=1.0, posted=None):
    """Variance amounts (all five kinds) that clear wip_residual; zeros left out.

    posted: what earlier settlements booked (see lib/variance.settle_variances).
    """
    return variance.settle_variances(
        all_variances(components, finished_qty, finished_standard_price, operation_costs,
                      produced_qty, costing_lot_size), wip_residual, rounding, posted)
