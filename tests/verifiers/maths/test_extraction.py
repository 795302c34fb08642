"""Finding the final answer: each strategy, the priority order, think blocks, gold answers."""

from __future__ import annotations

import pytest

from verifiers.maths.answer_extraction import (
    DEFAULT_PRIORITY,
    answer_tag,
    boxes,
    extract,
    extract_gold,
    final_answer,
    last_expression,
    math_span,
    parse_priority,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        (r"so \boxed{\frac{1}{2}}.", r"\frac{1}{2}"),
        (r"\boxed{\left\{ 1, 2 \right\}}", r"\left\{ 1, 2 \right\}"),
        (r"first \boxed{1} then \boxed{2}", "2"),
        (r"\boxed{1}\boxed{2}", "1, 2"),
        (r"$\boxed{1}$ and $\boxed{2}$", "1, 2"),
        (r"the roots are $x = \boxed{2}$ and $x = \boxed{3}$.", "2, 3"),
        (r"(a) \boxed{3} (b) \boxed{4}", "4"),
        (r"\fbox{7}", "7"),
        (r"\boxed 7 is it", "7"),
        (r"\boxed{\boxed{5}}", r"\boxed{5}"),
        (r"\boxed{a{b{c}}d}", "a{b{c}}d"),
    ],
)
def test_boxed(text, expected):
    assert extract(text, ("boxed",)) == (expected, "boxed")


def test_boxed_first_and_all():
    text = r"\boxed{1} text \boxed{2} text \boxed{1}"
    assert extract(text, ("boxed",), boxed="first")[0] == "1"
    assert extract(text, ("boxed",), boxed="all")[0] == "1, 2"
    assert extract(text, ("boxed",), boxed="last")[0] == "1"


def test_unbalanced_and_empty_boxes_are_skipped():
    assert boxes(r"\boxed{1 + ") == []
    assert extract(r"The answer is \boxed{} sorry", ("boxed",)) == (None, None)


def test_answer_tag_is_found_in_linear_time_and_refined():
    assert answer_tag("<answer> 42 </answer>") == "42"
    assert answer_tag("<answer>1</answer> <answer>2</answer>") == "2"
    assert answer_tag("<answer>" * 100_000) is None  # no closing tag: no quadratic scan
    assert extract(r"<answer>The answer is \boxed{3}.</answer>")[0] == "3"
    assert extract("<answer>\nx = 2\n</answer>") == ("x = 2", "answer_tag")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The final answer is $3$. I hope it is correct.", "3"),
        ("Final Answer: The final answer is 12,000,023. I hope it is correct.", "12,000,023"),
        ("Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.", "120"),
        ("The answer is 5 because 5 is prime.", "5"),
        ("**Answer:** 17", "17"),
        ("The answer is: \\frac{3}{4}", "\\frac{3}{4}"),
        ("Thus the answer is $x = 1$ and $x = 2$.", "x = 1, x = 2"),
        ("The final answer is 3 (or equivalently 3.0).", "3"),
        ("the answer is 3.5.", "3.5"),
        ("Natalia sold 48 clips.\n#### 72", "72"),
        ("12 is the answer.", "12"),
    ],
)
def test_final_answer_phrases(text, expected):
    assert final_answer(text) == expected


def test_math_span_takes_the_last_span_and_joined_spans():
    assert math_span("We have $x=1$ so the area is $12\\sqrt{3}$.") == "12\\sqrt{3}"
    assert math_span("the roots are \\(x = 1\\) and \\(x = 2\\).") == "x = 1, x = 2"
    assert math_span("$$\\frac{5}{2}$$") == "\\frac{5}{2}"
    assert math_span("\\[\n\\theta = \\frac{\\pi}{4}.\n\\]") == "\\theta = \\frac{\\pi}{4}."
    assert math_span("no maths here") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Some reasoning.\nx^2 + 1", "x^2 + 1"),
        ("So x equals 3/4", "3/4"),
        ("Here b = 8 and a = 2, so x = -2", "-2"),
        ("The area is 25 square units", "25"),
        ("Monday", "Monday"),
        ("it costs 1,250 dollars in total", "1,250"),
        ("Nothing numeric at all here, sorry about that.", None),
    ],
)
def test_last_expression(text, expected):
    assert last_expression(text) == expected


def test_priority_order_is_configurable():
    text = "<answer>4</answer> and then \\boxed{5}"
    assert extract(text) == ("5", "boxed")
    assert extract(text, ("answer_tag", "boxed")) == ("4", "answer_tag")
    assert parse_priority("answer_tag>boxed") == ("answer_tag", "boxed")
    assert parse_priority("boxed | final_answer") == ("boxed", "final_answer")
    assert parse_priority(None) == DEFAULT_PRIORITY
    with pytest.raises(ValueError, match="unknown extraction strategy"):
        parse_priority("boxed>magic")
    with pytest.raises(ValueError, match="empty"):
        parse_priority("")


def test_text_after_the_think_block_is_searched_first():
    assert extract("<think>maybe \\boxed{5}</think>The answer is 7.") == ("7", "final_answer")
    assert extract("<think>it is \\boxed{5}</think>") == ("5", "boxed")


def test_gold_uses_the_same_strategies_then_the_whole_text():
    assert extract_gold("The answer is $\\boxed{5}$.") == ("5", "boxed")
    assert extract_gold("x = 3") == ("x = 3", "whole")
    assert extract_gold("3 apples") == ("3 apples", "whole")
    assert extract_gold("Answer: 12") == ("12", "final_answer")


def test_extraction_is_fast_on_long_pathological_text():
    import time

    text = ("$" + "a" * 50) * 4000 + "\\boxed{" * 2000 + "(" * 10_000 + "Answer: 1"
    start = time.perf_counter()
    extract(text)
    assert time.perf_counter() - start < 2.0
