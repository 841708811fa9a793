"""Pure computations of backflush_mrp: plain data in, plain data out.

Nothing here touches the ORM or the database, so that every rule of the
specification is tested exhaustively without Odoo and reused by every trigger.
"""
