"""Triton kernels for the GRPO update: chunked log-probs, the fused GRPO loss and fused LoRA layers.

Every function here imports torch and Triton only when called, so importing the package is free.
The plain PyTorch references are `trainer.logprobs.token_logprobs` and `trainer.losses.grpo_loss`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trainer.kernels.availability import available

if TYPE_CHECKING:
    import torch

    from trainer.losses import LossSettings

__all__ = ["available", "fused_grpo_loss", "patch_lora", "token_logprobs", "unpatch_lora"]


def token_logprobs(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    ids: torch.Tensor,
    chunk_size: int | None = None,
    temperature: float = 1.0,
    return_entropy: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """float32 log-probs of `ids` under hidden @ weight.T / temperature, chunked, online log-sum-exp in Triton.

    Same contract as `trainer.logprobs.token_logprobs`, except that `chunk_size` caps the rows per chunk
    (about 64 MiB of logits by default); with `return_entropy=True` also returns the per-token entropy of
    the softmax (a metric: it carries no gradient).
    """
    from trainer.kernels.logprobs import token_logprobs as impl

    return impl(hidden, weight, ids, chunk_size=chunk_size, temperature=temperature, return_entropy=return_entropy)


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
    """`grpo_loss(token_logprobs(hidden, weight, ids), ...)` in one chunked pass: (loss, detached logps, stats)."""
    from trainer.kernels.grpo_loss import fused_grpo_loss as impl

    return impl(
        hidden,
        weight,
        ids,
        advantages,
        mask,
        settings,
        old_logps=old_logps,
        ref_logps=ref_logps,
        is_weights=is_weights,
        num_items_in_batch=num_items_in_batch,
        chunk_size=chunk_size,
        temperature=temperature,
    )


def patch_lora(model: Any, chunk_rows: int = 2048, fuse_blocks: bool = True) -> int:
    """Route peft LoRA Linear layers (and q/k/v and SwiGLU MLP blocks) through fused Functions; returns the count."""
    from trainer.kernels.lora_patch import patch_lora as impl

    return impl(model, chunk_rows=chunk_rows, fuse_blocks=fuse_blocks)


def unpatch_lora(model: Any) -> int:
    """Restore the forwards `patch_lora` replaced; returns the number of LoRA layers restored."""
    from trainer.kernels.lora_patch import unpatch_lora as impl

    return impl(model)
