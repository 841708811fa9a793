"""QWeb's generated Python compiles on 3.11: the AST repair alone, then the real ir.qweb."""
import ast

import pytest
from lxml import html
from odoo.tests.common import TransactionCase

from odoo_py311 import qweb

# -- the AST repair, without a database ---------------------------------------------


def _odoo_style_module():
    """What QWeb builds: a function with arguments lacking posonlyargs, Name('None')..."""
    arguments = ast.arguments(args=[ast.arg(arg="values")], vararg=None, kwonlyargs=[],
                              kw_defaults=[], kwarg=None, defaults=[])
    body = [ast.Return(value=ast.Tuple(elts=[
        ast.Name(id="None", ctx=ast.Load()),
        ast.Name(id="True", ctx=ast.Load()),
        ast.Name(id="False", ctx=ast.Load()),
        ast.Name(id="values", ctx=ast.Load()),
    ], ctx=ast.Load()))]
    func = ast.FunctionDef(name="render", args=arguments, body=body, decorator_list=[],
                           returns=None, lineno=3, col_offset=0)
    # a node spliced in from a parsed expression keeps its own, longer, range
    expr = ast.parse("x + 1", mode="eval").body
    expr.lineno, expr.end_lineno = 5, 9
    body.insert(0, ast.Expr(value=expr))
    return ast.Module(body=[func], type_ignores=[])


def test_python_311_refuses_what_qweb_builds():
    tree = _odoo_style_module()
    ast.fix_missing_locations(tree)
    with pytest.raises((TypeError, ValueError)):
        compile(tree, "<template>", "exec")


def test_repaired_ast_compiles_and_runs():
    namespace = {}
    exec(qweb.compile_fixed(_odoo_style_module(), "<template>", "exec"), namespace)  # noqa: S102
    with pytest.raises(NameError):        # the spliced `x + 1` runs first
        namespace["render"]({})
    tree = qweb.fix_ast(_odoo_style_module())
    del tree.body[0].body[0]
    exec(compile(tree, "<template>", "exec"), namespace)  # noqa: S102
    assert namespace["render"](7) == (None, True, False, 7)


def test_string_sources_are_compiled_unchanged():
    code = qweb.compile_fixed("a = None", "<s>", "exec")
    namespace = {}
    exec(code, namespace)  # noqa: S102
    assert namespace["a"] is None


def test_the_patch_reaches_only_the_qweb_module():
    import builtins

    from odoo.addons.base.ir.ir_qweb import qweb as odoo_qweb
    assert odoo_qweb.compile is qweb.compile_fixed
    assert builtins.compile is not qweb.compile_fixed


# -- the real ir.qweb, in the test database -------------------------------------------

PROBE = """<t t-name="compat_py311_probe">
<div>
  <p id="is_none" t-if="value is None">yes</p>
  <p id="is_true" t-if="flag is True">yes</p>
  <p id="not_false" t-if="not off and off == False">yes</p>
  <p id="never" t-if="flag is False">no</p>
  <p id="esc_none" t-esc="value">default</p>
  <p id="esc_false" t-esc="off">default</p>
  <p id="esc_zero" t-esc="0 * 1">default</p>
  <p id="lambda" t-att-data-v="(lambda v, w=1: v * 2 + w)(20)"/>
  <p id="map" t-att-data-v="','.join(map(lambda i: str(i * 10), items))"/>
  <p id="max" t-att-data-v="max(items, key=lambda i: -i)"/>
  <p id="comprehension" t-att-data-v="sum([i for i in items if i != 2])"/>
  <p id="format" t-esc="'%s-%s' % (flag, value)"/>
  <p id="loop"><t t-foreach="items" t-as="item"><t t-esc="item"/>:<t t-esc="item_index"/>;</t></p>
  <p id="field" t-field="partner.name"/>
  <p id="call"><t t-call="compat_py311.probe_sub"><t t-set="inner" t-value="False"/></t></p>
</div>
</t>"""

