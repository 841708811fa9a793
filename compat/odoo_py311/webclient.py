"""The web client's template bundle on Python 3.9+.

odoo.addons.web.controllers.main.concat_xml merges the QWeb templates of
every module with ``xml.getchildren()``, which Python 3.9 removed from
xml.etree.ElementTree.Element (deprecated since 3.2): /web/webclient/qweb
then answers 500 and the web client cannot start. The controller module gets
an ElementTree whose parse() builds elements that still have getchildren();
every other name is the standard module's.
"""
import types
from xml.etree import ElementTree


class _Element(ElementTree.Element):
    def getchildren(self):
        return list(self)


def _parse(source, parser=None):
    if parser is None:
        parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(element_factory=_Element))
    return ElementTree.parse(source, parser)


def patch(module):
    compat = types.ModuleType("ElementTree")
    compat.__dict__.update(vars(ElementTree))
    compat.parse = _parse
    module.ElementTree = compat
