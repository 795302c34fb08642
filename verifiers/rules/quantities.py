"""Find amounts with units in text ("500 mg every 6 hours", "2 tablets of 500 mg", "4 g/day")."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex

from .units import CONFUSABLE, UNIT_ALTERNATION, unit_info

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
QUANTITY = regex.compile(
    rf"(?<![\w.,])(?P<lo>{NUMBER})(?:\s*(?:-|–|—|to)\s*(?P<hi>{NUMBER}))?\s*(?P<unit>{UNIT_ALTERNATION})"
    r"(?![\w])(?!\.\w)"
    r"(?P<perkg>\s*(?:/|per)\s*(?:kg|kilogram)\b)?"
    r"(?P<conc>\s*(?:/|per|in)\s*(?:\d+(?:\.\d+)?\s*)?(?:ml|millilit(?:er|re)s?|l|litres?|liters?|tsp|teaspoons?)\b)?",
    regex.IGNORECASE,
)
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "once": 1, "twice": 2, "thrice": 3}
_N = r"\d+(?:\.\d+)?|one|two|three|four|five|six"
EVERY_HOURS = regex.compile(
    rf"\b(?:every|each|q)\s*(?P<a>{_N})?(?:\s*(?:-|–|to)\s*(?P<b>{_N}))?\s*(?:hours?|hrs?|h)\b", regex.IGNORECASE
)
TIMES_A_DAY = regex.compile(
    rf"\b(?:(?P<n>{_N})\s*(?:times|x)|(?P<w>once|twice|thrice))\s*(?:a|per|each|/|every|in\s+a)?\s*"
    r"(?:day|daily|24\s*h(?:ours?|rs)?)\b",
    regex.IGNORECASE,
)
LATIN_TIMES = regex.compile(r"\b(?P<abbr>b\.?i\.?d|t\.?i\.?d|q\.?i\.?d|q\.?d|o\.?d)\b\.?", regex.IGNORECASE)
LATIN_VALUES = {"bid": 2, "tid": 3, "qid": 4, "qd": 1, "od": 1}
# "per day", "in 24 hours": the amount is a daily total; "daily", "at night": one dose a day
TOTAL_PER_DAY = regex.compile(
    r"(?:/\s*|\bper\s+|\ba\s+|\beach\s+|\bevery\s+|\bin\s+(?:a\s+|one\s+|any\s+)?)(?:day|24\s*h(?:ours?|rs)?)\b",
    regex.IGNORECASE,
)
ONCE_DAILY = regex.compile(
    r"\bdaily\b|\bnightly\b|\bat\s+(?:bed)?(?:time|night)\b|\bin\s+the\s+morning\b", regex.IGNORECASE
)
LIMIT_BEFORE = regex.compile(
    r"(?:no\s+more\s+than|not\s+more\s+than|(?:do\s+not|don't|never|not\s+to)\s+exceed|maximum(?:\s+(?:of|is|dose(?:\s+is)?))?"
    r"|\bmax\.?(?:\s+of)?|up\s+to|at\s+most|limit(?:ed)?\s+to|never\s+more\s+than|not\s+over)\s*:?\s*$",
    regex.IGNORECASE,
)
COUNT_BEFORE = regex.compile(
    rf"(?:\b(?P<n>{_N})(?:\s*(?:-|–|to)\s*(?P<m>{_N}))?\s*(?:x\s*)?"
    r"(?:tablets?|tabs?|capsules?|caps|pills?|caplets?|puffs?|sachets?|lozenges?)\s*(?:of\s*|\(\s*)?"
    r"|\b(?P<x>\d+)\s*[x×]\s*)$",
    regex.IGNORECASE,
)
COUNT_AFTER = regex.compile(r"^\s*[x×]\s*(?P<n>\d+)\b", regex.IGNORECASE)
# a sentence ends at . ! ? followed by space and a capital, a bullet or a digit, or at a blank line
SENTENCE_END = regex.compile(r"[.!?](?=\s+[\p{Lu}\d*#(\"'-])|\n\s*\n")


def _num(text: str | None) -> float | None:
    if text is None:
        return None
    low = text.lower()
    if low in WORD_NUMBERS:
        return float(WORD_NUMBERS[low])
    return float(text.replace(",", ""))


@dataclass(slots=True)
class Quantity:
    """An amount found in text, with what is known of how often it is taken."""

    text: str
    start: int
    end: int
    low: float
    high: float
    unit: str
    per_weight: bool = False
    concentration: bool = False
    count: float = 1.0
    times_per_day: float | None = None
    daily_total: bool = False
    limit: bool = False

    @property
    def dimension(self) -> str:
        """The unit's dimensionality, e.g. '[mass]'."""
        return unit_info(self.unit).dimension

    def base(self, value: float, unit: str | None = None) -> float:
        """A value in this quantity's unit (or another) in pint base units."""
        return value * unit_info(unit or self.unit).factor

    def amount(self, basis: str, high: bool = True, unit: str | None = None) -> float:
        """The dose (`basis="dose"`) or daily total (`"daily"`, when a frequency is known) in base units."""
        value = (self.high if high else self.low) * self.count
        if basis == "daily" and self.times_per_day:
            value *= self.times_per_day
        return self.base(value, unit)

    def describe(self, basis: str) -> str:
        """How the amount was read, e.g. '2 x 500 mg every 6 hours = 4000 mg/day'."""
        value = f"{_fmt(self.low)}-{_fmt(self.high)}" if self.low != self.high else _fmt(self.high)
        out = f"{value} {self.unit}"
        if self.count != 1:
            out = f"{_fmt(self.count)} x {out}"
        if basis == "daily" and self.times_per_day and self.times_per_day != 1:
            total = self.high * self.count * self.times_per_day
            out += f" x {_fmt(self.times_per_day)}/day = {_fmt(total)} {self.unit}/day"
        return out

    def confusions(self) -> tuple[str, ...]:
        """Units this amount's unit is commonly confused with."""
        return CONFUSABLE.get(self.unit, ())


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def sentence_bounds(text: str) -> list[int]:
    """Offsets where sentences end (sorted)."""
    return [m.end() for m in SENTENCE_END.finditer(text)]


