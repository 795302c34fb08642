"""Tests as data: assert statements split into what the sandbox computes and what the parent judges.

An `assert` is taken apart here, in the parent: every operand that is a literal (the expected value,
usually) stays here, and only the other expressions are sent to the sandbox, which reports their values
as plain data. The comparison itself runs here, on builtin values, so a solution cannot fake it by
patching `assert`, `==` or `unittest`, or by returning an object whose `__eq__` always says yes.
"""

from __future__ import annotations

import ast
import cmath
import json
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

_COMPARE: dict[type, tuple[str, Callable[[Any, Any], bool]]] = {
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
    ast.In: ("in", lambda a, b: a in b),
    ast.NotIn: ("not in", lambda a, b: a not in b),
    ast.Is: ("is", lambda a, b: _identity(a, b)),
    ast.IsNot: ("is not", lambda a, b: not _identity(a, b)),
}


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
# Calls the parent makes itself on reported values (the sandbox's own `abs` or `math` may be patched).
_PURE: dict[str, Callable[..., Any]] = {
    **{f.__name__: f for f in (abs, round, len, sorted, min, max, sum, set, frozenset, list, tuple)},
    **{f.__name__: f for f in (int, float, bool, str, all, any)},
    **{f"math.{n}": getattr(math, n) for n in ("isclose", "fabs", "floor", "ceil", "isnan", "isinf")},
    "cmath.isclose": cmath.isclose,
}
_PURE_KEYWORDS = {"rel_tol", "abs_tol", "reverse", "start", "default", "ndigits"}


class SpecError(ValueError):
    """A test cannot be understood (bad syntax, or neither an assert test nor an input/output pair)."""


def _identity(a: Any, b: Any) -> bool:
    # Across a process boundary only the singletons keep their identity.
    if any(x is None or isinstance(x, bool) for x in (a, b)):
        return a is b
    raise TypeError("`is` compares only None, True and False across the sandbox boundary")


@dataclass(slots=True)
class AssertTest:
    """One assert-style test: steps for the sandbox and, per assert, a plan the parent judges."""

    index: int
    source: str
    steps: list[tuple[str, str]] = field(default_factory=list)
    plans: list[tuple] = field(default_factory=list)

    def judge(self, values: Sequence[Any]) -> str | None:
        """None when every assert holds on these values, else why not."""
        for plan in self.plans:
            try:
                failure = _judge(plan, values)
            except Exception as exc:  # noqa: BLE001 - a comparison that raises is a failed test
                return f"comparison raised {type(exc).__name__}: {exc}"
            if failure:
                return failure
        return None


@dataclass(slots=True)
class IOTest:
    """One stdin/stdout test: the program's input and the output expected of it."""

    index: int
    input: str
    output: str


def parse_tests(tests: Any) -> list[AssertTest] | list[IOTest]:
    """Tests from assert sources (a list or one string), (input, output) pairs, or the same as JSON text."""
    if isinstance(tests, str) and tests.lstrip().startswith(("[", "{")):
        try:  # a column of tests stored as JSON text
            tests = json.loads(tests)
        except ValueError:
            pass
    if isinstance(tests, dict) and "inputs" in tests and "outputs" in tests:  # {"inputs": [...], "outputs": [...]}
        inputs, outputs = tests["inputs"], tests["outputs"]
        if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
            raise SpecError("'inputs' and 'outputs' must be lists of the same length")
        tests = [list(pair) for pair in zip(inputs, outputs)]
    if isinstance(tests, str):
        tests = _split_source(tests)
    if not isinstance(tests, (list, tuple)) or not tests:
        raise SpecError("tests must be a non-empty list (assert statements or input/output pairs)")
    if all(isinstance(t, str) for t in tests):
        return [_parse_assert(i, t) for i, t in enumerate(tests)]
    pairs = []
    for i, t in enumerate(tests):
        if isinstance(t, dict) and "input" in t and "output" in t:
            pairs.append(IOTest(i, str(t["input"]), str(t["output"])))
        elif isinstance(t, (list, tuple)) and len(t) == 2:
            pairs.append(IOTest(i, str(t[0]), str(t[1])))
        else:
            raise SpecError(f"test {i} is neither an assert statement nor an input/output pair: {t!r:.80}")
    return pairs


def _split_source(source: str) -> list[str]:
    """One test per top-level assert; the statements before an assert belong to it."""
    try:
        body = ast.parse(source).body
    except SyntaxError as exc:
        raise SpecError(f"tests do not parse: {exc}") from None
    tests, pending = [], []
    for stmt in body:
        pending.append(ast.unparse(stmt))
        if isinstance(stmt, ast.Assert):
            tests.append("\n".join(pending))
            pending = []
    if pending and tests:
        tests[-1] += "\n" + "\n".join(pending)
    return tests or ([source] if source.strip() else [])


