"""The compatibility layer (odoo_py311, on sys.path through the .pth file) and its tests.

A package only so that pytest names its tests ``compat.tests.*``, apart from
tools/tests.
"""
