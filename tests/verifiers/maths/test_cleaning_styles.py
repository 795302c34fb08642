"""Cleaning: sizes, colours and styles around an answer, TeX's `\\over`, `\\operatorname` units, an answer
phrase inside the box, 或/且 (or/and) in conditions, glued one-letter units, other dollar signs, ratio colons."""

from __future__ import annotations

import pytest

from verifiers.maths.cleaning import clean, undouble_backslashes


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("\\large 7", "7"),
        ("\\Huge 12", "12"),
        ("\\small\\frac12", "\\frac12"),
        ("\\underline{7}", "7"),
        ("\\mathbf{7}", "7"),
        ("\\bm{x}", "x"),
        ("\\frac{1}{\\underline{2}}", "\\frac{1}{2}"),
        ("\\underline{x+1}^2", "{x+1}^2"),
        ("{1 \\over 2}", "\\frac{1}{2}"),
        ("3 \\over 4", "\\frac{3}{4}"),
        ("\\frac{{a \\over b}}{2}", "\\frac{\\frac{a}{b}}{2}"),
        ("5 \\operatorname{cm}", "5 \\text{ cm}"),
        ("\\text{The answer is } 5", "5"),
        ("\\text{Final answer: } x = 2", "x = 2"),
        ("\\text{the result is} \\frac{1}{3}", "\\frac{1}{3}"),
        ("x<1或x>3", "x<1 \\text{ or } x>3"),
        ("x \\le -1 或 x \\ge 3", "x \\le -1 \\text{ or } x \\ge 3"),
        ("x>0且x\\neq1", "x>0 \\text{ and } x\\ne 1"),
        ("x<1或者x>3", "x<1 \\text{ or } x>3"),
        ("x=1或x=2", "x=1, x=2"),
        ("100m", "100 \\text{ m}"),
        ("2.5h", "2.5 \\text{ h}"),
        ("3m", "3m"),
        ("R$ 30", "30"),
        ("US$12", "12"),
        ("1∶2", "1:2"),
        ("=> 42", "42"),
        ("\\Rightarrow x = 2", "x = 2"),
        ("⇒ 7", "7"),
        ("x=1orx=2", "x=1 or x=2"),
        ("W(x)=1orW(x)=-1", "W(x)=1 or W(x)=-1"),
        ("a_1=2anda_2=5", "a_1=2 and a_2=5"),
        ("floor(x)", "floor(x)"),
        ("x = color", "x = color"),
        ("\\overline{AB}", "\\overline{AB}"),
        ("\\operatorname{lcm}(4,6)", "\\operatorname{lcm}(4,6)"),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("\\\\{1, 2\\\\}", "\\{1, 2\\}"),
        ("\\\\{x \\\\mid x > 0\\\\}", "\\{x \\mid x > 0\\}"),
        ("1 \\\\ {2}", "1 \\\\ {2}"),  # a row break before a group: ordinary LaTeX
    ],
)
def test_doubled_braces(raw, expected):
    assert undouble_backslashes(raw) == expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\color{red}{7}", "7", True),
        ("\\textcolor{blue}{5}", "5", True),
        ("{\\color{red} 7}", "7", True),
        ("\\Large{7}", "7", True),
        ("\\large 7", "8", False),
        ("\\underline{7}", "7", True),
        ("{1 \\over 2}", "\\frac12", True),
        ("{1 \\over 2}", "2", False),
        ("5 \\operatorname{cm}", "5", True),
        ("100m", "100", True),
        ("Answer: R$ 30", "30", True),
        ("1:2", "1∶2", True),
        ("(-\\infty,1)\\cup(3,+\\infty)", "\\{x|x<1或x>3\\}", True),
        ("(-\\infty,1]\\cup(3,+\\infty)", "\\{x|x<1或x>3\\}", False),
        ("(0,1)\\cup(1,+\\infty)", "\\{x|x>0且x\\neq1\\}", True),
        ("(0,+\\infty)", "\\{x|x>0且x\\neq1\\}", False),
        ("(0,1)\\cup(2,+\\infty)", "0<x<1或x>2", True),
        ("(-\\infty,-1]\\cup[3,+\\infty)", "x \\le -1 或 x \\ge 3", True),
        ("\\\\{1, 2\\\\}", "\\{1,2\\}", True),
    ],
)
def test_readings_compare(maths, pred, gold, expected):
    result = maths({"completion": pred, "answer": gold})
    assert result.passed is expected, (result.details.get("extracted"), result.reason)
