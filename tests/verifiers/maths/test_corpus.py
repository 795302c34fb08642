"""The labelled corpus: size, balance, and agreement of the verifier with every label."""

from __future__ import annotations

from collections import Counter

import pytest
from maths_corpus import load_corpus

from verifiers import Status

CASES = load_corpus()
CATEGORIES = sorted({c.category for c in CASES})
REQUIRED = {
    "integers",
    "fractions",
    "mixed_numbers",
    "percent",
    "degrees",
    "units",
    "thousands",
    "scientific",
    "radicals",
    "pi_and_e",
    "complex",
    "infinity",
    "sets_and_tuples",
    "intervals",
    "inequalities",
    "equations",
    "matrices",
    "text_answers",
    "expressions",
    "functions",
    "extraction",
    "tolerance",
    "formats",
}


def test_corpus_is_large_balanced_and_covers_every_category():
    assert len(CASES) >= 300
    not_equivalent = sum(not c.eq for c in CASES)
    assert not_equivalent >= len(CASES) / 3
    assert REQUIRED <= set(CATEGORIES)
    counts = Counter(c.category for c in CASES)
    for category in REQUIRED:  # both labels in every category
        labels = {c.eq for c in CASES if c.category == category}
        assert labels == {True, False}, category
        assert counts[category] >= 8, category


def test_corpus_has_no_duplicate_pairs():
    pairs = Counter((c.gold, c.pred) for c in CASES)
    assert [p for p, n in pairs.items() if n > 1] == []


@pytest.mark.parametrize("category", CATEGORIES)
def test_verifier_agrees_with_every_label(maths, category):
    cases = [c for c in CASES if c.category == category]
    results = maths.batch([{"completion": c.pred, "answer": c.gold} for c in cases])
    wrong = []
    for case, result in zip(cases, results):
        assert result.status in (Status.PASSED, Status.FAILED), (case, result.reason)
        if result.passed != case.eq:
            wrong.append(f"gold={case.gold!r} pred={case.pred[:60]!r} label={case.eq}: {result.reason}")
    assert wrong == []
