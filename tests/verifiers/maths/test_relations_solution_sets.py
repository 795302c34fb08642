"""Equations and inequalities in one variable are compared by their real solution sets (relations='solution_set')."""

from __future__ import annotations

import pytest

from verifiers import Status

SAME = [
    # equations against their solutions, in every common spelling
    ("x^2=9", "x=3 \\text{ or } x=-3"),
    ("x^2=9", "x=\\pm 3"),
    ("x^2=9", "\\{-3,3\\}"),
    ("x^2=9", "-3, 3"),
    ("x=\\pm3", "x^2=9"),
    ("\\{3,-3\\}", "x^2 = 9"),
    ("x = 3 \\text{ or } x = -3", "x^2 - 9 = 0"),
    ("x=-3 \\text{ or } x=3", "x^2=9"),
    ("2x+1=7", "x=3"),
    ("x=3", "2x+1=7"),
    ("2x+1=7", "3"),
    ("3 = x", "2x + 1 = 7"),
    ("7 = 2x + 1", "x = 3"),
    ("x^2-5x+6=0", "x=2 \\text{ or } x=3"),
    ("(x-2)(x-3)=0", "2, 3"),
    ("(x-2)(x-3)=0", "x_1 = 2, x_2 = 3"),
    ("x^3 = 8", "2"),
    ("\\sqrt{x} = 3", "x = 9"),
    ("x^2 = 2", "\\pm\\sqrt{2}"),
    ("x^2 = 2", "x = \\sqrt{2} \\text{ or } x = -\\sqrt{2}"),
    ("x^2 + 1 = 0", "\\emptyset"),
    ("\\frac{x^2-1}{x-1}=0", "x=-1"),
    ("x^2 - 2x + 1 = 0", "1"),
    ("2^x = 8", "x = 3"),
    ("\\log_2 x = 3", "8"),
    ("e^x = 1", "x = 0"),
    ("t^2 = 4t", "t = 0 \\text{ or } t = 4"),
    ("|x| = 3", "x = \\pm 3"),
    # inequalities, solved or not, against intervals and solved forms
    ("3<3x", "x>1"),
    ("x>1", "3<3x"),
    ("2x > 6", "(3, \\infty)"),
    ("-2x < -6", "x > 3"),
    ("x - 1 \\le 2x + 3", "x \\ge -4"),
    ("x^2>9", "x<-3 \\text{ or } x>3"),
    ("x^2>9", "(-\\infty,-3)\\cup(3,\\infty)"),
    ("x^2 \\le 4", "[-2, 2]"),
    ("x^2 \\le 4", "-2 \\le x \\le 2"),
    ("|x|<3", "-3<x<3"),
    ("|x| < 3", "(-3,3)"),
    ("|x-1| \\le 2", "[-1, 3]"),
    ("x^2-5x+6<0", "2<x<3"),
    ("(x-2)(x-3) \\ge 0", "x \\le 2 \\text{ or } x \\ge 3"),
    ("\\frac{x-1}{x+2}\\ge 0", "(-\\infty,-2)\\cup[1,\\infty)"),
    ("x^2 + 1 > 0", "\\mathbb{R}"),
    ("x + 1 > x", "(-\\infty, \\infty)"),
    ("x^2 > 1 \\text{ and } x < 5", "(-\\infty, -1) \\cup (1, 5)"),
    ("x^2 \\ne 4", "x \\ne 2 \\text{ and } x \\ne -2"),
    # membership, chains and a function value in a solved inequality
    ("x \\in [-1,4]", "-1\\le x\\le 4"),
    ("-1\\le x\\le 4", "x \\in [-1, 4]"),
    ("0<g(x)<2", "(0,2)"),
    ("0 < f(x) \\le 1", "(0, 1]"),
    ("f(x) > 0", "(0, \\infty)"),
    # disjunctions of equations in several variables are the product equation
    ("pq=0", "p=0 \\text{ or } q=0"),
    ("p=0 \\text{ or } q=0", "pq = 0"),
    ("x^2 y = 0", "x = 0 \\text{ or } y = 0"),
    ("(a-1)(b+2) = 0", "a = 1 \\text{ or } b = -2"),
    # set-builder notation and "no solution"
    ("\\{x \\mid x > 1\\}", "(1, \\infty)"),
    ("\\{x : x^2 < 4\\}", "(-2, 2)"),
    ("\\{x \\in \\mathbb{R} \\mid x \\ge 0\\}", "[0, \\infty)"),
    ("(2, 3)", "\\{x : 2 < x < 3\\}"),
    ("\\text{no solution}", "x^2 + 1 = 0"),
    ("\\text{no real solutions}", "\\emptyset"),
    ("|x| \\ge 3", "x \\le -3 \\text{ or } x \\ge 3"),
    ("x \\in (-\\infty, 2) \\cup (3, \\infty)", "x < 2 \\text{ or } x > 3"),
    # absolute values: solved piece by piece
    ("|2x-1| = x+2", "x = -\\frac{1}{3} \\text{ or } x = 3"),
    ("|x-1| + |x+1| = 2", "[-1, 1]"),
    ("|x| < -1", "\\emptyset"),
    ("|x-1| > |x+1|", "x < 0"),
    # the quadratic formula's \\pm inside a fraction, and complex roots when the other side names them
    ("x=\\frac{-1\\pm\\sqrt{5}}{2}", "\\frac{-1+\\sqrt5}{2}, \\frac{-1-\\sqrt5}{2}"),
    ("x^2+x-1=0", "x=\\frac{-1\\pm\\sqrt{5}}{2}"),
    ("\\frac{1\\pm\\sqrt{3}i}{2}", "\\frac{1+\\sqrt3 i}{2}, \\frac{1-\\sqrt3 i}{2}"),
    ("x = 1 \\pm 2i", "x^2-2x+5=0"),
    ("x^2-2x+5=0", "1+2i, 1-2i"),
    ("x^2+1=0", "\\pm i"),
]

