"""Conditional rules: when the answer says X (or gives an amount), another rule must hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .base import Context, Hit, Rule
from .errors import SchemaError
from .patterns import Pattern
from .quantities import Quantity
from .schema import check_keys, get_number, get_patterns, get_str, get_strings, get_table
from .scope import SCOPE_KEYS, read_scope, scoped
from .settings import Settings
from .substances import DEFAULT_WINDOW, SubstanceIndex
from .units import dimension_of

CONDITION_KEYS = (
    frozenset({"patterns", "match", "regex", "case", "whole_word", "quantity", "substances", "window"}) | SCOPE_KEYS
)


@dataclass
class Condition:
    """What triggers a conditional rule: patterns, an amount of some dimension, or an amount of a substance.

    `scope` says where to look: the answer (default), the context before it (the prompt and earlier chat
    turns, of `roles` only when given), or either.
    """

    patterns: list[Pattern] = field(default_factory=list)
    match: str = "any"
    dimensions: list[str] = field(default_factory=list)
    substances: list[str] = field(default_factory=list)
    window: int = DEFAULT_WINDOW
    index: SubstanceIndex | None = None
    substance_keys: list[str] = field(default_factory=list)
    scope: str = "answer"
    roles: tuple[str, ...] | None = None

    @classmethod
    def build(cls, table: dict[str, Any], path: tuple, settings: Settings) -> Condition:
        """Build from a `when` table."""
        check_keys(table, CONDITION_KEYS, path, "a condition")
        patterns = get_patterns(table, path, settings.case, settings.timeout, required=False)
        dims = []
        for name in get_strings(table, "quantity", path):
            try:
                dims.append(dimension_of(name))
            except ValueError as exc:
                raise SchemaError(path + ("quantity",), str(exc)) from None
        substances = get_strings(table, "substances", path)
        if not patterns and not dims and not substances:
            raise SchemaError(path, "a condition needs 'patterns', 'quantity' or 'substances'")
        scope, roles = read_scope(table, path)
        return cls(
            scope=scope,
            roles=roles,
            patterns=patterns,
            match=get_str(table, "match", path, default="any", choices=("any", "all")),
            dimensions=dims,
            substances=substances,
            window=get_number(table, "window", path, default=DEFAULT_WINDOW, minimum=1, integer=True),
        )

    def attach(self, index: SubstanceIndex) -> None:
        """Use a shared substance index (so amounts go to the nearest of all named substances)."""
        self.index = index
        self.substance_keys = [index.add([s]) for s in self.substances] if self.substances else []

    def find(self, ctx: Context) -> tuple[Context, list[list[int]]] | None:
        """Where the condition holds and the spans there, or None.

        Each part of the condition (each pattern, the amounts) may be met in any of the places the scope
        reads, so with scope "any" a child named in the question and a dose given in the answer together
        trigger it. The place returned is the answer when any part was met there.
        """
        places = scoped(ctx, self.scope, self.roles)
        met: list[tuple[Context, list[int]]] = []
        if self.patterns:
            found = [next(((w, m) for w in places if (m := p.search(w.text)) is not None), None) for p in self.patterns]
            hits = [h for h in found if h is not None]
            if not hits or (self.match == "all" and len(hits) < len(found)):
                return None
            met += [(w, [m.start(), m.end()]) for w, m in hits]
        if self.dimensions or self.substances:
            amounts = next(((w, q) for w in places if (q := self._amounts(w))), None)
            if amounts is None:
                return None
            met += [(amounts[0], [q.start, q.end]) for q in amounts[1]]
        in_answer = [span for w, span in met if w.is_answer]
        if in_answer:
            return ctx, sorted(in_answer)
        return met[0][0], sorted(span for w, span in met if w is met[0][0])

    def triggers(self, ctx: Context) -> list[list[int]] | None:
        """The spans in this context's text that make the condition true, or None when it is false."""
        spans: list[list[int]] = []
        if self.patterns:
            found = [p.search(ctx.text) for p in self.patterns]
            hits = [m for m in found if m is not None]
            if not hits or (self.match == "all" and len(hits) < len(found)):
                return None
            spans += [[m.start(), m.end()] for m in hits]
        if self.dimensions or self.substances:
            quantities = self._amounts(ctx)
            if not quantities:
                return None
            spans += [[q.start, q.end] for q in quantities]
        return sorted(spans)

    def _amounts(self, ctx: Context) -> list[Quantity]:
        """The amounts in this context that the condition asks for (of its dimensions, of its substances)."""
        quantities = ctx.quantities
        if self.substances:
            if self.index is None:
                self.attach(SubstanceIndex(window=self.window))
            assigned = self.index.assign(ctx)
            quantities = [q for k in self.substance_keys for q in assigned.get(k, [])]
        if self.dimensions:
            quantities = [q for q in quantities if q.dimension in self.dimensions]
        return quantities


@dataclass
class Conditional(Rule):
    """When the condition holds, the `then` rule must hold too."""

    when: Condition | None = None
    then: Rule | None = None

    type: ClassVar[str] = "conditional"
    keys: ClassVar[frozenset[str]] = frozenset({"when", "then"})

    @classmethod
    def build(cls, table: dict[str, Any], path: tuple, common: dict[str, Any], settings: Settings) -> Conditional:
        """Build from a rule table with a `when` condition table and a `then` rule table."""
        from .loader import RULE_TYPES, build_body

        when = Condition.build(get_table(table, "when", path), path + ("when",), settings)
        then_table = get_table(table, "then", path)
        then_type = get_str(then_table, "type", path + ("then",), required=True, choices=tuple(RULE_TYPES))
        if then_type == "conditional":
            raise SchemaError(path + ("then", "type"), "a conditional's 'then' cannot itself be conditional")
        then = build_body(then_type, then_table, path + ("then",), common, settings, allow_common=False)
        return cls(**common, when=when, then=then)

    def unchecked(self, ctx: Context) -> str | None:
        """Whatever keeps the inner rule from being checked."""
        assert self.then is not None
        return self.then.unchecked(ctx)

    def evaluate(self, ctx: Context) -> list[Hit]:
        """Evaluate the inner rule only when the condition is true; its hits carry the triggering span."""
        assert self.when is not None and self.then is not None
        found = self.when.find(ctx)
        if found is None:
            return []
        where, triggers = found
        hits = self.then.evaluate(ctx)
        what = where.text[triggers[0][0] : triggers[0][1]]
        place = "" if where.is_answer else " before the answer"
        for h in hits:
            h.detail = f"{h.detail} (triggered by {what[:60]!r}{place})"
            if not h.spans and where.is_answer:
                h.spans = [triggers[0]]
        return hits
