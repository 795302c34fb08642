"""The symbolic stage: answer nodes to sympy, and sympy comparisons. Imported only in worker processes."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import sympy as sp

from .compare import Interval, NotComparable
from .exact_values import MAX_FACTORIAL, NotExact, TooLarge, Undefined, check_power_size, exact_value
from .nodes import (
    Add,
    Alt,
    Both,
    Call,
    Const,
    Div,
    Group,
    Matrix,
    Mul,
    Neg,
    Node,
    Num,
    Pow,
    Raw,
    Rel,
    SetOp,
    Sym,
    Unit,
    free_names,
    has_decimal,
)
from .parser import ParseError
from .policy import Policy
from .tolerance import Written, approximately, approximation, terminates

CONSTANT_DIGITS = 60  # working precision for constants
CONSTANT_TOL = 1e-30  # constants agreeing to 30 significant digits are equal (unless one is rational, one not)
FUNCTION_TOL = 1e-20  # expressions agreeing to 20 digits at every sample point are equal
MAX_SYMBOLIC_EXPONENT = 10_000
# Sample values for variables: irrational-looking, of both signs, away from 0 and small integers.
_POINTS = (
    0.7390851332151607,
    -1.3247179572447460,
    2.2360679774997897,
    -0.5772156649015329,
    1.6180339887498949,
    -2.7182818284590452,
    0.3678794411714423,
    3.3219280948873623,
    -0.4142135623730950,
    1.2020569031595943,
)
_SAMPLES = 6

_FUNCS: dict[str, Any] = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "cot": sp.cot,
    "sec": sp.sec,
    "csc": sp.csc,
    "arcsin": sp.asin,
    "arccos": sp.acos,
    "arctan": sp.atan,
    "arccot": sp.acot,
    "arcsec": sp.asec,
    "arccsc": sp.acsc,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
    "coth": sp.coth,
    "exp": sp.exp,
    "ln": sp.log,
    "abs": sp.Abs,
    "floor": sp.floor,
    "ceiling": sp.ceiling,
    "ceil": sp.ceiling,
    "max": sp.Max,
    "min": sp.Min,
    "arg": sp.arg,
    "conjugate": sp.conjugate,
}
_CONSTS = {"pi": sp.pi, "e": sp.E, "i": sp.I, "oo": sp.oo}


class SympyBackend:
    """Symbolic comparisons with sympy under a policy (the `Backend` of compare.py)."""

    def __init__(self, policy: Policy):
        self.policy = policy

    # -- conversion ----------------------------------------------------------------
    def to_sympy(self, node: Node) -> Any:
        """The sympy expression of a scalar node."""
        t = type(node)
        if t is Num:
            v = node.value  # type: ignore[attr-defined]
            return sp.Rational(v.numerator, v.denominator)
        if t is Sym:
            return sp.Symbol(node.name)  # type: ignore[attr-defined]
        if t is Const:
            return _CONSTS[node.name]  # type: ignore[attr-defined]
        if t is Neg:
            return -self.to_sympy(node.arg)  # type: ignore[attr-defined]
        if t is Add:
            return sp.Add(*[self.to_sympy(a) for a in node.args])  # type: ignore[attr-defined]
        if t is Mul:
            return sp.Mul(*[self.to_sympy(a) for a in node.args])  # type: ignore[attr-defined]
        if t is Div:
            den = self.to_sympy(node.den)  # type: ignore[attr-defined]
            if den == 0:
                raise Undefined("division by zero")
            return self.to_sympy(node.num) / den  # type: ignore[attr-defined]
        if t is Pow:
            return self._power(node)  # type: ignore[arg-type]
        if t is Call:
            return self._call(node)  # type: ignore[arg-type]
        if t is Unit:
            value = self.to_sympy(node.arg)  # type: ignore[attr-defined]
            if node.unit == "percent":  # type: ignore[attr-defined]
                return value / 100
            if node.unit == "degree":  # type: ignore[attr-defined]
                return value * sp.pi / 180
            return value
        if t is Raw:
            return node.obj  # type: ignore[attr-defined]
        if t is Matrix:
            return sp.Matrix([[self.to_sympy(x) for x in row] for row in node.rows])  # type: ignore[attr-defined]
        raise NotComparable(f"{t.__name__} is not a single value")

    def _power(self, node: Pow) -> Any:
        exp_exact = _exact_or_none(node.exp)
        base_exact = _exact_or_none(node.base)
        if exp_exact is not None and base_exact is not None:
            check_power_size(base_exact, exp_exact)
        base = self.to_sympy(node.base)
        exp = self.to_sympy(node.exp)
        if exp_exact is not None and abs(exp_exact) > MAX_SYMBOLIC_EXPONENT and base_exact is None:
            raise TooLarge(f"exponent {exp_exact} on a non-rational base")
        if exp_exact is None and exp.is_number:
            approx = _magnitude(exp)
            if approx is not None and approx > MAX_SYMBOLIC_EXPONENT and base.is_number:
                raise TooLarge("exponent too large")
        return sp.Pow(base, exp)

    def _call(self, node: Call) -> Any:
        name = node.name
        if name == "det" and node.args and isinstance(node.args[0], Matrix):
            return self.to_sympy(node.args[0]).det()
        args = [self.to_sympy(a) for a in node.args]
        if name == "sqrt":
            return sp.sqrt(args[0])
        if name == "root":
            x, n = args
            if n.is_Integer and int(n) % 2 == 1 and x.is_number and x.is_negative:
                return -sp.root(-x, n)
            return sp.root(x, n)
        if name == "log":
            return sp.log(args[0], args[1]) if len(args) == 2 else sp.log(args[0])
        if name == "log10":
            return sp.log(args[0], 10)
        if name == "factorial":
            n = args[0]
            if n.is_Integer and int(n) > MAX_FACTORIAL:
                raise TooLarge(f"factorial of {n}")
            return sp.factorial(n)
        if name == "binom":
            n = args[0]
            if n.is_Integer and int(n) > 100_000:
                raise TooLarge("binomial too large")
            return sp.binomial(*args)
        if name in ("gcd", "lcm"):
            out = args[0]
            for a in args[1:]:
                out = sp.gcd(out, a) if name == "gcd" else sp.lcm(out, a)
            return out
        if name in ("pm", "mp"):
            raise NotComparable("a ± inside an expression")
        fn = _FUNCS.get(name)
        if fn is None:
            return sp.Function(name)(*args)
        return fn(*args)

    # -- comparisons ----------------------------------------------------------------
    def equal(self, pred: Node, gold: Node) -> bool:
        """Two scalar expressions are equal: exactly, numerically to high precision, or as functions."""
        a = self.to_sympy(pred)
        b = self.to_sympy(gold)
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            return (
                isinstance(a, sp.MatrixBase)
                and isinstance(b, sp.MatrixBase)
                and a.shape == b.shape
                and (a - b).is_zero_matrix is True
            )
        for side in (a, b):
            _require_defined(side)
        if a == b:
            return True
        if a.has(sp.oo, -sp.oo) or b.has(sp.oo, -sp.oo):
            return False
        syms = a.free_symbols | b.free_symbols
        if not syms:
            return self._constants_equal(a, b, has_decimal(pred) or has_decimal(gold), pred, gold)
        return self._functions_equal(a, b, sorted(syms, key=str))

    def check_defined(self, node: Node) -> None:
        """Raise Undefined when the value of a scalar node is undefined (zoo, nan)."""
        _require_defined(self.to_sympy(node))

    def _constants_equal(self, a: Any, b: Any, decimal: bool, pred: Node, gold: Node) -> bool:
        va, vb = _precise(a, CONSTANT_DIGITS), _precise(b, CONSTANT_DIGITS)
        if va is None or vb is None:
            return sp.simplify(a - b) == 0
        if decimal and _tolerated(a, b, va, vb, pred, gold, self.policy):
            return True
        tol = self.policy.rel_tol
        if tol > 0 and _close(va, vb, tol):
            return True
        if not _close(va, vb, CONSTANT_TOL):
            return False
        if _reliably_nonzero(a - b):  # e^100 + 1 and e^100 agree to 30 digits, yet differ by 1
            return False
        # Numerically identical to 30 digits. A rational can still never equal an irrational.
        ra, rb = a.is_rational, b.is_rational
        if (ra is True and rb is False) or (ra is False and rb is True):
            return False
        if decimal and (ra is None or rb is None):
            return sp.simplify(a - b) == 0
        return True

    def _functions_equal(self, a: Any, b: Any, syms: list) -> bool:
        """Equal as functions of the variables (real domain by default, see `domain` in Policy)."""
        if a - b == 0:
            return True
        if self.policy.domain == "complex" or a.has(sp.I) or b.has(sp.I):
            return self._complex_functions_equal(a, b, syms)
        from .identities import same_on_real_domain

        verdict = same_on_real_domain(a, b, syms, max(self.policy.rel_tol, FUNCTION_TOL))
        if verdict is not None:
            return verdict
        return _symbolically_zero(a - b, syms)

    def _complex_functions_equal(self, a: Any, b: Any, syms: list) -> bool:
        """Complex variables: a difference at any sample point decides "no"; agreement at all says "yes"."""
        diff = a - b
        tol = max(self.policy.rel_tol, FUNCTION_TOL)
        agree = 0
        for k in range(len(_POINTS)):
            subs = {s: sp.Float(_POINTS[(k + 3 * j) % len(_POINTS)], 30) for j, s in enumerate(syms)}
            va = _precise(a, 30, subs)
            vb = _precise(b, 30, subs)
            if va is None or vb is None:
                continue
            if not _close(va, vb, tol):
                return False
            agree += 1
            if agree >= _SAMPLES:
                return True
        if agree >= 2:
            return True
        try:
            if sp.count_ops(diff) < 60 and sp.expand(diff) == 0:
                return True
        except (TypeError, ValueError):
            pass
        return sp.simplify(diff) == 0

    def proportional(self, a: Node, b: Node, positive: bool) -> bool:
        """`a = k*b` for one constant k (k > 0 when `positive`): `a op 0` and `b op 0` are the same relation."""
        A = sp.expand(self.to_sympy(a))
        B = sp.expand(self.to_sympy(b))
        if A == B or _constant_ratio(A, B, positive):
            return True
        if positive:
            return False
        # Equations (= and !=) keep their zero set when denominators and repeated factors go:
        # `y = 1/x` is `xy = 1`, `(x - y)^2 = 0` is `x = y`.
        return _constant_ratio(_core(A), _core(B), False)

    def solution_set(self, node: Node, complex_roots: bool = False) -> Node | None:
        """The real solution set of an equation or inequality in one variable, as answer nodes.

        A finite set is a set node, intervals a union; None when sympy finds no closed form
        (periodic or implicit solutions) or the relation cannot be converted. With
        `complex_roots` (the other side names complex numbers) an equation's complex roots count.
        """
        names = free_names(node)
        if len(names) != 1:
            return None
        name = next(iter(names))
        try:
            if complex_roots:
                return _set_node(self._complex_roots(node, sp.Symbol(name)), complex_roots=True)
            spans = self._solve(node, sp.Symbol(name), sp.Symbol(name, real=True))
        except (NotComparable, NotImplementedError, TypeError, ValueError, Undefined):
            return None
        return _spans_node(spans)

    def _complex_roots(self, node: Node, x: Any) -> Any:
        if not isinstance(node, Rel) or node.ops != ("=",):
            raise NotComparable("complex roots of an equation only")
        expr = self.to_sympy(node.args[0]) - self.to_sympy(node.args[1])
        return sp.solveset(expr, x, sp.S.Complexes)

    def _solve(self, node: Node, plain: Any, x: Any) -> list[Span]:
        """The solution set as spans; unions and intersections done here, not by sympy's slow set code."""
        if isinstance(node, Alt):
            return [span for i in node.items for span in self._solve(i, plain, x)]
        if isinstance(node, Both):
            out = self._solve(node.items[0], plain, x)
            for item in node.items[1:]:
                out = _meet(out, self._solve(item, plain, x))
            return out
        if not isinstance(node, Rel):
            raise NotComparable("not a relation")
        out = [(-sp.oo, sp.oo, False, False)]
        for k, op in enumerate(node.ops):
            left = self.to_sympy(node.args[k]).xreplace({plain: x})
            right = self.to_sympy(node.args[k + 1]).xreplace({plain: x})
            if op == "!=":
                part = _outside(_zeros(left - right, x))
            elif op == "=":
                part = _zeros(left - right, x)
            else:
                part = _where(_RELATIONS[op], left - right, x)
            out = _meet(out, part)
        return out

    def sets_equal(self, a: list[Interval], b: list[Interval]) -> bool:
        """Two unions of intervals are the same set."""
        return self._union(a) == self._union(b) or self._union(a).symmetric_difference(self._union(b)) == sp.EmptySet

    def _union(self, ivs: list[Interval]) -> Any:
        parts = []
        for lo, hi, lc, hc in ivs:
            parts.append(sp.Interval(self.to_sympy(lo), self.to_sympy(hi), left_open=not lc, right_open=not hc))
        return sp.Union(*parts)

    def units_equal(self, pv: Node, pu: str, gv: Node, gu: str) -> bool | None:
        """Quantities with units compared after conversion (pint); None when a unit is not known."""
        from .units import convert

        a = _complex(self.to_sympy(pv), 30)
        b = _complex(self.to_sympy(gv), 30)
        if a is None or b is None or a.imag or b.imag:
            return None
        converted = convert(a.real, pu, gu)
        if converted is None or converted is False:
            return converted
        return _close(complex(converted), b, max(self.policy.rel_tol, 1e-9))

    def fallback_parse(self, text: str) -> Node:
        """Parse with latex2sympy2_extended (answers our parser does not read); scalars only."""
        try:
            from latex2sympy2_extended.latex2sympy2 import ConversionConfig, latex2sympy
        except ImportError as exc:
            raise ParseError("latex2sympy2_extended is not installed") from exc

        config = ConversionConfig(
            interpret_as_mixed_fractions=self.policy.mixed_numbers,
            interpret_simple_eq_as_assignment=False,
            interpret_contains_as_eq=True,
            lowercase_symbols=False,
        )
        expr = latex2sympy(text, conversion_config=config)
        if not isinstance(expr, sp.Expr) or isinstance(expr, sp.MatrixBase):
            raise ParseError(f"fallback parser gave {type(expr).__name__}")
        if self.policy.imaginary_unit:
            expr = expr.subs(sp.Symbol("i"), sp.I)
        return Raw(expr)


