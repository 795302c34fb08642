"""Citation rules: how many citations an answer has, in what format, and whether the sources contain them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import regex

from .base import Context, Hit, Rule
from .errors import SchemaError
from .patterns import Pattern
from .schema import get_bool, get_number, get_str
from .settings import Settings

FORMATS = {
    "numeric": r"\[\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\]",
    "author_year": r"\((?:see\s+)?\p{Lu}[\p{L}'’-]+(?:\s+et\s+al\.?|,?\s+(?:and|&)\s+\p{Lu}[\p{L}'’-]+)?,?\s+(?:1[6-9]|20)\d\d[a-z]?\)",
    "doi": r"\b10\.\d{4,9}/[^\s\"<>,;]+[^\s\"<>,;.)]",
    "pmid": r"\bPMID:?\s*\d{4,9}\b",
    "url": r"\bhttps?://[^\s<>\"')\]]+[^\s<>\"')\].,;:]",
}
TOKENS = regex.compile(r"[\p{L}\p{N}§]+")


def normalise(text: str) -> str:
    """Lowercase tokens joined by single spaces, padded, so a citation matches only on token edges."""
    return " " + " ".join(TOKENS.findall(text.lower())) + " "


@dataclass
class CitationRule(Rule):
    """At least `min_count` citations in a format; with `grounded`, each must appear in the prompt's sources."""

    pattern: Pattern | None = None
    format: str = "custom"
    min_count: int = 1
    max_count: int | None = None
    grounded: bool = False
    sources_key: str = "sources"

    type: ClassVar[str] = "citation"
    keys: ClassVar[frozenset[str]] = frozenset(
        {"format", "pattern", "case", "min_count", "max_count", "grounded", "sources_key"}
    )

    @classmethod
    def build(cls, table: dict[str, Any], path: tuple, common: dict[str, Any], settings: Settings) -> CitationRule:
        """Build from a rule table: a built-in `format` or a custom regex `pattern`."""
        fmt = get_str(table, "format", path, default=None, choices=tuple(FORMATS))
        source = get_str(table, "pattern", path, default=None)
        if (fmt is None) == (source is None):
            raise SchemaError(
                path, f"a citation rule needs exactly one of 'format' ({', '.join(FORMATS)}) or 'pattern'"
            )
        case = get_str(
            table,
            "case",
            path,
            default="sensitive" if fmt else settings.case,
            choices=("insensitive", "sensitive", "smart"),
        )
        try:
            pattern = Pattern(FORMATS[fmt] if fmt else source, True, case, False, settings.timeout)
        except ValueError as exc:
            raise SchemaError(path + ("pattern",), str(exc)) from None
        min_count = get_number(table, "min_count", path, default=1, minimum=0, integer=True)
        max_count = get_number(table, "max_count", path, default=None, minimum=0, integer=True)
        if max_count is not None and max_count < min_count:
            raise SchemaError(path + ("max_count",), f"max_count ({max_count}) is below min_count ({min_count})")
        return cls(
            **common,
            pattern=pattern,
            format=fmt or "custom",
            min_count=min_count,
            max_count=max_count,
            grounded=get_bool(table, "grounded", path, False),
            sources_key=get_str(table, "sources_key", path, default="sources"),
        )

    def unchecked(self, ctx: Context) -> str | None:
        """Grounding cannot be checked without sources."""
        if self.grounded and ctx.sources(self.sources_key) is None:
            return f"no sources to ground citations in (metadata '{self.sources_key}' or a prompt)"
        return None

    def evaluate(self, ctx: Context) -> list[Hit]:
        """Fire for too few or too many citations, and for each citation the sources do not contain."""
        assert self.pattern is not None
        found = list(self.pattern.finditer(ctx.text))
        hits = []
        if len(found) < self.min_count:
            hits.append(Hit("too_few", f"{len(found)} citation(s) in {self.format} format, need {self.min_count}"))
        if self.max_count is not None and len(found) > self.max_count:
            spans = [[m.start(), m.end()] for m in found[self.max_count :]]
            hits.append(Hit("too_many", f"{len(found)} citations, at most {self.max_count}", spans))
        sources = ctx.sources(self.sources_key) if self.grounded else None
        if sources is not None and found:
            cache_key = ("normalised_sources", self.sources_key)
            if cache_key not in ctx.cache:
                ctx.cache[cache_key] = [normalise(s) for s in sources]
            normed = ctx.cache[cache_key]
            ungrounded = [m for m in found if not self._in_sources(m.group(0), normed)]
            for m in ungrounded:
                hits.append(
                    Hit(
                        "ungrounded",
                        f"{m.group(0)!r} is not in the sources",
                        [[m.start(), m.end()]],
                        violation=1 / len(found),
                        match=m.group(0),
                    )
                )
        return hits

    def _in_sources(self, citation: str, normed: list[str]) -> bool:
        if self.format == "numeric":
            numbers = [int(n) for n in regex.findall(r"\d+", citation)]
            return all(1 <= n <= len(normed) for n in numbers)
        needle = normalise(citation)
        return any(needle in s for s in normed)
