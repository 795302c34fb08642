"""Length shaping: DAPO's soft overlong punishment and cosine length scaling."""

from __future__ import annotations

import math
from typing import Any

from ..base import Verifier
from ..result import Result, Status
from ..sample import Sample

UNITS = ("tokens", "words", "chars")


def completion_length(sample: Sample, unit: str) -> tuple[int, str]:
    """The completion's length and the unit it was measured in.

    `tokens` uses `metadata["completion_tokens"]` (set by the trainer) and falls back to words.
    """
    if unit == "tokens":
        n = sample.metadata.get("completion_tokens")
        if isinstance(n, int) and not isinstance(n, bool):
            return n, "tokens"
        unit = "words"
    if unit == "words":
        return len(sample.text.split()), "words"
    return len(sample.text), "chars"


def _check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    return unit


class OverlongPenalty(Verifier):
    """DAPO's soft overlong punishment: 0 up to max_length - buffer, then a linear fall to -1 at max_length."""

    name = "overlong_penalty"

    def __init__(self, max_length: int = 1024, buffer: int = 256, unit: str = "tokens"):
        if max_length <= 0 or buffer < 0 or buffer > max_length:
            raise ValueError(f"need 0 <= buffer <= max_length and max_length > 0 (got {max_length}, {buffer})")
        self.max_length = max_length
        self.buffer = buffer
        self.unit = _check_unit(unit)

    def params(self) -> dict:
        """Settings, for repr."""
        return {"max_length": self.max_length, "buffer": self.buffer, "unit": self.unit}

    def check(self, sample: Sample) -> Result:
        """Penalise completions that run into the buffer before max_length."""
        n, unit = completion_length(sample, self.unit)
        soft = self.max_length - self.buffer
        if n <= soft:
            return self.passed(f"{n} {unit} <= {soft}", score=0.0, length=n)
        if n <= self.max_length:
            penalty = (soft - n) / self.buffer if self.buffer else -1.0
            return self.failed(
                f"{n} {unit} is {n - soft} into the {self.buffer}-{unit} buffer", score=penalty, length=n
            )
        return self.failed(f"{n} {unit} exceeds max_length {self.max_length}", score=-1.0, length=n)


class CosineLength(Verifier):
    """Cosine length scaling: correct answers earn more when short, wrong ones are penalised less when long."""

    name = "cosine_length"

    def __init__(
        self,
        correctness: str = "exact_match",
        correctness_params: dict[str, Any] | None = None,
        max_length: int = 1000,
        min_value_correct: float = 0.5,
        max_value_correct: float = 1.0,
        min_value_wrong: float = -1.0,
        max_value_wrong: float = -0.5,
        unit: str = "tokens",
    ):
        from ..registry import get_registry

        if max_length <= 0:
            raise ValueError("max_length must be positive")
        self.correctness_name = correctness
        self.correctness_params = dict(correctness_params or {})
        self.inner = get_registry().create(correctness, **self.correctness_params)
        self.max_length = max_length
        self.values = (min_value_correct, max_value_correct, min_value_wrong, max_value_wrong)
        self.unit = _check_unit(unit)

    def params(self) -> dict:
        """Settings, for repr."""
        return {"correctness": self.correctness_name, "max_length": self.max_length}

    def check(self, sample: Sample) -> Result:
        """Scale between the short and long values by a cosine of the length fraction."""
        inner = self.inner(sample)
        if inner.status not in (Status.PASSED, Status.FAILED):
            return Result(0.0, inner.status, f"correctness {inner.status.value}: {inner.reason}", {}, self.name)
        n, unit = completion_length(sample, self.unit)
        progress = min(n, self.max_length) / self.max_length
        cosine = math.cos(progress * math.pi)
        min_c, max_c, min_w, max_w = self.values
        if inner.passed:
            lo, hi = min_c, max_c
        else:
            # wrong answers: the short end gets the larger penalty
            lo, hi = max_w, min_w
        score = lo + 0.5 * (hi - lo) * (1.0 + cosine)
        verdict = "correct" if inner.passed else "wrong"
        reason = f"{verdict} at {n} {unit} of {self.max_length}: {inner.reason}"
        if inner.passed:
            return self.passed(reason, score=score, length=n)
        return self.failed(reason, score=score, length=n)
