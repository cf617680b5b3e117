"""Parse expression text into a small, whitelisted syntax tree.

Python's own parser (``ast.parse``) only *reads* the text; nothing is ever
evaluated or executed.  The Python tree is then converted node by node into
redline's own node types; any construct not on the whitelist (attributes,
subscripts, lambdas, comprehensions, strings, keyword arguments, ...) is
rejected with an :class:`~redline.errors.ExpressionError`.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from redline.errors import ExpressionError, Location

MAX_LENGTH = 2000  # characters of expression text
MAX_DEPTH = 32  # nesting depth of the syntax tree
MAX_NODES = 400  # size of the syntax tree
MAX_EXPONENT = 64.0  # largest literal exponent accepted in a ** b
MAX_LITERAL = 1e12  # largest magnitude of a numeric literal

# name -> (min args, max args or None for variadic, kind)
FUNCTIONS: dict[str, tuple[int, int | None, str]] = {
    "min": (2, None, "math"),
    "max": (2, None, "math"),
    "abs": (1, 1, "math"),
    "exp": (1, 1, "math"),
    "log": (1, 1, "math"),
    "log1p": (1, 1, "math"),
    "sqrt": (1, 1, "math"),
    "sin": (1, 1, "math"),
    "cos": (1, 1, "math"),
    "floor": (1, 1, "math"),
    "ceil": (1, 1, "math"),
    "clip": (3, 3, "math"),
    "logistic": (1, 1, "math"),
    "where": (3, 3, "math"),
    "recent": (2, 2, "memory"),
    "count": (1, 1, "memory"),
    "days_since": (1, 1, "memory"),
    "poisson": (1, 1, "random"),
    "binomial": (2, 2, "random"),
    "bernoulli": (1, 1, "random"),
    "normal": (2, 2, "random"),
    "uniform": (2, 2, "random"),
}
MEMORY_FUNCTIONS = frozenset(k for k, v in FUNCTIONS.items() if v[2] == "memory")
RANDOM_FUNCTIONS = frozenset(k for k, v in FUNCTIONS.items() if v[2] == "random")

_BIN_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_CMP_OPS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}
_UNARY_OPS = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not"}
_BOOL_OPS = {ast.And: "and", ast.Or: "or"}

# Precedence used when turning a tree back into text.
_PREC = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7, "**": 8}

_DESCRIBE = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "indexing (a[b])",
    ast.Lambda: "lambda functions",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.NamedExpr: "assignment (:=)",
    ast.JoinedStr: "strings",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.Starred: "star arguments",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


@dataclass(frozen=True)
class Node:
    """Base class of syntax tree nodes."""


@dataclass(frozen=True)
class Num(Node):
    value: float


@dataclass(frozen=True)
class Name(Node):
    id: str


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Bin(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    ops: tuple[str, ...]
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class BoolOp(Node):
    op: str
    values: tuple[Node, ...]


@dataclass(frozen=True)
class IfElse(Node):
    test: Node
    body: Node
    orelse: Node


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Expr:
    """A parsed expression: its source text, tree, and what it refers to."""

    text: str
    tree: Node
    names: frozenset[str] = field(default_factory=frozenset)
    functions: frozenset[str] = field(default_factory=frozenset)
    memory: tuple[Call, ...] = ()  # recent()/count()/days_since() calls

    @property
    def uses_random(self) -> bool:
        return bool(self.functions & RANDOM_FUNCTIONS)

    def __str__(self) -> str:
        return self.text


def parse(text: str | float | bool, location: Location | None = None) -> Expr:
    """Parse ``text`` into an :class:`Expr`, rejecting anything not whitelisted."""
    if isinstance(text, bool):
        text = "1" if text else "0"
    if isinstance(text, int | float):
        if not math.isfinite(float(text)):
            raise ExpressionError("numbers must be finite", location, found=repr(text))
        text = repr(float(text)) if isinstance(text, float) else str(text)
    if not isinstance(text, str):
        raise ExpressionError(
            "an expression must be text or a number",
            location,
            expected="a string such as 'base_rate * 2'",
            found=type(text).__name__,
        )
    src = text.strip()
    if not src:
        raise ExpressionError("empty expression", location, expected="an expression", found="''")
    if len(src) > MAX_LENGTH:
        raise ExpressionError(
            "expression too long",
            location,
            expected=f"at most {MAX_LENGTH} characters",
            found=f"{len(src)} characters",
        )
    depth = 0
    for ch in src:
        depth += ch == "("
        depth -= ch == ")"
        if depth > MAX_DEPTH:
            raise ExpressionError(
                "expression nested too deeply",
                location,
                expected=f"at most {MAX_DEPTH} levels of parentheses",
                found=f"more than {MAX_DEPTH}",
            )
    try:
        py_tree = ast.parse(src, mode="eval")
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(
            f"invalid expression syntax{col}: {exc.msg}", location, found=src
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"expression cannot be read: {exc}", location, found=src) from None
    conv = _Converter(src, location)
    tree = conv.convert(py_tree.body, 1)
    return Expr(
        text=src,
        tree=tree,
        names=frozenset(conv.names),
        functions=frozenset(conv.functions),
        memory=tuple(conv.memory),
    )


class _Converter:
    def __init__(self, src: str, location: Location | None) -> None:
        self.src = src
        self.location = location
        self.count = 0
        self.names: set[str] = set()
        self.functions: set[str] = set()
        self.memory: list[Call] = []

    def fail(self, message: str, node: ast.AST | None = None, **kw: str) -> ExpressionError:
        if node is not None and hasattr(node, "col_offset"):
            message += f" (at column {node.col_offset + 1})"
        kw.setdefault("found", self.src)
        return ExpressionError(message, self.location, **kw)

    def convert(self, node: ast.AST, depth: int) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail("expression too large", expected=f"at most {MAX_NODES} syntax-tree nodes (numbers, names, operators, calls)")
        if depth > MAX_DEPTH:
            raise self.fail("expression nested too deeply", expected=f"depth <= {MAX_DEPTH}")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY_OPS:
            return Unary(_UNARY_OPS[type(node.op)], self.convert(node.operand, d))
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BIN_OPS:
                raise self.fail(
                    f"operator {type(node.op).__name__} is not allowed",
                    node,
                    expected="one of + - * / **",
                )
            op = _BIN_OPS[type(node.op)]
            right = self.convert(node.right, d)
            if op == "**":
                self._check_exponent(right, node)
            # a long flat chain (a + b + c + ...) is left-nested by Python; it is not deep nesting
            left_depth = depth if isinstance(node.left, ast.BinOp) else d
            return Bin(op, self.convert(node.left, left_depth), right)
        if isinstance(node, ast.Compare):
            ops = []
            for op_node in node.ops:
                if type(op_node) not in _CMP_OPS:
                    raise self.fail(
                        f"comparison {type(op_node).__name__} is not allowed",
                        node,
                        expected="one of < <= > >= == !=",
                    )
                ops.append(_CMP_OPS[type(op_node)])
            operands = [self.convert(node.left, d)] + [self.convert(c, d) for c in node.comparators]
            return Compare(tuple(ops), tuple(operands))
        if isinstance(node, ast.BoolOp):
            return BoolOp(_BOOL_OPS[type(node.op)], tuple(self.convert(v, d) for v in node.values))
        if isinstance(node, ast.IfExp):
            return IfElse(
                self.convert(node.test, d), self.convert(node.body, d), self.convert(node.orelse, d)
            )
        if isinstance(node, ast.Call):
            return self._call(node, d)
        what = _DESCRIBE.get(type(node), type(node).__name__)
        raise self.fail(
            f"{what} not allowed in expressions",
            node,
            expected="numbers, names, + - * / **, comparisons, and/or/not, "
            "'a if cond else b', and the listed functions",
        )

    def _constant(self, node: ast.Constant) -> Num:
        value = node.value
        if isinstance(value, bool):
            return Num(1.0 if value else 0.0)
        if isinstance(value, int | float) and not isinstance(value, complex):
            if abs(value) > MAX_LITERAL:
                raise self.fail(
                    "number too large", node, expected=f"magnitude <= {MAX_LITERAL:g}", found=str(value)[:40]
                )
            return Num(float(value))
        kind = "strings" if isinstance(value, str | bytes) else f"{type(value).__name__} literals"
        raise self.fail(f"{kind} not allowed in expressions", node, expected="a number")

    def _name(self, node: ast.Name) -> Name:
        ident = node.id
        if ident.startswith("_"):
            raise self.fail(
                f"name {ident!r} is not allowed: names may not start with '_'",
                node,
                expected="a state variable, parameter or built-in name",
            )
        if ident in FUNCTIONS:
            raise self.fail(f"function {ident!r} used without calling it", node, expected=f"{ident}(...)")
        self.names.add(ident)
        return Name(ident)

    def _check_exponent(self, right: Node, node: ast.AST) -> None:
        value = None
        while isinstance(right, Unary) and right.op in "+-":  # look through signs: x ** --1000
            right = right.operand
        if isinstance(right, Num):
            value = right.value
        if value is not None and abs(value) > MAX_EXPONENT:
            raise self.fail(
                "exponent too large", node, expected=f"|exponent| <= {MAX_EXPONENT:g}", found=str(value)
            )
        if isinstance(right, Bin) and right.op == "**":
            raise self.fail("chained powers (a ** b ** c) are not allowed", node, expected="one ** per term")

    def _call(self, node: ast.Call, depth: int) -> Call:
        if not isinstance(node.func, ast.Name):
            raise self.fail(
                "only plain function names may be called", node, expected=", ".join(sorted(FUNCTIONS))
            )
        fname = node.func.id
        if fname not in FUNCTIONS:
            raise self.fail(
                f"unknown function {fname!r}",
                node,
                expected="one of " + ", ".join(sorted(FUNCTIONS)),
                found=fname,
            )
        if node.keywords:
            raise self.fail(f"keyword arguments are not allowed in {fname}()", node)
        lo, hi, kind = FUNCTIONS[fname]
        n = len(node.args)
        if n < lo or (hi is not None and n > hi):
            want = f"{lo}" if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
            raise self.fail(
                f"{fname}() takes {want} argument(s)", node, expected=f"{want} argument(s)", found=str(n)
            )
        self.functions.add(fname)
        if kind == "memory":
            first = node.args[0]
            if not isinstance(first, ast.Name):
                raise self.fail(
                    f"the first argument of {fname}() must be an action id", node, expected="an action id"
                )
            if first.id.startswith("_"):
                raise self.fail(
                    f"name {first.id!r} is not allowed: names may not start with '_'", first, expected="an action id"
                )
            args: list[Node] = [Name(first.id)]
            args += [self.convert(a, depth) for a in node.args[1:]]
            call = Call(fname, tuple(args))
            self.memory.append(call)
            return call
        return Call(fname, tuple(self.convert(a, depth) for a in node.args))


def to_text(node: Node, parent: int = 0) -> str:
    """Canonical text of a tree (used for display and as a memory key)."""
    if isinstance(node, Num):
        v = node.value
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, Unary):
        p = _PREC["not"] if node.op == "not" else _PREC["neg"]
        sep = " " if node.op == "not" else ""
        s = f"{node.op}{sep}{to_text(node.operand, p)}"
    elif isinstance(node, Bin):
        p = _PREC[node.op]
        right_p = p + 1  # a + (b + c) is not the tree of a + b + c (nor the same float result)
        s = f"{to_text(node.left, p + (node.op == '**'))} {node.op} {to_text(node.right, right_p)}"
    elif isinstance(node, Compare):
        p = _PREC["cmp"]
        s = to_text(node.operands[0], p + 1)
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            s += f" {op} {to_text(operand, p + 1)}"
    elif isinstance(node, BoolOp):
        p = _PREC[node.op]
        s = f" {node.op} ".join(to_text(v, p + 1) for v in node.values)
    elif isinstance(node, IfElse):
        p = 0
        s = f"{to_text(node.body, 1)} if {to_text(node.test, 1)} else {to_text(node.orelse, 0)}"
    else:  # pragma: no cover - exhaustive over node types
        raise TypeError(node)
    return f"({s})" if p < parent or (isinstance(node, IfElse) and parent > 0) else s


def memory_key(call: Call) -> str:
    """The environment key under which the engine supplies a memory value."""
    return to_text(call)
