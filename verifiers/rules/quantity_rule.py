"""Quantity rules: an amount of a named substance must lie in a range; unit mix-ups are caught."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import regex

from .base import Context, Hit, Rule
from .errors import SchemaError
from .patterns import keyword_regex
from .quantities import Quantity
from .schema import get_bool, get_number, get_str, get_strings
from .settings import Settings
from .substances import DEFAULT_WINDOW, SubstanceIndex
from .units import Amount, unit_info

DEFAULT_IGNORE_NEAR = ["overdose", "overdoses", "toxic", "toxicity", "lethal", "fatal", "poisoning"]
BASES = ("dose", "daily")
# A unit mix-up (mg for mcg, g for mg) is off by 1000; an amount only a little out of range is just wrong.
CONFUSION_RATIO = 10.0


@dataclass
class QuantityRule(Rule):
    """An amount of a substance (a dose, or a daily total) lies between min and max, in any unit pint converts."""

    substances: list[str] = field(default_factory=list)
    min: Amount | None = None
    max: Amount | None = None
    basis: str = "dose"
    unit_confusion: bool = True
    other_units: str = "ignore"
    ignore_near: list[str] = field(default_factory=lambda: list(DEFAULT_IGNORE_NEAR))
    window: int = DEFAULT_WINDOW
    index: SubstanceIndex | None = None
    _ignore: Any = field(default=None, repr=False, compare=False)

    type: ClassVar[str] = "quantity"
    keys: ClassVar[frozenset[str]] = frozenset(
        {"substances", "min", "max", "basis", "unit_confusion", "other_units", "ignore_near", "window"}
    )

    def __post_init__(self) -> None:
        if self.index is None:
            self.index = SubstanceIndex(window=self.window)
        self.key = self.index.add(self.substances)
        self._ignore = self._compile_ignore()

    def _compile_ignore(self):
        if not self.ignore_near:
            return None
        return regex.compile("|".join(keyword_regex(w) for w in self.ignore_near), regex.IGNORECASE)

    @classmethod
    def build(cls, table: dict[str, Any], path: tuple, common: dict[str, Any], settings: Settings) -> QuantityRule:
        """Build from a rule table; `min`/`max` are strings like "4 g" parsed by pint."""
        bounds = {}
        for key in ("min", "max"):
            if key in table:
                try:
                    bounds[key] = Amount.parse(table[key])
                except ValueError as exc:
                    raise SchemaError(path + (key,), f"'{key}': {exc}") from None
        if not bounds:
            raise SchemaError(path, "a quantity rule needs 'min', 'max' or both")
        if len(bounds) == 2:
            if bounds["min"].dimension != bounds["max"].dimension:
                raise SchemaError(
                    path + ("max",), f"min ({bounds['min']}) and max ({bounds['max']}) are in different dimensions"
                )
            if bounds["min"].base > bounds["max"].base:
                raise SchemaError(path + ("max",), f"min ({bounds['min']}) is above max ({bounds['max']})")
        ignore_near = table.get("ignore_near", DEFAULT_IGNORE_NEAR)
        if ignore_near != DEFAULT_IGNORE_NEAR:
            ignore_near = get_strings(table, "ignore_near", path) if ignore_near != [] else []
        return cls(
            **common,
            substances=get_strings(table, "substances", path, required=True),
            min=bounds.get("min"),
            max=bounds.get("max"),
            basis=get_str(table, "basis", path, default="dose", choices=BASES),
            unit_confusion=get_bool(table, "unit_confusion", path, True),
            other_units=get_str(table, "other_units", path, default="ignore", choices=("ignore", "flag")),
            ignore_near=ignore_near,
            window=get_number(table, "window", path, default=DEFAULT_WINDOW, minimum=1, integer=True),
        )

    @property
    def dimension(self) -> str:
        """The dimensionality of the bounds."""
        bound = self.max or self.min
        assert bound is not None
        return bound.dimension

    def range_text(self) -> str:
        """The allowed range as written, e.g. 'at most 4 g/day'."""
        per = "/day" if self.basis == "daily" else " per dose"
        if self.min and self.max:
            return f"{self.min}-{self.max}{per}"
        return f"at most {self.max}{per}" if self.max else f"at least {self.min}{per}"

    def _in_range(self, q: Quantity, unit: str | None = None) -> tuple[bool, bool]:
        high = q.amount(self.basis, high=True, unit=unit)
        low = q.amount(self.basis, high=False, unit=unit)
        too_high = self.max is not None and high > self.max.base * (1 + 1e-9)
        too_low = self.min is not None and low < self.min.base * (1 - 1e-9)
        return too_high, too_low

    def _far_out(self, q: Quantity) -> bool:
        high = q.amount(self.basis, high=True)
        low = q.amount(self.basis, high=False)
        if self.max is not None and high >= self.max.base * CONFUSION_RATIO:
            return True
        return self.min is not None and low * CONFUSION_RATIO <= self.min.base

    def _ignored(self, ctx: Context, q: Quantity) -> bool:
        if self._ignore is None:
            return False
        return self._ignore.search(ctx.text, max(0, q.start - 60), min(len(ctx.text), q.end + 60)) is not None

    def evaluate(self, ctx: Context) -> list[Hit]:
        """Check every amount tied to this substance; weight-based doses and concentrations are skipped."""
        assert self.index is not None
        hits = []
        name = self.substances[0]
        found = self.index.assign(ctx).get(self.key, [])
        # "500 mg every 4-6 hours, no more than 4 g a day": the stated daily cap governs the regimen
        capped = any(q.limit and q.daily_total for q in found)
        for q in found:
            if q.per_weight or q.concentration or self._ignored(ctx, q):
                continue
            if self.basis == "dose" and q.daily_total:
                continue  # a day's total is not one dose
            if self.basis == "daily" and capped and not q.daily_total and (q.times_per_day or 1) > 1:
                continue
            span = [[q.start, q.end]]
            if q.dimension != self.dimension:
                if self.other_units == "flag":
                    hits.append(
                        Hit(
                            "unit_mismatch",
                            f"{q.text} of {name} is not comparable with {self.range_text()}",
                            span,
                            match=q.text,
                        )
                    )
                continue
            too_high, too_low = self._in_range(q)
            if not (too_high or too_low):
                continue
            described = q.describe(self.basis)
            if self.unit_confusion and self._far_out(q):
                fits = [
                    u
                    for u in q.confusions()
                    if unit_info(u).dimension == self.dimension and not any(self._in_range(q, u))
                ]
                if fits:
                    hits.append(
                        Hit(
                            "unit_confusion",
                            f"{described} of {name} is outside {self.range_text()}, but {_fmt(q.high)} {fits[0]} would fit: "
                            f"{q.unit} written for {fits[0]}?",
                            span,
                            match=q.text,
                        )
                    )
                    continue
            kind = "above_max" if too_high else "below_min"
            hits.append(Hit(kind, f"{described} of {name} is outside {self.range_text()}", span, match=q.text))
        return hits


def _fmt(x: float) -> str:
    return f"{x:.6g}"
