"""The policy update of one step: micro-batches, old/reference log-probs, GRPO loss, accumulation, optimiser steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .logprobs import SequenceBatch, collate, completion_hidden, completion_logprobs, logprobs_no_grad
from .losses import LossSettings, grpo_loss


@dataclass
class MicroBatch:
    """One forward/backward pass worth of completions and their per-token training signals."""

    seq: SequenceBatch
    advantages: Any  # [b]
    mask: Any  # [b, T]: completion tokens that count in the loss
    sampler_logps: Any | None = None  # [b, T] from the rollout engine
    old_logps: Any | None = None
    ref_logps: Any | None = None
    is_weights: Any | None = None

    @property
    def tokens(self) -> float:
        return float(self.mask.sum())


@dataclass
class UpdateSettings:
    """How a step's rollouts are turned into optimiser steps."""

    loss: LossSettings
    micro_batch_size: int
    gradient_accumulation_steps: int  # 0 = every micro-batch of the step in one optimiser step
    num_iterations: int
    max_grad_norm: float
    chunk_size: int
    temperature: float
    importance_sampling: str = "none"
    importance_sampling_cap: float = 2.0
    importance_sampling_mode: str = "truncate"


def make_micro_batches(
    prompt_ids: Sequence[Sequence[int]],
    completion_ids: Sequence[Sequence[int]],
    advantages: Any,
    keep: Sequence[bool],
    micro_batch_size: int,
    pad_id: int,
    device: Any,
    sampler_logps: Sequence[Sequence[float] | None] | None = None,
) -> list[MicroBatch]:
    """Split a step's completions (in the given order) into padded micro-batches."""
    import torch

    out = []
    for s in range(0, len(completion_ids), micro_batch_size):
        idx = range(s, min(s + micro_batch_size, len(completion_ids)))
        seq = collate([prompt_ids[i] for i in idx], [completion_ids[i] for i in idx], pad_id, device)
        keep_rows = torch.tensor([1.0 if keep[i] else 0.0 for i in idx], device=device)
        mask = seq.completion_mask * keep_rows[:, None]
        sl = None
        if sampler_logps is not None and all(sampler_logps[i] is not None for i in idx):
            sl = torch.zeros_like(seq.completion_mask)
            for row, i in enumerate(idx):
                vals = list(sampler_logps[i])
                if vals:
                    sl[row, : len(vals)] = torch.tensor(vals, dtype=torch.float32, device=device)
        adv = advantages[list(idx)].to(device)
        out.append(MicroBatch(seq, adv, mask, sl))
    return out


def fill_old_and_reference_logprobs(
    model: Any,
    micro_batches: list[MicroBatch],
    settings: UpdateSettings,
    logprob_fn: Any,
    reference: Any | None,
    is_peft: bool,
    sync: Any | None = None,
) -> dict[str, float]:
    """Fill in each micro-batch's old log-probs (updates off-policy), reference log-probs (beta > 0) and IS weights.

    With `sync` (a `trainer.distributed.GradSync`), the IS statistics are those of the whole global batch.
    """
    stats: dict[str, float] = {}
    n_micro = len(micro_batches)
    accum = settings.gradient_accumulation_steps or n_micro
    off_policy = settings.num_iterations > 1 or accum < n_micro
    use_is = settings.importance_sampling != "none" and all(mb.sampler_logps is not None for mb in micro_batches)
    seqs = [mb.seq for mb in micro_batches]
    if off_policy or use_is:
        for mb, lp in zip(
            micro_batches, logprobs_no_grad(model, seqs, logprob_fn, settings.chunk_size, settings.temperature)
        ):
            mb.old_logps = lp
    if settings.loss.beta > 0:
        if is_peft:
            refs = logprobs_no_grad(
                model, seqs, logprob_fn, settings.chunk_size, settings.temperature, disable_adapter=True
            )
        else:
            refs = logprobs_no_grad(reference, seqs, logprob_fn, settings.chunk_size, settings.temperature)
        for mb, lp in zip(micro_batches, refs):
            mb.ref_logps = lp
    if use_is:
        from .importance_sampling import importance_weights

        total = 0.0
        sums: dict[str, float] = {}
        for mb in micro_batches:
            mb.is_weights, metrics = importance_weights(
                mb.old_logps,
                mb.sampler_logps,
                mb.mask,
                settings.importance_sampling,
                settings.importance_sampling_cap,
                settings.importance_sampling_mode,
            )
            for key, value in metrics.items():
                sums[key] = sums.get(key, 0.0) + value * mb.tokens
            total += mb.tokens
        if sync is not None:
            total, *summed = sync.sum([total, *sums.values()])
            sums = dict(zip(sums, summed))
        stats.update({k: v / max(total, 1.0) for k, v in sums.items()})
    if not off_policy:
        for mb in micro_batches:
            mb.old_logps = None  # ratio 1 with the gradient of a single on-policy update
    return stats