def _tolerated(a: Any, b: Any, va: tuple, vb: tuple, pred: Node, gold: Node, policy: Policy) -> bool:
    """The tolerance policy for a written decimal against a constant (`2.236` and `\\sqrt 5`)."""
    if not (va[1].is_zero and vb[1].is_zero):  # complex: each part as an expression with decimals
        if not (has_decimal(pred) or has_decimal(gold)):
            return False
        parts = [(Fraction(str(u)), Fraction(str(v))) for u, v in zip(va, vb)]
        loose = [Written(u, 0, 0, plain=False) for u, _ in parts]
        return all(
            approximately(u, v, w, None, True, True, policy) is not None or u == v for (u, v), w in zip(parts, loose)
        )
    x, y = Fraction(str(va[0])), Fraction(str(vb[0]))
    # A decimal inside an expression (2.236 + 1) has no single precision: rounding and relative rules only.
    wa, wb = approximation(pred, x), approximation(gold, y)
    x = wa.value if wa is not None else x
    y = wb.value if wb is not None else y
    if wa is None and wb is None:
        return False
    return approximately(x, y, wa, wb, _finite(a, wa), _finite(b, wb), policy) is not None


def _finite(expr: Any, written: Written | None) -> bool:
    """Whether a constant has a finite decimal expansion (unknown counts as not)."""
    if written is not None and written.plain:
        return True
    if expr.is_rational is True:
        r = sp.Rational(expr)
        return terminates(Fraction(int(r.p), int(r.q)))
    return False


