"""The `legal_irac` verifier: an answer laid out as Issue, Rule, Application, Conclusion, with partial credit."""

from __future__ import annotations

from typing import Any

from verifiers import Result, Sample, Verifier
from verifiers.rules import Context, Sections
from verifiers.rules.text_rules import Section

SYNONYMS = {
    "Issue": ["Issue", "Issues", "Legal Issue", "Question Presented", "Questions Presented", "Question"],
    "Rule": [
        "Rule",
        "Rules",
        "Rule of Law",
        "Governing Law",
        "Applicable Law",
        "Relevant Law",
        "Legal Rule",
        "Legal Standard",
        "Law",
    ],
    "Application": ["Application", "Analysis", "Discussion", "Application of Law", "Application to the Facts"],
    "Conclusion": ["Conclusion", "Conclusions", "Holding", "Outcome"],
}


class Irac(Verifier):
    """The answer has Issue, Rule, Application and Conclusion sections (headings or labels), in order."""

    name = "legal_irac"

    def __init__(
        self, min_words: int = 5, ordered: bool = True, style: str = "any", synonyms: dict[str, list[str]] | None = None
    ):
        names = {**SYNONYMS, **(synonyms or {})}
        unknown = set(names) - set(SYNONYMS)
        if unknown:
            raise ValueError(f"synonyms keys must be among {', '.join(SYNONYMS)}; got {', '.join(sorted(unknown))}")
        self.min_words = min_words
        self.ordered = ordered
        self.style = style
        self.rule = Sections(
            id="legal.irac",
            message="Lay the answer out as Issue, Rule, Application, Conclusion.",
            weight=1.0,
            severity="warning",
            sections=[Section([key, *[n for n in names[key] if n != key]], "insensitive") for key in SYNONYMS],
            style=style,
            ordered=ordered,
            min_words=min_words,
        )

    def params(self) -> dict[str, Any]:
        """Settings, for repr."""
        return {"min_words": self.min_words, "ordered": self.ordered}

    def check(self, sample: Sample) -> Result:
        """A quarter of the score per section present with content; a quarter off when they are out of order."""
        text = sample.text
        hits = self.rule.evaluate(Context(sample))
        violation = sum(h.violation for h in hits)
        score = max(0.0, 1.0 - violation)
        found = [s.names[0] for s in self.rule.sections if s.find(text, self.style) is not None]
        details: dict[str, Any] = {"found": found, "fired": [self.rule.fired(hits)] if hits else []}
        if not hits:
            return self.passed("Issue, Rule, Application and Conclusion all present, in order", score=score, **details)
        return self.failed("; ".join(h.detail for h in hits), score=score, **details)