def policy_update(
    model: Any,
    optimizer: Any,
    scheduler: Any,
    params: list[Any],
    micro_batches: list[MicroBatch],
    settings: UpdateSettings,
    logprob_fn: Any,
    sync: Any | None = None,
    fused_loss: Any | None = None,
) -> dict[str, float]:
    """Run num_iterations passes over the micro-batches with gradient accumulation; returns loss statistics.

    With `sync` (a `trainer.distributed.GradSync`) the micro-batches are this rank's share of the global
    batch: the loss is normalised by the global token (dapo) or sequence count and gradients are all-reduced,
    so the update equals a single process's over the whole batch. `fused_loss` (`trainer.kernels.fused_grpo_loss`)
    replaces `logprob_fn` + `grpo_loss` with one pass from the hidden states (under `sync`, inside the
    DDP/FSDP2 wrapper's forward, so that its gradients are reduced).
    """
    import contextlib

    import torch

    n_micro = len(micro_batches)
    accum = settings.gradient_accumulation_steps or n_micro
    groups = [micro_batches[s : s + accum] for s in range(0, n_micro, accum)]
    losses, norms, lrs = [], [], []
    clip_num = kl_num = tok = 0.0
    max_norm = settings.max_grad_norm if settings.max_grad_norm > 0 else float("inf")
    world = sync.world_size if sync is not None else 1
    model.train()
    for _ in range(settings.num_iterations):
        for group in groups:
            optimizer.zero_grad(set_to_none=True)
            group_tokens = sum(mb.tokens for mb in group)
            group_rows = sum(len(mb.seq) for mb in group)
            if sync is not None:
                group_tokens, group_rows = sync.sum([group_tokens, group_rows])
            step_loss = 0.0
            for k, mb in enumerate(group):
                local = sync.no_sync() if sync is not None and k < len(group) - 1 else contextlib.nullcontext()
                with local:
                    if fused_loss is not None:
                        loss, st = _fused_micro_loss(model, mb, settings, fused_loss, max(group_tokens, 1.0), sync)
                    else:
                        if sync is not None:
                            logps = sync.logprobs(mb.seq)
                        else:
                            logps = completion_logprobs(
                                model, mb.seq, logprob_fn, settings.chunk_size, settings.temperature
                            )
                        loss, st = grpo_loss(
                            logps,
                            mb.old_logps,
                            mb.advantages,
                            mb.mask,
                            settings.loss,
                            ref_logps=mb.ref_logps,
                            is_weights=mb.is_weights,
                            num_items_in_batch=max(group_tokens, 1.0),
                        )
                    if settings.loss.loss_type != "dapo":
                        loss = loss * (len(mb.seq) / group_rows)
                    # DDP averages the ranks' gradients; the loss is already a share of the global batch's
                    (loss * world if world > 1 else loss).backward()
                step_loss += float(loss.detach())
                clip_num += st["clip_fraction"] * mb.tokens
                kl_num += st.get("kl", 0.0) * mb.tokens
                tok += mb.tokens
            norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
            norm = norm.full_tensor() if hasattr(norm, "full_tensor") else norm  # FSDP2: a DTensor
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
            losses.append(step_loss)
            norms.append(float(norm))
    optimizer.zero_grad(set_to_none=True)
    if sync is not None:
        losses = sync.sum(losses)
        clip_num, kl_num, tok = sync.sum([clip_num, kl_num, tok])
    stats = {
        "loss": sum(losses) / len(losses),
        "grad_norm": sum(norms) / len(norms),
        "clip_fraction": clip_num / max(tok, 1.0),
        "lr": lrs[0],
        "optimizer_steps": float(len(losses)),
    }
    if settings.loss.beta > 0:
        stats["kl"] = kl_num / max(tok, 1.0)
    return stats


def _fused_micro_loss(
    model: Any, mb: MicroBatch, settings: UpdateSettings, fused_loss: Any, num_items: float, sync: Any | None = None
) -> tuple[Any, dict[str, float]]:
    """The GRPO loss of one micro-batch (and its statistics) straight from the hidden states, in one pass."""

    def loss_from(hidden: Any, weight: Any) -> tuple[Any, dict[str, float]]:
        loss, _, stats = fused_loss(
            hidden,
            weight,
            mb.seq.completion_ids,
            mb.advantages,
            mb.mask,
            settings.loss,
            old_logps=mb.old_logps,
            ref_logps=mb.ref_logps,
            is_weights=mb.is_weights,
            num_items_in_batch=num_items,
            chunk_size=settings.chunk_size or None,
            temperature=settings.temperature,
        )
        return loss, stats

    if sync is not None:
        return sync.fused(mb.seq, loss_from)
    return loss_from(*completion_hidden(model, mb.seq))