def _reliably_nonzero(diff: Any) -> bool:
    """Whether a difference evaluates to a nonzero number with real precision (not `0.e-164`)."""
    try:
        d = diff.evalf(30)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return False
    return bool(d.is_Float and d != 0 and d._prec > 30)


def _require_defined(expr: Any) -> None:
    """Raise Undefined for a value with no meaning: complex infinity (`1/0`, `\\log 0`, `\\tan(\\pi/2)`) or nan."""
    if expr.has(sp.zoo):
        raise Undefined("complex infinity (a division by zero or a pole)")
    if expr.has(sp.nan):
        raise Undefined("not a number (such as infinity minus infinity)")


_RELATIONS = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge}
MAX_SOLUTIONS = 50


def _without_abs(expr: Any, x: Any, solve: Any) -> list[Span] | None:
    """Solve with each |u| (u rational in x) replaced by u or -u on the part of the line where u has
    that sign: a few rational problems instead of solveset's general (slow) method; None otherwise."""
    inner = [a.args[0] for a in expr.atoms(sp.Abs)]
    if not inner or len(inner) > 3 or not all(u.is_rational_function(x) for u in inner):
        return None
    out: list[Span] = []
    sides = {(u, sign): _where(sp.Ge if sign > 0 else sp.Lt, u, x) for u in inner for sign in (1, -1)}
    for signs in itertools.product((1, -1), repeat=len(inner)):
        piece: list[Span] = [(-sp.oo, sp.oo, False, False)]
        for u, sign in zip(inner, signs):
            piece = _meet(piece, sides[(u, sign)])
        plain = expr.xreplace({sp.Abs(u): sign * u for u, sign in zip(inner, signs)})
        if plain.has(sp.Abs) or not plain.is_rational_function(x):
            return None
        if piece:
            out.extend(_meet(solve(plain), piece))
    return out


