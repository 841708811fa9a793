"""Standard-library names that Odoo 11 uses and Python 3.11 removed.

Each alias points at the replacement Python itself recommends; nothing here
changes behaviour for code that already uses the new names.
"""
import base64
import collections
import collections.abc
import inspect
import threading

# Python 3.10 removed the ABC aliases from ``collections`` (deprecated since
# 3.3); odoo.tools.misc does ``from collections import Iterable, Mapping...``.
_COLLECTIONS_ABCS = (
    "Awaitable", "Callable", "Container", "Hashable", "ItemsView", "Iterable",
    "Iterator", "KeysView", "Mapping", "MappingView", "MutableMapping",
    "MutableSequence", "MutableSet", "Sequence", "Set", "Sized", "ValuesView",
)


def _alias_collections_abcs():
    for name in _COLLECTIONS_ABCS:
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))


# Python 3.9 removed base64.encodestring/decodestring (deprecated since 3.1);
# Odoo 11 uses them for attachments and reports.
def _alias_base64():
    if not hasattr(base64, "encodestring"):
        base64.encodestring = base64.encodebytes
    if not hasattr(base64, "decodestring"):
        base64.decodestring = base64.decodebytes


# Python 3.9 removed Thread.isAlive (deprecated since 3.8); Odoo's server and
# test runner poll their threads with it.
def _alias_thread_is_alive():
    if not hasattr(threading.Thread, "isAlive"):
        threading.Thread.isAlive = threading.Thread.is_alive


ArgSpec = collections.namedtuple("ArgSpec", "args varargs keywords defaults")


def getargspec(func):
    """``inspect.getargspec`` as Python 3.10 had it, removed in 3.11.

    Odoo's api decorators and ormcache introspect plain methods with it.
    """
    spec = inspect.getfullargspec(func)
    return ArgSpec(spec.args, spec.varargs, spec.varkw, spec.defaults)


def formatargspec(args, varargs=None, varkw=None, defaults=None,
                  formatarg=str,
                  formatvarargs=lambda name: "*" + name,
                  formatvarkw=lambda name: "**" + name,
                  formatvalue=lambda value: "=" + repr(value)):
    """``inspect.formatargspec`` for the four-part spec, removed in 3.11.

    odoo.tools.cache builds the signature of its cached wrappers with
    ``formatargspec(*getargspec(method))``.
    """
    specs = []
    first_default = len(args) - len(defaults) if defaults else len(args)
    for index, arg in enumerate(args):
        spec = formatarg(arg)
        if index >= first_default:
            spec += formatvalue(defaults[index - first_default])
        specs.append(spec)
    if varargs is not None:
        specs.append(formatvarargs(formatarg(varargs)))
    if varkw is not None:
        specs.append(formatvarkw(formatarg(varkw)))
    return "(" + ", ".join(specs) + ")"


def _restore_argspec():
    if not hasattr(inspect, "getargspec"):
        inspect.getargspec = getargspec
    if not hasattr(inspect, "formatargspec"):
        inspect.formatargspec = formatargspec


def install():
    _alias_collections_abcs()
    _alias_base64()
    _alias_thread_is_alive()
    _restore_argspec()
