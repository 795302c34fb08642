"""The `medical_dose_sanity` verifier: doses in an answer stay within adult maxima from a sourced table."""

from __future__ import annotations

from typing import Any

from verifiers import Result, Sample, Verifier
from verifiers.rules import QuantityRule, RuleSet

from .tables import DoseLimit, load_doses


def dose_rules(
    limits: tuple[DoseLimit, ...], check_single: bool = True, unit_confusion: bool = True
) -> list[QuantityRule]:
    """Quantity rules for each drug: the daily total against max_daily (and min_daily), each dose against max_single."""
    rules = []
    for d in limits:
        cite = f" (source: {d.source})"
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
                )
            )
    return rules


class DoseSanity(Verifier):
    """Doses of common drugs stay within adult daily maxima (sourced table, units through pint); mg/mcg mix-ups caught."""

    name = "medical_dose_sanity"

    def __init__(self, table: str | None = None, check_single: bool = True, unit_confusion: bool = True):
        self.table = table
        self.check_single = check_single
        self.unit_confusion = unit_confusion
        self.limits = load_doses(table)
        self.ruleset = RuleSet(dose_rules(self.limits, check_single, unit_confusion))

    def params(self) -> dict[str, Any]:
        """Settings, for repr."""
        return {"drugs": len(self.limits), "check_single": self.check_single}

    def check(self, sample: Sample) -> Result:
        """Read every amount tied to a known drug (with counts and frequencies); fail on any over the limit."""
        ev = self.ruleset.evaluate(sample)
        assert ev.context is not None
        assigned = self.ruleset.index.assign(ev.context)
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
        details: dict[str, Any] = {"fired": ev.fired, "doses": doses[:100]}
        if ev.errors:
            return self.error("; ".join(e["error"] for e in ev.errors), **details)
        if not ev.fired:
            if not doses:
                return self.passed("no doses of drugs in the table", **details)
            return self.passed(f"{len(doses)} dose(s) within adult limits", **details)
        listed = "; ".join(f"{f['id']}: {f['detail']}" for f in ev.fired)
        return self.failed(f"{len(ev.fired)} dose problem(s): {listed}", score=0.0, **details)
