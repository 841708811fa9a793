"""The layer is loaded everywhere: the .pth file, the import hook, the patches in place."""
import importlib
import os
import subprocess
import sys
import sysconfig

import odoo_py311
from odoo_py311 import post_import

COMPAT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(odoo_py311.__file__)))


def test_pth_file_in_the_virtual_environment_loads_the_layer():
    path = os.path.join(sysconfig.get_paths()["purelib"], "odoo_py311.pth")
    with open(path) as handle:
        lines = handle.read().splitlines()
    assert lines == [COMPAT_DIR, "import odoo_py311; odoo_py311.install()"]


def test_a_fresh_interpreter_has_the_layer_before_importing_odoo():
    code = ("import sys, inspect, collections; "
            "print('odoo' in sys.modules, hasattr(inspect, 'getargspec'), "
            "hasattr(collections, 'Mapping'))")
    out = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert out.split() == ["False", "True", "True"]


def test_patches_of_odoo_modules_are_in_place():
    safe_eval = importlib.import_module("odoo.tools.safe_eval")
    qweb = importlib.import_module("odoo.addons.base.ir.ir_qweb.qweb")
    ir_qweb = importlib.import_module("odoo.addons.base.ir.ir_qweb.ir_qweb")
    import yaml

    assert odoo_py311._installed
    assert safe_eval.assert_valid_codeobj.__wrapped__
    # ir.qweb bound the name at its import: it must have got the guarded one
    assert ir_qweb.assert_valid_codeobj is safe_eval.assert_valid_codeobj
    assert qweb.compile is odoo_py311.qweb.compile_fixed
    assert yaml.load.__wrapped__


def test_post_import_patches_a_module_once_when_it_is_imported(tmp_path, monkeypatch):
    (tmp_path / "compat_probe_module.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    calls = []
    post_import.register("compat_probe_module", calls.append)
    post_import.install()
    try:
        module = importlib.import_module("compat_probe_module")
        assert calls == [module]
        # the real loader still answers for the module
        assert module.__spec__.loader.get_source("compat_probe_module") == "VALUE = 1\n"
        importlib.reload(module)
        assert calls == [module]
    finally:
        sys.modules.pop("compat_probe_module", None)


def test_post_import_patches_an_imported_module_at_once():
    import json

    calls = []
    post_import.register("json", calls.append)
    assert calls == [json]
