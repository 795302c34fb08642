"""Find named substances in text and tie each amount to the nearest one."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import regex

from .base import Context
from .patterns import keyword_regex
from .quantities import Quantity, same_sentence

DEFAULT_WINDOW = 120


@dataclass
class Mention:
    """A substance named in the text."""

    key: str
    start: int
    end: int


@dataclass
class SubstanceIndex:
    """Names of substances (each with aliases, keyed by its first name) and a matcher for all of them."""

    names: dict[str, list[str]] = field(default_factory=dict)
    window: int = DEFAULT_WINDOW
    _alias: dict[str, str] = field(default_factory=dict, repr=False)
    _compiled: Any = field(default=None, repr=False, compare=False)

    def add(self, aliases: list[str]) -> str:
        """Add a substance by its names; returns its key (the first name, lowercased)."""
        key = aliases[0].lower()
        known = self.names.setdefault(key, [])
        for a in aliases:
            if a.lower() not in (k.lower() for k in known):
                known.append(a)
            self._alias.setdefault(" ".join(a.lower().split()), key)
        self._compiled = None
        return key

    def _matcher(self):
        if self._compiled is None:
            aliases = sorted(self._alias, key=len, reverse=True)
            self._compiled = (
                regex.compile("|".join(keyword_regex(a) for a in aliases), regex.IGNORECASE) if aliases else None
            )
        return self._compiled

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_compiled"] = None
        return state

    def mentions(self, ctx: Context) -> list[Mention]:
        """Every mention of a known substance, in order."""
        cache_key = ("mentions", id(self))
        if cache_key not in ctx.cache:
            matcher = self._matcher()
            found = []
            if matcher is not None:
                for m in matcher.finditer(ctx.text, timeout=1.0):
                    key = self._alias.get(" ".join(m.group(0).lower().split()))
                    if key is not None:
                        found.append(Mention(key, m.start(), m.end()))
            ctx.cache[cache_key] = found
        return ctx.cache[cache_key]

    def assign(self, ctx: Context) -> dict[str, list[Quantity]]:
        """Amounts by substance: each amount goes to the nearest mention within the window.

        A mention after the amount must be in the same sentence ("500 mg of X"); one before may be in an
        earlier sentence ("X is safe. Take 500 mg"), as long as it is within the window.
        """
        cache_key = ("assign", id(self))
        if cache_key in ctx.cache:
            return ctx.cache[cache_key]
        mentions = self.mentions(ctx)
        ends = [m.end for m in mentions]
        starts = [m.start for m in mentions]
        out: dict[str, list[Quantity]] = {}
        for q in ctx.quantities:
            candidates: list[tuple[int, Mention]] = []
            i = bisect.bisect_right(ends, q.start) - 1  # the last mention that ends before the amount
            if i >= 0:
                candidates.append((q.start - mentions[i].end, mentions[i]))
            j = bisect.bisect_left(starts, q.end)  # the first mention that starts after it
            if j < len(mentions) and same_sentence(ctx.sentence_bounds, q.end, mentions[j].start):
                candidates.append((mentions[j].start - q.end, mentions[j]))
            candidates = [c for c in candidates if c[0] <= self.window]
            if candidates:
                best = min(candidates, key=lambda c: c[0])
                out.setdefault(best[1].key, []).append(q)
        ctx.cache[cache_key] = out
        return out
