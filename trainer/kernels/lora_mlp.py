"""The fused LoRA SwiGLU MLP: Triton kernels for SwiGLU forward/backward and the autograd Function that saves
only the input and recomputes the gate and up projections in backward."""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from trainer.kernels.lora_linear import (
    _backward_one,
    _base_out,
    _compute_copies,
    _grad_buffers,
    _low_rank_inputs,
    balanced_chunk,
    lora_add_,
)


@triton.jit
def _swiglu_fwd_kernel(g_ptr, u_ptr, h_ptr, n, BLOCK: tl.constexpr):
    """h = silu(g) * u, computed in float32 (h may alias g or u)."""
    offs = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    valid = offs < n
    g = tl.load(g_ptr + offs, mask=valid, other=0.0).to(tl.float32)
    u = tl.load(u_ptr + offs, mask=valid, other=0.0).to(tl.float32)
    h = g * tl.sigmoid(g) * u
    tl.store(h_ptr + offs, h.to(h_ptr.dtype.element_ty), mask=valid)


@triton.jit
def _swiglu_bwd_kernel(g_ptr, u_ptr, dh_ptr, n, BLOCK: tl.constexpr):
    """In place: g <- dh * u * silu'(g), u <- dh * silu(g)."""
    offs = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    valid = offs < n
    g = tl.load(g_ptr + offs, mask=valid, other=0.0).to(tl.float32)
    u = tl.load(u_ptr + offs, mask=valid, other=0.0).to(tl.float32)
    dh = tl.load(dh_ptr + offs, mask=valid, other=0.0).to(tl.float32)
    sig = tl.sigmoid(g)
    silu = g * sig
    dg = dh * u * sig * (1.0 + g * (1.0 - sig))
    tl.store(g_ptr + offs, dg.to(g_ptr.dtype.element_ty), mask=valid)
    tl.store(u_ptr + offs, (dh * silu).to(u_ptr.dtype.element_ty), mask=valid)


_EW_BLOCK = 4096


def _check_same(*xs: torch.Tensor) -> None:
    for x in xs:
        if not x.is_contiguous() or x.shape != xs[0].shape:
            raise ValueError("swiglu kernels need contiguous tensors of one shape")


def swiglu_(g: torch.Tensor, u: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """out = silu(g) * u (out may be g or u); returns out."""
    _check_same(g, u, out)
    n = g.numel()
    if n:
        _swiglu_fwd_kernel[(triton.cdiv(n, _EW_BLOCK),)](g, u, out, n, BLOCK=_EW_BLOCK, num_warps=8)
    return out


def swiglu_backward_(g: torch.Tensor, u: torch.Tensor, dh: torch.Tensor) -> None:
    """In place: g becomes d/dg and u becomes d/du of sum(dh * silu(g) * u)."""
    _check_same(g, u, dh)
    n = g.numel()
    if n:
        _swiglu_bwd_kernel[(triton.cdiv(n, _EW_BLOCK),)](g, u, dh, n, BLOCK=_EW_BLOCK, num_warps=8)


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
