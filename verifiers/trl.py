"""Hand any aha reward spec to TRL's GRPOTrainer as a reward function."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .base import Verifier
from .result import Result
from .sample import Sample
from .spec import load_reward

# Dataset columns TRL passes to reward functions that are not sample metadata.
_TRL_RESERVED = {"trainer_state", "completion_ids", "log_extra", "log_metric", "environments"}
# Columns tried, in order, for the gold answer when no answer_field is configured.
ANSWER_COLUMNS = ("answer", "solution", "ground_truth", "gold", "target")


class TRLReward:
    """A callable `(prompts, completions, **kwargs) -> list[float]` for TRL's GRPOTrainer.

    `completions` may be strings or message lists; dataset columns arrive as keyword
    lists (the rest kept as sample metadata). The gold answer comes from `answer_field`
    when it is given (a missing column is then an error naming the columns), otherwise
    from the first of ANSWER_COLUMNS present, with a warning (once) when that is not
    `answer` or when none is present. Every call's results are kept in `last_results` so
    their statuses and reasons can be logged.
    """

    def __init__(
        self,
        reward: Verifier | str | Path | dict[str, Any],
        answer_field: str | None = None,
        name: str | None = None,
        workers: int = 1,
    ):
        self.reward = load_reward(reward)
        self.answer_field = answer_field
        self.__name__ = name or f"aha_{self.reward.name}"
        self.workers = workers
        self._scorer = None
        self._warned = False
        self.last_results: list[Result] = []

    def answer_column(self, columns: Sequence[str]) -> str | None:
        """The column holding the gold answer among TRL's keyword columns, or None."""
        shown = ", ".join(sorted(columns)) or "none"
        if self.answer_field is not None:
            if self.answer_field not in columns:
                raise ValueError(
                    f"the gold-answer column '{self.answer_field}' is not among the dataset's columns ({shown})"
                )
            return self.answer_field
        found = next((c for c in ANSWER_COLUMNS if c in columns), None)
        if found != ANSWER_COLUMNS[0] and not self._warned:
            self._warned = True
            if found is None:
                message = (
                    f"{self.__name__}: no gold-answer column among the dataset's columns ({shown}); looked for "
                    f"{', '.join(ANSWER_COLUMNS)}. Verifiers that need a gold answer will score every row "
                    "'unverifiable'; pass answer_field= to name the column."
                )
            else:
                message = f"{self.__name__}: using the dataset column '{found}' as the gold answer"
            warnings.warn(message, UserWarning, stacklevel=4)
        return found

    def samples(self, prompts: Sequence[Any] | None, completions: Sequence[Any], **kwargs: Any) -> list[Sample]:
        """Samples built from TRL's arguments."""
        n = len(completions)
        columns = {k: v for k, v in kwargs.items() if k not in _TRL_RESERVED and isinstance(v, (list, tuple))}
        for k, v in columns.items():
            if len(v) != n:
                raise ValueError(f"column '{k}' has {len(v)} values for {n} completions")
        answer_column = self.answer_column(list(columns))
        answers = columns.pop(answer_column) if answer_column is not None else [None] * n
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
    answer_field: str | None = None,
    name: str | None = None,
    workers: int = 1,
) -> Callable[..., list[float]]:
    """An aha reward as a TRL reward function (see TRLReward)."""
    return TRLReward(reward, answer_field=answer_field, name=name, workers=workers)
