"""Fixtures of the evaluation tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from eval_helpers import BAD_LINE, ROWS, write_jsonl


@pytest.fixture
def hand_file(tmp_path: Path) -> Path:
    """The hand-computed rows plus one malformed line (line 12)."""
    return write_jsonl(tmp_path / "hand.jsonl", ROWS, (BAD_LINE,))
