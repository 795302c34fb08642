"""The answer a conclusion states, not a value of the reason after it; dollar signs in prose.

Each row is (completion, gold, whether the verifier must pass it). Rows that must fail guard against
false positives: a value taken from a justification, a check or a remark after the answer.
"""

from __future__ import annotations

import pytest

from verifiers.maths.answer_extraction import extract, math_spans

JUSTIFICATIONS = [
    # a clause after the stated answer: since, because, as, where, for, with, using, at, when, from
    ("The area is $48$, since the base is $12$ and the height is $8$.", "48", True),
    ("The area is $48$, since the base is $12$ and the height is $8$.", "8", False),
    ("Thus $n = 12$ because $12^2 = 144$.", "12", True),
    ("Thus $n = 12$ because $12^2 = 144$.", "144", False),
    ("The smallest such number is $60$, as $60 = 2^2 \\cdot 3 \\cdot 5$ is divisible by $1, \\dots, 6$.", "60", True),
    ("So the limit equals $e^2$ as $x \\to \\infty$.", "e^2", True),
    ("Therefore, the series converges to $2$ for $|r| < 1$.", "2", True),
    ("Hence $k = -2$ for all $x \\in \\mathbb{R}$.", "-2", True),
    ("The perimeter is $30$ cm, where each side is $7.5$ cm.", "30", True),
    ("The perimeter is $30$ cm, where each side is $7.5$ cm.", "7.5", False),
    ("The final speed is $20$ m/s, using $v = u + at$ with $u = 0$, $a = 2$, $t = 10$.", "20", True),
    ("The minimum value is $-4$, attained at $x = 2$.", "-4", True),
    ("The minimum value is $-4$, attained at $x = 2$.", "2", False),
    ("The function attains its maximum value $5$ at $x = \\frac{\\pi}{2}$.", "5", True),
    ("The probability is $\\frac{1}{6}$, approximately $0.1667$.", "\\frac16", True),
    ("The remainder is 4 when 2024 is divided by 5, because 2024 = 5 * 404 + 4.", "4", True),
    ("The largest prime factor of 91 is 13, since $91 = 7 \\times 13$.", "13", True),
    ("The largest prime factor of 91 is 13, since $91 = 7 \\times 13$.", "91", False),
    ("So there are 35 ways, because we choose 3 of 7.", "35", True),
    # a bracketed remark or "indeed" after the answer
    ("Hence the number of diagonals is $20$ (using $\\frac{n(n-3)}{2}$ with $n = 8$).", "20", True),
    ("Hence the number of diagonals is $20$ (using $\\frac{n(n-3)}{2}$ with $n = 8$).", "8", False),
    ("The remainder is $1$ (since $2^{10} = 1024 = 93 \\cdot 11 + 1$).", "1", True),
    ("So the value is $\\frac{3}{5}$; indeed $\\frac{3}{5} + \\frac{2}{5} = 1$.", "\\frac35", True),
    ("So the value is $\\frac{3}{5}$; indeed $\\frac{3}{5} + \\frac{2}{5} = 1$.", "1", False),
    ("So $x = 4$, which we can verify: $2(4) + 3 = 11$.", "4", True),
    # a remark sentence after the conclusion
    ("We conclude that $x = 3$. (Substituting back: $3^2 - 9 = 0$.)", "3", True),
    ("We conclude that $x = 3$. (Substituting back: $3^2 - 9 = 0$.)", "0", False),
    ("So $n = 5$.\n\nCheck: $3 \\cdot 5 = 15 \\equiv 1 \\pmod 7$.", "5", True),
    ("We get $n = 7$. For comparison, $n = 6$ gives only 720 arrangements.", "7", True),
    ("Hence $AB = 10$. Note that this is consistent with $6 + 8 > 10$.", "10", True),
    ("So $P = \\frac{1}{4}$. This is consistent with symmetry, since each of the $4$ cases is likely.", "0.25", True),
    ("So $P = \\frac{1}{4}$. This is consistent with symmetry, since each of the $4$ cases is likely.", "4", False),
    ("The total is 12. Check: 5 + 7 = 12.", "12", True),
    # part labels are no remarks: the last part stands
    ("(a) $x = 3$. (b) $x = 5$.", "5", True),
    ("(i) $x = 3$ (ii) $x = 5$", "5", True),
    # a reason before the answer, or a conclusion that resumes after the reason: the last value stands
    ("Since $a = 2$, the area is $9$.", "9", True),
    ("We find $a = 3$, where $a$ is the side, so the area is $9$.", "9", True),
    ("For $x = 2$ we get $y = 7$.", "7", True),
    ("The value of $f$ at $x = 2$ is $5$.", "5", True),
    ("Plugging in, $f'(x) = 3x^2$, which at $x = 2$ equals $12$.", "12", True),
    ("So the limit of $f$ as $x \\to 0$ is $1$.", "1", True),
    ("Therefore $f$ is continuous at $x = 0$.", "0", True),
    ("The rent is $1,450 per month, so for a year they pay $17,400.", "17400", True),
    # other languages: denn, car, porque, 因为 (because)
    ("Die gesuchte Zahl ist 7, denn 7 · 8 = 56.", "7", True),
    ("Die gesuchte Zahl ist 7, denn 7 · 8 = 56.", "56", False),
    ("Also ist $x = 5$, denn $2 \\cdot 5 = 10$.", "5", True),
    ("所以这个数是 $18$，因为 $18 \\div 3 = 6$。", "18", True),
    ("La respuesta es 4, porque 2 + 2 = 4.", "4", True),
    ("Le nombre cherché est $9$, car $3^2 = 9$.", "9", True),
    # "which is the answer" points back; a last sentence that states a number answers after the working
    ("After simplifying, we get $\\frac{x+1}{x-1}$, which is the answer.", "\\frac{x+1}{x-1}", True),
    ("Adding the two gives 42, which is our answer.", "42", True),
    ("So $a = 12$ and $b = 8$.\n\nThe larger number is 12.", "12", True),
    ("We find $x = 3$ and $y = 4$. The sum is 7 units.", "7", True),
    ("We find $x = 3$. The total is 3 more than before.", "3", True),
    # a bracket after the value, in any script: a remark, a check, a computation
    ("Итак, ответ: 15 (так как 3 · 5 = 15).", "15", True),
    ("所以 $x=4$（检验：$2\\times4+1=9$）。", "4", True),
    ("所以 $x=4$（检验：$2\\times4+1=9$）。", "9", False),
    ("Also beträgt der Umfang 18 cm (3 · 6 cm).", "18", True),
    ("Así que el resultado es 45 (9 × 5).", "45", True),
    ("Значит, x = 6 (проверка: 6 + 4 = 10).", "6", True),
    ("Значит, x = 6 (проверка: 6 + 4 = 10).", "10", False),
    (
        "The solution is $x = \\frac{7}{2}$, which satisfies the equation ($2 \\cdot \\frac{7}{2} - 3 = 4$).",
        "3.5",
        True,
    ),
    ("So the sum is 12 (that is, 5 + 7).", "12", True),
    ("The answer is (3, 4).", "(3,4)", True),
    ("The factorization is $(x+1)(x+2)$.", "(x+1)(x+2)", True),
    ("So f(x) = 2 (x + 1)", "2x+2", True),
    ("The answer is 3 (x - 2)(x + 2)", "3x^2-12", True),
    # a dash, a participle or "i.e." after the value
    ("Therefore, she needs 14 more stickers — she has 36 and wants 50.", "14", True),
    ("Therefore, she needs 14 more stickers — she has 36 and wants 50.", "50", False),
    ("The mode is 4, appearing three times in the list 1, 4, 4, 2, 4, 7.", "4", True),
    ("The result: 0.125, i.e. one eighth.", "\\frac18", True),
    # a comparison or a hypothetical after the answer
    ("The train covers the distance in 4 hours. This is faster than the bus, which needs 6 hours.", "4", True),
    ("The train covers the distance in 4 hours. This is faster than the bus, which needs 6 hours.", "6", False),
    ("The total comes to $\\$84$. That's well within the $\\$100$ budget.", "84", True),
    ("Thus $n = 23$. For larger $n$, say $n = 30$, the inequality fails.", "23", True),
    ("Thus $n = 23$. For larger $n$, say $n = 30$, the inequality fails.", "30", False),
    (
        "Thus $p = \\frac{1}{3}$. By symmetry, $q$ is also $\\frac{1}{3}$ and $r = 1 - p - q = \\frac{1}{3}$.",
        "\\frac13",
        True,
    ),
    ("So $a = 2$. Similarly, $b = 5$.", "2", True),
    # a follow-on value after a semicolon
    (
        "So the smallest positive solution is $x = \\frac{\\pi}{6}$; the next one is $x = \\frac{5\\pi}{6}$.",
        "\\frac{\\pi}{6}",
        True,
    ),
    (
        "So the smallest positive solution is $x = \\frac{\\pi}{6}$; the next one is $x = \\frac{5\\pi}{6}$.",
        "\\frac{5\\pi}{6}",
        False,
    ),
    ("The least value is 3; another candidate, 5, is larger.", "3", True),
    ("So $x = 1$ and $y = 2$; the sum is $3$.", "3", True),
]

