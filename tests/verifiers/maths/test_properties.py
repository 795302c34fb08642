"""Hypothesis properties: equivalent renderings verify True, perturbed values verify False."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifiers.maths import MathEquivalence

VERIFIER = MathEquivalence()
EXACT = MathEquivalence(tolerance="exact")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SYMBOLIC = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

rationals = st.builds(
    Fraction, st.integers(min_value=-(10**6), max_value=10**6), st.integers(min_value=1, max_value=10**4)
)
small = st.integers(min_value=-20, max_value=20).filter(lambda n: n != 0)


def verifies(pred: str, gold: str) -> bool:
    return VERIFIER({"completion": pred, "answer": gold}).passed


def exact_decimal(q: Fraction) -> str | None:
    """The terminating decimal expansion of q, or None when it does not terminate."""
    d, twos, fives = q.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        return None
    places = max(twos, fives)
    digits = str(abs(q.numerator) * 10**places // q.denominator).rjust(places + 1, "0")
    text = digits if places == 0 else f"{digits[:-places]}.{digits[-places:]}"
    return ("-" if q < 0 else "") + text


def renderings(q: Fraction) -> list[str]:
    """Ways to write the rational q."""
    n, d = q.numerator, q.denominator
    sign = "-" if n < 0 else ""
    out = [f"{n}/{d}", f"\\frac{{{n}}}{{{d}}}", f"{sign}\\frac{{{abs(n)}}}{{{d}}}", f"\\dfrac{{{n * 3}}}{{{d * 3}}}"]
    if d == 1:
        out.append(str(n))
    decimal = exact_decimal(q)
    if decimal is not None:
        out.append(decimal)
    return out


@FAST
@given(rationals, st.data())
def test_renderings_of_a_rational_are_equivalent(q, data):
    forms = renderings(q)
    a = data.draw(st.sampled_from(forms))
    b = data.draw(st.sampled_from(forms))
    assert verifies(f"The answer is $\\boxed{{{a}}}$.", b), (a, b)


@FAST
@given(rationals, st.integers(min_value=1, max_value=10**6))
def test_perturbed_rationals_are_not_equivalent(q, k):
    perturbed = q + Fraction(1, k)
    assert not verifies(f"\\boxed{{{perturbed.numerator}/{perturbed.denominator}}}", renderings(q)[1])


@FAST
@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=0, max_value=6))
def test_decimal_renderings_are_exact(n, places):
    q = Fraction(n, 10**places)
    text = f"{n / 10**places:.{places}f}" if abs(n) < 10**15 else str(q)
    assert verifies(f"\\boxed{{{text}}}", f"\\frac{{{q.numerator}}}{{{q.denominator}}}")
    # One more digit is a different number only without the default decimal tolerance.
    assert not EXACT(
        {"completion": f"\\boxed{{{text}1}}", "answer": f"\\frac{{{q.numerator}}}{{{q.denominator}}}"}
    ).passed


@SYMBOLIC
@given(small, small)
def test_factored_and_expanded_forms_are_equivalent(a, b):
    sign = "+" if b >= 0 else "-"
    factored = f"{a}(x {sign} {abs(b)})"
    expanded = f"{a}x {'+' if a * b >= 0 else '-'} {abs(a * b)}"
    assert verifies(f"\\boxed{{{factored}}}", expanded), (factored, expanded)


@SYMBOLIC
@given(small, small, st.integers(min_value=1, max_value=5))
def test_perturbed_expressions_are_not_equivalent(a, b, delta):
    sign = "+" if b >= 0 else "-"
    factored = f"{a}(x {sign} {abs(b)})"
    wrong = f"{a}x {'+' if a * b + delta >= 0 else '-'} {abs(a * b + delta)}"
    assert not verifies(f"\\boxed{{{factored}}}", wrong), (factored, wrong)


@SYMBOLIC
@given(st.integers(min_value=2, max_value=50), st.integers(min_value=1, max_value=9))
def test_radicals(k, m):
    # m * sqrt(k^2 * 2) == m k sqrt(2); off by one is different
    assert verifies(f"\\boxed{{{m}\\sqrt{{{2 * k * k}}}}}", f"{m * k}\\sqrt{{2}}")
    assert not verifies(f"\\boxed{{{m}\\sqrt{{{2 * k * k + 1}}}}}", f"{m * k}\\sqrt{{2}}")


@FAST
@given(rationals)
def test_percent_renderings(q):
    percent = q * 100
    text = f"\\frac{{{percent.numerator}}}{{{percent.denominator}}}\\%"
    assert verifies(f"\\boxed{{{text}}}", f"\\frac{{{q.numerator}}}{{{q.denominator}}}")
