"""Remarks, checks and comments after the stated answer, in new wordings and several languages.

Each row is (completion, gold, whether the verifier must pass it). Rows that must fail guard against
false positives: a value taken from the remark instead of the answer, or a remark rule that eats the answer.
"""

from __future__ import annotations

import pytest

from verifiers.maths.answer_extraction import extract

# A check, remark or comment on its own line after the line that states the answer.
REMARK_LINES = [
    ("So the garden needs 84 tiles.\nSanity check: 84 / 12 = 7 rows, as expected.", "84", True),
    ("So the garden needs 84 tiles.\nSanity check: 84 / 12 = 7 rows, as expected.", "7", False),
    ("Hence y = 9.\n\nVerification: 2(9) + 1 = 19 ✓", "9", True),
    ("Hence y = 9.\n\nVerification: 2(9) + 1 = 19 ✓", "19", False),
    ("The median is 14.\nRemark: the mean, 15.5, is larger because of the outlier.", "14", True),
    ("The median is 14.\nRemark: the mean, 15.5, is larger because of the outlier.", "15.5", False),
    ("She will be 31 years old.\nComment: her brother will then be 27.", "31", True),
    ("She will be 31 years old.\nComment: her brother will then be 27.", "27", False),
    ("The LCM of 18 and 24 is 72.\nDouble-checking: 72 = 4·18 = 3·24.", "72", True),
    ("The LCM of 18 and 24 is 72.\nDouble check: 72 / 18 = 4 and 72 / 24 = 3.", "3", False),
    (
        "So the integral equals 2/3.\n\nAlternatively, a substitution u = x^2 gives the same value, 2/3.",
        "\\frac23",
        True,
    ),
    ("So the integral equals 2/3.\n\nAlternative approach: integrate by parts with u = 1 and dv = x dx.", "1", False),
    ("The tank is full after 45 minutes.\n(If the second pipe were closed it would take 60 minutes.)", "45", True),
    ("The tank is full after 45 minutes.\n(If the second pipe were closed it would take 60 minutes.)", "60", False),
    ("The fence is 52 m long.\nNote: the area, 160 m², was not asked for.", "52", True),
    # several remark lines in a row
    ("The answer is 17.\nCheck: 17 is prime.\nNote: 19 is the next prime.", "17", True),
    ("The answer is 17.\nCheck: 17 is prime.\nNote: 19 is the next prime.", "19", False),
]

# The same in other languages: Spanish, Portuguese, German, Japanese.
REMARK_LINES_LANGUAGES = [
    ("Por lo tanto, x = 6.\nComprobación: 4·6 − 5 = 19 ✓", "6", True),
    ("Por lo tanto, x = 6.\nComprobación: 4·6 − 5 = 19 ✓", "19", False),
    ("El perímetro es 36 cm.\nObservación: el área sería 80 cm².", "36", True),
    ("El perímetro es 36 cm.\nObservación: el área sería 80 cm².", "80", False),
    ("Logo, o total é 150 reais.\nVerificação: 3 · 50 = 150.", "150", True),
    ("A resposta é 8.\nNota: com 10 alunos seriam 12 grupos.", "8", True),
    ("A resposta é 8.\nNota: com 10 alunos seriam 12 grupos.", "12", False),
    ("Also ist n = 11.\nProbe: 3 · 11 − 2 = 31 ✓", "11", True),
    ("Also ist n = 11.\nProbe: 3 · 11 − 2 = 31 ✓", "31", False),
    ("Der Zug braucht 4 Stunden.\nZum Vergleich: das Auto braucht 5 Stunden.", "4", True),
    ("Der Zug braucht 4 Stunden.\nZum Vergleich: das Auto braucht 5 Stunden.", "5", False),
    ("答えは 27 です。\n検算: 3 × 9 = 27", "27", True),
    ("答えは 27 です。\nなお、9 の倍数です。", "9", False),
]

