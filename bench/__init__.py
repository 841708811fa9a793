"""Benchmark of backflush_mrp against Odoo's own mark-done path (./dev.py bench).

Not part of the test run. ``run`` drives the whole benchmark; each step that
touches Odoo runs in a fresh process of ``worker`` so that its peak memory
and its caches belong to that step alone.
"""
