"""Find US case citations ("410 U.S. 113 (1973)") and statute citations ("42 U.S.C. § 1983") and check their form."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from .reporters import Reporter, load_reporters, reporter_key

TOKEN = r"(?:[A-Z][A-Za-z0-9.'’]*|\d(?:d|nd|rd|th|st)\b)"
CASE = re.compile(
    rf"(?<![\w.])(?P<vol>\d{{1,4}})\s+(?P<rep>{TOKEN}(?:\s?{TOKEN}){{0,3}}?)\s+(?P<at>at\s+)?(?P<page>\d{{1,5}})\b"
    r"(?P<pin>(?:\s*,\s*\d{1,5}(?:\s*[-–]\s*\d{1,5})?)*)"
    r"(?:\s*\((?P<court>[^()\n]{0,40}?)\s*(?P<year>\d{4})\))?"
)
STATUTE = re.compile(
    r"(?<![\w.])(?P<title>\d{1,3})\s*(?P<code>U\.?\s?S\.?\s?C\.?(?:\s?[AS]\.)?|C\.?\s?F\.?\s?R\.?)(?![A-Za-z])"
    r"(?P<gap>\s*)(?P<sec>§§?|[Ss]ec(?:tion|t)?s?\.?)?(?P<space>\s*)"
    r"(?P<num>\d+[A-Za-z0-9]*(?:[-–.]\d+[A-Za-z0-9]*)*(?:\([A-Za-z0-9]{1,4}\))*)"
)
CODES = {"usc": ("U.S.C.", 54), "usca": ("U.S.C.A.", 54), "uscs": ("U.S.C.S.", 54), "cfr": ("C.F.R.", 50)}
CIRCUIT = re.compile(r"\b(?:\d{1,2}(?:st|nd|rd|th|d)|D\.\s?C\.|Fed\.)\s*Cir\.", re.IGNORECASE)
DISTRICT = re.compile(r"(?:\b[NSEWMC]\.\s?)?\bD\.\s?[A-Z]")
BANKRUPTCY = re.compile(r"\bBankr\.|\bB\.A\.P\.")
FIRST_YEAR = 1754
YEAR_SLACK = 1  # a decision of late December can appear in a series dated the next year


@dataclass
class Problem:
    """A form problem in one citation: a short code and an explanation."""

    code: str
    detail: str


@dataclass
class Citation:
    """A case or statute citation found in text, with its parts and its form problems."""

    kind: str  # "case", "short_case" or "statute"
    text: str
    start: int
    end: int
    key: tuple
    parts: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict:
        """A JSON-ready summary."""
        return {
            "kind": self.kind,
            "text": self.text,
            "span": [self.start, self.end],
            **self.parts,
            "problems": [f"{p.code}: {p.detail}" for p in self.problems],
        }


def find_statutes(text: str) -> list[Citation]:
    """Statute citations to the U.S. Code and the C.F.R., with form problems."""
    out = []
    for m in STATUTE.finditer(text):
        code_key = reporter_key(m.group("code"))
        canonical, max_title = CODES.get(code_key, (None, 0))
        if canonical is None:
            continue
        title = int(m.group("title"))
        section = m.group("num")
        base = section.split("(")[0].rstrip(".").lower()
        family = "cfr" if code_key == "cfr" else "usc"
        cite = Citation("statute", m.group(0), m.start(), m.end(), (family, title, base))
        cite.parts = {"title": title, "code": canonical, "section": section}
        written = re.sub(r"\s", "", m.group("code"))
        if written != canonical.replace(" ", ""):
            cite.problems.append(Problem("code_form", f"write {canonical!r}, not {m.group('code').strip()!r}"))
        sec = m.group("sec")
        if not sec:
            cite.problems.append(Problem("missing_section_sign", f"write '{title} {canonical} § {section}'"))
        elif not sec.startswith("§"):
            cite.problems.append(Problem("section_word", f"use '§', not {sec!r}, in a citation"))
        elif not m.group("space"):
            cite.problems.append(Problem("section_spacing", "put a space after '§'"))
        if not 1 <= title <= max_title:
            cite.problems.append(
                Problem("bad_title", f"title {title} does not exist in the {canonical} (1-{max_title})")
            )
        out.append(cite)
    return out


def find_cases(
    text: str, taken: list[tuple[int, int]] = (), reporters: dict[str, Reporter] | None = None
) -> list[Citation]:
    """Case citations (full and short forms) outside the spans already taken, with form problems."""
    reporters = reporters or load_reporters()
    this_year = datetime.date.today().year
    out: list[Citation] = []
    full_keys: set[tuple] = set()
    for m in CASE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        written = m.group("rep")
        rep = reporters.get(reporter_key(written))
        has_year = m.group("year") is not None
        if rep is None:
            # only a citation-shaped unknown reporter is reported: abbreviation with periods and a year
            if "." in written and has_year and not m.group("at"):
                cite = Citation("case", m.group(0), m.start(), m.end(), ("?", written, m.group("vol"), m.group("page")))
                cite.parts = {"volume": int(m.group("vol")), "reporter": written, "page": int(m.group("page"))}
                cite.problems.append(Problem("unknown_reporter", f"{written!r} is not a known reporter abbreviation"))
                out.append(cite)
            continue
        volume, page = int(m.group("vol")), int(m.group("page"))
        if m.group("at"):
            cite = Citation(
                "short_case",
                m.group(0)[: m.end("page") - m.start()],
                m.start(),
                m.end("page"),
                (rep.abbreviation, volume),
            )
            cite.parts = {"volume": volume, "reporter": rep.abbreviation, "pincite": page}
            if written != rep.abbreviation:
                cite.problems.append(Problem("reporter_form", f"write {rep.abbreviation!r}, not {written!r}"))
            if (rep.abbreviation, volume) not in full_keys:
                cite.problems.append(Problem("short_form_first", "a short form ('at') needs the full citation earlier"))
            out.append(cite)
            continue
        cite = Citation("case", m.group(0), m.start(), m.end(), (rep.abbreviation, volume, page))
        full_keys.add((rep.abbreviation, volume))
        court = (m.group("court") or "").strip().rstrip(",").strip()
        year = int(m.group("year")) if has_year else None
        cite.parts = {
            "volume": volume,
            "reporter": rep.abbreviation,
            "page": page,
            "court": court or None,
            "year": year,
        }
        if written != rep.abbreviation:
            cite.problems.append(Problem("reporter_form", f"write {rep.abbreviation!r}, not {written!r}"))
        if volume == 0 or page == 0:
            cite.problems.append(Problem("bad_number", "volume and page start at 1"))
        if year is None:
            cite.problems.append(
                Problem("missing_year", "a full citation ends with the year in parentheses, e.g. (1973)")
            )
        else:
            _check_year(cite, rep, year, this_year)
            _check_court(cite, rep, court)
        out.append(cite)
    return out


def _check_year(cite: Citation, rep: Reporter, year: int, this_year: int) -> None:
    if not FIRST_YEAR <= year <= this_year:
        cite.problems.append(Problem("bad_year", f"{year} is not a possible decision year"))
        return
    if rep.start is not None and year < rep.start - YEAR_SLACK:
        cite.problems.append(
            Problem("year_outside_series", f"{rep.abbreviation} began in {rep.start}; a {year} case cannot be in it")
        )
    elif rep.end is not None and year > rep.end + YEAR_SLACK:
        cite.problems.append(
            Problem("year_outside_series", f"{rep.abbreviation} ended in {rep.end}; a {year} case cannot be in it")
        )


def _check_court(cite: Citation, rep: Reporter, court: str) -> None:
    level = rep.court
    if level == "supreme":
        if court:
            cite.problems.append(
                Problem("court_not_needed", f"{rep.abbreviation} reports only the Supreme Court; give the year alone")
            )
    elif level == "circuit":
        if not CIRCUIT.search(court):
            cite.problems.append(
                Problem("missing_court", f"{rep.abbreviation} needs the circuit, e.g. (9th Cir. {cite.parts['year']})")
            )
    elif level == "district":
        if not DISTRICT.search(court):
            cite.problems.append(
                Problem("missing_court", f"{rep.abbreviation} needs the district, e.g. (S.D.N.Y. {cite.parts['year']})")
            )
    elif level == "bankruptcy":
        if not BANKRUPTCY.search(court) and not DISTRICT.search(court):
            cite.problems.append(
                Problem(
                    "missing_court", f"{rep.abbreviation} needs the court, e.g. (Bankr. D. Del. {cite.parts['year']})"
                )
            )
    elif level == "regional" and not court:
        cite.problems.append(
            Problem(
                "missing_court",
                f"{rep.abbreviation} covers several states; name the court, e.g. (Cal. {cite.parts['year']})",
            )
        )


def find_citations(text: str, reporters: dict[str, Reporter] | None = None) -> list[Citation]:
    """Every statute and case citation in the text, in order."""
    statutes = find_statutes(text)
    cases = find_cases(text, [(c.start, c.end) for c in statutes], reporters)
    return sorted(statutes + cases, key=lambda c: c.start)


CASE_NAME = re.compile(
    r"(?P<left>[A-Z][\w.'’&-]*)(?:,? (?:Inc\.|Co\.|Corp\.|Ltd\.|L\.L\.C\.))?\s+vs?\.?\s+(?:(?:the|The)\s+)?(?P<right>[A-Z][\w'’&-]*)"
)


def case_names(text: str) -> list[tuple[str, str, int, int]]:
    """Case names written "Party v. Party": the two name words next to "v." and the span."""
    return [
        (m.group("left").rstrip(".").lower(), m.group("right").lower(), m.start(), m.end())
        for m in CASE_NAME.finditer(text)
    ]
