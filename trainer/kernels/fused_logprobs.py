"""Chunked log-probs and the fused GRPO loss on top of the Triton row kernels (autograd Functions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import triton

from trainer.kernels.logprob_kernels import logprob_rows_kernel

if TYPE_CHECKING:
    from trainer.losses import LossSettings

# Rows per chunk are chosen so that one chunk of logits stays near this size (or below, with chunk_size).
_CHUNK_BYTES = 64 * 2**20


def auto_chunk_size(vocab: int, dtype: torch.dtype, n_rows: int) -> int:
    """Rows per chunk: a power of two whose [rows, vocab] logits buffer is at most about 64 MiB (16 to 4096)."""
    per_row = vocab * torch.empty((), dtype=dtype).element_size()
    rows = max(16, min(4096, _CHUNK_BYTES // max(per_row, 1)))
    rows = 1 << (rows.bit_length() - 1)
    return max(1, min(rows, n_rows))


def _chunk_rows(chunk_size: int | None, weight: torch.Tensor, hidden: torch.Tensor, n_rows: int) -> int:
    """Rows per chunk: the automatic size, or chunk_size where that is smaller (a cap, not a request)."""
    if chunk_size is not None and chunk_size < 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    auto = auto_chunk_size(weight.shape[0], hidden.dtype, n_rows)
    return min(int(chunk_size), auto) if chunk_size else auto


def _block_v(vocab: int) -> int:
    return min(4096, triton.next_power_of_2(vocab))


def _check_inputs(hidden: torch.Tensor, weight: torch.Tensor, ids: torch.Tensor, temperature: float) -> None:
    if weight.dim() != 2:
        raise ValueError(f"weight must be [vocab, hidden], got shape {tuple(weight.shape)}")
    if hidden.shape[-1] != weight.shape[1]:
        raise ValueError(f"hidden size {hidden.shape[-1]} does not match weight's {weight.shape[1]}")
    if hidden.shape[:-1] != ids.shape:
        raise ValueError(
            f"ids shape {tuple(ids.shape)} does not match hidden's leading shape {tuple(hidden.shape[:-1])}"
        )
    if ids.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"ids must be an integer tensor, got {ids.dtype}")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if hidden.dtype != weight.dtype:
        raise ValueError(f"hidden ({hidden.dtype}) and weight ({weight.dtype}) must have the same dtype")
    if ids.numel():
        lo, hi = torch.stack(torch.aminmax(ids)).tolist()  # one device sync
        if lo < 0 or hi >= weight.shape[0]:
            raise ValueError(f"ids must lie in [0, {weight.shape[0]}), got min {lo}, max {hi}")


class _Empty:
    """One tiny float32 tensor per device stands in for pointers a kernel variant does not read."""

    cache: dict = {}

    @classmethod
    def on(cls, device: torch.device) -> torch.Tensor:
        key = str(device)
        if key not in cls.cache:
            cls.cache[key] = torch.zeros(1, dtype=torch.float32, device=device)
        return cls.cache[key]


def _launch(
    logits: torch.Tensor,
    ids: torch.Tensor,
    temperature: float,
    *,
    grad: torch.Tensor | None = None,
    lse: torch.Tensor,
    logp: torch.Tensor | None = None,
    entropy: torch.Tensor | None = None,
    coef: torch.Tensor | None = None,
    loss_inputs: dict | None = None,
    stats: bool,
) -> None:
    rows, vocab = logits.shape
    if rows == 0:
        return
    e = _Empty.on(logits.device)
    li = loss_inputs or {}
    logprob_rows_kernel[(rows,)](
        logits,
        grad if grad is not None else logits,
        logits.stride(0),
        (grad if grad is not None else logits).stride(0),
        ids,
        lse,
        logp if logp is not None else e,
        entropy if entropy is not None else e,
        coef if coef is not None else e,
        li.get("adv", e),
        li.get("old", e) if li.get("old") is not None else e,
        li.get("ref", e) if li.get("ref") is not None else e,
        li.get("isw", e) if li.get("isw") is not None else e,
        li.get("w", e),
        li.get("loss", e),
        li.get("clipped", e),
        li.get("kl", e) if li.get("kl") is not None else e,
        vocab,
        float(temperature),
        float(li.get("ratio_low", 0.0)),
        float(li.get("ratio_high", 0.0)),
        float(li.get("beta", 0.0)),
        BLOCK_V=_block_v(vocab),
        STATS=stats,
        ENTROPY=entropy is not None,
        LOSS=loss_inputs is not None,
        GRAD=grad is not None,
        HAS_OLD=li.get("old") is not None,
        HAS_REF=li.get("ref") is not None,
        HAS_ISW=li.get("isw") is not None,
        num_warps=8,
    )


def _head_grads_chunk(
    g: torch.Tensor,
    h: torch.Tensor,
    weight: torch.Tensor,
    grad_h: torch.Tensor | None,
    grad_w: torch.Tensor | None,
) -> None:
    """grad_h[chunk] = g @ W; grad_w += g^T @ h (float32), for one chunk of logit gradients g."""
    if grad_h is not None:
        torch.mm(g, weight, out=grad_h)
    if grad_w is not None:
        grad_w += (g.t() @ h).float()


class TokenLogProbs(torch.autograd.Function):
    """log softmax(h W^T / t)[ids] (and entropy), chunk by chunk; backward recomputes each chunk's logits."""

    @staticmethod
    def forward(ctx, hidden, weight, ids, chunk_size: int, temperature: float, with_entropy: bool):
        n = hidden.shape[0]
        dev = hidden.device
        logp = torch.empty(n, dtype=torch.float32, device=dev)
        lse = torch.empty(n, dtype=torch.float32, device=dev)
        entropy = torch.empty(n, dtype=torch.float32, device=dev) if with_entropy else None
        buf = torch.empty(min(chunk_size, n), weight.shape[0], dtype=hidden.dtype, device=dev)
        for s in range(0, n, chunk_size):
            e = min(s + chunk_size, n)
            logits = buf[: e - s]
            torch.mm(hidden[s:e], weight.t(), out=logits)
            _launch(
                logits,
                ids[s:e],
                temperature,
                lse=lse[s:e],
                logp=logp[s:e],
                entropy=entropy[s:e] if entropy is not None else None,
                stats=True,
            )
        del buf
        ctx.save_for_backward(hidden, weight, ids, lse)
        ctx.chunk_size = chunk_size
        ctx.temperature = temperature
        if entropy is None:
            return logp
        ctx.mark_non_differentiable(entropy)
        return logp, entropy

    @staticmethod
    def backward(ctx, grad_logp, grad_entropy=None):
        hidden, weight, ids, lse = ctx.saved_tensors
        chunk, n = ctx.chunk_size, hidden.shape[0]
        grad_h = torch.empty_like(hidden) if ctx.needs_input_grad[0] else None
        grad_w = (
            torch.zeros(weight.shape, dtype=torch.float32, device=weight.device) if ctx.needs_input_grad[1] else None
        )
        if grad_h is None and grad_w is None:
            return None, None, None, None, None, None
        coef = grad_logp.float().contiguous()
        buf = torch.empty(min(chunk, n), weight.shape[0], dtype=hidden.dtype, device=hidden.device)
        for s in range(0, n, chunk):
            e = min(s + chunk, n)
            logits = buf[: e - s]
            torch.mm(hidden[s:e], weight.t(), out=logits)
            _launch(logits, ids[s:e], ctx.temperature, grad=logits, lse=lse[s:e], coef=coef[s:e], stats=False)
            _head_grads_chunk(logits, hidden[s:e], weight, grad_h[s:e] if grad_h is not None else None, grad_w)
        if grad_w is not None:
            grad_w = grad_w.to(weight.dtype)
        return grad_h, grad_w, None, None, None, None


def token_logprobs(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    ids: torch.Tensor,
    chunk_size: int | None = None,
    temperature: float = 1.0,
    return_entropy: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """float32 log-probs of `ids` under hidden @ weight.T / temperature (and the entropy, without gradient)."""
    _check_inputs(hidden, weight, ids, temperature)
    lead = ids.shape
    flat_h = hidden.reshape(-1, hidden.shape[-1]).contiguous()
    flat_ids = ids.reshape(-1).contiguous()
    n = flat_ids.numel()
    chunk = _chunk_rows(chunk_size, weight, hidden, n)
    out = TokenLogProbs.apply(flat_h, weight, flat_ids, chunk, float(temperature), bool(return_entropy))
    if return_entropy:
        logp, entropy = out
        return logp.reshape(lead), entropy.reshape(lead)
    return out.reshape(lead)


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
