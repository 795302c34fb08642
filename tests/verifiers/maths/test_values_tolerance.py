"""Decimal approximations against exact values: the tolerance policy and its options."""

from __future__ import annotations

from fractions import Fraction

import pytest

from verifiers.maths.cleaning import clean
from verifiers.maths.compare import judge
from verifiers.maths.parser import parse
from verifiers.maths.policy import Policy
from verifiers.maths.symbolic import SympyBackend
from verifiers.maths.tolerance import rounded, terminates, written_decimal

DEFAULT = Policy()


def equal(pred: str, gold: str, **settings) -> bool | None:
    policy = Policy(**settings)
    return judge(pred, gold, policy, SympyBackend(policy)).equal


@pytest.mark.parametrize(
    "pred, gold",
    [
        # long and short renderings of fractions with no finite decimal expansion
        ("0.142857142857", "\\frac{1}{7}"),
        ("0.142857", "\\frac17"),
        ("0.333", "1/3"),
        ("0.3333", "\\frac{1}{3}"),
        ("-0.333", "-\\frac13"),
        ("0.667", "\\frac{2}{3}"),
        ("0.6667", "\\frac23"),
        ("6.67", "\\frac{20}{3}"),
        ("0.0417", "\\frac{1}{24}"),
        ("33.33", "\\frac{100}{3}"),
        ("3.142857", "\\frac{22}{7}"),
        ("0.0833333333333333", "\\frac{1}{12}"),
        # scientific notation and percent carry their precision
        ("4.1667\\times10^{-2}", "\\frac{1}{24}"),
        ("4.1667 \\cdot 10^{-2}", "\\frac{1}{24}"),
        ("4.1667e-2", "\\frac{1}{24}"),
        ("8.33\\times 10^{-4}", "\\frac{1}{1200}"),
        ("33.3\\%", "\\frac13"),
        ("33.33\\%", "1/3"),
        ("66.7\\%", "\\frac{2}{3}"),
        ("141.4\\%", "\\sqrt{2}"),
        # irrational values
        ("2.236", "\\sqrt5"),
        ("2.2361", "\\sqrt{5}"),
        ("2.24", "\\sqrt5"),
        ("1.414", "\\sqrt2"),
        ("1.41", "\\sqrt{2}"),
        ("-1.414", "-\\sqrt2"),
        ("1.41421356237", "\\sqrt{2}"),
        ("14.142", "10\\sqrt2"),
        ("0.7071", "\\frac{\\sqrt2}{2}"),
        ("0.707", "\\frac{1}{\\sqrt2}"),
        ("1.73", "\\sqrt3"),
        ("62.832", "20\\pi"),
        ("62.83", "20\\pi"),
        ("62.8", "20\\pi"),
        ("3.14", "\\pi"),
        ("3.1416", "\\pi"),
        ("3.14159", "\\pi"),
        ("6.28", "2\\pi"),
        ("1.5708", "\\frac{\\pi}{2}"),
        ("1.0472", "\\frac{\\pi}{3}"),
        ("9.8696", "\\pi^2"),
        ("2.718", "e"),
        ("2.71828", "e"),
        ("0.693", "\\ln 2"),
        ("0.6931", "\\log 2"),
        # the gold is the decimal, the prediction exact
        ("\\pi", "3.14"),
        ("\\pi", "3.1416"),
        ("\\frac{1}{3}", "0.333"),
        ("\\sqrt5", "2.236"),
        ("\\frac{70}{9}", "7.78"),
        ("20\\pi", "62.83"),
        # two decimals, one a rounding of the other
        ("2.71828", "2.7183"),
        ("2.7183", "2.71828"),
        ("0.10000000001", "0.1"),
        ("3.0000001", "3"),
        # a decimal within the relative tolerance of an integer
        ("5.0001", "5"),
        ("5", "5.0001"),
        ("1000000.1", "1000000"),
        ("99.999", "100"),
    ],
)
def test_decimal_approximations_are_equal_by_default(pred, gold):
    assert equal(pred, gold) is True


