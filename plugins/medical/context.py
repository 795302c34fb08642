"""Drugs named outside the answer: in the prompt or in earlier turns of the chat."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from verifiers.rules import Context, Quantity, SubstanceIndex

from ..chat_context import context_text


def last_named(matcher: regex.Pattern | None, alias: dict[str, str], text: str) -> str | None:
    """The key of the substance named last in the text (the latest turn is the most relevant)."""
    if matcher is None or not text:
        return None
    found = None
    for m in matcher.finditer(text, timeout=1.0):
        key = alias.get(" ".join(m.group(0).lower().split()))
        if key is not None:
            found = key
    return found


@dataclass
class ContextIndex(SubstanceIndex):
    """A substance index that gives amounts with no drug nearby to the drug named last in the prompt or chat.

    "How much paracetamol per day?" -> "Up to 9 g a day." reads the 9 g as paracetamol.
    """

    use_context: bool = True

    def context_key(self, ctx: Context) -> str | None:
        """The drug the conversation is about, from the text before the answer."""
        if not self.use_context:
            return None
        key = ("context_drug", id(self))
        if key not in ctx.cache:
            ctx.cache[key] = last_named(self._matcher(), self._alias, context_text(ctx.sample))
        return ctx.cache[key]

    def assign(self, ctx: Context) -> dict[str, list[Quantity]]:
        """Amounts by substance; amounts tied to no named drug go to the drug of the prompt or chat."""
        cache_key = ("context_assign", id(self))
        if cache_key in ctx.cache:
            return ctx.cache[cache_key]
        # an amount in kilograms is a body weight ("if you weigh under 50 kg"), never a dose
        out: dict[str, list[Quantity]] = {k: [q for q in qs if q.unit != "kg"] for k, qs in super().assign(ctx).items()}
        drug = self.context_key(ctx)
        if drug is not None:
            taken = {id(q) for qs in out.values() for q in qs}
            loose = [q for q in ctx.quantities if id(q) not in taken and q.unit != "kg"]
            if loose:
                out[drug] = sorted([*out.get(drug, []), *loose], key=lambda q: q.start)
        ctx.cache[cache_key] = out
        return out
