"""Which triggers an event fires and how many finished units it releases
(SPEC section 2), without a database."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odoo.addons.backflush_mrp.lib import triggers
from odoo.addons.backflush_mrp.lib.triggers import EVENT_TRIGGERS, fired, released_qty

TRIGGERS = ("production_done", "operation_done", "shipment", "periodic", "manual")
EVENTS = ("output", "completion", "operation", "last_operation", "shipment", "periodic",
          "manual")

EXPECTED_FIRED = {
    "output": {"production_done"},
    "completion": {"production_done", "operation_done"},
    "operation": {"operation_done"},
    "last_operation": {"operation_done", "production_done"},
    "shipment": {"shipment"},
    "periodic": {"periodic"},
    "manual": {"production_done", "operation_done", "shipment", "periodic"},
}


def test_events():
    assert set(EVENT_TRIGGERS) == set(EVENTS)


@pytest.mark.parametrize("event", EVENTS)
def test_event_triggers(event):
    assert set(EVENT_TRIGGERS[event]) == EXPECTED_FIRED[event]
    assert set(EVENT_TRIGGERS[event]) <= set(TRIGGERS)


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_fired(event, trigger):
    assert fired(event, trigger) is (trigger in EXPECTED_FIRED[event])


@pytest.mark.parametrize("event", EVENTS)
def test_manual_trigger_never_fired(event):
    """`manual` components are issued by hand: no event backflushes them."""
    assert not fired(event, "manual")
    assert triggers.NEVER_BACKFLUSHED == "manual"


def test_shipment_and_periodic_stay_pending_at_completion():
    assert not fired("completion", "shipment")
    assert not fired("completion", "periodic")
    assert not fired("output", "shipment")
    assert not fired("output", "operation_done")


def test_unknown_event_refused():
    with pytest.raises(KeyError):
        fired("bogus", "production_done")


# -- released_qty ---------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {}, {"operation_produced": 3.0}, {"shipped": 5.0}, {"completed": True},
    {"operation_produced": 10.0, "shipped": 10.0, "completed": True},
])
def test_released_manual_always_zero(kwargs):
    assert released_qty("manual", 10.0, **kwargs) == 0.0


@pytest.mark.parametrize("trigger", ["production_done", "periodic"])
@pytest.mark.parametrize("kwargs", [
    {}, {"operation_produced": 3.0}, {"shipped": 2.0}, {"completed": True},
])
def test_released_production_done_and_periodic_use_produced(trigger, kwargs):
    assert released_qty(trigger, 7.0, **kwargs) == 7.0
    assert released_qty(trigger, 0.0, **kwargs) == 0.0


def test_released_operation_done_uses_work_order_quantity():
    assert released_qty("operation_done", 2.0, operation_produced=6.0) == 6.0
    assert released_qty("operation_done", 10.0, operation_produced=4.0) == 4.0
    assert released_qty("operation_done", 10.0, operation_produced=0.0) == 0.0


def test_released_operation_done_at_completion_uses_produced():
    # operations that were skipped are consumed too when the MO is marked done
    assert released_qty("operation_done", 10.0, operation_produced=4.0, completed=True) == 10.0
    assert released_qty("operation_done", 10.0, operation_produced=0.0, completed=True) == 10.0
    assert released_qty("operation_done", 10.0, operation_produced=12.0, completed=True) == 10.0


def test_released_operation_done_without_work_order_uses_produced():
    assert released_qty("operation_done", 8.0, operation_produced=None) == 8.0
    assert released_qty("operation_done", 8.0) == 8.0


@pytest.mark.parametrize("produced, shipped, expected", [
    (10.0, 0.0, 0.0),
    (10.0, 4.0, 4.0),
    (10.0, 10.0, 10.0),
    (10.0, 15.0, 10.0),   # capped by what was produced
    (0.0, 5.0, 0.0),
    (2.5, 1.25, 1.25),
])
def test_released_shipment_capped_by_produced(produced, shipped, expected):
    assert released_qty("shipment", produced, shipped=shipped) == expected
    # completing the MO does not release what is not shipped
    assert released_qty("shipment", produced, shipped=shipped, completed=True) == expected
    assert released_qty("shipment", produced, operation_produced=99.0,
                        shipped=shipped) == expected


def test_released_shipment_default_nothing_shipped():
    assert released_qty("shipment", 10.0) == 0.0


@settings(max_examples=300, deadline=None, database=None)
@given(trigger=st.sampled_from(TRIGGERS),
       produced=st.integers(min_value=0, max_value=10_000).map(lambda n: n / 100.0),
       operation_produced=st.none() | st.integers(min_value=0, max_value=10_000).map(
           lambda n: n / 100.0),
       shipped=st.integers(min_value=0, max_value=10_000).map(lambda n: n / 100.0),
       completed=st.booleans())
def test_property_released_qty(trigger, produced, operation_produced, shipped, completed):
    released = released_qty(trigger, produced, operation_produced, shipped, completed)
    assert released >= 0.0
    if trigger == "manual":
        assert released == 0.0
    elif trigger == "operation_done":
        if completed or operation_produced is None:
            assert released == produced
        else:
            assert released == operation_produced
    else:
        # every other trigger releases at most what was produced
        assert released <= produced
        if trigger == "shipment":
            assert released == min(shipped, produced)
        else:
            assert released == produced
