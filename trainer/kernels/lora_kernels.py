"""Triton kernels for fused LoRA layers: the low-rank update added in place, and SwiGLU forward/backward."""

from __future__ import annotations

import os

import torch
import triton
import triton.language as tl


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
