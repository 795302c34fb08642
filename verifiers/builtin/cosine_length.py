"""The `cosine_length` verifier: cosine length scaling of a correctness verifier's verdict."""

from __future__ import annotations

import math
from typing import Any

from ..base import Verifier
from ..result import Result, Status
from ..sample import Sample
from .length_units import check_unit, completion_length


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
        self.unit = check_unit(unit)

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
