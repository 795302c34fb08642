"""Keyword and regex patterns with a case policy, searched with a time limit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from ..safe_regex import MAX_MATCH_TIMEOUT, compile_pattern
from .errors import RuleTimeout

CASES = ("insensitive", "sensitive", "smart")
DEFAULT_TIMEOUT = 0.5
MAX_TIMEOUT = MAX_MATCH_TIMEOUT


def case_flags(case: str, pattern: str) -> int:
    """Regex flags for a case policy; `smart` is insensitive unless the pattern has a capital letter."""
    if case == "insensitive" or (case == "smart" and not any(c.isupper() for c in pattern)):
        return regex.IGNORECASE
    return 0


def keyword_regex(keyword: str, whole_word: bool = True) -> str:
    """A regex for a literal keyword: any run of whitespace matches a space, word edges are respected."""
    body = r"\s+".join(regex.escape(part) for part in keyword.split())
    if not body:
        raise ValueError("an empty keyword matches everywhere")
    if whole_word:
        if keyword.strip()[0].isalnum() or keyword.strip()[0] == "_":
            body = r"(?<!\w)" + body
        if keyword.strip()[-1].isalnum() or keyword.strip()[-1] == "_":
            body = body + r"(?!\w)"
    return body


@dataclass
class Pattern:
    """One keyword or regex, compiled with its case policy."""

    source: str
    is_regex: bool = False
    case: str = "insensitive"
    whole_word: bool = True
    timeout: float = DEFAULT_TIMEOUT
    _compiled: regex.Pattern | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._compiled = self._compile()

    def _compile(self) -> regex.Pattern:
        text = self.source if self.is_regex else keyword_regex(self.source, self.whole_word)
        return compile_pattern(text, case_flags(self.case, self.source) | regex.MULTILINE)

    def finditer(self, text: str) -> Iterator[regex.Match]:
        """Every non-empty match in the text; raises RuleTimeout past the time limit."""
        try:
            for m in self._compiled.finditer(text, timeout=self.timeout):
                if m.end() > m.start():
                    yield m
        except TimeoutError as exc:
            raise RuleTimeout(f"pattern {self.source!r} took longer than {self.timeout:g}s") from exc

    def search(self, text: str) -> regex.Match | None:
        """The first non-empty match, or None."""
        return next(self.finditer(text), None)
