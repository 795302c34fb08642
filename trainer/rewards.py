"""Scoring completions with an aha reward spec through `verifiers.Scorer`, counting every status."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from verifiers import Result, Sample, Scorer, SpecError, Status, load_reward

from .config import ConfigError
from .data import PromptExample
from .rollout.base import Completion

STATUSES = [s.value for s in Status]


@dataclass
class ScoredBatch:
    """Rewards of one step's completions with their results and summary statistics."""

    rewards: list[float]
    results: list[Result]
    stats: dict[str, float] = field(default_factory=dict)


def build_reward(spec: Any) -> Any:
    """The reward verifier for a config's `reward` option, or a ConfigError naming it."""
    try:
        return load_reward(spec)
    except (SpecError, ValueError, TypeError, KeyError) as exc:
        raise ConfigError(f"reward: {exc}") from None


def make_samples(examples: Sequence[PromptExample], completions: Sequence[Completion]) -> list[Sample]:
    """One Sample per completion: prompt, gold answer, the row's other columns and completion facts."""
    samples = []
    for c in completions:
        ex = examples[c.prompt_index]
        meta = dict(ex.metadata)
        meta["completion_tokens"] = len(c.token_ids)
        meta["finish_reason"] = c.finish_reason
        meta["truncated"] = c.truncated
        samples.append(Sample(completion=c.text, prompt=ex.prompt, answer=ex.answer, metadata=meta))
    return samples


class RewardScorer:
    """Scores completions (in worker processes when workers > 1) and summarises the results."""

    def __init__(self, spec: Any, workers: int = 1, reward: Any = None):
        self.reward = reward if reward is not None else build_reward(spec)
        self.scorer = Scorer(self.reward, workers=workers, chunk_size=64)

    def score(self, examples: Sequence[PromptExample], completions: Sequence[Completion]) -> ScoredBatch:
        """Rewards and statistics for completions of `examples`."""
        results = self.scorer.score(make_samples(examples, completions))
        rewards = []
        for r in results:
            if not math.isfinite(r.score):
                r.details = {**r.details, "non_finite_score": r.score}
                r.reason = f"non-finite score {r.score}; counted as 0 ({r.reason})"
                r.status = Status.ERROR
                r.score = 0.0
            rewards.append(r.score)
        return ScoredBatch(rewards, results, summarize(results))

    def close(self) -> None:
        """Stop the worker processes."""
        self.scorer.close()


def summarize(results: Sequence[Result]) -> dict[str, float]:
    """reward/mean, reward/std, reward/pass_rate, status/<status> counts and reward/<term>/{mean,std,errors}."""
    n = len(results)
    scores = [r.score for r in results]
    out: dict[str, float] = {
        "reward/mean": _mean(scores),
        "reward/std": _std(scores),
        "reward/pass_rate": sum(r.passed for r in results) / n if n else 0.0,
    }
    counts = Counter(r.status.value for r in results)
    for s in STATUSES:
        out[f"status/{s}"] = float(counts.get(s, 0))
    per_term: dict[str, list[Result]] = {}
    for r in results:
        for name, term in r.iter_terms():
            per_term.setdefault(name, []).append(term)
    for name, terms in per_term.items():
        vals = [t.score for t in terms]
        out[f"reward/{name}/mean"] = _mean(vals)
        out[f"reward/{name}/std"] = _std(vals)
        out[f"reward/{name}/errors"] = float(sum(t.status in (Status.ERROR, Status.TIMEOUT) for t in terms))
    return out


def _mean(xs: Sequence[float]) -> float:
    return float(sum(xs) / len(xs)) if xs else 0.0


def _std(xs: Sequence[float]) -> float:
    if len(xs) < 2:
        return 0.0
    m = _mean(xs)
    return float(math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)))
