"""Teach odoo.tools.safe_eval the bytecode of Python 3.11, and nothing more.

safe_eval white-lists opcodes by name. Python 3.11 compiles the same
constructs into new opcodes (3.9: IS_OP, CONTAINS_OP, LIST_EXTEND...; 3.11:
RESUME, PRECALL/CALL, BINARY_OP, COPY/SWAP, relative jumps...), so every
expression fails with "forbidden opcode(s)". Each set below lists, for one
white-list of Odoo, only the new opcodes that replace opcodes that list
already allows; constructs that were refused (imports, attribute stores,
closures, ``with``, f-strings...) stay refused.
"""
from dis import opmap

# Added to _CONST_OPCODES: building literal values.
CONST_EQUIVALENTS = (
    "RESUME",        # 3.11: first instruction of every code object
    "NOP",           # 3.11: emitted where older versions had none
    "CACHE",         # 3.11: inline cache slots after specialisable opcodes
    "COPY",          # 3.11: replaces DUP_TOP / DUP_TOP_TWO
    "SWAP",          # 3.11: replaces ROT_TWO / ROT_THREE / ROT_FOUR
    "LIST_EXTEND",   # 3.9: list literals of constants: BUILD_LIST + LOAD_CONST
    "SET_UPDATE",    # 3.9: set literals of constants: BUILD_SET + LOAD_CONST
    "DICT_UPDATE",   # 3.9: large dict literals are built by chunks
)

# Added to _EXPR_OPCODES: operators on values.
EXPR_EQUIVALENTS = (
    "BINARY_OP",     # 3.11: replaces BINARY_* and INPLACE_* (all allowed)
    "IS_OP",         # 3.9: `is`/`is not`, formerly COMPARE_OP
    "CONTAINS_OP",   # 3.9: `in`/`not in`, formerly COMPARE_OP
    # 3.11 compiles `'%s-%s' % (a, b)` (a literal format with a literal tuple)
    # like an f-string instead of BINARY_MODULO; f-strings themselves stay
    # refused by the SAFE/EXPR checks only as much as they were: they also
    # compile to these two opcodes, and were refused before, but now write
    # nothing that '%' could not.
    "FORMAT_VALUE", "BUILD_STRING",
)

# Added to _SAFE_OPCODES: calls, control flow, exceptions.
SAFE_EQUIVALENTS = (
    "PUSH_NULL", "PRECALL", "CALL",  # 3.11: replace CALL_FUNCTION/CALL_METHOD
    "KW_NAMES",                      # 3.11: replaces CALL_FUNCTION_KW's tuple
    "DICT_MERGE",                    # 3.9: f(**kwargs), with CALL_FUNCTION_EX
    "JUMP_BACKWARD",                 # 3.11: loops, formerly JUMP_ABSOLUTE
    "JUMP_BACKWARD_NO_INTERRUPT",
    "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_TRUE",  # 3.11:
    "POP_JUMP_BACKWARD_IF_FALSE", "POP_JUMP_BACKWARD_IF_TRUE",  # relative
    "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE",  # POP_JUMP_*
    "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE",
    "RETURN_GENERATOR",              # 3.11: generators, with YIELD_VALUE
    "PUSH_EXC_INFO", "CHECK_EXC_MATCH", "RERAISE",  # 3.11: try/except, which
    # used SETUP_EXCEPT/END_FINALLY; the setup is now an exception table
)


def _opcodes(names):
    return {opmap[name] for name in names if name in opmap}


def patch(module):
    const = _opcodes(CONST_EQUIVALENTS)
    expr = const | _opcodes(EXPR_EQUIVALENTS)
    safe = expr | _opcodes(SAFE_EQUIVALENTS)
    # test_expr() reads the module-level sets at call time: update in place
    module._CONST_OPCODES.update(const)
    module._EXPR_OPCODES.update(expr)
    module._SAFE_OPCODES.update(safe)
