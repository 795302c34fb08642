"""Reading a label column (a human or reference judgement of correctness) into True, False or missing."""

from __future__ import annotations

import math
from typing import Any

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "pass", "passed", "correct", "right", "positive", "good"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "fail", "failed", "incorrect", "wrong", "negative", "bad"})
MISSING_WORDS = frozenset({"", "na", "n/a", "nan", "none", "null", "?", "-"})


class Label:
    """The outcome of reading one label: `value` True/False, or None with `missing` or `invalid` set."""

    __slots__ = ("value", "missing", "invalid")

    def __init__(self, value: bool | None, missing: bool = False, invalid: str | None = None):
        self.value = value
        self.missing = missing
        self.invalid = invalid


def parse_label(raw: Any) -> Label:
    """A label from a bool, 0/1, or a word such as true/false, yes/no, correct/incorrect; blanks and nulls are missing."""
    if raw is None:
        return Label(None, missing=True)
    if isinstance(raw, bool):
        return Label(raw)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and math.isnan(raw):
            return Label(None, missing=True)
        if raw in (0, 1):
            return Label(bool(raw))
        return Label(None, invalid=f"number {raw!r} is not 0 or 1")
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return Label(True)
        if word in FALSE_WORDS:
            return Label(False)
        if word in MISSING_WORDS:
            return Label(None, missing=True)
        return Label(None, invalid=f"{_clip(raw)!r} is not a true/false word")
    return Label(None, invalid=f"a {type(raw).__name__} is not a label")


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
