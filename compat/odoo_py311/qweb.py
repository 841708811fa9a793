"""Make the Python ASTs that QWeb builds acceptable to Python 3.11's compiler.

odoo.addons.base.ir.ir_qweb.qweb generates a module AST per template and
passes it to the builtin ``compile``. Python 3.8 added the mandatory
``posonlyargs`` field to ``ast.arguments`` and refuses ``ast.Name`` nodes
named None/True/False (they are constants); Python 3.11 validates that every
node's (lineno, col_offset)-(end_lineno, end_col_offset) range is ordered,
which spliced-in nodes from parsed expressions break. The fix is a ``compile``
in the qweb module's namespace that repairs an AST before compiling it;
string sources go through unchanged.
"""
import ast
import builtins

_CONSTANT_NAMES = {"None": None, "True": True, "False": False}


class _Py311AstFixer(ast.NodeTransformer):
    def visit_arguments(self, node):
        if not hasattr(node, "posonlyargs"):
            node.posonlyargs = []
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in _CONSTANT_NAMES:
            return ast.copy_location(ast.Constant(_CONSTANT_NAMES[node.id]), node)
        return node


def _collapse_line_ranges(tree):
    for node in ast.walk(tree):
        if "lineno" in node._attributes:
            node.end_lineno = node.lineno
            node.end_col_offset = node.col_offset


def fix_ast(tree):
    tree = _Py311AstFixer().visit(tree)
    ast.fix_missing_locations(tree)
    _collapse_line_ranges(tree)
    return tree


def compile_fixed(source, filename, mode, *args, **kwargs):
    if isinstance(source, ast.AST):
        source = fix_ast(source)
    return builtins.compile(source, filename, mode, *args, **kwargs)


def patch(module):
    # a module global shadows the builtin for qweb.py's own calls only
    module.compile = compile_fixed
