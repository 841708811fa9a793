"""Read only the fields a step goes through, for all its records at once.

When a record lacks a field in the cache, Odoo 11 reads every column of
its model for every record prefetched with it, and builds a dictionary of
all of them per record that it throws away (``_prefetch_field``). On
stock.move that costs about a millisecond a row. A step that walks
thousands of moves for a few of their fields (the periodic run's scan of
pending components, a chunk's posting) names those fields here first.
Any field not named is still read the ORM's way when it is needed.
"""
from odoo.osv.query import Query
from odoo.tools import OrderedSet

from . import core_rows

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
    """Fill the cache with the fields of paths ('move_ids.state', ...) from records.

    Only what the cache lacks is read: a value already there (written, or
    computed, by this transaction) is left as it is.
    """
    tree = {}
    for path in paths:
        node = tree
        for name in path.split("."):
            node = node.setdefault(name, {})
    _read_tree(records, tree)


def _read_tree(records, tree):
    if not records:
        return
    records.check_access_rights("read")
    _read_missing(records, sorted(tree))
    for name, below in sorted(tree.items()):
        if below:
            _read_tree(_reached(records, name), below)


def _plain_column(field):
    """Is the field a column of its model's own table that reads as it is stored?"""
    return (field.store and field.column_type and not field.inherited and not field.translate
            and field.type != "binary")


def _read_missing(records, names):
    """What records._read_from_database(names) reads, for the records that lack each field.

    Plain columns are fetched in one SELECT (under the same record rules) and
    put into the cache field by field, each distinct value converted once:
    _read_from_database builds and converts a dictionary of every value of
    every row, which on thousands of moves costs more than the query. Other
    fields (x2many, translated, inherited...), and all of them when a record
    cannot be read (deleted, or hidden by a rule: the ORM records why in the
    cache), are read by _read_from_database.
    """
    cache = records.env.cache._data
    fields = [records._fields[name] for name in names]
    missing = {}
    for field in fields:
        key = field.cache_key(records)
        by_id = cache.get(field, {})
        ids = [record_id for record_id in records._ids if key not in by_id.get(record_id, ())]
        if ids:
            missing[field] = ids
    plain = [field for field in missing if _plain_column(field)]
    plain_ids = sorted(set().union(*[missing[field] for field in plain]))
    if plain and not _fill_columns(records.browse(plain_ids, records._prefetch), plain,
                                  missing):
        plain = []
    others = []
    for field, ids in missing.items():
        if field in plain or (_plain_one2many(field) and _fill_one2many(
                records.browse(ids, records._prefetch), field)):
            continue
        others.append(field)
    if others:
        ids = sorted(set().union(*[missing[field] for field in others]))
        records.browse(ids, records._prefetch)._read_from_database(
            [field.name for field in others])


def _fill_columns(records, fields, missing):
    """Read fields of records into the cache (each for its missing ids); False if a
    record could not be read (nothing is cached then)."""
    cr = records.env.cr
    table = records._table
    param_ids = object()
    query = Query(['"%s"' % table], ['"%s".id IN %%s' % table], [param_ids])
    records._apply_ir_rules(query, "read")
    from_clause, where_clause, params = query.get_sql()
    statement = "SELECT %s FROM %s WHERE %s" % (
        ",".join('"%s"."%s"' % (table, name) for name in ["id"] + [f.name for f in fields]),
        from_clause, where_clause)
    position = params.index(param_ids)
    rows = []
    for ids in cr.split_for_in_conditions(records.ids):
        params[position] = tuple(ids)
        cr.execute(statement, params)
        rows.extend(cr.dictfetchall())
    if len(rows) != len(records):
        return False
    for field in fields:
        wanted = set(missing[field])
        chosen = rows if len(wanted) == len(rows) else [
            row for row in rows if row["id"] in wanted]
        core_rows.cache_rows(records.browse([row["id"] for row in chosen], records._prefetch),
                             chosen, [field.name])
    return True


def _plain_one2many(field):
    return field.type == "one2many" and not field.limit


def _fill_one2many(records, field):
    """What One2many.read puts into the cache, its lines' inverse read as a column;
    False (nothing cached) if that inverse is not a plain many2one column, or
    if a line could not be read.

    One2many.read groups the lines it found by reading the inverse of each
    line through the ORM, which for thousands of lines costs more than the
    search.
    """
    comodel = records.env[field.comodel_name].with_context(**field.context)
    inverse = comodel._fields.get(field.inverse_name)
    if inverse is None or inverse.type != "many2one" or not _plain_column(inverse):
        return False
    domain = field.domain(records) if callable(field.domain) else field.domain
    lines = comodel.search(list(domain) + [(inverse.name, "in", records.ids)])
    _read_missing(lines, [inverse.name])
    inverse_of = records.env.cache._data.get(inverse, {})
    key = inverse.cache_key(lines)
    grouped = {record_id: [] for record_id in records._ids}
    for line_id in lines._ids:
        value = inverse_of.get(line_id, {}).get(key)
        if not isinstance(value, tuple):
            return False
        if value and value[0] in grouped:
            grouped[value[0]].append(line_id)
    by_id = records.env.cache._data[field]
    key = field.cache_key(records)
    for record_id, line_ids in grouped.items():
        by_id[record_id][key] = tuple(line_ids)
    return True


def _reached(records, name):
    """records.mapped(name) for a relational field read into the cache, from its ids."""
    field = records._fields[name]
    key = field.cache_key(records)
    by_id = records.env.cache._data.get(field, {})
    ids = []
    for record_id in records._ids:
        value = by_id.get(record_id, {}).get(key)
        # else a failed read (a record deleted, or hidden by a rule), which
        # raises where the caller reads it, as with the ORM's own reads
        if isinstance(value, tuple):
            ids.extend(value)
    return records.env[field.comodel_name].browse(OrderedSet(ids), records._prefetch)


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
