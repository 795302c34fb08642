"""Cleaning an extracted answer: decimal commas, other scripts, glued units, doubled backslashes, stray ends."""

from __future__ import annotations

import pytest

from verifiers.maths import MathEquivalence, Policy
from verifiers.maths.cleaning import clean, decimal_commas, script_digits, undouble_backslashes


@pytest.mark.parametrize(
    "raw, expected",
    [
        # decimal commas: one comma that is no thousands separator
        ("3,25", "3.25"),
        ("2048,5", "2048.5"),
        ("0,5", "0.5"),
        ("-1,75", "-1.75"),
        ("+2,5", "+2.5"),
        ("0,500", "0.500"),
        ("2048,500", "2048.500"),
        ("3,14159", "3.14159"),
        ("x = 3,25", "x = 3.25"),
        ("3{,}25", "3.25"),
        ("1.234,5", "1234.5"),
        ("1 234,56", "1234.56"),
        # ... while thousands separators, pairs and lists keep their reading
        ("10,000", "10000"),
        ("1,234,567", "1234567"),
        ("1 000", "1000"),
        ("12,345.5", "12345.5"),
        ("(3,25)", "(3,25)"),
        ("[0,5]", "[0,5]"),
        ("f(3,25)", "f(3,25)"),
        ("1,2,3", "1,2,3"),
        ("3, 25", "3, 25"),
        ("x=1,y=2", "x=1,y=2"),
        ("21,16 or 11", "21,16 or 11"),
        ("x_1 = 3,25", "x_1 = 3,25"),
        ("3,25 m^2", "3.25 \\text{ m}^2"),
    ],
)
def test_decimal_commas_auto(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize(
    "raw, mode, expected",
    [
        ("3,25", "never", "3,25"),
        ("10,000", "always", "10.000"),
        ("1,5", "always", "1.5"),
        ("1,2,3", "always", "1,2,3"),
        ("3,25", "auto", "3.25"),
        ("1,234", "auto", "1,234"),
    ],
)
def test_decimal_comma_modes(raw, mode, expected):
    assert decimal_commas(raw, mode) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("٥٧", "57"),
        ("५७", "57"),
        ("১২", "12"),
        ("๔๒", "42"),
        ("۱۲۳", "123"),
        ("１２３", "123"),
        ("３．５", "3.5"),
        ("٣٫٥", "3.5"),
        ("答案：１２", "答案: 12"),
        ("57。", "57. "),
        ("plain ascii 12", "plain ascii 12"),
        ("\u200f٥٧\u200f", "57"),
        ("5\u200b7", "57"),
        ("\ufeff12", "12"),
        ("٥٠٪", "50%"),
    ],
)
def test_script_digits(raw, expected):
    assert script_digits(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("\\\\frac{1}{2}", "\\frac{1}{2}"),
        ("\\\\sqrt{2}", "\\sqrt{2}"),
        ("\\\\left( 1, 2 \\\\right)", "\\left( 1, 2 \\right)"),
        ("\\\\boxed{5}", "\\boxed{5}"),
        ("\\\\\\\\frac{1}{2}", "\\frac{1}{2}"),  # escaped twice over
        ("\\\\begin{pmatrix}1\\\\\\\\2\\\\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
        ("1 \\\\ 2", "1 \\\\ 2"),  # a row break, not doubled LaTeX
        ("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
        ("\\frac{1}{2} \\\\ 3", "\\frac{1}{2} \\\\ 3"),
        ("no backslash", "no backslash"),
    ],
)
def test_undouble_backslashes(raw, expected):
    assert undouble_backslashes(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        # stray characters at the ends
        ("42\\", "42"),
        ("17)", "17"),
        ("5$", "5"),
        ("$5", "5"),
        ("5.", "5"),
        ("5,", "5"),
        ("**5**.", "5"),
        ("5 }", "5"),
        ("5}}", "5"),
        ('"5"', "5"),
        ("“12”", "12"),
        ("«7»", "7"),
        ("`x+1`", "x+1"),
        ("'5'", "5"),
        ("\\boxed{5}$", "5"),
        ("12 $ and $13", "12 and 13"),
        ("$125$ miles", "125 miles"),
        ("$1$ and $2$ and $3$", "1 and 2 and 3"),
        ("\\boxed{5", "5"),
        ("\\boxed{x = 1 \\text{ and } y = 2", "x = 1 \\text{ and } y = 2"),
        ("5 \\text{ (since } x > 0)", "5"),
        ("x = 5 \\text{ (since x>0)}", "x = 5"),
        ("12 \\quad \\text{because it is even}", "12"),
        ("5 \\text{ apples}", "5 \\text{ apples}"),
        ("3 \\text{ or } 4", "3 \\text{ or } 4"),
        ("12 \\text{ (after simplification)}", "12"),
        ("5 (rounded down)", "5"),
        ("x (meters)", "x"),
        ("5 (cm)", "5 (cm)"),
        ("2(abc)", "2(abc)"),
        ("(x + 1)(x - 2)", "(x + 1)(x - 2)"),
        ("3 (mod 7)", "3 (mod 7)"),
        ("12 (A)", "12 (A)"),
        ("B) 12", "(B) 12"),
        ("C. 7", "(C) 7"),
        ("B.5", "B.5"),
        ("f'(x)", "f'(x)"),
        ("(1,2]", "(1,2]"),
        ("[1,2)", "[1,2)"),
        ("(1+2)", "(1+2)"),
        ("\\{1,2\\}", "\\{1,2\\}"),
        # units and words glued on
        ("12days", "12 days"),
        ("3hours", "3 hours"),
        ("5cm", "5 \\text{ cm}"),
        ("4\\pi m", "4\\pi \\text{ m}"),
        ("2\\sqrt{3} cm", "2\\sqrt{3} \\text{ cm}"),
        ("6 m^2", "6 \\text{ m}^2"),
        ("2xy", "2xy"),
        ("2ab", "2ab"),
        ("3\\sin x", "3\\sin x"),
        ("2\\pi r", "2\\pi r"),
        ("x = 5 m", "x = 5 m"),
        # words of other scripts around a number
        ("57个", "57"),
        ("12岁", "12"),
        ("3天", "3"),
        ("5 米", "5"),
        ("30元", "30"),
        ("约57", "57"),
        ("5 метров", "5"),
        ("٥ أمتار", "5"),
        ("10 रुपये", "10"),
        ("12개", "12"),
        ("\\text{星期一}", "\\text{星期一}"),
        ("57 \\text{ người}", "57"),
        ("12 \\text{个}", "12"),
        # units in \\mathrm{} after a number, currency signs of many countries
        ("5 \\, \\mathrm{m/s}", "5 \\text{ m/s}"),
        ("5\\mathrm{m}", "5 \\text{ m}"),
        ("3\\mathrm{cm}^2", "3 \\text{ cm}^2"),
        ("2\\mathrm{e}", "2\\mathrm{e}"),
        ("x\\mathrm{d}x", "x\\mathrm{d}x"),
        ("₹500", "500"),
        ("₩3000", "3000"),
        ("₫20 000", "20000"),
        ("500₽", "500"),
        # list words of other languages
        ("2 和 5", "2, 5"),
        ("2和5", "2, 5"),
        ("2 et 5", "2, 5"),
        ("2 y 5", "2, 5"),
        ("2 und 5", "2, 5"),
        ("2 e 5", "2, 5"),
        ("2 и 5", "2, 5"),
        ("2 ve 5", "2, 5"),
        ("2 và 5", "2, 5"),
        ("2 و 5", "2, 5"),
        ("2 और 5", "2, 5"),
        ("x = 2 ou x = -3", "x = 2, x = -3"),
        ("-1 o 4", "-1, 4"),
    ],
)
def test_clean_strays_units_and_other_scripts(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("3,25", "3.25", True),
        ("2048,5", "2048.5", True),
        ("0,5", "\\frac{1}{2}", True),
        ("-1,75", "-\\frac{7}{4}", True),
        ("3,25 cm", "3.25", True),
        ("10,000", "10000", True),
        ("1 000", "1000", True),
        ("10,000", "10", False),
        ("3,5", "3, 5", True),  # a list gold: the list reading of the comma
        ("3, 5", "3,5", True),
        ("3,5", "3.5", True),
        ("3,5", "35", False),
        ("(3,25)", "(3, 25)", True),
        ("(3,25)", "3.25", False),
        ("1,2,3", "\\{1, 2, 3\\}", True),
        ("\\\\frac{1}{2}", "0.5", True),
        ("\\frac{1}{2}", "\\\\frac{1}{2}", True),
        ("\\\\sqrt{2}", "\\sqrt{2}", True),
        ("\\\\left( 1, 2 \\\\right)", "(1,2)", True),
        ("42\\", "42", True),
        ("17)", "17", True),
        ("5$", "5", True),
        ("12days", "12", True),
        ("4\\pi m", "4\\pi", True),
        ("87\\textnormal{ km}", "87", True),
        ("6\\text{ m}^2", "6", True),
        ("\\$5", "5", True),
        ("5\\%", "5", True),
        ("5\\mbox{cm}", "5", True),
        ("5\\mathrm{kg}", "5", True),
        ("10 dollars", "10", True),
        ("25^\\circ", "25", True),
        ("57个", "57", True),
        ("57个", "58", False),
        ("٥٧", "57", True),
        ("५७", "57", True),
        ("１２３", "123", True),
        ("2 和 5", "2, 5", True),
        ("2 et 5", "5, 2", True),
        ("2 y 5", "2, 6", False),
        ("H2O", "2", False),
    ],
)
def test_readings_compare(maths, pred, gold, expected):
    assert maths({"completion": pred, "answer": gold}).passed is expected


def test_decimal_comma_policy_is_a_verifier_setting():
    row = {"completion": "\\boxed{3,25}", "answer": "3.25"}
    assert MathEquivalence()(row).passed
    assert not MathEquivalence(decimal_comma="never")(row).passed
    assert MathEquivalence(decimal_comma="always")({"completion": "\\boxed{1,234}", "answer": "1.234"}).passed
    assert not MathEquivalence()({"completion": "\\boxed{1,234}", "answer": "1.234"}).passed
    with pytest.raises(ValueError, match="decimal_comma"):
        Policy(decimal_comma="sometimes")
