"""Answers written as relations with a named left side count by their value; chains by their last value."""

from __future__ import annotations

import pytest

from verifiers import Status

SAME = [
    ("y = 7", "7"),
    ("7", "y = 7"),
    ("k=-2", "-2"),
    ("|CD| = 4", "4"),
    ("4", "|CD| = 4"),
    ("|AB| = 2\\sqrt{5}", "\\sqrt{20}"),
    ("AB = 2\\sqrt3", "2\\sqrt{3}"),
    ("AB = 2\\sqrt{3}", "\\sqrt{12}"),
    ("\\overline{AB} = 5", "5"),
    ("A_1:A_2 = 3:7", "3:7"),
    ("3:7", "A_1:A_2 = 3:7"),
    ("A_1:A_2 = 3:7", "\\frac{3}{7}"),
    ("A_1:A_2 = 6:14", "3:7"),
    ("11:21", "V_{1}:V_{2}=11:21"),
    ("V_1:V_2 = 11:21", "11:21"),
    ("x=3,y=1; x=5,y=2", "(3,1),(5,2)"),
    ("(3,1),(5,2)", "x=3,y=1; x=5,y=2"),
    ("x=5,y=2; x=3,y=1", "(3,1),(5,2)"),
    ("x=3,y=1; x=5,y=2", "x=5, y=2; x=3, y=1"),
    ("x = 3, y = 1", "(3, 1)"),
    ("(x, y) = (3, 1)", "(3, 1)"),
    ("t_1 = 2, t_2 = 5", "2, 5"),
    ("2, 5", "t_1 = 2, t_2 = 5"),
    ("t_1 = 5, t_2 = 2", "2, 5"),
    ("f(x) = x^2", "x^2"),
    ("x^2", "f(x) = x^2"),
    ("f(x) = (x+1)^2", "x^2 + 2x + 1"),
    ("\\angle A = 30^\\circ", "30^\\circ"),
    ("\\angle A = 30^\\circ", "\\frac{\\pi}{6}"),
    ("m\\angle ABC = 45^\\circ", "45"),
    ("P(A) = 1/2", "\\frac12"),
    ("P(A) = \\frac{1}{2}", "0.5"),
    ("S_{10} = 55", "55"),
    ("a_n = 2n+1", "2n+1"),
    ("2n+1", "a_n = 2n+1"),
    ("a_n = 2n + 1", "1 + 2n"),
    ("x + y = 5", "5"),
    ("a+b+c=12", "12"),
    ("\\lim_{x\\to0} \\frac{\\sin x}{x} = 1", "1"),
    ("\\lim_{n\\to\\infty} (1+\\frac1n)^n = e", "e"),
    ("23 \\bmod 7 = 2", "2"),
    ("\\frac{6}{3} = 2", "2"),
    ("2 + 3 = 5", "5"),
    ("x = 5 + 5 + 1 = 11", "11"),
    ("x \\approx 11", "11"),
    ("11", "x \\approx 11"),
    ("\\sin\\theta = \\frac{1}{2}", "\\frac12"),
    ("y = 1, x = 3", "(3, 1)"),  # names in alphabetical order meet the tuple
    ("x = 3 \\text{ and } y = 1", "(3, 1)"),
    ("f^{-1}(x) = \\frac{x-1}{2}", "\\frac{x-1}{2}"),
    ("f'(x) = 2x+1", "2x + 1"),
    ("2x - y + 1 = 0", "y = 2x + 1"),
    ("y = -\\frac{1}{2}x + 3", "x + 2y - 6 = 0"),
    ("(x-1)^2 + (y+2)^2 = 9", "x^2 - 2x + y^2 + 4y - 4 = 0"),
    ("y = \\frac{1}{x}", "xy = 1"),
    ("\\{(2,-1)\\}", "x=2, y=-1"),
    ("x=2, y=-1", "\\{(2,-1)\\}"),
    ("0", "1 = \\zzz = x = 0"),  # an unreadable link inside a chain ending in x = 0
    ("x=3 \\quad y=1", "(3, 1)"),  # equations side by side, separated by space only
    ("x = \\frac{1}{2} \\quad y = 3", "(\\frac12, 3)"),
    ("a=1 \\quad b=2 \\quad c=3", "(1, 2, 3)"),
    ("\\frac{3+\\sqrt5}{2}, \\frac{3-\\sqrt5}{2}", "x_{1}=\\frac{3+\\sqrt5}{2},\\quadx_{2}=\\frac{3-\\sqrt5}{2}"),
]

