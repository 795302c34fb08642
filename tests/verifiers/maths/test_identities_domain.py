"""Expressions with variables are equal when they agree wherever both are real and defined (domain='real')."""

from __future__ import annotations

import pytest

from verifiers import Status

SAME = [
    ("\\frac{1}{\\sqrt{y}}", "\\sqrt{\\frac{1}{y}}"),
    ("\\sqrt{\\frac{1}{y}}", "\\frac{\\sqrt{y}}{y}"),
    ("\\log(p^3 q)", "3\\log p + \\log q"),
    ("\\ln\\frac{a}{b}", "\\ln a - \\ln b"),
    ("\\sqrt{a/b}\\sqrt{b/a}", "1"),
    ("\\sqrt{\\frac{a}{b}}", "\\frac{\\sqrt{a}}{\\sqrt{b}}"),
    ("\\sqrt{x}\\sqrt{y}", "\\sqrt{xy}"),
    ("(-1)^n \\sin(x)^n", "(-\\sin x)^n"),
    ("\\sqrt{x^2}", "|x|"),
    ("\\sqrt{(x-1)^2}", "|x-1|"),
    ("\\sqrt{x^4}", "x^2"),
    ("|x|^2", "x^2"),
    ("e^{\\ln x}", "x"),
    ("e^{2\\ln x}", "x^2"),
    ("\\ln(e^x)", "x"),
    ("\\frac{x^2-1}{x-1}", "x+1"),
    ("\\frac{x^2-4}{x+2}", "x-2"),
    ("\\ln(x^2)", "2\\ln x"),
    ("\\ln(x^2)", "2\\ln|x|"),
    ("x^{\\frac{1}{2}}", "\\sqrt{x}"),
    ("x^{3/2}", "x\\sqrt{x}"),
    ("\\log_a b \\cdot \\log_b a", "1"),
    ("\\log_2 x", "\\frac{\\ln x}{\\ln 2}"),
    ("(ab)^n", "a^n b^n"),
    ("2^{n+1}", "2 \\cdot 2^n"),
    ("(-1)^{2n}", "1"),
    ("\\cos(\\pi n)", "(-1)^n"),
    ("\\frac{n!}{(n-1)!}", "n"),
    ("\\binom{n}{2}", "\\frac{n^2-n}{2}"),
    ("\\sin^2 x + \\cos^2 x", "1"),
    ("\\sin(\\pi - x)", "\\sin x"),
    ("\\cos^2 x - \\sin^2 x", "\\cos 2x"),
    ("\\tan x \\cos x", "\\sin x"),
    ("\\arcsin x + \\arccos x", "\\frac{\\pi}{2}"),
    ("\\frac{1}{x} + \\frac{1}{y}", "\\frac{x+y}{xy}"),
    ("(x+1)^2", "x^2 + 2x + 1"),
    ("\\frac{\\sqrt{x}}{x}", "x^{-1/2}"),
    # odd roots of negative numbers are real
    ("\\sqrt[3]{-x}", "-\\sqrt[3]{x}"),
    ("\\sqrt[3]{x^3}", "x"),
    ("x^{2/3}", "\\sqrt[3]{x^2}"),
    ("\\sqrt[3]{x^6}", "x^2"),
]

DIFFERENT = [
    ("\\sqrt{x^2}", "x"),
    ("\\sqrt{x^2}", "-x"),
    ("|x|", "x"),
    ("x+1", "x+2"),
    ("x^2", "2x"),
    ("\\sin x", "\\cos x"),
    ("\\arctan x + \\arctan\\frac{1}{x}", "\\frac{\\pi}{2}"),  # -pi/2 for x < 0
    ("\\ln x^2", "\\ln x"),
    ("(-1)^n", "1"),
    ("\\sin(\\pi n)", "0"),  # n may be any real number
    ("e^{\\ln x}", "-x"),
    ("\\frac{x^2-1}{x-1}", "x-1"),
    ("x^3", "|x|^3"),
    ("\\sqrt{a}\\sqrt{b}", "\\sqrt{a+b}"),
    ("\\log(p+q)", "\\log p + \\log q"),
    ("\\frac{1}{x} + \\frac{1}{y}", "\\frac{1}{x+y}"),
    ("\\frac{1}{\\sqrt{y}}", "\\sqrt{y}"),
    ("\\sqrt{\\frac{a}{b}}", "\\frac{\\sqrt{b}}{\\sqrt{a}}"),
    ("2^{n+1}", "2^n + 1"),
    ("\\binom{n}{2}", "\\frac{n^2+n}{2}"),
    ("(x+1)^2", "x^2 + 1"),
    ("x^{1/3}", "|x|^{1/3}"),
    ("\\sqrt[3]{x}", "\\sqrt{x}"),
]


@pytest.mark.parametrize("pred, gold", SAME)
def test_identity_on_the_common_real_domain_passes(maths, pred, gold):
    result = maths({"completion": f"\\boxed{{{pred}}}", "answer": gold})
    assert result.status is Status.PASSED, result.reason


@pytest.mark.parametrize("pred, gold", DIFFERENT)
def test_different_expressions_fail(maths, pred, gold):
    result = maths({"completion": f"\\boxed{{{pred}}}", "answer": gold})
    assert result.status is Status.FAILED, result.reason


def test_sampling_points_in_the_domain_only():
    """The evaluator itself: points outside the real domain are skipped, never counted either way."""
    sympy = pytest.importorskip("sympy")
    from verifiers.maths.identities import same_on_real_domain

    x, y = sympy.symbols("x y")
    # defined only for y > 0 on both sides: equal
    assert same_on_real_domain(1 / sympy.sqrt(y), sympy.sqrt(1 / y), [y], 1e-20) is True
    # both real everywhere, different for x < 0
    assert same_on_real_domain(sympy.sqrt(x**2), x, [x], 1e-20) is False
    # never real: no verdict (the symbolic tie-breaker decides), although the two differ
    assert same_on_real_domain(sympy.sqrt(-(x**2) - 1), 2 * sympy.sqrt(-(x**2) - 1), [x], 1e-20) is None
    # an unknown function cannot be evaluated: no verdict
    f = sympy.Function("f")
    assert same_on_real_domain(f(x), 2 * f(x), [x], 1e-20) is None
