"""Token sampling on the device: temperature, top-k and top-p in torch, seeded by a torch.Generator."""

from __future__ import annotations

from typing import Any


def sample_next(logits: Any, temperature: float, top_p: float, top_k: int, generator: Any) -> Any:
    """Next-token ids [B] from float logits [B, V]; temperature <= 0 is greedy (argmax).

    `generator` is one torch.Generator for the whole batch, or a sequence of B generators (one per row, so a
    row's draws do not depend on the other rows). Sampling uses the exponential race (argmax of p / E with
    E ~ Exp(1)), which draws exactly from p without a host sync, so it can run ahead of the CPU on a GPU.
    """
    import torch

    if temperature <= 0:
        return logits.argmax(dim=-1)
    scores = logits.float() / temperature
    if top_k and 0 < top_k < scores.shape[-1]:
        kth = torch.topk(scores, top_k, dim=-1).values[:, -1:]
        scores = scores.masked_fill(scores < kth, float("-inf"))
    if top_p < 1.0:
        sorted_scores, order = torch.sort(scores, dim=-1, descending=True)
        probs = torch.softmax(sorted_scores, dim=-1)
        # drop a token when the tokens ranked above it already hold top_p of the mass
        drop = (probs.cumsum(dim=-1) - probs) >= top_p
        drop[:, 0] = False
        sorted_scores = sorted_scores.masked_fill(drop, float("-inf"))
        scores = torch.full_like(scores, float("-inf")).scatter(-1, order, sorted_scores)
    probs = torch.softmax(scores, dim=-1)
    if isinstance(generator, (list, tuple)):
        if len(generator) != probs.shape[0]:
            raise ValueError(f"{len(generator)} generators for {probs.shape[0]} rows")
        row = probs.shape[-1]
        noise = torch.stack([probs.new_empty(row).exponential_(generator=g) for g in generator])
    else:
        noise = torch.empty_like(probs).exponential_(generator=generator)
    noise.clamp_(min=1e-30)
    return (probs / noise).argmax(dim=-1)
