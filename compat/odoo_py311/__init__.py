"""Run Odoo 11.0 (written for Python 3.5-3.7) on Python 3.11.

``install()`` is called by a ``.pth`` file that the set-up step writes into
the project's virtual environment, so it runs before anything imports Odoo:
in the server launcher, in pytest and in CI alike.

Each patch lives in its own module, is as narrow as the Python change that
made it necessary, and is applied either at start-up (standard library
aliases, which cost nothing) or right after the module it fixes is imported
(see ``post_import``), so that a process that never imports Odoo pays
nothing for it.
"""
from . import post_import, prefork, qweb, safe_eval, stdlib, webclient, yaml_loader

_installed = False


def install():
    """Apply every patch once; safe to call again."""
    global _installed
    if _installed:
        return
    stdlib.install()
    post_import.register("yaml", yaml_loader.patch)
    post_import.register("odoo.tools.safe_eval", safe_eval.patch)
    post_import.register("odoo.addons.base.ir.ir_qweb.qweb", qweb.patch)
    post_import.register("odoo.addons.web.controllers.main", webclient.patch)
    post_import.register("odoo.service.server", prefork.patch)
    post_import.install()
    _installed = True
