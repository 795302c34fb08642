"""Triton row kernels over a chunk of logits: log-sum-exp, chosen log-prob, entropy, GRPO loss, logit gradients."""

from __future__ import annotations

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
