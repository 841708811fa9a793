"""safe_eval under Python 3.11: what Odoo 11 accepted on 3.7 passes, the rest does not."""
import importlib

import pytest
from odoo.tools.safe_eval import const_eval, expr_eval, safe_eval

# odoo.tools re-exports the function under the module's name
safe_eval_module = importlib.import_module("odoo.tools.safe_eval")

VALUES = {"a": [1, 2], "b": {"k": 3}, "k": {"x": 1}, "x": 1, "f": dict, "obj": object()}


def _refused(source, mode="eval"):
    with pytest.raises((ValueError, NameError)) as info:
        safe_eval(source, dict(VALUES), mode=mode)
    return str(info.value)


# -- what Odoo needs every day ------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("[('state', '=', 'done'), '|', ('qty', '>', 0), ('id', 'in', [1, 2, 3])]",
     [("state", "=", "done"), "|", ("qty", ">", 0), ("id", "in", [1, 2, 3])]),
    ("{'default_type': 'out_invoice', 'search_default_x': x}",
     {"default_type": "out_invoice", "search_default_x": 1}),
    ("a[0] if x is not None else None", 1),
    ("[v * 2 for v in a if v not in (3,)]", [2, 4]),
    ("{v: v for v in a}", {1: 1, 2: 2}),
    ("sum(v for v in a)", 3),
    ("b.get('k', False) and not b.get('z')", True),
    ("f(**k)", {"x": 1}),
    ("f(a=1)", {"a": 1}),
    ("max(*a)", 2),
    ("'%s-%r' % (x, 'y')", "1-'y'"),
    ("'%d%%' % x", "1%"),
    ("(lambda y, z=2: y + z)(x)", 3),
    ("1 < x + 1 < 3", True),
    ("time.strftime('%Y') > '2000'", True),
])
def test_accepts_what_odoo_evaluates(source, expected):
    import time
    assert safe_eval(source, dict(VALUES, time=time)) == expected


def test_accepts_statements_of_server_actions():
    code = (
        "total = 0\n"
        "for v in a:\n"
        "    if v > 1:\n"
        "        total += v\n"
        "    else:\n"
        "        continue\n"
        "try:\n"
        "    b['missing']\n"
        "except KeyError as e:\n"
        "    total -= 1\n"
        "finally:\n"
        "    total *= 10\n"
        "assert total\n"
        "b['k'] = total\n"
        "del total\n"
    )
    context = {"a": [1, 2], "b": {}, "KeyError": KeyError}
    safe_eval(code, context, mode="exec", nocopy=True)
    assert context["b"] == {"k": 10}


@pytest.mark.parametrize("template, item", [
    ("{%s}", "'k%d': %d"), ("{%s}", "%d: [%d]"), ("[%s]", "[%d, %d]"), ("(%s)", "[%d, %d]"),
    ("{%s}", "(%d, %d)"),
])
def test_big_literals_are_still_constants(template, item):
    # Python 3.9-3.11 build literals of more than 16/30 items item by item
    # (LIST_APPEND, SET_ADD, MAP_ADD, DICT_UPDATE, LIST_TO_TUPLE)
    source = template % ", ".join(item % (i, i) for i in range(40))
    assert len(const_eval(source)) == 40


def test_big_tuples_and_calls_are_still_evaluated():
    names = ", ".join(["x"] * 40)
    assert safe_eval("(%s)" % names, dict(VALUES)) == (1,) * 40
    assert safe_eval("max(%s)" % names, dict(VALUES)) == 1
    assert safe_eval("f'plain text'") == "plain text"


def test_const_and_expr_eval_limits():
    assert const_eval("[1, 2, (3, 4), {'foo': 'bar'}, {5, 6, 7}, None, True]") == \
        [1, 2, (3, 4), {"foo": "bar"}, {5, 6, 7}, None, True]
    assert expr_eval("[1, 2] * 2 + [3 % 2, 2 ** 3, 7 // 2, -1]") == [1, 2, 1, 2, 1, 8, 3, -1]
    assert expr_eval("not 1 in (1, 2)") is False
    for source in ("x", "x + 1", "[x][0]", "(1).real"):
        with pytest.raises(ValueError, match="forbidden opcode"):
            const_eval(source)
    for source in ("x", "len([])", "__import__('os')", "(1).real", "[v for v in (1, 2)]"):
        with pytest.raises((ValueError, NameError)):
            expr_eval(source)


