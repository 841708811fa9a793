"""Teach odoo.tools.safe_eval the bytecode of Python 3.11, and nothing more.

safe_eval white-lists opcodes by name. Python 3.9-3.11 compile the same
constructs into new opcodes (3.9: IS_OP, CONTAINS_OP, LIST_EXTEND...; 3.11:
RESUME, PRECALL/CALL, BINARY_OP, COPY/SWAP, relative jumps...), so every
expression fails with "forbidden opcode(s)". Each set below lists, for one
white-list of Odoo, only the new opcodes that replace opcodes that list
already allows; constructs that were refused (imports, attribute stores,
closures, ``with``, ...) stay refused because their own opcodes stay out.

Some new opcodes serve allowed and refused constructs alike: BINARY_OP is
also ``@`` and ``/=``, LIST_EXTEND is also ``[*a]``, DICT_MERGE is also
``f(k=1, **kw)``, LIST_TO_TUPLE is also ``f(*a, *b)``, FORMAT_VALUE is
also an f-string (3.11 compiles ``'%s' % (a,)`` into it). Python 3.7
refused those constructs with opcodes of their own (BINARY_MATRIX_MULTIPLY,
BUILD_LIST_UNPACK, ...), so
``refused_constructs`` finds them in the source's syntax tree and the
validation refuses them with the opcode name Python 3.7 would have shown.
Syntax that 3.7 could not even parse (``:=``, ``match``) is refused too.
"""
import ast
import functools
from dis import opmap

# Added to _CONST_OPCODES: building literal values.
CONST_EQUIVALENTS = (
    "RESUME",        # 3.11: first instruction of every code object
    "COPY",          # 3.11: replaces DUP_TOP / DUP_TOP_TWO
    "SWAP",          # 3.11: replaces ROT_TWO / ROT_THREE / ROT_FOUR
    "LIST_EXTEND",   # 3.9: [1, 2, 3] is BUILD_LIST + LOAD_CONST (1, 2, 3) + LIST_EXTEND
    "SET_UPDATE",    # 3.9: {1, 2, 3}, likewise
    # 3.9-3.11: literals (and calls) of more than 16/30 items, formerly
    # BUILD_LIST/BUILD_TUPLE/BUILD_SET/BUILD_MAP n and CALL_FUNCTION n, are
    # built item by item from an empty one, then joined
    "LIST_APPEND", "SET_ADD", "MAP_ADD", "DICT_UPDATE", "LIST_TO_TUPLE",
)

# Added to _EXPR_OPCODES: operators on values.
EXPR_EQUIVALENTS = (
    "BINARY_OP",     # 3.11: replaces every BINARY_* and INPLACE_*
    "IS_OP",         # 3.9: `is`/`is not`, formerly COMPARE_OP
    "CONTAINS_OP",   # 3.9: `in`/`not in`, formerly COMPARE_OP
    # 3.11: '%s-%r' % (a, b) (a literal format of %s/%r/%a and a literal
    # tuple) compiles to these instead of BINARY_MODULO
    "FORMAT_VALUE", "BUILD_STRING",
)

# Added to _SAFE_OPCODES: calls, control flow, exceptions.
SAFE_EQUIVALENTS = (
    "PUSH_NULL", "PRECALL", "CALL",  # 3.11: replace CALL_FUNCTION/CALL_METHOD
    "KW_NAMES",                      # 3.11: replaces CALL_FUNCTION_KW's tuple
    "DICT_MERGE",                    # 3.9: f(**kw), with CALL_FUNCTION_EX
    "JUMP_BACKWARD",                 # 3.11: loops, formerly JUMP_ABSOLUTE
    "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_TRUE",  # 3.11: relative
    "POP_JUMP_BACKWARD_IF_FALSE", "POP_JUMP_BACKWARD_IF_TRUE",  # POP_JUMP_IF_*
    "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE",  # `x is None`
    "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE",  # + a jump
    "RETURN_GENERATOR",              # 3.11: generators, with YIELD_VALUE
    # 3.11: try/except/finally, which used SETUP_EXCEPT/SETUP_FINALLY/
    # END_FINALLY and COMPARE_OP "exception match"; the set-up is now an
    # exception table with a NOP where the block starts
    "PUSH_EXC_INFO", "CHECK_EXC_MATCH", "RERAISE", "NOP",
    "LOAD_ASSERTION_ERROR",          # 3.9: `assert`, formerly LOAD_GLOBAL
)