def same_sentence(bounds: list[int], a: int, b: int) -> bool:
    """True when offsets a <= b fall in the same sentence."""
    if a > b:
        a, b = b, a
    return bisect.bisect_right(bounds, a) == bisect.bisect_right(bounds, b)


def find_quantities(text: str) -> list[Quantity]:
    """Every amount with a recognised unit, with counts ("2 tablets of") and frequencies ("every 6 hours")."""
    matches = list(QUANTITY.finditer(text))
    bounds = sentence_bounds(text)
    out: list[Quantity] = []
    for i, m in enumerate(matches):
        lo = _num(m.group("lo"))
        hi = _num(m.group("hi")) if m.group("hi") else lo
        if lo is None or hi is None:
            continue
        if hi < lo:
            lo, hi = hi, lo
        unit = unit_info(m.group("unit")).unit
        q = Quantity(
            text=m.group(0).strip(),
            start=m.start(),
            end=m.end(),
            low=lo,
            high=hi,
            unit=unit,
            per_weight=bool(m.group("perkg")),
            concentration=bool(m.group("conc")),
        )
        k = bisect.bisect_right(bounds, m.start())
        sent_start = bounds[k - 1] if k > 0 else 0
        sent_end = bounds[k] if k < len(bounds) else len(text)
        prev_end = matches[i - 1].end() if i > 0 else 0
        next_start = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        head = text[max(sent_start, prev_end, m.start() - 80) : m.start()]
        tail = text[m.end() : min(sent_end, next_start, m.end() + 80)]
        _read_count(q, head, tail)
        q.times_per_day = _frequency(tail) or _frequency(head)
        q.limit = LIMIT_BEFORE.search(head) is not None
        q.daily_total = q.times_per_day == 1.0 and (q.limit or _is_total(tail))
        out.append(q)
    return out


def _read_count(q: Quantity, head: str, tail: str) -> None:
    m = COUNT_BEFORE.search(head)
    if m:
        n = _num(m.group("m") or m.group("n") or m.group("x"))
        if n:
            q.count = n
        return
    m = COUNT_AFTER.search(tail)
    if m:
        q.count = float(m.group("n"))


def _frequency(text: str) -> float | None:
    """Times per day stated in a stretch of text; the most frequent reading of a range ("every 4-6 hours")."""
    if not text:
        return None
    m = TIMES_A_DAY.search(text)
    if m:
        n = _num(m.group("n") or m.group("w"))
        return n if n and n > 0 else None
    m = EVERY_HOURS.search(text)
    if m:
        hours = [h for h in (_num(m.group("a")), _num(m.group("b"))) if h]
        hours = hours or [1.0]
        return 24.0 / min(hours) if min(hours) > 0 else None
    m = LATIN_TIMES.search(text)
    if m:
        return float(LATIN_VALUES[m.group("abbr").replace(".", "").lower()])
    if TOTAL_PER_DAY.search(text) or ONCE_DAILY.search(text):
        return 1.0
    return None


def _is_total(tail: str) -> bool:
    """True when the text after an amount says it is a day's total ("4 g per day", "in 24 hours")."""
    m = TOTAL_PER_DAY.search(tail)
    return m is not None and not TIMES_A_DAY.search(tail[: m.end()])