Span = tuple[Any, Any, bool, bool]  # low, high (sympy numbers or infinities), low closed, high closed


def _spans(found: Any) -> list[Span]:
    """A sympy set of reals as spans (points are closed spans of length 0); raises NotComparable otherwise."""
    if found is sp.S.EmptySet:
        return []
    if found == sp.S.Reals:
        return [(-sp.oo, sp.oo, False, False)]
    if isinstance(found, sp.Interval):
        return [(found.start, found.end, not found.left_open, not found.right_open)]
    if isinstance(found, sp.FiniteSet) and len(found) <= MAX_SOLUTIONS and all(p.is_real for p in found):
        return [(p, p, True, True) for p in found]
    if isinstance(found, sp.Union):
        return [span for part in found.args for span in _spans(part)]
    raise NotComparable(f"no closed form: {type(found).__name__}")


def _key(v: Any) -> float:
    return float(v) if v.is_infinite else float(sp.N(v, 30))


def _meet(a: list[Span], b: list[Span]) -> list[Span]:
    """The intersection of two unions of spans."""
    out = []
    for alo, ahi, alc, ahc in a:
        for blo, bhi, blc, bhc in b:
            ka, kb = _key(alo), _key(blo)
            lo, lc = (alo, alc) if ka > kb else (blo, blc) if kb > ka else (alo, alc and blc)
            ka, kb = _key(ahi), _key(bhi)
            hi, hc = (ahi, ahc) if ka < kb else (bhi, bhc) if kb < ka else (ahi, ahc and bhc)
            klo, khi = _key(lo), _key(hi)
            if klo < khi or (klo == khi and lc and hc):
                out.append((lo, hi, lc, hc))
    return out