DIFFERENT = [
    ("y = 7", "8"),
    ("|CD| = 4", "5"),
    ("AB = 2\\sqrt3", "3\\sqrt{2}"),
    ("A_1:A_2 = 3:7", "7:3"),
    ("11:20", "V_{1}:V_{2}=11:21"),
    ("x=3,y=1; x=5,y=2", "(1,3),(2,5)"),
    ("x=3,y=1; x=5,y=2", "(3,1)"),
    ("x=3,y=1; x=5,y=2", "(3,1),(5,3)"),
    ("x = 3, y = 1", "(1, 3)"),
    ("(x, y) = (3, 1)", "(1, 3)"),
    ("t_1=2, t_2=5", "2, 6"),
    ("f(x) = x^2", "x^3"),
    ("\\angle A = 30^\\circ", "60^\\circ"),
    ("P(A) = \\frac{1}{2}", "\\frac13"),
    ("S_{10} = 55", "45"),
    ("a_n = 2n+1", "2n-1"),
    ("x + y = 5", "6"),
    ("\\lim_{x\\to0} \\frac{\\sin x}{x} = 1", "0"),
    ("23 \\bmod 7 = 2", "3"),
    ("\\frac{6}{3} = 2", "3"),
    ("x = 5 + 5 + 1 = 11", "10"),
    ("y = 7", "x = 7"),  # a different name is a different relation
    ("x \\approx 11", "12"),
    ("x = 1, y = 3", "(3, 1)"),
    ("f^{-1}(x) = \\frac{x-1}{2}", "\\frac{x+1}{2}"),
    ("(x-1)^2 + (y+2)^2 = 9", "(x+1)^2 + (y-2)^2 = 9"),
    ("y = 2x + 1", "y = 2x - 1"),
    ("\\{(2,-1)\\}", "x=2, y=1"),
    ("x=2, y=-1", "\\{(-1,2)\\}"),
    ("1", "1 = \\zzz = x = 0"),
    ("x=3 \\quad y=1", "(1, 3)"),
]


@pytest.mark.parametrize("pred, gold", SAME)
def test_named_value_passes(maths, pred, gold):
    result = maths({"completion": f"\\boxed{{{pred}}}", "answer": gold})
    assert result.status is Status.PASSED, result.reason


@pytest.mark.parametrize("pred, gold", DIFFERENT)
def test_named_value_differs(maths, pred, gold):
    result = maths({"completion": f"\\boxed{{{pred}}}", "answer": gold})
    assert result.status is Status.FAILED, result.reason


def test_an_unreadable_left_side_is_named_by_its_text(maths):
    result = maths({"completion": "\\boxed{\\angle BAC = 40^\\circ}", "answer": "40^\\circ"})
    assert result.passed
    assert "\\angle BAC" in result.reason


def test_named_values_in_a_sentence(maths):
    completion = "The two roots are found by the quadratic formula, so $t_1 = 2$ and $t_2 = 5$."
    assert maths({"completion": completion, "answer": "2, 5"}).passed


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("F_n = \\sum_{k=0}^{n-1} F_{n-k-1} F_k", "F_n = \\sum_{k=0}^{n-1} F_k F_{n-k-1}", True),
        ("F_n = \\sum_{k=0}^{n} F_{n-k-1} F_k", "F_n = \\sum_{k=0}^{n-1} F_k F_{n-k-1}", False),
        ("S = \\sum_{k=1}^{3} k", "6", True),
        ("S = \\sum_{k=1}^{3} k", "7", False),
        ("\\sum_{k=1}^{3} k = 6", "6", True),
    ],
)
def test_each_side_of_an_equation_our_parser_cannot_read_is_read_on_its_own(maths, pred, gold, expected):
    assert maths({"completion": f"\\boxed{{{pred}}}", "answer": gold}).passed is expected
