"""The web client's template bundle merges module templates on Python 3.11."""
import io

from odoo.addons.web.controllers import main


def test_concat_xml_merges_templates(tmp_path):
    first = tmp_path / "a.xml"
    second = tmp_path / "b.xml"
    first.write_text('<templates><t t-name="a">A</t></templates>')
    second.write_text('<templates><t t-name="b">B</t><t t-name="c">C</t></templates>')
    content, checksum = main.concat_xml([str(first), str(second)])
    assert content.count(b"t-name=") == 3
    assert checksum


def test_other_element_tree_names_are_the_standard_ones():
    root = main.ElementTree.fromstring("<a><b/></a>")
    assert [child.tag for child in root] == ["b"]
    assert main.ElementTree.parse(io.StringIO("<x/>")).getroot().getchildren() == []