def _outside(points: list[Span]) -> list[Span]:
    """The reals without finitely many points, as open spans."""
    if any(lo != hi for lo, hi, _, _ in points):
        raise NotComparable("a relation != holds on a whole interval")
    cuts = [-sp.oo, *sorted({lo for lo, _, _, _ in points}, key=_key), sp.oo]
    return [(a, b, False, False) for a, b in zip(cuts, cuts[1:])]


def _spans_node(spans: list[Span]) -> Node:
    """Spans as answer nodes: only points give a set `{...}`, otherwise a union of intervals and points."""
    if all(lo == hi for lo, hi, _, _ in spans):
        unique = list(dict.fromkeys(lo for lo, _, _, _ in spans))
        return Group("{", "}", tuple(_value_node(p) for p in unique))
    parts: list[Node] = []
    for lo, hi, lc, hc in spans:
        if lo == hi:
            parts.append(Group("{", "}", (_value_node(lo),)))
        else:
            parts.append(Group("[" if lc else "(", "]" if hc else ")", (_value_node(lo), _value_node(hi))))
    return SetOp("cup", tuple(parts))


def _zeros(expr: Any, x: Any) -> list[Span]:
    """The real zeros of an expression: polynomial root finding when it is rational, else solveset."""
    if expr.has(sp.Abs):
        found = _without_abs(expr, x, lambda e: _zeros(e, x))
        if found is not None:
            return found
    if expr.is_rational_function(x):
        num, den = sp.fraction(sp.together(expr))
        if num.is_polynomial(x) and den.is_polynomial(x) and not num.free_symbols - {x}:
            top, bottom = sp.Poly(num, x), sp.Poly(den, x)
            poles = [(p, p, True, True) for p in set(bottom.real_roots())]
            if top.is_zero:
                return _outside(poles)
            return [(p, p, True, True) for p in set(top.real_roots()) if (p, p, True, True) not in poles]
    return _spans(sp.solveset(expr, x, sp.S.Reals))