CURRENCY = [
    ("Each shirt costs $8, so 5 shirts cost $40.", "40", True),
    ("Each shirt costs $8, so 5 shirts cost $40.", "8", False),
    ("He paid $20 and got $3.50 back, so the sandwich cost $16.50.", "16.5", True),
    ("She earned $450 in June and $520 in July, a total of $970.", "970", True),
    ("Total cost: $1,250 + $375 = $1,625.", "1625", True),
    ("Total = $3.25 + $4.75 = $8.00", "8", True),
    ("They need $1,200 - $850 = $350 more.", "350", True),
    ("The phone costs $299. With the $50 discount, it's $249.", "249", True),
    ("Revenue = 150 × $4 = $600; cost = $420; profit = $600 − $420 = $180.", "180", True),
    ("He earns $15/hour for 40 hours ($600) plus 5 hours at $22.50/hour ($112.50). Total: $712.50", "712.5", True),
    ("After spending $30 on books and $12 on lunch, he has $58 left from his $100.", "58", True),
    ("The discount is 20% of $80, which is $16, so she pays $80 - $16 = $64.\n\n**64**", "64", True),
    # math mode still reads as math
    ("We have $2$ apples and $3$ pears, so $5$ fruits.", "5", True),
    ("The area is $9 \\text{ cm}^2$.", "9", True),
]


