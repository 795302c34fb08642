"""Fused LoRA linear layers: the Triton kernel adding the low-rank update in place, and the autograd Function
for projections sharing one input (saving only the input).

Each projection is y = x W^T + b + s * (x A^T) B^T with a frozen (possibly 4-bit) W. Backward recomputes
x A^T from the saved input, writing into buffers it reuses in place. The low-rank products run in the input's dtype on tensor cores with float32 accumulation (what
peft does under autocast); gradients of A and B are accumulated in the adapter weights' dtype.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import triton
import triton.language as tl

from trainer.kernels.dequant import dense_weight


@triton.jit
def _lora_add_kernel(
    y_ptr,
    a_ptr,
    b_ptr,
    M,
    N,
    R,
    stride_ym,
    stride_am,
    stride_ar,
    stride_br,
    stride_bn,
    scale,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_R: tl.constexpr,
    IEEE: tl.constexpr,
):
    """y[M, N] += scale * a[M, R] @ b[R, N] with a float32 sum (exact float32 products for float32 a, b), in place."""
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    om = (pid_m * BLOCK_M + tl.arange(0, BLOCK_M)).to(tl.int64)
    on = (pid_n * BLOCK_N + tl.arange(0, BLOCK_N)).to(tl.int64)
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for r0 in range(0, R, BLOCK_R):
        orr = r0 + tl.arange(0, BLOCK_R)
        a = tl.load(
            a_ptr + om[:, None] * stride_am + orr[None, :] * stride_ar,
            mask=(om[:, None] < M) & (orr[None, :] < R),
            other=0.0,
        )
        b = tl.load(
            b_ptr + orr[:, None] * stride_br + on[None, :] * stride_bn,
            mask=(orr[:, None] < R) & (on[None, :] < N),
            other=0.0,
        )
        if IEEE:
            acc += tl.dot(a.to(tl.float32), b.to(tl.float32), input_precision="ieee")
        else:  # 16-bit inputs: tensor cores, float32 accumulation
            acc += tl.dot(a, b.to(a.dtype))
    y_ptrs = y_ptr + om[:, None] * stride_ym + on[None, :]
    ymask = (om[:, None] < M) & (on[None, :] < N)
    y = tl.load(y_ptrs, mask=ymask, other=0.0).to(tl.float32)
    tl.store(y_ptrs, (y + scale * acc).to(y_ptr.dtype.element_ty), mask=ymask)


def _triton_lora_add(y: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> bool:
    """Which implementation adds the low-rank update (AHA_LORA_ADD=triton|torch overrides the choice).

    float32 (or mixed) inputs: the Triton kernel, whose float32 products are exact. Same-dtype 16-bit
    inputs: cuBLAS addmm_, the same arithmetic (float32 accumulation, one rounding of y) at a cheaper
    launch, which matters because the LoRA update phase issues thousands of small launches per step.
    """
    choice = os.environ.get("AHA_LORA_ADD", "auto")
    if choice in ("triton", "torch"):
        return choice == "triton" or not (y.dtype == a.dtype == b.dtype)
    return a.dtype == torch.float32 or not (y.dtype == a.dtype == b.dtype)


def lora_add_(y: torch.Tensor, a: torch.Tensor, b: torch.Tensor, scale: float) -> torch.Tensor:
    """In place: y += scale * a @ b, summed in float32 (y: [M, N] with unit column stride; a: [M, R]; b: [R, N])."""
    m, n = y.shape
    r = a.shape[1]
    if y.stride(1) != 1:
        raise ValueError("lora_add_ needs y with unit column stride")
    if m == 0 or n == 0:
        return y
    if not _triton_lora_add(y, a, b):
        return y.addmm_(a, b, alpha=scale)
    block_r = max(16, min(64, triton.next_power_of_2(r)))
    block_m, block_n = 64, 128
    grid = (triton.cdiv(m, block_m), triton.cdiv(n, block_n))
    _lora_add_kernel[grid](
        y, a, b, m, n, r, y.stride(0), a.stride(0), a.stride(1), b.stride(0), b.stride(1), float(scale),
        BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_R=block_r, IEEE=a.dtype == torch.float32, num_warps=4,
    )  # fmt: skip
    return y


@dataclass
class Projection:
    """One active LoRA projection: its frozen base layer, its A [r, in] and B [out, r], and the scaling."""

    base: torch.nn.Module
    lora_a: torch.Tensor
    lora_b: torch.Tensor
    scale: float

    @property
    def out_features(self) -> int:
        return self.lora_b.shape[0]

    @property
    def rank(self) -> int:
        return self.lora_a.shape[0]

    def weight(self) -> torch.Tensor:
        return dense_weight(self.base)

    @property
    def bias(self) -> torch.Tensor | None:
        return getattr(self.base, "bias", None)


def _low_rank_inputs(x: torch.Tensor, a_all: torch.Tensor, ranks: list[int]) -> list[torch.Tensor]:
    """x A_i^T for every projection, from one matmul against the stacked A's (views into one buffer)."""
    xa = x @ a_all.t()
    out, start = [], 0
    for r in ranks:
        out.append(xa[:, start : start + r])
        start += r
    return out


