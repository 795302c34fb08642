"""Every known cheat fails with score 0; every honest solution passes.

One test per kind (not one per file) so that under pytest-xdist a single worker runs each corpus,
in parallel threads, instead of every worker running it again.
"""

from __future__ import annotations

from code_corpus import entries

from verifiers.result import Status


def test_corpus_is_large_enough():
    assert len(entries("cheats")) >= 25
    assert len(entries("honest")) >= 10


def test_every_cheat_fails_with_score_zero(cheat_results):
    assert set(cheat_results) == {name for name, _, _ in entries("cheats")}
    escaped = {
        name: f"{r.status.value} {r.score:g}: {r.reason}"
        for name, r in cheat_results.items()
        if r.status is not Status.FAILED or r.score != 0.0
    }
    assert not escaped, escaped


def test_every_honest_solution_passes(honest_results):
    assert set(honest_results) == {name for name, _, _ in entries("honest")}
    refused = {name: r.reason for name, r in honest_results.items() if r.status is not Status.PASSED or r.score != 1.0}
    assert not refused, refused
