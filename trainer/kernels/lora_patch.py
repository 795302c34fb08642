"""Swap peft LoRA layers' forwards for the fused Functions (and back); blocks for q/k/v and SwiGLU MLPs."""

from __future__ import annotations

from typing import Any

import torch

from trainer.kernels.lora_linear import LoraProjections, Projection
from trainer.kernels.lora_mlp import LoraSwiGLUMLP

_MARK = "_aha_fused_lora"


def _lora_layer_types() -> tuple[type, ...]:
    from peft.tuners.lora.layer import Linear

    types: list[type] = [Linear]
    try:
        from peft.tuners.lora.bnb import Linear4bit
    except (ImportError, AttributeError):  # bitsandbytes not installed: no 4-bit layers can exist
        pass
    else:
        types.append(Linear4bit)
    return tuple(types)


def _patchable(layer: Any) -> bool:
    """Static conditions: plain LoRA (no DoRA / LoRA bias / fan_in_fan_out) over a frozen base."""
    base = layer.get_base_layer()
    if getattr(layer, "fan_in_fan_out", False) or getattr(layer, "lora_variant", None):
        return False
    if base.weight.requires_grad or (getattr(base, "bias", None) is not None and base.bias.requires_grad):
        return False
    if any(getattr(b, "bias", None) is not None for b in layer.lora_B.values()):
        return False
    return type(base).__name__ in ("Linear", "Linear4bit") and isinstance(base, torch.nn.Module)


def _compute_dtype(base: torch.nn.Module) -> torch.dtype:
    state = getattr(base.weight, "quant_state", None)
    return state.dtype if state is not None else base.weight.dtype


def active_projection(layer: Any, x: torch.Tensor, check_width: bool = True) -> Projection | None:
    """The fused description of `layer` for input x, or None where the fused path would differ from peft's."""
    if layer.disable_adapters or layer.merged or torch.is_autocast_enabled():
        return None
    active = [a for a in layer.active_adapters if a in layer.lora_A]
    if len(active) != 1:
        return None
    name = active[0]
    if name in getattr(layer, "lora_variant", {}):
        return None
    dropout = layer.lora_dropout[name]
    if isinstance(dropout, torch.nn.Dropout) and dropout.p > 0 and dropout.training:
        return None
    base = layer.get_base_layer()
    if x.dtype != _compute_dtype(base) or (check_width and x.shape[-1] != layer.in_features):
        return None
    a, b = layer.lora_A[name].weight, layer.lora_B[name].weight
    if a.dtype != b.dtype:
        return None
    return Projection(base=base, lora_a=a, lora_b=b, scale=float(layer.scaling[name]))


def fused_projections(x: torch.Tensor, projections: list[Projection]) -> tuple[torch.Tensor, ...]:
    """The outputs of several LoRA projections of one input, through one fused Function."""
    lead = x.shape[:-1]
    x2 = x.reshape(-1, x.shape[-1])
    params = [t for p in projections for t in (p.lora_a, p.lora_b)]
    outs = LoraProjections.apply(x2, projections, *params)
    return tuple(o.reshape(*lead, o.shape[-1]) for o in outs)


def fused_mlp(x: torch.Tensor, projections: list[Projection], chunk_rows: int) -> torch.Tensor:
    """down(silu(gate(x)) * up(x)) through the fused SwiGLU MLP Function."""
    lead = x.shape[:-1]
    params = [t for p in projections for t in (p.lora_a, p.lora_b)]
    y = LoraSwiGLUMLP.apply(x.reshape(-1, x.shape[-1]), projections, chunk_rows, *params)
    return y.reshape(*lead, y.shape[-1])


class _QKVBlock:
    """Shared by q/k/v of one attention module: q computes all three, k and v pick up their outputs."""

    def __init__(self, q: Any, k: Any, v: Any) -> None:
        self.layers = (q, k, v)
        self.pending: dict[int, torch.Tensor] = {}
        self.key: tuple[int, int] | None = None

    def take(self, index: int, x: torch.Tensor) -> torch.Tensor | None:
        if self.key != (id(x), x._version) or index not in self.pending:
            self.pending.clear()
            return None
        out = self.pending.pop(index)
        if not self.pending:
            self.key = None
        return out


def _single_forward(layer: Any):
    original = type(layer).forward.__get__(layer)

    def forward(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        p = None if (args or kwargs) else active_projection(layer, x)
        if p is None:
            return original(x, *args, **kwargs)
        return fused_projections(x, [p])[0]

    return forward


def _qkv_forward(block: _QKVBlock, index: int, single):
    def forward(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        if args or kwargs:
            return single(x, *args, **kwargs)
        if index > 0:
            out = block.take(index, x)
            return out if out is not None else single(x)
        projections = [active_projection(layer, x) for layer in block.layers]
        if any(p is None for p in projections):
            block.pending.clear()
            return single(x)
        q, k, v = fused_projections(x, projections)
        block.pending = {1: k, 2: v}
        block.key = (id(x), x._version)
        return q

    return forward


def _is_silu(act: Any) -> bool:
    return isinstance(act, torch.nn.SiLU) or type(act).__name__ in ("SiLU", "SiLUActivation")


def _mlp_forward(module: Any, chunk_rows: int):
    original = type(module).forward.__get__(module)
    layers = (module.gate_proj, module.up_proj, module.down_proj)

    def forward(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        projections = None
        if not (args or kwargs):
            projections = [active_projection(layer, x, check_width=i < 2) for i, layer in enumerate(layers)]
        if (
            projections is None
            or any(p is None for p in projections)
            or projections[0].lora_a.dtype != (projections[2].lora_a.dtype)
        ):
            return original(x, *args, **kwargs)
        return fused_mlp(x, projections, chunk_rows)

    return forward


def patch_lora(model: Any, chunk_rows: int = 2048, fuse_blocks: bool = True) -> int:
    """Route peft LoRA Linear layers through the fused Functions; returns how many LoRA layers were patched."""
    if chunk_rows <= 0:
        raise ValueError(f"chunk_rows must be positive, got {chunk_rows}")
    types = _lora_layer_types()
    singles: dict[int, Any] = {}
    for module in model.modules():
        if isinstance(module, types) and not hasattr(module, _MARK) and _patchable(module):
            forward = _single_forward(module)
            module.forward = forward
            setattr(module, _MARK, "single")
            singles[id(module)] = forward
    if fuse_blocks:
        for module in model.modules():
            if hasattr(module, _MARK):
                continue
            q, k, v = (getattr(module, n, None) for n in ("q_proj", "k_proj", "v_proj"))
            if all(id(m) in singles for m in (q, k, v)):
                block = _QKVBlock(q, k, v)
                for i, layer in enumerate((q, k, v)):
                    layer.forward = _qkv_forward(block, i, singles[id(layer)])
                setattr(module, _MARK, "qkv")
            gate, up, down = (getattr(module, n, None) for n in ("gate_proj", "up_proj", "down_proj"))
            if all(id(m) in singles for m in (gate, up, down)) and _is_silu(getattr(module, "act_fn", None)):
                module.forward = _mlp_forward(module, chunk_rows)
                setattr(module, _MARK, "mlp")
    return len(singles)


def unpatch_lora(model: Any) -> int:
    """Give back the original forwards; returns how many LoRA layers were restored."""
    restored = 0
    for module in model.modules():
        kind = getattr(module, _MARK, None)
        if kind is None:
            continue
        if "forward" in vars(module):
            del module.forward
        delattr(module, _MARK)
        restored += kind == "single"
    return restored
