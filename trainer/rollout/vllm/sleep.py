"""Putting a colocated vLLM engine to sleep while the trainer updates, so its memory is free for the update."""

from __future__ import annotations

import contextlib
import gc
import logging
from typing import Any

log = logging.getLogger(__name__)


class SleepController:
    """Frees vLLM's KV cache (and optionally its weights) between rollouts, as far as the vLLM build allows.

    mode 'kv_cache': free the KV cache only. With vLLM's `release_kv_cache_memory` (0.32+) this pauses the
    scheduler and discards the cache; older versions sleep at level 1 and bring the weights straight back.
    mode 'weights': vLLM sleep level 1 (weights copied to CPU memory, KV cache discarded).
    mode 'off', or a build without sleep mode (vLLM on the CPU): sleep and wake do nothing.
    """

    def __init__(self, llm: Any, mode: str, supported: bool):
        self.llm = llm
        self.mode = mode if supported else "off"
        self.requested = mode
        self.supported = supported
        self.asleep = False
        self.last_freed_gib: float | None = None

    @property
    def active(self) -> bool:
        """Whether sleep actually releases memory here."""
        return self.mode != "off"

    def sleep(self) -> None:
        """Release memory (no-op when inactive or already asleep)."""
        if self.asleep:
            return
        self.asleep = True
        if not self.active:
            return
        before = _free_device_bytes()
        if self.mode == "weights":
            self.llm.sleep(level=1)
        elif hasattr(self.llm, "release_kv_cache_memory"):
            self.llm.sleep(level=0)
            self.llm.release_kv_cache_memory()
        else:
            self.llm.sleep(level=1)
            self.llm.wake_up(tags=["weights"])
        after = _free_device_bytes()
        self.last_freed_gib = None if before is None or after is None else (after - before) / 2**30

    def detach(self) -> None:
        """Drop the reference to the engine (at close, so that its memory can be freed)."""
        self.llm = None
        self.mode = "off"
        self.asleep = False

    def wake(self) -> None:
        """Re-acquire what `sleep` released (no-op when awake)."""
        if not self.asleep:
            return
        if self.active:
            if self.mode == "weights":
                self.llm.wake_up()
            elif hasattr(self.llm, "release_kv_cache_memory"):
                self.llm.wake_up(tags=["kv_cache", "scheduling"])
            else:
                self.llm.wake_up(tags=["kv_cache"])
        self.asleep = False


def sleep_pool_bytes() -> int:
    """Bytes still held in vLLM's sleep-mode memory pool in this process (0 without one).

    vLLM's sleep mode allocates through one process-wide pool (`CuMemAllocator`), and a new engine with
    sleep mode refuses to start while that pool holds anything, so a closed engine must leave it empty.
    """
    allocator = _cumem_allocator()
    if allocator is None:
        return 0
    gc.collect()  # an engine dropped without close() may only be waiting for the cycle collector
    return int(allocator.get_current_usage())


def release_sleep_pool() -> int:
    """Return the cached blocks of vLLM's sleep-mode pool to the GPU; the bytes still in use afterwards."""
    allocator = _cumem_allocator()
    if allocator is None:
        return 0
    gc.collect()
    with contextlib.suppress(Exception):
        allocator.release_pools()  # dropping the pools frees their cached blocks (vLLM 0.25 has it; older: no-op)
    return sleep_pool_bytes()


def _cumem_allocator() -> Any:
    """vLLM's sleep-mode allocator if one was created in this process (never creates one)."""
    import sys

    module = sys.modules.get("vllm.device_allocator.cumem")
    return getattr(getattr(module, "CuMemAllocator", None), "instance", None)


def _free_device_bytes() -> int | None:
    """Free CUDA memory now (None without CUDA)."""
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.synchronize()
            return int(torch.cuda.mem_get_info()[0])
    except Exception as exc:  # noqa: BLE001 - a reading is optional; never fail a sleep on it
        log.debug("cannot read free CUDA memory: %s", exc)
    return None
