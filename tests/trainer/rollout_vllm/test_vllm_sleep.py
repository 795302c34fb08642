"""The sleep controller's calls into vLLM per mode and vLLM version (the GPU tests check the memory itself)."""

from __future__ import annotations

import pytest

from trainer.rollout.vllm_sleep import SleepController

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
