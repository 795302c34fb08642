"""The dense base weight of a (possibly 4-bit) linear layer, dequantised on the fly."""

from __future__ import annotations

import torch


def is_4bit(layer: torch.nn.Module) -> bool:
    """True for a bitsandbytes 4-bit (NF4/FP4) linear layer."""
    return getattr(layer.weight, "quant_state", None) is not None and type(layer).__name__ == "Linear4bit"


def dense_weight(layer: torch.nn.Module) -> torch.Tensor:
    """[out, in] weight of `layer` in its compute dtype; a 4-bit weight is dequantised (a temporary copy)."""
    weight = layer.weight
    state = getattr(weight, "quant_state", None)
    if state is None:
        return weight
    import bitsandbytes.functional as bnbf

    return bnbf.dequantize_4bit(weight.data, state).to(state.dtype)
