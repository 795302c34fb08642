"""The `overlong_penalty` verifier: DAPO's soft overlong punishment."""

from __future__ import annotations

from ..base import Verifier
from ..result import Result
from ..sample import Sample
from .length_units import check_unit, completion_length


class OverlongPenalty(Verifier):
    """DAPO's soft overlong punishment: 0 up to max_length - buffer, then a linear fall to -1 at max_length."""

    name = "overlong_penalty"

    def __init__(self, max_length: int = 1024, buffer: int = 256, unit: str = "tokens"):
        if max_length <= 0 or buffer < 0 or buffer > max_length:
            raise ValueError(f"need 0 <= buffer <= max_length and max_length > 0 (got {max_length}, {buffer})")
        self.max_length = max_length
        self.buffer = buffer
        self.unit = check_unit(unit)

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
