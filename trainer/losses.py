"""GRPO policy losses over per-token log-probs: grpo, dr_grpo, dapo and bnpo aggregation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

LOSS_TYPES = ("grpo", "dr_grpo", "dapo", "bnpo")


@dataclass(frozen=True)
class LossSettings:
    """The knobs of the clipped GRPO objective."""

    loss_type: str = "dapo"
    epsilon_low: float = 0.2
    epsilon_high: float = 0.28
    beta: float = 0.0
    max_completion_length: int | None = None

    def __post_init__(self) -> None:
        if self.loss_type not in LOSS_TYPES:
            raise ValueError(f"loss_type must be one of {', '.join(LOSS_TYPES)}, not {self.loss_type!r}")
        if self.epsilon_low < 0 or self.epsilon_high < 0:
            raise ValueError("epsilon_low and epsilon_high must be >= 0")
        if self.beta < 0:
            raise ValueError("beta must be >= 0")
        if self.loss_type == "dr_grpo" and not self.max_completion_length:
            raise ValueError("dr_grpo needs max_completion_length")


def per_token_loss(
    logps: torch.Tensor,
    old_logps: torch.Tensor | None,
    advantages: torch.Tensor,
    settings: LossSettings,
    ref_logps: torch.Tensor | None = None,
    is_weights: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """The clipped surrogate (plus k3 KL) per token, the clipped-token indicator, and the KL.

    Shapes: logps, old_logps, ref_logps, is_weights: [B, T]; advantages: [B] (or [B, T]).
    `old_logps=None` means a single update per batch (ratio 1, gradient still flows).
    """
    import torch

    old = logps.detach() if old_logps is None else old_logps
    ratio = torch.exp(logps - old)
    adv = advantages.unsqueeze(-1) if advantages.dim() == 1 else advantages
    clipped_ratio = torch.clamp(ratio, 1.0 - settings.epsilon_low, 1.0 + settings.epsilon_high)
    surrogate = torch.minimum(ratio * adv, clipped_ratio * adv)
    loss = -surrogate
    is_clipped = ((ratio < 1.0 - settings.epsilon_low) & (adv < 0)) | (
        (ratio > 1.0 + settings.epsilon_high) & (adv > 0)
    )
    kl = None
    if settings.beta > 0:
        if ref_logps is None:
            raise ValueError("beta > 0 needs reference log-probs")
        delta = ref_logps - logps
        kl = torch.exp(delta) - delta - 1.0
        loss = loss + settings.beta * kl
    if is_weights is not None:
        loss = loss * is_weights
    return loss, is_clipped, kl


def aggregate(
    per_token: torch.Tensor,
    mask: torch.Tensor,
    settings: LossSettings,
    num_items_in_batch: float | None = None,
) -> torch.Tensor:
    """Reduce per-token losses to a scalar the way the loss type says.

    grpo: mean over each sequence's tokens, then over sequences. bnpo: mean over the
    tokens of this micro-batch. dr_grpo: sum over tokens / (sequences x max length).
    dapo: sum over tokens / tokens in the whole (accumulated) batch, `num_items_in_batch`.
    """
    mask = mask.to(per_token.dtype)
    masked = per_token * mask
    if settings.loss_type == "grpo":
        return (masked.sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()
    if settings.loss_type == "bnpo":
        return masked.sum() / mask.sum().clamp(min=1.0)
    if settings.loss_type == "dr_grpo":
        return masked.sum() / (per_token.shape[0] * settings.max_completion_length)
    if settings.loss_type == "dapo":
        denom = num_items_in_batch if num_items_in_batch is not None else mask.sum().clamp(min=1.0)
        return masked.sum() / denom
    raise ValueError(f"unknown loss_type {settings.loss_type!r}")


def grpo_loss(
    logps: torch.Tensor,
    old_logps: torch.Tensor | None,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    settings: LossSettings,
    ref_logps: torch.Tensor | None = None,
    is_weights: torch.Tensor | None = None,
    num_items_in_batch: float | None = None,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The scalar GRPO loss and its statistics (clip fraction, mean KL)."""
    per_token, is_clipped, kl = per_token_loss(logps, old_logps, advantages, settings, ref_logps, is_weights)
    loss = aggregate(per_token, mask, settings, num_items_in_batch)
    m = mask.to(per_token.dtype)
    n = m.sum().clamp(min=1.0)
    stats = {"clip_fraction": float((is_clipped.to(m.dtype) * m).sum() / n)}
    if kl is not None:
        stats["kl"] = float((kl.detach() * m).sum() / n)
    return loss, stats
