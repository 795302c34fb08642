"""A few GRPO steps through the trainer with rollout = 'vllm', the weight-sync check on after every step."""

from __future__ import annotations

import json

import pytest
from vllm_helpers import KV_CACHE_GIB, requires_vllm

pytestmark = [pytest.mark.vllm, requires_vllm]

# strict: a sync whose log-probs disagree with the trainer's (float32: 1e-3) stops the run with an error
VLLM_TABLE = {
    "kv_cache_gib": KV_CACHE_GIB,
    "sync_check_every": 1,
    "sync_check_strict": True,
    "sync_check_tolerance": 1e-3,
}


def _run(qwen2_dir, tmp_path, **overrides):
    import tiny

    from trainer.grpo_trainer import Trainer

    data = tiny.make_addition_data(tmp_path / "add.jsonl", 24)
    cfg = tiny.tiny_config(qwen2_dir, data, tmp_path / "run", rollout="vllm", vllm=dict(VLLM_TABLE), **overrides)
    trainer = Trainer(cfg)
    result = trainer.run()
    records = [json.loads(line) for line in (result.run_dir / "metrics.jsonl").read_text().splitlines()]
    return trainer, result, records


def test_lora_grpo_steps_with_vllm_and_importance_sampling(qwen2_dir, tmp_path):
    from trainer.rollout.vllm.engine import VLLMEngine

    trainer, result, records = _run(qwen2_dir, tmp_path, grpo__importance_sampling="token", max_steps=3)
    engine = trainer.engine
    assert isinstance(engine, VLLMEngine) and engine.lora_enabled
    assert [r["step"] for r in records] == [1, 2, 3]
    # one sync at start-up plus one after every step, each checked against the trainer's log-probs
    assert engine.syncs == 4
    assert engine.last_sync_check is not None and engine.last_sync_check.passed
    assert engine.last_sync_check.max_abs_diff < 1e-3
    for r in records:
        assert r["is/logprob_diff_mean"] < 1e-3  # float32 on both sides: vLLM samples what the trainer computes
        assert r["vllm/tokens_per_s"] > 0 and "vllm/sync_write_s" in r  # the engine's metrics reach the log
        assert r["loss"] == r["loss"]  # finite
    # a step whose groups all got equal rewards has no advantage and no gradient; some step must have one
    assert any(r["grad_norm"] > 0 for r in records), [r.get("grad_norm") for r in records]
    assert (result.final_dir / "adapter_model.safetensors").is_file()
    assert result.after is not None and result.before is not None  # evaluation ran through vLLM too
    assert engine.llm is None, "the trainer closes the engine at the end"


def test_full_finetune_grpo_steps_with_vllm(qwen2_dir, tmp_path):
    trainer, result, records = _run(qwen2_dir, tmp_path, model__finetune="full", max_steps=2, eval__at_start=False)
    assert not trainer.engine.lora_enabled
    assert [r["step"] for r in records] == [1, 2]
    assert trainer.engine.syncs == 3 and trainer.engine.last_sync_check.passed


def _demo_model_built() -> bool:
    from trainer.demo import ASSETS_DIR

    return (ASSETS_DIR / "model" / "config.json").is_file()


@pytest.mark.skipif(
    not _demo_model_built(), reason="the bundled demo model is not built (examples/demo/make_demo_model.py)"
)
def test_bundled_demo_model_trains_with_vllm(tmp_path):
    import tiny

    from trainer.grpo_trainer import Trainer

    cfg = tiny.tiny_config(
        "demo", "demo", tmp_path / "run", rollout="vllm", vllm=dict(VLLM_TABLE), max_steps=2, eval__at_start=False
    )
    result = Trainer(cfg).run()
    assert result.steps == 2 and result.after is not None
