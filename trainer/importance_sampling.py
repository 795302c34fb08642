"""Truncated importance sampling for the update: correcting for a sampler (vLLM) whose log-probs differ."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

IS_LEVELS = ("token", "sequence")
IS_MODES = ("truncate", "mask")


def importance_weights(
    trainer_logps: torch.Tensor,
    sampler_logps: torch.Tensor,
    mask: torch.Tensor,
    level: str = "token",
    cap: float = 2.0,
    mode: str = "truncate",
) -> tuple[torch.Tensor, dict[str, float]]:
    """Importance weights pi_trainer / pi_sampler for `grpo_loss(is_weights=...)`, and mismatch metrics.

    trainer_logps: the trainer's log-probs of the sampled tokens under the weights that sampled them
    (the old policy, no gradient); sampler_logps: the rollout engine's; mask: 1 on completion tokens.
    All [B, T]. level 'token' weighs each token by its own ratio, 'sequence' every token of a sequence
    by the product of its ratios. mode 'truncate' caps weights at `cap` (TIS); 'mask' zeroes weights
    above `cap` instead (the token or sequence is left out). Padding gets weight 0.
    """
    import torch

    if level not in IS_LEVELS:
        raise ValueError(f"importance sampling level must be one of {', '.join(IS_LEVELS)}, not {level!r}")
    if mode not in IS_MODES:
        raise ValueError(f"importance sampling mode must be one of {', '.join(IS_MODES)}, not {mode!r}")
    if not cap > 0:
        raise ValueError(f"importance sampling cap must be > 0, not {cap!r}")
    if trainer_logps.shape != sampler_logps.shape or trainer_logps.shape != mask.shape:
        raise ValueError(
            f"shapes differ: trainer {tuple(trainer_logps.shape)}, sampler {tuple(sampler_logps.shape)}, "
            f"mask {tuple(mask.shape)}"
        )
    m = mask.to(torch.float32)
    log_ratio = (trainer_logps.detach().float() - sampler_logps.detach().float()) * m
    if level == "token":
        raw = torch.exp(log_ratio)
    else:
        raw = torch.exp(log_ratio.sum(-1, keepdim=True)).expand_as(log_ratio)
    over = raw > cap
    weights = raw.clamp(max=cap) if mode == "truncate" else torch.where(over, torch.zeros_like(raw), raw)
    weights = weights * m
    return weights, mismatch_metrics(log_ratio, m, raw, over, level)


def mismatch_metrics(
    log_ratio: torch.Tensor, mask: torch.Tensor, raw: torch.Tensor, over: torch.Tensor, level: str
) -> dict[str, float]:
    """Summary of the trainer/sampler mismatch over the masked tokens."""
    import torch

    n = mask.sum().clamp(min=1.0)
    # k3 estimate of KL(sampler || trainer) from tokens drawn by the sampler: r - 1 - log r, r = pi_t / pi_s
    ratio = torch.exp(log_ratio)
    k3 = (ratio - 1.0 - log_ratio) * mask
    if level == "token":
        capped = float((over.float() * mask).sum() / n)
        weight_mean = float((raw * mask).sum() / n)
    else:
        rows = (mask.sum(-1) > 0).float()
        n_rows = rows.sum().clamp(min=1.0)
        capped = float((over[:, 0].float() * rows).sum() / n_rows)
        weight_mean = float((raw[:, 0] * rows).sum() / n_rows)
    abs_diff = log_ratio.abs() * mask
    return {
        "is/logprob_diff_mean": float(abs_diff.sum() / n),
        "is/logprob_diff_max": float(abs_diff.max()) if abs_diff.numel() else 0.0,
        "is/kl_sampler_trainer": float(k3.sum() / n),
        "is/raw_weight_mean": weight_mean,
        "is/capped_frac": capped,
    }