PROBE_SUB = """<t t-name="compat_py311_probe_sub"><t t-if="inner is False">called</t></t>"""

# Odoo 11.0.7 template calling xrange (a Python 2 name) on every Python 3;
# see README.md, "Odoo's own test suite"
BROKEN_ON_EVERY_PYTHON_3 = {"stock.report_location_barcode"}


class TestQWeb(TransactionCase):

    def _render(self, **values):
        views = self.env["ir.ui.view"]
        sub = views.create({"name": "compat_py311_probe_sub", "type": "qweb", "arch": PROBE_SUB})
        # t-call finds templates by XML id
        self.env["ir.model.data"].create({"module": "compat_py311", "name": "probe_sub",
                                          "model": "ir.ui.view", "res_id": sub.id})
        probe = views.create({"name": "compat_py311_probe", "type": "qweb", "arch": PROBE})
        values = dict({"value": None, "flag": True, "off": False, "items": [1, 2, 3],
                       "partner": self.env.user.partner_id}, **values)
        return html.fromstring(self.env["ir.qweb"].render(probe.id, values))

    def _text(self, tree, node_id):
        return tree.get_element_by_id(node_id).text_content()

    def test_conditions_on_none_true_false(self):
        tree = self._render()
        for node_id in ("is_none", "is_true", "not_false"):
            self.assertEqual(self._text(tree, node_id), "yes")
        self.assertIsNone(tree.get_element_by_id("never", None))

    def test_esc_falls_back_to_its_body_for_none_and_false_only(self):
        tree = self._render()
        self.assertEqual(self._text(tree, "esc_none"), "default")
        self.assertEqual(self._text(tree, "esc_false"), "default")
        self.assertEqual(self._text(tree, "esc_zero"), "0")

    def test_lambdas_and_comprehensions_in_attributes(self):
        tree = self._render()
        values = {node_id: tree.get_element_by_id(node_id).get("data-v")
                  for node_id in ("lambda", "map", "max", "comprehension")}
        self.assertEqual(values, {"lambda": "41", "map": "10,20,30", "max": "1",
                                  "comprehension": "4"})

    def test_loops_fields_formats_and_calls(self):
        tree = self._render(value=7)
        self.assertEqual(self._text(tree, "format"), "True-7")
        self.assertEqual(self._text(tree, "loop"), "1:0;2:1;3:2;")
        self.assertEqual(self._text(tree, "field"), self.env.user.partner_id.name)
        self.assertEqual(self._text(tree, "call"), "called")

    def test_unsafe_expressions_are_refused_when_compiling(self):
        views = self.env["ir.ui.view"]
        for expr in ("().__class__", "f'{flag}'", "[*items]"):
            view = views.create({"name": "compat_py311_bad", "type": "qweb",
                                 "arch": '<t t-name="bad"><t t-esc="%s"/></t>' % expr})
            with self.assertRaises(Exception) as caught:
                self.env["ir.qweb"].render(view.id, {"flag": 1, "items": []})
            self.assertRegex(str(caught.exception), "forbidden|Access to forbidden name")

    def test_every_generic_report_of_odoo_renders(self):
        """What base's test_reports checks, minus the one template Odoo broke itself."""
        reports = self.env["ir.actions.report"].search([("report_type", "like", "qweb")])
        external_ids = reports.get_external_id()
        rendered, failures = [], []
        for report in reports:
            module = (external_ids.get(report.id) or "").split(".")[0]
            if (module in ("", "backflush_mrp") or report.report_name in BROKEN_ON_EVERY_PYTHON_3
                    or ("report.%s" % report.report_name) in self.env):
                continue
            records = self.env[report.model].search([], limit=10 if report.multi else 1)
            try:
                report.render_qweb_html(records.ids)
                rendered.append(report.report_name)
            except Exception as exc:  # noqa: BLE001 (collect them all, then fail)
                failures.append("%s: %s" % (report.report_name, exc))
        self.assertEqual(failures, [])
        self.assertGreater(len(rendered), 10, rendered)
