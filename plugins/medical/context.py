"""Drugs named outside the answer: in the prompt or in earlier turns of the chat."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import regex

from verifiers.rules import Context, Quantity, SubstanceIndex
from verifiers.rules.patterns import keyword_regex
from verifiers.rules.substances import Mention

from ..chat_context import context_text
from .readings import adjust, fold_accents, name_variants

WORD = regex.compile(r"\w+")
# a body weight stated in the conversation: "weighs 20 kg", "my 12 kg toddler", "pesa 20 kg", "wiegt 20 kg"
BODY_WEIGHT = regex.compile(
    r"\b(?:weighs?|weighing|weight\s+(?:is|of)|wiegt|p[èe]se|pesa|peso\s+de)\s+(?:about\s+|around\s+|roughly\s+|only\s+)?"
    r"(?P<a>\d{1,3}(?:\.\d+)?)\s*(?:kg|kilos?|kilograms?|kilogrammes?)\b"
    r"|\b(?P<b>\d{1,3}(?:\.\d+)?)\s*(?:kg|kilos?|kilograms?)\s+(?:child|boy|girl|toddler|baby|infant|son|daughter|kid|patient)\b",
    regex.IGNORECASE,
)


def body_weight(text: str, context: str = "") -> float | None:
    """The one body weight in kg that the answer and the text before it state, or None for none or several."""
    found = _weights(context) | _weights(text)
    return next(iter(found)) if len(found) == 1 else None


@lru_cache(maxsize=512)
def _weights(text: str) -> frozenset[float]:
    return frozenset(float(m.group("a") or m.group("b")) for m in BODY_WEIGHT.finditer(text))


@dataclass
class ContextIndex(SubstanceIndex):
    """A substance index that gives amounts with no drug nearby to the drug named last in the prompt or chat.

    "How much paracetamol per day?" -> "Up to 9 g a day." reads the 9 g as paracetamol.
    """

    use_context: bool = True
    # first word of each name -> (compiled name, key), longest names first; rebuilt when names are added
    _by_first: dict[str, list[tuple[Any, str]]] = field(default_factory=dict, repr=False, compare=False)
    _indexed: int = field(default=-1, repr=False, compare=False)

    def _first_words(self) -> dict[str, list[tuple[Any, str]]]:
        if self._indexed != len(self._alias):
            by_first: dict[str, list[tuple[Any, str]]] = {}
            names = dict(self._alias)
            for name, key in self._alias.items():
                for variant in name_variants(name):
                    names.setdefault(variant, key)
            for name in sorted(names, key=len, reverse=True):
                first = WORD.search(name)
                if first is None:
                    continue
                pattern = regex.compile(keyword_regex(name), regex.IGNORECASE)
                by_first.setdefault(first.group(0), []).append((pattern, names[name]))
            self._by_first, self._indexed = by_first, len(self._alias)
        return self._by_first

    def find(self, text: str) -> list[Mention]:
        """Every name in the text, leftmost and longest first, without overlaps.

        Looking names up by their first word is much faster than one alternation of several hundred names.
        """
        by_first = self._first_words()
        text = fold_accents(text)  # same length, so the offsets still point into the original
        found: list[Mention] = []
        end = 0
        for w in WORD.finditer(text):
            if w.start() < end:
                continue
            for pattern, key in by_first.get(w.group(0).lower(), ()):
                m = pattern.match(text, w.start())
                if m is not None:
                    found.append(Mention(key, m.start(), m.end()))
                    end = m.end()
                    break
        return found

    def mentions(self, ctx: Context) -> list[Mention]:
        """Every mention of a known substance in the answer, in order."""
        cache_key = ("mentions", id(self))
        if cache_key not in ctx.cache:
            ctx.cache[cache_key] = self.find(ctx.text)
        return ctx.cache[cache_key]

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["_by_first"], state["_indexed"] = {}, -1
        return state

    def context_key(self, ctx: Context) -> str | None:
        """The drug the conversation is about, from the text before the answer."""
        if not self.use_context:
            return None
        key = ("context_drug", id(self))
        if key not in ctx.cache:
            named = self.find(context_text(ctx.sample))
            ctx.cache[key] = named[-1].key if named else None  # the latest turn is the most relevant
        return ctx.cache[key]

    def assign(self, ctx: Context) -> dict[str, list[Quantity]]:
        """Amounts by substance; amounts tied to no named drug go to the drug of the prompt or chat."""
        cache_key = ("context_assign", id(self))
        if cache_key in ctx.cache:
            return ctx.cache[cache_key]
        adjust(ctx.text, ctx.quantities)
        # an amount in kilograms is a body weight ("if you weigh under 50 kg"), never a dose
        out: dict[str, list[Quantity]] = {k: [q for q in qs if q.unit != "kg"] for k, qs in super().assign(ctx).items()}
        drug = self.context_key(ctx)
        if drug is not None:
            taken = {id(q) for qs in out.values() for q in qs}
            loose = [q for q in ctx.quantities if id(q) not in taken and q.unit != "kg"]
            if loose:
                out[drug] = sorted([*out.get(drug, []), *loose], key=lambda q: q.start)
        weight = body_weight(ctx.text, context_text(ctx.sample) if self.use_context else "")
        if weight is not None:
            # "15 mg/kg" for a child of 20 kg is also a 300 mg dose, checked against the absolute limits
            for qs in out.values():
                qs.extend(_scaled(q, weight) for q in list(qs) if q.per_weight and not q.concentration)
        ctx.cache[cache_key] = out
        return out


def _scaled(q: Quantity, weight: float) -> Quantity:
    """A per-kg amount as the absolute amount for the stated body weight."""
    return replace(q, text=f"{q.text} x {weight:g} kg", low=q.low * weight, high=q.high * weight, per_weight=False)
