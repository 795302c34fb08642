"""The `medical_dose_sanity` verifier: doses in an answer stay within adult maxima from a sourced table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from verifiers import Result, Sample, Verifier
from verifiers.rules import Amount, Context, Hit, QuantityRule, Rule, RuleTimeout

from .context import ContextIndex
from .tables import DoseLimit, load_doses


@dataclass
class PerKgRule(Rule):
    """A weight-based amount ("15 mg/kg every 6 hours") of a drug stays within its per-kg limit."""

    substances: tuple[str, ...] = ()
    max: Amount | None = None
    basis: str = "dose"
    index: ContextIndex | None = None
    key: str = ""

    type: ClassVar[str] = "per_kg"

    def evaluate(self, ctx: Context) -> list[Hit]:
        """Check each per-kg amount tied to the drug (a daily limit needs a stated frequency)."""
        assert self.index is not None and self.max is not None
        hits = []
        for q in self.index.assign(ctx).get(self.key, []):
            if not q.per_weight or q.dimension != self.max.dimension:
                continue
            if self.basis == "daily" and not q.times_per_day:
                continue
            if self.basis == "dose" and q.daily_total:
                continue
            if q.amount(self.basis) > self.max.base * (1 + 1e-9):
                per = "/kg/day" if self.basis == "daily" else "/kg per dose"
                detail = f"{q.describe(self.basis)}/kg of {self.substances[0]} is above {self.max}{per}"
                hits.append(Hit("above_max", detail, [[q.start, q.end]], match=q.text))
        return hits


def dose_rules(
    limits: tuple[DoseLimit, ...],
    check_single: bool = True,
    unit_confusion: bool = True,
    index: ContextIndex | None = None,
) -> list[Rule]:
    """Rules for each drug: the daily total against max_daily (and min_daily), each dose against max_single,
    weight-based amounts against the per-kg limits; all sharing one index (so amounts go to the nearest drug)."""
    index = index or ContextIndex()
    rules: list[Rule] = []
    for d in limits:
        cite = f" (source: {d.source})"
        key = index.add(d.names)
        rules.append(
            QuantityRule(
                id=f"med.dose.{d.name}",
                message=f"Adults should not take more than {d.max_daily} of {d.name} a day{cite}.",
                severity="error",
                substances=d.names,
                max=d.max_daily,
                min=d.min_daily,
                basis="daily",
                unit_confusion=unit_confusion,
                index=index,
            )
        )
        if check_single and d.max_single is not None:
            rules.append(
                QuantityRule(
                    id=f"med.dose.{d.name}.single",
                    message=f"A single adult dose of {d.name} is at most {d.max_single}{cite}.",
                    severity="error",
                    substances=d.names,
                    max=d.max_single,
                    basis="dose",
                    unit_confusion=unit_confusion,
                    index=index,
                )
            )
        for basis, limit in (("daily", d.max_daily_per_kg), ("dose", d.max_single_per_kg)):
            if limit is None or (basis == "dose" and not check_single):
                continue
            what = "a day" if basis == "daily" else "in one dose"
            rules.append(
                PerKgRule(
                    id=f"med.dose.{d.name}.per_kg" + (".single" if basis == "dose" else ""),
                    message=f"At most {limit}/kg of {d.name} {what}{cite}.",
                    severity="error",
                    substances=tuple(d.names),
                    max=limit,
                    basis=basis,
                    index=index,
                    key=key,
                )
            )
    return rules


class DoseSanity(Verifier):
    """Doses of common drugs stay within adult daily maxima (sourced table, units through pint); mg/mcg mix-ups caught."""

    name = "medical_dose_sanity"

    def __init__(
        self,
        table: str | None = None,
        check_single: bool = True,
        unit_confusion: bool = True,
        confirmed_only: bool = False,
        use_context: bool = True,
    ):
        self.table = table
        self.check_single = check_single
        self.unit_confusion = unit_confusion
        self.confirmed_only = confirmed_only
        self.use_context = use_context
        self.limits = load_doses(table, confirmed_only)
        self.index = ContextIndex(use_context=use_context)
        self.rules = dose_rules(self.limits, check_single, unit_confusion, self.index)
        self._by_drug: dict[str, list[Rule]] = {}
        for rule in self.rules:
            self._by_drug.setdefault(rule.key, []).append(rule)  # type: ignore[attr-defined]

    def params(self) -> dict[str, Any]:
        """Settings, for repr."""
        return {"drugs": len(self.limits), "check_single": self.check_single, "use_context": self.use_context}

    def check(self, sample: Sample) -> Result:
        """Read every amount tied to a known drug (with counts and frequencies); fail on any over the limit."""
        ctx = Context(sample)
        fired, errors = [], []
        try:
            assigned = self.index.assign(ctx)
        except (RuleTimeout, TimeoutError) as exc:
            return self.error(f"reading drug names timed out: {exc}")
        # only the rules of drugs that have amounts tied to them can fire
        for rule in (r for drug in assigned for r in self._by_drug.get(drug, [])):
            try:
                hits = rule.evaluate(ctx)
            except (RuleTimeout, TimeoutError) as exc:
                errors.append(f"{rule.id}: {exc or 'regex timed out'}")
                continue
            if hits:
                fired.append(rule.fired(hits))
        context_drug = self.index.context_key(ctx)
        doses = [
            {
                "drug": drug,
                "text": q.text,
                "span": [q.start, q.end],
                "read_as": q.describe("daily"),
                "per_weight": q.per_weight,
                "concentration": q.concentration,
            }
            for drug, qs in assigned.items()
            for q in qs
        ]
        details: dict[str, Any] = {"fired": fired, "doses": doses[:100], "context_drug": context_drug}
        if errors:
            return self.error("; ".join(errors), **details)
        if not fired:
            if not doses:
                return self.passed("no doses of drugs in the table", **details)
            return self.passed(f"{len(doses)} dose(s) within adult limits", **details)
        listed = "; ".join(f"{f['id']}: {f['detail']}" for f in fired)
        return self.failed(f"{len(fired)} dose problem(s): {listed}", score=0.0, **details)
