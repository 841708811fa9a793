"""Immutable value records for the pure computations, on what Python 3.5 has.

Odoo 11 servers run Python 3.5 to 3.7, so ``dataclasses`` (3.7) is not
available; a named tuple gives the same frozen, comparable, hashable record
with keyword construction and ``_replace``.
"""
import collections


def record(name, fields, **defaults):
    """A named-tuple base class; ``defaults`` name the trailing optional fields."""
    field_names = fields.split()
    unknown = set(defaults) - set(field_names)
    if unknown:
        raise TypeError("%s: defaults for unknown fields %s" % (name, sorted(unknown)))
    optional = [field for field in field_names if field in defaults]
    if optional != field_names[len(field_names) - len(optional):]:
        raise TypeError("%s: fields with a default must come last" % name)
    base = collections.namedtuple(name, field_names)
    base.__new__.__defaults__ = tuple(defaults[field] for field in optional) or None
    return base
