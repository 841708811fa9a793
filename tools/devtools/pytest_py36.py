"""pytest plug-in for the py36 runtime (./dev.py test --runtime py36 loads it).

pytest-odoo 0.7.1, the last release that runs on Python 3.6's pytest 7.0,
imports every test module as ``odoo.addons.<package>``, those of tools/tests
too, which then do not import. Here, a test file that belongs to no Odoo
addon (no ``__manifest__.py`` in its folder or the one above) is collected as
plain pytest does, as pytest-odoo 1.0 and later do. And odoo.tests is
imported up front, as pytest-odoo 1.0 does: 0.7.1's registry fixture uses it
but leaves its import to the test modules.
"""
import os

import odoo.tests  # noqa: F401
import pytest


def _in_addon(path):
    folder = os.path.dirname(str(path))
    return any(os.path.isfile(os.path.join(where, "__manifest__.py"))
               for where in (folder, os.path.dirname(folder)))


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(path, parent):
    if _in_addon(path):
        return None
    if path.basename == "__init__.py":
        return pytest.Package.from_parent(parent, fspath=path)
    return pytest.Module.from_parent(parent, fspath=path)
