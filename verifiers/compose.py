"""Composition of verifiers: weighted sums, gates, min, product and metric-only terms."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .base import Verifier
from .result import STATUS_SEVERITY, Result, Status
from .sample import Sample

Combine = Literal["sum", "mean", "min", "product"]
COMBINES = ("sum", "mean", "min", "product")


@dataclass
class Term:
    """One verifier inside a composite, with its weight and optional gate.

    A term with `weight == 0` is a metric: it is computed and reported but does not
    change the reward. A term with `gate = "other"` counts only when the term named
    `other` passed; otherwise it contributes `gate_score` (0 by default).
    """

    verifier: Verifier
    weight: float = 1.0
    name: str | None = None
    gate: str | None = None
    gate_score: float = 0.0

    @property
    def key(self) -> str:
        """The term's name in the composite result."""
        return self.name or self.verifier.name

    @property
    def is_metric(self) -> bool:
        """True for a zero-weight term, reported but not counted."""
        return self.weight == 0


class Composite(Verifier):
    """A reward made of several verifiers; its result keeps every term's result."""

    def __init__(
        self,
        terms: Sequence[Term | Verifier],
        combine: Combine = "sum",
        name: str = "reward",
        pass_threshold: float | None = None,
    ):
        if combine not in COMBINES:
            raise ValueError(f"combine must be one of {', '.join(COMBINES)}, not {combine!r}")
        self.terms = [t if isinstance(t, Term) else Term(t) for t in terms]
        if not self.terms:
            raise ValueError("a composite needs at least one term")
        self.combine = combine
        self._name = name
        self.pass_threshold = pass_threshold
        keys = [t.key for t in self.terms]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"term names must be unique; repeated: {', '.join(dupes)} (set name= on the terms)")
        order = {k: i for i, k in enumerate(keys)}
        for t in self.terms:
            if t.gate is None:
                continue
            if t.gate not in order:
                raise ValueError(
                    f"term '{t.key}' is gated on '{t.gate}', which is not a term (terms: {', '.join(keys)})"
                )
            if order[t.gate] >= order[t.key]:
                raise ValueError(f"term '{t.key}' is gated on '{t.gate}', which must come before it")
        if all(t.is_metric for t in self.terms):
            raise ValueError("every term has weight 0; at least one term must count")

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    @property
    def doc(self) -> str:
        parts = ", ".join(f"{t.key}x{t.weight:g}" for t in self.terms)
        return f"{self.combine} of {parts}"

    def params(self) -> dict[str, Any]:
        """The composite's settings, for repr."""
        return {"combine": self.combine, "terms": [t.key for t in self.terms]}

    def check(self, sample: Sample) -> Result:
        """Run every term, apply gates and weights, and combine."""
        return self.combine_results({t.key: t.verifier(sample) for t in self.terms})

    def batch(self, samples: Iterable[Sample | str | dict[str, Any]]) -> list[Result]:
        """Score many samples, letting each term use its own batch method."""
        samples = [Sample.coerce(s) for s in samples]
        per_term = {t.key: t.verifier.batch(samples) for t in self.terms}
        out = []
        for i in range(len(samples)):
            start = time.perf_counter()
            r = self.combine_results({k: v[i] for k, v in per_term.items()})
            r.elapsed = time.perf_counter() - start + sum(t.elapsed for t in r.terms.values())
            out.append(r)
        return out

    def combine_results(self, results: dict[str, Result]) -> Result:
        """The composite result from every term's result (keyed by term name)."""
        contributions: list[tuple[Term, float]] = []
        for term in self.terms:
            r = results[term.key]
            if term.is_metric:
                continue
            value = r.score
            if term.gate is not None and not results[term.gate].passed:
                value = term.gate_score
                r.details = {**r.details, "gated_by": term.gate}
            if not math.isfinite(value):
                r.details = {**r.details, "non_finite_score": value}
                r.status = Status.ERROR
                r.reason = f"non-finite score; {r.reason}"
                value = 0.0
            contributions.append((term, value))
        score = combine_scores(self.combine, contributions)
        status = _composite_status([results[t.key] for t, _ in contributions], score, self.pass_threshold)
        reason = "; ".join(_term_summary(t, results[t.key], v) for t, v in contributions)
        metrics = [t for t in self.terms if t.is_metric]
        if metrics:
            reason += " | metrics: " + "; ".join(f"{t.key}={results[t.key].score:g}" for t in metrics)
        return Result(score, status, reason, {}, self.name, terms=results)


def combine_scores(combine: str, contributions: list[tuple[Term, float]]) -> float:
    """Combine weighted term scores: sum and mean weight them; min and product weight each factor."""
    if not contributions:
        return 0.0
    if combine == "sum":
        return float(sum(t.weight * v for t, v in contributions))
    if combine == "mean":
        total = sum(abs(t.weight) for t, _ in contributions)
        return float(sum(t.weight * v for t, v in contributions) / total) if total else 0.0
    if combine == "min":
        return float(min(t.weight * v for t, v in contributions))
    if combine == "product":
        out = 1.0
        for t, v in contributions:
            out *= t.weight * v
        return float(out)
    raise ValueError(f"unknown combine {combine!r}")


def _composite_status(counted: list[Result], score: float, threshold: float | None) -> Status:
    worst = max((r.status for r in counted), key=STATUS_SEVERITY.__getitem__, default=Status.PASSED)
    if worst in (Status.ERROR, Status.TIMEOUT):
        return worst
    if threshold is not None:
        return Status.PASSED if score >= threshold else Status.FAILED
    return worst


def _term_summary(term: Term, r: Result, value: float) -> str:
    gated = " (gated: '" + term.gate + "' did not pass)" if "gated_by" in r.details else ""
    reason = f": {r.reason}" if r.reason else ""
    return f"{term.key} {r.status.value} {value:g}x{term.weight:g}{gated}{reason}"


def compose(*terms: Term | Verifier, combine: Combine = "sum", name: str = "reward") -> Composite:
    """Build a Composite from terms or verifiers (weight 1)."""
    return Composite(list(terms), combine=combine, name=name)