# Operators whose 3.7 opcode none of the white-lists allowed.
_REFUSED_OPERATORS = {
    (ast.BinOp, ast.MatMult): "BINARY_MATRIX_MULTIPLY",
    (ast.AugAssign, ast.MatMult): "INPLACE_MATRIX_MULTIPLY",
    (ast.AugAssign, ast.Div): "INPLACE_TRUE_DIVIDE",
    (ast.AugAssign, ast.FloorDiv): "INPLACE_FLOOR_DIVIDE",
    (ast.AugAssign, ast.Mod): "INPLACE_MODULO",
}
_UNPACKING_LITERALS = {ast.List: "BUILD_LIST_UNPACK", ast.Set: "BUILD_SET_UNPACK",
                       ast.Tuple: "BUILD_TUPLE_UNPACK"}


def _refused_operator(node):
    return _REFUSED_OPERATORS.get((type(node), type(node.op)))


def _refused_unpacking(node):
    if not any(isinstance(elt, ast.Starred) for elt in node.elts):
        return None
    if isinstance(getattr(node, "ctx", None), ast.Store):
        return "UNPACK_EX"           # a, *b = c: still refused by its own opcode
    return _UNPACKING_LITERALS[type(node)]


def _refused_dict(node):
    return "BUILD_MAP_UNPACK" if None in node.keys else None


def _refused_call(node):
    """Python 3.7 only called f(*a) and f(**kw) alone, or without any star."""
    if any(isinstance(arg, ast.Starred) for arg in node.args) and len(node.args) > 1:
        return "BUILD_TUPLE_UNPACK_WITH_CALL"
    if any(kw.arg is None for kw in node.keywords) and len(node.keywords) > 1:
        return "BUILD_MAP_UNPACK_WITH_CALL"
    return None


def _newer_syntax(node):
    return "%s (syntax newer than Python 3.7)" % type(node).__name__


# node type -> the 3.7 opcode (or syntax) that made safe_eval refuse it, or None
_CHECKS = {
    ast.BinOp: _refused_operator,
    ast.AugAssign: _refused_operator,
    # an f-string without fields (f'text') compiled to a constant in 3.7 too
    ast.FormattedValue: lambda node: "FORMAT_VALUE (f-string)",
    ast.List: _refused_unpacking,
    ast.Set: _refused_unpacking,
    ast.Tuple: _refused_unpacking,
    ast.Dict: _refused_dict,
    ast.Call: _refused_call,
    ast.NamedExpr: _newer_syntax,
    ast.Match: _newer_syntax,
}


@functools.lru_cache(maxsize=2048)   # the same domains are evaluated again and again
def refused_constructs(source):
    """Names of what Python 3.7's safe_eval refused in ``source``, in order."""
    tree = _parse(source)
    if tree is None:
        return ()
    found = (_CHECKS[type(node)](node) for node in ast.walk(tree) if type(node) in _CHECKS)
    return tuple(dict.fromkeys(name for name in found if name))


def _parse(source):
    for text in (source, source.strip()):
        for mode in ("exec", "eval"):
            try:
                return ast.parse(text, mode=mode)
            except SyntaxError:
                pass
    # safe_eval passes 'lambda' for the nested code objects it checks; the
    # source they come from was checked whole already
    return None


def _opcodes(names):
    return {opmap[name] for name in names if name in opmap}


def _guard(assert_valid_codeobj):
    def guarded(allowed_codes, code_obj, expr):
        refused = refused_constructs(expr) if isinstance(expr, str) else ()
        if refused:
            raise ValueError("forbidden opcode(s) in %r: %s" % (expr, ", ".join(refused)))
        return assert_valid_codeobj(allowed_codes, code_obj, expr)

    guarded.__wrapped__ = assert_valid_codeobj
    guarded.__doc__ = assert_valid_codeobj.__doc__
    return guarded


def patch(module):
    const = _opcodes(CONST_EQUIVALENTS)
    expr = const | _opcodes(EXPR_EQUIVALENTS)
    safe = expr | _opcodes(SAFE_EQUIVALENTS)
    # test_expr() reads the module-level sets at call time: update in place
    module._CONST_OPCODES.update(const)
    module._EXPR_OPCODES.update(expr)
    module._SAFE_OPCODES.update(safe)
    # test_expr() and ir.qweb (which imports it by name, after this patch)
    # both validate through assert_valid_codeobj
    module.assert_valid_codeobj = _guard(module.assert_valid_codeobj)
