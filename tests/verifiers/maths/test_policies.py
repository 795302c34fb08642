"""Each comparison policy changes exactly what it says; bad settings are clear errors."""

from __future__ import annotations

import pytest

from verifiers import Status
from verifiers.maths import MathEquivalence, Policy, judge


def passes(pred: str, gold: str, **policy) -> bool:
    return MathEquivalence(**policy)({"completion": pred, "answer": gold}).passed


@pytest.mark.parametrize(
    "mode, pred, gold, expected",
    [
        ("flexible", "50", "50\\%", True),
        ("flexible", "0.5", "50\\%", True),
        ("value", "50", "50\\%", False),
        ("value", "0.5", "50\\%", True),
        ("ignore", "50", "50\\%", True),
        ("ignore", "0.5", "50\\%", False),
    ],
)
def test_percent(mode, pred, gold, expected):
    assert passes(pred, gold, percent=mode) is expected


@pytest.mark.parametrize(
    "mode, pred, gold, expected",
    [
        ("flexible", "30", "30^\\circ", True),
        ("flexible", "\\frac{\\pi}{6}", "30^\\circ", True),
        ("value", "30", "30^\\circ", False),
        ("value", "\\frac{\\pi}{6}", "30^\\circ", True),
        ("ignore", "30", "30^\\circ", True),
        ("ignore", "\\frac{\\pi}{6}", "30^\\circ", False),
    ],
)
def test_degrees(mode, pred, gold, expected):
    assert passes(pred, gold, degrees=mode) is expected


@pytest.mark.parametrize(
    "mode, pred, gold, expected",
    [
        ("auto", "500 \\text{ cm}", "5 \\text{ m}", True),
        ("auto", "5 \\text{ cm}", "5 \\text{ m}", False),
        ("auto", "5", "5 \\text{ m}", True),
        ("strip", "5 \\text{ cm}", "5 \\text{ m}", True),
        ("strip", "500 \\text{ cm}", "5 \\text{ m}", False),
        ("strict", "5", "5 \\text{ m}", False),
        ("strict", "500 \\text{ cm}", "5 \\text{ m}", True),
        ("strict", "5 \\text{ apples}", "5 \\text{ pears}", False),
    ],
)
def test_units(mode, pred, gold, expected):
    assert passes(pred, gold, units=mode) is expected


@pytest.mark.parametrize(
    "mode, pred, gold, expected",
    [
        ("auto", "(2, 1)", "(1, 2)", False),
        ("auto", "2, 1", "1, 2", True),
        ("auto", "\\{2, 1\\}", "\\{1, 2\\}", True),
        ("ordered", "2, 1", "1, 2", False),
        ("ordered", "\\{2, 1\\}", "\\{1, 2\\}", True),
        ("unordered", "(2, 1)", "(1, 2)", True),
    ],
)
def test_order(mode, pred, gold, expected):
    assert passes(pred, gold, order=mode) is expected


def test_relative_tolerance_is_relative_never_absolute():
    assert not passes("3.1416", "\\pi", tolerance="exact")
    assert passes("3.1416", "\\pi", tolerance="exact", rel_tol=1e-4)
    assert not passes("3.15", "\\pi", rel_tol=1e-4)
    assert passes("100.5", "100", rel_tol=0.01)
    assert not passes("2e-10", "1e-10", rel_tol=0.01)  # tiny values are not "close" to each other
    assert not passes("1e-12", "0", rel_tol=0.01)


def test_match_gold_precision():
    assert not passes("\\frac{1}{3}", "0.33")
    assert passes("\\frac{1}{3}", "0.33", match_gold_precision=True)
    assert passes("0.3333", "0.33", match_gold_precision=True)
    assert not passes("0.35", "0.33", match_gold_precision=True)


def test_thousands_mixed_numbers_imaginary_unit_and_vectors_can_be_switched_off():
    assert passes("1,000", "1000")
    assert not passes("1,000", "1000", thousands=False)
    assert passes("2\\frac{1}{2}", "2.5")
    assert passes("2\\frac{1}{2}", "1", mixed_numbers=False)
    assert passes("i^2", "-1")
    assert not passes("i^2", "-1", imaginary_unit=False)
    assert passes("(1, 2)", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}")
    assert not passes("(1, 2)", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", vector_as_tuple=False)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"percent": "sometimes"}, "percent must be one of"),
        ({"units": "pint"}, "units must be one of"),
        ({"order": "sorted"}, "order must be one of"),
        ({"rel_tol": -1}, "rel_tol"),
        ({"rel_tol": 2}, "rel_tol"),
        ({"boxed": "middle"}, "boxed must be"),
        ({"timeout": 0}, "timeout must be positive"),
        ({"workers": 0}, "workers must be at least 1"),
        ({"priority": "boxed>guess"}, "unknown extraction strategy"),
        ({"max_answer_chars": 0}, "must be positive"),
    ],
)
def test_bad_settings_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MathEquivalence(**kwargs)


def test_judge_alone_says_which_stage_decided():
    policy = Policy()
    assert judge("\\frac{1}{2}", "\\frac{1}{2}", policy).stage == "string"
    assert judge("0.5", "\\frac{1}{2}", policy).stage == "exact"
    verdict = judge("\\text{Monday}", "monday", policy)
    assert verdict.equal is True and verdict.stage == "text"


def test_unverifiable_gold_is_reported_not_scored_zero_silently():
    result = MathEquivalence()({"completion": "\\boxed{1}", "answer": "9^{9^{9^9}}"})
    assert result.status is Status.UNVERIFIABLE
    assert "power" in result.reason
