"""Group-relative advantages: group mean with or without std scaling, batch std, and RLOO."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

ESTIMATORS = ("group_std", "group_mean", "batch_std", "rloo")


def compute_advantages(
    rewards: torch.Tensor, group_size: int, estimator: str = "group_std", eps: float = 1e-4
) -> torch.Tensor:
    """Per-completion advantages from rewards laid out group by group ([prompts x group_size]).

    group_std: (r - group mean) / (group std + eps), std with Bessel's correction (as TRL).
    group_mean: r - group mean (Dr. GRPO). batch_std: r - group mean, over the std of the whole batch.
    rloo: r - mean of the group's other rewards = G / (G - 1) x (r - group mean).
    A group whose rewards are all equal gets advantage 0 under every estimator.
    """
    import torch

    if estimator not in ESTIMATORS:
        raise ValueError(f"advantage estimator must be one of {', '.join(ESTIMATORS)}, not {estimator!r}")
    if group_size < 2:
        raise ValueError(f"group_size must be at least 2, got {group_size}")
    if rewards.numel() % group_size:
        raise ValueError(f"{rewards.numel()} rewards do not split into groups of {group_size}")
    r = rewards.detach().to(torch.float64).reshape(-1, group_size)
    centred = r - r.mean(dim=1, keepdim=True)
    if estimator == "group_std":
        adv = centred / (r.std(dim=1, keepdim=True) + eps)
    elif estimator == "group_mean":
        adv = centred
    elif estimator == "batch_std":
        adv = centred / (rewards.detach().to(torch.float64).std() + eps) if rewards.numel() > 1 else centred
    else:
        adv = centred * (group_size / (group_size - 1))
    return adv.reshape(-1).to(torch.float32)


def zero_spread_fraction(rewards: torch.Tensor, group_size: int, tol: float = 1e-9) -> float:
    """The fraction of groups whose rewards are all equal (they teach nothing)."""
    r = rewards.detach().reshape(-1, group_size)
    spread = r.max(dim=1).values - r.min(dim=1).values
    return float((spread <= tol).float().mean())
