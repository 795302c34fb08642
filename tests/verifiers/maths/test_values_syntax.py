"""Plain-CAS, Unicode and number spellings read as well as LaTeX."""

from __future__ import annotations

from fractions import Fraction

import pytest

from verifiers.maths.cleaning import clean
from verifiers.maths.compare import judge
from verifiers.maths.exact_values import exact_value
from verifiers.maths.parser import parse
from verifiers.maths.policy import Policy
from verifiers.maths.symbolic import SympyBackend

P = Policy()
B = SympyBackend(P)


def value(text: str) -> Fraction:
    return exact_value(parse(clean(text), P))


def same(pred: str, gold: str) -> bool | None:
    return judge(pred, gold, P, B).equal


@pytest.mark.parametrize(
    "text, expected",
    [
        # Unicode fractions, roots and operators
        ("½", Fraction(1, 2)),
        ("¾", Fraction(3, 4)),
        ("⅓", Fraction(1, 3)),
        ("⅒", Fraction(1, 10)),
        ("1½", Fraction(3, 2)),
        ("2⅓", Fraction(7, 3)),
        ("3 ¼", Fraction(13, 4)),
        ("-2½", Fraction(-5, 2)),
        ("∛8", Fraction(2)),
        ("∛(27)", Fraction(3)),
        ("∜16", Fraction(2)),
        ("√(16)", Fraction(4)),
        ("√(49)", Fraction(7)),
        ("∛1000", Fraction(10)),
        ("3 × 4", Fraction(12)),
        ("12 ÷ 4", Fraction(3)),
        ("−3", Fraction(-3)),
        ("2³", Fraction(8)),
        # plain-CAS functions
        ("sqrt(16)", Fraction(4)),
        ("abs(-3)", Fraction(3)),
        ("factorial(5)", Fraction(120)),
        ("binomial(5, 2)", Fraction(10)),
        ("binom(6,3)", Fraction(20)),
        ("cbrt(27)", Fraction(3)),
        ("ceil(2.1)", Fraction(3)),
        ("ceiling(2.1)", Fraction(3)),
        ("floor(-2.5)", Fraction(-3)),
        ("gcd(12, 18)", Fraction(6)),
        ("lcm(4, 6)", Fraction(12)),
        ("max(2, 7, 3)", Fraction(7)),
        ("2**10", Fraction(1024)),
        ("10^(-3)", Fraction(1, 1000)),
        # scientific notation, however it is typed
        ("1.5e3", Fraction(1500)),
        ("1.5E3", Fraction(1500)),
        ("1.5E+3", Fraction(1500)),
        ("1.5e+03", Fraction(1500)),
        ("2.5e-3", Fraction(1, 400)),
        ("1.5 \\cdot 10^{3}", Fraction(1500)),
        ("1.5\\times 10^3", Fraction(1500)),
        ("1.5 x 10^3", Fraction(1500)),
        ("1.5x10^{3}", Fraction(1500)),
        ("2 X 10^{-2}", Fraction(1, 50)),
        ("6.02 \\times 10^{23}", Fraction(602) * 10**21),
        # thousands separators inside LaTeX
        ("1\\,000", Fraction(1000)),
        ("1{,}000", Fraction(1000)),
        ("1\\,000\\,000", Fraction(10**6)),
        ("12\\,345.67", Fraction(1234567, 100)),
        ("1{,}234{,}567", Fraction(1234567)),
        ("\\num{1500}", Fraction(1500)),
        ("\\num{1.5e3}", Fraction(1500)),
        # signs, zeros and decimal points
        ("-0", Fraction(0)),
        ("-0.0", Fraction(0)),
        ("+5", Fraction(5)),
        ("+\\frac{1}{2}", Fraction(1, 2)),
        (".5", Fraction(1, 2)),
        ("-.25", Fraction(-1, 4)),
        ("0.50", Fraction(1, 2)),
        ("\\frac{-1}{2}", Fraction(-1, 2)),
        ("\\frac{1}{-2}", Fraction(-1, 2)),
        ("-\\frac12", Fraction(-1, 2)),
        ("\\dfrac{3}{4}", Fraction(3, 4)),
        ("\\tfrac34", Fraction(3, 4)),
        ("\\cfrac{3}{4}", Fraction(3, 4)),
        ("2^{-1}", Fraction(1, 2)),
        ("8^{2/3}", Fraction(4)),
        # mixed numbers and repeating decimals
        ("3\\frac{1}{4}", Fraction(13, 4)),
        ("-2\\frac{1}{2}", Fraction(-5, 2)),
        ("0.(3)", Fraction(1, 3)),
        ("1.(142857)", Fraction(8, 7)),
        ("2.(09)", Fraction(23, 11)),
        ("0.\\overline{6}", Fraction(2, 3)),
        ("0.1\\overline{6}", Fraction(1, 6)),
    ],
)
def test_values_of_spellings(text, expected):
    assert value(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.5(3)", Fraction(3, 2)),  # a product, not a repeating decimal
        ("2(3)", Fraction(6)),
        ("1⁄10", Fraction(1, 10)),
    ],
)
def test_readings_that_could_be_confused(text, expected):
    assert value(text) == expected


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("x^2-4*x+4", "(x-2)^2"),
        ("x**2", "x^2"),
        ("(x-2)**2", "x^2-4x+4"),
        ("x**3 - 1", "(x-1)(x^2+x+1)"),
        ("abs(x)", "|x|"),
        ("abs(x-1)", "\\left|x-1\\right|"),
        ("sqrt(2)", "\\sqrt{2}"),
        ("sqrt(12)", "2\\sqrt{3}"),
        ("sqrt(x)", "x^{1/2}"),
        ("pi", "\\pi"),
        ("pi/2", "\\frac{\\pi}{2}"),
        ("3*pi", "3\\pi"),
        ("1/(2*pi)", "\\frac{1}{2\\pi}"),
        ("exp(1)", "e"),
        ("exp(x)", "e^x"),
        ("log(x)", "\\ln x"),
        ("ln(x)", "\\log x"),
        ("log(8, 2)", "3"),
        ("sin(x)^2", "\\sin^2 x"),
        ("sin(x)**2 + cos(x)**2", "1"),
        ("sin(pi/6)", "\\frac12"),
        ("atan(1)", "\\frac{\\pi}{4}"),
        ("asin(1)", "\\frac{\\pi}{2}"),
        ("{1,2}", "\\{1,2\\}"),
        ("{1, 2, 3}", "\\{3,2,1\\}"),
        ("{1,2}", "(1,2)"),  # plain braces are a bare list, as Math-Verify reads them
        ("\\text{e}", "e"),
        ("e", "\\text{e}"),
        ("\\text{x}+1", "x+1"),
        ("x>2 and x<7", "(2,7)"),
        ("x > 2 and x < 7", "2 < x < 7"),
        ("x < -1 or x > 2", "(-\\infty,-1)\\cup(2,\\infty)"),
        ("x>=3", "[3, \\infty)"),
        ("x >= 3", "x \\ge 3"),
        ("x<=-1", "(-\\infty, -1]"),
        ("x!=0", "x \\ne 0"),
        ("x != 0", "(-\\infty,0)\\cup(0,\\infty)"),
        ("2*sqrt(3)/3", "\\frac{2\\sqrt3}{3}"),
        ("2*sqrt(3)/3", "\\frac{2}{\\sqrt3}"),
        ("sqrt(3)/2", "\\frac{\\sqrt{3}}{2}"),
        ("e^(i*pi)", "-1"),
        ("e^(i*pi) + 1", "0"),
        ("exp(i*pi)", "-1"),
        ("inf", "\\infty"),
        ("oo", "\\infty"),
        ("-oo", "-\\infty"),
        ("(-inf, 3)", "(-\\infty, 3)"),
        ("(-oo, 3]", "x \\le 3"),
        ("x^(-1)", "\\frac{1}{x}"),
        ("2^(1/2)", "\\sqrt2"),
        ("2^(1/2)*2^(1/2)", "2"),
        ("√2", "\\sqrt2"),
        ("√x", "\\sqrt{x}"),
        ("2√x", "2\\sqrt{x}"),
        ("√3/2", "\\frac{\\sqrt3}{2}"),
        ("π", "\\pi"),
        ("2π", "2\\pi"),
        ("3π/4", "\\frac{3\\pi}{4}"),
        ("x²", "x^2"),
        ("x² + y²", "x^2+y^2"),
        ("x³ - 1", "x^3-1"),
        ("x ≥ 2", "x \\geq 2"),
        ("x ≠ 1", "x \\neq 1"),
        ("∞", "\\infty"),
        ("-∞", "-\\infty"),
        ("½", "0.5"),
        ("3+4i", "4i+3"),
        ("3 + 4 i", "3+4i"),
        ("(1+2i)*(1-2i)", "5"),
        ("i", "\\sqrt{-1}"),
        ("\\sqrt{8}", "2\\sqrt2"),
        ("\\sqrt{50}", "5\\sqrt2"),
        ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt3"),
        ("\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt2}{2}"),
        ("30^\\circ", "\\frac{\\pi}{6}"),
        ("30°", "30"),
        ("45^{\\circ}", "45"),
        ("180°", "\\pi"),
        ("π/4", "45^\\circ"),
    ],
)
def test_plain_cas_and_unicode_read_like_latex(pred, gold):
    assert same(pred, gold) is True


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("x**2", "x^3"),
        ("abs(x)", "x"),
        ("sqrt(2)", "2"),
        ("{1,2}", "\\{1,3\\}"),
        ("{2,1}", "(1,2)"),
        ("\\{1,2\\}", "(1,2)"),
        ("\\text{e}", "1"),
        ("x>2 and x<7", "(2,7]"),
        ("x>=3", "(3, \\infty)"),
        ("x != 0", "x \\ne 1"),
        ("exp(1)", "1"),
        ("log(8, 2)", "4"),
        ("e^(i*pi)", "1"),
        ("inf", "-\\infty"),
        ("½", "2"),
        ("2⅓", "\\frac{2}{3}"),
        ("∛8", "\\sqrt{8}"),
        ("3+4i", "3-4i"),
        ("3+4i", "7"),
        ("\\sqrt{8}", "3\\sqrt2"),
        ("2^{-1}", "-2"),
        ("-0.5", "\\frac12"),
        ("1.5 x 10^3", "150"),
        ("0.(3)", "0.3"),
        ("30^\\circ", "\\frac{\\pi}{3}"),
    ],
)
def test_different_values_stay_different(pred, gold):
    assert same(pred, gold) is False


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("approximately 2.24", "\\sqrt5", True),
        ("Approximately 2.24", "\\sqrt5", True),
        ("about 2.24", "\\sqrt5", True),
        ("approx. 2.24", "\\sqrt5", True),
        ("roughly 0.333", "\\frac13", True),
        ("around 62.83", "20\\pi", True),
        ("~2.24", "\\sqrt5", True),
        ("2.24 (approx.)", "\\sqrt5", True),
        ("2.24 (rounded)", "\\sqrt5", True),
        ("2.24 approximately", "\\sqrt5", True),
        ("approximately 2.24", "3", False),
        ("about 3", "4", False),
        ("approximately 2.2", "\\sqrt5", False),
    ],
)
def test_words_that_say_a_number_is_rounded(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("Abs(x)", "|x|", True),
        ("Abs(-3)", "3", True),
        ("Rational(1, 3)", "\\frac13", True),
        ("Rational(2, 4)", "0.5", True),
        ("Max(2, 5)", "5", True),
        ("Sqrt(16)", "4", True),
        ("\\tan^{-1} x", "\\arctan x", True),
        ("\\sin^{-1}(x)", "\\arcsin(x)", True),
        ("\\cos^{-1} x", "acos(x)", True),
        ("\\tan^{-1}(1)", "\\frac{\\pi}{4}", True),
        ("\\sin^{-1} x", "\\frac{1}{\\sin x}", False),  # the inverse function, not the reciprocal
        ("\\sin^{2} x", "\\sin(x)^2", True),
        ("Rational(1, 3)", "\\frac12", False),
        ("Abs(x)", "x", False),
    ],
)
def test_sympy_printing_and_inverse_trig_notation(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        # a run of superscript digits is one exponent
        ("6.02 × 10²³", "6.02\\times10^{23}", True),
        ("10⁻³", "0.001", True),
        ("x⁻¹", "\\frac{1}{x}", True),
        ("2³", "8", True),
        ("10²³", "10^{2^3}", False),
        # scientific notation with a unit after it, NuminaMath-style units in \mathrm
        ("1.6 x 10^-19 C", "1.6\\times10^{-19}", True),
        ("10 \\mathrm{~N}", "10", True),
        ("15", "15 \\mathrm{~cm}^{2}", True),
        ("3\\,\\mathrm{m}", "3", True),
        ("20 \\mathrm{~km}", "20000 \\mathrm{~m}", True),
        ("10 \\mathrm{~N}", "12", False),
        ("x + C", "C + x", True),  # a constant of integration stays a letter
        # scale words
        ("1.5 million", "1500000", True),
        ("2.5 billion", "2500000000", True),
        ("3 thousand", "3000", True),
        ("2 million dollars", "2000000", True),
        ("1.5 million", "1600000", False),
        # sympy's E and I in a product written with *
        ("2*E", "2e", True),
        ("3 + 4*I", "3+4i", True),
        ("sqrt(3)*I", "\\sqrt3 i", True),
        ("2*E", "2", False),
    ],
)
def test_more_spellings_seen_in_public_answers(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("DNE", "\\text{does not exist}", True),
        ("\\text{DNE}", "\\text{Does not exist}", True),
        ("doesn't exist", "DNE", True),
        ("not defined", "\\text{undefined}", True),
        ("DNE", "0", False),
        ("exists", "does not exist", False),
    ],
)
def test_text_answers_that_mean_the_same(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        # an absolute value after a factor
        ("\\sqrt{12x^2}", "2\\sqrt3 |x|", True),
        ("2|x|", "|2x|", True),
        ("|x||y|", "|xy|", True),
        ("3|x| + |y|", "|y| + 3|x|", True),
        ("||x|-1|", "|1-|x||", True),
        ("2|x|", "2x", False),
        # accents and fonts on one character without braces
        ("\\vec{v}", "\\vec v", True),
        ("\\hat x", "\\hat{x}", True),
        ("\\mathbf v", "\\mathbf{v}", True),
        ("\\vec u", "\\vec v", False),
        # nested lists and sympy's Matrix are matrices
        ("[[1, 2], [3, 4]]", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}", True),
        ("Matrix([[1, 2], [3, 4]])", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", True),
        ("[[1, 2], [3, 5]]", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}", False),
        ("[[0.333, 0.5]]", "\\begin{bmatrix}\\frac13&\\frac12\\end{bmatrix}", True),
        # fractions in words
        ("one-half", "\\frac{1}{2}", True),
        ("one half", "0.5", True),
        ("a third", "\\frac13", True),
        ("A quarter", "0.25", True),
        ("three quarters", "0.75", True),
        ("two thirds", "\\frac23", True),
        ("five sixths", "\\frac56", True),
        ("half", "50\\%", True),
        ("one-half", "\\frac13", False),
        ("two thirds", "\\frac32", False),
    ],
)
def test_absolute_values_accents_nested_lists_and_fraction_words(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "completion, gold",
    [
        ("atan(1)", "\\frac{\\pi}{4}"),
        ("acos(0)", "\\frac{\\pi}{2}"),
        ("factorial(5)", "120"),
        ("abs(-3)", "3"),
        ("binomial(5, 2)", "10"),
        ("The result:\nsqrt(12)", "2\\sqrt3"),
    ],
)
def test_a_plain_cas_answer_is_extracted_whole(maths, completion, gold):
    result = maths({"completion": completion, "answer": gold})
    assert result.passed, (result.details.get("extracted"), result.reason)
