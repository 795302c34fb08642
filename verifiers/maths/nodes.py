"""The parsed form of an answer: small immutable nodes, compared structurally and hashable for caching."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every answer node."""


@dataclass(frozen=True, slots=True)
class Num(Node):
    """An exact rational literal; `text` keeps the spelling (decimal places matter to some policies)."""

    value: Fraction
    text: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Sym(Node):
    """A variable, e.g. `x`, `x_1`, `\\alpha`."""

    name: str


@dataclass(frozen=True, slots=True)
class Const(Node):
    """A named constant: `pi`, `e`, `i` (imaginary unit) or `oo` (infinity)."""

    name: str


@dataclass(frozen=True, slots=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True, slots=True)
class Add(Node):
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Mul(Node):
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Div(Node):
    num: Node
    den: Node


@dataclass(frozen=True, slots=True)
class Pow(Node):
    base: Node
    exp: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A function applied to arguments: sqrt, root, sin, log, abs, factorial, binom, ..."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unit(Node):
    """A value with a unit: `percent`, `degree`, or a unit text such as `cm` or `apples`."""

    arg: Node
    unit: str


@dataclass(frozen=True, slots=True)
class Group(Node):
    """Items in delimiters: `(1,2)`, `[1,2)`, `\\{1,2\\}`, `<1,2>`, or a bare list (`open == ""`)."""

    open: str
    close: str
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Rel(Node):
    """A relation chain: `ops[k]` relates `args[k]` and `args[k+1]` (`=`, `<`, `<=`, `>`, `>=`, `!=`)."""

    ops: tuple[str, ...]
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class SetOp(Node):
    """A set operation: `cup`, `cap` or `setminus` of its arguments, left to right."""

    op: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Member(Node):
    """`x \\in S`."""

    elem: Node
    set: Node


@dataclass(frozen=True, slots=True)
class Matrix(Node):
    rows: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True, slots=True)
class Text(Node):
    """A text answer; `literal` when it is unreadable mathematics, compared character for character."""

    text: str
    literal: bool = False


@dataclass(frozen=True, slots=True)
class Alt(Node):
    """Alternatives joined by "or": `x = 1 or x = 2`."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Both(Node):
    """Conditions joined by "and": `x > 1 and x < 3`."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Approx(Node):
    """`exact \\approx approx`: the exact value, and the approximation stated after it."""

    exact: Node
    approx: Node


@dataclass(frozen=True, slots=True)
class Raw(Node):
    """A sympy expression produced by the fallback parser (exists only in worker processes)."""

    obj: Any


INF = Const("oo")
PI = Const("pi")
E = Const("e")
I = Const("i")  # noqa: E741 - the imaginary unit


def free_names(node: Node) -> set[str]:
    """Names of the variables in a node."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Sym):
            out.add(n.name)
        elif isinstance(n, Raw):
            out.update(str(s) for s in getattr(n.obj, "free_symbols", ()))
        else:
            stack.extend(children(n))
    return out


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of a node."""
    if isinstance(node, (Add, Mul, Call, Group, Rel, SetOp, Alt, Both)):
        return node.args if hasattr(node, "args") else node.items  # type: ignore[attr-defined]
    if isinstance(node, Neg):
        return (node.arg,)
    if isinstance(node, Unit):
        return (node.arg,)
    if isinstance(node, Div):
        return (node.num, node.den)
    if isinstance(node, Pow):
        return (node.base, node.exp)
    if isinstance(node, Member):
        return (node.elem, node.set)
    if isinstance(node, Approx):
        return (node.exact, node.approx)
    if isinstance(node, Matrix):
        return tuple(x for row in node.rows for x in row)
    return ()


def has_decimal(node: Node) -> bool:
    """True when a decimal literal (like `0.33`) appears in the node."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Num) and "." in n.text:
            return True
        stack.extend(children(n))
    return False
