"""The fused GRPO loss: per chunk of hidden states, logits -> log-probs -> loss -> logit gradients in one pass
(the row kernel of trainer.kernels.logprobs run with its loss inputs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from trainer.kernels.logprobs import _check_inputs, _chunk_rows, _head_grads_chunk, _launch

if TYPE_CHECKING:
    from trainer.losses import LossSettings


def aggregation_weights(mask: torch.Tensor, settings: LossSettings, num_items_in_batch: float | None) -> torch.Tensor:
    """Per-token weights w such that sum(w * per_token_loss) is the aggregated loss of `settings.loss_type`."""
    m = mask.float()
    kind = settings.loss_type
    if kind == "grpo":
        return m / m.sum(-1, keepdim=True).clamp(min=1.0) / m.shape[0]
    if kind == "bnpo":
        return m / m.sum().clamp(min=1.0)
    if kind == "dr_grpo":
        return m / (m.shape[0] * settings.max_completion_length)
    if kind == "dapo":
        denom = num_items_in_batch if num_items_in_batch is not None else m.sum().clamp(min=1.0)
        return m / denom
    raise ValueError(f"unknown loss_type {kind!r}")


class FusedGRPOLoss(torch.autograd.Function):
    """The GRPO loss straight from hidden states: per chunk, logits -> stats -> loss -> logit gradients in place.

    The loss is a sum of per-token terms whose weights are known up front, so the gradient is computed
    in the forward pass (no second sweep over the logits); backward only scales it.
    """

    @staticmethod
    def forward(ctx, hidden, weight, ids, per_token_inputs: dict, chunk_size: int, temperature: float, want_h, want_w):
        n = hidden.shape[0]
        dev = hidden.device
        f32 = dict(dtype=torch.float32, device=dev)
        logp, lse, loss_tok, clipped = (torch.empty(n, **f32) for _ in range(4))
        kl = torch.empty(n, **f32) if per_token_inputs.get("ref") is not None else None
        grad_h = torch.empty_like(hidden) if want_h else None
        grad_w = torch.zeros(weight.shape, **f32) if want_w else None
        buf = torch.empty(min(chunk_size, n), weight.shape[0], dtype=hidden.dtype, device=dev)
        for s in range(0, n, chunk_size):
            e = min(s + chunk_size, n)
            logits = buf[: e - s]
            torch.mm(hidden[s:e], weight.t(), out=logits)
            li = {k: (v[s:e] if isinstance(v, torch.Tensor) else v) for k, v in per_token_inputs.items()}
            li.update(loss=loss_tok[s:e], clipped=clipped[s:e], kl=kl[s:e] if kl is not None else None)
            grad = logits if (want_h or want_w) else None
            _launch(logits, ids[s:e], temperature, grad=grad, lse=lse[s:e], logp=logp[s:e], loss_inputs=li, stats=True)
            if grad is not None:
                _head_grads_chunk(logits, hidden[s:e], weight, grad_h[s:e] if grad_h is not None else None, grad_w)
        del buf
        ctx.save_for_backward(grad_h, grad_w)
        ctx.weight_dtype = weight.dtype
        ctx.mark_non_differentiable(logp, clipped)
        if kl is not None:
            ctx.mark_non_differentiable(kl)
        return loss_tok.sum(), logp, clipped, kl

    @staticmethod
    def backward(ctx, grad_loss, *_):
        grad_h, grad_w = ctx.saved_tensors
        gh = (grad_h * grad_loss.to(grad_h.dtype)) if grad_h is not None else None
        gw = (grad_w * grad_loss).to(ctx.weight_dtype) if grad_w is not None else None
        return gh, gw, None, None, None, None, None, None


def fused_grpo_loss(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    ids: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    settings: LossSettings,
    old_logps: torch.Tensor | None = None,
    ref_logps: torch.Tensor | None = None,
    is_weights: torch.Tensor | None = None,
    num_items_in_batch: float | None = None,
    chunk_size: int | None = None,
    temperature: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor, dict[str, float]]:
    """The GRPO loss of `settings` computed from hidden states, its detached log-probs and its statistics."""
    _check_inputs(hidden, weight, ids, temperature)
    if hidden.dim() != 3:
        raise ValueError(f"hidden must be [batch, tokens, hidden], got shape {tuple(hidden.shape)}")
    b, t = ids.shape
    for name, x in (("mask", mask), ("old_logps", old_logps), ("ref_logps", ref_logps), ("is_weights", is_weights)):
        if x is not None and tuple(x.shape) != (b, t):
            raise ValueError(f"{name} must have shape {(b, t)}, got {tuple(x.shape)}")
    if advantages.shape not in ((b,), (b, t)):
        raise ValueError(f"advantages must have shape {(b,)} or {(b, t)}, got {tuple(advantages.shape)}")
    if settings.beta > 0 and ref_logps is None:
        raise ValueError("beta > 0 needs reference log-probs")
    n = b * t
    adv = advantages.float()
    adv = (adv[:, None].expand(b, t) if adv.dim() == 1 else adv).reshape(n).contiguous()

    def flat(x: torch.Tensor | None) -> torch.Tensor | None:
        return None if x is None else x.detach().float().reshape(n).contiguous()

    w = aggregation_weights(mask, settings, num_items_in_batch).reshape(n).contiguous()
    per_token_inputs = {
        "adv": adv,
        "old": flat(old_logps),
        "ref": flat(ref_logps) if settings.beta > 0 else None,
        "isw": flat(is_weights),
        "w": w,
        "ratio_low": 1.0 - settings.epsilon_low,
        "ratio_high": 1.0 + settings.epsilon_high,
        "beta": settings.beta,
    }
    flat_h = hidden.reshape(n, hidden.shape[-1]).contiguous()
    chunk = _chunk_rows(chunk_size, weight, hidden, n)
    grad_on = torch.is_grad_enabled()
    loss, logp, clipped, kl = FusedGRPOLoss.apply(
        flat_h,
        weight,
        ids.reshape(n).contiguous(),
        per_token_inputs,
        chunk,
        float(temperature),
        grad_on and hidden.requires_grad,
        grad_on and weight.requires_grad,
    )
    clipped = clipped.detach()
    kl = kl.detach() if kl is not None else None
    m = mask.detach().float().reshape(n)
    n_tokens = m.sum().clamp(min=1.0)
    sums = [(clipped * m).sum()] + ([(kl * m).sum()] if kl is not None else [])
    values = (torch.stack(sums) / n_tokens).tolist()  # one device sync for all statistics
    stats = {"clip_fraction": values[0]}
    if kl is not None:
        stats["kl"] = values[1]
    return loss, logp.detach().reshape(b, t), stats