@pytest.mark.parametrize(
    "pred, gold",
    [
        # integers and fractions are exact: no tolerance between them
        ("5", "6"),
        ("6", "5"),
        ("100", "101"),
        ("100000", "100001"),
        ("123456789", "123456788"),
        ("\\frac{333}{1000}", "\\frac{1}{3}"),
        ("\\frac{22}{7}", "\\pi"),
        ("10^{-10}", "2\\times10^{-10}"),
        ("1\\times10^{-12}", "0"),
        # an integer is never rounded to meet a decimal
        ("100", "100.4"),
        ("100.4", "100"),
        ("1", "0.999"),
        ("1.001", "1"),
        ("3", "\\pi"),
        # too few significant digits to stand for an exact value
        ("0.3", "\\frac{1}{3}"),
        ("0.33", "\\frac{1}{3}"),
        ("3.1", "\\pi"),
        ("6.3", "2\\pi"),
        ("\\frac13", "0.33"),
        # a value with a finite expansion must be written exactly
        ("0.13", "\\frac{1}{8}"),
        ("2.5", "\\frac{127}{50}"),
        ("0.33", "0.333"),
        ("2.5", "2.54"),
        ("2.54", "2.5"),
        # truncated or simply wrong
        ("2.23", "\\sqrt5"),
        ("0.666", "\\frac23"),
        ("1.42", "\\sqrt2"),
        ("3.15", "\\pi"),
        ("2.236", "\\sqrt6"),
        ("0.0417", "\\frac{1}{25}"),
        ("-0.333", "\\frac13"),
        ("0.333", "-\\frac13"),
        ("0.5", "0.6"),
        ("33.3", "\\frac13"),
        ("4.1667\\times10^{-3}", "\\frac{1}{24}"),
    ],
)
def test_what_the_tolerance_never_accepts(pred, gold):
    assert equal(pred, gold) is False


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("(0.333, 0.5)", "(\\frac13, \\frac12)"),
        ("(1.414, 1.732)", "(\\sqrt2, \\sqrt3)"),
        ("[0.333, 1.414)", "[\\frac13, \\sqrt2)"),
        ("(-\\infty, 0.667]", "(-\\infty, \\frac23]"),
        ("\\{0.333, 0.667\\}", "\\{\\frac13, \\frac23\\}"),
        ("0.667, 0.333", "\\frac13, \\frac23"),
        (
            "\\begin{pmatrix}0.333 & 0.5 \\\\ 1.414 & 2\\end{pmatrix}",
            "\\begin{pmatrix}\\frac13 & \\frac12 \\\\ \\sqrt2 & 2\\end{pmatrix}",
        ),
        (
            "\\begin{pmatrix}0.7071 \\\\ 0.7071\\end{pmatrix}",
            "\\begin{pmatrix}\\frac{\\sqrt2}{2} \\\\ \\frac{\\sqrt2}{2}\\end{pmatrix}",
        ),
        ("x = 2.236", "x = \\sqrt5"),
        ("x = 0.333", "\\frac{1}{3}"),
    ],
)
def test_rounded_entries_of_tuples_intervals_sets_and_matrices(pred, gold):
    assert equal(pred, gold) is True


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("(0.333, 0.5)", "(\\frac13, \\frac14)"),
        ("(0.5, 0.333)", "(\\frac13, \\frac12)"),
        ("[0.333, 1.414]", "[\\frac13, \\sqrt2)"),
        ("\\begin{pmatrix}0.33 & 0.5\\end{pmatrix}", "\\begin{pmatrix}\\frac13 & \\frac12\\end{pmatrix}"),
        ("\\{0.333\\}", "\\{\\frac13, \\frac23\\}"),
    ],
)
def test_rounded_collections_still_need_every_entry(pred, gold):
    assert equal(pred, gold) is False


@pytest.mark.parametrize(
    "mode, pred, gold, expected",
    [
        ("exact", "0.142857142857", "\\frac{1}{7}", False),
        ("exact", "2.236", "\\sqrt5", False),
        ("exact", "5.0001", "5", False),
        ("exact", "0.5", "\\frac12", True),
        ("exact", "1.5\\times10^{3}", "1500", True),
        ("rounding", "0.142857", "\\frac17", True),
        ("rounding", "1.414214", "\\sqrt2", True),
        ("rounding", "0.0000001", "0.0000002", True),
        ("rounding", "2.236", "\\sqrt5", False),
        ("rounding", "5.0001", "5", False),
        ("rounding", "0.333", "\\frac13", False),
        ("relative", "5.0001", "5", True),
        ("relative", "2.236", "\\sqrt5", True),
        ("relative", "0.142857", "\\frac17", True),
        ("relative", "0.333", "\\frac13", False),
        ("relative", "0.0000001", "0.0000002", False),
        ("relative", "100", "101", False),
        ("precision", "0.333", "\\frac13", True),
        ("precision", "0.0000001", "0.0000002", True),
    ],
)
def test_tolerance_modes(mode, pred, gold, expected):
    assert equal(pred, gold, tolerance=mode) is expected