def _where(relation: Any, expr: Any, x: Any) -> list[Span]:
    """Where `expr op 0` holds on the reals (sympy's rational inequality solver when it applies)."""
    if expr.has(sp.Abs):
        found = _without_abs(expr, x, lambda e: _where(relation, e, x))
        if found is not None:
            return found
    if expr.is_rational_function(x) and not expr.free_symbols - {x}:
        from sympy.solvers.inequalities import reduce_rational_inequalities

        return _spans(reduce_rational_inequalities([[relation(expr, 0)]], x, relational=False))
    return _spans(sp.solveset(relation(expr, 0), x, sp.S.Reals))


def _set_node(found: Any, complex_roots: bool = False) -> Node | None:
    """A sympy set as answer nodes: points as a set `{...}`, intervals as a union; None otherwise."""
    if found == sp.S.Reals:
        found = sp.Interval(-sp.oo, sp.oo)
    if found is sp.S.EmptySet:
        return Group("{", "}", ())
    if isinstance(found, sp.FiniteSet):
        if len(found) > MAX_SOLUTIONS or not (complex_roots or all(e.is_real for e in found)):
            return None
        return Group("{", "}", tuple(_value_node(e) for e in found))
    if isinstance(found, sp.Interval):
        return SetOp("cup", (_interval_node(found),))
    if isinstance(found, sp.Union):
        parts = [_set_node(part) for part in found.args]
        if any(part is None for part in parts):
            return None
        flat: list[Node] = []
        for part in parts:
            flat.extend(part.args if isinstance(part, SetOp) else (part,))  # type: ignore[union-attr]
        return SetOp("cup", tuple(flat))
    return None


def _interval_node(iv: Any) -> Node:
    return Group(
        "(" if iv.left_open else "[",
        ")" if iv.right_open else "]",
        (_value_node(iv.start), _value_node(iv.end)),
    )


def _value_node(e: Any) -> Node:
    if e is sp.oo:
        return Const("oo")
    if e is sp.S.NegativeInfinity:
        return Neg(Const("oo"))
    if e.is_Rational:
        return Num(Fraction(int(e.p), int(e.q)), str(e))
    return Raw(e)


