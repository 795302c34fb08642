"""N-gram repetition penalty."""

from __future__ import annotations

from ..base import Verifier
from ..result import Result
from ..sample import Sample


class NgramRepetition(Verifier):
    """Penalty proportional to the share of repeated word n-grams (0 for none, max_penalty for all)."""

    name = "ngram_repetition"

    def __init__(self, ngram_size: int = 3, max_penalty: float = -1.0, threshold: float = 0.0):
        if ngram_size < 1:
            raise ValueError("ngram_size must be at least 1")
        if max_penalty > 0:
            raise ValueError(f"max_penalty must be <= 0, got {max_penalty}")
        self.ngram_size = ngram_size
        self.max_penalty = max_penalty
        self.threshold = threshold

    def params(self) -> dict:
        """Settings, for repr."""
        return {"ngram_size": self.ngram_size, "max_penalty": self.max_penalty}

    def check(self, sample: Sample) -> Result:
        """Count distinct n-grams against all n-grams."""
        words = sample.text.lower().split()
        n = self.ngram_size
        total = len(words) - n + 1
        if total <= 0:
            return self.passed(f"fewer than {n} words", score=0.0, repeated_fraction=0.0)
        distinct = len({tuple(words[i : i + n]) for i in range(total)})
        repeated = 1.0 - distinct / total
        score = repeated * self.max_penalty + 0.0
        reason = f"{repeated:.1%} of {total} {n}-grams repeated"
        if repeated <= self.threshold:
            return self.passed(reason, score=score, repeated_fraction=repeated)
        return self.failed(reason, score=score, repeated_fraction=repeated)
