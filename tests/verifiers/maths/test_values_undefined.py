"""Undefined, infinite and overflowing values: never equal to anything, the row unverifiable."""

from __future__ import annotations

import pytest

from verifiers import Status
from verifiers.maths.compare import NeedsSymbolic, judge
from verifiers.maths.policy import Policy
from verifiers.maths.symbolic import SympyBackend

P = Policy()
B = SympyBackend(P)


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("\\log(\\log(\\log(\\log(0))))", "\\log(\\log(\\log(\\log(0))))+1"),
        ("\\log(\\log(\\log(\\log(0))))+1", "\\log(\\log(\\log(\\log(0))))"),
        ("\\tan(\\pi/2)", "\\tan(\\pi/2)+1"),
        ("\\tan(\\pi/2)+1", "\\tan(\\pi/2)"),
        ("\\infty-\\infty", "\\infty-\\infty+1"),
        ("\\cot 0", "\\cot 0 + 1"),
        ("\\frac{1}{0}", "\\frac{1}{0} + 1"),
        ("0^{-1}", "0^{-1}+1"),
    ],
)
def test_undefined_values_do_not_equal_themselves_plus_one(pred, gold):
    verdict = judge(pred, gold, P, B)
    assert verdict.equal is None
    assert "undefined" in verdict.reason


@pytest.mark.parametrize(
    "answer",
    [
        "\\frac{1}{0}",
        "\\frac{0}{0}",
        "\\tan(\\pi/2)",
        "\\ln 0",
        "\\log(\\log(0))",
        "\\cot(0)",
        "\\infty - \\infty",
        "0^{-2}",
        "\\csc 0",
    ],
)
def test_an_undefined_answer_does_not_equal_itself(answer):
    verdict = judge(answer, answer, P, B)
    assert verdict.equal is None, verdict.reason
    assert "undefined" in verdict.reason


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("\\frac{1}{0}", "5"),
        ("5", "\\frac{1}{0}"),
        ("\\frac{1}{0}", "\\infty"),
        ("\\tan(\\pi/2)", "\\infty"),
        ("\\infty", "\\tan \\frac{\\pi}{2}"),
        ("\\frac{0}{0}", "1"),
        ("\\log 0", "-\\infty"),
        ("\\infty - \\infty", "0"),
        ("(1, \\frac{1}{0})", "(1, 2)"),
        ("x = \\frac{1}{0}", "x = 2"),
    ],
)
def test_undefined_on_either_side_is_unverifiable(pred, gold):
    assert judge(pred, gold, P, B).equal is None


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("2^{2^{2^{2^{100}}}}", "2^{2^{2^{2^{100}}}}+1"),
        ("10^{10^{10}}", "10^{10^{10}}+1"),
        ("e^{e^{e^{e^{10}}}}", "e^{e^{e^{e^{10}}}}+1"),
        ("9^{9^{9^9}}", "9^{9^{9^9}}"),
    ],
)
def test_overflowing_values_are_unverifiable(pred, gold):
    verdict = judge(pred, gold, P, B)
    assert verdict.equal is None
    assert verdict.stage == "limit"


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\infty", "\\infty", True),
        ("-\\infty", "-\\infty", True),
        ("+\\infty", "\\infty", True),
        ("\\infty", "oo", True),
        ("inf", "\\infty", True),
        ("\\infty + 1", "\\infty", True),
        ("2\\infty", "\\infty", True),
        ("\\infty", "-\\infty", False),
        ("\\infty", "10^{100}", False),
        ("(-\\infty, 2)", "(-\\infty, 2)", True),
        ("(-\\infty, 2]", "(-\\infty, 2)", False),
        ("[0, \\infty)", "x \\ge 0", True),
    ],
)
def test_infinity_stays_comparable_as_an_extended_real(pred, gold, expected):
    assert judge(pred, gold, P, B).equal is expected


@pytest.mark.parametrize(
    "answer",
    ["\\frac{1}{2}", "\\log 2", "\\tan \\frac{\\pi}{4}", "\\frac{\\sqrt3}{2}", "2^{-1}", "\\ln(e^2)", "x^{-1}"],
)
def test_defined_answers_still_equal_themselves(answer):
    assert judge(answer, answer, P, B).equal is True


def test_an_identical_rational_answer_needs_no_sympy():
    assert judge("\\frac{3}{4}", "\\frac{3}{4}", P).equal is True
    assert judge("2^{-3}", "2^{-3}", P).equal is True
    assert judge("\\frac{1}{0}", "\\frac{1}{0}", P).equal is None  # decided without sympy too
    with pytest.raises(NeedsSymbolic):
        judge("\\tan(\\pi/2)", "\\tan(\\pi/2)", P)


def test_the_verifier_reports_undefined_rows_as_unverifiable(maths):
    for completion, gold in (
        ("\\boxed{\\tan(\\pi/2)}", "\\tan(\\pi/2)+1"),
        ("\\boxed{\\frac{1}{0}}", "\\frac{1}{0}"),
        ("\\boxed{\\infty-\\infty}", "\\infty-\\infty"),
        ("\\boxed{7}", "\\log(\\log(0))"),
    ):
        result = maths({"completion": completion, "answer": gold})
        assert result.status is Status.UNVERIFIABLE, (completion, gold, result.reason)
        assert result.score == 0.0
        assert "undefined" in result.reason
    assert maths({"completion": "\\boxed{\\infty}", "answer": "\\infty"}).status is Status.PASSED


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("e^{100}", "e^{100}+1"),
        ("e^{100}+1", "e^{100}"),
        ("\\pi^{50}+1", "\\pi^{50}"),
        ("e^{e^{5}}", "e^{e^{5}}+1"),
        ("e^{\\pi\\sqrt{163}}", "640320^3+744"),  # agree to 30 significant digits, still differ
        ("10^{100}", "10^{100}+1"),
    ],
)
def test_huge_values_close_to_30_digits_still_differ(pred, gold):
    assert judge(pred, gold, P, B).equal is False


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("\\sqrt2+\\sqrt3", "\\sqrt{5+2\\sqrt6}"),
        ("\\sin^2\\frac{\\pi}{7}+\\cos^2\\frac{\\pi}{7}", "1"),
        ("e^{100} \\cdot e", "e^{101}"),
    ],
)
def test_equal_values_that_only_numbers_show_equal(pred, gold):
    assert judge(pred, gold, P, B).equal is True


@pytest.mark.parametrize(
    "pred, gold",
    [("nan", "nan"), ("NaN", "NaN"), ("NaN", "5"), ("5", "nan"), ("zoo", "zoo"), ("-nan", "3"), ("\\text{NaN}", "1")],
)
def test_nan_and_zoo_written_out_are_no_numbers(pred, gold):
    verdict = judge(pred, gold, P, B)
    assert verdict.equal is None
    assert "not a number" in verdict.reason


@pytest.mark.parametrize("answer", ["banana", "Hanan", "\\text{zoology}", "nano"])
def test_words_containing_nan_or_zoo_are_still_text(answer):
    assert judge(answer, answer, P, B).equal is True