def _core(expr: Any) -> Any:
    """The square-free numerator of an expression (the same zeros, up to where it is undefined)."""
    try:
        num = sp.numer(sp.together(expr))
        if num.is_polynomial(*num.free_symbols):
            num = sp.sqf_part(num)
        return sp.expand(num)
    except (sp.PolynomialError, TypeError, ValueError):
        return expr


def _constant_ratio(A: Any, B: Any, positive: bool) -> bool:
    """A = k*B for one constant k at the sample points (k > 0 when `positive`)."""
    if A == B:
        return True
    syms = sorted(A.free_symbols | B.free_symbols, key=str)
    if not syms:
        return False
    ratios = []
    for k in range(len(_POINTS)):
        subs = {s: sp.Float(_POINTS[(k + 3 * j) % len(_POINTS)], 30) for j, s in enumerate(syms)}
        va = _complex(A, 30, subs)
        vb = _complex(B, 30, subs)
        if va is None or vb is None or abs(vb) < 1e-12:
            continue
        ratios.append(va / vb)
        if len(ratios) >= _SAMPLES:
            break
    if len(ratios) < 2:
        return False
    r0 = ratios[0]
    if abs(r0) < 1e-12 or any(abs(r - r0) > 1e-9 * abs(r0) for r in ratios):
        return False
    if positive and not (abs(r0.imag) < 1e-12 and r0.real > 0):
        return False
    return True


def _symbolically_zero(diff: Any, syms: list) -> bool:
    """The tie-breaker when too few sample points are in the domain: sympy proves the difference 0."""
    try:
        if sp.count_ops(diff) < 60 and sp.expand(diff) == 0:
            return True
    except (TypeError, ValueError):
        pass
    real = {s: sp.Symbol(s.name, real=True) for s in syms if isinstance(s, sp.Symbol)}
    if sp.simplify(diff.xreplace(real)) == 0:
        return True
    positive = {s: sp.Symbol(s.name, positive=True) for s in syms if isinstance(s, sp.Symbol)}
    return sp.simplify(diff.xreplace(positive)) == 0


def _exact_or_none(node: Node) -> Fraction | None:
    try:
        return exact_value(node)
    except (NotExact, Undefined):
        return None


def _magnitude(expr: Any) -> float | None:
    try:
        return abs(float(sp.N(expr, 15)))
    except (TypeError, ValueError, OverflowError):
        return None


def _complex(expr: Any, digits: int, subs: dict | None = None) -> complex | None:
    """The value as a Python complex; None when it is not a finite number."""
    v = _precise(expr, digits, subs)
    if v is None:
        return None
    try:
        out = complex(float(v[0]), float(v[1]))
    except (TypeError, ValueError, OverflowError):
        return None
    if not (math.isfinite(out.real) and math.isfinite(out.imag)):
        return None
    return out


def _precise(expr: Any, digits: int, subs: dict | None = None) -> tuple[Any, Any] | None:
    """(real, imaginary) parts as sympy Floats of `digits` precision; None when not a finite number."""
    try:
        v = expr.evalf(digits, subs=subs) if subs else expr.evalf(digits)
        re_, im_ = v.as_real_imag()
        re_, im_ = sp.Float(re_, digits) if re_.is_Number else None, sp.Float(im_, digits) if im_.is_Number else None
    except (TypeError, ValueError, OverflowError, AttributeError, ZeroDivisionError):
        return None
    if re_ is None or im_ is None or not (re_.is_finite and im_.is_finite):
        return None
    return re_, im_


def _close(a: Any, b: Any, tol: float) -> bool:
    """|a - b| <= tol * max(|a|, |b|) for complex numbers or (real, imaginary) pairs of Floats."""
    if isinstance(a, complex) or isinstance(b, complex):
        scale = max(abs(a), abs(b))
        return scale == 0 or abs(a - b) <= tol * scale
    diff = abs(a[0] - b[0]) + abs(a[1] - b[1])
    scale = max(abs(a[0]) + abs(a[1]), abs(b[0]) + abs(b[1]))
    if scale == 0:
        return True
    return bool(diff <= sp.Float(tol, 30) * scale)
