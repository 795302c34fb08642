"""What every rule shares: id, weight, severity, message; the text context rules read; and a rule's hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..sample import Sample
from .quantities import Quantity, find_quantities, sentence_bounds
from .sources import source_texts
from .turns import context_text

SEVERITIES = {"info": 0, "warning": 1, "error": 2, "critical": 3}


@dataclass(slots=True)
class Hit:
    """One way a rule fired: what kind, how much of the rule's weight it costs (0-1) and where."""

    kind: str
    detail: str
    spans: list[list[int]] = field(default_factory=list)
    violation: float = 1.0
    match: str | None = None


class Context:
    """A sample's text and the things several rules need from it, each computed once."""

    def __init__(self, sample: Sample, text: str | None = None):
        self.sample = sample
        self.text = sample.text if text is None else text
        self._quantities: list[Quantity] | None = None
        self._bounds: list[int] | None = None
        self._sources: dict[str, list[str] | None] = {}
        self._before: dict[tuple[str, ...] | None, Context] = {}
        self.is_answer = True
        self.cache: dict[Any, Any] = {}

    def sources_context(self, key: str = "sources") -> Context:
        """A context over the sources given with the prompt (metadata's, or the prompt); empty without any."""
        cache_key = ("sources_context", key)
        if cache_key not in self.cache:
            other = Context(self.sample, "\n".join(self.sources(key) or []))
            other.is_answer = False
            self.cache[cache_key] = other
        return self.cache[cache_key]

    def before(self, roles: tuple[str, ...] | None = None) -> Context:
        """A context over what came before the answer (prompt and earlier turns, of these roles only)."""
        if roles not in self._before:
            other = Context(self.sample, context_text(self.sample, roles))
            other.is_answer = False
            self._before[roles] = other
        return self._before[roles]

    @property
    def quantities(self) -> list[Quantity]:
        """Every amount with a unit in the text."""
        if self._quantities is None:
            self._quantities = find_quantities(self.text)
        return self._quantities

    @property
    def sentence_bounds(self) -> list[int]:
        """Offsets where sentences end."""
        if self._bounds is None:
            self._bounds = sentence_bounds(self.text)
        return self._bounds

    def sources(self, key: str = "sources") -> list[str] | None:
        """The sources given with the prompt (see `source_texts`)."""
        if key not in self._sources:
            self._sources[key] = source_texts(self.sample, key)
        return self._sources[key]


@dataclass
class Rule:
    """Base of every rule type; `evaluate` returns the hits (empty when the rule holds)."""

    id: str
    message: str
    weight: float = 1.0
    severity: str = "error"
    pack: str = ""

    type: ClassVar[str] = "rule"
    keys: ClassVar[frozenset[str]] = frozenset()

    def evaluate(self, ctx: Context) -> list[Hit]:
        """The ways this rule fires on the context's text."""
        raise NotImplementedError

    def unchecked(self, ctx: Context) -> str | None:
        """Why the rule cannot be checked on this sample (e.g. no sources), or None."""
        return None

    def fired(self, hits: list[Hit]) -> dict[str, Any]:
        """The JSON-ready record of this rule having fired."""
        spans = [s for h in hits for s in h.spans]
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "kind": hits[0].kind,
            "severity": self.severity,
            "weight": self.weight,
            "message": self.message,
            "detail": "; ".join(h.detail for h in hits[:5]) + (f"; and {len(hits) - 5} more" if len(hits) > 5 else ""),
            "span": spans[0] if spans else None,
            "spans": spans[:20],
            "violation": min(1.0, sum(h.violation for h in hits)),
        }
        if hits[0].match is not None:
            out["match"] = hits[0].match
        if self.pack:
            out["pack"] = self.pack
        return out


def fired_record(
    rule_id: str,
    message: str,
    severity: str = "error",
    weight: float = 1.0,
    span: list[int] | None = None,
    kind: str = "",
    detail: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """A fired-rule record in the shape `rules` uses, for verifiers that report their own rule ids."""
    out: dict[str, Any] = {
        "id": rule_id,
        "kind": kind,
        "severity": severity,
        "weight": weight,
        "message": message,
        "detail": detail,
        "span": span,
    }
    out.update(extra)
    return out
