"""The tolerance policy: when a written decimal (an approximation) equals another value. No sympy.

A value counts as an approximation only when it is written with a decimal point (`2.236`,
`4.1667\\times10^{-2}`, `33.3\\%`); integers, fractions and roots are exact and are compared
exactly with each other, so `5` and `6`, or `100000` and `100001`, never meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from .nodes import Mul, Neg, Node, Num, Pow, Unit, has_decimal
from .policy import Policy

MIN_DIGITS = 3  # a decimal needs this many significant digits to stand for a value it rounds
_TEN = Fraction(10)


@dataclass(frozen=True, slots=True)
class Written:
    """A decimal as written: its value, its decimal places (negative: tens, hundreds) and significant digits.

    `plain` is False for the value of an expression with a decimal in it (`2.236 + 1`), which has
    no single written precision: only the rounding and relative rules apply to it.
    """

    value: Fraction
    places: int
    digits: int
    plain: bool = True
    trails_off: bool = False  # written with an ellipsis (0.1666...): a truncation is as good as a rounding


def written_decimal(node: Node) -> Written | None:
    """The decimal literal a node is (`-2.50`, `1.5e3`, `4.17\\times10^{-2}`, `33.3\\%`), else None."""
    if isinstance(node, Num):
        return _literal(node.text)
    if isinstance(node, Neg):
        inner = written_decimal(node.arg)
        return Written(-inner.value, inner.places, inner.digits, inner.plain, inner.trails_off) if inner else None
    if isinstance(node, Unit) and node.unit == "percent":
        inner = written_decimal(node.arg)
        return _shifted(inner, -2) if inner is not None else None
    if isinstance(node, Mul):  # a decimal times powers of ten (scientific notation, a percent factor)
        found: Written | None = None
        shift = 0
        for arg in node.args:
            w = written_decimal(arg)
            if w is not None and found is None:
                found = w
                continue
            k = _power_of_ten(arg)
            if k is None:
                return None
            shift += k
        return _shifted(found, shift) if found is not None else None
    return None


def approximation(node: Node | None, value: Fraction) -> Written | None:
    """How a side with the given value is approximate: a written decimal, an expression with one, or None."""
    if node is None:
        return None
    written = written_decimal(node)
    if written is None and has_decimal(node):
        return Written(value, 0, 0, plain=False)
    return written


def _literal(text: str) -> Written | None:
    trails_off = text.endswith("...")
    mantissa, _, exp = text.lower().removesuffix("...").partition("e")
    if "." not in mantissa:
        return None
    try:
        value = Fraction(mantissa)
        shift = int(exp) if exp else 0
    except ValueError:
        return None
    body = mantissa.lstrip("+-").replace(".", "").lstrip("0")
    places = len(mantissa.split(".", 1)[1])
    return _shifted(Written(value, places, len(body), trails_off=trails_off), shift)


def _shifted(w: Written, k: int) -> Written:
    """`w` times 10**k."""
    return Written(w.value * _TEN**k, w.places - k, w.digits, w.plain, w.trails_off)


def _power_of_ten(node: Node) -> int | None:
    """k when the node is an exact 10**k written without a decimal point, else None."""
    if isinstance(node, Pow) and isinstance(node.base, Num) and node.base.value == 10:
        exp = node.exp
        sign = 1
        if isinstance(exp, Neg):
            exp, sign = exp.arg, -1
        if isinstance(exp, Num) and exp.value.denominator == 1 and "." not in exp.text:
            return sign * int(exp.value)
        return None
    if isinstance(node, Num) and "." not in node.text and node.value > 0:
        v, k = node.value, 0
        while v.numerator % 10 == 0 and v.numerator > 1 and k < 400:
            v, k = v / 10, k + 1
        while v.denominator % 10 == 0 and v.denominator > 1 and k > -400:
            v, k = v * 10, k - 1
        return k if v == 1 else None
    return None


def terminates(x: Fraction) -> bool:
    """Whether a rational has a finite decimal expansion (its denominator is 2^a 5^b)."""
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _units(x: Fraction, places: int, half: bool) -> int:
    """x in units of 10**-places, rounded half away from zero (`half`) or cut toward zero; integers only."""
    p, q = abs(x.numerator), x.denominator
    if places >= 0:
        p *= 10**places
    else:
        q *= 10**-places
    n = (2 * p + q) // (2 * q) if half else p // q
    return n if x >= 0 else -n


def rounded(x: Fraction, places: int) -> Fraction:
    """x rounded half away from zero to `places` decimal places (negative: to tens, hundreds, ...)."""
    return _units(x, places, True) / _TEN**places


def truncated(x: Fraction, places: int) -> Fraction:
    """x cut (toward zero) after `places` decimal places."""
    return _units(x, places, False) / _TEN**places


@lru_cache(maxsize=64)
def _fraction(tol: float) -> Fraction:
    return Fraction(repr(tol))


def _relatively_close(x: Fraction, y: Fraction, tol: Fraction) -> bool:
    """|x - y| <= tol * max(|x|, |y|), in integers."""
    a, b, c, d = x.numerator, x.denominator, y.numerator, y.denominator
    return abs(a * d - c * b) * tol.denominator <= tol.numerator * max(abs(a) * d, abs(c) * b)


def approximately(
    x: Fraction,
    y: Fraction,
    wx: Written | None,
    wy: Written | None,
    x_finite: bool,
    y_finite: bool,
    policy: Policy,
) -> str | None:
    """Why two unequal values count as equal under the tolerance policy, else None.

    `wx`/`wy`: the written decimal each side is (None: not a plain decimal); `x_finite`/`y_finite`:
    whether the value has a finite decimal expansion (False for 1/3, pi, sqrt 2). Only values
    with a decimal literal on at least one side are ever tolerated.
    """
    mode = policy.tolerance
    if mode == "exact" or (wx is None and wy is None):
        return None
    if mode in ("precision", "rounding"):
        n = policy.float_rounding
        if _units(x, n, True) == _units(y, n, True):
            return f"equal when rounded to {n} decimal places"
    if mode in ("precision", "relative"):
        if _relatively_close(x, y, _fraction(policy.decimal_rel_tol)):
            return f"within a relative tolerance of {policy.decimal_rel_tol:g}"
    if mode == "precision":
        for w, other, other_w, other_finite in ((wx, y, wy, y_finite), (wy, x, wx, x_finite)):
            if w is None or not w.plain or (other_w is not None and other_w.plain):
                continue
            if other_finite or w.digits < (MIN_DIGITS - 1 if w.trails_off else MIN_DIGITS):
                continue
            target = _units(w.value, w.places, False)  # the written digits, as an integer
            if _units(other, w.places, True) == target:
                return f"the exact value rounds to the {w.digits} significant digits written"
            if w.trails_off and _units(other, w.places, False) == target:
                return f"the exact value begins with the {w.digits} significant digits written"
    return None


__all__ = [
    "MIN_DIGITS",
    "Written",
    "approximately",
    "approximation",
    "rounded",
    "terminates",
    "truncated",
    "written_decimal",
]
