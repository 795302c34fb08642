"""Fused LoRA autograd Functions: projections sharing one input, and the SwiGLU MLP, saving only the input.

Each projection is y = x W^T + b + s * (x A^T) B^T with a frozen (possibly 4-bit) W. Backward recomputes
x A^T (and, for the MLP, the gate and up projections) from the saved input, writing into buffers it reuses
in place. The low-rank products run in the input's dtype on tensor cores with float32 accumulation (what
peft does under autocast); gradients of A and B are accumulated in the adapter weights' dtype.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from trainer.kernels.dequant import dense_weight
from trainer.kernels.lora_kernels import lora_add_, swiglu_, swiglu_backward_


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


def _gate_up_chunk(gate, up, wg, wu, a_gu, bg, bu, xc, g, u):
    """g, u = the gate and up projections (with LoRA) of one chunk, written into g and u."""
    xa_g, xa_u = _low_rank_inputs(xc, a_gu, [gate.rank, up.rank])
    _base_out(gate, wg, xc, g)
    lora_add_(g, xa_g, bg.t(), gate.scale)
    _base_out(up, wu, xc, u)
    lora_add_(u, xa_u, bu.t(), up.scale)
    return xa_g, xa_u


class LoraSwiGLUMLP(torch.autograd.Function):
    """down(silu(gate(x)) * up(x)) with LoRA on all three; saves only x, recomputes gate/up in backward."""

    @staticmethod
    def forward(ctx, x, projections, chunk_rows, *params):
        gate, up, down = projections
        ag, bg, au, bu, ad, bd = _compute_copies(params, x.dtype)
        a_gu = torch.cat([ag, au])
        n = x.shape[0]
        wg, wu, wd = gate.weight(), up.weight(), down.weight()
        y = torch.empty(n, down.out_features, dtype=x.dtype, device=x.device)
        rows = chunk_rows = balanced_chunk(n, chunk_rows)
        g_buf = torch.empty(rows, gate.out_features, dtype=x.dtype, device=x.device)
        u_buf = torch.empty_like(g_buf)
        for s in range(0, n, chunk_rows):
            xc = x[s : s + chunk_rows]
            c = xc.shape[0]
            g, u = g_buf[:c], u_buf[:c]
            _gate_up_chunk(gate, up, wg, wu, a_gu, bg, bu, xc, g, u)
            h = swiglu_(g, u, out=g)
            yc = y[s : s + chunk_rows]
            _base_out(down, wd, h, yc)
            lora_add_(yc, h @ ad.t(), bd.t(), down.scale)
        ctx.save_for_backward(x, *params)
        ctx.projections = projections
        ctx.chunk_rows = chunk_rows
        return y

    @staticmethod
    def backward(ctx, dy):
        x, *params = ctx.saved_tensors
        gate, up, down = ctx.projections
        n = x.shape[0]
        chunk = balanced_chunk(n, ctx.chunk_rows)
        dx = torch.empty_like(x) if ctx.needs_input_grad[0] else None
        dag, dbg, dau, dbu, dad, dbd = _grad_buffers(ctx, params, 3)
        ag, bg, au, bu, ad, bd = _compute_copies(params, x.dtype)
        a_gu = torch.cat([ag, au])
        wg, wu, wd = gate.weight(), up.weight(), down.weight()
        rows = chunk
        g_buf = torch.empty(rows, gate.out_features, dtype=x.dtype, device=x.device)
        u_buf, h_buf = torch.empty_like(g_buf), torch.empty_like(g_buf)
        for s in range(0, n, chunk):
            xc = x[s : s + chunk]
            c = xc.shape[0]
            g, u, h = g_buf[:c], u_buf[:c], h_buf[:c]
            xa_g, xa_u = _gate_up_chunk(gate, up, wg, wu, a_gu, bg, bu, xc, g, u)
            swiglu_(g, u, out=h)
            # down projection: its LoRA grads need h; then h's buffer takes dh = dy W_d + s (dy B_d) A_d
            _backward_one(down, wd, ad, bd, h, h @ ad.t(), dy[s : s + chunk], h, False, dad, dbd)
            swiglu_backward_(g, u, h)
            dxc = dx[s : s + chunk] if dx is not None else None
            _backward_one(gate, wg, ag, bg, xc, xa_g, g, dxc, False, dag, dbg)
            _backward_one(up, wu, au, bu, xc, xa_u, u, dxc, True, dau, dbu)
        return dx, None, None, dag, dbg, dau, dbu, dad, dbd
