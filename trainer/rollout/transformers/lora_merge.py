"""Merging LoRA adapters into unquantised base weights for generation, restored bit-exactly afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


def lora_layers(model: Any) -> list[Any]:
    """The peft LoRA layers of a model (modules with lora_A, lora_B and a base layer)."""
    return [m for m in model.modules() if hasattr(m, "lora_A") and hasattr(m, "get_base_layer") and m.lora_A]


def merge_blocker(model: Any) -> str | None:
    """Why the adapters cannot be merged for generation (None when they can)."""
    layers = lora_layers(model)
    if not layers:
        return "no LoRA layers"
    for layer in layers:
        weight = layer.get_base_layer().weight
        if getattr(weight, "quant_state", None) is not None or weight.dtype not in _FLOAT_DTYPES():
            return "the base weights are quantised"
        if getattr(layer, "lora_variant", None):
            return "a LoRA variant (DoRA) is in use"
    return None


def _FLOAT_DTYPES() -> tuple[Any, ...]:  # noqa: N802 - a constant that needs torch imported lazily
    import torch

    return (torch.float32, torch.bfloat16, torch.float16)


class MergedLora:
    """Merge before generation, restore after: the base weights are backed up once (they are frozen).

    `peft`'s merge adds B @ A x scaling into each base weight; unmerging by subtraction would not give
    back the same bf16 bits, so the weights are restored from a copy kept in (pinned) CPU memory instead
    and compared bit for bit on the first restore.
    """

    def __init__(self, model: Any):
        import torch

        self.model = model
        self.layers = lora_layers(model)
        self._backup: list[Any] = []
        pin = torch.cuda.is_available()
        for layer in self.layers:
            w = layer.get_base_layer().weight
            copy = torch.empty(w.shape, dtype=w.dtype, device="cpu", pin_memory=pin and w.is_cuda)
            copy.copy_(w.detach())
            self._backup.append(copy)
        self.restores = 0
        self.bytes = sum(c.numel() * c.element_size() for c in self._backup)

    @contextlib.contextmanager
    def merged(self) -> Iterator[None]:
        """Inside: the adapters are folded into the base weights (and peft skips the LoRA branch)."""
        import torch

        with torch.no_grad():
            self.model.merge_adapter()
        try:
            yield
        finally:
            self.restore()

    def restore(self) -> None:
        """Put the backed-up base weights back and mark every layer unmerged."""
        import torch

        with torch.no_grad():
            for layer, copy in zip(self.layers, self._backup):
                layer.get_base_layer().weight.data.copy_(copy, non_blocking=True)
                layer.merged_adapters.clear()
            if self.restores == 0:  # checked once: the copy-back path is the same every time
                for layer, copy in zip(self.layers, self._backup):
                    if not torch.equal(layer.get_base_layer().weight.detach().cpu(), copy):
                        raise RuntimeError("LoRA unmerge: a base weight did not come back bit for bit")
        self.restores += 1