def _base_out(p: Projection, w: torch.Tensor, x: torch.Tensor, out: torch.Tensor) -> None:
    if p.bias is not None:
        torch.addmm(p.bias.to(out.dtype), x, w.t(), out=out)
    else:
        torch.mm(x, w.t(), out=out)


def _backward_one(p, w, a, b, x, xa, dy, dx, accumulate: bool, grad_a, grad_b) -> None:
    """Add one projection's LoRA gradients (from x, x A^T and dy) and write or add its input gradient into dx.

    a, b: the LoRA weights in the compute dtype; grad_a, grad_b: accumulators in the adapter's dtype.
    """
    dy_b = dy @ b
    if grad_b is not None:
        grad_b.add_(dy.t() @ xa, alpha=p.scale)
    if grad_a is not None:
        grad_a.add_(dy_b.t() @ x, alpha=p.scale)
    if dx is not None:
        if accumulate:
            dx.addmm_(dy, w)
        else:
            torch.mm(dy, w, out=dx)
        lora_add_(dx, dy_b, a, p.scale)


def balanced_chunk(n: int, chunk_rows: int) -> int:
    """Rows per chunk: as few chunks as chunk_rows allows, of near-equal size (4224 rows, 2048 -> 3 x 1408)."""
    if n <= chunk_rows:
        return max(n, 1)
    pieces = -(-n // chunk_rows)
    return -(-n // pieces)


def _grad_buffers(ctx, params, first_index: int):
    return [torch.zeros_like(t) if ctx.needs_input_grad[first_index + i] else None for i, t in enumerate(params)]


def _compute_copies(params, dtype) -> list[torch.Tensor]:
    """The LoRA weights cast to the compute dtype (tiny: r x features each)."""
    return [t.to(dtype) for t in params]


class LoraProjections(torch.autograd.Function):
    """Several LoRA projections of one input (q/k/v, or a single layer); saves only x and the LoRA weights.

    Not chunked: its only temporaries are [tokens, rank] products, next to outputs it must return anyway.
    """

    @staticmethod
    def forward(ctx, x, projections, *params):
        n = x.shape[0]
        cast = _compute_copies(params, x.dtype)
        a_all = torch.cat(cast[0::2]) if len(projections) > 1 else cast[0]
        xas = _low_rank_inputs(x, a_all, [p.rank for p in projections])
        outs = []
        for i, p in enumerate(projections):
            y = torch.empty(n, p.out_features, dtype=x.dtype, device=x.device)
            _base_out(p, p.weight(), x, y)
            lora_add_(y, xas[i], cast[2 * i + 1].t(), p.scale)
            outs.append(y)
        ctx.save_for_backward(x, *params)
        ctx.projections = projections
        return tuple(outs)

    @staticmethod
    def backward(ctx, *grads):
        x, *params = ctx.saved_tensors
        projections = ctx.projections
        dx = torch.empty_like(x) if ctx.needs_input_grad[0] else None
        pgrads = _grad_buffers(ctx, params, 2)
        live = [i for i, g in enumerate(grads) if g is not None]
        if dx is not None and not live:
            dx.zero_()
        if live:
            cast = _compute_copies(params, x.dtype)
            a_all = torch.cat(cast[0::2]) if len(projections) > 1 else cast[0]
            xas = _low_rank_inputs(x, a_all, [p.rank for p in projections])
            for j, i in enumerate(live):
                p = projections[i]
                _backward_one(
                    p,
                    p.weight() if dx is not None else None,
                    cast[2 * i],
                    cast[2 * i + 1],
                    x,
                    xas[i],
                    grads[i],
                    dx,
                    j > 0,
                    pgrads[2 * i],
                    pgrads[2 * i + 1],
                )
        return (dx, None, *pgrads)
