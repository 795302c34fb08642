"""The `legal_citation_format` verifier: US case and statute citations are written in Bluebook form."""

from __future__ import annotations

from typing import Any

from verifiers import Result, Sample, Verifier
from verifiers.rules import fired_record

from .citations import find_citations
from .reporters import load_reporters

# Problems of style (the citation still identifies the authority) are warnings; the rest are errors.
WARNINGS = frozenset({"reporter_form", "code_form", "section_spacing", "section_word", "court_not_needed"})
MESSAGES = {
    "reporter_form": "Write the reporter abbreviation as the Bluebook does.",
    "code_form": "Write the code abbreviation as the Bluebook does (U.S.C., C.F.R.).",
    "missing_section_sign": "A statute citation needs the section sign: 42 U.S.C. § 1983.",
    "section_word": "Use '§' rather than 'Section' inside a citation.",
    "section_spacing": "Put a space after '§'.",
    "bad_title": "The cited title of the code does not exist.",
    "unknown_reporter": "The reporter abbreviation is not a known US reporter.",
    "bad_number": "Volume and page numbers start at 1.",
    "missing_year": "A full case citation ends with the decision year in parentheses.",
    "bad_year": "The decision year is impossible.",
    "year_outside_series": "The year falls outside the years the reporter series covers.",
    "missing_court": "The parenthetical must name the court for this reporter.",
    "court_not_needed": "Supreme Court reporters take the year alone in the parenthetical.",
    "short_form_first": "A short-form citation needs the full citation earlier in the answer.",
}


class CitationFormat(Verifier):
    """US case citations (volume, reporter, page, court, year) and statutes (42 U.S.C. § 1983) are well formed."""

    name = "legal_citation_format"

    def __init__(self, require_citation: bool = False, reporters_file: str | None = None):
        self.require_citation = require_citation
        self.reporters_file = reporters_file
        load_reporters(reporters_file)  # a bad table fails here, at load time

    def params(self) -> dict[str, Any]:
        """Settings, for repr."""
        return {"require_citation": self.require_citation}

    def check(self, sample: Sample) -> Result:
        """Score the share of citations with no form problem; list each problem with its span."""
        citations = find_citations(sample.text, load_reporters(self.reporters_file))
        details: dict[str, Any] = {"citations": [c.to_dict() for c in citations[:100]]}
        if not citations:
            details["fired"] = []
            if self.require_citation:
                details["fired"] = [
                    fired_record(
                        "legal.citation.none",
                        "The answer must cite an authority.",
                        kind="missing",
                        detail="no case or statute citation found",
                    )
                ]
                return self.failed("no case or statute citation found", **details)
            return self.passed("no citations to check", **details)
        fired: dict[str, dict[str, Any]] = {}
        for c in citations:
            for p in c.problems:
                entry = fired.get(p.code)
                if entry is None:
                    fired[p.code] = fired_record(
                        f"legal.citation.{p.code}",
                        MESSAGES.get(p.code, p.detail),
                        severity="warning" if p.code in WARNINGS else "error",
                        weight=1.0,
                        span=[c.start, c.end],
                        kind=p.code,
                        detail=f"{c.text!r}: {p.detail}",
                        spans=[[c.start, c.end]],
                    )
                else:
                    entry["spans"].append([c.start, c.end])
        details["fired"] = list(fired.values())
        clean = sum(1 for c in citations if not c.problems)
        score = clean / len(citations)
        if clean == len(citations):
            return self.passed(f"all {len(citations)} citation(s) well formed", score=score, **details)
        problems = "; ".join(f"{c.text!r}: " + ", ".join(p.detail for p in c.problems) for c in citations if c.problems)
        return self.failed(
            f"{len(citations) - clean} of {len(citations)} citation(s) malformed: {problems}", score=score, **details
        )
