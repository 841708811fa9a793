"""Read only the fields a step goes through, for all its records at once.

When a record lacks a field in the cache, Odoo 11 reads every column of
its model for every record prefetched with it, and builds a dictionary of
all of them per record that it throws away (``_prefetch_field``). On
stock.move that costs about a millisecond a row. A step that walks
thousands of moves for a few of their fields (the periodic run's scan of
pending components, a chunk's posting) names those fields here first.
Any field not named is still read the ORM's way when it is needed.
"""


# what preparing and posting MOs reads of them, their components and their moves
# (backflush.posting, backflush.chunk)
MOVE_READS = (
    "state", "product_id", "product_uom", "product_uom_qty", "product_qty", "location_id",
    "location_dest_id", "company_id", "raw_material_production_id", "picking_id", "scrapped",
    "move_dest_ids", "restrict_partner_id", "origin_returned_move_id",
    "backflush_reversal_of_id", "backflush_line_id", "remaining_qty", "remaining_value",
    "value", "name", "production_id",
    "move_line_ids.qty_done", "move_line_ids.product_uom_qty", "move_line_ids.product_qty",
    "move_line_ids.product_uom_id", "move_line_ids.location_id", "move_line_ids.lot_id",
    "move_line_ids.lot_produced_id", "move_line_ids.package_id", "move_line_ids.owner_id",
    "move_line_ids.result_package_id", "move_line_ids.done_wo", "move_line_ids.move_id",
)
# of finished moves: what the produced quantity, the final lot and the settlement read
FINISHED_MOVE_READS = (
    "state", "product_id", "product_uom", "product_qty", "product_uom_qty", "scrapped",
    "value", "backflush_reversal_of_id", "company_id", "move_line_ids.qty_done",
    "move_line_ids.lot_id", "move_line_ids.product_uom_id", "move_line_ids.move_id",
)
POSTING_READS = tuple(
    ["name", "state", "company_id", "product_id", "product_uom_id", "product_qty",
     "backflush_state", "backflush_shipped_qty", "procurement_group_id", "bom_id",
     "workorder_ids.qty_produced", "workorder_ids.operation_id",
     "backflush_line_ids.production_id"]
    + ["backflush_line_ids.%s" % name for name in (
        "trigger", "qty_per_unit", "product_id", "product_uom_id", "standard_cost",
        "shortage_policy", "location_id", "operation_id", "bom_line_id", "rule_id",
        "company_id")]
    + ["backflush_line_ids.move_ids.%s" % path for path in MOVE_READS]
    + ["move_finished_ids.%s" % path for path in FINISHED_MOVE_READS]
    # what mrp's compute of the MOs' availability reads once their moves are done
    + ["move_raw_ids.state", "move_raw_ids.product_qty", "bom_id.ready_to_produce"])


def read_ahead(records, paths):
    """Fill the cache with the fields of paths ('move_ids.state', ...) from records."""
    tree = {}
    for path in paths:
        node = tree
        for name in path.split("."):
            node = node.setdefault(name, {})
    _read_tree(records, tree)


def _read_tree(records, tree):
    if not records:
        return
    # read() would also build a dictionary of the values per record, which
    # prefetching throws away: _read_from_database is the part of read() that
    # fetches the columns (x2many included) into the cache, with the record rules
    records.check_access_rights("read")
    records._read_from_database(sorted(tree))
    for name, below in sorted(tree.items()):
        if below:
            _read_tree(records.mapped(name), below)


def browse_along(records, path):
    """[what path ('product_id.categ_id') reaches from each of records], browsed
    from each record in turn.

    Unlike mapped(), which gathers them in a recordset of their own, this puts
    them among the records that records prefetch with: a computed field the
    ORM computes on one of them (a company-dependent account, say) is then
    computed on all of them at once.
    """
    reached = []
    for record in records:
        target = record
        for name in path.split("."):
            target = target[name]
        reached.append(target)
    return reached


__all__ = ["POSTING_READS", "browse_along", "read_ahead"]
