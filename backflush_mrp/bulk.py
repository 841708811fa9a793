"""Set-based writes for the module's own records, where Odoo 11 has none.

Odoo 11 creates records one at a time (several statements each) and writes
different values to different records one statement per record. A periodic
run logs thousands of component lines; this helper does it in one
statement per table instead. It is only used on this module's append-only
tables (logs, log lines), which have no stored computed fields, no
constraints beyond the database's and no tracking; the ORM cache is
invalidated after.
"""
from odoo import fields
from psycopg2 import sql

# rows per INSERT/UPDATE statement: large enough to amortise, small enough for PostgreSQL
STATEMENT_ROWS = 1000


def _column_value(field, value):
    if field.type == "boolean":
        return bool(value)
    if value is False and field.type not in ("float", "integer", "monetary"):
        return None
    if value is False:
        return 0
    return value


def _batches(rows):
    for start in range(0, len(rows), STATEMENT_ROWS):
        yield rows[start:start + STATEMENT_ROWS]


def _values_clause(cr, rows, template):
    """Rows as a VALUES list, each value quoted by psycopg2 (never formatted by hand)."""
    return sql.SQL(",".join(cr.mogrify(template, row).decode() for row in rows))


def _execute(cr, statement, **parts):
    # composed by psycopg2.sql: identifiers quoted, values bound through mogrify
    cr.execute(sql.SQL(statement).format(**parts).as_string(cr._cnx))


def _identifiers(names):
    return sql.SQL(",").join(sql.Identifier(name) for name in names)


def _insert(model, rows):
    """Insert rows (dicts of column values), return their ids in the same order."""
    cr = model.env.cr
    now = fields.Datetime.now()
    magic = {"create_uid": model.env.uid, "create_date": now,
             "write_uid": model.env.uid, "write_date": now}
    columns = sorted(set().union(*rows)) + list(magic)
    template = "(%s)" % ",".join(["%s"] * len(columns))
    ids = []
    for batch in _batches(rows):
        values = [tuple(row.get(column) for column in columns[:-len(magic)])
                  + tuple(magic.values()) for row in batch]
        # VALUES rows are inserted, and their ids returned, in order
        _execute(cr, "INSERT INTO {table} ({columns}) VALUES {values} RETURNING id",
                 table=sql.Identifier(model._table), columns=_identifiers(columns),
                 values=_values_clause(cr, values, template))
        ids += [row[0] for row in cr.fetchall()]
    return ids


def _link(model, field, pairs):
    """Insert many2many rows (record id, target id)."""
    cr = model.env.cr
    for batch in _batches(sorted(set(pairs))):
        _execute(cr, "INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING",
                 table=sql.Identifier(field.relation),
                 columns=_identifiers([field.column1, field.column2]),
                 values=_values_clause(cr, batch, "(%s,%s)"))


def create_many(model, vals_list):
    """model.create(vals) for every vals of vals_list, in a few statements.

    vals use the ORM's format: plain values, many2one ids, one2many
    ``(0, 0, values)`` commands and many2many ``(6, 0, ids)`` commands.
    """
    if not vals_list:
        return model.browse()
    rows, children, links = [], {}, {}
    for index, vals in enumerate(vals_list):
        row = {}
        for name, value in vals.items():
            field = model._fields[name]
            if field.type == "one2many":
                children.setdefault(field, []).extend(
                    (index, command[2]) for command in value)
            elif field.type == "many2many":
                links.setdefault(field, []).extend(
                    (index, target) for command in value for target in command[2])
            else:
                row[name] = _column_value(field, value)
        rows.append(row)
    ids = _insert(model, rows)
    for field, items in children.items():
        comodel = model.env[field.comodel_name]
        create_many(comodel, [dict(values, **{field.inverse_name: ids[index]})
                              for index, values in items])
    for field, pairs in links.items():
        _link(model, field, [(ids[index], target) for index, target in pairs])
    _invalidate_inverses(model, {name for row in rows for name in row}, set(links))
    return model.browse(ids)


def _invalidate_inverses(model, columns, links):
    """The cached x2many values the new records belong to are out of date."""
    for name in columns:
        field = model._fields[name]
        if field.type != "many2one":
            continue
        comodel = model.env[field.comodel_name]
        inverses = [other.name for other in comodel._fields.values()
                    if other.type == "one2many" and other.comodel_name == model._name
                    and other.inverse_name == name]
        if inverses:
            comodel.invalidate_cache(fnames=inverses)
    for field in links:
        comodel = model.env[field.comodel_name]
        inverses = [other.name for other in comodel._fields.values()
                    if other.type == "many2many" and other.relation == field.relation]
        if inverses:
            comodel.invalidate_cache(fnames=inverses)
