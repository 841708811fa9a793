"""Standard-library names Odoo 11 uses that Python 3.11 removed, and PyYAML's default loader."""
import base64
import collections
import collections.abc
import inspect
import threading

import pytest
import yaml
from odoo.tools.cache import ormcache, ormcache_context


# -- inspect.getargspec / formatargspec, as Python 3.7 had them ------------------
def _method(self, model_name, mode="read", raise_exception=True):
    pass


def _method_with_context(self, name, types, lang, source=None, res_id=None, context=None):
    pass


def _variadic(self, *args, **kwargs):
    pass


def _keyword_only(self, a, *, b=1):
    pass


def _annotated(self, a: int) -> str:
    return str(a)


# What Python 3.7's inspect returned for these signatures
# (ArgSpec(args, varargs, keywords, defaults) and its formatargspec)
PY37 = [
    (_method, (["self", "model_name", "mode", "raise_exception"], None, None, ("read", True)),
     "(self, model_name, mode='read', raise_exception=True)"),
    (_method_with_context,
     (["self", "name", "types", "lang", "source", "res_id", "context"], None, None,
      (None, None, None)),
     "(self, name, types, lang, source=None, res_id=None, context=None)"),
    (_variadic, (["self"], "args", "kwargs", None), "(self, *args, **kwargs)"),
]


@pytest.mark.parametrize("func, spec, formatted", PY37)
def test_getargspec_and_formatargspec_give_what_python_37_gave(func, spec, formatted):
    result = inspect.getargspec(func)
    assert tuple(result) == spec
    assert (result.args, result.varargs, result.keywords, result.defaults) == spec
    assert inspect.formatargspec(*result) == formatted


@pytest.mark.parametrize("func", [_keyword_only, _annotated])
def test_getargspec_refuses_what_it_cannot_describe_like_python_37(func):
    with pytest.raises(ValueError, match="keyword-only parameters or annotations"):
        inspect.getargspec(func)


def test_formatargspec_takes_the_full_spec_like_python_37():
    assert inspect.formatargspec(*inspect.getfullargspec(_keyword_only)) == "(self, a, *, b=1)"
    assert inspect.formatargspec(*inspect.getfullargspec(_annotated)) == \
        "(self, a: int) -> str"
    assert inspect.formatargspec(["a"], formatvalue=lambda v: "") == "(a)"


def test_ormcache_keys_are_built_from_the_signature():
    cache = ormcache("model_name", "mode")
    cache.method = _method
    cache.determine_key()
    assert cache.key(object(), "res.partner", mode="write") == ("res.partner", "write")
    assert cache.key(object(), "res.partner") == ("res.partner", "read")

    cache = ormcache_context("name", keys=("lang",))
    cache.method = _method_with_context
    cache.determine_key()
    key = cache.key(object(), "n", "t", "fr_FR", context={"lang": "fr_FR"})
    assert key == ("n", ("fr_FR",))


# -- aliases -----------------------------------------------------------------
def test_base64_aliases_are_the_recommended_replacements():
    assert base64.encodestring is base64.encodebytes
    assert base64.decodestring is base64.decodebytes
    assert base64.encodestring(b"odoo" * 20).count(b"\n") == 2


@pytest.mark.parametrize("name", ["Iterable", "Mapping", "MutableMapping", "MutableSet",
                                  "Sequence", "Set", "Callable", "Sized"])
def test_collections_abc_aliases(name):
    assert getattr(collections, name) is getattr(collections.abc, name)


def test_collections_import_style_of_odoo_works():
    from collections import Iterable, Mapping  # noqa: UP035 (the point of the test)
    assert isinstance({}, Mapping) and isinstance([], Iterable)


def test_thread_is_alive_alias():
    thread = threading.Thread(target=lambda: None)
    assert thread.isAlive() is False
    thread.start()
    thread.join()
    assert thread.isAlive() is False
    assert threading.current_thread().isAlive() is True


# -- PyYAML ---------------------------------------------------------------------
def test_yaml_load_defaults_to_full_loader():
    assert yaml.load("a: [1, 2]\nb: !!python/tuple [1, 2]") == {"a": [1, 2], "b": (1, 2)}
    # what yaml.load(text) did before PyYAML 6: FullLoader, which refuses to
    # call arbitrary Python
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("!!python/object/apply:os.system ['true']")


def test_yaml_load_keeps_an_explicit_loader():
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("b: !!python/tuple [1, 2]", Loader=yaml.SafeLoader)
    assert yaml.load("a: 1", yaml.SafeLoader) == {"a": 1}


def test_odoo_yaml_tags_load_without_a_loader():
    from odoo.tools import yaml_tag

    node = yaml.load("!record {model: res.partner, id: p1}:\n  name: X")
    record, values = next(iter(node.items()))
    assert isinstance(record, yaml_tag.Record)
    assert record.model == "res.partner" and values == {"name": "X"}
