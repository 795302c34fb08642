"""Fixtures for the vLLM engine tests (helpers live in vllm_helpers.py, importable from the tests)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vllm_helpers import make_qwen2  # noqa: E402


@pytest.fixture(scope="session")
def qwen2_dir(tmp_path_factory) -> Path:
    """The tiny Qwen2 model folder (config, safetensors, tokenizer)."""
    return make_qwen2(tmp_path_factory.mktemp("vllm-qwen2") / "model")


@pytest.fixture(scope="session")
def char_tokenizer(qwen2_dir):
    """The character tokenizer saved with the model."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(qwen2_dir))


@pytest.fixture(scope="session")
def qwen2_tied_dir(tmp_path_factory) -> Path:
    """The same model shape with the output head tied to the embedding (as Qwen2.5-1.5B has it)."""
    return make_qwen2(tmp_path_factory.mktemp("vllm-qwen2-tied") / "model", seed=1, tie=True)
