"""Which triggers an event fires and how many finished units it releases
(SPEC section 2), without a database."""
import unittest

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


class TestFired(unittest.TestCase):
    """Which triggers each event fires."""

    def test_events(self):
        self.assertEqual(set(EVENT_TRIGGERS), set(EVENTS))

    def test_event_triggers(self):
        for event in EVENTS:
            with self.subTest(event=event):
                self.assertEqual(set(EVENT_TRIGGERS[event]), EXPECTED_FIRED[event])
                self.assertLessEqual(set(EVENT_TRIGGERS[event]), set(TRIGGERS))

    def test_fired(self):
        for trigger in TRIGGERS:
            for event in EVENTS:
                with self.subTest(trigger=trigger, event=event):
                    self.assertIs(fired(event, trigger), trigger in EXPECTED_FIRED[event])

    def test_manual_trigger_never_fired(self):
        """`manual` components are issued by hand: no event backflushes them."""
        for event in EVENTS:
            with self.subTest(event=event):
                self.assertFalse(fired(event, "manual"))
                self.assertEqual(triggers.NEVER_BACKFLUSHED, "manual")

    def test_shipment_and_periodic_stay_pending_at_completion(self):
        self.assertFalse(fired("completion", "shipment"))
        self.assertFalse(fired("completion", "periodic"))
        self.assertFalse(fired("output", "shipment"))
        self.assertFalse(fired("output", "operation_done"))

    def test_unknown_event_refused(self):
        with self.assertRaises(KeyError):
            fired("bogus", "production_done")


class TestReleasedQty(unittest.TestCase):
    """How many finished units a trigger releases."""

    def test_released_manual_always_zero(self):
        for kwargs in ({}, {"operation_produced": 3.0}, {"shipped": 5.0}, {"completed": True},
                       {"operation_produced": 10.0, "shipped": 10.0, "completed": True}):
            with self.subTest(**kwargs):
                self.assertEqual(released_qty("manual", 10.0, **kwargs), 0.0)

    def test_released_production_done_and_periodic_use_produced(self):
        for kwargs in ({}, {"operation_produced": 3.0}, {"shipped": 2.0}, {"completed": True}):
            for trigger in ("production_done", "periodic"):
                with self.subTest(trigger=trigger, **kwargs):
                    self.assertEqual(released_qty(trigger, 7.0, **kwargs), 7.0)
                    self.assertEqual(released_qty(trigger, 0.0, **kwargs), 0.0)

    def test_released_operation_done_uses_work_order_quantity(self):
        self.assertEqual(released_qty("operation_done", 2.0, operation_produced=6.0), 6.0)
        self.assertEqual(released_qty("operation_done", 10.0, operation_produced=4.0), 4.0)
        self.assertEqual(released_qty("operation_done", 10.0, operation_produced=0.0), 0.0)

    def test_released_operation_done_at_completion_uses_produced(self):
        # operations that were skipped are consumed too when the MO is marked done
        self.assertEqual(released_qty("operation_done", 10.0, operation_produced=4.0,
                                      completed=True), 10.0)
        self.assertEqual(released_qty("operation_done", 10.0, operation_produced=0.0,
                                      completed=True), 10.0)
        self.assertEqual(released_qty("operation_done", 10.0, operation_produced=12.0,
                                      completed=True), 10.0)

    def test_released_operation_done_without_work_order_uses_produced(self):
        self.assertEqual(released_qty("operation_done", 8.0, operation_produced=None), 8.0)
        self.assertEqual(released_qty("operation_done", 8.0), 8.0)

    def test_released_shipment_capped_by_produced(self):
        for produced, shipped, expected in [
            (10.0, 0.0, 0.0),
            (10.0, 4.0, 4.0),
            (10.0, 10.0, 10.0),
            (10.0, 15.0, 10.0),   # capped by what was produced
            (0.0, 5.0, 0.0),
            (2.5, 1.25, 1.25),
        ]:
            with self.subTest(produced=produced, shipped=shipped):
                self.assertEqual(released_qty("shipment", produced, shipped=shipped), expected)
                # completing the MO does not release what is not shipped
                self.assertEqual(released_qty("shipment", produced, shipped=shipped,
                                              completed=True), expected)
                self.assertEqual(released_qty("shipment", produced, operation_produced=99.0,
                                              shipped=shipped), expected)

    def test_released_shipment_default_nothing_shipped(self):
        self.assertEqual(released_qty("shipment", 10.0), 0.0)

    @settings(max_examples=300, deadline=None, database=None)
    @given(trigger=st.sampled_from(TRIGGERS),
           produced=st.integers(min_value=0, max_value=10000).map(lambda n: n / 100.0),
           operation_produced=st.none() | st.integers(min_value=0, max_value=10000).map(
               lambda n: n / 100.0),
           shipped=st.integers(min_value=0, max_value=10000).map(lambda n: n / 100.0),
           completed=st.booleans())
    def test_property_released_qty(self, trigger, produced, operation_produced, shipped,
                                   completed):
        released = released_qty(trigger, produced, operation_produced, shipped, completed)
        self.assertGreaterEqual(released, 0.0)
        if trigger == "manual":
            self.assertEqual(released, 0.0)
        elif trigger == "operation_done":
            if completed or operation_produced is None:
                self.assertEqual(released, produced)
            else:
                self.assertEqual(released, operation_produced)
        else:
            # every other trigger releases at most what was produced
            self.assertLessEqual(released, produced)
            if trigger == "shipment":
                self.assertEqual(released, min(shipped, produced))
            else:
                self.assertEqual(released, produced)