def _parse_assert(index: int, source: str) -> AssertTest:
    try:
        body = ast.parse(source).body
    except SyntaxError as exc:
        raise SpecError(f"test {index} does not parse: {exc}") from None
    test = AssertTest(index, source.strip())
    for stmt in body:
        if isinstance(stmt, ast.Assert):
            test.plans.append(_plan(stmt.test, test.steps))
        else:
            test.steps.append(("exec", ast.unparse(stmt)))
    if not test.plans:
        raise SpecError(f"test {index} has no assert statement: {source!r:.80}")
    return test


def _plan(node: ast.expr, steps: list[tuple[str, str]]) -> tuple:
    """A judging plan for one assert expression; child-side expressions are appended to `steps`."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ("not", _plan(node.operand, steps))
    if isinstance(node, ast.BoolOp):
        kind = "and" if isinstance(node.op, ast.And) else "or"
        return (kind, [_plan(v, steps) for v in node.values])
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        operands = [_operand(n, steps) for n in [node.left, *node.comparators]]
        return ("cmp", [type(op) for op in node.ops], operands, ast.unparse(node.left))
    return ("truth", _operand(node, steps), ast.unparse(node))


def _operand(node: ast.expr, steps: list[tuple[str, str]]) -> tuple:
    """How the parent gets an operand: a literal, arithmetic or a known pure call done here, else a sandbox value.

    Arithmetic and calls like `abs`, `round` or `math.isclose` run here on the reported values, so a
    solution cannot pass `abs(f(x) - 1.5) < 1e-9` by patching `abs` or returning an object whose `__sub__`
    gives 0: only the opaque parts (calls of the solution's functions, names) are evaluated in the sandbox.
    """
    try:
        return ("lit", ast.literal_eval(node))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return ("bin", type(node.op), _operand(node.left, steps), _operand(node.right, steps))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return ("unary", type(node.op), _operand(node.operand, steps))
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and not any(isinstance(e, ast.Starred) for e in node.elts):
        return ("seq", type(node), [_operand(e, steps) for e in node.elts])
    name = _pure_call_name(node)
    if name is not None:
        assert isinstance(node, ast.Call)
        kwargs = {k.arg: _operand(k.value, steps) for k in node.keywords}
        return ("call", name, [_operand(a, steps) for a in node.args], kwargs)
    steps.append(("eval", ast.unparse(node)))
    return ("val", sum(1 for kind, _ in steps if kind == "eval") - 1)


def _pure_call_name(node: ast.expr) -> str | None:
    if not isinstance(node, ast.Call) or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    if any(k.arg is None or k.arg not in _PURE_KEYWORDS for k in node.keywords):
        return None
    name = ast.unparse(node.func)
    return name if name in _PURE else None


def _value(operand: tuple, values: Sequence[Any]) -> Any:
    kind = operand[0]
    if kind == "lit":
        return operand[1]
    if kind == "bin":
        left, right = _value(operand[2], values), _value(operand[3], values)
        _check_size(operand[1], left, right)
        return _BINARY[operand[1]](left, right)
    if kind == "unary":
        return _UNARY[operand[1]](_value(operand[2], values))
    if kind == "seq":
        items = [_value(o, values) for o in operand[2]]
        return {ast.List: list, ast.Tuple: tuple, ast.Set: set}[operand[1]](items)
    if kind == "call":
        args = [_value(o, values) for o in operand[2]]
        kwargs = {k: _value(o, values) for k, o in operand[3].items()}
        return _PURE[operand[1]](*args, **kwargs)
    ref = operand[1]
    if ref >= len(values):
        raise IndexError("the sandbox reported too few values")
    return values[ref]


def _check_size(op: type, left: Any, right: Any) -> None:
    """Refuse arithmetic on reported values that would build something huge in this process."""
    if op is ast.Mult:
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int) and len(seq) * count > 10**7:
                raise OverflowError("repetition too large")


def _judge(plan: tuple, values: Sequence[Any]) -> str | None:
    kind = plan[0]
    if kind == "not":
        return None if _judge(plan[1], values) else "`not` of a true condition"
    if kind == "and":
        for sub in plan[1]:
            failure = _judge(sub, values)
            if failure:
                return failure
        return None
    if kind == "or":
        failures = [_judge(sub, values) for sub in plan[1]]
        return None if any(f is None for f in failures) else " and ".join(f for f in failures if f)
    if kind == "truth":
        value = _value(plan[1], values)
        return None if value else f"`{plan[2]:.120}` was {_short(value)}"
    ops, operands, left_source = plan[1], plan[2], plan[3]
    resolved = [_value(o, values) for o in operands]
    for op, a, b in zip(ops, resolved, resolved[1:]):
        symbol, compare = _COMPARE[op]
        if not compare(a, b):
            return f"`{left_source:.120}` gave {_short(a)}, expected {symbol} {_short(b)}"
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
