"""The vLLM engine on the CPU with LoRA: generation, log-probs, adapter sync verified by log-prob agreement, sleep."""

from __future__ import annotations

import pytest
import torch
from vllm_helpers import KV_CACHE_GIB, requires_vllm

from trainer.rollout.base import Completion, RolloutEngine, SamplingSettings

pytestmark = [pytest.mark.vllm, requires_vllm]

PROMPTS = [[3 + i % 10 for i in range(7)], [5, 14, 6, 15], [12, 13]]  # "0123456", "2+3=", "9 " in the char vocab
TOL = 1e-3  # float32 on both sides: vLLM and transformers agree to ~1e-6 here


def _lora_model(qwen2_dir):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(qwen2_dir), dtype=torch.float32)
    cfg = LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )
    return get_peft_model(base, cfg)


@pytest.fixture(scope="module")
def lora_model(qwen2_dir):
    return _lora_model(qwen2_dir)


@pytest.fixture(scope="module")
def engine(qwen2_dir, lora_model):
    from trainer.rollout.vllm.engine import VLLMEngine
    from trainer.rollout.vllm.settings import VLLMSettings

    torch.manual_seed(1234)
    expected = torch.rand(3)
    torch.manual_seed(1234)
    eng = VLLMEngine(qwen2_dir, settings=VLLMSettings(kv_cache_gib=KV_CACHE_GIB), model=lora_model, max_model_len=320)
    eng.rng_untouched = torch.equal(torch.rand(3), expected)
    yield eng
    eng.close()


def _train_step(model, engine, lr=0.05):
    """One real GRPO optimiser step on the adapter, from completions the engine sampled."""
    from trainer.logprobs import collate, completion_logprobs, token_logprobs
    from trainer.losses import LossSettings, grpo_loss

    settings = SamplingSettings(n=4, max_new_tokens=6, temperature=1.0, seed=7)
    comps = engine.generate(PROMPTS[:2], settings)
    batch = collate([PROMPTS[c.prompt_index] for c in comps], [c.token_ids for c in comps], 0, torch.device("cpu"))
    adv = torch.tensor([1.0, -1.0, 0.5, -0.5] * 2)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr)
    model.train()
    logps = completion_logprobs(model, batch, token_logprobs, 1024, 1.0)
    loss, _ = grpo_loss(logps, None, adv, batch.completion_mask, LossSettings(loss_type="bnpo"))
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    model.eval()


def test_is_a_rollout_engine_and_leaves_trainer_rng_alone(engine):
    assert isinstance(engine, RolloutEngine)
    assert engine.rng_untouched, "starting vLLM in-process must not reseed the trainer's torch RNG"
    assert engine.lora_enabled and engine.dtype == "float32"


def test_generation_shapes_grouping_and_text(engine, char_tokenizer):
    out = engine.generate(PROMPTS, SamplingSettings(n=3, max_new_tokens=8, temperature=1.0, seed=11))
    assert [c.prompt_index for c in out] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert all(isinstance(c, Completion) for c in out)
    for c in out:
        assert 1 <= len(c.token_ids) <= 8
        assert c.finish_reason in ("stop", "length")
        if c.finish_reason == "length":
            assert len(c.token_ids) == 8 and 1 not in c.token_ids
        else:
            assert c.token_ids[-1] == 1 and 1 not in c.token_ids[:-1]  # EOS ends it and is kept, like transformers
        assert c.text == char_tokenizer.decode(c.token_ids, skip_special_tokens=True)
        assert len(c.logprobs) == len(c.token_ids) and all(lp <= 0 for lp in c.logprobs)
    assert len({tuple(c.token_ids) for c in out[:3]}) > 1, "a group's completions must differ"


def test_sampler_logprobs_match_the_trainer_at_the_sampling_temperature(engine, lora_model):
    from trainer.logprobs import collate, completion_logprobs, token_logprobs

    out = engine.generate(PROMPTS[:1], SamplingSettings(n=4, max_new_tokens=10, temperature=0.7, seed=3))
    batch = collate([PROMPTS[0]] * 4, [c.token_ids for c in out], 0, torch.device("cpu"))
    with torch.no_grad():
        ours = completion_logprobs(lora_model, batch, token_logprobs, 1024, 0.7)
    for row, c in enumerate(out):
        diff = (ours[row, : len(c.token_ids)] - torch.tensor(c.logprobs)).abs().max()
        assert float(diff) < TOL


def test_seeds_reproduce_and_equal_prompts_still_differ(engine):
    s = SamplingSettings(n=2, max_new_tokens=8, temperature=1.0, seed=99)
    a = engine.generate([PROMPTS[0], PROMPTS[0]], s)
    b = engine.generate([PROMPTS[0], PROMPTS[0]], s)
    assert [c.token_ids for c in a] == [c.token_ids for c in b]
    assert [a[0].token_ids, a[1].token_ids] != [a[2].token_ids, a[3].token_ids]
    other = engine.generate(
        [PROMPTS[0], PROMPTS[0]], SamplingSettings(n=2, max_new_tokens=8, temperature=1.0, seed=100)
    )
    assert [c.token_ids for c in other] != [c.token_ids for c in a]


