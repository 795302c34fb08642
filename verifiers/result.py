"""Verifier results: a score, a status and the reason for both."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """How a verifier's check ended."""

    PASSED = "passed"
    FAILED = "failed"
    UNVERIFIABLE = "unverifiable"
    ERROR = "error"
    TIMEOUT = "timeout"


# Order used when a composite reports the "worst" status of its terms.
STATUS_SEVERITY = {
    Status.PASSED: 0,
    Status.FAILED: 1,
    Status.UNVERIFIABLE: 2,
    Status.TIMEOUT: 3,
    Status.ERROR: 4,
}


@dataclass(slots=True)
class Result:
    """The outcome of one verifier on one sample.

    A NaN or infinite score is never a reward: such a result becomes an `error` with score 0,
    the bad value kept in `details["non_finite_score"]`.
    """

    score: float
    status: Status
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    verifier: str = ""
    elapsed: float = 0.0
    terms: dict[str, Result] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            self.status = Status(self.status)
        self.score = float(self.score)
        if not math.isfinite(self.score):
            # A NaN or infinite reward would poison every mean and every GRPO advantage: it is an error.
            bad = repr(self.score)
            self.details = {**self.details, "non_finite_score": bad}
            self.reason = f"non-finite score {bad} (was {self.status.value}: {self.reason})"
            self.status = Status.ERROR
            self.score = 0.0

    @property
    def passed(self) -> bool:
        """True when the status is `passed`."""
        return self.status is Status.PASSED

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of this result and its terms."""
        out: dict[str, Any] = {
            "score": self.score,
            "status": self.status.value,
            "reason": self.reason,
            "verifier": self.verifier,
            "elapsed": self.elapsed,
        }
        if self.details:
            out["details"] = self.details
        if self.terms is not None:
            out["terms"] = {k: v.to_dict() for k, v in self.terms.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """Rebuild a result written by `to_dict`."""
        terms = data.get("terms")
        return cls(
            score=data["score"],
            status=Status(data["status"]),
            reason=data.get("reason", ""),
            details=dict(data.get("details") or {}),
            verifier=data.get("verifier", ""),
            elapsed=data.get("elapsed", 0.0),
            terms={k: cls.from_dict(v) for k, v in terms.items()} if terms is not None else None,
        )

    def iter_terms(self, prefix: str = ""):
        """Yield (dotted name, result) for every nested term, depth first."""
        for key, term in (self.terms or {}).items():
            name = f"{prefix}{key}"
            yield name, term
            yield from term.iter_terms(prefix=name + ".")
