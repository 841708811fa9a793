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
- Python constraints are checked (``_validate_fields``);
- the ORM cache holds what was written, as a read of the rows would
  (``_fill_cache``), and the recomputes and constraints that follow read
  only the fields they use (``_lean``), instead of reading every column of
  the rows again.

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


class _Columns:
    """Conversions of one create or write call, each done once per value.

    A chunk writes thousands of rows whose values repeat (accounts, products,
    states, amounts): a field's conversion of a value to its column, and of
    the column to the cache, depends on nothing else (a monetary amount on
    the currency given with it, which is part of the key).
    """

    def __init__(self, model):
        self.model = model
        self.specs = {}
        self.to_column = {}
        self.to_cache = {}

    def _spec(self, name):
        """(field, name of its currency field or None) of a stored column, else None."""
        try:
            return self.specs[name]
        except KeyError:
            field = self.model._fields[name]
            spec = None
            if field.store and field.column_type and not field.inherited:
                spec = (field, getattr(field, "currency_field", None))
            self.specs[name] = spec
            return spec

    def items(self, vals):
        """[(column, SQL value)] of vals' stored columns, converted as _create converts."""
        items = []
        specs, to_column = self.specs, self.to_column
        for name, value in vals.items():
            spec = specs[name] if name in specs else self._spec(name)
            if spec is None:
                continue
            field, currency = spec
            key = (name, value, vals.get(currency) if currency else None)
            try:
                column = to_column[key]
            except KeyError:
                if hasattr(field, "selection") and value:
                    self.model._check_selection_field_value(name, value)
                column = to_column[key] = field.convert_to_column(value, self.model, vals)
            except TypeError:   # an unhashable value
                column = field.convert_to_column(value, self.model, vals)
            items.append((name, column))
        return items

    def cache_values(self, field, columns):
        """The cache values of columns of field, as _read_from_database converts them."""
        memo = self.to_cache.setdefault(field.name, {})
        values = []
        for column in columns:
            try:
                value = memo[column]
            except KeyError:
                value = memo[column] = field.convert_to_cache(column, self.model,
                                                              validate=False)
            except TypeError:   # an unhashable column value
                value = field.convert_to_cache(column, self.model, validate=False)
            values.append(value)
        return values


def _cacheable(field):
    """Is a column's cache value what _read_from_database makes of the column?

    Computed fields are left to their compute, translated ones to their
    translation, non-scalar columns to a read.
    """
    return (field.store and field.column_type and not field.compute and not field.inherited
            and not field.translate
            and field.type not in ("binary", "html", "text", "reference", "serialized"))


def _fill_cache(records, rows, names, columns):
    """Put each row's column values of names into its record's cache (NULL for a
    column the row has not)."""
    # what cache.set(record, field, value) does for each record, in Odoo 11's
    # cache ({field: {record id: {key: value}}}): a field's key depends on the
    # environment only, never on the record (see Field.cache_key), so it is
    # taken once for the thousands of rows of a chunk
    data = records.env.cache._data
    for name in names:
        field = records._fields[name]
        by_id = data[field]
        key = field.cache_key(records)
        values = columns.cache_values(field, [row.get(name) for row in rows])
        for record_id, value in zip(records._ids, values):
            by_id[record_id][key] = value


def cache_rows(records, rows, names):
    """Put rows ({column: value}, one per record of records, in order) into the
    cache, as _read_from_database would (many2one values join records' prefetching)."""
    _fill_cache(records, rows, names, _Columns(records))


def _lean(records):
    """records for the recomputes and constraints that follow a set-based write.

    They read few fields of thousands of rows, many of them just written and
    so invalidated: with the ORM's prefetching, each such read would fetch
    every column of the rows again (see ..read_ahead).
    """
    return records.with_context(prefetch_fields=False)


def create_rows(model, vals_list, computed=(), cached=None):
    """model.create(vals) for each of vals_list, in a few INSERTs; the new records.

    vals hold only column values (no x2many commands, no inherited fields).
    computed: names of stored computed fields whose values vals already hold
    (as their compute would make them): the ORM does not compute them again.
    cached: the columns to leave in the cache, when the caller knows what is
    read of the new records next (else every column); a column left out is
    read from the database when it is needed, as after any create.
    """
    if not vals_list:
        return model.browse()
    cr = model.env.cr
    converter = _Columns(model)
    by_keys = {}
    rows = []
    for vals in vals_list:
        keys = frozenset(vals)
        if keys not in by_keys:
            by_keys[keys] = _defaults(model, keys)
        rows.append(dict(converter.items(dict(by_keys[keys], **vals))))
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
    lean = _lean(records)
    lean.modified(model._fields)
    _fill_cache(records, rows, [
        name for name in columns if (_cacheable(model._fields[name]) or name in computed)
        and (cached is None or name in cached)], converter)
    for name in computed:
        records._recompute_done(model._fields[name])
    lean._validate_fields(columns)
    return records


def write_rows(model, updates):
    """records.write(vals) for {id: vals}, one UPDATE per set of written columns."""
    cr = model.env.cr
    converter = _Columns(model)
    by_columns = {}
    written = []
    for record_id, vals in updates.items():
        items = converter.items(vals)
        written.append(dict(items))
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
    lean = _lean(records)
    lean.modified(names)
    # the rows that wrote the same columns fill the cache together
    cached = {name for name in names if _cacheable(model._fields[name])}
    by_written = {}
    for record_id, row in zip(records.ids, written):
        group_ids, group_rows = by_written.setdefault(tuple(sorted(cached.intersection(row))),
                                                      ([], []))
        group_ids.append(record_id)
        group_rows.append(row)
    for cached_names, (group_ids, group_rows) in by_written.items():
        _fill_cache(records.browse(group_ids), group_rows, cached_names, converter)
    lean._validate_fields(names)
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


__all__ = ["create_rows", "write_rows", "delete_rows", "cache_rows", "STATEMENT_ROWS"]