# A remark sentence after the conclusion on the same line; the conclusion's own reason is then set aside.
REMARK_SENTENCES = [
    ("Therefore the maximum is 10, attained at t = 3. It is worth noting that there is no minimum.", "10", True),
    ("Therefore the maximum is 10, attained at t = 3. It is worth noting that there is no minimum.", "3", False),
    ("So the least value is -1, reached when x = 0. It's worth mentioning that the graph is a parabola.", "-1", True),
    ("The total is 40, since each of the 8 boxes holds 5. Note that boxes are never shared.", "40", True),
    ("The total is 40, since each of the 8 boxes holds 5. Note that boxes are never shared.", "5", False),
]

# A comparison with another value after the stated one: the stated value is the answer.
COMPARISONS = [
    ("So the cyclist's speed is 18 km/h, which is 6 km/h slower than the scooter.", "18", True),
    ("So the cyclist's speed is 18 km/h, which is 6 km/h slower than the scooter.", "6", False),
    ("Therefore Lena has 45 stamps, which is 12 more than Omar.", "45", True),
    ("Therefore Lena has 45 stamps, which is 12 more than Omar.", "12", False),
    ("The new price is $64, which is $16 less than before.", "64", True),
    ("Hence the tower is 120 m tall, which is three times taller than the house.", "120", True),
    # a currency sign between the stating words and the value, then a difference of values
    ("Now the car is worth $9,600, a drop of $2,400 from the price of $12,000.", "9600", True),
    ("Now the car is worth $9,600, a drop of $2,400 from the price of $12,000.", "12000", False),
    ("The savings are now about €5,250, an increase of €250 over last year's €5,000.", "5250", True),
    ("His salary is roughly £41,200, a rise of £1,200 on the old £40,000.", "41200", True),
    ("His salary is roughly £41,200, a rise of £1,200 on the old £40,000.", "1200", False),
]

# A multiple of pi written in prose after the value's verb, in several languages.
PI_IN_PROSE = [
    ("So the area of the circle is 25π square centimetres.", "25\\pi", True),
    ("So the area of the circle is 25π square centimetres.", "25", False),
    ("Therefore the arc length is 4π cm.", "4\\pi", True),
    ("Por lo tanto, el volumen es 36π unidades cúbicas.", "36\\pi", True),
    ("Der Umfang beträgt also 10π Meter.", "10\\pi", True),
    ("Der Umfang beträgt also 10π Meter.", "10", False),
    ("There are 3 pies on the table.", "3", True),
]

# Guards: a last line that is the answer itself, or a remark with no stated number before it, still decides.
GUARDS = [
    ("The intersection point is\n(3, 4)", "(3, 4)", True),
    ("The roots are found below.\n(x - 2)(x + 5) = 0 gives\nx = 2", "2", True),
    ("We compute the sum step by step.\nCheck: the total is 12.", "12", True),
    # a remark line that corrects the answer before it is the answer
    ("The first try gave 10, which is wrong.\nNote: the correct count is 11.", "11", True),
    ("So the total is 30.\nCheck: that was a mistake, it is actually 32.", "32", True),
    ("So the total is 30.\nCheck: that was a mistake, it is actually 32.", "30", False),
]


@pytest.mark.parametrize(
    "completion, gold, expected",
    REMARK_LINES + REMARK_LINES_LANGUAGES + REMARK_SENTENCES + COMPARISONS + PI_IN_PROSE + GUARDS,
)
def test_completion_against_gold(maths, completion, gold, expected):
    result = maths({"completion": completion, "answer": gold})
    assert result.passed is expected, (result.details.get("extracted"), result.reason)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The mode is 6.\nCheck: 6 appears 3 times.", "6"),
        ("Die Lösung ist 2,5.\nProbe: 2 · 2,5 = 5", "2,5"),
        ("La respuesta es 13.\nObservación: 13 es primo, como 11.", "13"),
        ("Minimum: 0, at x = 1. It is worth adding that f is even.", "0"),
    ],
)
def test_extracted_answer_skips_the_remark(text, expected):
    assert extract(text)[0] == expected
