"""Readings of dose amounts that the core reader leaves open, applied to its quantities in place.

- frequencies and daily totals written in German, French, Spanish or Italian ("400 mg dreimal täglich",
  "3 g par jour", "1 g cada 6 a 8 horas") and limit words before an amount ("höchstens", "sin pasar de");
- a count with a total in parentheses after a limit ("no more than 6 tablets (1200 mg) in 24 hours"):
  the amount is the total, not the size of each tablet;
- an alternative amount in parentheses right after a dose ("3 g a day (4 g on medical advice)") is read
  with that dose's frequency.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

from verifiers.rules import Quantity

_N = r"\d+(?:[.,]\d+)?|ein|zwei|drei|vier|f[üu]nf|sechs|una?|dos|tres|cuatro|cinco|seis|une?|deux|trois|quatre|cinq|six"
NUMBER_WORDS = {
    "ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "funf": 5, "sechs": 6,
    "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
}  # fmt: skip
EVERY_HOURS = regex.compile(
    rf"\b(?:alle|cada|toutes\s+les|tous\s+les|ogni)\s+(?P<a>{_N})(?:\s*(?:-|–|bis|a|à|y|o|ou|e)\s*(?P<b>{_N}))?\s*"
    r"(?:Stunden|Std\b|horas|heures|ore|h)\b",
    regex.IGNORECASE,
)
TIMES_A_DAY = regex.compile(
    rf"\b(?P<n>{_N})\s*(?:-?mal|\s+veces|\s+fois|\s+volte)\s*(?:am\s+Tag|pro\s+Tag|t[äa]glich|al\s+d[ií]a|por\s+d[ií]a|diarias|al\s+giorno"
    r"|par\s+jour|par\s+24\s*h)\b|\b(?P<w>einmal|zweimal|dreimal|viermal)\s*(?:am\s+Tag|pro\s+Tag|t[äa]glich)?\b",
    regex.IGNORECASE,
)
PER_DAY = regex.compile(
    r"\b(?:pro|am|je)\s+Tag\b|\bt[äa]glich\b|\bpar\s+(?:jour|24\s*h)\b|\b(?:al|por)\s+d[ií]a\b|\bdiari[oa]s?\b"
    r"|\ben\s+24\s+(?:horas|heures)\b|\bin\s+24\s+(?:Stunden|ore)\b|\bal\s+giorno\b|\bgiornalier[oa]\b",
    regex.IGNORECASE,
)
LIMIT_BEFORE = regex.compile(
    r"(?:h[öo]chstens|maximal|bis\s+zu|nicht\s+mehr\s+als|au\s+maximum|maximum|jusqu.[àa]|pas\s+plus\s+de|sans\s+d[ée]passer"
    r"|hasta|como\s+m[aá]ximo|m[aá]ximo|sin\s+pasar\s+de|no\s+m[aá]s\s+de|fino\s+a|al\s+massimo|non\s+pi[uù]\s+di)\s*:?\s*$",
    regex.IGNORECASE,
)
WORDS = {"einmal": 1.0, "zweimal": 2.0, "dreimal": 3.0, "viermal": 4.0}
# "no more than 6 tablets (" just before an amount: the amount in parentheses is their total
LIMITED_COUNT = regex.compile(
    r"(?:no\s+more\s+than|not\s+more\s+than|up\s+to|at\s+most|maximum\s+(?:of\s+)?|max\.?\s+(?:of\s+)?|never\s+more\s+than"
    r"|(?:do\s+not|don't|not\s+to)\s+exceed)\s+\w+\s+(?:tablets?|tabs?|capsules?|caps|pills?|caplets?|sachets?)\s*\(\s*$",
    regex.IGNORECASE,
)
OPEN_PAREN = regex.compile(r"^[^()\n]{0,40}\(\s*(?:or\s+|ou\s+|o\s+|oder\s+)?$", regex.IGNORECASE)


def _num(text: str | None) -> float | None:
    if not text:
        return None
    low = text.lower()
    if low in NUMBER_WORDS:
        return float(NUMBER_WORDS[low])
    try:
        return float(low.replace(",", "."))
    except ValueError:
        return None


def frequency(text: str) -> tuple[float | None, bool]:
    """Times per day stated in German, French or Spanish in a stretch of text, and whether it is a daily total."""
    m = TIMES_A_DAY.search(text)
    if m:
        n = _num(m.group("n")) if m.group("n") else WORDS.get(m.group("w").lower())
        if n:
            return n, False
    m = EVERY_HOURS.search(text)
    if m:
        hours = [h for h in (_num(m.group("a")), _num(m.group("b"))) if h]
        if hours:
            return 24.0 / min(hours), False
    if PER_DAY.search(text):
        return 1.0, True
    return None, False


def adjust(text: str, quantities: list[Quantity]) -> None:
    """Fill in the readings above on the quantities found in `text` (each is changed at most once)."""
    for i, q in enumerate(quantities):
        prev_end = quantities[i - 1].end if i else 0
        next_start = quantities[i + 1].start if i + 1 < len(quantities) else len(text)
        head = text[max(prev_end, q.start - 80) : q.start]
        tail = text[q.end : min(next_start, q.end + 80)]
        if q.count != 1 and LIMITED_COUNT.search(head):
            q.count, q.limit = 1.0, True
            q.daily_total = q.times_per_day == 1.0
        prev = quantities[i - 1] if i else None
        if prev is not None and prev.times_per_day is not None and OPEN_PAREN.search(text[prev_end : q.start]):
            q.times_per_day, q.daily_total, q.limit = prev.times_per_day, prev.daily_total, prev.limit
            continue
        if q.times_per_day is None:
            times, total = frequency(tail.split(".")[0] if tail else "")
            if times is None:
                times, total = frequency(head.rpartition(".")[2])
            if times is not None:
                q.times_per_day = times
                q.limit = q.limit or LIMIT_BEFORE.search(head) is not None
                q.daily_total = times == 1.0 and (total or q.limit)
        if not q.limit and LIMIT_BEFORE.search(head):
            q.limit = True
            q.daily_total = q.times_per_day == 1.0


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0]
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]) and len(base) == 1:
        return base
    return ch


def fold_accents(text: str) -> str:
    """The text with accented letters replaced by their base letter, same length ("fluoxétine" -> "fluoxetine")."""
    if text.isascii():
        return text
    return "".join(_fold_char(c) for c in text)


# generic-name endings as German, Spanish and Italian write them ("Fluoxetin", "sertralina", "ibuprofene")
_ENDINGS = (
    ("ine", ("ina",)),
    ("ene", ("eno",)),
    ("en", ("eno", "ene")),
    ("in", ("ina",)),
    ("ide", ("ida", "ide")),
    ("ate", ("ato",)),
    ("one", ("ona",)),
    ("ol", ("olo",)),
)
_SPELLING = (("th", "t"), ("ph", "f"), ("y", "i"))


def name_variants(name: str) -> set[str]:
    """Other-language spellings of a one-word generic name (lower case, 6 letters or more); brands are left alone."""
    if len(name) < 6 or not name.isalpha() or not name.islower():
        return set()
    out = {name[:-1]} if name.endswith("e") else set()
    spanish = name
    for old, new in _SPELLING:
        spanish = spanish.replace(old, new)
    for old, endings in _ENDINGS:
        if spanish.endswith(old):
            out.update(spanish[: -len(old)] + new for new in endings)
            break
    if spanish != name:
        out.add(spanish)
    out.discard(name)
    return out
