"""Fixtures for the trainer tests: a tiny random model and an addition dataset, built once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `import tiny` under any import mode

import tiny  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer random Llama with a character tokenizer."""
    return tiny.make_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def addition_data(tmp_path_factory) -> Path:
    """40 rows of 'a+b=' prompts with answers."""
    return tiny.make_addition_data(tmp_path_factory.mktemp("data") / "add.jsonl", 40)
