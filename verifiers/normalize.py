"""Text and number normalisation for answer comparison."""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

_WS = re.compile(r"\s+")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_LATEX_THOUSANDS = re.compile(r"\{,\}")
_PLAIN_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_SIMPLE_FRACTION = re.compile(r"^([-+]?\d+)\s*/\s*(\d+)$")
_MAX_NUMBER_CHARS = 400


def normalize_text(text: str, case_sensitive: bool = False, keep_punctuation: bool = False) -> str:
    """NFKC, case-folded, whitespace-collapsed text with punctuation removed."""
    s = unicodedata.normalize("NFKC", str(text))
    if not case_sensitive:
        s = s.casefold()
    if not keep_punctuation:
        s = "".join(" " if unicodedata.category(c).startswith("P") or c in "$`" else c for c in s)
    return _WS.sub(" ", s).strip()


_WRAP_START = frozenset("$\\*")
_WRAP_END = frozenset("$)]*}.")


def strip_math_wrappers(text: str) -> str:
    """Remove surrounding `$...$`, `\\(...\\)`, `\\text{...}` and trailing periods."""
    s = str(text).strip()
    if not s or (s[0] not in _WRAP_START and s[-1] not in _WRAP_END):
        return s
    changed = True
    while changed and s:
        changed = False
        for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"), ("**", "**")):
            if len(s) >= len(left) + len(right) and s.startswith(left) and s.endswith(right):
                s = s[len(left) : len(s) - len(right)].strip()
                changed = True
        for cmd in ("\\text{", "\\textbf{", "\\mathrm{", "\\mbox{"):
            if s.startswith(cmd) and s.endswith("}"):
                s = s[len(cmd) : -1].strip()
                changed = True
        if s.endswith(".") and not _PLAIN_NUMBER.match(s):
            s = s[:-1].rstrip()
            changed = True
    return s


_INT = re.compile(r"^[-+]?\d{1,300}$")


def parse_number(text: str) -> Fraction | None:
    """An exact rational from a plain number string ("0.50", ".5", "1,000", "1e3", "3/4"), or None."""
    if _INT.match(text):
        return Fraction(int(text))
    s = unicodedata.normalize("NFKC", strip_math_wrappers(text)).replace("\u2212", "-").replace(" ", "")
    if not s or len(s) > _MAX_NUMBER_CHARS:
        return None
    s = _LATEX_THOUSANDS.sub(",", s)
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if _PLAIN_NUMBER.match(s):
        mantissa, _, exp = s.lower().partition("e")
        if exp and abs(int(exp)) > 400:
            return None
        try:
            value = Fraction(mantissa)
        except (ValueError, ZeroDivisionError):
            return None
        return value * (Fraction(10) ** int(exp)) if exp else value
    m = _SIMPLE_FRACTION.match(s)
    if m and int(m.group(2)) != 0:
        return Fraction(int(m.group(1)), int(m.group(2)))
    return None
