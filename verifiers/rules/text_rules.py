"""Rules on the words of an answer: must include, must not include, required sections, maximum length."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import regex

from .base import Context, Hit, Rule
from .errors import SchemaError
from .patterns import Pattern, case_flags
from .schema import PATTERN_KEYS, get_bool, get_number, get_patterns, get_str
from .scope import SCOPE_KEYS, read_scope, scoped
from .settings import Settings

MAX_SPANS = 20


@dataclass
class MustInclude(Rule):
    """The answer contains any (or all) of the patterns.

    With `scope = "any"` a pattern found before the answer (prompt, earlier turns) counts too; with
    `scope = "context"` only there.
    """

    patterns: list[Pattern] = field(default_factory=list)
    match: str = "any"
    scope: str = "answer"
    roles: tuple[str, ...] | None = None

    type: ClassVar[str] = "must_include"
    keys: ClassVar[frozenset[str]] = PATTERN_KEYS | SCOPE_KEYS | {"match"}

    @classmethod
    def build(cls, table: dict[str, Any], path: tuple, common: dict[str, Any], settings: Settings) -> MustInclude:
        """Build from a rule table."""
        scope, roles = read_scope(table, path)
        return cls(
            **common,
            patterns=get_patterns(table, path, settings.case, settings.timeout),
            match=get_str(table, "match", path, default="any", choices=("any", "all")),
            scope=scope,
            roles=roles,
        )

    def evaluate(self, ctx: Context) -> list[Hit]:
        """Fire when no pattern (match="any") or not every pattern (match="all") is found."""
        texts = [c.text for c in scoped(ctx, self.scope, self.roles)]
        missing = [p.source for p in self.patterns if all(p.search(t) is None for t in texts)]
        if self.match == "any":
            if len(missing) == len(self.patterns):
                return [Hit("missing", "none of " + ", ".join(repr(s) for s in missing) + " found")]
            return []
        if missing:
            return [
                Hit(
                    "missing",
                    "missing " + ", ".join(repr(s) for s in missing),
                    violation=len(missing) / len(self.patterns),
                )
            ]
        return []


@dataclass
class MustNotInclude(Rule):
    """The answer contains none of the patterns (with `scope`, nor does what came before it)."""

    patterns: list[Pattern] = field(default_factory=list)
    scope: str = "answer"
    roles: tuple[str, ...] | None = None

    type: ClassVar[str] = "must_not_include"
    keys: ClassVar[frozenset[str]] = PATTERN_KEYS | SCOPE_KEYS

    @classmethod
    def build(cls, table: dict[str, Any], path: tuple, common: dict[str, Any], settings: Settings) -> MustNotInclude:
        """Build from a rule table."""
        scope, roles = read_scope(table, path)
        return cls(
            **common, patterns=get_patterns(table, path, settings.case, settings.timeout), scope=scope, roles=roles
        )

    def evaluate(self, ctx: Context) -> list[Hit]:
        """Fire once, with the span of every match of every pattern in the answer."""
        spans: list[list[int]] = []
        found: list[str] = []
        for where in scoped(ctx, self.scope, self.roles):
            for p in self.patterns:
                for m in p.finditer(where.text):
                    if where.is_answer and len(spans) < MAX_SPANS:
                        spans.append([m.start(), m.end()])
                    if len(found) < 5 and m.group(0) not in found:
                        found.append(m.group(0))
        if not found:
            return []
        spans.sort()
        return [Hit("forbidden", "found " + ", ".join(repr(f[:80]) for f in found), spans, match=found[0][:200])]


@dataclass
class MaxLength(Rule):
    """The answer is at most so many words, characters or lines."""

    max_words: int | None = None
    max_chars: int | None = None
    max_lines: int | None = None

    type: ClassVar[str] = "max_length"
    keys: ClassVar[frozenset[str]] = frozenset({"max_words", "max_chars", "max_lines"})

    @classmethod
    def build(cls, table: dict[str, Any], path: tuple, common: dict[str, Any], settings: Settings) -> MaxLength:
        """Build from a rule table; at least one limit is required."""
        limits = {
            k: get_number(table, k, path, minimum=1, integer=True) for k in ("max_words", "max_chars", "max_lines")
        }
        if all(v is None for v in limits.values()):
            raise SchemaError(path, "max_length needs max_words, max_chars or max_lines")
        return cls(**common, **limits)

    def evaluate(self, ctx: Context) -> list[Hit]:
        """Fire with the span from where the limit is passed to the end."""
        text = ctx.text
        hits = []
        if self.max_chars is not None and len(text) > self.max_chars:
            hits.append(Hit("too_long", f"{len(text)} characters > {self.max_chars}", [[self.max_chars, len(text)]]))
        if self.max_words is not None:
            words = ctx.cache.get("words")
            if words is None:
                words = ctx.cache["words"] = [m.start() for m in regex.finditer(r"\S+", text)]
            if len(words) > self.max_words:
                hits.append(
                    Hit("too_long", f"{len(words)} words > {self.max_words}", [[words[self.max_words], len(text)]])
                )
        if self.max_lines is not None:
            lines = text.splitlines()
            if len(lines) > self.max_lines:
                start = sum(len(line) + 1 for line in lines[: self.max_lines])
                hits.append(
                    Hit("too_long", f"{len(lines)} lines > {self.max_lines}", [[min(start, len(text)), len(text)]])
                )
        return hits


HEADING = (
    r"^(?:</?[A-Za-z][\w-]*>[ \t]*)*(?P<indent>[ \t]{{0,3}})(?P<hash>#{{1,6}}[ \t]*)?(?P<num>(?:\d{{1,2}}|[IVXivx]{{1,4}}|[A-Da-d])[.)][ \t]+)?"
    r"(?P<o>\*\*|__|\*)?[ \t]*(?P<name>{names})(?!\w)[ \t]*(?P<c1>\*\*|__|\*)?[ \t]*(?P<colon>[:.—–-])?"
    r"[ \t]*(?P<c2>\*\*|__|\*)?(?P<rest>[^\n]*)$"
)
STYLES = ("any", "heading", "label")


@dataclass
class Section:
    """One required section: its names (synonyms) and the compiled heading pattern."""

    names: list[str]
    case: str
    _compiled: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._compiled = self._compile()

    def _compile(self):
        # longest first, so "Rule of Law" is tried before "Rule"
        names = sorted(self.names, key=len, reverse=True)
        alternation = "|".join(r"\s+".join(regex.escape(w) for w in n.split()) for n in names)
        flags = regex.MULTILINE | case_flags(self.case, " ".join(self.names))
        return regex.compile(HEADING.format(names=alternation), flags)

    def find(self, text: str, style: str) -> regex.Match | None:
        """The first line that heads this section in the given style."""
        for m in self._compiled.finditer(text, timeout=1.0):
            heading = bool(m.group("hash")) or not m.group("rest").strip()
            label = bool(m.group("colon")) and m.group("colon") in ":—–-" and bool(m.group("rest").strip())
            if style == "heading" and heading or style == "label" and label or style == "any" and (heading or label):
                return m
        return None


@dataclass
class Sections(Rule):
    """The answer has the required sections (headings or labels), optionally in order; partial credit."""

    sections: list[Section] = field(default_factory=list)
    style: str = "any"
    ordered: bool = False
    min_words: int = 1

    type: ClassVar[str] = "sections"
    keys: ClassVar[frozenset[str]] = frozenset({"sections", "style", "ordered", "min_words", "case"})

    @classmethod
    def build(cls, table: dict[str, Any], path: tuple, common: dict[str, Any], settings: Settings) -> Sections:
        """Build from a rule table: `sections` is a list of names or of lists of synonyms."""
        raw = table.get("sections")
        if raw is None:
            raise SchemaError(path, "missing required key 'sections'")
        if not isinstance(raw, list) or not raw:
            raise SchemaError(path + ("sections",), "'sections' must be a non-empty list of names or lists of synonyms")
        case = get_str(table, "case", path, default=settings.case, choices=("insensitive", "sensitive", "smart"))
        sections = []
        for item in raw:
            names = [item] if isinstance(item, str) else item
            if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
                raise SchemaError(path + ("sections",), f"each section must be a name or a list of names, not {item!r}")
            sections.append(Section(names, case))
        return cls(
            **common,
            sections=sections,
            style=get_str(table, "style", path, default="any", choices=STYLES),
            ordered=get_bool(table, "ordered", path, False),
            min_words=get_number(table, "min_words", path, default=1, minimum=0, integer=True),
        )

    def evaluate(self, ctx: Context) -> list[Hit]:
        """Fire for missing or empty sections (violation = share missing) and for sections out of order."""
        text = ctx.text
        found = [(s, s.find(text, self.style)) for s in self.sections]
        starts = sorted(m.start() for _, m in found if m is not None)
        missing, present = [], []
        for s, m in found:
            if m is None:
                missing.append(s.names[0])
                continue
            later = [x for x in starts if x > m.start()]
            body = text[m.start("rest") : later[0] if later else len(text)]
            if len(body.split()) < self.min_words:
                missing.append(f"{s.names[0]} (empty)")
            else:
                present.append((s, m))
        n = len(self.sections)
        hits = []
        if missing:
            hits.append(Hit("missing_section", "missing " + ", ".join(missing), violation=len(missing) / n))
        if self.ordered and len(present) > 1:
            positions = [m.start() for _, m in present]
            if positions != sorted(positions):
                spans = [[m.start(), m.end()] for _, m in present]
                order = ", ".join(s.names[0] for s, _ in sorted(present, key=lambda p: p[1].start()))
                hits.append(Hit("out_of_order", f"sections in the order {order}", spans, violation=1 / n))
        return hits
