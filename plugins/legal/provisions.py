"""Authorities outside the US reporter system: numbered provisions, named Acts, EU instruments and law reports.

"section 6 of the Equality Act 2010", "s 394", "§ 438 BGB", "article L1471-1", "Article 17 GDPR",
"Regulation (EC) No 261/2004", "[1932] AC 562", "2009 SCC 32", "(1978) 1 SCC 248", "AIR 1985 SC 999".
Each is reduced to a key that can be looked for in the sources, whatever the language of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

# a provision word, in English, French, Spanish, German and Italian, then its number ("6", "394B",
# "L1471-1", "1950.5", "24(2)"); "s" and "ss" only when followed by a digit
PROVISION = regex.compile(
    r"(?<![\w.])(?P<word>sections?|ss?\.?(?=\s*\d)|secs?\.|§§?|articles?|arts?\.|art(?=\s+\d)|artículos?|articulos?"
    r"|artikel|articolo|paragraphs?|paras?\.|rules?|regulations?|reg\.|APP|principles?|clauses?|cl\.)"
    r"\s*(?P<num>[A-Z]?\d+(?:[.-]\d+)*[A-Za-z]{0,2}(?:\(\w{1,4}\))*)(?![\w/])",
    regex.IGNORECASE,
)
# "Equality Act 2010", "Consumer Protection Act, 2019", "Fair Work Act 2009 (Cth)": found by the keyword and
# year, then the capitalised name words just before it (cheaper than trying a name at every capital letter)
ACT_YEAR = regex.compile(r"\b(?P<kind>Act|Code|Rules|Regulations),?\s+(?P<year>\d{4})\b")
ACT_NAME = regex.compile(r"(?:\p{Lu}[\w'’-]*\s+){1,6}$")
# "Regulation (EC) No 261/2004", "Directive 2011/83/EU", "Directive (EU) 2019/771"
EU_INSTRUMENT = regex.compile(
    r"\b(?P<kind>Regulation|Directive|Decision|Règlement|Directive|Reglamento|Directiva|Verordnung|Richtlinie)"
    r"\s*(?:\((?:EU|EC|EEC|UE|CE|CEE|EG|EWG)\)\s*)?(?:No\.?\s*|n[°o]\s*|Nr\.\s*)?(?P<a>\d{1,4})/(?P<b>\d{1,4})\b",
    regex.IGNORECASE,
)
# law reports: "[1932] AC 562", "[1893] 1 QB 256", "[2014] UKSC 5", "(1978) 1 SCC 248", "2009 SCC 32", "AIR 1985 SC 999"
COURT = r"\p{Lu}[\p{Lu}\p{Ll}]{0,5}(?:\s+\p{Lu}[\p{Lu}\p{Ll}]{0,5}){0,2}"
REPORT = regex.compile(
    rf"\[(?P<y1>\d{{4}})\]\s+(?:\d{{1,3}}\s+)?(?P<c1>{COURT})\s+(?P<n1>\d{{1,5}})\b"
    rf"|\((?P<y2>\d{{4}})\)\s+\d{{1,3}}\s+(?P<c2>{COURT})\s+(?P<n2>\d{{1,5}})\b"
    rf"|\bAIR\s+(?P<y3>\d{{4}})\s+(?P<c3>{COURT})\s+(?P<n3>\d{{1,5}})\b"
    r"|(?<![\w\[(/.,])(?P<y4>(?:1[89]|20)\d\d)\s+(?P<c4>\p{Lu}{2,6}(?:\s+Civ|\s+Crim|\s+Fam)?)\s+(?P<n4>\d{1,5})\b(?![/.]\d)",
)


@dataclass(frozen=True)
class Authority:
    """A provision, instrument or report citation found in text, with the key it is grounded by."""

    kind: str  # "provision", "instrument" or "report"
    text: str
    start: int
    end: int
    key: str


def _provision_key(num: str) -> str:
    return num.split("(")[0].lower()


def find_authorities(text: str, taken: list[tuple[int, int]] = ()) -> list[Authority]:
    """Provisions, named Acts and codes with a year, EU instruments and law reports, outside the spans taken."""
    found: list[Authority] = []
    spans = list(taken)

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in spans)

    for m in REPORT.finditer(text):
        year = next(g for g in (m.group("y1"), m.group("y2"), m.group("y3"), m.group("y4")) if g)
        court = next(g for g in (m.group("c1"), m.group("c2"), m.group("c3"), m.group("c4")) if g)
        number = next(g for g in (m.group("n1"), m.group("n2"), m.group("n3"), m.group("n4")) if g)
        if free(m.start(), m.end()):
            key = f"{year} {' '.join(court.lower().split())} {number}"
            found.append(Authority("report", m.group(0), m.start(), m.end(), key))
            spans.append((m.start(), m.end()))
    for m in EU_INSTRUMENT.finditer(text):
        if free(m.start(), m.end()):
            a, b = m.group("a"), m.group("b")
            found.append(Authority("instrument", m.group(0), m.start(), m.end(), f"{a}/{b}"))
            spans.append((m.start(), m.end()))
    for m in ACT_YEAR.finditer(text):
        name = ACT_NAME.search(text, max(0, m.start() - 120), m.start())
        if name is not None and free(name.start(), m.end()):
            last = name.group(0).split()[-1].lower()  # "the UK Data Protection Act" still matches "Protection Act"
            key = f"{last} {m.group('kind').lower()} {m.group('year')}"
            found.append(Authority("instrument", text[name.start() : m.end()], name.start(), m.end(), key))
    for m in PROVISION.finditer(text):
        if free(m.start(), m.end()):
            found.append(Authority("provision", m.group(0), m.start(), m.end(), _provision_key(m.group("num"))))
    return sorted(found, key=lambda a: a.start)


@lru_cache(maxsize=512)
def source_keys(text: str) -> dict[str, frozenset[str]]:
    """The keys of every authority in the sources, by kind (cached: the rollouts of one prompt share sources)."""
    out: dict[str, set[str]] = {"provision": set(), "instrument": set(), "report": set()}
    for a in find_authorities(text):
        out[a.kind].add(a.key)
    return {k: frozenset(v) for k, v in out.items()}


def grounded(authority: Authority, keys: dict[str, frozenset[str]]) -> bool:
    """True when the sources hold an authority of the same kind and key."""
    return authority.key in keys[authority.kind]
