"""Verifying a weight sync: vLLM's log-probs of a fixed completion against the trainer's, within a tolerance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TOLERANCES = {"float32": 1e-3, "bfloat16": 0.1, "float16": 0.1}
"""Default largest |vLLM - trainer| log-prob per token, by the dtype both compute in.

float32: vLLM and transformers agree to ~1e-6 on the CPU (measured on a 2-layer model); 1e-3 leaves room
for other kernels. 16-bit: rounding differs between kernels, so single tokens can differ by a few hundredths.
"""


@dataclass(frozen=True)
class SyncCheck:
    """How closely vLLM's log-probs of one completion match the trainer's."""

    max_abs_diff: float
    mean_abs_diff: float
    tolerance: float
    tokens: int

    @property
    def passed(self) -> bool:
        """True when every token's log-probs agree within the tolerance."""
        return self.tokens > 0 and self.max_abs_diff <= self.tolerance

    def metrics(self, prefix: str = "vllm/sync_check") -> dict[str, float]:
        """The check as flat metrics for metrics.jsonl."""
        return {
            f"{prefix}_max_abs": self.max_abs_diff,
            f"{prefix}_mean_abs": self.mean_abs_diff,
            f"{prefix}_passed": float(self.passed),
        }

    def describe(self) -> str:
        """One line for logs and errors."""
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"vLLM weight-sync check {verdict}: max |vLLM - trainer| log-prob {self.max_abs_diff:.3g} "
            f"(mean {self.mean_abs_diff:.3g}) over {self.tokens} tokens, tolerance {self.tolerance:g}"
        )


def default_tolerance(dtype: str) -> float:
    """The default sync-check tolerance for vLLM running in `dtype` ('float32', 'bfloat16', ...)."""
    return TOLERANCES.get(str(dtype).removeprefix("torch."), TOLERANCES["bfloat16"])


def trainer_logprobs(
    model: Any, prompt_ids: Sequence[int], completion_ids: Sequence[int], chunk_size: int = 1024
) -> list[float]:
    """The trainer's float32 log-probs (temperature 1) of `completion_ids` after `prompt_ids`."""
    import torch

    from ...logprobs import collate, completion_logprobs, token_logprobs

    device = next(model.parameters()).device
    batch = collate([list(prompt_ids)], [list(completion_ids)], 0, device)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            lp = completion_logprobs(model, batch, token_logprobs, chunk_size, 1.0)
    finally:
        model.train(was_training)
    return [float(x) for x in lp[0, : len(completion_ids)].cpu()]


def compare_logprobs(engine_lp: Sequence[float], trainer_lp: Sequence[float], tolerance: float) -> SyncCheck:
    """A SyncCheck from two equally long lists of per-token log-probs."""
    if len(engine_lp) != len(trainer_lp):
        raise ValueError(f"log-prob lists differ in length: {len(engine_lp)} vs {len(trainer_lp)}")
    diffs = [abs(float(a) - float(b)) for a, b in zip(engine_lp, trainer_lp)]
    if not diffs:
        return SyncCheck(float("nan"), float("nan"), tolerance, 0)
    return SyncCheck(max(diffs), sum(diffs) / len(diffs), tolerance, len(diffs))


def check_sync(
    engine: Any,
    model: Any,
    prompt_ids: Sequence[int],
    completion_ids: Sequence[int],
    tolerance: float | None = None,
) -> SyncCheck:
    """Compare `engine.score_logprobs` with the trainer model's log-probs of one fixed completion."""
    if not completion_ids:
        raise ValueError("the sync check needs a non-empty completion")
    tol = tolerance if tolerance is not None else default_tolerance(getattr(engine, "dtype", "bfloat16"))
    ours = engine.score_logprobs(prompt_ids, completion_ids)
    theirs = trainer_logprobs(model, prompt_ids, completion_ids)
    return compare_logprobs(ours, theirs, tol)
