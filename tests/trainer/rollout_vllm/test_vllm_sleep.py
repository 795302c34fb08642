"""The sleep controller's calls into vLLM per mode and version, and the process-wide sleep pool (the GPU tests
check the memory itself)."""

from __future__ import annotations

import pytest
from vllm_helpers import requires_vllm

from trainer.rollout.base import SamplingSettings
from trainer.rollout.vllm.sleep import SleepController

pytestmark = pytest.mark.vllm


class Recorder:
    """Stands in for vllm.LLM and records the sleep API calls made on it."""

    def __init__(self, has_release: bool):
        self.calls: list[tuple] = []
        if has_release:
            self.release_kv_cache_memory = lambda: self.calls.append(("release_kv_cache_memory",))

    def sleep(self, level: int = 1) -> None:
        self.calls.append(("sleep", level))

    def wake_up(self, tags=None) -> None:
        self.calls.append(("wake_up", tags))


def _cycle(mode: str, has_release: bool, supported: bool = True) -> tuple[SleepController, list[tuple]]:
    llm = Recorder(has_release)
    ctl = SleepController(llm, mode, supported)
    ctl.sleep()
    ctl.sleep()  # a second sleep is a no-op
    assert ctl.asleep
    ctl.wake()
    ctl.wake()
    assert not ctl.asleep
    return ctl, llm.calls


def test_kv_cache_mode_with_release_api_keeps_weights():
    _, calls = _cycle("kv_cache", has_release=True)
    assert calls == [("sleep", 0), ("release_kv_cache_memory",), ("wake_up", ["kv_cache", "scheduling"])]


def test_kv_cache_mode_on_older_vllm_brings_weights_straight_back():
    _, calls = _cycle("kv_cache", has_release=False)
    assert calls == [("sleep", 1), ("wake_up", ["weights"]), ("wake_up", ["kv_cache"])]


def test_weights_mode_is_level_one():
    _, calls = _cycle("weights", has_release=True)
    assert calls == [("sleep", 1), ("wake_up", None)]


@pytest.mark.parametrize(("mode", "supported"), [("off", True), ("kv_cache", False), ("weights", False)])
def test_off_or_unsupported_makes_no_calls(mode, supported):
    ctl, calls = _cycle(mode, has_release=True, supported=supported)
    assert calls == [] and not ctl.active
    assert ctl.requested == mode


class FakeCuMem:
    """Stands in for vLLM's process-wide sleep-mode allocator: blocks in use, and cached blocks that
    `release_pools` gives back."""

    def __init__(self, in_use: int, cached: int):
        self.in_use, self.cached = in_use, cached

    def get_current_usage(self) -> int:
        return self.in_use + self.cached

    def release_pools(self) -> None:
        self.cached = 0


@pytest.fixture
def cumem(monkeypatch):
    """Install a FakeCuMem as vllm.device_allocator.cumem.CuMemAllocator.instance."""
    import sys
    import types

    def install(in_use: int, cached: int) -> FakeCuMem:
        fake = FakeCuMem(in_use, cached)
        module = types.ModuleType("vllm.device_allocator.cumem")
        module.CuMemAllocator = types.SimpleNamespace(instance=fake)
        monkeypatch.setitem(sys.modules, "vllm.device_allocator.cumem", module)
        return fake

    return install


def test_sleep_pool_is_empty_without_vllms_allocator(monkeypatch):
    import sys

    from trainer.rollout.vllm.sleep import release_sleep_pool, sleep_pool_bytes

    monkeypatch.delitem(sys.modules, "vllm.device_allocator.cumem", raising=False)
    assert sleep_pool_bytes() == 0 and release_sleep_pool() == 0


def test_release_sleep_pool_returns_cached_blocks_and_reports_what_is_still_used(cumem):
    from trainer.rollout.vllm.sleep import release_sleep_pool, sleep_pool_bytes

    fake = cumem(in_use=3 * 2**30, cached=2**30)
    assert sleep_pool_bytes() == 4 * 2**30
    assert release_sleep_pool() == 3 * 2**30
    assert fake.cached == 0


def test_detach_drops_the_engine_and_makes_sleep_a_no_op():
    llm = Recorder(has_release=True)
    ctl = SleepController(llm, "kv_cache", True)
    ctl.detach()
    assert ctl.llm is None and not ctl.active
    ctl.sleep()
    ctl.wake()
    assert llm.calls == []


def _trainer_model(qwen2_dir, kind: str):
    """None, the plain transformers model (full-weight sync) or a peft LoRA model (adapter sync)."""
    if kind == "none":
        return None
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(qwen2_dir))
    if kind == "lora":
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"]))
    return model


@requires_vllm
@pytest.mark.parametrize("kind", ["none", "full", "lora"])
def test_close_frees_the_llm_and_a_second_engine_starts(qwen2_dir, kind):
    """vLLM's sleep-mode pool is process-wide: a closed engine must leave nothing that keeps its LLM alive,
    also after syncing full weights or an adapter and running the sync check."""
    import gc
    import weakref

    from trainer.rollout.vllm.engine import VLLMEngine
    from trainer.rollout.vllm.settings import VLLMSettings

    settings = VLLMSettings(memory_share=0.1, kv_cache_gib=0.05, sleep="kv_cache")
    model = _trainer_model(qwen2_dir, kind)
    first = VLLMEngine(qwen2_dir, settings=settings, model=model, max_model_len=64)
    if model is not None:
        first.generate([[3, 4, 5]], SamplingSettings(n=2, max_new_tokens=4, seed=1))
        first.sync_weights(model)
        assert first.check_sync(prompt_ids=[3, 4, 5], completion_ids=[6, 7, 8]).passed
    alive = weakref.ref(first.llm)
    first.close()
    gc.collect()
    assert alive() is None, "something still references the closed engine's LLM"
    with VLLMEngine(qwen2_dir, settings=settings, max_model_len=64) as second:
        out = second.generate([[3, 4, 5]], SamplingSettings(n=2, max_new_tokens=4, seed=1))
    assert [len(c.token_ids) for c in out] == [4, 4]


@requires_vllm
def test_a_second_sleep_mode_engine_is_refused_clearly_while_the_pool_is_held(qwen2_dir, cumem, monkeypatch):
    from vllm.platforms import current_platform

    from trainer.rollout.vllm.engine import VLLMEngine
    from trainer.rollout.vllm.settings import VLLMSettings

    monkeypatch.setattr(type(current_platform), "is_sleep_mode_available", lambda self: True)
    for held, shown in ((5 * 2**30, "5.00 GiB"), (3 * 2**20, "3.0 MiB"), (512, "512 bytes")):
        cumem(in_use=held, cached=0)
        with pytest.raises(RuntimeError, match=rf"still holds {shown}.*close\(\) the other engine.*sleep = 'off'"):
            VLLMEngine(qwen2_dir, settings=VLLMSettings(sleep="kv_cache"), max_model_len=64)