def test_the_relative_tolerance_and_the_rounding_places_can_be_set():
    assert equal("0.33", "\\frac13", tolerance="relative", decimal_rel_tol=0.02) is True
    assert equal("0.3", "\\frac13", tolerance="relative", decimal_rel_tol=0.02) is False
    assert equal("3.14", "\\pi", tolerance="relative", decimal_rel_tol=1e-3) is True
    assert equal("0.33", "\\frac13", tolerance="rounding", float_rounding=2) is True
    assert equal("0.34", "\\frac13", tolerance="rounding", float_rounding=2) is False
    assert equal("0.142857142857", "\\frac17", tolerance="rounding", float_rounding=12) is True
    assert equal("0.142857", "\\frac17", tolerance="rounding", float_rounding=12) is False


def test_gold_precision_accepts_short_decimal_golds():
    assert equal("\\frac{1}{3}", "0.33") is False
    assert equal("\\frac{1}{3}", "0.33", match_gold_precision=True) is True
    assert equal("0.3333", "0.33", match_gold_precision=True) is True


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"tolerance": "loose"}, "tolerance must be one of"),
        ({"decimal_rel_tol": -0.1}, "decimal_rel_tol"),
        ({"decimal_rel_tol": 1.5}, "decimal_rel_tol"),
        ({"float_rounding": -1}, "float_rounding"),
        ({"float_rounding": 2.5}, "float_rounding"),
        ({"float_rounding": 31}, "float_rounding"),
    ],
)
def test_bad_tolerance_settings_are_clear_errors(settings, message):
    with pytest.raises(ValueError, match=message):
        Policy(**settings)


def test_the_reason_names_the_rule_that_accepted():
    verdict = judge("0.333", "\\frac13", DEFAULT)
    assert verdict.equal is True and "significant digits" in verdict.reason
    verdict = judge("5.0001", "5", DEFAULT)
    assert "relative tolerance" in verdict.reason
    verdict = judge("0.142857", "\\frac17", DEFAULT)
    assert "rounded to 6 decimal places" in verdict.reason


def written(text: str):
    return written_decimal(parse(clean(text), DEFAULT))


@pytest.mark.parametrize(
    "text, value, places, digits",
    [
        ("2.50", Fraction(5, 2), 2, 3),
        ("-0.0417", Fraction(-417, 10000), 4, 3),
        (".5", Fraction(1, 2), 1, 1),
        ("1.5e3", Fraction(1500), -2, 2),
        ("1.5E-3", Fraction(15, 10000), 4, 2),
        ("4.17\\times10^{-2}", Fraction(417, 10000), 4, 3),
        ("4.17 \\cdot 10^{3}", Fraction(4170), -1, 3),
        ("33.3\\%", Fraction(333, 1000), 3, 3),
        ("0.000", Fraction(0), 3, 0),
    ],
)
def test_written_decimals_know_their_precision(text, value, places, digits):
    w = written(text)
    assert w is not None
    assert (w.value, w.places, w.digits) == (value, places, digits)


@pytest.mark.parametrize("text", ["5", "\\frac{1}{2}", "1e3", "2.5x", "\\sqrt{2.5}", "2.5 + 1", "0.(3)", "10^{-2}"])
def test_exact_values_are_not_written_decimals(text):
    assert written(text) is None


def test_rounding_and_finite_expansions():
    assert rounded(Fraction(1, 3), 3) == Fraction(333, 1000)
    assert rounded(Fraction(-2, 3), 2) == Fraction(-67, 100)
    assert rounded(Fraction(12345, 10), -2) == 1200
    assert rounded(Fraction(5, 2), 0) == 3  # half away from zero
    assert rounded(Fraction(-5, 2), 0) == -3
    assert terminates(Fraction(1, 8)) and terminates(Fraction(7, 20)) and terminates(Fraction(3))
    assert not terminates(Fraction(1, 3)) and not terminates(Fraction(1, 12))


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        # an expression with a decimal in it: the rounding and relative rules, no written precision
        ("2.236 + 1", "\\sqrt5+1", True),
        ("2.24 + 1", "\\sqrt5+1", False),
        ("0.5\\pi", "1.5708", True),
        ("1.5\\pi", "4.71", True),
        ("2.5\\sqrt2", "3.54", True),
        ("2.5\\sqrt2", "3.5", False),
        ("0.5 + \\frac13", "0.833", True),
        ("0.1 + 0.2", "0.30000001", True),
        ("2.5 \\cdot 2", "5.0001", True),
        ("2.5 \\cdot 2", "5.01", False),
    ],
)
def test_expressions_with_decimals_in_them(pred, gold, expected):
    assert equal(pred, gold) is expected


