"""Exact rational evaluation of answer nodes, with size limits, for the fast path without sympy."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

from .nodes import Add, Call, Div, Mul, Neg, Node, Num, Pow, Unit

MAX_BITS = 100_000  # about 30,000 decimal digits: larger values are refused, never computed
MAX_FACTORIAL = 5_000


class NotExact(Exception):
    """The node is not a rational number (a variable, pi, an irrational root, ...)."""


class TooLarge(Exception):
    """Computing the value would exceed the size limits."""


class Undefined(Exception):
    """The value is undefined (division by zero, 0 to a negative power)."""


class OverBudget(Exception):
    """Exact arithmetic ran past the time budget of the comparison (see `time_budget`)."""


_BUDGET = threading.local()


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Within the block, exact evaluation in this thread raises OverBudget once `seconds` have passed.

    The calling process cannot be killed like a worker, so its exact arithmetic checks a deadline
    between operations; every single operation is bounded by MAX_BITS, so the overrun is small.
    """
    previous = getattr(_BUDGET, "deadline", None)
    deadline = time.monotonic() + seconds
    _BUDGET.deadline = deadline if previous is None else min(previous, deadline)
    try:
        yield
    finally:
        _BUDGET.deadline = previous


def _check_budget() -> None:
    deadline = getattr(_BUDGET, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise OverBudget("exact arithmetic ran past the time budget")


def _sized(x: Fraction, what: str) -> Fraction:
    if bits(x) > MAX_BITS:
        raise TooLarge(f"{what} too large")
    return x


def bits(x: Fraction) -> int:
    """Size of a rational in bits."""
    return x.numerator.bit_length() + x.denominator.bit_length()


def exact_value(node: Node) -> Fraction:
    """The exact rational value of a node; raises NotExact, TooLarge or Undefined."""
    t = type(node)
    if t is Num:
        return node.value  # type: ignore[attr-defined]
    if t is Neg:
        return -exact_value(node.arg)  # type: ignore[attr-defined]
    _check_budget()
    if t is Add:
        out = Fraction(0)
        for a in node.args:  # type: ignore[attr-defined]
            out = _sized(out + exact_value(a), "sum")  # distinct denominators multiply: check every step
            _check_budget()
        return out
    if t is Mul:
        out = Fraction(1)
        for a in node.args:  # type: ignore[attr-defined]
            out = _sized(out * exact_value(a), "product")
            _check_budget()
        return out
    if t is Div:
        num = exact_value(node.num)  # type: ignore[attr-defined]
        den = exact_value(node.den)  # type: ignore[attr-defined]
        if den == 0:
            raise Undefined("division by zero")
        return _sized(num / den, "quotient")
    if t is Pow:
        return _power(exact_value(node.base), exact_value(node.exp))  # type: ignore[attr-defined]
    if t is Call:
        value = _call(node)  # type: ignore[arg-type]
        _check_budget()
        return value
    if t is Unit and node.unit == "percent":  # type: ignore[attr-defined]
        return exact_value(node.arg) / 100  # type: ignore[attr-defined]
    raise NotExact(type(node).__name__)


def check_power_size(base: Fraction, exp: Fraction) -> None:
    """Raise TooLarge when base**exp would be too large to compute."""
    if base in (0, 1, -1):
        return
    size = abs(exp) * max(base.numerator.bit_length(), base.denominator.bit_length())
    if size > MAX_BITS:
        raise TooLarge(f"power with about {int(size):,} bits")


def _power(base: Fraction, exp: Fraction) -> Fraction:
    check_power_size(base, exp)
    if base == 0 and exp < 0:
        raise Undefined("0 to a negative power")
    if exp.denominator == 1:
        return base ** int(exp)
    root = exact_root(base, exp.denominator)
    if root is None:
        raise NotExact("irrational power")
    return root**exp.numerator


def exact_root(x: Fraction, n: int) -> Fraction | None:
    """The real n-th root of x when it is rational (negative x only for odd n), else None."""
    if n > 64:
        return None
    if x < 0:
        if n % 2 == 0:
            return None
        r = exact_root(-x, n)
        return -r if r is not None else None
    a = _int_root(x.numerator, n)
    b = _int_root(x.denominator, n)
    if a is None or b is None:
        return None
    return Fraction(a, b)


def binomial_bits(n: int, k: int) -> float:
    """About how many bits C(n, k) has, from log-gamma, without computing it (0 when it is 0 or 1)."""
    if k < 0 or n < 0 or k >= n or k == 0:
        return 0.0
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(2)


def _int_root(v: int, n: int) -> int | None:
    if v < 2:
        return v
    if n == 2:
        r = math.isqrt(v)
    else:
        r = round(v ** (1.0 / n)) if v.bit_length() <= 50 else _newton_root(v, n)
        for cand in (r - 1, r, r + 1):
            if cand >= 0 and cand**n == v:
                return cand
        return None
    return r if r * r == v else None


def _newton_root(v: int, n: int) -> int:
    x = 1 << ((v.bit_length() + n - 1) // n)
    while True:
        y = ((n - 1) * x + v // x ** (n - 1)) // n
        if y >= x:
            return x
        x = y


def _integer(x: Fraction, what: str) -> int:
    if x.denominator != 1:
        raise NotExact(f"{what} of a non-integer")
    return int(x)


def _call(node: Call) -> Fraction:
    name = node.name
    args = node.args
    if name == "sqrt":
        v = exact_value(args[0])
        if v < 0:
            raise NotExact("square root of a negative number")
        r = exact_root(v, 2)
        if r is None:
            raise NotExact("irrational square root")
        return r
    if name == "root":
        v = exact_value(args[0])
        n = _integer(exact_value(args[1]), "root index")
        if n < 1:
            raise NotExact("root index")
        r = exact_root(v, n)
        if r is None:
            raise NotExact("irrational root")
        return r
    if name == "abs":
        return abs(exact_value(args[0]))
    if name == "factorial":
        n = _integer(exact_value(args[0]), "factorial")
        if n < 0:
            raise Undefined("factorial of a negative number")
        if n > MAX_FACTORIAL:
            raise TooLarge(f"factorial of {n}")
        return Fraction(math.factorial(n))
    if name == "binom":
        n = _integer(exact_value(args[0]), "binomial")
        k = _integer(exact_value(args[1]), "binomial")
        if n > 100_000 or binomial_bits(n, k) > MAX_BITS:
            raise TooLarge("binomial too large")
        return Fraction(math.comb(n, k)) if n >= 0 and k >= 0 else Fraction(0)
    if name in ("floor", "ceiling"):
        v = exact_value(args[0])
        return Fraction(math.floor(v) if name == "floor" else math.ceil(v))
    if name in ("gcd", "lcm") and args:
        vals = [_integer(exact_value(a), name) for a in args]
        if any(abs(v).bit_length() > MAX_BITS for v in vals):
            raise TooLarge(name)
        return Fraction(math.gcd(*vals) if name == "gcd" else math.lcm(*vals))
    if name in ("max", "min") and args:
        vals = [exact_value(a) for a in args]
        return max(vals) if name == "max" else min(vals)
    raise NotExact(name)
