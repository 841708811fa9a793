"""Run a patch function right after a given module has been imported.

The patched modules bind names at import time (``from collections import
Iterable``, opcode sets built from ``dis.opmap``...), so their fixes must run
after their own code and before anyone uses them. A meta path finder that
wraps the real loader gives exactly that moment, without editing Odoo's
files on disk.
"""
import importlib.abc
import importlib.util
import sys

_patches = {}


def register(module_name, patch):
    """Call ``patch(module)`` once ``module_name`` is imported (or now)."""
    module = sys.modules.get(module_name)
    if module is not None:
        patch(module)
        return
    _patches.setdefault(module_name, []).append(patch)


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader, patches):
        self._loader = loader
        self._patches = patches

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        for patch in self._patches:
            patch(module)

    def __getattr__(self, name):
        # get_source, is_package... stay those of the real loader
        return getattr(self._loader, name)


class _PostImportFinder(importlib.abc.MetaPathFinder):
    def __init__(self):
        self._resolving = set()

    def find_spec(self, fullname, path, target=None):
        if fullname not in _patches or fullname in self._resolving:
            return None
        self._resolving.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._resolving.discard(fullname)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _PatchingLoader(spec.loader, _patches.pop(fullname))
        return spec


def install():
    if not any(isinstance(f, _PostImportFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _PostImportFinder())
