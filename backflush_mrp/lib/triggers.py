"""Which components an event releases, and for how many finished units.

Every trigger of SPEC section 2 posts through the same routine; they differ
only in the events that fire them and in the finished quantity they release
for a component. An event names the triggers it fires.
"""
EVENT_TRIGGERS = {
    # the produce wizard recorded output
    "output": ("production_done",),
    # the MO is marked done: operations that were skipped are consumed too
    "completion": ("production_done", "operation_done"),
    # a work order recorded output or finished
    "operation": ("operation_done",),
    # the last work order recorded output: that is the MO's output too
    "last_operation": ("operation_done", "production_done"),
    # finished goods were delivered
    "shipment": ("shipment",),
    # the scheduled job
    "periodic": ("periodic",),
    # a user (or the retry of an exception) posts whatever is due now
    "manual": ("production_done", "operation_done", "shipment", "periodic"),
}

NEVER_BACKFLUSHED = "manual"


def fired(event, trigger):
    return trigger in EVENT_TRIGGERS[event]


def released_qty(trigger, produced, operation_produced=None, shipped=0.0, completed=False):
    """Finished units whose components of this trigger may be consumed now.

    produced: finished units recorded on the MO; operation_produced: units the
    work order of the component's operation produced (None: the operation has
    no work order); shipped: units delivered and allocated to this MO;
    completed: the MO is being or has been marked done.
    """
    if trigger == NEVER_BACKFLUSHED:
        return 0.0
    if trigger == "operation_done":
        if completed or operation_produced is None:
            return produced
        return operation_produced
    if trigger == "shipment":
        return min(shipped, produced)
    return produced
