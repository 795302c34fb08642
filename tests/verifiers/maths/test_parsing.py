"""Cleaning and parsing answers into nodes."""

from __future__ import annotations

from fractions import Fraction

import pytest

from verifiers.maths.cleaning import clean
from verifiers.maths.exact_values import TooLarge, exact_value
from verifiers.maths.nodes import Approx, Call, Const, Group, Matrix, Member, Num, Rel, Sym, Text, Unit
from verifiers.maths.parser import ParseError, TooDeep, parse
from verifiers.maths.policy import Policy

P = Policy()


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("$\\dfrac{1}{2}$", "\\frac{1}{2}"),
        ("\\boxed{5}.", "5"),
        ("10{,}000", "10000"),
        ("1,234,567.5", "1234567.5"),
        ("\\$18.90", "18.90"),
        ("\\left( 1, 2 \\right)", "( 1, 2 )"),
        ("x \\leq 3", "x \\le 3"),
        ("π/2", "\\pi /2"),
        ("x²", "x^2"),
        ("0.\\overline{3}", "\\frac{3}{9}"),
        ("5!", "5!"),
        ("x**2 + 3*x", "x^2 + 3*x"),
        ("**7**", "7"),
        ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_thousands_separators_can_be_kept():
    assert clean("1,000", thousands=False) == "1,000"


def value(text: str) -> Fraction:
    return exact_value(parse(clean(text), P))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("\\frac{3}{4}", Fraction(3, 4)),
        ("\\frac34", Fraction(3, 4)),
        ("2\\frac{1}{2}", Fraction(5, 2)),
        ("2 1/2", Fraction(5, 2)),
        ("-1\\frac{1}{4}", Fraction(-5, 4)),
        ("1.5 \\times 10^{3}", Fraction(1500)),
        ("2.5e-3", Fraction(1, 400)),
        ("2^10", Fraction(1024)),
        ("\\sqrt{16}", Fraction(4)),
        ("\\sqrt[3]{-27}", Fraction(-3)),
        ("5!", Fraction(120)),
        ("\\binom{6}{3}", Fraction(20)),
        ("|-3|", Fraction(3)),
        ("12.5\\%", Fraction(1, 8)),
        ("\\mathbf{15}", Fraction(15)),
        ("2**10 - sqrt(16)", Fraction(1020)),
    ],
)
def test_exact_values(text, expected):
    assert value(text) == expected


def test_mixed_numbers_can_be_read_as_products():
    node = parse("2\\frac{1}{2}", Policy(mixed_numbers=False))
    assert exact_value(node) == 1


def test_structures():
    assert parse("(1,2]", P) == Group("(", "]", (Num(Fraction(1)), Num(Fraction(2))))
    assert parse("\\{1, 2\\}", P).open == "{"
    assert isinstance(parse("\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}", P), Matrix)
    assert parse("x = 3", P) == Rel(("=",), (Sym("x"), Num(Fraction(3))))
    assert parse("1 < x \\le 2", P) == Rel(("<", "<="), (Num(Fraction(1)), Sym("x"), Num(Fraction(2))))
    assert isinstance(parse("x \\in [1, 2]", P), Member)
    assert isinstance(parse("\\frac{1}{3} \\approx 0.33", P), Approx)
    assert parse("30^\\circ", P) == Unit(Num(Fraction(30)), "degree")
    assert parse("5 \\text{ cm}", P) == Unit(Num(Fraction(5)), "cm")
    assert parse("\\text{Monday}", P) == Text("Monday")
    assert parse("3+4i", P).args[1].args[1] == Const("i")
    assert parse("3+4i", Policy(imaginary_unit=False)).args[1].args[1] == Sym("i")
    assert parse("\\log_2 8", P) == Call("log", (Num(Fraction(8)), Num(Fraction(2))))
    assert parse("x_{12}", P) == Sym("x_12")


@pytest.mark.parametrize("bad", ["\\frac{1}{", "(1,2", ")(", "\\unknowncommand{x}", "1 +", "x^", "\\sqrt[}{2}", "#"])
def test_malformed_input_raises_parse_error(bad):
    with pytest.raises(ParseError):
        parse(clean(bad), P)


def test_deep_nesting_is_refused_not_recursed():
    with pytest.raises(TooDeep):
        parse("(" * 5000 + "1" + ")" * 5000, P)
    with pytest.raises(TooDeep):
        parse("-" * 5000 + "1", P)


def test_huge_values_are_refused_before_computing():
    with pytest.raises(TooLarge):
        value("9^{9^{9^9}}")
    with pytest.raises(TooLarge):
        value("(10^6)!")
    with pytest.raises(TooLarge):
        value("1e999999")
