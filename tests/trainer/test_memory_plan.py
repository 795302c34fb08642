"""The memory planner: analytic parts, calibration against the H200 measurements, and the refusal message."""

from __future__ import annotations

import pytest

from trainer.config import ConfigError, from_dict
from trainer.memory_plan import GIB, ModelShape, check_fits, estimate, needed_bytes

QWEN_1_5B = ModelShape(
    vocab=151936, hidden=1536, layers=28, heads=12, kv_heads=2, head_dim=128, intermediate=8960, tied=True
)
LLAMA_8B = ModelShape(
    vocab=128256, hidden=4096, layers=32, heads=32, kv_heads=8, head_dim=128, intermediate=14336, tied=False
)


def _cfg(**kw):
    base = {
        "model": {"dtype": "bfloat16", "gradient_checkpointing": True},
        "lora": {"r": 16},
        "generation": {"num_generations": 8, "prompts_per_step": 1, "max_prompt_length": 128,
                       "max_completion_length": 256},
        "optim": {"micro_batch_size": 8},
    }  # fmt: skip
    for key, value in kw.items():
        section, _, name = key.rpartition("__")
        base.setdefault(section, {})[name] = value
    return from_dict(base).validate()


def test_weights_match_parameter_count():
    tiny = ModelShape(vocab=10, hidden=4, layers=1, heads=2, kv_heads=1, head_dim=2, intermediate=8, tied=False)
    # q 4x4, k/v 4x2 each, o 4x4, mlp 3 x 4x8; embeddings 2 x 10x4
    assert tiny.layer_linear_params == 16 + 16 + 16 + 96
    est = estimate(_cfg(lora__r=1), tiny)
    assert est.parts["weights"] == (144 + 80) * 2
    assert est.parts["KV cache"] == 2 * 1 * 8 * 384 * 2 * 2


def test_bf16_and_nf4_weights_match_the_h200_measurements():
    bf16 = estimate(_cfg(), QWEN_1_5B)
    assert (bf16.parts["weights"] + bf16.parts["adapters"]) / GIB == pytest.approx(2.94, rel=0.03)
    nf4 = estimate(_cfg(model__quantization="nf4"), QWEN_1_5B)
    assert (nf4.parts["weights"] + nf4.parts["adapters"]) / GIB == pytest.approx(1.21, rel=0.05)


@pytest.mark.parametrize(
    ("kernels", "completion", "mb", "chunk", "measured"),
    [
        ("torch", 256, 8, 512, 1.49),  # docs/benchmarks.md
        ("torch", 256, 2, 1024, 1.28),  # docs/benchmarks.md, run B
        ("torch", 4096, 1, 1024, 2.76),
        ("triton", 256, 2, 1024, 0.47),
        ("triton", 4096, 1, 1024, 0.90),
    ],
)
def test_update_peak_beyond_weights_within_20_percent(kernels, completion, mb, chunk, measured):
    cfg = _cfg(generation__max_completion_length=completion, optim__micro_batch_size=mb)
    cfg.logprob_chunk_size = chunk
    est = estimate(cfg, QWEN_1_5B, kernels)
    beyond = est.total(est.fixed) - est.parts["weights"] - est.parts["adapters"] + est.total(est.update)
    assert beyond / GIB == pytest.approx(measured, rel=0.2)


def test_offload_and_checkpointing_lower_the_estimate():
    long = dict(generation__max_completion_length=4096, optim__micro_batch_size=8)
    plain = estimate(_cfg(model__gradient_checkpointing=False, **long), QWEN_1_5B).peak
    ckpt = estimate(_cfg(**long), QWEN_1_5B).peak
    off = estimate(_cfg(model__offload_activations=True, **long), QWEN_1_5B).peak
    assert plain > ckpt > off


def test_refusal_names_the_phase_and_a_setting_that_fits():
    cfg = _cfg(generation__max_completion_length=4096, optim__micro_batch_size=8)
    with pytest.raises(ConfigError) as info:
        check_fits(cfg, QWEN_1_5B, budget=6 * GIB)
    msg = str(info.value)
    assert "GiB of GPU memory" in msg and "6.0 GiB are available" in msg
    assert "try: optim.micro_batch_size" in msg and "memory_check = false" in msg
    assert check_fits(_cfg(), QWEN_1_5B, budget=40 * GIB).peak < 40 * GIB


def test_hopeless_run_says_so():
    cfg = _cfg(generation__max_completion_length=32768)
    with pytest.raises(ConfigError, match="no single setting makes it fit"):
        check_fits(cfg, LLAMA_8B, budget=4 * GIB)


def test_8b_qlora_estimate_is_plausible():
    est = estimate(_cfg(model__quantization="nf4", model__offload_activations=True), LLAMA_8B)
    assert 5 * GIB < needed_bytes(est) < 9 * GIB


def test_trainer_refuses_with_a_fake_budget(tiny_model, addition_data, tmp_path):
    import tiny
    from rich.console import Console

    from trainer.grpo_trainer import Trainer

    cfg = tiny.tiny_config(tiny_model, addition_data, tmp_path / "run", memory_budget_gib=1e-6)
    with pytest.raises(ConfigError, match="GiB are available"):
        Trainer(cfg, console=Console(quiet=True))


def test_fast_engine_keeps_small_caches_and_plain_generate_doubles_the_cache():
    fast = estimate(_cfg(), QWEN_1_5B)
    plain = estimate(_cfg(generation__fast="off"), QWEN_1_5B)
    assert plain.parts["KV cache"] == 2 * fast.parts["KV cache"]
    assert fast.parts["rollout cache kept between steps"] == fast.parts["KV cache"]  # 88 MiB: kept
    long = estimate(_cfg(generation__max_completion_length=4096), QWEN_1_5B)
    assert "rollout cache kept between steps" not in long.parts  # ~1 GiB: freed before the update


@pytest.mark.parametrize("setting", [None, True])
def test_offload_default_gives_way_on_a_model_without_checkpointable_layers(
    setting, tiny_model, addition_data, tmp_path, monkeypatch
):
    import tiny
    from rich.console import Console

    import trainer.grpo_trainer as grpo_trainer
    import trainer.offload as offload
    from trainer.grpo_trainer import Trainer

    def unsupported(model):
        raise ValueError("TinyLM: no checkpointable decoder layers found for offloading")

    monkeypatch.setattr(offload, "enable_offloaded_checkpointing", unsupported)
    monkeypatch.setattr(grpo_trainer, "offload_for", lambda cfg, device, processes=1: True)  # as on a CUDA GPU
    cfg = tiny.tiny_config(tiny_model, addition_data, tmp_path / "run", model__offload_activations=setting)
    if setting:  # asked for: a clear error
        with pytest.raises(ConfigError, match="offload_activations = true: TinyLM"):
            Trainer(cfg, console=Console(quiet=True))
        return
    console = Console(record=True, width=200)
    trainer = Trainer(cfg, console=console)  # unset: the run goes on without it, and says so
    try:
        assert trainer.offload is False
        assert "activation offload not used: TinyLM" in console.export_text()
    finally:
        trainer.close()
