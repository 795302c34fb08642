"""Chunked token log-probs: the Triton row kernel over a chunk of logits (log-sum-exp, chosen log-prob, entropy,
and, for the fused GRPO loss, the per-token loss and logit gradients), its launcher and the autograd Function."""

from __future__ import annotations

import torch
import triton
import triton.language as tl


@triton.jit
def logprob_rows_kernel(
    logits_ptr,
    grad_ptr,
    stride_logits,
    stride_grad,
    ids_ptr,
    lse_ptr,
    logp_ptr,
    entropy_ptr,
    coef_ptr,
    adv_ptr,
    old_ptr,
    ref_ptr,
    isw_ptr,
    weight_ptr,
    loss_ptr,
    clipped_ptr,
    kl_ptr,
    vocab,
    temperature,
    ratio_low,
    ratio_high,
    beta,
    BLOCK_V: tl.constexpr,
    STATS: tl.constexpr,
    ENTROPY: tl.constexpr,
    LOSS: tl.constexpr,
    GRAD: tl.constexpr,
    HAS_OLD: tl.constexpr,
    HAS_REF: tl.constexpr,
    HAS_ISW: tl.constexpr,
):
    """One program per row (token).

    STATS: one pass over the vocabulary with an online log-sum-exp in float32 (and the entropy),
    writing lse and the chosen token's log-prob; otherwise lse is read back.
    LOSS: the clipped GRPO surrogate (+ beta * k3 KL, x importance weight, x aggregation weight) of
    this token and d loss / d logp, which becomes the row's gradient coefficient; otherwise the
    coefficient is read from coef_ptr.
    GRAD: a second pass writing coef * (onehot - softmax) / temperature into grad_ptr (may alias logits).
    """
    row = tl.program_id(0).to(tl.int64)
    row_logits = logits_ptr + row * stride_logits
    target = tl.load(ids_ptr + row).to(tl.int64)
    cols = tl.arange(0, BLOCK_V)

    if STATS:
        m = tl.full((), float("-inf"), tl.float32)
        s = tl.zeros((), tl.float32)
        a = tl.zeros((), tl.float32)
        for start in range(0, vocab, BLOCK_V):
            offs = start + cols
            valid = offs < vocab
            z = tl.load(row_logits + offs, mask=valid, other=float("-inf")).to(tl.float32) / temperature
            m_new = tl.maximum(m, tl.max(z, axis=0))
            scale = tl.exp(m - m_new)
            e = tl.exp(z - m_new)
            s = s * scale + tl.sum(e, axis=0)
            if ENTROPY:
                a = a * scale + tl.sum(e * tl.where(valid, z, 0.0), axis=0)
            m = m_new
        lse = m + tl.log(s)
        logp = tl.load(row_logits + target).to(tl.float32) / temperature - lse
        tl.store(lse_ptr + row, lse)
        tl.store(logp_ptr + row, logp)
        if ENTROPY:
            tl.store(entropy_ptr + row, lse - a / s)
    else:
        lse = tl.load(lse_ptr + row)

    if LOSS:
        adv = tl.load(adv_ptr + row)
        w = tl.load(weight_ptr + row)
        if HAS_OLD:
            ratio = tl.exp(logp - tl.load(old_ptr + row))
        else:
            ratio = tl.full((), 1.0, tl.float32)
        clipped_ratio = tl.minimum(tl.maximum(ratio, ratio_low), ratio_high)
        per_token = -tl.minimum(ratio * adv, clipped_ratio * adv)
        is_clipped = ((ratio < ratio_low) & (adv < 0)) | ((ratio > ratio_high) & (adv > 0))
        # d(-min(r A, clip(r) A))/d logp: -A r where the unclipped branch is taken, else 0
        dloss = tl.where(is_clipped, 0.0, -adv * ratio)
        if HAS_REF:
            delta = tl.load(ref_ptr + row) - logp
            kl = tl.exp(delta) - delta - 1.0
            per_token = per_token + beta * kl
            dloss = dloss + beta * (1.0 - tl.exp(delta))
            tl.store(kl_ptr + row, kl)
        if HAS_ISW:
            isw = tl.load(isw_ptr + row)
            per_token = per_token * isw
            dloss = dloss * isw
        tl.store(loss_ptr + row, per_token * w)
        tl.store(clipped_ptr + row, is_clipped.to(tl.float32))
        coef = dloss * w / temperature
    elif GRAD:
        coef = tl.load(coef_ptr + row) / temperature

    if GRAD:
        row_grad = grad_ptr + row * stride_grad
        for start in range(0, vocab, BLOCK_V):
            offs = start + cols
            valid = offs < vocab
            z = tl.load(row_logits + offs, mask=valid, other=0.0).to(tl.float32) / temperature
            g = tl.where(offs == target, 1.0, 0.0) - tl.exp(z - lse)
            tl.store(row_grad + offs, (coef * g).to(grad_ptr.dtype.element_ty), mask=valid)


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