# -- what stays refused ---------------------------------------------------------
@pytest.mark.parametrize("source, message", [
    ("import os", "IMPORT_NAME"),
    ("from os import path", "IMPORT_NAME"),
    ("a.b = 1", "STORE_ATTR"),
    ("with a:\n    pass", "BEFORE_WITH"),
    ("def g():\n    y = 1\n    return lambda: y", "DEREF"),
    ("[[v for z in a if z == v] for v in a]", "DEREF"),
    ("class C:\n    pass", "LOAD_BUILD_CLASS"),
    ("global x\nx = 2", "STORE_GLOBAL"),
    ("del a[0]", "DELETE_SUBSCR"),
    ("a, *rest = a", "UNPACK_EX"),
])
def test_refuses_statements(source, message):
    assert message in _refused(source, mode="exec")


@pytest.mark.parametrize("source, message", [
    ("__import__('os')", "__import__"),
    ("().__class__", "__class__"),
    ("().__class__.__bases__[0].__subclasses__()", "__class__"),
    ("obj.__dict__", "__dict__"),
    ("getattr(obj, '__dict__')", "getattr"),
    ("a.gi_frame", "gi_frame"),
    ("open('/etc/passwd').read()", "open"),
    ("eval('1')", "eval"),
])
def test_refuses_names(source, message):
    assert message in _refused(source)


@pytest.mark.parametrize("source, opcode", [
    # Python 3.11 compiles these with opcodes that allowed constructs also use;
    # Python 3.7 refused them with opcodes of their own
    ("f'{x}'", "FORMAT_VALUE"),
    ("f'{x!r:>10}'", "FORMAT_VALUE"),
    ("a @ a", "BINARY_MATRIX_MULTIPLY"),
    ("[*a]", "BUILD_LIST_UNPACK"),
    ("{*a}", "BUILD_SET_UNPACK"),
    ("(*a,)", "BUILD_TUPLE_UNPACK"),
    ("{**k}", "BUILD_MAP_UNPACK"),
    ("f(x=1, **k)", "BUILD_MAP_UNPACK_WITH_CALL"),
    ("f(**k, **b)", "BUILD_MAP_UNPACK_WITH_CALL"),
    ("max(1, *a)", "BUILD_TUPLE_UNPACK_WITH_CALL"),
    ("(y := 1)", "NamedExpr"),
])
def test_refuses_what_only_newer_pythons_compile_alike(source, opcode):
    assert opcode in _refused(source)


@pytest.mark.parametrize("source, opcode", [
    ("x /= 2", "INPLACE_TRUE_DIVIDE"),
    ("x //= 2", "INPLACE_FLOOR_DIVIDE"),
    ("x %= 2", "INPLACE_MODULO"),
    ("x @= 2", "INPLACE_MATRIX_MULTIPLY"),
    ("match x:\n    case 1:\n        pass", "Match"),
])
def test_refuses_statements_that_were_refused_or_unknown(source, opcode):
    assert opcode in _refused(source, mode="exec")


def test_code_objects_are_refused():
    with pytest.raises(TypeError):
        safe_eval(compile("1", "", "eval"))


def test_test_python_expr_reports_instead_of_raising():
    assert safe_eval_module.test_python_expr("a + 1") is False
    assert "forbidden" in safe_eval_module.test_python_expr("import os", mode="exec")


def test_white_lists_gained_only_the_listed_opcodes():
    """Nothing outside the patch's own lists made it into Odoo's white-lists."""
    from dis import opmap

    from odoo_py311 import safe_eval as patch
    added = set(patch.CONST_EQUIVALENTS + patch.EXPR_EQUIVALENTS + patch.SAFE_EQUIVALENTS)
    names = {name for name, code in opmap.items() if code in safe_eval_module._SAFE_OPCODES}
    never = {"IMPORT_NAME", "IMPORT_FROM", "IMPORT_STAR", "STORE_ATTR", "DELETE_ATTR",
             "STORE_GLOBAL", "DELETE_GLOBAL", "LOAD_CLOSURE", "LOAD_DEREF", "STORE_DEREF",
             "MAKE_CELL", "COPY_FREE_VARS", "BEFORE_WITH", "WITH_EXCEPT_START",
             "LOAD_BUILD_CLASS", "SETUP_ANNOTATIONS", "UNPACK_EX",
             "DELETE_SUBSCR", "SEND", "GET_AWAITABLE", "MATCH_CLASS", "MATCH_MAPPING"}
    assert not names & never
    assert {"BINARY_OP", "CALL", "PRECALL", "RESUME"} <= names & added
