"""Every known cheat fails with score 0; every honest solution passes."""

from __future__ import annotations

import pytest
from code_corpus import entries

from verifiers.result import Status

CHEATS = [name for name, _, _ in entries("cheats")]
HONEST = [name for name, _, _ in entries("honest")]


def test_corpus_is_large_enough():
    assert len(CHEATS) >= 25
    assert len(HONEST) >= 10


@pytest.mark.parametrize("name", CHEATS)
def test_cheat_fails(cheat_results, name):
    result = cheat_results[name]
    assert result.status is Status.FAILED, (result.status, result.reason)
    assert result.score == 0.0, result.reason


@pytest.mark.parametrize("name", HONEST)
def test_honest_solution_passes(honest_results, name):
    result = honest_results[name]
    assert result.status is Status.PASSED, result.reason
    assert result.score == 1.0
