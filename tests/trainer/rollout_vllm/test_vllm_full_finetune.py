"""Full fine-tuning with vLLM: changed weights pushed in place through vLLM's own loaders, verified by log-probs.

The model ties its output head to the embedding (as Qwen2.5-1.5B does); the e2e test covers an untied one.
"""

from __future__ import annotations

import pytest
import torch
from vllm_helpers import KV_CACHE_GIB, requires_vllm

from trainer.rollout.base import SamplingSettings

pytestmark = [pytest.mark.vllm, requires_vllm]

PROMPT = [3 + (i * 5) % 13 for i in range(150)]  # longer than one 128-token block, so its prefix gets cached
TOL = 1e-3


@pytest.fixture(scope="module")
def model(qwen2_tied_dir):
    from transformers import AutoModelForCausalLM

    m = AutoModelForCausalLM.from_pretrained(str(qwen2_tied_dir), dtype=torch.float32)
    assert m.lm_head.weight is m.model.embed_tokens.weight  # tied, like Qwen2.5-1.5B: the head must follow
    return m


@pytest.fixture(scope="module")
def engine(qwen2_tied_dir, model):
    from trainer.rollout.vllm.engine import VLLMEngine
    from trainer.rollout.vllm.settings import VLLMSettings

    eng = VLLMEngine(qwen2_tied_dir, settings=VLLMSettings(kv_cache_gib=KV_CACHE_GIB), model=model, max_model_len=200)
    yield eng
    eng.close()


def _sgd_step(model, lr=0.5):
    ids = torch.tensor([PROMPT[:40]])
    model.train()
    loss = model(ids, labels=ids).loss
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p.sub_(lr * p.grad)
                p.grad = None
    model.eval()


def test_full_sync_after_a_step_matches_the_trainer(engine, model):
    assert not engine.lora_enabled
    engine.generate([PROMPT], SamplingSettings(n=2, max_new_tokens=12, temperature=1.0, seed=4))
    assert engine.check_sync(tolerance=TOL).passed
    _sgd_step(model)
    stale = engine.check_sync(tolerance=TOL)
    assert not stale.passed and stale.max_abs_diff > 20 * TOL
    engine.sync_weights(model)
    assert engine.metrics()["vllm/sync_tensors"] == len(list(model.parameters()))
    assert engine.check_sync(tolerance=TOL).passed
    # the prompt's cached prefix was computed with the old weights: it must not be served after the sync
    again = engine.generate([PROMPT], SamplingSettings(n=2, max_new_tokens=12, temperature=1.0, seed=4))
    from trainer.rollout.vllm.sync_check import trainer_logprobs

    for c in again:
        ours = trainer_logprobs(model, PROMPT, c.token_ids)
        assert max(abs(a - b) for a, b in zip(ours, c.logprobs)) < TOL


def test_partial_training_pushes_fused_siblings_and_keeps_the_rest(engine, model):
    engine.sync_weights(model)
    model.requires_grad_(False)
    layer = model.model.layers[0]
    layer.self_attn.k_proj.weight.requires_grad_(True)  # fused with q and v (and their biases) in vLLM's qkv_proj
    layer.mlp.gate_proj.weight.requires_grad_(True)
    try:
        with torch.no_grad():
            layer.self_attn.k_proj.weight.mul_(-1.5)
            layer.mlp.gate_proj.weight.add_(0.05)
        engine.generate([PROMPT[:20]], SamplingSettings(n=1, max_new_tokens=12, temperature=1.0, seed=8))
        assert not engine.check_sync(tolerance=TOL).passed
        engine.sync_weights(model)
        assert engine.metrics()["vllm/sync_tensors"] == 8  # q/k/v weight + bias, gate/up weight
        check = engine.check_sync(tolerance=TOL)
        assert check.passed, check.describe()
    finally:
        model.requires_grad_(True)
