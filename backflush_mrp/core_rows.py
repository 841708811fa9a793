"""Set-based creates and writes of Odoo's own records, with the ORM's semantics.

Odoo 11 creates records one at a time and writes different values to
different records one statement per record. The set-based posting
(backflush.move.writer) writes thousands of rows of Odoo's own tables per
chunk; these helpers write them in a few statements each, and keep what
the ORM does around a create or a write:

- defaults are applied to created rows (``_add_missing_default_values``,
  context defaults included), booleans default to False;
- values are converted to columns by their fields (float digits rounded as
  the ORM rounds them, selections checked);
- the stored computed fields of the rows, and of every record that depends
  on them, are marked to recompute (``modified``) and recomputed by the ORM
  itself (``recompute``), so that related and computed columns (an item's
  balance, a move line's state, an entry's amount...) are Odoo's own;
- Python constraints are checked (``_validate_fields``).

They do not call the models' ``create``/``write`` overrides: the writer
uses them only where it stands in for code whose overrides it checked (see
backflush.move.writer's refusal reasons). Statements are composed by
psycopg2 (values bound through mogrify, identifiers quoted).
"""
from psycopg2 import sql

from .bulk import STATEMENT_ROWS, _batches, _execute, _identifiers, _values_clause


def _defaults(model, names):
    """The values create would add to vals that have exactly names."""
    sample = dict.fromkeys(names, False)
    added = model._add_missing_default_values(sample)
    for name, field in model._fields.items():
        if field.type == "boolean" and field.store and name not in added:
            added[name] = False
    return {name: value for name, value in added.items() if name not in names}


def _column_items(model, vals):
    """[(column, SQL value)] of vals' stored columns, converted as _create converts."""
    items = []
    for name, value in vals.items():
        field = model._fields[name]
        if not (field.store and field.column_type) or field.inherited:
            continue
        if hasattr(field, "selection") and value:
            model._check_selection_field_value(name, value)
        items.append((name, field.convert_to_column(value, model, vals)))
    return items


def create_rows(model, vals_list, computed=()):
    """model.create(vals) for each of vals_list, in a few INSERTs; the new records.

    vals hold only column values (no x2many commands, no inherited fields).
    computed: names of stored computed fields whose values vals already hold
    (as their compute would make them): the ORM does not compute them again.
    """
    if not vals_list:
        return model.browse()
    cr = model.env.cr
    by_keys = {}
    rows = []
    for vals in vals_list:
        keys = frozenset(vals)
        if keys not in by_keys:
            by_keys[keys] = _defaults(model, keys)
        rows.append(dict(_column_items(model, dict(by_keys[keys], **vals))))
    columns = sorted(set().union(*rows))
    magic = ["create_uid", "write_uid"] if model._log_access else []
    template = "(%s%s)" % (",".join(["%s"] * (len(columns) + len(magic))),
                           ", (now() at time zone 'UTC'), (now() at time zone 'UTC')"
                           if model._log_access else "")
    names = columns + magic + (["create_date", "write_date"] if model._log_access else [])
    ids = []
    for batch in _batches(rows):
        values = [tuple(row.get(column) for column in columns) + (model.env.uid,) * len(magic)
                  for row in batch]
        _execute(cr, "INSERT INTO {table} ({columns}) VALUES {values} RETURNING id",
                 table=sql.Identifier(model._table), columns=_identifiers(names),
                 values=_values_clause(cr, values, template))
        ids += [row[0] for row in cr.fetchall()]
    records = model.browse(ids)
    records.modified(model._fields)
    for name in computed:
        records._recompute_done(model._fields[name])
    records._validate_fields(columns)
    return records


def write_rows(model, updates):
    """records.write(vals) for {id: vals}, one UPDATE per set of written columns."""
    cr = model.env.cr
    by_columns = {}
    for record_id, vals in updates.items():
        items = _column_items(model, vals)
        by_columns.setdefault(tuple(name for name, _value in items), []).append(
            (record_id,) + tuple(value for _name, value in items))
    for columns, rows in by_columns.items():
        if not columns:
            continue
        assignments = [sql.SQL("{column} = v.{column}").format(column=sql.Identifier(column))
                       for column in columns]
        if model._log_access:
            assignments.append(sql.SQL("write_uid = {}").format(sql.Literal(model.env.uid)))
            assignments.append(sql.SQL("write_date = (now() at time zone 'UTC')"))
        # typed placeholders: a VALUES column of NULLs has a type PostgreSQL can assign
        template = "(%%s,%s)" % ",".join(
            "%%s::%s" % model._fields[column].column_type[1] for column in columns)
        for batch in _batches(rows):
            _execute(cr, "UPDATE {table} t SET {assignments} FROM (VALUES {values}) "
                         "AS v(id, {columns}) WHERE t.id = v.id",
                     table=sql.Identifier(model._table),
                     assignments=sql.SQL(",").join(assignments),
                     values=_values_clause(cr, batch, template),
                     columns=_identifiers(columns))
    records = model.browse(list(updates))
    names = sorted({name for vals in updates.values() for name in vals})
    model.invalidate_cache(names, records.ids)
    records.modified(names)
    records._validate_fields(names)
    return records


def delete_rows(model, ids):
    """Rows that Odoo's own path unlinks (empty quants), in one DELETE."""
    if not ids:
        return
    model.browse(ids).modified(model._fields)
    for batch in _batches(sorted(ids)):
        model.env.cr.execute(
            sql.SQL("DELETE FROM {} WHERE id IN %s").format(
                sql.Identifier(model._table)).as_string(model.env.cr._cnx), [tuple(batch)])
    model.invalidate_cache(ids=ids)


__all__ = ["create_rows", "write_rows", "delete_rows", "STATEMENT_ROWS"]
