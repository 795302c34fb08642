"""Multiple-choice answers stated in prose, negated answers, tool output, whole-sentence completions, yes/no,
number words, named answers and units after a number in prose.

Each row is (completion, gold, whether the verifier must pass it).
"""

from __future__ import annotations

import pytest

from verifiers.maths.answer_extraction import extract

CHOICES = [
    ("The correct answer is C) 12.", "C", True),
    ("The correct answer is C) 12.", "12", True),
    ("I choose option B.", "B", True),
    ("I choose option B.", "C", False),
    ("After checking each case, I pick (D).", "D", True),
    ("We select answer E.", "E", True),
    ("I'll go with B.", "B", True),
    ("So option (E) is correct.", "E", True),
    ("Therefore choice A is the right one.", "A", True),
    ("The answer is C, not B.", "C", True),
    ("The answer is C, not B.", "B", False),
    ("(c)", "C", True),
    ("c) 12", "C", True),
    ("Choice C: 12", "C", True),
    ("Choice C: 12", "12", True),
    ("Option C", "C", True),
    ("Option C", "D", False),
    ("The correct option is (A) $\\frac{3}{4}$.", "A", True),
    ("The correct option is (A) $\\frac{3}{4}$.", "\\frac34", True),
    ("So the answer must be (A) or (B); since the sum is even, it is (B).", "B", True),
    ("So the answer must be (A) or (B); since the sum is even, it is (B).", "A", False),
    # Chinese: 故选 (hence choose), 【答案】 (answer) heading the analysis
    ("故选C.", "\\text{C}", True),
    ("故选：B．", "B", True),
    ("所以选 D", "D", True),
    ("【答案】C\n【解析】由题意可知……", "C", True),
    ("解：A．$\\sqrt{4}=2$，故本选项错误；\nB．$2^{-1}=\\frac12$，故本选项正确；\n故选：B．", "B", True),
    # a verb of choosing with no choice letter after it is prose
    ("We pick a = 3 and get 7.", "7", True),
    ("Choose a point $P$ so that $PA = 5$.", "5", True),
    ("Select 4 of the 9 balls: the count is 126.", "126", True),
    ("We choose B = 4 so that the sum is 9.", "B", False),
]

NEGATIONS = [
    ("The answer is not 5; it is 6.", "6", True),
    ("The answer is not 5; it is 6.", "5", False),
    ("The answer is not 12, but 15.", "15", True),
    ("The answer is not $\\frac{1}{2}$; it is $\\frac{1}{3}$.", "\\frac13", True),
    ("The answer is 6, not 5.", "6", True),
    ("The answer is 6, not 5.", "5", False),
]

SHAPES = [
    ("It is 5.", "5", True),
    ("It is 5.", "4", False),
    ("So it is 12 apples.", "12", True),
    ("We are done: it is 7", "7", True),
    ("```python\nprint(sum(range(1, 101)))\n```\n```output\n5050\n```", "5050", True),
    ("```python\nprint(2**10)\n```\n```\n1024\n```", "1024", True),
    ("\\boxed{\\text{The answer is } 5}", "5", True),
    ("\\boxed{\\text{Final answer: } \\frac{1}{2}}", "0.5", True),
    ("\\boxed{\\text{Jenna has 12 apples}}", "12", True),
    ("\\boxed{\\text{Jenna has 12 apples}}", "1", False),
    ("x<-1或x>3", "\\left(-\\infty ,-1\\right)\\cup \\left(3,+\\infty \\right)", True),
    ("x<-1或x>3", "(-1,3)", False),
    ("所以 $a$ 的取值范围是 $a\\geqslant 1$ 且 $a\\neq 2$。", "[1,2)\\cup(2,+\\infty)", True),
    ("The possible values are 1, 2, and 4.", "\\{1, 2, 4\\}", True),
    ("The answers are:\n- 2\n- 5", "2, 5", True),
    ("The answers are:\n- 2\n- 5", "5", False),
    ("f(x) = x \\text{ for all } x", "f(x)=x", True),
    ("f(x) = x \\text{ for all real } x", "f(x)=x+1", False),
    ("=> 42", "42", True),
    ("$$\\text{Answer: } 0.35$$", "\\frac{7}{20}", True),
    ("\\[\\text{Final answer: } 12\\]", "12", True),
    ("The correct statement is ②.", "②", True),
]