DIFFERENT = [
    ("x=3", "x=3 \\text{ or } x=-3"),  # a solution is missing
    ("x^2=9", "x=3"),
    ("x=3", "x^2=9"),
    ("x^2 = 9", "3"),
    ("x^2 = 9", "\\{3\\}"),
    ("x>1", "x\\ge 1"),
    ("3 < 3x", "x \\ge 1"),
    ("3 < 3x", "x < 1"),
    ("x^2 > 9", "x > 3"),
    ("x^2 > 9", "(-3, 3)"),
    ("|x| < 3", "(-3, 3]"),
    ("|x| \\le 3", "(-3, 3)"),
    ("2x+1=7", "x=4"),
    ("2x+1=7", "y=3"),  # another variable
    ("2y=6", "x=3"),
    ("x^2 - 5x + 6 = 0", "2"),
    ("x^2 - 5x + 6 = 0", "(2, 3)"),  # a solution set is not an ordered pair
    ("x^2-5x+6<0", "[2,3]"),
    ("x^2-5x+6<0", "\\{2,3\\}"),  # an interval is not a set of two points
    ("x^2 \\le 4", "(-2, 2)"),
    ("x^2 + 1 = 0", "x = 1"),
    ("\\frac{x^2-1}{x-1}=0", "x = \\pm 1"),  # x = 1 is not in the domain
    ("xy=0", "x=0 \\text{ or } y=1"),
    ("pq = 0", "p = 0 \\text{ and } q = 0"),
    ("x^2 > 1 \\text{ and } x < 5", "(1, 5)"),
    ("0<g(x)<2", "[0,2]"),
    ("\\{x \\mid x > 1\\}", "[1, \\infty)"),
    ("\\text{no solution}", "x^2 = 1"),
    ("|x| \\ge 3", "(-\\infty, -3) \\cup (3, \\infty)"),
    ("|2x-1| = x+2", "x = 3"),
    ("|x-1| > |x+1|", "x > 0"),
    ("\\frac{3\\pm\\sqrt5}{2}", "\\frac{3+\\sqrt5}{2}"),
    ("x^2-2x+5=0", "1+2i"),
    ("x = 1 \\pm 2i", "x^2+2x+5=0"),
]


@pytest.mark.parametrize("pred, gold", SAME)
def test_same_solution_set_passes(maths, pred, gold):
    result = maths({"completion": f"\\boxed{{{pred}}}", "answer": gold})
    assert result.status is Status.PASSED, result.reason


@pytest.mark.parametrize("pred, gold", DIFFERENT)
def test_different_solution_set_fails(maths, pred, gold):
    result = maths({"completion": f"\\boxed{{{pred}}}", "answer": gold})
    assert result.status is Status.FAILED, result.reason


def test_the_reason_names_the_solution_set(maths):
    result = maths({"completion": "\\boxed{x^2 = 9}", "answer": "x = \\pm 3"})
    assert "solution set" in result.reason


def test_an_equation_without_closed_form_solutions_falls_back_to_the_relation(maths):
    # sin x = 1/2 has infinitely many solutions: compared as the same relation, not as a set
    assert maths({"completion": "\\boxed{\\sin x = \\frac{1}{2}}", "answer": "2\\sin x = 1"}).passed
    assert not maths({"completion": "\\boxed{\\sin x = \\frac{1}{2}}", "answer": "x = \\frac{\\pi}{6}"}).passed
