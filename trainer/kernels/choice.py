"""Choosing the log-prob and LoRA kernels: fused Triton ones where they run, plain PyTorch otherwise."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from trainer.config import ConfigError


@dataclass
class KernelChoice:
    """Which kernels the run uses and why."""

    name: str  # "triton" or "torch"
    token_logprobs: Any
    reason: str
    module: Any = None  # trainer.kernels when triton was chosen
    # log-probs + GRPO loss + gradient in one pass (trainer.kernels.fused_grpo_loss); None: token_logprobs + grpo_loss
    fused_grpo_loss: Any = None

    def patch_lora(self, model: Any) -> int:
        """Swap LoRA layers for fused ones (triton only); returns how many were patched."""
        if self.module is None or not hasattr(self.module, "patch_lora"):
            return 0
        return int(self.module.patch_lora(model))


def _torch_choice(reason: str) -> KernelChoice:
    from trainer.logprobs import token_logprobs

    return KernelChoice("torch", token_logprobs, reason)


def _load_kernels() -> tuple[Any, str]:
    try:
        module = importlib.import_module("trainer.kernels")
    except ImportError as exc:
        return None, f"trainer.kernels cannot be imported ({exc})"
    available = getattr(module, "available", None)
    if not callable(available):
        return None, "trainer.kernels has no available() check"
    try:
        ok, why = available()
    except Exception as exc:  # noqa: BLE001 - a broken probe means: not available, with the reason
        return None, f"trainer.kernels.available() failed: {exc}"
    return (module, why) if ok else (None, why)


def choose_kernels(setting: str, device: Any) -> KernelChoice:
    """The kernels for `kernels = setting` on `device` ('auto': triton on CUDA when available)."""
    if setting == "torch":
        return _torch_choice("kernels = 'torch'")
    if setting not in ("auto", "triton"):
        raise ConfigError(f"kernels: must be 'auto', 'triton' or 'torch', not {setting!r}")
    if setting == "auto" and getattr(device, "type", str(device)) != "cuda":
        return _torch_choice("kernels = 'auto' on a CPU: plain PyTorch")
    module, why = _load_kernels()
    if module is None:
        if setting == "triton":
            raise ConfigError(f"kernels = 'triton' cannot run here: {why} (use kernels = 'torch' or 'auto')")
        return _torch_choice(f"Triton kernels unavailable ({why}): plain PyTorch")
    fused = getattr(module, "fused_grpo_loss", None)
    return KernelChoice("triton", module.token_logprobs, why or "Triton kernels available", module, fused)
