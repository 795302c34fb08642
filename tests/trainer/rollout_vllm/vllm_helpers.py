"""Helpers for the vLLM engine tests: the vLLM marker and skip, and a tiny Qwen2-shaped model vLLM's CPU kernels accept."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

NEEDS_VLLM = "needs vLLM (pip install 'aha[vllm]', or run .ci/vllm.sh on a CPU machine)"
KV_CACHE_GIB = 0.25  # small and fixed: the CPU build would otherwise reserve a share of the machine's memory


def vllm_installed() -> bool:
    """Whether vllm can be found; with AHA_REQUIRE_VLLM=1 (the CI step) its absence is an error, not a skip."""
    spec = importlib.util.find_spec("vllm")
    # this test folder is itself named vllm: on sys.path it is a namespace package without an origin
    found = spec is not None and spec.origin not in (None, "namespace")
    if not found and os.environ.get("AHA_REQUIRE_VLLM") == "1":
        raise RuntimeError("AHA_REQUIRE_VLLM=1 but vllm is not installed in this environment")
    return found


requires_vllm = pytest.mark.skipif(not vllm_installed(), reason=NEEDS_VLLM)


def make_qwen2(path: Path, seed: int = 0, tie: bool = False) -> Path:
    """A 2-layer random Qwen2 with the tests' character tokenizer (head_dim 32: vLLM's CPU attention needs >= 32)."""
    import tiny
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    path.mkdir(parents=True, exist_ok=True)
    tiny.make_tokenizer(path)
    config = Qwen2Config(
        vocab_size=len(tiny.SPECIALS) + len(tiny.CHARS),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=512,
        tie_word_embeddings=tie,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    with torch.no_grad():  # a peakier output distribution than the default init, so log-prob errors show
        model.lm_head.weight.mul_(5.0)
    model.generation_config = GenerationConfig(eos_token_id=1, pad_token_id=0, bos_token_id=None)
    model.save_pretrained(str(path))
    return path
