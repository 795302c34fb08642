"""General solutions with an integer parameter, repeated roots and congruences."""

from __future__ import annotations

import pytest
from maths_corpus import same


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        # the declaration of the integer parameter, in its usual spellings
        ("x = \\frac{\\pi}{4} + k\\pi, k \\in \\mathbb{Z}", "x = \\frac{\\pi}{4} + k\\pi", True),
        ("x = \\frac{\\pi}{4} + k\\pi \\ (k \\in \\mathbb{Z})", "x = \\frac{\\pi}{4} + k\\pi", True),
        ("x = \\frac{\\pi}{4} + k\\pi, \\quad k \\in \\mathbb{Z}", "\\frac{\\pi}{4} + k\\pi", True),
        ("x = \\frac{\\pi}{2} + 2k\\pi; k \\in \\mathbf{Z}", "\\frac{\\pi}{2} + 2k\\pi, k \\in \\mathbb{Z}", True),
        ("x = \\frac{\\pi}{4} + k\\pi", "x = \\frac{\\pi}{4} + k\\pi, k \\in \\mathbb{Z}", True),
        # another letter for the integer
        ("x = \\frac{\\pi}{4} + n\\pi", "x = \\frac{\\pi}{4} + k\\pi", True),
        ("x = \\frac{\\pi}{4} + n\\pi, n \\in \\mathbb{Z}", "x = \\frac{\\pi}{4} + k\\pi, k \\in \\mathbb{Z}", True),
        ("x = 2m\\pi", "x = 2k\\pi", True),
        ("x = \\pm\\frac{\\pi}{3} + 2n\\pi", "x = \\pm\\frac{\\pi}{3} + 2k\\pi", True),
        # the same family from another starting value
        ("x = \\frac{5\\pi}{4} + k\\pi", "x = \\frac{\\pi}{4} + k\\pi", True),
        ("x = -\\frac{3\\pi}{4} + n\\pi", "x = \\frac{\\pi}{4} + k\\pi", True),
        ("x = k\\pi + \\frac{\\pi}{4}", "x = \\frac{\\pi}{4}(4k + 1)", True),
        # in intervals and set-builder notation
        (
            "[k\\pi-\\frac{\\pi}{3}, k\\pi+\\frac{\\pi}{6}] (k \\in \\mathbb{Z})",
            "[k\\pi-\\frac{\\pi}{3}, k\\pi+\\frac{\\pi}{6}]",
            True,
        ),
        (
            "[k\\pi-\\frac{\\pi}{3}, k\\pi+\\frac{\\pi}{6}]",
            "[n\\pi-\\frac{\\pi}{3}, n\\pi+\\frac{\\pi}{6}], n \\in \\mathbb{Z}",
            True,
        ),
        ("\\{x | x = \\frac{\\pi}{2} + k\\pi, k \\in \\mathbb{Z}\\}", "x=\\frac{\\pi}{2}+k\\pi", True),
        ("\\{x \\mid x = 2k\\pi\\}", "x = 2n\\pi", True),
        ("\\{x | x = \\frac{\\pi}{2} + k\\pi, k \\in \\mathbb{Z}\\}", "x=\\frac{\\pi}{4}+k\\pi", False),
        # different families, and a family against one of its values
        ("x = \\frac{\\pi}{4} + 2k\\pi", "x = \\frac{\\pi}{4} + k\\pi", False),
        ("x = \\frac{\\pi}{2} + k\\pi", "x = \\frac{\\pi}{4} + k\\pi", False),
        ("x = \\frac{\\pi}{4}", "x = \\frac{\\pi}{4} + k\\pi", False),
        ("x = \\frac{\\pi}{4} + k\\pi", "x = \\frac{\\pi}{4}", False),
        ("x = \\frac{\\pi}{3} + 2k\\pi", "x = \\pm\\frac{\\pi}{3} + 2k\\pi", False),
        # without pi a letter is not a period: formulas in n stay formulas
        ("a_n = 2n + 1", "a_n = 2k + 1", False),
        ("2n + 3", "2n + 1", False),
        ("x = \\frac{\\pi}{4} + a\\pi", "x = \\frac{\\pi}{4} + k\\pi", False),
    ],
)
def test_general_solutions_with_an_integer_parameter(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("x = 3 or x = 3", "3", True),
        ("x = 3 \\text{ or } x = 3", "x = 3", True),
        ("x_1 = 3, x_2 = 3", "3", True),
        ("x_1 = x_2 = 3", "3", True),
        ("3", "x = -1 \\text{ or } x = -1", False),
        ("-1", "x_1 = -1, x_2 = -1", True),
        ("x = 3 or x = 3", "3, -3", False),
        ("x = 3 or x = 2", "3", False),
        ("x = 3, y = 3", "3", False),  # a point, not a repeated value
    ],
)
def test_a_repeated_root_counts_once(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("23 \\equiv 2 \\pmod{7}", "2", True),
        ("x \\equiv 2 \\pmod{7}", "2", True),
        ("n \\equiv 3 \\pmod 4", "3", True),
        ("23 \\equiv 2 \\ (\\bmod 7)", "2", True),
        ("x \\equiv 2 \\pmod 7", "x \\equiv 2 \\pmod{7}", True),
        ("x \\equiv 9 \\pmod{7}", "x \\equiv 2 \\pmod{7}", True),
        ("2 \\pmod{7}", "2", True),
        ("x \\equiv 3 \\pmod 7", "2", False),
        ("x \\equiv 2 \\pmod 5", "x \\equiv 2 \\pmod{7}", False),
        ("x \\equiv 3 \\pmod{7}", "x \\equiv 2 \\pmod{7}", False),
    ],
)
def test_congruences_give_their_residue(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("(2x - 3)^2 = 4x^2 - 12x + 9", "4x^2-12x+9", True),
        ("(a+b)^2 = a^2 + 2ab + b^2", "a^2+2ab+b^2", True),
        ("x^2 - 4 = (x-2)(x+2)", "(x-2)(x+2)", True),
        ("x^2 - 4 = (x-2)(x+2)", "x^2 - 4", True),
        ("x^2 = 4x^2 - 12x + 9", "4x^2-12x+9", False),  # an equation, not an identity
        ("(2x - 3)^2 = 4x^2 - 12x + 9", "4x^2-12x+8", False),
        ("(x+1)^2 = x^2 + 1", "x^2 + 1", False),
    ],
)
def test_a_worked_identity_counts_by_its_last_side(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("2x", "\\frac{dy}{dx}=2x", True),
        ("\\frac{dy}{dx} = 2x", "2x", True),
        ("\\frac{dy}{dx} = 2x", "\\frac{dy}{dx}=x+x", True),
        ("3x", "\\frac{dy}{dx}=2x", False),
        ("(2,3)", "P(2,3)", True),
        ("(0.5, 1)", "M\\left(\\frac12, 1\\right)", True),
        ("A(1, -2)", "(1,-2)", True),
        ("P_1(2,3)", "(2,3)", True),
        ("(3,2)", "P(2,3)", False),
        ("f(2,3)", "(2,3)", False),  # a function value, not a point
        ("\\angle B = 180^\\circ - 50^\\circ - 60^\\circ = 70^\\circ", "70", True),
        ("\\angle ABC = 30^\\circ", "30", True),
        ("\\angle B = 180^\\circ - 50^\\circ - 60^\\circ = 70^\\circ", "60", False),
    ],
)
def test_names_of_derivatives_points_and_angles(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\overline{3+4i}", "3-4i", True),
        ("\\overline{2-i}", "2+i", True),
        ("\\overline{1+2i} + 1", "2 - 2i", True),
        ("\\overline{3+4i}", "3+4i", False),
        ("0.\\overline{3}", "\\frac13", True),  # a repeating decimal, not a conjugate
    ],
)
def test_the_complex_conjugate(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\begin{cases}x=1\\\\y=2\\end{cases}", "x=1, y=2", True),
        ("\\begin{cases}x=1\\\\y=2\\end{cases}", "(1,2)", True),
        ("\\begin{cases}x=1, \\\\ y=2\\end{cases}", "(1,2)", True),
        ("\\begin{cases}a=2\\\\b=-3\\end{cases}", "a=2,b=-3", True),
        ("\\begin{cases}x=1\\\\y=3\\end{cases}", "(1,2)", False),
        ("\\begin{cases}x=1\\\\y=2\\end{cases}", "(2,1)", False),
    ],
)
def test_a_system_written_as_cases(pred, gold, expected):
    assert same(pred, gold) is expected
