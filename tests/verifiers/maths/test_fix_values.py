"""Function names written as text, the ohm sign as a unit, Greek letters typed in Unicode."""

from __future__ import annotations

import pytest
from maths_corpus import same

from verifiers.maths.policy import Policy


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\text{lcm}(4, 6)", "12", True),
        ("\\text{LCM}(4, 6)", "12", True),
        ("\\mathrm{lcm}(4,6)", "12", True),
        ("\\operatorname{LCM}(4, 6)", "12", True),
        ("\\text{gcd}(12, 18)", "6", True),
        ("\\mathrm{GCD}(12,18)", "6", True),
        ("\\text{max}(3, 7)", "7", True),
        ("\\mathrm{sin}(0)", "0", True),
        ("\\text{lcm}(4, 6)", "24", False),
        ("\\text{gcd}(12, 18)", "3", False),
        ("\\text{lcm}", "12", False),  # a name alone is text
    ],
)
def test_function_names_written_as_text(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("4\\,\\Omega", "4", True),
        ("4 \\Omega", "4 \\text{ ohms}", True),
        ("4Ω", "4 \\text{ ohm}", True),
        ("12\\ \\Omega", "12", True),
        ("2\\,k\\Omega", "2000 \\text{ ohms}", True),
        ("1.5 k\\Omega", "1500 \\Omega", True),
        ("4\\,\\Omega", "5", False),
        ("2 k\\Omega", "2 \\text{ ohms}", False),
        ("2\\Omega + 1", "3", False),  # inside an expression Omega stays a letter
    ],
)
def test_the_ohm_sign_is_a_unit(pred, gold, expected):
    assert same(pred, gold) is expected