@pytest.mark.parametrize("completion, gold, expected", JUSTIFICATIONS + CURRENCY)
def test_completion_against_gold(maths, completion, gold, expected):
    result = maths({"completion": completion, "answer": gold})
    assert result.passed is expected, (result.details.get("extracted"), result.reason)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("costs $8, so 5 cost $40.", []),
        ("$12 + $9 = $21", []),
        ("is $5$ and $x = 2$", ["5", "x = 2"]),
        ("$3 cm$ and $9$", ["3 cm", "9"]),
        ("$15/hour ($600)", []),
        ("$1 \\cdot 2$", ["1 \\cdot 2"]),
        ("$3 + 4 = 7 $ and $12 $", ["3 + 4 = 7", "12"]),
        ("costs $5 and $7 in all", []),
    ],
)
def test_a_dollar_before_a_digit_that_does_not_close_like_math_is_currency(text, expected):
    assert [c for _, _, c in math_spans(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "$1 " * 70_000,
        "$1$ since " * 20_000,
        "is $1$ because $2$ as " * 9_000,
        "The area is 5 since " * 10_000,
        "a. Check: $1$. " * 13_000,
        "(using $x$ " * 20_000,
    ],
)
def test_hostile_text_is_read_in_one_pass(text):
    assert extract(text[:200_000])[0] is not None
