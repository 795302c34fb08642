"""Split masked text into the words spelling should check, skipping identifiers, numbers and names by policy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import regex

# A run of word characters joined by '.', '-', '/' or apostrophes: "e.g", "well-known", "and/or", "don't".
RUN = regex.compile(r"[\w'’]+(?:[.\-/‐][\w'’]+)*")
LATIN_WORD = regex.compile(r"[\p{Latin}'’]+")
HAS_LETTER = regex.compile(r"\p{L}")
DIGIT = regex.compile(r"\d")
SEPARATORS = regex.compile(r"([.\-/‐_])")
SEPARATOR_CHARS = frozenset(".-/‐_")
SENTENCE_END = frozenset(".!?:\n")
LOOKBACK_SKIP = frozenset(" \t\r\"'“”‘’([{*_#>|-–—•")
ABBREVIATIONS = frozenset(
    "dr mr mrs ms prof st sr jr vs v no nos inc ltd co corp e.g i.e etc cf al approx fig gen gov sen rep hon u.s".split()
)
PROPER_NOUN_POLICIES = ("mid_sentence", "skip", "check")
CASE_PARTY = regex.compile(r"\s+vs?\.\s+\p{Lu}")
# Unit words that follow an amount ("50 mcg", "1.6 mcg/kg"); the plain-English ones are in the dictionary anyway.
UNIT_WORDS = frozenset(
    {
        "mcg",
        "ug",
        "µg",
        "μg",
        "mg",
        "mgs",
        "ng",
        "kg",
        "ml",
        "mls",
        "cc",
        "iu",
        "meq",
        "mmol",
        "tsp",
        "tbsp",
        "gm",
        "gms",
        "mm",
        "cm",
        "km",
        "hr",
        "hrs",
        "min",
        "mins",
        "sec",
        "secs",
    }
)


@dataclass(slots=True)
class Policy:
    """What to leave unchecked."""

    ignore_numbers: bool = True
    ignore_units: bool = True
    ignore_identifiers: bool = True
    ignore_acronyms: bool = True
    proper_nouns: str = "mid_sentence"
    min_length: int = 2


@dataclass(slots=True)
class Word:
    """A word to look up, where it is, and whether it starts a sentence."""

    text: str
    start: int
    end: int
    sentence_start: bool


def _after_amount(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t/":
        i -= 1
    if i >= 2 and text[i - 2 : i + 1].lower() == "per" and (i < 3 or not text[i - 3].isalpha()):
        # "10 mg per kg": the unit follows "per" after an amount and its unit
        i -= 3
        while i >= 0 and text[i] in " \t":
            i -= 1
    if i >= 0 and text[i].isalpha():  # "mcg/kg": the kg follows a unit that follows an amount
        j = i
        while j >= 0 and text[j].isalpha():
            j -= 1
        return text[j + 1 : i + 1].lower() in UNIT_WORDS and _after_amount(text, j + 1)
    return i >= 0 and text[i].isdigit()


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in LOOKBACK_SKIP:
        i -= 1
    if i < 0:
        return True
    if text[i] != ".":
        return text[i] in SENTENCE_END
    # "Dr. Okonkwo", "J. Smith", "e.g. Paris": a period after an abbreviation or initial ends no sentence
    j = i
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    before = text[j:i].lower()
    return not (len(before.replace(".", "")) == 1 or before in ABBREVIATIONS)


def split_words(masked: str, policy: Policy, proper: list[Word] | None = None) -> tuple[list[Word], Counter, set[str]]:
    """The words to check, counts of what was skipped and why, and the capitalised words seen mid-sentence.

    When `proper` is a list, the capitalised words skipped as names are appended to it.
    """
    words: list[Word] = []
    skipped: Counter = Counter()
    names: set[str] = set()
    for m in RUN.finditer(masked):
        raw = m.group(0)
        if raw.isalpha():  # the common case: one plain word
            _classify(masked, raw, m.start(), True, policy, words, skipped, names, proper)
            continue
        start = m.start()
        stripped = raw.strip("'’")
        if not stripped:
            continue
        start += len(raw) - len(raw.lstrip("'’"))
        if not HAS_LETTER.search(stripped):
            skipped["numbers"] += 1
            continue
        if policy.ignore_numbers and DIGIT.search(stripped):
            skipped["numbers"] += 1
            continue
        if policy.ignore_identifiers and ("_" in stripped or "." in stripped):
            skipped["identifiers"] += 1
            continue
        offset = start
        first = True
        for part in SEPARATORS.split(stripped):
            if not part or part in SEPARATOR_CHARS:
                offset += len(part)
                continue
            _classify(masked, part, offset, first, policy, words, skipped, names, proper)
            first = False
            offset += len(part)
    return words, skipped, names


def _classify(
    masked: str,
    part: str,
    start: int,
    first: bool,
    policy: Policy,
    words: list[Word],
    skipped: Counter,
    names: set[str],
    proper: list[Word] | None = None,
) -> None:
    core = part
    if not part.isalpha():
        core = part.strip("'’")
        if not core:
            return
        start += len(part) - len(part.lstrip("'’"))
    if not (core.isascii() or LATIN_WORD.fullmatch(core)):
        skipped["other_script" if HAS_LETTER.search(core) else "numbers"] += 1
        return
    if len(core) < policy.min_length and sum(c.isalpha() for c in core) < policy.min_length:
        skipped["short"] += 1
        return
    if policy.ignore_units and core.lower() in UNIT_WORDS and _after_amount(masked, start):
        skipped["units"] += 1
        return
    if core.islower():
        words.append(Word(core, start, start + len(core), False))
        return
    if core.isupper():
        if policy.ignore_acronyms and sum(c.isalpha() for c in core) > 1:
            skipped["acronyms"] += 1
            return
    elif any(c.isupper() for c in core[1:]):
        if policy.ignore_identifiers:
            skipped["identifiers"] += 1
            return
    elif core[0].isupper():
        sentence_start = first and _sentence_start(masked, start)
        if sentence_start and CASE_PARTY.match(masked, start + len(core)):
            sentence_start = False  # "Marbury v. Madison": a party's name, even at the start of a sentence
        if policy.proper_nouns == "skip" or (policy.proper_nouns == "mid_sentence" and not sentence_start):
            skipped["proper_nouns"] += 1
            names.add(core.lower())
            if proper is not None:
                proper.append(Word(core, start, start + len(core), sentence_start))
            return
        words.append(Word(core, start, start + len(core), sentence_start))
        return
    words.append(Word(core, start, start + len(core), False))
