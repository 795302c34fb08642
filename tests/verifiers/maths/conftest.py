"""Fixtures for the maths verifier tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The helper modules next to the tests (maths_corpus, isolation_tasks) import under any import mode.
sys.path.insert(0, str(Path(__file__).parent))

from verifiers.maths import MathEquivalence


@pytest.fixture(scope="session")
def maths() -> MathEquivalence:
    """A math_equivalence verifier with its warm worker pool started."""
    verifier = MathEquivalence()
    verifier.pool.start()
    return verifier