def test_tolerance_settings_in_a_reward_spec():
    from verifiers import load_reward

    reward = load_reward("math_equivalence:tolerance=relative,decimal_rel_tol=1e-3,float_rounding=4")
    assert (reward.policy.tolerance, reward.policy.decimal_rel_tol, reward.policy.float_rounding) == (
        "relative",
        1e-3,
        4,
    )
    assert reward({"completion": "\\boxed{0.1428}", "answer": "\\frac{1}{7}"}).passed
    assert not reward({"completion": "\\boxed{0.142}", "answer": "\\frac{1}{7}"}).passed
    strict = load_reward("math_equivalence:tolerance=exact")
    assert not strict({"completion": "\\boxed{0.142857142857}", "answer": "\\frac{1}{7}"}).passed
    assert strict({"completion": "\\boxed{0.5}", "answer": "\\frac{1}{2}"}).passed


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        # a decimal that trails off is a truncation of a longer value
        ("0.1666...", "\\frac16", True),
        ("0.1666\\ldots", "\\frac16", True),
        ("0.1666\\dots", "\\frac{1}{6}", True),
        ("0.666…", "\\frac23", True),
        ("-0.1666...", "-\\frac16", True),
        ("0.33...", "\\frac13", True),
        ("3.14159\\cdots", "\\pi", True),
        ("2.71828...", "e", True),
        ("x = 0.1666...", "x = \\frac16", True),
        ("\\frac16", "0.1666...", True),
        ("0.1666", "\\frac16", False),  # without the dots a truncation is not a rounding
        ("0.3...", "\\frac13", False),  # one digit is still too few
        ("0.1666...", "\\frac15", False),
        ("0.1667...", "\\frac{1}{5}", False),
        ("3.15...", "\\pi", False),
    ],
)
def test_decimals_that_trail_off(pred, gold, expected):
    assert equal(pred, gold) is expected


def test_a_list_that_trails_off_is_not_a_decimal():
    assert clean("1, 2, 3, ...") == "1, 2, 3"
    assert clean("0.1666...") == "0.1666\\ldots"
    assert written("0.1666...").trails_off


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

QUICK = settings(max_examples=200, deadline=None)


@QUICK
@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_distinct_integers_never_meet(a, b):
    if a != b:
        assert judge(str(a), str(b), DEFAULT).equal is False
        assert judge(f"\\frac{{{a}}}{{7}}", f"\\frac{{{b}}}{{7}}", DEFAULT).equal is False


@QUICK
@given(
    st.integers(1, 10**6),
    st.integers(2, 10**4).filter(lambda d: not terminates(Fraction(1, d))),
    st.integers(3, 12),
)
def test_a_rounding_to_enough_digits_stands_for_its_fraction(n, d, digits):
    q = Fraction(n, d)
    if terminates(q):
        return
    places = digits - len(str(int(q))) if q >= 1 else digits + len(str(q.denominator // q.numerator)) - 1
    text = f"{float(rounded(q, places)):.{max(places, 0)}f}" if places <= 15 else None
    if text is None or written(text) is None or written(text).value != rounded(q, places):
        return
    assert judge(text, f"\\frac{{{n}}}{{{d}}}", DEFAULT).equal is True, text
    off = rounded(q, places) + Fraction(3, 10**places) if places >= 0 else None
    # off by three units in the last place: wrong unless Math-Verify's 6-place rounding still meets it
    if off is not None and abs(off - q) / q > Fraction(1, 10**4) and rounded(off, 6) != rounded(q, 6):
        wrong = f"{float(off):.{places}f}"
        if written(wrong) is not None and written(wrong).value == off:
            assert judge(wrong, f"\\frac{{{n}}}{{{d}}}", DEFAULT).equal is False, wrong


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("0.5+0.866i", "e^{i\\pi/3}", True),
        ("0.5+0.866i", "\\frac12+\\frac{\\sqrt3}{2}i", True),
        ("1.732i", "\\sqrt{3}i", True),
        ("2 + 1.4142i", "2+\\sqrt2 i", True),
        ("0.5+0.87i", "\\frac12+\\frac{\\sqrt3}{2}i", False),
        ("-1.732i", "\\sqrt{3}i", False),
        ("1.732", "\\sqrt{3}i", False),
    ],
)
def test_complex_decimals_get_the_rounding_and_relative_rules_per_part(pred, gold, expected):
    assert equal(pred, gold) is expected


@pytest.mark.parametrize(
    "completion, gold",
    [
        ("0.666...", "\\frac23"),
        ("Answer: 0.1666...", "\\frac16"),
        ("The answer is 0.1666... so we are done.", "\\frac16"),
        ("The probability is $0.1666\\ldots$", "\\frac16"),
    ],
)
def test_a_decimal_that_trails_off_in_a_completion(maths, completion, gold):
    result = maths({"completion": completion, "answer": gold})
    assert result.passed, (result.details.get("extracted"), result.reason)
