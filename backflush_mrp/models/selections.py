"""Selection keys of the public interface (SPEC sections 2, 5 and 6)."""
from ..lib import variance

TRIGGERS = [
    ("production_done", "On completion (assembly pull)"),
    ("operation_done", "On operation (operation pull)"),
    ("shipment", "On shipment (post-deduct)"),
    ("periodic", "Periodic (scheduled batch)"),
    ("manual", "Manual (never backflushed)"),
]

SHORTAGE_POLICIES = [
    ("allow_negative", "Post anyway (stock may go negative)"),
    ("queue", "Queue as exception, let the MO close"),
    ("block", "Block the posting"),
]

EXCEPTION_REASONS = [
    ("shortage", "Shortage"),
    ("lot_required", "Lot/serial required"),
    ("missing_account", "Missing account"),
    ("missing_cost", "Missing cost"),
    ("locked_period", "Locked period"),
    ("other", "Other"),
]

BACKFLUSH_STATES = [
    ("none", "Nothing to backflush"),
    ("pending", "Pending"),
    ("partial", "Partially backflushed"),
    ("done", "Backflushed"),
    ("exception", "Exception"),
]

VARIANCE_LABELS = {
    "usage": "Usage",
    "price": "Price",
    "revision": "Revision",
    "scrap": "Scrap",
    "efficiency": "Efficiency",
    "lot_size": "Lot Size",
}
# the keys are lib/variance.py's
VARIANCE_TYPES = [(kind, VARIANCE_LABELS[kind]) for kind in variance.ALL_VARIANCE_TYPES]

CONVERSION_TYPES = [
    ("labour", "Labour"),
    ("overhead", "Overhead"),
]
