"""The statistics functions against values worked out by hand."""

from __future__ import annotations

from math import comb

import pytest

from verifiers.evaluation import binary_metrics, majority_correct, parse_label, pass_at_k


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (4, 2, 1, 0.5),
        (4, 1, 2, 0.5),  # 1 - C(3,2)/C(4,2) = 1 - 3/6
        (4, 2, 2, 5 / 6),  # 1 - C(2,2)/C(4,2) = 1 - 1/6
        (4, 1, 3, 0.75),  # 1 - C(3,3)/C(4,3) = 1 - 1/4
        (4, 3, 2, 1.0),  # fewer than k wrong samples: always a correct one
        (5, 0, 3, 0.0),
        (10, 3, 5, 1 - comb(7, 5) / comb(10, 5)),
    ],
)
def test_pass_at_k_matches_the_binomial_formula(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_is_stable_for_large_n():
    # C(2000, 100) overflows a float; the product form does not.
    assert pass_at_k(2000, 10, 100) == pytest.approx(1 - comb(1990, 100) / comb(2000, 100), rel=1e-9)


@pytest.mark.parametrize(("n", "c", "k"), [(3, 4, 1), (3, 1, 4), (3, 1, 0)])
def test_pass_at_k_rejects_impossible_counts(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


def test_majority_vote_uses_the_first_k_and_breaks_ties_by_first_seen():
    votes = [("4", True), ("5", False), ("5", False), ("4", True)]
    assert [majority_correct(votes, k) for k in (1, 2, 3, 4)] == [True, True, False, True]


def test_majority_vote_ignores_samples_without_an_answer():
    assert majority_correct([(None, False), ("3", True), (None, False)], 3) is True
    assert majority_correct([(None, True), (None, False)], 2) is False


def test_binary_metrics_by_hand():
    m = binary_metrics(tp=3, fp=2, fn=1, tn=2)
    assert m["agreement"] == pytest.approx(5 / 8)
    assert m["precision"] == pytest.approx(3 / 5)
    assert m["recall"] == pytest.approx(3 / 4)
    assert m["f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert m["specificity"] == pytest.approx(2 / 4)
    assert m["false_positive_rate"] == pytest.approx(2 / 4)
    # kappa: expected agreement (5*4 + 3*4) / 64 = 0.5; (0.625 - 0.5) / 0.5
    assert m["cohen_kappa"] == pytest.approx(0.25)


def test_binary_metrics_undefined_ratios_are_none_not_zero():
    m = binary_metrics(tp=0, fp=0, fn=0, tn=5)
    assert m["precision"] is None and m["recall"] is None and m["f1"] is None
    assert m["agreement"] == 1.0


@pytest.mark.parametrize(
    ("raw", "value", "missing", "invalid"),
    [
        (True, True, False, False),
        (0, False, False, False),
        (1.0, True, False, False),
        (" Yes ", True, False, False),
        ("incorrect", False, False, False),
        (None, None, True, False),
        ("", None, True, False),
        ("N/A", None, True, False),
        (float("nan"), None, True, False),
        ("maybe", None, False, True),
        (2, None, False, True),
        ([1], None, False, True),
    ],
)
def test_parse_label(raw, value, missing, invalid):
    label = parse_label(raw)
    assert label.value is value
    assert label.missing is missing
    assert bool(label.invalid) is invalid


def test_votes_group_equal_numbers_and_ignore_spacing():
    from verifiers.evaluation.analysis import vote_key

    assert vote_key("2/4") == vote_key("0.5") == vote_key(" $0.50$ ") == "1/2"
    assert vote_key("$x + 1$") == vote_key("x+1")
    assert vote_key("") is None and vote_key(None) is None
    assert vote_key("3") != vote_key("4")


def test_describe_counts_non_finite_values_apart():
    from verifiers.evaluation.stats import describe

    d = describe([0.0, 1.0, float("inf"), float("nan"), 1.0])
    assert d["count"] == 3 and d["non_finite"] == 2
    assert d["mean"] == pytest.approx(2 / 3)
    assert d["distinct_values"] == [{"value": 0.0, "count": 1}, {"value": 1.0, "count": 2}]
