"""Identity testing on the common real domain: two expressions agree wherever both are real and defined.

`\\frac{1}{\\sqrt{y}}` and `\\sqrt{\\frac{1}{y}}` agree for y > 0 and are both undefined (not real)
for y < 0, so they are the same answer; `\\sqrt{x^2}` and `x` differ at x = -2, a point where both
are real, so they are not. Each sample point assigns a value to every variable; a point where
either side (or any part of it: `\\sqrt{a/b}\\sqrt{b/a}` at a < 0 < b) is undefined or not real
is skipped. One disagreement at a valid point proves the expressions different; agreement at
MIN_VALID or more points is the equality certificate; fewer valid points give no verdict.
Imported only in worker processes (sympy, mpmath).
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

DIGITS = 50  # working precision of the sample evaluations
MIN_VALID = 4  # agreeing points needed for an equality certificate
MAX_LOG_MAGNITUDE = 10_000  # powers beyond e^10000 are not evaluated
# Irrational-looking values away from 0, 1 and the other small integers.
_POSITIVE = (
    0.7390851332151607,
    2.2360679774997897,
    1.6180339887498949,
    0.3678794411714423,
    3.3219280948873623,
    1.2020569031595943,
    0.5772156649015329,
    2.6651441426902251,
    1.4142135623730950,
    0.8862269254527580,
)
_NEGATIVE = (
    -1.3247179572447460,
    -0.5772156649015329,
    -2.7182818284590452,
    -0.4142135623730950,
    -1.6487212707001282,
    -3.1415926535897932 * 0.77,
)
_INTEGERS = (2, 3, 5, 4, 7, 1, -2, 6, -1, 4, -3, 8)
_PHASE = 6  # points per phase: all positive; mixed signs; every sign pattern, integer variables real
_POINTS = 3 * _PHASE
_INTEGER_NAMES = {"n", "m", "k"}


class Outside(Exception):
    """The point is outside the real domain of the expression (undefined or not real there)."""


class Unevaluable(Exception):
    """The expression has parts this evaluator cannot compute (an unknown function, a sum, ...)."""


def same_on_real_domain(a: Any, b: Any, syms: list, tol: float) -> bool | None:
    """True/False when the sample points decide, None when too few points are in the common domain."""
    integer_like = _integer_like(a) | _integer_like(b)
    valid = 0
    with mpmath.workdps(DIGITS):
        for k in range(_POINTS):
            values = {s: _value(k, j, s in integer_like) for j, s in enumerate(syms)}
            try:
                va, sa = _eval(a, values)
                vb, sb = _eval(b, values)
            except Outside:
                continue
            except Unevaluable:
                return None
            scale = max(sa, sb, abs(va), abs(vb))
            if abs(va - vb) > tol * max(abs(va), abs(vb)) + mpmath.mpf(10) ** (12 - DIGITS) * scale:
                return False
            valid += 1
    return True if valid >= MIN_VALID else None


def _value(k: int, j: int, integer: bool) -> Any:
    """The value of the j-th variable at the k-th point: positive reals first, then mixed signs."""
    if integer and k < 2 * _PHASE:
        return mpmath.mpf(_INTEGERS[(k + 3 * j) % len(_INTEGERS)])
    if k < _PHASE:
        return mpmath.mpf(_POSITIVE[(k + 3 * j) % len(_POSITIVE)])
    negative = (k + j) % 2 if k < 2 * _PHASE else ((k - 2 * _PHASE + 1) >> (j % 3)) & 1
    if negative:
        return mpmath.mpf(_NEGATIVE[(k + 2 * j) % len(_NEGATIVE)])
    return mpmath.mpf(_POSITIVE[(k + 5 * j + 1) % len(_POSITIVE)])


def _integer_like(expr: Any) -> set:
    """Variables that are surely integers in school answers: exponents, factorial arguments, n, m, k."""
    out = {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name in _INTEGER_NAMES}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow):
            out |= node.exp.free_symbols
        elif isinstance(node, (sp.factorial, sp.binomial, sp.gamma)):
            out |= node.free_symbols
    return out


_UNARY = {
    sp.sin: mpmath.sin,
    sp.cos: mpmath.cos,
    sp.tan: mpmath.tan,
    sp.cot: mpmath.cot,
    sp.sec: mpmath.sec,
    sp.csc: mpmath.csc,
    sp.atan: mpmath.atan,
    sp.acot: mpmath.acot,
    sp.sinh: mpmath.sinh,
    sp.cosh: mpmath.cosh,
    sp.tanh: mpmath.tanh,
    sp.exp: mpmath.exp,
    sp.Abs: abs,
    sp.floor: mpmath.floor,
    sp.ceiling: mpmath.ceil,
    sp.sign: mpmath.sign,
}


def _eval(expr: Any, values: dict) -> tuple[Any, Any]:
    """(value, largest term of any sum) of a real expression at a point; raises Outside."""
    scale = [mpmath.mpf(0)]

    def ev(e: Any) -> Any:
        v = _node(e, ev, values, scale)
        if not isinstance(v, mpmath.mpf) or not mpmath.isfinite(v):
            raise Outside
        return v

    return ev(expr), scale[0]


def _node(e: Any, ev: Any, values: dict, scale: list) -> Any:
    if e.is_Symbol:
        if e not in values:
            raise Unevaluable(str(e))
        return values[e]
    if e.is_Rational:
        return mpmath.mpf(int(e.p)) / int(e.q)
    if e.is_Number or e.is_NumberSymbol:
        if e.is_real is not True:
            raise Outside
        return mpmath.mpf(sp.Float(e, DIGITS))
    if e.is_Add:
        terms = [ev(x) for x in e.args]
        scale[0] = max(scale[0], *(abs(t) for t in terms))  # cancellation error is relative to this
        return mpmath.fsum(terms)
    if e.is_Mul:
        out = mpmath.mpf(1)
        for x in e.args:
            out *= ev(x)
        return out
    if e.is_Pow:
        return _power(ev(e.base), e.exp, ev)
    f = e.func
    if f in _UNARY:
        return _UNARY[f](ev(e.args[0]))
    if f is sp.log:
        x = ev(e.args[0])
        if x <= 0:
            raise Outside
        if len(e.args) == 2:
            base = ev(e.args[1])
            if base <= 0 or base == 1:
                raise Outside
            return mpmath.log(x) / mpmath.log(base)
        return mpmath.log(x)
    if f in (sp.asin, sp.acos):
        x = ev(e.args[0])
        if abs(x) > 1:
            raise Outside
        return mpmath.asin(x) if f is sp.asin else mpmath.acos(x)
    if f in (sp.asec, sp.acsc):
        x = ev(e.args[0])
        if abs(x) < 1:
            raise Outside
        return mpmath.asec(x) if f is sp.asec else mpmath.acsc(x)
    if f in (sp.Max, sp.Min):
        xs = [ev(x) for x in e.args]
        return max(xs) if f is sp.Max else min(xs)
    if f in (sp.factorial, sp.gamma):
        x = ev(e.args[0]) + (1 if f is sp.factorial else 0)
        if x <= 0 and x == mpmath.floor(x):
            raise Outside
        return mpmath.gamma(x)
    if f is sp.binomial:
        n, r = ev(e.args[0]), ev(e.args[1])
        try:
            return mpmath.binomial(n, r)
        except (ValueError, ZeroDivisionError) as exc:
            raise Outside from exc
    raise Unevaluable(type(e).__name__)


def _power(base: Any, exp_expr: Any, ev: Any) -> Any:
    exp = ev(exp_expr)
    if base == 0 and exp <= 0:
        raise Outside
    if base != 0 and abs(exp * mpmath.log(abs(base))) > MAX_LOG_MAGNITUDE:
        raise Outside  # beyond any answer's range (a tower like x^{x^{x^x}}): never computed
    if base < 0 and exp != mpmath.floor(exp):
        if exp_expr.is_Rational and exp_expr.q % 2:  # an odd root of a negative number is real
            return (-1 if exp_expr.p % 2 else 1) * (-base) ** exp
        raise Outside  # any other non-integer power of a negative number is not real
    try:
        return base**exp
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise Outside from exc