def test_ohms_convert_only_with_strict_units():
    strict = Policy(units="strict")
    assert same("2\\,k\\Omega", "2000 \\text{ ohms}", strict) is True
    assert same("4\\,\\Omega", "4", strict) is False


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("α + 1", "\\alpha + 1", True),
        ("2θ", "2\\theta", True),
        ("λ^2", "\\lambda^2", True),
        ("Δx", "\\Delta x", True),
        ("α + 1", "\\beta + 1", False),
    ],
)
def test_greek_letters_typed_in_unicode(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("E**2", "e^2", True),
        ("2*E**2", "2e^2", True),
        ("E**(1/2)", "\\sqrt{e}", True),
        ("(1 + I)**2", "2i", True),
        ("x**2 + E", "x^2 + e", True),
        ("Eq(x, 2)", "x=2", True),
        ("Gt(x, 2)", "(2, \\infty)", True),
        ("Le(x, 5)", "x \\le 5", True),
        ("FiniteSet(1, 2)", "\\{1, 2\\}", True),
        ("Interval(0, 1)", "[0,1]", True),
        ("Union(Interval(0, 1), Interval(2, 3))", "[0,1]\\cup[2,3]", True),
        ("Union(Interval.open(-oo, -1), Interval.open(1, oo))", "(-\\infty,-1)\\cup(1,\\infty)", True),
        ("Interval.Ropen(0, 1)", "[0,1)", True),
        ("Interval.Lopen(0, 1)", "(0,1]", True),
        ("Interval.open(0, 1)", "[0,1]", False),
        ("E**2", "e^3", False),
        ("**E**", "E", True),  # bold, not sympy's power: the letter stays a choice
        ("**I**", "I", True),
        ("**E**", "e", False),
        ("Eq(x, 3)", "x=2", False),
        ("Interval(0, 1)", "(0,1)", False),  # sympy's Interval is closed
        ("FiniteSet(1, 2)", "\\{1, 3\\}", False),
    ],
)
def test_sympy_printing(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("2 hours 15 minutes", "2.25 hours", True),
        ("2 hours 15 minutes", "135 minutes", True),
        ("1 hour and 30 minutes", "1.5", True),
        ("2 h 15 min", "2.25 h", True),
        ("1 h 2 min 30 s", "3750 \\text{ seconds}", True),
        ("5 feet 3 inches", "63 inches", True),
        ("5 ft 3 in", "5.25 ft", True),
        ("3 m 20 cm", "3.2 m", True),
        ("2 kg 500 g", "2.5 kg", True),
        ("2 hours 15 minutes", "2.5 hours", False),
        ("5 feet 3 inches", "53 inches", False),
        ("5 cm and 3 cm", "8 cm", False),  # two answers in one unit are a list
        ("5 cm and 3 cm", "5, 3", True),
    ],
)
def test_a_quantity_written_in_two_units(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("3000 米", "3千米", True),
        ("1.5 小时", "90分钟", True),
        ("12 角", "1.2元", True),
        ("5米", "500 cm", True),
        ("2 千克", "2000克", True),
        ("7 天", "1 week", True),
        ("2 公里", "2000 m", True),
        ("5 米", "5", True),  # a unit on one side only is set aside
        ("12 角", "12元", False),  # ten jiao make a yuan
        ("3000 米", "3 米", False),
        ("1.5 小时", "15分钟", False),
        ("2 千克", "2克", False),
    ],
)
def test_units_written_in_chinese_convert(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("{1 \\over 2}", "\\frac12", True),
        ("1 \\over 2", "0.5", True),
        ("\\frac{1}{{2 \\over 3}}", "1.5", True),
        ("{1 \\over 3}", "\\frac12", False),
        ("\\underline{7}", "7", True),
        ("\\color{red}{7}", "7", True),
        ("\\textcolor{blue}{x+1}", "1+x", True),
        ("\\large 7", "7", True),
        ("\\Large{7}", "7", True),
        ("\\underline{7}", "8", False),
        ("5 \\operatorname{cm}", "5", True),
        ("5 \\operatorname{cm}", "50 mm", True),
        ("1∶2", "1:2", True),
        ("1∶2", "\\frac12", True),
        ("1∶2", "2:1", False),
    ],
)
def test_tex_fractions_decorations_and_signs(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("50% of the students", "50\\%", True),
        ("50% of the students", "0.5", True),
        ("3 of them", "3", True),
        ("50% of the students", "40\\%", False),
    ],
)
def test_words_saying_of_what_a_number_is(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\text{twenty-four}", "24", True),
        ("\\text{one hundred}", "100", True),
        ("\\text{one hundred and five}", "105", True),
        ("\\text{a thousand}", "1000", True),
        ("\\text{two thousand twenty-six}", "2026", True),
        ("\\text{three hundred forty-five}", "345", True),
        ("\\text{five hundred thousand}", "500000", True),
        ("24", "\\text{twenty four}", True),
        ("twenty-four", "24", True),
        ("ninety-nine", "99", True),
        ("twenty-four", "25", False),
        ("\\text{twenty-four}", "42", False),
        ("\\text{one two}", "3", False),  # not a number
        ("\\text{twenty twenty}", "40", False),
    ],
)
def test_numbers_in_words_beyond_twenty(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("2.5 kJ", "2500 \\text{ J}", True),
        ("500 nm", "5 \\times 10^{-7} \\text{ m}", True),
        ("2 mA", "0.002 \\text{ A}", True),
        ("100 kPa", "100000 \\text{ Pa}", True),
        ("3 MHz", "3 \\times 10^6 \\text{ Hz}", True),
        ("3 μC", "3 \\times 10^{-6} \\text{ C}", True),
        ("3\\,\\mu C", "3 \\times 10^{-6} \\text{ C}", True),
        ("5\\,\\mu\\text{m}", "0.005 \\text{ mm}", True),
        ("2.5 kJ", "2.5", True),  # a unit on one side only is set aside
        ("2 mA", "2 \\text{ A}", False),
        ("500 nm", "5 \\times 10^{-7} \\text{ mm}", False),
        ("3 μC", "3 \\text{ C}", False),
        ("2nm", "2mn", True),  # glued to the number, two letters stay a product
    ],
)
def test_si_prefixes_on_units(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\frac{300}{60 + 90} = 2", "11:00", False),  # a time on the hour is no ratio 11/0: failed, not undefined
        ("11:00", "11:00 AM", True),
        ("V_1:V_2 = 11:21", "11:21", True),
    ],
)
def test_a_time_on_the_hour_is_not_a_ratio(pred, gold, expected):
    assert same(pred, gold) is expected
