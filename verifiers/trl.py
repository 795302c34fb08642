"""Hand any aha reward spec to TRL's GRPOTrainer as a reward function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .base import Verifier
from .result import Result
from .sample import Sample
from .spec import load_reward

# Dataset columns TRL passes to reward functions that are not sample metadata.
_TRL_RESERVED = {"trainer_state", "completion_ids", "log_extra", "log_metric", "environments"}


class TRLReward:
    """A callable `(prompts, completions, **kwargs) -> list[float]` for TRL's GRPOTrainer.

    `completions` may be strings or message lists; dataset columns arrive as keyword
    lists (the gold answer from `answer_field`, the rest kept as sample metadata). Every
    call's results are kept in `last_results` so their statuses and reasons can be logged.
    """

    def __init__(
        self,
        reward: Verifier | str | Path | dict[str, Any],
        answer_field: str = "answer",
        name: str | None = None,
        workers: int = 1,
    ):
        self.reward = load_reward(reward)
        self.answer_field = answer_field
        self.__name__ = name or f"aha_{self.reward.name}"
        self.workers = workers
        self._scorer = None
        self.last_results: list[Result] = []

    def samples(self, prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any) -> list[Sample]:
        """Samples built from TRL's arguments."""
        n = len(completions)
        columns = {k: v for k, v in kwargs.items() if k not in _TRL_RESERVED and isinstance(v, (list, tuple))}
        for k, v in columns.items():
            if len(v) != n:
                raise ValueError(f"column '{k}' has {len(v)} values for {n} completions")
        answers = columns.pop(self.answer_field, [None] * n)
        out = []
        for i, completion in enumerate(completions):
            meta = {k: v[i] for k, v in columns.items()}
            prompt = prompts[i] if prompts is not None and i < len(prompts) else None
            out.append(Sample(completion=completion, prompt=prompt, answer=answers[i], metadata=meta))
        return out

    def __call__(
        self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), **kwargs: Any
    ) -> list[float]:
        samples = self.samples(prompts, completions, **kwargs)
        if self.workers > 1:
            if self._scorer is None:
                from .scoring import Scorer

                self._scorer = Scorer(self.reward, workers=self.workers)
            self.last_results = self._scorer.score(samples)
        else:
            self.last_results = self.reward.batch(samples)
        return [r.score for r in self.last_results]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_scorer"] = None
        return state


def reward_function(
    reward: Verifier | str | Path | dict[str, Any],
    answer_field: str = "answer",
    name: str | None = None,
    workers: int = 1,
) -> Callable[..., list[float]]:
    """An aha reward as a TRL reward function (see TRLReward)."""
    return TRLReward(reward, answer_field=answer_field, name=name, workers=workers)
