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


@pytest.mark.parametrize(
    "mode, pred, gold, expected",
    [
        ("solution_set", "2x = 6", "x = 3", True),
        ("solved", "2x = 6", "x = 3", False),
        ("solution_set", "x^2 = 9", "x = \\pm 3", True),
        ("solved", "x^2 = 9", "x = \\pm 3", False),
        ("solution_set", "3 < 3x", "x > 1", True),
        ("solved", "3 < 3x", "x > 1", False),
        ("solution_set", "|x| < 3", "(-3, 3)", True),
        ("solved", "|x| < 3", "(-3, 3)", False),
        ("solved", "x = 3", "3", True),
        ("solved", "x > 1", "(1, \\infty)", True),
        ("solved", "x = 3 \\text{ or } x = -3", "\\{-3, 3\\}", True),
        ("solution_set", "x = 3", "x^2 = 9", False),
    ],
)
def test_relations(mode, pred, gold, expected):
    assert passes(f"\\boxed{{{pred}}}", gold, relations=mode) is expected


@pytest.mark.parametrize(
    "mode, pred, gold, expected",
    [
        ("real", "\\sqrt{x^2}", "|x|", True),
        ("complex", "\\sqrt{x^2}", "|x|", True),
        ("real", "\\log(p^3 q)", "3\\log p + \\log q", True),
        ("complex", "\\log(p^3 q)", "3\\log p + \\log q", False),
        ("real", "\\frac{1}{\\sqrt{y}}", "\\sqrt{\\frac{1}{y}}", True),
        ("complex", "\\frac{1}{\\sqrt{y}}", "\\sqrt{\\frac{1}{y}}", False),
        ("real", "\\sqrt{x^2}", "x", False),
        ("complex", "\\sqrt{x^2}", "x", False),
        ("complex", "(x+1)^2", "x^2+2x+1", True),
    ],
)
def test_domain(mode, pred, gold, expected):
    assert passes(f"\\boxed{{{pred}}}", gold, domain=mode) is expected


def formed(question: str, pred: str, gold: str, **policy) -> bool:
    return MathEquivalence(**policy)({"prompt": question, "completion": f"\\boxed{{{pred}}}", "answer": gold}).passed


@pytest.mark.parametrize(
    "question, pred, gold, expected",
    [
        ("Factor $x^2-1$.", "(x-1)(x+1)", "(x+1)(x-1)", True),
        ("Factor $x^2-1$.", "x^2-1", "(x+1)(x-1)", False),
        ("Factor completely: $2x^2+4x$.", "2x(x+2)", "2x(x+2)", True),
        ("Factor completely: $2x^2+4x$.", "x(2x+4)", "2x(x+2)", True),
        ("Factor completely: $2x^2+4x$.", "2x^2+4x", "2x(x+2)", False),
        ("Factorise $x^2+6x+9$.", "(x+3)^2", "(x+3)^2", True),
        ("Factorise $x^2+6x+9$.", "x^2+6x+9", "(x+3)^2", False),
        ("Factoriza $x^2-5x+6$.", "x^2-5x+6", "(x-2)(x-3)", False),
        ("将 $x^2-4$ 因式分解。", "x^2-4", "(x-2)(x+2)", False),
        ("将 $x^2-4$ 因式分解。", "(x+2)(x-2)", "(x-2)(x+2)", True),
        ("Expand $(x+2)^2$.", "x^2+4x+4", "x^2+4x+4", True),
        ("Expand $(x+2)^2$.", "4+4x+x^2", "x^2+4x+4", True),
        ("Expand $(x+2)^2$.", "(x+2)^2", "x^2+4x+4", False),
        ("Développer $(x+1)(x-1)$.", "(x+1)(x-1)", "x^2-1", False),
        ("Multiply out $(a+b)(a-b)$.", "a^2-b^2", "a^2-b^2", True),
        ("Multiply out $(a+b)(a-b)$.", "(a-b)(a+b)", "a^2-b^2", False),
        ("Fatore a expressão $x^2-9$.", "x^2-9", "(x-3)(x+3)", False),
        ("Scomponi in fattori $x^2-9$.", "(x+3)(x-3)", "(x-3)(x+3)", True),
        ("Разложите на множители $x^2-9$.", "x^2-9", "(x-3)(x+3)", False),
        ("Раскройте скобки: $(x+3)^2$.", "(x+3)^2", "x^2+6x+9", False),
        ("Expanda $(x+3)^2$.", "x^2+6x+9", "x^2+6x+9", True),
        # "factor" that asks for no form: a number, a gold that is not factored
        ("What is the largest prime factor of 91?", "13", "13", True),
        ("Find the greatest common factor of $2x^2$ and $4x$.", "2x", "2x", True),
        ("Compute $x^2-1$ for a general $x$.", "(x-1)(x+1)", "x^2-1", True),
    ],
)
def test_form_follows_the_question(question, pred, gold, expected):
    assert formed(question, pred, gold) is expected


def test_form_ignore_and_no_question():
    assert formed("Factor $x^2-1$.", "x^2-1", "(x+1)(x-1)", form="ignore")
    assert passes("\\boxed{x^2-1}", "(x+1)(x-1)")  # no question: the value decides


def test_form_reads_the_question_from_a_problem_column_and_in_batches():
    maths = MathEquivalence()
    row = {"problem": "Factor $x^2-1$.", "completion": "\\boxed{x^2-1}", "answer": "(x+1)(x-1)"}
    result = maths(row)
    assert result.status is Status.FAILED and "factored form" in result.reason
    assert result.details["stage"] == "form"
    good = dict(row, completion="\\boxed{(x-1)(x+1)}")
    assert [r.passed for r in maths.batch([row, good])] == [False, True]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"relations": "solve"}, "relations must be one of"),
        ({"domain": "positive"}, "domain must be one of"),
        ({"form": "factored"}, "form must be one of"),
    ],
)
def test_bad_relation_settings_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MathEquivalence(**kwargs)


@pytest.mark.parametrize(
    "question, pred, gold, expected",
    [
        ("Solve $x^2 - 5x + 6 < 0$.", "x^2-5x+6<0", "(2,3)", False),
        ("Solve $x^2 - 5x + 6 < 0$.", "2 < x < 3", "(2,3)", True),
        ("Solve $x^2 - 5x + 6 < 0$.", "(x-2)(x-3) < 0", "(2,3)", True),
        ("Solve $2x+1=7$.", "2x + 1 = 7", "3", False),
        ("Solve $2x+1=7$.", "x = 3", "3", True),
        ("Solve \\( |x-1| < 3 \\).", "|x - 1| < 3", "(-2, 4)", False),
        ("If $x = 3$, what is $x + 1$?", "4", "4", True),
        ("Solve $x^2 = 9$.", "x^2 = 9", "x = \\pm 3", False),
    ],
)
def test_a_prediction_that_restates_the_question_fails(question, pred, gold, expected):
    assert formed(question, pred, gold) is expected


def test_restating_is_allowed_without_question_checks():
    assert formed("Solve $2x+1=7$.", "2x + 1 = 7", "3", form="ignore")


def test_form_in_a_batch_after_a_sample_that_raised():
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no text")

    maths = MathEquivalence()
    bad = {"completion": "\\boxed{1}", "answer": Unprintable()}
    row = {"prompt": "Factor $x^2-1$.", "completion": "\\boxed{x^2-1}", "answer": "(x+1)(x-1)"}
    results = maths.batch([bad, row])
    assert results[0].status is Status.ERROR
    assert results[1].status is Status.FAILED and "factored form" in results[1].reason
