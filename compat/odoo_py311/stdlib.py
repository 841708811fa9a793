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
    """``inspect.getargspec`` as Python 3.7 had it (removed in 3.11).

    Odoo's api decorators, controllers and ormcache introspect plain methods
    with it. Like 3.7, it refuses what the four-part spec cannot describe.
    """
    spec = inspect.getfullargspec(func)
    if spec.kwonlyargs or spec.annotations:
        raise ValueError("Function has keyword-only parameters or annotations"
                         ", use getfullargspec() API which can support them")
    return ArgSpec(spec.args, spec.varargs, spec.varkw, spec.defaults)


def formatargspec(args, varargs=None, varkw=None, defaults=None,
                  kwonlyargs=(), kwonlydefaults=None, annotations=None,
                  formatarg=str,
                  formatvarargs=lambda name: "*" + name,
                  formatvarkw=lambda name: "**" + name,
                  formatvalue=lambda value: "=" + repr(value),
                  formatreturns=lambda text: " -> " + text,
                  formatannotation=inspect.formatannotation):
    """``inspect.formatargspec`` as Python 3.7 had it (removed in 3.11).

    odoo.tools.cache builds the signature of its cached wrappers with
    ``formatargspec(*getargspec(method))``.
    """
    annotations = annotations or {}

    def with_annotation(arg):
        text = formatarg(arg)
        if arg in annotations:
            text += ": " + formatannotation(annotations[arg])
        return text

    specs = [with_annotation(arg) for arg in args]
    for index, value in enumerate(defaults or (), len(args) - len(defaults or ())):
        specs[index] += formatvalue(value)
    if varargs is not None:
        specs.append(formatvarargs(with_annotation(varargs)))
    elif kwonlyargs:
        specs.append("*")
    for arg in kwonlyargs or ():
        spec = with_annotation(arg)
        if kwonlydefaults and arg in kwonlydefaults:
            spec += formatvalue(kwonlydefaults[arg])
        specs.append(spec)
    if varkw is not None:
        specs.append(formatvarkw(with_annotation(varkw)))
    result = "(" + ", ".join(specs) + ")"
    if "return" in annotations:
        result += formatreturns(formatannotation(annotations["return"]))
    return result


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