WORDS = [
    ("Yes, it is possible.", "\\text{Yes}", True),
    ("No, such a sequence does not exist.", "No", True),
    ("No, such a sequence does not exist.", "Yes", False),
    ("**Yes** - take a = b.", "yes", True),
    ("There are twelve apples.", "12", True),
    ("She has five more marbles than Tom.", "5", True),
    ("It takes one hundred days.", "100", True),
    ("Exactly two solutions exist.", "2", True),
    ("There are nine of them.", "8", False),
    ("No one knows.", "1", False),
    # a "No, ..." or a number word in a closing remark does not replace the number worked out before it
    ("We add 5 and 7 to get 12.\nNo, that is right.", "12", True),
    ("So 5 + 7 = 12.\nThis has two cases.", "12", True),
    ("5 + 7 = 12 apples.\nSo there are twelve apples.", "12", True),
    ("The shape is a rhombus.", "\\text{rhombus}", True),
    ("The function is odd.", "\\text{odd}", True),
    ("The function is odd.", "\\text{even}", False),
    ("It falls on a Wednesday.", "\\text{Wednesday}", True),
    # a unit after the number in prose is kept for the comparison
    ("It takes 2.5 hours.", "150 \\text{ minutes}", True),
    ("It takes 2.5 hours.", "2.5", True),
    ("The current is 2 mA.", "2 \\text{ A}", False),
    ("The speed of the wave is 340 m/s.", "340", True),
    ("He is 12 years old.", "12", True),
    # a duration in two units is read whole
    ("2 hours and 30 minutes", "2.5 hours", True),
    ("The trip takes 2 h 15 min.", "135 \\text{ minutes}", True),
    ("The trip takes 2 h 15 min.", "15", False),
    # sympy's printing as the last line
    ("Rational(3, 4)", "0.75", True),
    ("Union(Interval.open(-oo, -1), Interval.open(1, oo))", "(-\\infty,-1)\\cup(1,\\infty)", True),
    ("FiniteSet(1, 2)", "\\{1, 2\\}", True),
    # "yes" after an answer phrase, a value made precise, a contrast after the value
    ("The answer is yes: take $a = 1$ and $b = 2$.", "Yes", True),
    ("The answer is between 10 and 20; precisely, it is 15.", "15", True),
    ("The answer is between 10 and 20; precisely, it is 15.", "10", False),
    ("The answer is 5, exactly as expected.", "5", True),
    ("The answer is about 3; in fact, it is $\\pi$.", "\\pi", True),
    ("Hence there are 8 solutions, not 6 as one might expect.", "8", True),
    ("Hence there are 8 solutions, not 6 as one might expect.", "6", False),
]


@pytest.mark.parametrize("completion, gold, expected", CHOICES + NEGATIONS + SHAPES + WORDS)
def test_completion_against_gold(maths, completion, gold, expected):
    result = maths({"completion": completion, "answer": gold})
    assert result.passed is expected, (result.details.get("extracted"), result.reason)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I choose option B.", "B"),
        ("The answer is C, not B.", "C"),
        ("So option (E) is correct.", "(E)"),
        ("Choice C: 12", "(C) 12"),
        ("The answer is not 5; it is 6.", "6"),
        ("It is 5.", "5"),
        ("```output\n42\n```", "42"),
        ("The energy is 2.5 kJ.", "2.5 kJ"),
        ("The wavelength is 500 nm.", "500 nm"),
        ("There are twelve apples.", "twelve"),
        ("It takes one hundred days.", "one hundred"),
        ("The shape is a rhombus.", "rhombus"),
    ],
)
def test_extracted_text(text, expected):
    assert extract(text)[0] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I choose " * 25_000, None),
        ("I choose B " * 20_000, "B"),
        ("option C " * 25_000, None),
        ("故选" * 60_000, None),
        ("not 5, " * 30_000, "5"),
        ("```\n" * 50_000, None),
    ],
)
def test_hostile_text_is_read_in_one_pass(text, expected):
    assert extract(text[:200_000])[0] == expected