def test_greedy_with_n_copies_and_stop_tokens(engine):
    out = engine.generate(PROMPTS[:2], SamplingSettings(n=3, max_new_tokens=6, temperature=0.0))
    assert [c.prompt_index for c in out] == [0, 0, 0, 1, 1, 1]
    assert out[0].token_ids == out[1].token_ids == out[2].token_ids
    sampled = engine.generate(PROMPTS[:1], SamplingSettings(n=8, max_new_tokens=8, temperature=1.0, seed=5))
    stop = sampled[0].token_ids[1] if len(sampled[0].token_ids) > 1 else sampled[0].token_ids[0]
    stopped = engine.generate(
        PROMPTS[:1], SamplingSettings(n=8, max_new_tokens=8, temperature=1.0, seed=5, stop_token_ids=(stop,))
    )
    for c in stopped:
        assert stop not in c.token_ids[:-1]
        if c.token_ids[-1] == stop:
            assert c.finish_reason == "stop"
    assert any(c.token_ids[-1] == stop for c in stopped)


def test_prefix_cache_serves_a_repeated_long_prompt(engine):
    long_prompt = [3 + (i * 7) % 13 for i in range(200)]  # vLLM caches whole blocks: 128 tokens on the CPU
    s = SamplingSettings(n=2, max_new_tokens=2, temperature=1.0, seed=1)
    engine.generate([long_prompt], s)
    engine.generate([long_prompt], s)
    assert engine.metrics()["vllm/prefix_cache_hit_frac"] > 0.5


def test_adapter_sync_after_a_training_step_is_verified_by_logprobs(engine, lora_model):
    engine.generate(PROMPTS[:1], SamplingSettings(n=1, max_new_tokens=10, temperature=1.0, seed=21))
    before = engine.check_sync(tolerance=TOL)
    assert before.passed and before.tokens > 0
    old_id = engine._lora_request.lora_int_id
    old_path = engine._publisher.current.path
    _train_step(lora_model, engine)
    stale = engine.check_sync(tolerance=TOL)
    assert not stale.passed and stale.max_abs_diff > 20 * TOL, "the step must move the log-probs visibly"
    engine.sync_weights(lora_model)
    after = engine.check_sync(tolerance=TOL)
    assert after.passed, after.describe()
    assert engine._lora_request.lora_int_id == old_id + 1, "each sync needs a new LoRA id"
    assert not old_path.exists() and engine._publisher.current.path.is_dir()
    assert str(engine._publisher.current.path).startswith("/dev/shm/")
    m = engine.metrics()
    assert m["vllm/sync_check_passed"] == 1.0 and m["vllm/sync_check_max_abs"] < TOL
    assert m["vllm/sync_mib"] > 0


def test_sync_while_asleep_is_applied_on_wake(engine, lora_model):
    assert engine.sleep_supported is False  # vLLM's CPU build has no sleep mode: memory stays, calls are safe
    _train_step(lora_model, engine)  # generates, then updates: as in the loop, sleep comes after generation
    engine.sleep()
    assert engine.asleep
    engine.sync_weights(lora_model)
    assert engine._pending is not None, "a sync while asleep waits for wake"
    engine.wake()
    assert not engine.asleep and engine._pending is None
    assert engine.check_sync(tolerance=TOL).passed


def test_generation_after_sleep_wake_matches_an_awake_run(engine):
    s = SamplingSettings(n=3, max_new_tokens=8, temperature=1.0, seed=31)
    awake = engine.generate(PROMPTS, s)
    engine.sleep()
    engine.wake()
    again = engine.generate(PROMPTS, s)
    assert [c.token_ids for c in again] == [c.token_ids for c in awake]


def test_automatic_sync_check_every_n_syncs(qwen2_dir):
    from trainer.rollout.vllm.engine import VLLMEngine
    from trainer.rollout.vllm.settings import VLLMSettings

    model = _lora_model(qwen2_dir)
    settings = VLLMSettings(
        kv_cache_gib=KV_CACHE_GIB, sync_check_every=2, sync_check_strict=True, sync_check_tolerance=TOL
    )
    # a second engine in the same process, next to the module's one
    with VLLMEngine(qwen2_dir, settings=settings, model=model, max_model_len=320) as eng:
        assert eng.syncs == 1 and eng.last_sync_check is None  # no rollout yet: nothing to check
        for _ in range(4):
            _train_step(model, eng)
            eng.sync_weights(model)
            if eng.syncs % 2 == 0:
                assert eng.last_sync_check is not None and eng.last_sync_check.passed
        assert eng.pop_metrics()["vllm/sync_check_passed"] == 1.0 and eng.metrics() == {}
        # strict: a failed check raises
        _train_step(model, eng)
        eng._probe = (PROMPTS[0], [4, 5, 6])
        with pytest.raises(RuntimeError, match="weight-sync check FAILED"):
            eng.check_sync()
    assert eng.llm is None
    with pytest.raises(RuntimeError, match="closed"):
        eng.generate(PROMPTS, SamplingSettings(n=1))


def test_peft_model_refused_by_an_engine_started_without_lora(qwen2_dir):
    from trainer.rollout.vllm.engine import VLLMEngine

    class NoLoraEngine:  # the state of an engine started for full fine-tuning, without a second vLLM start
        lora_enabled = False

    with pytest.raises(ValueError, match="started without LoRA"):
        VLLMEngine.sync_weights(NoLoraEngine(), _lora_model(qwen2_dir))
