"""Run a set of rules over a text: which fired, where, and the score they leave."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..sample import Sample
from .base import SEVERITIES, Context, Rule
from .conditional import Conditional
from .errors import RuleTimeout
from .quantity_rule import QuantityRule
from .substances import SubstanceIndex

SCORINGS = ("penalty", "fraction")


@dataclass
class Evaluation:
    """The rules that fired (JSON-ready dicts), the rules that could not be checked, and rule errors."""

    fired: list[dict[str, Any]] = field(default_factory=list)
    unchecked: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    checked: int = 0
    context: Context | None = None


class RuleSet:
    """Rules checked together; amounts in the text go to the nearest substance any of the rules names."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules = list(rules)
        ids: dict[str, str] = {}
        for r in self.rules:
            if r.id in ids:
                raise ValueError(f"rule id {r.id!r} is defined twice (packs '{ids[r.id]}' and '{r.pack}')")
            ids[r.id] = r.pack
        self.index = SubstanceIndex()
        for r in self.rules:
            self._attach(r)

    def _attach(self, rule: Rule) -> None:
        if isinstance(rule, QuantityRule):
            rule.index = self.index
            self.index.window = max(self.index.window, rule.window)
            rule.key = self.index.add(rule.substances)
        elif isinstance(rule, Conditional):
            assert rule.when is not None and rule.then is not None
            if rule.when.substances:
                self.index.window = max(self.index.window, rule.when.window)
                rule.when.attach(self.index)
            self._attach(rule.then)

    def evaluate(self, sample: Sample | str, text: str | None = None) -> Evaluation:
        """Check every rule; a rule whose regex times out is reported as an error, not as a pass."""
        ctx = Context(Sample.coerce(sample), text)
        out = Evaluation(context=ctx)
        for rule in self.rules:
            reason = rule.unchecked(ctx)
            if reason:
                out.unchecked.append({"id": rule.id, "reason": reason})
            try:
                hits = rule.evaluate(ctx)
            except (RuleTimeout, TimeoutError) as exc:
                out.errors.append({"id": rule.id, "error": str(exc) or "regex timed out"})
                continue
            out.checked += 1
            if hits:
                out.fired.append(rule.fired(hits))
        return out

    def score(self, evaluation: Evaluation, scoring: str = "penalty") -> float:
        """1 minus the weighted violations (`penalty`: weights are absolute; `fraction`: share of all weight).

        A fired rule of severity `critical` makes the score 0.
        """
        if any(f["severity"] == "critical" for f in evaluation.fired):
            return 0.0
        lost = sum(f["weight"] * f["violation"] for f in evaluation.fired)
        if scoring == "fraction":
            total = sum(r.weight for r in self.rules)
            return 1.0 - lost / total if total else 1.0
        return max(0.0, 1.0 - lost)


def worst_severity(fired: list[dict[str, Any]]) -> str | None:
    """The most severe severity among fired rules, or None."""
    if not fired:
        return None
    return max((f["severity"] for f in fired), key=SEVERITIES.__getitem__)
